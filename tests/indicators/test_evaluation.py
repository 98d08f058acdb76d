import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lanhmanh.indicators.evaluation import EvaluationError, evaluate
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.services import indicator_create
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import ActivityKind
from lanhmanh.plans.services import activity_create
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db

DONG_ANH = "01.017"


def unit(path):
    return AdministrativeUnit.objects.get(path=path)


def record(path, day, kind=ActivityKind.TRAINING, male=0, female=0, organiser=None):
    place = unit(path)
    return activity_create(
        actor=None,
        kind=kind,
        title="Tập huấn",
        held_on=day,
        unit=place,
        organiser=organiser or Agency.objects.filter(unit=place).first(),
        participants_male=male,
        participants_female=female,
    )


def test_computed_indicators_are_synced_into_the_registry_after_migrate():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {"org.communes", "org.agencies", "plans.activities_held", "plans.budget_execution"} <= codes
    assert Indicator.objects.get(code="plans.participants").kind == IndicatorKind.FORMULA


def test_communes_of_hanoi_count_584_and_by_district_sum_up():
    result = evaluate("org.communes", "01", "2014", by="district")
    assert result.total.value == 584
    assert len(result.rows) == 30
    assert sum(c.value for c in result.rows) == 584
    assert result.value("01.002").value == 18  # Hoàn Kiếm


def test_agencies_by_kind_within_a_commune():
    result = evaluate("org.agencies", TRANG_TIEN, "2014", by="agency_kind")
    assert {c.key[0]: c.value for c in result.rows} == {
        "committee": 1,
        "commune-social": 1,
        "police": 1,
        "team-178": 1,  # commune Team 178s are seeded too (premises)
        "womens-union": 1,
    }


def test_activities_are_filtered_by_subtree_and_period_and_grouped_by_month():
    record(TRANG_TIEN, dt.date(2014, 1, 10))
    record(TRANG_TIEN, dt.date(2014, 1, 20))
    record(HANG_BAC, dt.date(2014, 3, 5))
    record(DONG_ANH, dt.date(2014, 3, 6))
    record(TRANG_TIEN, dt.date(2013, 12, 31))
    result = evaluate("plans.activities_held", HOAN_KIEM, "2014", by="month")
    assert result.total.value == 3
    assert [(c.key, c.value) for c in result.rows] == [(("201401",), 2), (("201403",), 1)]
    assert evaluate("plans.activities_held", "01", "2014Q1").total.value == 4
    assert evaluate("plans.activities_held", "01", "201401").total.value == 2
    assert evaluate("plans.activities_held", "01", "20131201-20140110").total.value == 2


def test_grouping_by_child_of_a_district_gives_its_communes_and_a_live_value():
    record(TRANG_TIEN, dt.date(2014, 1, 10))
    first = evaluate("plans.activities_held", HOAN_KIEM, "2014", by="child")
    assert [(c.key, c.value) for c in first.rows] == [((TRANG_TIEN,), 1)]
    record(HANG_BAC, dt.date(2014, 1, 11))
    second = evaluate("plans.activities_held", HOAN_KIEM, "2014", by=["child", "kind"])
    assert [(c.key, c.value) for c in second.rows] == [
        ((HANG_BAC, "training"), 1),
        ((TRANG_TIEN, "training"), 1),
    ]


def test_evaluation_is_two_queries_whatever_the_number_of_rows():
    for day in range(1, 8):
        record(TRANG_TIEN, dt.date(2014, 2, day))
    with CaptureQueriesContext(connection) as queries:
        evaluate("plans.activities_held", "01", "2014", by=["district", "month"])
    assert len(queries) == 3  # the indicator row, the total, the GROUP BY


def test_formula_adds_participants_by_sex_and_budget_execution_is_a_share():
    record(TRANG_TIEN, dt.date(2014, 1, 10), male=3, female=7)
    record(HANG_BAC, dt.date(2014, 1, 11), male=1, female=2)
    result = evaluate("plans.participants", HOAN_KIEM, "2014", by="child")
    assert result.total.value == 13
    assert {c.key[0]: c.value for c in result.rows} == {TRANG_TIEN: 10, HANG_BAC: 3}


def test_a_formula_with_a_zero_denominator_has_no_value():
    result = evaluate("plans.budget_execution", "01", "2014")
    assert result.has_source
    assert result.total.value is None
    assert result.total.display == "—"


