"""The demo cases: 2014 in the proportions of T01 and T05, children among the victims, offered protection."""

from __future__ import annotations

import pytest

from lanhmanh.demo.loader import load_demo
from lanhmanh.enforcement.cases.models import CriminalCase, Defendant, Offence, StageLimit, Victim
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cases(db):
    return load_demo(
        password="demo-mat-khau-2014",
        only=("org.roles", "org.units_and_agencies", "org.accounts", "cases.load"),
    )


def test_the_demo_is_near_the_targets_of_2014(demo_cases):
    busted = evaluate("enforcement.criminal_cases_busted", "01", "2014").total.value
    tried = evaluate("enforcement.trial_cases", "01", "2014").total.value
    defendants = evaluate("enforcement.trial_defendants", "01", "2014").total.value
    mobile = evaluate("enforcement.mobile_trials", "01", "2014").total.value
    assert 170 <= busted <= 200
    assert 130 <= tried <= 170
    assert 150 <= defendants <= 210
    assert mobile == 5


def test_child_victims_are_always_offered_child_protection(demo_cases):
    children = Victim.objects.filter(minor=True)
    assert children.exists()
    assert set(children.values_list("offer", flat=True)) == {"child"}
    assert not children.filter(outreach_task__isnull=True).exists()


def test_every_tried_defendant_has_a_sentence_within_the_clause(demo_cases):
    for defendant in Defendant.objects.filter(case__tried_on__isnull=False).select_related("offence"):
        assert defendant.offence.min_months <= defendant.sentence_months <= defendant.offence.max_months


def test_loading_again_changes_nothing(demo_cases):
    count = CriminalCase.objects.count()
    load_demo(password="demo-mat-khau-2014", only=("cases.load",))
    assert CriminalCase.objects.count() == count


def test_the_step_brings_back_the_catalogue_a_flushed_database_has_lost(db):
    # A transactional test flushes the tables: the migration's offence catalogue and limits are gone.
    StageLimit.objects.all().delete()
    Offence.objects.all().delete()
    load_demo(
        password="demo-mat-khau-2014",
        only=("org.roles", "org.units_and_agencies", "org.accounts", "cases.load"),
    )
    assert Offence.objects.filter(code="blhs1999-254-1").exists()
    assert StageLimit.objects.exists()
    assert CriminalCase.objects.filter(number__startswith="HS-DEMO-").count() > 200


def test_the_city_coordinator_sees_the_city_totals_of_t01_and_t05(demo_cases):
    # Before: four communes of 1 under a district of 4 could not be protected by "x" cells; the
    # settling hid cell after cell, the city's total last ("x" for 186 cases busted).
    coordinator = demo_cases.accounts[Role.CITY_COORDINATOR]
    for code in (
        "enforcement.criminal_cases_busted",
        "enforcement.trial_cases",
        "enforcement.trial_defendants",
    ):
        total = evaluate(code, "01", "2014", user=coordinator).total
        assert not total.suppressed and total.value > 100, (code, total)
        by_district = evaluate(code, "01", "2014", by="district", user=coordinator)
        assert by_district.total == total
