"""The risk-ranked proposal list for an inspection plan.

A score from what the system records about each establishment before the plan's start, with the
reasons shown per establishment:

* inspections that found a violation in the last three years (+25 each, at most 50);
* people found in violation there (+10 each, at most 30);
* sanction decisions against the business (+30 each, at most 60);
* police checks that found a violation (+10 each, at most 30);
* time since the last inspection: never (+20), over a year (+15), over six months (+5);
* the kind's risk weight (reference data, 0–30).

Tips from the public will add to it once the enforcement app records them. ``score`` is a pure
function of those facts, so the backtest (``benchmarks/bench_premises.py``) ranks a year from the
records of the years before without the ranking seeing the year it is judged on.

The planner sets a random share: that part of the quota is drawn at random (seeded by the plan) from
the establishments not in the ranked part, so the hit rate of the ranking can be compared later with
that of a random choice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.org.successions import predecessor_paths
from lanhmanh.premises.models import (
    BusinessSanction,
    Establishment,
    Inspection,
    InspectionPlan,
    InspectionViolation,
    PoliceCheck,
    SanctionStatus,
    Selection,
)
from lanhmanh.premises.selectors import reach_q


@dataclass
class Facts:
    inspections_with_violation: int = 0
    people_found: int = 0
    sanctions: int = 0
    police_violations: int = 0
    last_inspected: dt.date | None = None
    kind_weight: int = 0


@dataclass
class Proposal:
    establishment_id: int
    name: str
    address: str
    kind: str
    unit: str
    score: int
    reasons: list = field(default_factory=list)
    selection: str = Selection.RANKED


INSPECTIONS_WITH_VIOLATION = _("%(n)s lần kiểm tra phát hiện vi phạm trong 3 năm (+%(p)s)")
PEOPLE_FOUND = _("%(n)s người vi phạm phát hiện tại cơ sở (+%(p)s)")
SANCTIONS = _("%(n)s quyết định xử phạt cơ sở (+%(p)s)")
POLICE_VIOLATIONS = _("%(n)s lần công an kiểm tra phát hiện vi phạm (+%(p)s)")
NEVER_INSPECTED = _("Chưa từng được Đội 178 kiểm tra (+%(p)s)")
OVER_A_YEAR = _("Lần kiểm tra gần nhất quá 1 năm (+%(p)s)")
OVER_HALF_A_YEAR = _("Lần kiểm tra gần nhất quá 6 tháng (+%(p)s)")
RISKY_KIND = _("Loại hình có nguy cơ (+%(p)s)")


def _points(facts: Facts, as_of: dt.date) -> list[tuple[int, object, int]]:
    """(points, reason, count) for each fact that adds to the score."""
    parts = []
    for count, each, cap, reason in (
        (facts.inspections_with_violation, 25, 50, INSPECTIONS_WITH_VIOLATION),
        (facts.people_found, 10, 30, PEOPLE_FOUND),
        (facts.sanctions, 30, 60, SANCTIONS),
        (facts.police_violations, 10, 30, POLICE_VIOLATIONS),
    ):
        if count:
            parts.append((min(each * count, cap), reason, count))
    if facts.last_inspected is None:
        parts.append((20, NEVER_INSPECTED, 0))
    else:
        days = (as_of - facts.last_inspected).days
        if days > 365:
            parts.append((15, OVER_A_YEAR, 0))
        elif days > 182:
            parts.append((5, OVER_HALF_A_YEAR, 0))
    if facts.kind_weight:
        parts.append((facts.kind_weight, RISKY_KIND, 0))
    return parts


def score(facts: Facts, as_of: dt.date, *, explain: bool = True) -> tuple[int, list]:
    """(score, reasons) for one establishment; a pure function of the recorded facts.

    ``explain=False`` leaves the reasons out (ranking thousands of places, explaining the few shown).
    """
    parts = _points(facts, as_of)
    reasons = [str(reason % {"n": n, "p": p}) for p, reason, n in parts] if explain else []
    return sum(p for p, _r, _n in parts), reasons


def facts_for(unit_path: str, as_of: dt.date) -> dict[int, Facts]:
    """Facts of every establishment open on ``as_of`` in the subtree (and, for a unit of the two-level map,
    in the pre-reform communes it was made from: ``selectors.reach_q``), from records dated before it.

    Four GROUP BY queries over the subtree (inspections, people found, sanctions, police checks).
    """
    since = (
        as_of.replace(year=as_of.year - 3)
        if not (as_of.month == 2 and as_of.day == 29)
        else as_of - dt.timedelta(days=1096)
    )
    earlier = predecessor_paths(unit_path)
    establishments = (
        Establishment.objects.filter(reach_q(unit_path, "unit_path", earlier=earlier), opened_on__lt=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=as_of))
        .values_list("pk", "kind__risk_weight")
    )
    facts = {pk: Facts(kind_weight=weight) for pk, weight in establishments}
    scope = reach_q(unit_path, "establishment__unit_path", earlier=earlier)
    for row in (
        Inspection.objects.filter(scope, inspected_on__lt=as_of)
        .values("establishment_id")
        .annotate(
            last=Max("inspected_on"),
            bad=Count("inspected_on", filter=Q(violation_found=True, inspected_on__gte=since)),
        )
    ):
        f = facts.get(row["establishment_id"])
        if f:
            f.last_inspected, f.inspections_with_violation = row["last"], row["bad"]
    for row in (
        InspectionViolation.objects.filter(
            reach_q(unit_path, "inspection__establishment__unit_path", earlier=earlier),
            inspection__inspected_on__lt=as_of,
        )
        .values("inspection__establishment_id")
        .annotate(n=Count("pk"))
    ):
        f = facts.get(row["inspection__establishment_id"])
        if f:
            f.people_found = row["n"]
    for row in (
        BusinessSanction.objects.filter(
            scope, decided_on__lt=as_of, status__in=[SanctionStatus.DECIDED, SanctionStatus.ENFORCED]
        )
        .values("establishment_id")
        .annotate(n=Count("pk"))
    ):
        f = facts.get(row["establishment_id"])
        if f:
            f.sanctions = row["n"]
    for row in (
        PoliceCheck.objects.filter(scope, checked_on__lt=as_of, checked_on__gte=since, result="violation")
        .values("establishment_id")
        .annotate(n=Count("pk"))
    ):
        f = facts.get(row["establishment_id"])
        if f:
            f.police_violations = row["n"]
    return facts


def rank(unit_path: str, as_of: dt.date, *, explain: bool = True) -> list[tuple[int, int, list]]:
    """(establishment id, score, reasons), highest score first (ties: the lower id first)."""
    scored = [(pk, *score(f, as_of, explain=explain)) for pk, f in facts_for(unit_path, as_of).items()]
    scored.sort(key=lambda row: (-row[1], row[0]))
    return scored


def split_quota(quota: int, random_share: int) -> tuple[int, int]:
    """(ranked, random) parts of a quota."""
    random_count = round(quota * random_share / 100)
    return quota - random_count, random_count


def propose(plan: InspectionPlan, *, limit: int | None = None) -> list[Proposal]:
    """The proposal list: the ranked part of the quota, then the random part, then the rest of the ranking
    (up to ``limit`` rows), skipping establishments already in the plan."""
    chosen = set(plan.items.values_list("establishment_id", flat=True))
    facts = facts_for(plan.team.unit.path, plan.starts_on)
    ranked = sorted(
        ((pk, score(f, plan.starts_on, explain=False)[0], []) for pk, f in facts.items() if pk not in chosen),
        key=lambda row: (-row[1], row[0]),
    )
    remaining = max(plan.quota - len(chosen), 0)
    top_n, random_n = split_quota(remaining, plan.random_share)
    top, rest = ranked[:top_n], ranked[top_n:]
    rng = random.Random(f"plan-{plan.pk}")  # noqa: S311 - a reproducible draw, not a secret
    picked = set(rng.sample(range(len(rest)), min(random_n, len(rest)))) if rest else set()
    randoms = [rest[i] for i in sorted(picked)]
    others = [row for i, row in enumerate(rest) if i not in picked]
    rows = [(row, Selection.RANKED) for row in top] + [(row, Selection.RANDOM) for row in randoms]
    rows += [(row, Selection.MANUAL) for row in others]
    if limit is not None:
        rows = rows[:limit]
    info = {
        e["pk"]: e
        for e in Establishment.objects.filter(pk__in=[row[0] for row, _s in rows]).values(
            "pk", "name", "address", "kind__name", "unit__name"
        )
    }
    return [
        Proposal(
            establishment_id=pk,
            name=info[pk]["name"],
            address=info[pk]["address"],
            kind=info[pk]["kind__name"],
            unit=info[pk]["unit__name"],
            score=points,
            reasons=score(facts[pk], plan.starts_on)[1],
            selection=selection,
        )
        for (pk, points, _none), selection in rows
    ]
