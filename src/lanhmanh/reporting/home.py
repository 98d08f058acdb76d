"""Home panel: the officer's reports due and late (and returned), and for approvers the reports waiting."""

from __future__ import annotations

from lanhmanh.core.home import HomePanel, register
from lanhmanh.reporting.rules import is_approver, is_submitter
from lanhmanh.reporting.selectors import home_reports_for


def _context(user) -> dict:

    return home_reports_for(user)


register(
    HomePanel(
        key="reporting-due",
        template="reporting/_home_reports.html",
        allowed=lambda user: is_submitter(user) or is_approver(user),
        context=_context,
        order=30,
    )
)
