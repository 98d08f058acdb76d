"""Complementary suppression: a cell shown as "< 5" cannot be worked out from the total and the other cells."""

import datetime as dt
import io
import itertools
import random

import pytest
from openpyxl import load_workbook

from lanhmanh.indicators.evaluation import evaluate, protect
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import ActivityKind, Plan, TargetKind
from lanhmanh.plans.services import activity_create, target_create
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN


def feasible_values(total, cells):
    """What a reader who knows the rule can say each hidden cell holds: "< 5" is 1–4, "x" is 5 or more."""
    visible = sum(c.value for c in cells if not c.suppressed)
    hidden = [c for c in cells if c.suppressed]
    remaining = total - visible
    ranges = [range(1, 5) if not c.complementary else range(5, remaining + 1) for c in hidden]
    options = [set() for _ in hidden]
    for values in itertools.product(*ranges):
        if sum(values) == remaining:
            for i, v in enumerate(values):
                options[i].add(v)
    return hidden, options


def rows(*values):
    return [((f"k{i}",), v) for i, v in enumerate(values)]


def test_a_single_small_cell_next_to_a_shown_total_hides_the_smallest_other_cell():
    total, cells = protect(12, rows(3, 9), hide=True)
    assert total.value == 12
    assert [(c.display, c.value) for c in cells] == [("< 5", None), ("x", None)]
    total, cells = protect(30, rows(3, 9, 18), hide=True)
    assert [c.display for c in cells] == ["< 5", "x", "18"]


def test_two_small_cells_whose_sum_gives_them_away_are_protected_too():
    # 1 + 1 hidden next to 10 and a total of 12: both would be known to be 1.
    _, cells = protect(12, rows(1, 1, 10), hide=True)
    assert [c.display for c in cells] == ["< 5", "< 5", "x"]
    # 2 + 3: the reader only learns they add up to 5, so nothing more is hidden.
    _, cells = protect(15, rows(2, 3, 10), hide=True)
    assert [c.display for c in cells] == ["< 5", "< 5", "10"]


def test_when_nothing_is_left_to_hide_the_total_is_hidden():
    total, cells = protect(8, rows(4, 4), hide=True)
    assert total.suppressed and total.value is None
    assert [c.display for c in cells] == ["< 5", "< 5"]


def test_trusted_readers_see_every_number():
    total, cells = protect(12, rows(3, 9), hide=False)
    assert total.value == 12 and [c.value for c in cells] == [3, 9]


def test_no_small_cell_can_be_recovered_by_subtraction_in_random_tables():
    rng = random.Random(7)
    checked = 0
    for _ in range(400):
        values = [rng.choice([1, 2, 3, 4, 5, 6, 8, 12, 20]) for _ in range(rng.randint(1, 5))]
        total_value = sum(values)
        total, cells = protect(total_value, rows(*values), hide=True)
        if total.suppressed:
            continue
        hidden, options = feasible_values(total_value, cells)
        for cell, possible in zip(hidden, options, strict=True):
            if not cell.complementary:
                assert len(possible) >= 2, (values, [c.display for c in cells])
                checked += 1
    assert checked > 100


def test_two_groupings_protect_every_row_and_column_margin():
    raw = [
        (("A", "1"), 3),
        (("A", "2"), 9),
        (("B", "1"), 7),
        (("B", "2"), 8),
    ]
    _, cells = protect(27, raw, hide=True)
    states = {c.key: c.display for c in cells}
    assert states[("A", "1")] == "< 5"
    # Row A (3 + 9) and column 1 (3 + 7) both need a second hidden cell; then row B would have a lone
    # hidden 7 (15 − 8), which would give the 3 away through column 1: the 8 is hidden too.
    assert states[("A", "2")] == "x" and states[("B", "1")] == "x"
    assert states[("B", "2")] == "x"


# --- the pages, the Excel export and the API show the protected cells -----------------------------


@pytest.fixture
def club_plan(db):
    """A plan whose only target counts club attendance (sensitive): 3 in Tràng Tiền, 9 in Hàng Bạc."""
    city = AdministrativeUnit.objects.get(path="01", valid_from__isnull=True)
    authority = Agency.objects.get(code="01-city-committee")
    plan = Plan.objects.create(title="Kế hoạch thử 2014", authority=authority, year=2014, scope_unit=city)
    target_create(
        plan=plan,
        code="T01",
        title="Duy trì sinh hoạt câu lạc bộ",
        kind=TargetKind.AT_LEAST,
        indicator=Indicator.objects.get(code="plans.club_participants"),
        value=10,
        unit=city,
        lead_agencies=[authority],
    )
    for path, female in ((TRANG_TIEN, 3), (HANG_BAC, 9)):
        place = AdministrativeUnit.objects.get(path=path)
        activity_create(
            actor=None,
            kind=ActivityKind.CLUB_MEETING,
            title="Sinh hoạt CLB",
            held_on=dt.date(2014, 4, 1),
            unit=place,
            organiser=Agency.objects.filter(unit=place).first(),
            participants_female=female,
        )
    return plan


@pytest.mark.django_db
def test_the_dashboard_and_its_export_hide_the_complementary_cell(
    club_plan, police, social_worker, client_for
):
    page = client_for(police).get(f"/ke-hoach/{club_plan.pk}/").content.decode()  # at Hoàn Kiếm
    trang_tien = f'<tr data-unit="{TRANG_TIEN}"><td><a href="?unit={TRANG_TIEN}">Phường Tràng Tiền</a></td>'
    hang_bac = f'<tr data-unit="{HANG_BAC}"><td><a href="?unit={HANG_BAC}">Phường Hàng Bạc</a></td>'
    assert trang_tien + '<td class="num">&lt; 5</td>' in page
    assert hang_bac + '<td class="num">x</td>' in page
    assert '<td class="num">12</td>' in page  # the total of the target, shown
    response = client_for(police).get(f"/ke-hoach/{club_plan.pk}/xuat-excel/?unit={HOAN_KIEM}")
    book = load_workbook(io.BytesIO(response.content))
    by_unit = {r[0]: r[1] for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert by_unit["Phường Tràng Tiền"] == "< 5"
    assert by_unit["Phường Hàng Bạc"] == "x"
    # The agencies that run the clubs see the numbers.
    owner = client_for(social_worker).get(f"/ke-hoach/{club_plan.pk}/").content.decode()
    assert '<tr data-target="T01"' in owner
    assert '<td class="num">3</td>' in owner


@pytest.mark.django_db
@pytest.mark.urls("tests.plans.api_test_urls")
def test_the_api_hides_the_same_cells(club_plan, police, client_for):
    data = (
        client_for(police)
        .get(f"/api/v1/indicators/plans.club_participants/values?unit={HOAN_KIEM}&period=2014&by=commune")
        .json()
    )
    assert data["total"] == {"value": 12.0, "display": "12", "suppressed": False}
    assert data["values"] == [
        {"commune": HANG_BAC, "value": None, "display": "x", "suppressed": True},
        {"commune": TRANG_TIEN, "value": None, "display": "< 5", "suppressed": True},
    ]


@pytest.mark.django_db
def test_the_rollup_and_the_records_protect_alike(club_plan, police):
    live = evaluate("plans.club_participants", HOAN_KIEM, "2014", by="commune", user=police)
    direct = evaluate(
        "plans.club_participants", HOAN_KIEM, "2014", by="commune", user=police, use_rollup=False
    )
    assert live.rows == direct.rows and live.total == direct.total
