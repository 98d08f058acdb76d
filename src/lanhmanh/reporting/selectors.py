"""Scoped reads of reports: a user reaches a report only through these (outsiders get 404)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import Purpose, record_access
from lanhmanh.core.periods import Period, parse
from lanhmanh.core.scoping import DataClass, can, path_q
from lanhmanh.indicators.selectors import unit_for
from lanhmanh.org.levels import is_top
from lanhmanh.people.models import EventRole, Violation
from lanhmanh.people.selectors import persons_visible
from lanhmanh.reporting.models import AdHocRequest, Notification, ReportForm, Status, Submission
from lanhmanh.reporting.rules import (
    APPROVER_ROLE_AT_LEVEL,
    can_approve,
    can_view_unit,
    is_approver,
    is_submitter,
)
from lanhmanh.reporting.validation import format_number

RECENT_PERIODS = 3


def submissions_for(user):
    """Reports the user may see: their agency's own; approvers also every report in their subtree."""
    if not getattr(user, "is_authenticated", False) or not (is_submitter(user) or is_approver(user)):
        return Submission.objects.none()
    visible = Q(agency_id=user.agency_id)
    if is_approver(user):
        visible |= path_q(user.jurisdiction_path, "unit_path")
    return Submission.objects.filter(visible).select_related("form", "agency", "unit")


def submission_for(user, pk: int) -> Submission:
    """One report the user may see (404 otherwise), with its unit's parents (the page names the unit with
    its district and city)."""
    try:
        return submissions_for(user).select_related("unit__parent__parent").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None


def reports_by_unit(user, form, period_id: str, paths) -> dict[str, int]:
    """unit path → the id of the report ``user`` may open for ``form`` and ``period_id`` (sent or decided,
    not a draft), for the completeness table's links to each unit's report."""
    rows = (
        submissions_for(user)
        .filter(form=form, period_id=period_id, unit_path__in=list(paths))
        .exclude(status=Status.DRAFT)
        .order_by("unit_path", "-pk")
        .values_list("unit_path", "pk")
    )
    found: dict[str, int] = {}
    for path, pk in rows:
        found.setdefault(path, pk)
    return found


def forms_for_agency(agency) -> list[ReportForm]:
    return list(
        ReportForm.objects.filter(
            active=True, submitter_agency_kind=agency.kind, submitter_level=agency.unit.level
        ).exclude(periodicity="adhoc")
    )


@dataclass
class DueItem:
    form: ReportForm
    period: Period
    due_date: dt.date
    submission: Submission | None
    request: AdHocRequest | None = None

    @property
    def overdue(self) -> bool:
        return self.due_date < timezone.localdate() and (
            self.submission is None or self.submission.first_submitted_at is None
        )


def _as_of(unit, today: dt.date) -> dt.date:
    """Due periods are counted up to the last day the unit existed (2014 wards ended in 2025)."""
    return min(today, unit.valid_to) if unit.valid_to else today


def inbox_for(user, *, today: dt.date | None = None) -> dict:
    """What the officer's agency has to report: due periods, open work, ad hoc requests."""
    today = today or timezone.localdate()
    if not is_submitter(user):
        return {"due": [], "open": [], "requests": [], "forms": []}
    agency = user.agency
    as_of = _as_of(agency.unit, today)
    forms = forms_for_agency(agency)
    own = Submission.objects.filter(agency=agency).select_related("form")
    existing = {(s.form_id, s.period_id): s for s in own.filter(request__isnull=True)}
    due: list[DueItem] = []
    for form in forms:
        # The current period (its report may be prepared as it ends) and the ones before it.
        period = Period.containing(as_of, form.period_kind)
        for _i in range(RECENT_PERIODS):
            # Only periods the form is used for and the unit existed in (a 2026 ward: from 1/7/2025).
            began = agency.unit.valid_from
            if form.applies_to(period) and (began is None or period.end >= began):
                due.append(
                    DueItem(form, period, form.deadline_for(period), existing.get((form.pk, period.id)))
                )
            period = period.previous()
    requests = []
    for request in AdHocRequest.objects.filter(
        units=agency.unit, form__submitter_agency_kind=agency.kind
    ).select_related("form"):
        requests.append(
            DueItem(
                request.form,
                parse(request.period_id),
                request.due_date,
                own.filter(request=request).first(),
                request,
            )
        )
    open_work = own.filter(status__in=[Status.DRAFT, Status.RETURNED]).order_by("-period_start")
    return {"due": due, "open": list(open_work), "requests": requests, "forms": forms}


def approval_queue_for(user):
    """Submitted reports waiting for this user's decision: those of the units one step below the
    user's unit (2014 districts or communes of a district, 2026 communes of the city), and the city's own."""
    if not is_approver(user):
        return []
    if APPROVER_ROLE_AT_LEVEL.get(user.unit.level) is None:
        return []
    path = user.jurisdiction_path
    if is_top(path):
        below = Q(unit_path=path) | Q(unit_path__regex=rf"^{re.escape(path)}\.[0-9]+$")
    else:
        below = Q(unit_path__regex=rf"^{re.escape(path)}\.[0-9]+$")
    candidates = (
        submissions_for(user).filter(status=Status.SUBMITTED).filter(below).order_by("due_date", "unit_path")
    )
    return [s for s in candidates if can_approve(user, s)]


