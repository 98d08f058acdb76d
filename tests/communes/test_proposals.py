"""Proposals from records: an item names an indicator and a rule; unknown indicators give none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lanhmanh.communes.models import CriterionItem, ProposalRule
from lanhmanh.communes.proposals import _decide, proposals_for
from lanhmanh.indicators.evaluation import Cell
from lanhmanh.org.models import Agency
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import activity_create
from tests.conftest import TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def _item(rule, points="10", threshold=None):
    return CriterionItem(code="x", points=Decimal(points), rule=rule, threshold=threshold)


@pytest.mark.parametrize(
    ("rule", "cell", "expected"),
    [
        (ProposalRule.ZERO_FULL, Cell((), 0), Decimal("10")),
        (ProposalRule.ZERO_FULL, Cell((), 3), Decimal("0")),
        (ProposalRule.ZERO_FULL, Cell((), None, suppressed=True), Decimal("0")),  # "< 5": 1 to 4
        (ProposalRule.ZERO_FULL, Cell((), None, suppressed=True, complementary=True), None),  # "x": unknown
        (ProposalRule.POSITIVE_FULL, Cell((), 0), Decimal("0")),
        (ProposalRule.POSITIVE_FULL, Cell((), 2), Decimal("10")),
        (ProposalRule.POSITIVE_FULL, Cell((), None, suppressed=True), Decimal("10")),
    ],
)
def test_rules_turn_a_value_into_points(rule, cell, expected):
    assert _decide(_item(rule), cell) == expected


def test_threshold_rules_need_a_threshold_and_a_visible_value():
    assert _decide(_item(ProposalRule.AT_MOST_FULL, threshold=Decimal(2)), Cell((), 2)) == Decimal("10")
    assert _decide(_item(ProposalRule.AT_MOST_FULL, threshold=Decimal(2)), Cell((), 3)) == Decimal("0")
    assert _decide(_item(ProposalRule.AT_LEAST_FULL, threshold=Decimal(2)), Cell((), 3)) == Decimal("10")
    assert _decide(_item(ProposalRule.AT_LEAST_FULL), Cell((), 3)) is None
    assert (
        _decide(_item(ProposalRule.AT_MOST_FULL, threshold=Decimal(2)), Cell((), None, suppressed=True))
        is None
    )


def test_the_assessment_proposes_from_registered_indicators_with_a_link_to_the_records(
    draft, commune_officer, coordinator, items
):
    plan = load_plan_2014()
    activity_create(
        actor=coordinator,
        plan=plan,
        kind="campaign",
        title="Tuyên truyền tại tổ dân phố",
        held_on=dt.date(2014, 5, 10),
        unit=unit(TRANG_TIEN),
        organiser=Agency.objects.get(code="01-002-00079-social"),
    )
    found = proposals_for(draft, list(items.values()), user=commune_officer)
    activities = found[items["2.2"].pk]
    assert (activities.cell.value, activities.score) == (1, Decimal("10"))
    assert activities.link == "/chi-so/plans.activities_held/?unit=01.002.00079&period=2014"
    sellers = found[items["1.3"].pk]
    assert (sellers.cell.value, sellers.score) == (0, Decimal("15"))
    # Hotspots, establishments sanctioned, criminal cases and verified tips come from their registers.
    for code, indicator in (
        ("1.1", "enforcement.hotspots_active"),
        ("1.2", "premises.businesses_sanctioned"),
        ("1.4", "enforcement.criminal_cases_busted"),
        ("3.2", "enforcement.tips_verified"),
    ):
        assert found[items[code].pk].link == f"/chi-so/{indicator}/?unit=01.002.00079&period=2014"
    assert items["2.1"].pk not in found  # no indicator named
