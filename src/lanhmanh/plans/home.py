"""Home panel: the plan the user works under, and a switch when several cover their unit (2014, 2026)."""

from __future__ import annotations

from lanhmanh.core.home import HomePanel, register
from lanhmanh.plans.selectors import plan_switch_for


def _allowed(user) -> bool:
    return bool(getattr(user, "agency_id", None)) and bool(plan_switch_for(user)["plans"])


register(
    HomePanel(
        key="plan-switch",
        template="plans/_home_plan_switch.html",
        allowed=_allowed,
        context=plan_switch_for,
        order=10,
    )
)
