"""The shared guard against spreadsheet formula injection (core.spreadsheet)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from lanhmanh.core.spreadsheet import csv_cell, csv_row, workbook_bytes
from tests.spreadsheet_checks import FORMULAS, assert_plain_text


@pytest.mark.parametrize("text", [*FORMULAS, "-2+3", "\t=1+1", "\r=1+1"])
def test_formula_like_text_is_written_as_text(text):
    book = Workbook()
    book.active.append([text, "Nguyễn Thị Hoà"])
    assert_plain_text(workbook_bytes(book), text, count=1)


def test_numbers_dates_and_ordinary_text_are_left_alone():
    book = Workbook()
    book.active.append([-5, 2.5, dt.date(2014, 10, 1), "Nguyễn Thị Hoà", "1.000.000", True])
    row = next(load_workbook(io.BytesIO(workbook_bytes(book))).active.iter_rows())
    assert [c.data_type for c in row] == ["n", "n", "d", "s", "s", "b"]
    assert [c.quotePrefix for c in row] == [False] * 6
    assert row[0].value == -5 and row[2].value == dt.datetime(2014, 10, 1)


def test_csv_cells_that_would_run_get_an_apostrophe_and_numbers_do_not():
    assert [csv_cell(t) for t in FORMULAS] == ["'" + t for t in FORMULAS]
    assert csv_cell("\t=1+1") == "'\t=1+1"
    assert csv_row(["-5", "+84912345678", "-1.000.000", 7, None, "Hoà", "-2+3"]) == [
        "-5",
        "+84912345678",
        "-1.000.000",
        7,
        None,
        "Hoà",
        "'-2+3",
    ]
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(['=HYPERLINK("http://x","y")']))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['\'=HYPERLINK("http://x","y")']
