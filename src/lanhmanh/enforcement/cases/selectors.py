"""Reads of criminal cases scoped to a user (``rules.reach_q``); outsiders get 404.

Selectors that hand out identities (``defendants_of``, ``victims_of``) write one access-log row per
person shown, with the purpose the caller gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import record_accesses
from lanhmanh.core.scoping import DataClass
from lanhmanh.enforcement.cases.models import CriminalCase, Defendant, StageLimit, Victim
from lanhmanh.enforcement.cases.rules import OWNER_AGENCY_KINDS, handles_cases, reach_q, sees_case_counts
from lanhmanh.enforcement.selectors import hotspots_visible
from lanhmanh.indicators.evaluation import SUPPRESSED, SUPPRESSION_THRESHOLD
from lanhmanh.premises.selectors import establishments_visible


def cases_visible(user) -> QuerySet[CriminalCase]:
    """Cases this user may open (with names); none for anyone outside the case roles."""
    if not handles_cases(user):
        return CriminalCase.objects.none()
    return CriminalCase.objects.filter(reach_q(user)).select_related(
        "offence", "unit", "investigating_agency", "procuracy", "court"
    )


def case_get(user, pk) -> CriminalCase:
    """One case this user may see, or Http404 (missing and out of reach look the same).

    Two small queries, not one: the reach test (its ORs over the agencies' and units' paths) joined to
    every related row of the page made PostgreSQL plan a nine-table join on every read (~20 ms of
    planning for a 0.3 ms lookup). The establishment and hotspot, rarely set, load when shown."""
    try:
        if not CriminalCase.objects.filter(reach_q(user), pk=pk).exists():
            raise Http404
        return CriminalCase.objects.select_related(
            "offence", "unit", "investigating_agency", "procuracy", "court"
        ).get(pk=pk)
    except (CriminalCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Place:
    """The establishment or hotspot a case happened at, as this user may see it (link only when they may
    open it on its own app's page)."""

    kind: str  # "establishment" | "hotspot"
    label: str
    name: str
    url: str = ""


def place_of(user, case: CriminalCase) -> list[Place]:
    """The case's establishment and hotspot, linked through their apps' selectors when the user may see them."""
    places = []
    if case.establishment_id:
        visible = establishments_visible(user).filter(pk=case.establishment_id).exists()
        places.append(
            Place(
                "establishment",
                str(_("Cơ sở kinh doanh")),
                case.establishment.name,
                reverse("premises:establishment_detail", args=[case.establishment_id]) if visible else "",
            )
        )
    if case.hotspot_id:
        visible = hotspots_visible(user).filter(pk=case.hotspot_id).exists()
        places.append(
            Place(
                "hotspot",
                str(_("Tụ điểm")),
                case.hotspot.name,
                reverse("enforcement:hotspot_detail", args=[case.hotspot_id]) if visible else "",
            )
        )
    return places


@dataclass(frozen=True)
class CasesAtPlace:
    """The criminal cases at an establishment or hotspot, for that place's page: a count for everyone
    who sees counts (small counts as "< 5" outside the case agencies), and the cases themselves (number,
    offence, stage; never a name) for the case roles who may open them."""

    count: int
    display: str
    cases: list[CriminalCase]


def cases_at(user, *, establishment=None, hotspot=None) -> CasesAtPlace | None:
    """Read-only: the cases linked to ``establishment`` or ``hotspot`` (None: the user sees no case counts)."""
    if not (sees_case_counts(user) or handles_cases(user)):
        return None
    if (establishment is None) == (hotspot is None):
        raise ValueError("cases_at: one of establishment, hotspot")
    where = {"establishment": establishment} if establishment is not None else {"hotspot": hotspot}
    count = CriminalCase.objects.filter(**where).count()
    agency = getattr(user, "agency", None)
    owner = agency is not None and agency.kind in OWNER_AGENCY_KINDS
    display = str(count) if owner or not 0 < count < SUPPRESSION_THRESHOLD else SUPPRESSED
    rows = list(cases_visible(user).filter(**where).order_by("-detected_on", "-pk")[:50])
    return CasesAtPlace(count, display, rows)


def _log(user, reads: list[tuple], *, purpose: str, detail: str, path: str) -> None:
    """One access-log row per (person, data class) read, written in one INSERT."""
    record_accesses(actor=user, instances=reads, purpose=purpose, detail=detail, path=path)


def defendants_of(
    user, case: CriminalCase, *, purpose: str, detail: str = "", path: str = ""
) -> list[Defendant]:
    """The defendants with their identities; each identity read is logged with the purpose."""
    if not handles_cases(user):
        return []
    rows = list(case.defendants.select_related("person", "person__permanent_unit", "offence"))
    _log(user, [(d.person, DataClass.IDENTITY) for d in rows], purpose=purpose, detail=detail, path=path)
    return rows


def victims_of(user, case: CriminalCase, *, purpose: str, detail: str = "", path: str = "") -> list[Victim]:
    """The victims with their identities; a child's identity needs the child class or the case role
    (the case's own agencies must know who the victim is), logged as a child-class read."""
    if not handles_cases(user):
        return []
    rows = list(case.victims.select_related("person", "person__permanent_unit", "outreach_task__agency"))
    reads = [(v.person, DataClass.CHILD if v.minor else DataClass.IDENTITY) for v in rows]
    _log(user, reads, purpose=purpose, detail=detail, path=path)
    return rows


def defendant_get(user, case: CriminalCase, pk) -> Defendant:
    try:
        return case.defendants.select_related("person", "offence").get(pk=pk)
    except (Defendant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Time limits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    case: CriminalCase
    limit: StageLimit
    since: dt.date
    due: dt.date
    latest: dt.date  # with the longest extension

    def state(self, today: dt.date) -> str:
        if today > self.latest:
            return "overdue"
        if today > self.due:
            return "extension"
        return "running"


def _running(case: CriminalCase) -> str:
    # A bust is part of the checking of the report: the limit to prosecute runs from the detection.
    return "detected" if case.stage == "busted" else case.stage


def limits_for(case: CriminalCase, limits: list[StageLimit]) -> list[StageLimit]:
    """The limits that run from the case's current stage, for its gravity, in force on the stage's date."""
    since = case.date_of(_running(case))
    return [
        limit
        for limit in limits
        if limit.from_stage == _running(case)
        and limit.gravity in ("", case.offence.gravity)
        and since is not None
        and limit.valid_from <= since
        and (limit.valid_to is None or since <= limit.valid_to)
    ]


def deadline_of(case: CriminalCase, limits: list[StageLimit]) -> Deadline | None:
    since = case.date_of(_running(case))
    for limit in limits_for(case, limits):
        due = since + dt.timedelta(days=limit.days)
        return Deadline(case, limit, since, due, due + dt.timedelta(days=limit.extension_days))
    return None


# Which agency waits on each running stage: police investigate, the court prepares the trial.
WAITING_ROLE = {"detected": "police", "busted": "police", "prosecuted": "police", "indicted": "court-clerk"}


def overdue_for(user, *, today: dt.date | None = None, limit: int = 20) -> list[tuple[Deadline, str]]:
    """Cases in the user's reach whose running stage is past its legal limit and is the user's side's to move."""
    today = today or timezone.localdate()
    stages = [stage for stage, role in WAITING_ROLE.items() if user.has_role(role)]
    if not stages or not handles_cases(user):
        return []
    limits = list(StageLimit.objects.all())
    result = []
    for case in cases_visible(user).filter(stage__in=stages).order_by("detected_on", "pk")[:2000]:
        deadline = deadline_of(case, limits)
        if deadline is not None and deadline.state(today) != "running":
            result.append((deadline, deadline.state(today)))
        if len(result) >= limit:
            break
    return result
