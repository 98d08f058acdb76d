"""Levels of the unit tree as data: what a path says about its unit, whatever version it belongs to.

Before 1/7/2025 the tree had three levels (province → district → commune: ``01.002.00079``); since the
reform it has two (province → commune: ``01.00070``). Code outside the unit tree never assumes how
many levels there are, nor that the unit above a commune is a district: it asks this module.

- a path's *depth* is its number of segments; its *level* is read from the width of its last code
  (2 digits: province, 3: district, 5: commune — the GSO widths of ``CODE_WIDTH``);
- the unit above a unit is its path's parent, whatever its level (a 2026 commune's is the city);
- ``child_path`` groups records by the unit one step below a unit in SQL, reading the path, so one
  query serves a three-level and a two-level version alike;
- ``levels_on`` lists the levels a version of the tree has (for a page that names them).

The guard ``tests/org/test_levels_guard.py`` fails if a literal level comparison appears outside the
unit tree's own code.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, Value, When
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from lanhmanh.org.models import CODE_WIDTH, AdministrativeUnit, UnitLevel

LEVEL_OF_WIDTH = {width: level for level, width in CODE_WIDTH.items()}
TOP_LEVEL = min(CODE_WIDTH)
LOWEST_LEVEL = max(CODE_WIDTH)
DISTRICT_LEVEL = UnitLevel.DISTRICT
COMMUNE_LEVEL = UnitLevel.COMMUNE


def path_depth(path: str) -> int:
    """Segments of a path: ``01`` 1, ``01.00070`` 2, ``01.002.00079`` 3."""
    return path.count(".") + 1


def path_level(path: str) -> int:
    """The administrative level of the unit at ``path``, read from its last code's width."""
    return LEVEL_OF_WIDTH.get(len(path.rsplit(".", 1)[-1]), LOWEST_LEVEL)


def path_prefix(path: str, depth: int) -> str:
    """The ancestor of ``path`` at ``depth`` segments (the path itself when it is not deeper)."""
    return ".".join(path.split(".")[:depth])


def parent_path(path: str) -> str | None:
    return path.rsplit(".", 1)[0] if "." in path else None


def is_lowest(level_or_path: int | str) -> bool:
    """Whether a unit (its level, or its path) is at the lowest level: nothing below it."""
    level = path_level(level_or_path) if isinstance(level_or_path, str) else level_or_path
    return level >= LOWEST_LEVEL


def is_top(level_or_path: int | str) -> bool:
    level = path_level(level_or_path) if isinstance(level_or_path, str) else level_or_path
    return level <= TOP_LEVEL


def is_district(level_or_path: int | str) -> bool:
    level = path_level(level_or_path) if isinstance(level_or_path, str) else level_or_path
    return level == DISTRICT_LEVEL


def approver_path(unit_path: str) -> str:
    """The unit whose approver decides a report of ``unit_path``: the unit above (a 2014 commune's
    district, a 2026 commune's city), or the top unit itself for its own reports."""
    return parent_path(unit_path) or unit_path


def child_path(field, unit_path: str):
    """SQL: the path of the unit one step below ``unit_path`` that ``field`` (a lookup, or an expression
    giving a path) lies in (``field`` itself for the unit's own records, and for anything already one
    step below). Reads the next segment whatever its width, so a 2014 district and a 2026 commune
    group alike."""
    value = F(field) if isinstance(field, str) else field
    start = len(unit_path) + 2  # 1-based position of the first character after "unit_path."
    dot = StrIndex(Substr(value, start), Value("."))
    return Case(
        When(GreaterThan(dot, 0), then=Substr(value, 1, dot + Value(start - 2))),
        default=value,
    )


def levels_on(day: dt.date, *, within: str | None = None) -> tuple[int, ...]:
    """The levels of the tree version valid on ``day`` (under ``within`` when given), top first:
    (1, 2, 3) before the 2025 reform, (1, 3) after it."""
    units = AdministrativeUnit.objects.valid_on(day)
    if within:
        units = units.subtree(within)
    return tuple(sorted(set(units.values_list("level", flat=True).distinct().order_by())))


def level_below(level: int, levels: tuple[int, ...]) -> int | None:
    lower = [x for x in levels if x > level]
    return min(lower) if lower else None


def level_above(level: int, levels: tuple[int, ...]) -> int | None:
    higher = [x for x in levels if x < level]
    return max(higher) if higher else None


def level_name(level: int) -> str:
    return str(UnitLevel(level).label) if level in UnitLevel.values else _("cấp %(n)s") % {"n": level}