def test_small_club_counts_are_suppressed_outside_the_owning_agencies(police, social_worker):
    record(TRANG_TIEN, dt.date(2014, 4, 1), kind=ActivityKind.CLUB_MEETING, female=3)
    record(TRANG_TIEN, dt.date(2014, 5, 1), kind=ActivityKind.CLUB_MEETING, female=9)
    hidden = evaluate("plans.club_participants", HOAN_KIEM, "2014", by="month", user=police)
    assert hidden.total.value == 12
    # 12 − 9 would give the hidden 3 away: the 9 is hidden too ("x"), complementary suppression.
    assert [(c.key[0], c.display, c.value) for c in hidden.rows] == [
        ("201404", "< 5", None),
        ("201405", "x", None),
    ]
    shown = evaluate("plans.club_participants", HOAN_KIEM, "2014", by="month", user=social_worker)
    assert [(c.key[0], c.display) for c in shown.rows] == [("201404", "3"), ("201405", "9")]
    assert hidden.as_dicts()[0] == {"month": "201404", "value": None, "display": "< 5", "suppressed": True}


def test_activity_counts_are_not_sensitive_and_never_suppressed(police):
    record(TRANG_TIEN, dt.date(2014, 1, 10))
    assert evaluate("plans.activities_held", HOAN_KIEM, "2014", user=police).total.display == "1"


def test_an_indicator_without_a_source_says_so():
    indicator = indicator_create(
        code="reports.hotline_calls", name="Số cuộc gọi", unit="events", kind="reported"
    )
    result = evaluate(indicator, "01", "2014")
    assert not result.has_source
    assert result.total.value is None


def test_bad_input_gives_vietnamese_errors():
    with pytest.raises(ValueError, match="Mã kỳ “2014Q7” không hợp lệ"):
        evaluate("org.communes", "01", "2014Q7")
    with pytest.raises(EvaluationError, match="không phân tổ được theo “sex”"):
        evaluate("plans.activities_held", "01", "2014", by="sex")
    with pytest.raises(EvaluationError, match="Không có chỉ số mã “nope.nope”"):
        evaluate("nope.nope", "01", "2014")
    with pytest.raises(EvaluationError, match="không phân tổ được theo “month”"):
        evaluate("org.communes", "01", "2014", by="month")


def test_formula_indicators_are_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        indicator_create(
            code="x.bad", name="X", unit="percent", kind="formula", formula="share({plans.budget_spent})"
        )
    assert caught.value.message_dict["formula"] == [
        "Công thức “share({plans.budget_spent})”: share cần đúng 2 tham số."
    ]
    with pytest.raises(ValidationError) as caught:
        indicator_create(code="x.bad", name="X", unit="percent", kind="formula", formula="{x.missing} + 1")
    assert caught.value.message_dict["formula"] == ["Công thức tham chiếu chỉ số chưa có: x.missing."]
    with pytest.raises(ValidationError) as caught:
        indicator_create(code="x.bad", name="X", unit="percent", kind="formula", formula="__import__('os')")
    assert caught.value.message_dict["formula"] == [
        "Công thức “__import__('os')”: chỉ dùng được các hàm sum, ratio, share."
    ]
    ok = indicator_create(
        code="x.female_share",
        name="Tỷ lệ nữ",
        unit="percent",
        kind="formula",
        formula="share({plans.participants_female}, {plans.participants})",
    )
    record(TRANG_TIEN, dt.date(2014, 1, 10), male=1, female=3)
    assert evaluate(ok, "01", "2014").total.value == Decimal(75)


def test_within_a_page_the_same_question_is_asked_of_the_database_once():
    from lanhmanh.indicators.evaluation import shared_trees
    from lanhmanh.org.models import User

    record(TRANG_TIEN, dt.date(2014, 3, 5), female=4)
    clerk = User.objects.create(username="memo-clerk", agency=Agency.objects.first())
    held = Indicator.objects.get(code="plans.activities_held")
    with shared_trees():
        with CaptureQueriesContext(connection) as first:
            asked = evaluate(held, "01", "2014", by="district")
        with CaptureQueriesContext(connection) as again:
            repeated = evaluate(held, "01", "2014", by="district")
        with CaptureQueriesContext(connection) as other:
            by_month = evaluate(held, "01", "2014", by="month")
            for_clerk = evaluate(held, "01", "2014", by="district", user=clerk)
    with CaptureQueriesContext(connection) as outside:
        later = evaluate(held, "01", "2014", by="district")

    assert len(first) > 0 and len(again) == 0 and repeated is asked
    assert len(other) > 0 and by_month.by == ("month",) and for_clerk is not asked
    assert len(outside) > 0 and later == asked and later.value(HOAN_KIEM).value == 1
