"""The sanctions' rollup: every people source reads whole months from rollup rows kept by every write
path (services, merges, a person's sex corrected, a violation moved, the repeat flags, bulk writes, the
Excel import), and they agree with the direct GROUP BY over the records, small-count protection included."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.indicators.models import Rollup
from lanhmanh.indicators.registry import rollup_sources, source_for
from lanhmanh.indicators.rollup import MEMBERS, rollup_rebuild
from lanhmanh.linkage.services import merge_persons, merge_undo
from lanhmanh.org.levels import is_lowest
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people import services
from lanhmanh.people.bulk import sanction_draw, violations_create
from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation
from tests.conftest import DONG_ANH, HANG_BAC, HOAN_KIEM, TRANG_TIEN
from tests.indicators.test_successor_counting import (  # noqa: F401 - fixtures
    CUA_NAM_WARD,
    HOAN_KIEM_WARD,
    map_2025,
    violations,
)
from tests.people.conftest import at
from tests.people.test_import import preview, row

pytestmark = pytest.mark.django_db

CODES = sorted(s.code for s in rollup_sources() if s.code.startswith("people."))
PLACES = [TRANG_TIEN, HANG_BAC, "01.002.00076"]
PERIODS = ("2014", "2014Q2", "201405", "2014S2")


def test_every_sanction_source_keeps_a_rollup_and_says_what_it_follows():
    assert CODES == [
        "people.buyers_sanctioned",
        "people.fined",
        "people.fines_collected",
        "people.fines_imposed",
        "people.persons_sanctioned",
        "people.repeat_violations",
        "people.sanctions",
        "people.seller_fines_collected",
        "people.seller_fines_imposed",
        "people.seller_warnings",
        "people.sellers_fined",
        "people.sellers_sanctioned",
        "people.warnings",
    ]
    assert source_for("people.repeat_violations").rollup_follows == {
        "violation": ("place_unit", "role", "person", "repeat_of"),
        "violation__person": ("sex",),
    }
    assert source_for("people.fines_collected").rollup_follows == {"violation": ("place_unit", "role")}


def groupings(code: str, unit: str) -> list:
    source = source_for(code)
    found = [None, "month", "quarter", *sorted(source.disaggregations)]
    if not is_lowest(unit):
        found += ["child", ("child", "month")]
        found += [("child", name) for name in sorted(source.disaggregations)]
    return found


def plain(evaluation):
    return (
        evaluation.total.value,
        evaluation.total.suppressed,
        sorted((c.key, c.value, c.suppressed) for c in evaluation.rows),
    )


def assert_agree(user=None, units=("01", HOAN_KIEM, TRANG_TIEN, DONG_ANH), periods=PERIODS) -> int:
    checked = 0
    for code in CODES:
        for unit in units:
            for period in periods:
                for by in groupings(code, unit):
                    live = evaluate(code, unit, period, by=by, user=user)
                    direct = evaluate(code, unit, period, by=by, user=user, use_rollup=False)
                    assert plain(live) == plain(direct), (code, unit, period, by)
                    checked += 1
    return checked


def people_rows() -> set:
    return set(
        Rollup.objects.filter(source__in=CODES).values_list(
            "source", "dims", "unit_path", "month", "key", "rows", "value"
        )
    )


def assert_rebuild_changes_nothing() -> None:
    maintained = people_rows()
    rollup_rebuild(codes=CODES)
    assert people_rows() == maintained


@pytest.fixture
def acts(db):
    return {
        "seller": LegalAct.objects.get(code="167-2013-23-1"),
        "buyer": LegalAct.objects.get(code="167-2013-22-1"),
    }


@pytest.fixture
def persons(db):
    made = []
    names = [
        "Nguyễn Thị An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
        "Hoàng Văn Em",
        "Vũ Thị Giang",
    ]
    for i, name in enumerate(names):
        person = Person(full_name=name, sex="male" if "Văn" in name else "female", birth_year=1985 + i)
        person.save()
        made.append(person)
    return made


def record(police, person, acts, rng, number: int, place=None, day=None, **sanction):
    """A violation with its decision through the services; the decision drawn at random unless given."""
    role = "seller" if person.sex == "female" else "buyer"
    day = day or dt.date(2014, rng.randint(1, 12), rng.randint(1, 28))
    draw = sanction or sanction_draw(rng, acts[role], day)
    return services.violation_record(
        actor=police,
        person=person,
        occurred_at=at(day.isoformat()),
        place_unit=AdministrativeUnit.objects.get(path=place or rng.choice(PLACES)),
        act=acts[role],
        role=role,
        sanction={"number": f"{number}/QĐ", **draw},
    )


@pytest.fixture
def recorded(police, persons, acts):
    rng = random.Random(20)
    return [record(police, rng.choice(persons), acts, rng, n) for n in range(40)]


def test_the_services_keep_the_rollup_equal_to_the_records_for_every_source_and_grouping(
    recorded, coordinator
):
    assert Rollup.objects.filter(source="people.sanctions", dims="").exists()
    members = Rollup.objects.filter(source="people.persons_sanctioned")
    assert set(members.values_list("dims", flat=True)) == {MEMBERS}
    assert assert_agree() > 1000
    assert assert_agree(user=coordinator, units=("01", HOAN_KIEM), periods=("2014", "2014Q2")) > 100
    assert_rebuild_changes_nothing()


def test_whole_months_read_the_rollup_rows_and_not_the_sanctions(recorded):
    with CaptureQueriesContext(connection) as year:
        evaluate("people.sanctions", "01", "2014", by=("district", "kind"))
        evaluate("people.persons_sanctioned", HOAN_KIEM, "2014", by=("child", "month"))
    sums = [q["sql"] for q in year.captured_queries if "indicators_indicator" not in q["sql"]]
    assert len(sums) == 4
    assert all("indicators_rollup" in sql and "people_sanctiondecision" not in sql for sql in sums)
    # A distinct count grouped by one of its disaggregations, or a grouping the rollup does not keep
    # (people.sanctions keeps kind only), reads the records.
    for code in ("people.persons_sanctioned", "people.sanctions"):
        with CaptureQueriesContext(connection) as by_sex:
            evaluate(code, HOAN_KIEM, "2014", by="sex")
        assert any("people_sanctiondecision" in q["sql"] for q in by_sex.captured_queries), code
    assert set(Rollup.objects.filter(source="people.sanctions").values_list("dims", flat=True)) == {
        "",
        "@2",
        "kind",
        "kind@2",
    }


def test_a_person_counted_twice_in_a_month_is_one_person_and_leaves_when_the_last_decision_moves(
    police, persons, acts
):
    rng = random.Random(3)
    seller = persons[0]
    first = record(police, seller, acts, rng, 1, place=TRANG_TIEN, day=dt.date(2014, 5, 3))
    record(police, seller, acts, rng, 2, place=TRANG_TIEN, day=dt.date(2014, 5, 20))
    assert evaluate("people.persons_sanctioned", TRANG_TIEN, "201405").total.value == 1
    assert evaluate("people.sanctions", TRANG_TIEN, "201405").total.value == 2
    member = Rollup.objects.get(source="people.persons_sanctioned", unit_path=TRANG_TIEN)
    assert (member.key, member.rows) == (str(seller.pk), 2)

    first.place_unit = AdministrativeUnit.objects.get(path=HANG_BAC)  # moved by a save: followed
    first.save()
    assert (
        evaluate("people.persons_sanctioned", HOAN_KIEM, "201405", by="child").rows
        == evaluate("people.persons_sanctioned", HOAN_KIEM, "201405", by="child", use_rollup=False).rows
    )
    by_commune = evaluate("people.persons_sanctioned", HOAN_KIEM, "201405", by="child")
    assert [(c.key, c.value) for c in by_commune.rows] == [((HANG_BAC,), 1), ((TRANG_TIEN,), 1)]
    assert evaluate("people.persons_sanctioned", HOAN_KIEM, "201405").total.value == 1
    assert Rollup.objects.get(source="people.persons_sanctioned", unit_path=TRANG_TIEN).rows == 1
    assert_agree(units=("01", HOAN_KIEM, TRANG_TIEN), periods=("2014", "201405"))
    assert_rebuild_changes_nothing()


def test_a_sex_corrected_on_the_person_moves_the_rows_of_every_decision(recorded, police, persons):
    woman = next(p for p in persons if p.sex == "female" and p.violations.exists())
    before = evaluate("people.sanctions", "01", "2014", by="sex")
    services.person_update(actor=police, person=woman, sex="male")
    after = evaluate("people.sanctions", "01", "2014", by="sex")
    moved = SanctionDecision.objects.filter(violation__person=woman).count()
    assert after.value("male").value == (before.value("male").value if before.value("male") else 0) + moved
    assert_agree(units=("01", HOAN_KIEM), periods=("2014", "2014Q2"))
    # A save that changes nothing followed (a name) reads one row and moves nothing.
    with CaptureQueriesContext(connection) as queries:
        services.person_update(actor=police, person=woman, notes="Ghi chú")
    assert not [q for q in queries.captured_queries if "indicators_rollup" in q["sql"]]
    assert_rebuild_changes_nothing()


def test_merging_and_unmerging_persons_moves_their_rows_and_repeat_flags(police, persons, acts):
    rng = random.Random(5)
    a, b = persons[0], persons[3]  # two women: one person recorded twice
    record(police, a, acts, rng, 1, place=TRANG_TIEN, day=dt.date(2014, 3, 2))
    record(police, b, acts, rng, 2, place=TRANG_TIEN, day=dt.date(2014, 3, 20))
    record(police, b, acts, rng, 3, place=HANG_BAC, day=dt.date(2014, 6, 1))
    assert evaluate("people.persons_sanctioned", HOAN_KIEM, "2014").total.value == 2
    repeats = evaluate("people.repeat_violations", HOAN_KIEM, "2014").total.value

    merge = merge_persons(actor=police, survivor=a, merged=b)
    assert evaluate("people.persons_sanctioned", HOAN_KIEM, "2014").total.value == 1
    assert evaluate("people.persons_sanctioned", TRANG_TIEN, "201403").total.value == 1
    assert evaluate("people.repeat_violations", HOAN_KIEM, "2014").total.value > repeats
    assert_agree(units=("01", HOAN_KIEM, TRANG_TIEN), periods=("2014", "201403"))
    assert_rebuild_changes_nothing()

    merge_undo(actor=police, merge=merge)
    assert evaluate("people.persons_sanctioned", HOAN_KIEM, "2014").total.value == 2
    assert evaluate("people.repeat_violations", HOAN_KIEM, "2014").total.value == repeats
    assert_agree(units=("01", HOAN_KIEM, TRANG_TIEN), periods=("2014", "201403"))
    assert_rebuild_changes_nothing()


def test_a_fine_paid_later_moves_to_the_month_it_was_paid(police, persons, acts):
    day = dt.date(2014, 5, 3)
    unpaid = {"decided_on": day, "kind": "fine", "amount": 200_000, "payment_status": "unpaid"}
    violation = record(police, persons[0], acts, None, 1, place=TRANG_TIEN, day=day, **unpaid)
    decision = violation.sanction
    assert evaluate("people.fines_imposed", "01", "201405").total.value == 200_000
    assert evaluate("people.fines_collected", "01", "2014").total.value == 0
    services.sanction_payment_set(actor=police, decision=decision, paid_on=dt.date(2014, 8, 9))
    assert evaluate("people.fines_collected", "01", "201408").total.value == 200_000
    assert evaluate("people.seller_fines_collected", TRANG_TIEN, "2014Q3").total.value == 200_000
    assert_agree(units=("01", TRANG_TIEN), periods=("2014", "2014Q3"))
    assert_rebuild_changes_nothing()


def test_a_rolled_back_sanction_leaves_the_rollup_as_it_was(recorded, police, persons, acts):
    kept = people_rows()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(police, persons[1], acts, random.Random(9), 999)
        assert people_rows() != kept
        raise RuntimeError("rolled back")
    assert people_rows() == kept


def test_bulk_written_decisions_are_added_to_the_rollup_without_a_rebuild(persons, acts):
    agency = Agency.objects.get(unit__path=HOAN_KIEM, kind="police")
    rng = random.Random(11)
    rows = []
    for n in range(30):
        person = rng.choice(persons)
        role = "seller" if person.sex == "female" else "buyer"
        day = dt.date(2014, rng.randint(1, 12), rng.randint(1, 28))
        violation = Violation(
            person=person,
            occurred_at=at(day.isoformat()),
            place_unit=AdministrativeUnit.objects.get(path=rng.choice(PLACES)),
            act=acts[role],
            role=role,
            recording_agency=agency,
        )
        decision = SanctionDecision(
            number=f"B{n}/QĐ", authority=agency, **sanction_draw(rng, acts[role], day)
        )
        rows.append((violation, decision))
    violations_create(rows)
    assert evaluate("people.sanctions", "01", "2014").total.value == 30
    assert_agree(units=("01", HOAN_KIEM), periods=("2014", "2014Q2"))
    assert_rebuild_changes_nothing()


def test_an_excel_import_adds_its_decisions_to_the_rollup(client_for, police):
    client = client_for(police)
    rows = [
        row(),
        row(number="102/QĐ-XPHC", occurred_at="20/06/2014 21:00", decided_on="20/06/2014", amount="300,000"),
        row(full_name="Lê Văn Hùng", sex="Nam", birth="1980", id_number="", role="", article="22",
            number="103/QĐ-XPHC", amount="500000"),
    ]  # fmt: skip
    url, _body = preview(client, rows)
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert evaluate("people.sanctions", TRANG_TIEN, "2014").total.value == 3
    assert evaluate("people.persons_sanctioned", TRANG_TIEN, "2014").total.value == 2
    assert evaluate("people.repeat_violations", TRANG_TIEN, "2014").total.value == 1
    assert_agree(units=("01", TRANG_TIEN), periods=("2014", "2014Q2"))
    assert_rebuild_changes_nothing()


def test_across_the_reform_the_rollup_agrees_and_two_level_communes_are_kept_once(
    violations,  # noqa: F811 - the fixture imported above
    coordinator,
):
    """Sanctions in old wards counted under their successors (2026) and in a ward of the two-level map:
    its rows are kept once (dims "@": a commune of the two-level map is already one step below the city)."""
    ward = Rollup.objects.filter(source="people.sanctions", unit_path=HOAN_KIEM_WARD)
    assert set(ward.values_list("dims", flat=True)) == {"@", "kind@"}
    units = ("01", HOAN_KIEM_WARD, HOAN_KIEM)
    assert assert_agree(units=units, periods=("2025S2", "2026Q1")) > 200
    assert assert_agree(user=coordinator, units=("01", HOAN_KIEM_WARD), periods=("2026",)) > 20
    # B (old Hàng Bạc) and D (the new ward) in Hoàn Kiếm ward; C (old Tràng Tiền) under its default part.
    assert evaluate("people.persons_sanctioned", HOAN_KIEM_WARD, "2026").total.value == 2
    assert evaluate("people.persons_sanctioned", CUA_NAM_WARD, "2026").total.value == 1
