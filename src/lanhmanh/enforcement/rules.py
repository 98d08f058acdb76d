"""Who may do what with hotspots, patrols and tips (predicates; jurisdiction is the selectors' job).

- Hotspots are places: every role with the enforcement class reads those of its jurisdiction.
- The register (new hotspots, status changes, target lists) is kept by the police and the city coordinator;
  re-emergence is confirmed by the police alone.
- Patrols are recorded by the police and by commune officers (ward patrol teams report through them).
- Tips may name people: only intake officers (police, city coordinator) read them, and only they see the
  sender's contact; triage (assignment, links, outcome) is the police's.
"""

from __future__ import annotations

from lanhmanh.core.scoping import DataClass, can

POLICE = "police"
COORDINATOR = "city-coordinator"
COMMUNE_OFFICER = "commune-officer"


def _has_role(user, *codes: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(set(codes) & set(user.role_codes))


def can_see_hotspots(user) -> bool:
    return can(user, DataClass.ENFORCEMENT)


def can_keep_register(user) -> bool:
    return can_see_hotspots(user) and _has_role(user, POLICE, COORDINATOR)


def can_record_patrol(user) -> bool:
    return can_see_hotspots(user) and _has_role(user, POLICE, COMMUNE_OFFICER)


def can_confirm_reemergence(user) -> bool:
    return can_see_hotspots(user) and _has_role(user, POLICE)


def can_take_tips(user) -> bool:
    """Intake officers: read tips of their jurisdiction with the sender's contact, type hotline tips."""
    return can(user, DataClass.ENFORCEMENT) and _has_role(user, POLICE, COORDINATOR)


def can_triage_tips(user) -> bool:
    return can_take_tips(user) and _has_role(user, POLICE)
