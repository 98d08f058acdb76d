"""Who may do what with reports: the submitting agency enters and submits; the level above approves.

- a submission is entered and submitted by users of the agency it belongs to;
- a commune's report is approved by the district labour office of its district; a district's (and the
  city's own) by the city coordinator;
- approvers see every report of their jurisdiction; everybody else sees only their own agency's.
"""

from __future__ import annotations

from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.models import Role

APPROVER_ROLE_AT_LEVEL = {1: Role.CITY_COORDINATOR, 2: Role.DISTRICT_LABOUR}
APPROVER_ROLES = tuple(APPROVER_ROLE_AT_LEVEL.values())
SUBMITTER_ROLES = (
    Role.CITY_COORDINATOR,
    Role.DISTRICT_LABOUR,
    Role.COMMUNE_OFFICER,
    Role.POLICE,
    Role.INSPECTOR,
)


def is_approver(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*APPROVER_ROLES)


def is_submitter(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*SUBMITTER_ROLES)


def can_enter(user, submission) -> bool:
    return is_submitter(user) and user.agency_id == submission.agency_id


def can_approve(user, submission) -> bool:
    """The level above the submitting unit, with its approver role, over the unit's subtree."""
    form = submission.form
    level = form.approver_level
    role = APPROVER_ROLE_AT_LEVEL.get(level)
    if role is None or not user.has_role(role) or user.unit.level != level:
        return False
    return in_subtree(submission.unit_path, user.jurisdiction_path)


def can_view_unit(user, unit_path: str) -> bool:
    """Reports and consolidations of a unit: approvers over it, or the unit's own agencies."""
    if is_approver(user) and in_subtree(unit_path, user.jurisdiction_path):
        return True
    return is_submitter(user) and user.jurisdiction_path == unit_path
