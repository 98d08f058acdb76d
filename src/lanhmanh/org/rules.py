"""Permission predicates of the org app, named for what they allow."""

from __future__ import annotations

from lanhmanh.org.models import Role


def can_manage_unit_successions(user) -> bool:
    """Correct which new commune a pre-reform commune became: the city coordinator and the system administrator."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(
        Role.CITY_COORDINATOR, Role.SYSTEM_ADMIN
    )
