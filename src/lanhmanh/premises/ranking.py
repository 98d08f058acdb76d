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

from lanhmanh.core.scoping import path_q
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


def score(facts: Facts, as_of: dt.date) -> tuple[int, list]:
    """(score, reasons) for one establishment; a pure function of the recorded facts."""
    total, reasons = 0, []
    if facts.inspections_with_violation:
        points = min(25 * facts.inspections_with_violation, 50)
        total += points
        reasons.append(
            _("%(n)s lần kiểm tra phát hiện vi phạm trong 3 năm (+%(p)s)")
            % {"n": facts.inspections_with_violation, "p": points}
        )
    if facts.people_found:
        points = min(10 * facts.people_found, 30)
        total += points
        reasons.append(
            _("%(n)s người vi phạm phát hiện tại cơ sở (+%(p)s)") % {"n": facts.people_found, "p": points}
        )
    if facts.sanctions:
        points = min(30 * facts.sanctions, 60)
        total += points
        reasons.append(_("%(n)s quyết định xử phạt cơ sở (+%(p)s)") % {"n": facts.sanctions, "p": points})
    if facts.police_violations:
        points = min(10 * facts.police_violations, 30)
        total += points
        reasons.append(
            _("%(n)s lần công an kiểm tra phát hiện vi phạm (+%(p)s)")
            % {"n": facts.police_violations, "p": points}
        )
    if facts.last_inspected is None:
        total += 20
        reasons.append(_("Chưa từng được Đội 178 kiểm tra (+20)"))
    else:
        days = (as_of - facts.last_inspected).days
        if days > 365:
            total += 15
            reasons.append(_("Lần kiểm tra gần nhất quá 1 năm (+15)"))
        elif days > 182:
            total += 5
            reasons.append(_("Lần kiểm tra gần nhất quá 6 tháng (+5)"))
    if facts.kind_weight:
        total += facts.kind_weight
        reasons.append(_("Loại hình có nguy cơ (+%(p)s)") % {"p": facts.kind_weight})
    return total, reasons


def facts_for(unit_path: str, as_of: dt.date) -> dict[int, Facts]:
    """Facts of every establishment open on ``as_of`` in the subtree, from records dated before it.

    Four GROUP BY queries over the subtree (inspections, people found, sanctions, police checks).
    """
    since = (
        as_of.replace(year=as_of.year - 3)
        if not (as_of.month == 2 and as_of.day == 29)
        else as_of - dt.timedelta(days=1096)
    )
    establishments = (
        Establishment.objects.filter(path_q(unit_path, "unit_path"), opened_on__lt=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=as_of))
        .values_list("pk", "kind__risk_weight")
    )
    facts = {pk: Facts(kind_weight=weight) for pk, weight in establishments}
    scope = path_q(unit_path, "establishment__unit_path")
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
            path_q(unit_path, "inspection__establishment__unit_path"), inspection__inspected_on__lt=as_of
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


def rank(unit_path: str, as_of: dt.date) -> list[tuple[int, int, list]]:
    """(establishment id, score, reasons), highest score first (ties: the lower id first)."""
    scored = [(pk, *score(f, as_of)) for pk, f in facts_for(unit_path, as_of).items()]
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
    ranked = [row for row in rank(plan.team.unit.path, plan.starts_on) if row[0] not in chosen]
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
            reasons=reasons,
            selection=selection,
        )
        for (pk, points, reasons), selection in rows
    ]
