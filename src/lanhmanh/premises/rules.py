"""Who may do what with the establishment register (permission predicates, one place).

Reading the register needs the establishment class and either the enforcement class (inspectors,
police, labour officers) or the health class (health staff, who see massage places only). The
culture department's licensing officers (establishment class alone) see no register: they get the
licence-eligibility look-up and the revocation proposals addressed to them.
"""

from __future__ import annotations

from lanhmanh.core.scoping import DataClass, can

INSPECTING_ROLES = ("inspector", "district-labour", "city-coordinator", "commune-officer")
DECIDING_ROLES = ("district-labour", "city-coordinator")
LOOKUP_ROLES = ("licensing", "district-labour", "city-coordinator")


def _has_role(user, *codes: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(set(codes) & set(user.role_codes))


def can_view_register(user) -> bool:
    return can(user, DataClass.ESTABLISHMENT) and (
        can(user, DataClass.ENFORCEMENT) or can(user, DataClass.HEALTH)
    )


def sees_massage_only(user) -> bool:
    """Health staff: the establishment class through health work only (massage places)."""
    return can_view_register(user) and not can(user, DataClass.ENFORCEMENT)


def can_see_owner_identity(user) -> bool:
    return can(user, {DataClass.ESTABLISHMENT, DataClass.IDENTITY})


def can_edit_register(user) -> bool:
    return can_view_register(user) and _has_role(user, *INSPECTING_ROLES, "police")


def can_import(user) -> bool:
    return can_view_register(user) and _has_role(user, "district-labour", "city-coordinator", "inspector")


def can_plan(user) -> bool:
    return can(user, {DataClass.ESTABLISHMENT, DataClass.ENFORCEMENT}) and _has_role(user, *INSPECTING_ROLES)


can_inspect = can_plan


def can_see_sanctions(user) -> bool:
    return can(user, {DataClass.ESTABLISHMENT, DataClass.ENFORCEMENT})


def can_decide_sanction(user) -> bool:
    """Labour officers record the decision the district chair (or the inspectorate) signed."""
    return can_see_sanctions(user) and _has_role(user, *DECIDING_ROLES)


def can_police_check(user) -> bool:
    return can_see_sanctions(user) and _has_role(user, "police")


def can_health_check(user) -> bool:
    return can(user, {DataClass.ESTABLISHMENT, DataClass.HEALTH}) and _has_role(user, "health-worker")


def can_lookup_eligibility(user) -> bool:
    return can(user, DataClass.ESTABLISHMENT) and _has_role(user, *LOOKUP_ROLES)


def can_answer_revocation(user) -> bool:
    return can(user, DataClass.ESTABLISHMENT) and _has_role(user, "licensing")


def can_use_premises(user) -> bool:
    return can_view_register(user) or can_lookup_eligibility(user) or can_answer_revocation(user)
