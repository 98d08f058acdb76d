"""Who may do what with reports: the submitting agency enters and submits; the level above approves.

- a submission is entered and submitted by users of the agency it belongs to;
- a report is approved at the unit above the submitting unit (``org.levels.approver_path``): a 2014
  commune's by the labour office of its district, a 2026 commune's (no district since 1/7/2025), a
  district's and the city's own by the city coordinator;
- approvers see every report of their jurisdiction; everybody else sees only their own agency's.
"""

from __future__ import annotations

from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.levels import approver_path, path_level
from lanhmanh.org.models import Role, UnitLevel

# The approver's role by the level of the unit it approves at (whatever the level below it is).
APPROVER_ROLE_AT_LEVEL = {UnitLevel.PROVINCE: Role.CITY_COORDINATOR, UnitLevel.DISTRICT: Role.DISTRICT_LABOUR}
APPROVER_ROLES = tuple(APPROVER_ROLE_AT_LEVEL.values())
SUBMITTER_ROLES = (
    Role.CITY_COORDINATOR,
    Role.DISTRICT_LABOUR,
    Role.COMMUNE_OFFICER,
    Role.POLICE,
    Role.INSPECTOR,
    Role.SECTOR_REPORTER,
)


def is_approver(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*APPROVER_ROLES)


def is_submitter(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*SUBMITTER_ROLES)


def can_enter(user, submission) -> bool:
    return is_submitter(user) and user.agency_id == submission.agency_id


def can_approve(user, submission) -> bool:
    """The unit above the submitting unit (a 2014 district, the city), with its approver role."""
    where = approver_path(submission.unit_path)
    role = APPROVER_ROLE_AT_LEVEL.get(path_level(where))
    if role is None or not user.has_role(role) or user.jurisdiction_path != where:
        return False
    return in_subtree(submission.unit_path, user.jurisdiction_path)


def can_view_unit(user, unit_path: str) -> bool:
    """Reports and consolidations of a unit: approvers over it, or the unit's own agencies."""
    if is_approver(user) and in_subtree(unit_path, user.jurisdiction_path):
        return True
    return is_submitter(user) and user.jurisdiction_path == unit_path
