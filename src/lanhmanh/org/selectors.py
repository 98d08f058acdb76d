"""Reads scoped to a user."""

from __future__ import annotations

from django.db.models import Count, Q

from lanhmanh.core.scoping import DataClass
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, UnitLevel, User


def units_for(user: User):
    """Administrative units in the user's jurisdiction (the unit and its subtree)."""
    return AdministrativeUnit.objects.subtree(user.jurisdiction_path)


def agencies_for(user: User):
    """Agencies acting at units in the user's jurisdiction (agencies are not personal data)."""
    return Agency.objects.filter(unit__in=units_for(user)).select_related("unit")


def home_summary(user: User) -> dict:
    """What the home page says about the user: agency, unit (with its ancestors), roles, data classes
    and the number of units below the user's unit. Reads no personal data; unit counts come from one aggregate query."""
    unit = AdministrativeUnit.objects.select_related("parent__parent").get(pk=user.agency.unit_id)
    counts = (
        AdministrativeUnit.objects.subtree(unit)
        .filter(level__gt=unit.level)
        .aggregate(
            districts=Count("pk", filter=Q(level=UnitLevel.DISTRICT)),
            communes=Count("pk", filter=Q(level=UnitLevel.COMMUNE)),
        )
    )
    roles = list(user.roles.all())
    granted = {code for role in roles for code in (role.data_classes or ())}
    return {
        "unit": unit,
        "agency": user.agency,
        "roles": roles,
        "data_classes": [DataClass(c) for c in DataClass.values if c in granted],
        "districts": counts["districts"],
        "communes": counts["communes"],
        "is_admin": any(role.code == Role.SYSTEM_ADMIN for role in roles),
    }
