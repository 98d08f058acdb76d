"""Home panel: overdue referrals for the agency that sent them and the agency that received them."""

from __future__ import annotations

from django.utils import timezone

from lanhmanh.core.home import HomePanel, register
from lanhmanh.support.rules import can_do_casework, can_receive_referrals
from lanhmanh.support.selectors import open_tasks_for, overdue_referrals_for


def _context(user) -> dict:

    return overdue_referrals_for(user)


register(
    HomePanel(
        key="support-overdue-referrals",
        template="support/_home_overdue.html",
        allowed=lambda user: can_do_casework(user) or can_receive_referrals(user),
        context=_context,
        order=40,
    )
)


def _outreach_context(user) -> dict:

    tasks = list(open_tasks_for(user).select_related("unit", "agency", "source_sanction")[:20])
    return {"tasks": tasks, "today": timezone.localdate()}


register(
    HomePanel(
        key="support-open-outreach",
        template="support/_home_outreach.html",
        allowed=can_do_casework,
        context=_outreach_context,
        order=35,
    )
)
