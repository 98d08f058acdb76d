"""Reads for the API, scoped like the pages: a user sees units and agencies in their jurisdiction subtree."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.http import Http404

from lanhmanh.core.scoping import path_q
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.org.selectors import agencies_for, units_for


def api_units(
    user,
    *,
    level: int | None = None,
    parent: str | None = None,
    q: str = "",
    valid_on: dt.date | None = None,
):
    """Units in the user's subtree, filtered: by level, by parent path (direct children), by name, by validity."""
    units = units_for(user).select_related("parent").prefetch_related("successors")
    if level is not None:
        units = units.filter(level=level)
    if parent:
        units = units.filter(parent__path=parent)
    if q:
        units = units.filter(name__icontains=q)
    if valid_on is not None:
        units = units.valid_on(valid_on)
    return units.order_by("path", "pk")


def api_unit_get(user, path: str, *, valid_on: dt.date | None = None) -> AdministrativeUnit:
    """The version of the unit at ``path`` valid on ``valid_on`` (default: the current version, else the latest).

    Http404 whether the unit does not exist or lies outside the user's jurisdiction.
    """
    versions = api_units(user, valid_on=valid_on).filter(path=path)
    unit = versions.order_by(
        F("valid_to").desc(nulls_first=True), F("valid_from").desc(nulls_last=True)
    ).first()
    if unit is None:
        raise Http404
    return unit


def api_agencies(user, *, kind: str = "", unit: str = "", q: str = ""):
    """Agencies acting in the user's subtree, filtered by kind, by unit (that unit and below) and by name."""
    agencies = agencies_for(user).select_related("unit", "parent")
    if kind:
        agencies = agencies.filter(kind=kind)
    if unit:
        agencies = agencies.filter(path_q(unit, "unit__path"))
    if q:
        agencies = agencies.filter(name__icontains=q)
    return agencies.order_by("unit__path", "kind", "name", "pk")


def api_agency_get(user, code: str) -> Agency:
    """One agency by code; Http404 whether it does not exist or acts outside the user's jurisdiction."""
    agency = api_agencies(user).filter(code=code).first()
    if agency is None:
        raise Http404
    return agency
