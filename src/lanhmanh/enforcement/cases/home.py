"""Home panel: cases past a legal time limit, for the agency whose turn it is (police, court)."""

from __future__ import annotations

from django.utils import timezone

from lanhmanh.core.home import HomePanel, register
from lanhmanh.enforcement.cases.rules import handles_cases
from lanhmanh.enforcement.cases.selectors import overdue_for


def _context(user) -> dict:
    return {"overdue": overdue_for(user), "today": timezone.localdate()}


register(
    HomePanel(
        key="cases-overdue",
        template="cases/_home_overdue.html",
        allowed=handles_cases,
        context=_context,
        order=30,
    )
)
