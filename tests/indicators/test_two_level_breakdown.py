"""Breakdowns "by child" on the two-level tree (city → communes since 1/7/2025, no districts): the rows are
the city's communes, whatever the grouping is called, with or without rollup rows and suppression, while
2014 periods keep grouping the same city by its districts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from lanhmanh.indicators.evaluation import EvaluationError, evaluate, evaluate_own
from lanhmanh.org.levels import path_depth, path_level
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from lanhmanh.plans.models import ActivityKind
from lanhmanh.plans.services import activity_create

pytestmark = pytest.mark.django_db

HOAN_KIEM_WARD = "01.00070"
BA_DINH_WARD = "01.00004"


@pytest.fixture
def two_level(db):
    call_command("import_units_2025", "--province", "01", "--co-quan", stdout=StringIO())


def held(path: str, day: dt.date, kind=ActivityKind.TRAINING):
    ward = AdministrativeUnit.objects.get(path=path)
    return activity_create(
        actor=None,
        kind=kind,
        title="Tập huấn",
        held_on=day,
        unit=ward,
        organiser=Agency.objects.get(unit=ward, kind=AgencyKind.COMMUNE_SOCIAL),
        participants_female=3,
    )


def test_the_city_of_2026_breaks_down_into_its_126_communes_not_districts(two_level):
    result = evaluate("org.communes", "01", "2026", by="child")
    assert result.total.value == 126 == len(result.rows)
    keys = [cell.key[0] for cell in result.rows]
    assert all(path_depth(k) == 2 and path_level(k) == UnitLevel.COMMUNE for k in keys)
    assert {cell.value for cell in result.rows} == {1}
    # "district" (one step below the province) and "commune" name the same rows on this tree.
    assert evaluate("org.communes", "01", "2026", by="district").rows == result.rows
    assert evaluate("org.communes", "01", "2026", by="commune").rows == result.rows
    # The same city in 2014: 30 districts of 584 communes.
    old = evaluate("org.communes", "01", "2014", by="child")
    assert (old.total.value, len(old.rows)) == (584, 30)


def test_a_2026_commune_has_nothing_below_it_to_break_down(two_level):
    with pytest.raises(EvaluationError, match="không có đơn vị cấp dưới"):
        evaluate("org.communes", HOAN_KIEM_WARD, "2026", by="child")
    assert evaluate("org.communes", HOAN_KIEM_WARD, "2026").total.value == 1


def test_records_of_2026_group_by_commune_under_the_city_with_or_without_rollup(two_level, coordinator):
    held(HOAN_KIEM_WARD, dt.date(2026, 2, 10))
    held(HOAN_KIEM_WARD, dt.date(2026, 3, 5), ActivityKind.CAMPAIGN)
    held(BA_DINH_WARD, dt.date(2026, 3, 20))
    for use_rollup in (True, False):
        by_child = evaluate("plans.activities_held", "01", "2026", by="child", use_rollup=use_rollup)
        assert {c.key: c.value for c in by_child.rows} == {(HOAN_KIEM_WARD,): 2, (BA_DINH_WARD,): 1}
        assert by_child.total.value == 3
        crossed = evaluate(
            "plans.activities_held", "01", "2026Q1", by=["child", "month"], use_rollup=use_rollup
        )
        assert {c.key: c.value for c in crossed.rows} == {
            (HOAN_KIEM_WARD, "202602"): 1,
            (HOAN_KIEM_WARD, "202603"): 1,
            (BA_DINH_WARD, "202603"): 1,
        }
    # The city keeps nothing of its own here; the protected tree gives a reader the same rows.
    assert evaluate_own("plans.activities_held", "01", "2026").value == 0
    protected = evaluate("plans.activities_held", "01", "2026", by="child", user=coordinator)
    assert [c.key[0] for c in protected.rows] == [BA_DINH_WARD, HOAN_KIEM_WARD]
