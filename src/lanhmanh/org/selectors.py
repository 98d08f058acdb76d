"""Reads scoped to a user."""

from __future__ import annotations

from lanhmanh.core.scoping import DataClass
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, UnitLevel, User


def units_for(user: User):
    """Administrative units in the user's jurisdiction (the unit and its subtree)."""
    return AdministrativeUnit.objects.subtree(user.jurisdiction_path)


def agencies_for(user: User):
    """Agencies acting at units in the user's jurisdiction (agencies are not personal data)."""
    return Agency.objects.filter(unit__in=units_for(user)).select_related("unit")


def home_summary(user: User) -> dict:
    units = units_for(user)
    counts = dict.fromkeys(UnitLevel.values, 0)
    for row in units.values_list("level", flat=True):
        counts[row] += 1
    return {
        "unit": user.unit,
        "agency": user.agency,
        "roles": list(user.roles.all()),
        "data_classes": [DataClass(c) for c in DataClass.values if c in user.data_classes],
        "districts": counts[UnitLevel.DISTRICT],
        "communes": counts[UnitLevel.COMMUNE],
        "is_admin": user.has_role(Role.SYSTEM_ADMIN),
    }
