"""The dashboard's Excel export stores numbers as numbers, so SUM over a column adds them up."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lanhmanh.plans.plan_2014 import load_plan_2014

pytestmark = pytest.mark.django_db

MARKS = {"<5", "x", "—"}


def test_counts_by_unit_are_numbers_or_the_mark_of_a_hidden_cell(coordinator, client_for):
    plan = load_plan_2014()
    content = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/xuat-excel/").content
    book = load_workbook(io.BytesIO(content))
    sheet = book["Theo đơn vị"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows, "the city has districts"
    cells = [value for row in rows for value in row[1:]]
    assert cells and all(isinstance(v, int | float) or v in MARKS for v in cells), cells[:10]
    assert any(isinstance(v, int) for v in cells)
    targets = book["Chỉ tiêu"]
    goals = {row[0]: row[2] for row in targets.iter_rows(min_row=4, values_only=True) if row[0]}
    assert isinstance(goals["T04"], int) and goals["T04"] == 1500
