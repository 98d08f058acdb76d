"""Reads for indicator pages, scoped to the user's jurisdiction."""

from __future__ import annotations

from django.http import Http404

from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.models import AdministrativeUnit


def unit_for(user, path: str | None) -> AdministrativeUnit:
    """The unit at ``path`` (default: the user's own) if it lies in the user's jurisdiction, else 404."""
    if not path:
        return user.unit
    if not in_subtree(path, user.jurisdiction_path):
        raise Http404
    unit = AdministrativeUnit.objects.filter(path=path).order_by("valid_from").first()
    if unit is None:
        raise Http404
    return unit


def unit_names(paths) -> dict[str, str]:
    """Full names of the units at ``paths`` (one query)."""
    return {
        u.path: u.full_name
        for u in AdministrativeUnit.objects.filter(path__in=set(paths)).only("path", "name", "kind")
    }


def breadcrumbs(unit: AdministrativeUnit, user) -> list[AdministrativeUnit]:
    """The unit's ancestors from the top of the user's jurisdiction down to the unit."""
    chain = []
    node = unit
    while node is not None:
        chain.append(node)
        if node.path == user.jurisdiction_path:
            break
        node = node.parent
    return list(reversed(chain))
