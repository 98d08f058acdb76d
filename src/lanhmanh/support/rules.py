"""Who may do what in outreach and support: permission predicates, named for what they allow.

Plain functions of ``core.scoping.can`` and the user's roles (composable with ``and``/``or``). What a
user may *see* of a task, case or referral is the selectors' business (``support/selectors.py``).
Importable before the models (``apps.py`` uses them), so only ``core.scoping`` is imported here.
"""

from __future__ import annotations

from lanhmanh.core.scoping import DataClass, can

CASEWORK = {DataClass.IDENTITY, DataClass.SUPPORT}
SUPERVISOR_ROLES = ("district-labour", "city-coordinator")
PROGRAMME_MANAGER_ROLES = ("city-coordinator", "district-labour")


def can_do_casework(user) -> bool:
    """Outreach tasks and support cases: identity and support classes."""
    return can(user, CASEWORK)


def can_receive_referrals(user) -> bool:
    """Referrals sent to the user's agency: identity, and support or health."""
    return can(user, DataClass.IDENTITY) and (can(user, DataClass.SUPPORT) or can(user, DataClass.HEALTH))


def can_open_child_case(user) -> bool:
    """Who may open a child protection case: identity, support and child classes (district labour,
    the city coordinator, social workers)."""
    return can(user, {DataClass.IDENTITY, DataClass.SUPPORT, DataClass.CHILD})


def is_supervisor(user) -> bool:
    """Casework supervisors: the district labour office and the city coordinator."""
    return can(user, CASEWORK) and user.has_role(*SUPERVISOR_ROLES)


def sees_health(user) -> bool:
    return can(user, DataClass.HEALTH)


def may_manage_programmes(user) -> bool:
    """Who creates and edits programmes: the city coordinator and district labour officers."""
    return can(user, DataClass.AGGREGATE) and user.has_role(*PROGRAMME_MANAGER_ROLES)


def can_see_programmes(user) -> bool:
    return can_do_casework(user) or may_manage_programmes(user)
