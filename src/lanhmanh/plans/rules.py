"""Who may do what with a plan's lists, quotas and district plans."""

from __future__ import annotations

from lanhmanh.org.models import Role
from lanhmanh.plans.selectors import is_coordinator


def can_manage_district_plan(user, parent, unit) -> bool:
    """The city plan's coordinator for any district; a district labour office (which advises the district
    committee that issues it) for its own district."""
    if is_coordinator(user, parent):
        return True
    return user.has_role(Role.DISTRICT_LABOUR) and user.jurisdiction_path == unit.path


def can_manage_items(user, target) -> bool:
    """The lists of a target (hotspots, designated communes) are the plan coordinator's."""
    return is_coordinator(user, target.plan)
