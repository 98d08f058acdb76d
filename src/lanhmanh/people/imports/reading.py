"""Reading an uploaded police list: the file checked as a whole, every row's cells as plain text.

``read_workbook`` gives ``{"row": n, "cells": {key: text}}`` for each data row; the cells are kept
(encrypted) between the preview and the confirmation and checked by ``checks.check_rows``.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.utils.translation import gettext as _

from lanhmanh.core.text import fold, normalise
from lanhmanh.people.imports.columns import BY_KEY, COLUMNS, ERROR_HEADER, MAX_ROWS, column_letter

MAX_FILE_BYTES = 10 * 1024 * 1024
# Rows read at most, blank or not: the header, the data rows and a thousand trailing blank rows that
# spreadsheet programs often leave formatted below a list.
MAX_ROWS_READ = 1 + MAX_ROWS + 1000
FIRST_DATA_ROW = 2  # row 1 is the header


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, empty, too big, wrong columns)."""


def cell_text(value) -> str:
    """A cell as text: dates as dd/mm/yyyy[ hh:mm], whole numbers without '.0', strings normalised."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return normalise(str(value))


def _id_cell(values, index: int, text: str) -> str:
    """A numeric ID cell lost its leading zeros: CCCD numbers start with a 3-digit province code (001…)."""
    value = values[index] if index < len(values) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if len(text) in (10, 11):
            return text.zfill(12)
        if len(text) == 8:
            return text.zfill(9)
    return text


def _match_header(text: str) -> str | None:
    key = fold(text.replace("*", ""))
    for column in COLUMNS:
        if fold(column.header) == key:
            return column.key
    return None


def read_workbook(data: bytes, *, file_name: str = "") -> list[dict]:
    """The data rows of an uploaded .xlsx as ``{"row": n, "cells": {key: text}}``.

    Raises ImportFileError (Vietnamese message) when the file is not an .xlsx workbook, is too big,
    has no data rows, more than MAX_ROWS rows, or columns that do not match the template.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise ImportFileError(_("Tệp rỗng: chọn tệp Excel (.xlsx) theo mẫu."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Tệp quá lớn (%(size)s MB): tối đa %(max)s MB. Hãy chia danh sách thành nhiều tệp.")
            % {
                "size": f"{len(data) / 1024 / 1024:.1f}".replace(".", ","),
                "max": MAX_FILE_BYTES // 1024 // 1024,
            }
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Tệp “%(name)s” là Excel 97–2003 (.xls): hãy mở bằng Excel và lưu lại dạng .xlsx.")
            % {"name": file_name}
        )
    if not file_name.lower().endswith(".xlsx") or data[:4] != b"PK\x03\x04":
        raise ImportFileError(
            _("Tệp “%(name)s” không phải tệp Excel .xlsx: hãy dùng mẫu tải về và lưu dạng .xlsx.")
            % {"name": file_name}
        )
    from lanhmanh.core.spreadsheet import SpreadsheetRefused, bounded_xlsx_rows, check_xlsx_archive

    try:
        check_xlsx_archive(data)
    except SpreadsheetRefused as exc:
        raise ImportFileError(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(
            _("Không đọc được tệp “%(name)s”: tệp hỏng hoặc không phải bảng tính Excel .xlsx.")
            % {"name": file_name}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Every row is read whatever <dimension> says; blank rows count towards the rows read.
        rows = (values for _number, values in bounded_xlsx_rows(sheet, max_rows=MAX_ROWS_READ))
        header = next(rows, None)
        if header is None or not any(cell_text(v) for v in header):
            raise ImportFileError(_("Tệp không có dòng tiêu đề: hãy dùng mẫu tải về."))
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            text = cell_text(value)
            if not text:
                continue
            if fold(text) == fold(ERROR_HEADER):
                continue  # the errors of a file of rejected rows, being uploaded again after fixing
            key = _match_header(text)
            if key is None:
                raise ImportFileError(
                    _("Cột %(letter)s “%(header)s” không có trong mẫu: hãy dùng đúng các cột của mẫu tải về.")
                    % {"letter": column_letter(index), "header": text}
                )
            if key in positions:
                raise ImportFileError(
                    _("Cột “%(header)s” xuất hiện hai lần (cột %(first)s và %(second)s).")
                    % {
                        "header": BY_KEY[key].header,
                        "first": column_letter(positions[key]),
                        "second": column_letter(index),
                    }
                )
            positions[key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            raise ImportFileError(
                _("Thiếu cột bắt buộc: %(columns)s. Hãy dùng mẫu tải về.")
                % {"columns": ", ".join(f"“{m}”" for m in missing)}
            )
        parsed = []
        for offset, values in enumerate(rows):
            cells = {
                key: cell_text(values[index]) if index < len(values) else ""
                for key, index in positions.items()
            }
            if not any(cells.values()):
                continue
            if "id_number" in positions:
                cells["id_number"] = _id_cell(values, positions["id_number"], cells["id_number"])
            if len(parsed) >= MAX_ROWS:
                raise ImportFileError(
                    _("Tệp có hơn %(max)s dòng dữ liệu: hãy chia danh sách thành nhiều tệp.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            parsed.append({"row": FIRST_DATA_ROW + offset, "cells": cells})
    except SpreadsheetRefused as exc:
        raise ImportFileError(str(exc)) from None
    finally:
        workbook.close()
    if not parsed:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return parsed


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %Hh",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def parse_date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_datetime(text: str) -> dt.datetime:
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.combine(parse_date(text), dt.time(0, 0))
