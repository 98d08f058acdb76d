"""Issue #21 items 4 and 5: imports bounded by what the file unpacks to, by rows read (blank or not) and by
cell length; every row read whatever the sheet's <dimension> says (ASVS V12.1.1, V5.1.4)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from lanhmanh.core import spreadsheet
from lanhmanh.people.imports import MAX_ROWS_READ, ImportFileError, read_workbook
from tests.people.test_import import HEADERS, row, workbook_bytes


def with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with the first sheet's <dimension> rewritten (as some exporters leave it stale)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', text)
                else:
                    text = text.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def five_rows() -> bytes:
    return workbook_bytes([row(number=f"{100 + i}/QĐ-XPHC") for i in range(5)])


def test_a_stale_dimension_does_not_drop_rows():
    data = with_dimension(five_rows(), "A1:M2")
    assert "A1:M2" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert [r["row"] for r in read_workbook(data, file_name="x.xlsx")] == [2, 3, 4, 5, 6]


def test_a_dimension_of_one_cell_does_not_lose_the_columns():
    rows = read_workbook(with_dimension(five_rows(), "A1"), file_name="x.xlsx")
    assert len(rows) == 5
    assert rows[0]["cells"]["full_name"] == "Trần Thị Mai"


def test_blank_rows_count_towards_the_row_limit():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    bold = Font(bold=True)
    for number in range(2, MAX_ROWS_READ + 10):
        sheet.cell(row=number, column=1).font = bold  # a styled, empty cell: the row is written, blank
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError) as refused:
        read_workbook(buffer.getvalue(), file_name="x.xlsx")
    assert str(refused.value) == (
        "Tệp có hơn 11.001 dòng (kể cả dòng trống): hãy xoá các dòng thừa hoặc chia thành nhiều tệp."
    )


def test_a_giant_cell_is_refused_before_it_is_read(monkeypatch):
    data = workbook_bytes([row(number=f"{i}/QĐ", place_address="a" * 30_000) for i in range(100)])
    assert len(data) < 100_000  # compresses to almost nothing
    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    with pytest.raises(ImportFileError) as refused:
        read_workbook(data, file_name="x.xlsx")
    assert str(refused.value).startswith("Tệp giải nén ra 3 MB dữ liệu, quá giới hạn 2 MB")


def test_a_cell_longer_than_the_limit_is_refused_naming_it():
    data = workbook_bytes([row(), row(number="2/QĐ", place_address="x" * 6000)])
    with pytest.raises(ImportFileError) as refused:
        read_workbook(data, file_name="x.xlsx")
    assert str(refused.value) == "Ô I3 dài 6.000 ký tự, quá giới hạn 5.000 ký tự: hãy rút gọn nội dung ô."
