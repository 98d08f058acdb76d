"""The live rollup: maintained in the writing transaction, rebuilt by a command, equal to the direct query."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.indicators.models import Rollup
from lanhmanh.indicators.registry import rollup_sources
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import Activity, ActivityKind
from lanhmanh.plans.services import activity_create
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db

DONG_ANH = "01.017"
CODES = [
    "plans.activities_held",
    "plans.trainings_held",
    "plans.participants_male",
    "plans.club_participants",
    "plans.participants",
]
GROUPINGS = [
    None,
    "district",
    "month",
    "quarter",
    "kind",
    "agency_kind",
    ("district", "month"),
    ("child", "kind"),
]


def record(path, day, kind=ActivityKind.TRAINING, male=0, female=0, organiser=None):
    place = AdministrativeUnit.objects.get(path=path)
    return activity_create(
        actor=None,
        kind=kind,
        title="Hoạt động",
        held_on=day,
        unit=place,
        organiser=organiser or Agency.objects.filter(unit=place).order_by("code").first(),
        participants_male=male,
        participants_female=female,
    )


def snapshot(code, unit, period, by):
    def plain(e):
        return e.total.value, e.total.suppressed, {c.key: (c.value, c.suppressed) for c in e.rows}

    try:
        live = evaluate(code, unit, period, by=by)
    except Exception as exc:  # the same grouping error both ways
        live = type(exc)
    direct = evaluate(code, unit, period, by=by, use_rollup=False) if not isinstance(live, type) else live
    return (plain(live) if not isinstance(live, type) else live), (
        plain(direct) if not isinstance(direct, type) else direct
    )


def assert_agree(
    units=("01", HOAN_KIEM, TRANG_TIEN, DONG_ANH), periods=("2014", "2014Q2", "201405", "2014S1")
):
    checked = 0
    for code in CODES:
        for unit in units:
            for period in periods:
                for by in GROUPINGS:
                    if (
                        by is not None
                        and code in ("plans.trainings_held", "plans.club_participants")
                        and ("kind" in by or by == "kind")
                    ):
                        continue
                    if code == "plans.club_participants" and by and "agency_kind" in by:
                        continue
                    if unit == TRANG_TIEN and by and ("child" in by):
                        continue
                    live, direct = snapshot(code, unit, period, by)
                    assert live == direct, (code, unit, period, by)
                    checked += 1
    return checked


def random_activities(seed, count):
    rng = random.Random(seed)
    places = [TRANG_TIEN, HANG_BAC, HOAN_KIEM, DONG_ANH, "01.017.00460"]
    created = []
    for _ in range(count):
        created.append(
            record(
                rng.choice(places),
                dt.date(2014, rng.randint(1, 12), rng.randint(1, 28)),
                kind=rng.choice(list(ActivityKind.values)),
                male=rng.randint(0, 7),
                female=rng.randint(0, 7),
            )
        )
    return created


def test_every_write_through_the_services_keeps_the_rollup_equal_to_the_records():
    activities = random_activities(1, 40)
    assert Rollup.objects.filter(source="plans.activities_held", dims="").count() > 0
    assert assert_agree() > 500
    # Edit: move one record to another district, month and kind; delete another.
    moved = activities[0]
    moved.unit = AdministrativeUnit.objects.get(path=DONG_ANH)
    moved.held_on = dt.date(2014, 11, 30)
    moved.kind = ActivityKind.CLUB_MEETING
    moved.participants_female = 2
    moved.save()
    Activity.objects.get(pk=activities[1].pk).delete()
    assert_agree()


def test_a_record_saved_now_shows_in_the_next_evaluation():
    before = evaluate("plans.activities_held", "01", "2014", by="district")
    assert before.total.value == 0 and before.rows == []
    record(TRANG_TIEN, dt.date(2014, 3, 3))
    after = evaluate("plans.activities_held", "01", "2014", by="district")
    assert after.total.value == 1
    assert [(c.key, c.value) for c in after.rows] == [((HOAN_KIEM,), 1)]


def test_a_rolled_back_write_leaves_no_rollup_rows():
    with pytest.raises(RuntimeError), transaction.atomic():
        record(TRANG_TIEN, dt.date(2014, 3, 3))
        assert Rollup.objects.filter(source="plans.activities_held").exists()
        raise RuntimeError("rollback")
    assert not Rollup.objects.exists()


def test_whole_month_periods_read_the_rollup_and_weeks_read_the_records():
    record(TRANG_TIEN, dt.date(2014, 3, 3))
    table = Rollup._meta.db_table
    with CaptureQueriesContext(connection) as year:
        evaluate("plans.activities_held", "01", "2014", by=("district", "month"))
    sums = [q["sql"] for q in year.captured_queries if "indicators_indicator" not in q["sql"]]
    assert len(sums) == 2
    assert all(table in sql and "plans_activity" not in sql for sql in sums)
    with CaptureQueriesContext(connection) as week:
        result = evaluate("plans.activities_held", "01", "2014W10", by="district")
    assert result.total.value == 1
    assert all(table not in q["sql"] for q in week.captured_queries)


def test_bulk_inserts_are_caught_up_by_the_rebuild_command_and_it_matches_maintained_rows(capsys):
    random_activities(2, 30)
    maintained = set(
        Rollup.objects.values_list("source", "dims", "unit_path", "month", "key", "rows", "value")
    )
    call_command("indicators_rollup_rebuild")
    rebuilt = set(Rollup.objects.values_list("source", "dims", "unit_path", "month", "key", "rows", "value"))
    assert rebuilt == maintained
    place = AdministrativeUnit.objects.get(path=HANG_BAC)
    organiser = Agency.objects.filter(unit=place).first()
    Activity.objects.bulk_create(
        Activity(
            kind=ActivityKind.WORKSHOP,
            title="Nhập hàng loạt",
            held_on=dt.date(2014, 6, day),
            unit=place,
            unit_path=place.path,
            organiser=organiser,
            participants_male=1,
        )
        for day in range(1, 11)
    )
    call_command("indicators_rollup_rebuild", "plans.activities_held")
    assert "Đã ghi" in capsys.readouterr().out
    in_june = Activity.objects.filter(unit_path=HANG_BAC, held_on__year=2014, held_on__month=6).count()
    assert in_june >= 10
    assert evaluate("plans.activities_held", HANG_BAC, "201406").total.value == in_june
    live, direct = snapshot("plans.activities_held", "01", "2014", ("district", "month"))
    assert live == direct


def test_the_rebuild_command_refuses_unknown_codes():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Chỉ số không có tổng hợp sẵn: plans.nothing"):
        call_command("indicators_rollup_rebuild", "plans.nothing")


def test_the_activity_sources_use_the_rollup():
    assert {s.code for s in rollup_sources()} >= {
        "plans.activities_held",
        "plans.trainings_held",
        "plans.participants_male",
        "plans.participants_female",
        "plans.club_participants",
    }
