"""Spreadsheets we hand out: text typed by users stays text when Excel or LibreOffice opens the file.

openpyxl stores any ``str`` that starts with ``=`` as a live formula, so a person's address or a
report comment such as ``=HYPERLINK("http://x","y")`` would run in the reader's spreadsheet
program. Excel and LibreOffice also evaluate CSV cells that start with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before them). Every workbook and CSV file we write goes through
``workbook_bytes()`` or ``csv_cell()``; numbers, dates and booleans are left as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from django.utils.translation import gettext as _

# What makes Excel or LibreOffice read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def looks_like_formula(value) -> bool:
    """True for a text that a spreadsheet program could read as a formula (``=1+1``, ``@SUM(A1)``)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise_cell(cell) -> None:
    """Keep an openpyxl cell's text as text: stored as a string, marked as typed with a quote.

    The text itself is unchanged (the reader sees exactly what was typed); ``quotePrefix`` is
    Excel's own mark for "typed with a leading apostrophe", so editing the cell keeps it text too.
    """
    if not looks_like_formula(cell.value):
        return
    cell.data_type = "s"
    cell.quotePrefix = True


def workbook_bytes(book) -> bytes:
    """The .xlsx file of an openpyxl workbook, every formula-like text cell made plain text first.

    Our workbooks carry no formulas of their own, so every cell of every sheet is checked.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                neutralise_cell(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_cell(value):
    """A value for a CSV cell: formula-like text gets a leading apostrophe, numbers are left alone.

    A text that is just a signed number (``-5``, ``+84``) is left too: it can only be read as that
    number.
    """
    if not looks_like_formula(value) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_row(values: Iterable) -> list:
    """A row for ``csv.writer().writerow()`` with every cell passed through ``csv_cell()``."""
    return [csv_cell(v) for v in values]


# Reading workbooks users upload ---------------------------------------------------------------------
#
# An .xlsx is a zip: 110 KB can hold a 100 MB cell, and 5 MB of blank rows once escaped a row limit
# that counted only rows with content. ``bounded_xlsx_rows`` bounds the work by what the archive
# unpacks to, by the rows read (blank or not) and by each cell's length, and reads every row whatever
# the sheet's ``<dimension>`` says (openpyxl's read-only mode otherwise stops at a stale dimension and
# silently drops the rows below it).

MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_CELL_CHARS = 5000  # the longest free text a form takes (core.forms.TEXT_MAX_LENGTH)


class SpreadsheetRefused(ValueError):
    """A workbook refused before or while reading; the message is Vietnamese and names the row/column."""


def check_xlsx_archive(data: bytes, *, max_uncompressed: int | None = None) -> None:
    """Refuse an archive that unpacks to more than ``max_uncompressed`` bytes (zip bomb, giant cell)."""
    max_uncompressed = max_uncompressed or MAX_UNCOMPRESSED_BYTES

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the caller's reader says so in its own words
    if total > max_uncompressed:
        raise SpreadsheetRefused(
            _(
                "Tệp giải nén ra %(size)s MB dữ liệu, quá giới hạn %(max)s MB (thường do một ô chứa văn bản "
                "cực dài hoặc hàng chục nghìn dòng trống): hãy xoá các ô, dòng thừa rồi lưu lại."
            )
            % {"size": f"{total / 1024 / 1024:.0f}", "max": max_uncompressed // 1024 // 1024}
        )


def bounded_xlsx_rows(sheet, *, max_rows: int, max_cell_chars: int = MAX_CELL_CHARS, first_row: int = 1):
    """Yield ``(row_number, values)`` of every row of a read-only sheet, ignoring its ``<dimension>``.

    Raises ``SpreadsheetRefused`` once more than ``max_rows`` rows were read (blank rows count: they
    cost the same to read) or when a text cell is longer than ``max_cell_chars``.
    """
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 -- heavy: openpyxl only when a workbook is read

    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # a stale <dimension ref="A1:…"> must not hide rows
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=first_row):
        if number - first_row >= max_rows:
            raise SpreadsheetRefused(
                _(
                    "Tệp có hơn %(max)s dòng (kể cả dòng trống): hãy xoá các dòng thừa hoặc chia thành nhiều tệp."
                )
                % {"max": f"{max_rows:,}".replace(",", ".")}
            )
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > max_cell_chars:
                raise SpreadsheetRefused(
                    _("Ô %(cell)s dài %(length)s ký tự, quá giới hạn %(max)s ký tự: hãy rút gọn nội dung ô.")
                    % {
                        "cell": f"{get_column_letter(index + 1)}{number}",
                        "length": f"{len(value):,}".replace(",", "."),
                        "max": f"{max_cell_chars:,}".replace(",", "."),
                    }
                )
        yield number, values
