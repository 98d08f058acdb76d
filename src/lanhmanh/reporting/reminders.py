"""Reminders before and after a report's deadline, escalating to the level above when overdue.

Run daily (``manage.py send_report_reminders`` from cron, or the ``send_report_reminders_task``
django-tasks task). For each form, the periods whose deadline falls within the reminder window:

- ``BEFORE_DAYS`` days or fewer before the deadline: the agency's users are reminded;
- after the deadline and not yet sent: the agency's users get an overdue notice;
- ``ESCALATE_DAYS`` or more after the deadline and still not sent: the approvers one level up are told.

Every message goes once (the notification key names form, period, agency and stage), so running the
command twice a day changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.periods import Period, parse
from lanhmanh.org.levels import approver_path
from lanhmanh.org.models import Agency
from lanhmanh.reporting.completeness import _with_submission
from lanhmanh.reporting.models import AdHocRequest, ReportForm
from lanhmanh.reporting.notifications import approvers_of, notify_users, users_of

BEFORE_DAYS = 3
ESCALATE_DAYS = 5
WINDOW_DAYS = 45  # deadlines further back than this are no longer chased


@dataclass
class ReminderCount:
    before: int = 0
    overdue: int = 0
    escalated: int = 0


def due_periods(form: ReportForm, today: dt.date) -> list[Period]:
    """Periods of a periodic form whose deadline lies within [today - WINDOW_DAYS, today + BEFORE_DAYS]."""
    if form.period_kind is None:
        return []
    periods = []
    current = Period.containing(today, form.period_kind)
    for _step in range(6):
        due = form.deadline_for(current)
        if due < today - dt.timedelta(days=WINDOW_DAYS):
            break
        if due <= today + dt.timedelta(days=BEFORE_DAYS) and current.end < today:
            periods.append(current)
        current = current.previous()
    return periods


def _remind(form, period, due, today, request, count: ReminderCount) -> None:
    missing = (
        _with_submission(
            _expected(form, period, request),
            form,
            period.id,
            request,
        )
        .filter(Q(sub__first_submitted_at__isnull=True))
        .select_related("unit")
    )
    what = request.title if request else f"{form.short_name} {period.label}"
    tag = f"request{request.pk}" if request else period.id
    url = reverse("reporting:inbox")
    missing = list(missing)
    # Each agency's users in one query, and each level above's approvers once: a city's hundreds of communes
    # would otherwise cost a query or two each, every day.
    users: dict[int, list] = defaultdict(list)
    for user in users_of(missing):
        users[user.agency_id].append(user)
    approvers: dict[str, list] = {}
    for agency in missing:
        days = (due - today).days
        if 0 <= days <= BEFORE_DAYS:
            count.before += notify_users(
                users[agency.pk],
                key=f"remind:{form.code}:{tag}:{agency.pk}:before",
                message=_("Nhắc hạn: %(what)s phải gửi trước ngày %(due)s (còn %(days)s ngày).")
                % {"what": what, "due": due.strftime("%d/%m/%Y"), "days": days},
                url=url,
            )
        elif days < 0:
            count.overdue += notify_users(
                users[agency.pk],
                key=f"remind:{form.code}:{tag}:{agency.pk}:overdue",
                message=_("Quá hạn: %(what)s đã quá hạn ngày %(due)s mà chưa gửi.")
                % {"what": what, "due": due.strftime("%d/%m/%Y")},
                url=url,
            )
            if -days >= ESCALATE_DAYS:
                above = approver_path(agency.unit.path)
                if above not in approvers:
                    approvers[above] = list(approvers_of(agency.unit.path))
                count.escalated += notify_users(
                    approvers[above],
                    key=f"remind:{form.code}:{tag}:{agency.pk}:escalated",
                    message=_("%(agency)s chưa gửi %(what)s, quá hạn %(late)s ngày (hạn %(due)s).")
                    % {"agency": agency.name, "what": what, "late": -days, "due": due.strftime("%d/%m/%Y")},
                    url=reverse("reporting:completeness"),
                )


def _expected(form, period, request):
    # The whole country: reminders are not limited to one viewer's subtree.
    if not form.applies_to(period):
        return Agency.objects.none()
    agencies = Agency.objects.filter(
        kind=form.submitter_agency_kind, active=True, unit__level=form.submitter_level
    )
    agencies = agencies.filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=period.end)).filter(
        Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=period.start)
    )
    if request is not None:
        agencies = agencies.filter(unit__in=request.units.all())
    return agencies


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> ReminderCount:
    """Send the reminders due on ``today``. Side effects: notifications, e-mails on commit. Idempotent."""
    today = today or timezone.localdate()
    count = ReminderCount()
    for form in ReportForm.objects.filter(active=True):
        if form.is_ad_hoc:
            continue
        for period in due_periods(form, today):
            _remind(form, period, form.deadline_for(period), today, None, count)
    window = today - dt.timedelta(days=WINDOW_DAYS)
    for request in AdHocRequest.objects.filter(due_date__gte=window).select_related("form"):
        _remind(request.form, parse(request.period_id), request.due_date, today, request, count)
    return count