def forms_visible_for_completeness(user) -> list[ReportForm]:
    """Forms whose submitters lie below (or at, for the city) the approver's level."""
    if not is_approver(user):
        return []
    return list(ReportForm.objects.filter(active=True, submitter_level__gte=user.unit.level))  # at or below


def consolidation_unit(user, path: str | None):
    """The unit whose consolidated report the user may see (default: their own), else 404."""

    unit = unit_for(user, path)
    if not can_view_unit(user, unit.path):
        raise Http404
    return unit


def notifications_for(user):
    return Notification.objects.filter(recipient=user)


# The police monthly report's list of sellers sanctioned ------------------------------------------


@dataclass
class SanctionedSeller:
    """One sanction decision against a seller in the report's period: who, where they live, what was decided."""

    person_id: int
    full_name: str
    birth: str
    id_number: str
    permanent_address: str
    temporary_address: str
    occurred_on: dt.date
    place: str
    decision_number: str
    decided_on: dt.date
    kind: str
    amount: int | None

    @property
    def amount_display(self) -> str:
        return format_number(self.amount)


def may_see_sanctioned_sellers(user) -> bool:
    return can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})


def _address(text: str, unit) -> str:
    parts = [p for p in (text.strip(), unit.full_name if unit else "") if p]
    return ", ".join(parts)


def sanctioned_sellers(user, submission: Submission, *, path: str = "") -> list[SanctionedSeller] | None:
    """Sellers sanctioned in the report's period for acts in its unit's subtree, from the people registry.

    Only for users whose roles grant identity and enforcement and who may see the report; ``None`` for
    the others (the page says why). Persons are reached through ``people.selectors.persons_visible``
    (the registry's own scoping). Side effect: one access-log row per person listed (purpose
    “reporting”), in the same request that shows them.
    """
    if not submission.form.lists_sanctioned_sellers or not may_see_sanctioned_sellers(user):
        return None
    detail = f"{submission.form.short_name} {submission.period_label} – {submission.agency.name}"
    return _sellers_sanctioned(
        user, submission.unit_path, submission.period_start, submission.period_end, detail=detail, path=path
    )


def sanctioned_sellers_of_consolidation(user, result, *, path: str = "") -> list[SanctionedSeller] | None:
    """The same list for a printed report (``aggregation.Consolidation``): the unit's report if it was
    opened, else the unit and period themselves; ``None`` for users without identity + enforcement."""
    if result.submission is not None:
        result.submission.form = result.form
        return sanctioned_sellers(user, result.submission, path=path)
    if not result.form.lists_sanctioned_sellers or not may_see_sanctioned_sellers(user):
        return None
    detail = f"{result.form.short_name} {result.period.label} – {result.unit.full_name}"
    return _sellers_sanctioned(
        user, result.unit.path, result.period.start, result.period.end, detail=detail, path=path
    )


def _sellers_sanctioned(
    user, unit_path: str, start: dt.date, end: dt.date, *, detail: str, path: str
) -> list[SanctionedSeller]:

    violations = (
        Violation.objects.filter(
            path_q(unit_path, "place_unit__path"),
            role=EventRole.SELLER,
            sanction__decided_on__gte=start,
            sanction__decided_on__lte=end,
            person__in=persons_visible(user).values("pk"),
        )
        .select_related("person__permanent_unit", "person__temporary_unit", "place_unit", "sanction")
        .order_by("sanction__decided_on", "pk")
    )
    rows = []
    logged: set[int] = set()
    for violation in violations:
        person, sanction = violation.person, violation.sanction
        if person.pk not in logged:
            record_access(
                actor=user,
                instance=person,
                data_class=DataClass.IDENTITY,
                purpose=Purpose.REPORTING,
                detail=detail,
                path=path,
            )
            logged.add(person.pk)
        rows.append(
            SanctionedSeller(
                person_id=person.pk,
                full_name=person.full_name,
                birth=person.birth_display,
                id_number=person.id_number,
                permanent_address=_address(person.permanent_address, person.permanent_unit),
                temporary_address=_address(person.temporary_address, person.temporary_unit),
                occurred_on=violation.occurred_on,
                place=_address(violation.place_address, violation.place_unit),
                decision_number=sanction.number,
                decided_on=sanction.decided_on,
                kind=sanction.get_kind_display(),
                amount=sanction.amount,
            )
        )
    return rows


# Home panel ---------------------------------------------------------------------------------------

HOME_LIMIT = 10


def home_reports_for(user, *, today: dt.date | None = None) -> dict:
    """The officer's reports not yet sent (late ones apart), those returned to fix, and for approvers
    the reports waiting for their decision. Read-only, no side effects."""
    today = today or timezone.localdate()
    inbox = inbox_for(user, today=today)
    late, due = [], []
    for item in [*inbox["due"], *inbox["requests"]]:
        sent = item.submission is not None and item.submission.first_submitted_at is not None
        if sent:
            continue
        (late if item.due_date < today else due).append(item)
    late.sort(key=lambda i: i.due_date)
    due.sort(key=lambda i: i.due_date)
    returned = [s for s in inbox["open"] if s.status == Status.RETURNED]
    waiting = approval_queue_for(user)
    return {
        "late": late,
        "due": due,
        "returned": returned,
        "waiting": waiting[:HOME_LIMIT],
        "waiting_count": len(waiting),
        "is_approver": is_approver(user),
        "today": today,
    }
