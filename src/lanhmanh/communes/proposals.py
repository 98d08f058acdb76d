"""Answers the system proposes for an assessment's items, from the records it holds.

A template item names an indicator code and a rule (``ProposalRule``); the indicator is evaluated
for the commune and the assessment's year through the indicator registry, with the requesting user
(so small counts stay suppressed exactly as on the indicator's own page). The communes app imports
no domain app: an indicator that is not registered yet (hotspots, establishments, tips while those
modules are being built) simply gives no proposal, and starts giving one the day its app registers it.

A count shown as "< 5" is known to be 1–4: enough for rules about zero. A cell hidden only to
protect a neighbour ("x") gives no proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from lanhmanh.communes.models import CriterionItem, ProposalRule
from lanhmanh.core.periods import Period
from lanhmanh.indicators.evaluation import Cell, EvaluationError, evaluate
from lanhmanh.indicators.models import Indicator


@dataclass
class Proposal:
    item: CriterionItem
    indicator: Indicator
    cell: Cell
    score: Decimal | None  # None: the value does not decide the item
    link: str
    explanation: str

    @property
    def value_display(self) -> str:
        return self.cell.display


def _decide(item: CriterionItem, cell: Cell) -> Decimal | None:
    small = cell.suppressed and not cell.complementary  # "< 5": between 1 and 4
    if cell.suppressed and not small:
        return None
    value = None if cell.suppressed else Decimal(cell.value or 0)
    full, zero = item.points, Decimal(0)
    if item.rule == ProposalRule.ZERO_FULL:
        return zero if small else (full if value == 0 else zero)
    if item.rule == ProposalRule.POSITIVE_FULL:
        return full if small else (full if value > 0 else zero)
    if item.threshold is None or value is None:
        return None
    if item.rule == ProposalRule.AT_MOST_FULL:
        return full if value <= item.threshold else zero
    if item.rule == ProposalRule.AT_LEAST_FULL:
        return full if value >= item.threshold else zero
    return None


def indicator_link(code: str, unit_path: str, year: int) -> str:
    return f"{reverse('indicators:detail', args=[code])}?unit={unit_path}&period={year}"


def proposals_for(assessment, items, *, user) -> dict[int, Proposal]:
    """Proposals for ``items`` of ``assessment`` (item id → proposal), for ``user`` to see.

    One evaluation per item that names an existing indicator with a source; items without a rule,
    or whose indicator is not registered, get none."""
    wanted = [i for i in items if i.indicator_code and i.rule]
    if not wanted:
        return {}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={i.indicator_code for i in wanted})}
    period = Period.year(assessment.year)
    found: dict[int, Proposal] = {}
    for item in wanted:
        indicator = indicators.get(item.indicator_code)
        if indicator is None:
            continue
        try:
            result = evaluate(indicator, assessment.unit_path, period, user=user)
        except EvaluationError:
            continue
        if not result.has_source:
            continue
        score = _decide(item, result.total)
        explanation = _("%(indicator)s năm %(year)s tại %(unit)s: %(value)s (%(rule)s)") % {
            "indicator": indicator.name,
            "year": assessment.year,
            "unit": assessment.unit.full_name,
            "value": result.total.display,
            "rule": item.get_rule_display(),
        }
        found[item.pk] = Proposal(
            item,
            indicator,
            result.total,
            score,
            indicator_link(indicator.code, assessment.unit_path, assessment.year),
            explanation,
        )
    return found
