"""Completeness and timeliness: who was expected to report, who did, who did on time, who is late.

Expected = the active agencies of the form's kind at units of the form's level that existed during
the period (or, for an ad hoc request, at the units it names), within the viewer's subtree. Counts are
one GROUP BY over agencies left-joined to their submission for the period; the late agencies are one
page (``LATE_LIMIT``) of one query with their units. Three queries in all, however many units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q
from django.utils import timezone

from lanhmanh.core.periods import Period, parse
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators.selectors import unit_names
from lanhmanh.org.levels import child_path
from lanhmanh.org.models import Agency
from lanhmanh.reporting.models import FINAL, AdHocRequest, ReportForm

LATE_LIMIT = 50  # late agencies listed on one page of the list; the rest are on the next pages


def expected_agencies(
    form: ReportForm, period: Period, *, scope_path: str, request: AdHocRequest | None = None
):
    if not form.applies_to(period):
        return Agency.objects.none()
    agencies = Agency.objects.filter(
        kind=form.submitter_agency_kind, active=True, unit__level=form.submitter_level
    ).filter(path_q(scope_path, "unit__path"))
    agencies = agencies.filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=period.end)).filter(
        Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=period.start)
    )
    if request is not None:
        agencies = agencies.filter(unit__in=request.units.all())
    return agencies


def _with_submission(agencies, form: ReportForm, period_id: str, request: AdHocRequest | None):
    condition = Q(report_submissions__form=form)
    if request is not None:
        condition &= Q(report_submissions__request=request)
    else:
        condition &= Q(report_submissions__period_id=period_id, report_submissions__request__isnull=True)
    return agencies.annotate(sub=FilteredRelation("report_submissions", condition=condition))


@dataclass
class CompletenessRow:
    path: str
    name: str
    expected: int
    received: int
    on_time: int
    approved: int

    @property
    def late(self) -> int:
        return self.expected - self.on_time

    @property
    def rate(self) -> int:
        return round(100 * self.received / self.expected) if self.expected else 0

    @property
    def on_time_rate(self) -> int:
        return round(100 * self.on_time / self.expected) if self.expected else 0


@dataclass
class LateRow:
    agency: Agency
    unit_name: str
    submitted_at: dt.datetime | None
    status: str | None
    submission_id: int | None


@dataclass
class Completeness:
    form: ReportForm
    period: Period
    due_date: dt.date | None
    scope_path: str
    rows: list[CompletenessRow]
    total: CompletenessRow
    late: list[LateRow]
    overdue: bool
    late_count: int = 0
    late_page: int = 1

    @property
    def late_not_listed(self) -> int:
        return self.late_count - len(self.late)

    @property
    def late_pages(self) -> int:
        return max(1, -(-self.late_count // LATE_LIMIT))

    @property
    def late_first(self) -> int:
        """Rank of the first late agency listed (1-based)."""
        return (self.late_page - 1) * LATE_LIMIT + 1 if self.late else 0

    @property
    def late_last(self) -> int:
        return self.late_first + len(self.late) - 1 if self.late else 0


def completeness(
    form: ReportForm,
    *,
    scope_path: str,
    period_id: str = "",
    request: AdHocRequest | None = None,
    today: dt.date | None = None,
    late_page: int = 1,
) -> Completeness:
    """Expected / received / on time / approved by the units one level below ``scope_path``, and who is late.

    ``late_page``: which page of ``LATE_LIMIT`` late agencies to list (beyond the last: the last).
    """
    today = today or timezone.localdate()
    period = parse(request.period_id if request else period_id)
    due = request.due_date if request else form.deadline_for(period)
    agencies = _with_submission(
        expected_agencies(form, period, scope_path=scope_path, request=request), form, period.id, request
    )
    # By the unit one step below the scope (a 2014 district, a 2026 commune), whatever the version.
    counts = (
        agencies.values(g=child_path("unit__path", scope_path))
        .annotate(
            expected=Count("pk"),
            received=Count("pk", filter=Q(sub__first_submitted_at__isnull=False)),
            on_time=Count("pk", filter=Q(sub__on_time=True)),
            approved=Count("pk", filter=Q(sub__status__in=FINAL)),
            sent_late=Count("pk", filter=Q(sub__on_time=False)),
        )
        .order_by("g")
    )
    counts = list(counts)
    names = unit_names(r["g"] for r in counts)
    rows = [
        CompletenessRow(
            r["g"], names.get(r["g"], r["g"]), r["expected"], r["received"], r["on_time"], r["approved"]
        )
        for r in counts
    ]
    total = CompletenessRow(
        scope_path,
        "",
        sum(r.expected for r in rows),
        sum(r.received for r in rows),
        sum(r.on_time for r in rows),
        sum(r.approved for r in rows),
    )
    overdue = due is not None and today > due
    # Late: sent after the due date; once it has passed, also not sent at all.
    late_count = total.expected - total.on_time if overdue else sum(r["sent_late"] for r in counts)
    late_filter = Q(sub__on_time=False)
    if overdue:
        late_filter |= Q(sub__first_submitted_at__isnull=True)
    pages = max(1, -(-late_count // LATE_LIMIT))
    late_page = min(max(1, late_page), pages)
    offset = (late_page - 1) * LATE_LIMIT
    late_agencies = (
        agencies.filter(late_filter)
        .select_related("unit")
        .annotate(
            sub_submitted_at=F("sub__first_submitted_at"), sub_status=F("sub__status"), sub_pk=F("sub__id")
        )
        .order_by("unit__path", "pk")[offset : offset + LATE_LIMIT]
        if late_count
        else []
    )
    late = [LateRow(a, a.unit.full_name, a.sub_submitted_at, a.sub_status, a.sub_pk) for a in late_agencies]
    return Completeness(form, period, due, scope_path, rows, total, late, overdue, late_count, late_page)


@dataclass
class ExpectedRow:
    """One agency expected to report, with its report for the period (if opened)."""

    agency: Agency
    submission_id: int | None
    status: str | None
    first_submitted_at: dt.datetime | None
    on_time: bool | None


def expected_rows(
    form: ReportForm, period: Period, *, scope_path: str, request: AdHocRequest | None = None
) -> list[ExpectedRow]:
    """Every agency expected to report ``form`` for the period (or request) in the subtree: one query."""
    agencies = _with_submission(
        expected_agencies(form, period, scope_path=scope_path, request=request), form, period.id, request
    )
    agencies = (
        agencies.select_related("unit")
        .annotate(
            sub_pk=F("sub__id"),
            sub_status=F("sub__status"),
            sub_submitted_at=F("sub__first_submitted_at"),
            sub_on_time=F("sub__on_time"),
        )
        .order_by("unit__path", "pk")
    )
    return [ExpectedRow(a, a.sub_pk, a.sub_status, a.sub_submitted_at, a.sub_on_time) for a in agencies]
