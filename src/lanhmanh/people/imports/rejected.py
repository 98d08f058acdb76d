"""The rows left out of an import, as an .xlsx to fix and upload again."""

from __future__ import annotations

from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.people.imports.checks import ParsedRow
from lanhmanh.people.imports.columns import COLUMNS, ERROR_HEADER, TEXT_COLUMNS, column_letter


def rejected_rows(rows: list[ParsedRow]) -> list[dict]:
    """The rows with errors, as read from the file, each with its messages (kept for the download)."""
    return [{"row": r.row, "cells": r.cells, "errors": r.error_texts()} for r in rows if r.errors]


def rejected_workbook(rejected: list[dict]) -> bytes:
    """The rows left out of an import as an .xlsx in the template's columns, plus a last column
    “Lỗi cần sửa” with every message of the row (which names the row of the original file and the
    column). Fixed in place, the file is uploaded again as it is: reading skips that column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dòng lỗi"
    sheet.append([*(c.header for c in COLUMNS), ERROR_HEADER])
    bold = Font(bold=True)
    for index, column in enumerate([*COLUMNS, None]):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="F8D7DA" if column is None else "DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = column.width if column else 60
        if column is not None and column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    for entry in rejected:
        cells = entry["cells"]
        sheet.append([*(cells.get(c.key, "") for c in COLUMNS), "\n".join(entry["errors"])])
        sheet.cell(row=sheet.max_row, column=len(COLUMNS) + 1).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)
