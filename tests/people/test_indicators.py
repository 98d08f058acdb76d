"""The registry's indicators: T03 person-times, persons sanctioned, warnings, fines imposed and collected."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.indicators.models import Indicator
from lanhmanh.people import services
from lanhmanh.people.models import Person
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

CODES = [
    "people.sellers_sanctioned",
    "people.persons_sanctioned",
    "people.warnings",
    "people.fines_imposed",
    "people.fines_collected",
]


@pytest.fixture
def sanctions(police, resident, selling_2014, buying_2014, trang_tien):
    buyer = Person(full_name="Lê Văn Nam", sex="male", birth_year=1980)
    buyer.save()

    def record(person, day, act, role, number, **sanction):
        services.violation_record(
            actor=police,
            person=person,
            occurred_at=at(day),
            place_unit=trang_tien,
            act=act,
            role=role,
            sanction={"number": number, "decided_on": dt.date.fromisoformat(day), **sanction},
        )

    record(resident, "2014-03-01", selling_2014, "seller", "1/QĐ", kind="warning")
    record(
        resident,
        "2014-05-01",
        selling_2014,
        "seller",
        "2/QĐ",
        kind="fine",
        amount=200_000,
        payment_status="paid",
        paid_on=dt.date(2014, 7, 2),
    )
    record(buyer, "2014-05-02", buying_2014, "buyer", "3/QĐ", kind="fine", amount=700_000)


def test_the_registry_indicators_are_registered():
    assert set(CODES) <= set(Indicator.objects.values_list("code", flat=True))


def test_the_indicators_count_the_sanctions_by_place_and_date(sanctions, police):
    assert evaluate("people.sellers_sanctioned", "01", "2014", user=police).total.value == 2
    assert evaluate("people.sellers_sanctioned", "01", "2014Q2", user=police).total.value == 1
    assert evaluate("people.persons_sanctioned", "01", "2014", user=police).total.value == 2
    assert evaluate("people.warnings", "01", "2014", user=police).total.value == 1
    assert evaluate("people.fines_imposed", "01", "2014").total.value == 900_000
    assert evaluate("people.fines_collected", "01", "2014Q2").total.value == 0
    assert evaluate("people.fines_collected", "01", "2014Q3").total.value == 200_000
    by_kind = evaluate("people.sellers_sanctioned", "01.002", "2014", by="kind", user=police)
    assert [(c.key, c.value) for c in by_kind.rows] == [(("fine",), 1), (("warning",), 1)]
    # Other districts count nothing.
    assert evaluate("people.sellers_sanctioned", "01.017", "2014", user=police).total.value == 0


def test_small_counts_are_hidden_outside_the_recording_agencies(sanctions, social_worker):
    cell = evaluate("people.sellers_sanctioned", "01", "2014", user=social_worker).total
    assert (cell.suppressed, cell.display) == (True, "< 5")


NEW_CODES = [
    "people.buyers_sanctioned",
    "people.sanctions",
    "people.repeat_violations",
    "people.children_protected",
]


def test_the_new_indicators_are_registered():
    assert set(NEW_CODES) <= set(Indicator.objects.values_list("code", flat=True))


def test_buyers_sanctions_by_kind_and_repeats(sanctions, police):
    assert evaluate("people.buyers_sanctioned", "01", "2014", user=police).total.value == 1
    by_kind = evaluate("people.sanctions", "01", "2014", by="kind", user=police)
    assert by_kind.total.value == 3
    assert [(c.key, c.value) for c in by_kind.rows] == [(("fine",), 2), (("warning",), 1)]
    # The fine of 01/05 follows the warning of 01/03, which still counted: one repeat violation.
    repeats = evaluate("people.repeat_violations", "01", "2014", user=police)
    assert repeats.total.value == 1
    assert evaluate("people.repeat_violations", "01", "2014Q1", user=police).total.value == 0


def test_the_repeat_flag_follows_the_counting_rules(police, resident, selling_2014, trang_tien):
    from lanhmanh.people.models import Violation

    def record(day, number):
        return services.violation_record(
            actor=police,
            person=resident,
            occurred_at=at(day),
            place_unit=trang_tien,
            act=selling_2014,
            role="seller",
            sanction={"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"},
        )

    first = record("2014-01-10", "1/QĐ")
    # More than 6 months after the warning: the first no longer counts, not a repeat.
    late = record("2014-09-01", "2/QĐ")
    soon = record("2014-10-01", "3/QĐ")
    assert Violation.objects.get(pk=first.pk).repeat_of_id is None
    assert late.repeat_of_id is None
    assert soon.repeat_of_id == late.pk


def test_children_protected_counts_child_cases(db, district_officer, trang_tien):
    from lanhmanh.org.models import Agency
    from lanhmanh.support.services import case_open

    child = services.person_create(
        actor=district_officer,
        full_name="Phạm Thị Hoa",
        birth_date=dt.date(1998, 2, 3),
        birth_year=1998,
        sex="female",
        permanent_unit=trang_tien,
    )
    agency = Agency.objects.filter(unit=trang_tien, kind="womens-union").first()
    case_open(
        actor=district_officer,
        person=child,
        unit=trang_tien,
        opened_on=dt.date(2014, 4, 2),
        consents=[("counselling", agency)],
        kind="child",
    )
    result = evaluate("people.children_protected", "01", "2014", user=district_officer)
    assert result.total.value == 1
    assert evaluate("people.children_protected", "01.017", "2014", user=district_officer).total.value == 0
