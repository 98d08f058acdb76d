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
from collections.abc import Iterable

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
