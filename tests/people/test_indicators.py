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
