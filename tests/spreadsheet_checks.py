"""Checks shared by the tests of every spreadsheet we hand out: user text stays text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

# Texts a user could type into a name, title or comment that Excel would run as formulas.
FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)")


def text_cells(content: bytes, text: str, *, start: bool = False) -> list:
    """Every cell of the workbook whose value is ``text`` (or starts with it), read back with openpyxl."""
    book = load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == text or (start and str(cell.value or "").startswith(text))
    ]


def assert_plain_text(content: bytes, text: str, *, count: int | None = None, start: bool = False) -> None:
    """The text is in the workbook, each time as a string cell marked as typed text, never a formula."""
    cells = text_cells(content, text, start=start)
    assert cells, f"{text!r} is not in the workbook"
    if count is not None:
        assert len(cells) == count, [c.coordinate for c in cells]
    for cell in cells:
        assert (cell.data_type, cell.quotePrefix) == ("s", True), (cell.parent.title, cell.coordinate)
