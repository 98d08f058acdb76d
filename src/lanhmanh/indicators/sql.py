"""The SQL behind an evaluation: one or two aggregate queries per computed indicator (a filtered GROUP BY
and the total), from the live rollup rows for whole months or from the records; rows are never loaded
into Python. Groupings by unit follow the map of successions for periods ending after the 2025 reform.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from decimal import Decimal

from django.db import models
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from lanhmanh.core.periods import MONTH, QUARTER, YEAR, Period
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators.cells import EvaluationError, level_of
from lanhmanh.indicators.models import Rollup
from lanhmanh.indicators.registry import ComputedSource
from lanhmanh.indicators.rollup import (
    as_value,
    counted_member,
    decode_key,
    district_dims,
    integer_valued,
    kept_disaggregations,
    members_source,
    own_dims,
)
from lanhmanh.org.levels import child_path, is_lowest, path_depth, path_prefix
from lanhmanh.org.successions import counted_in_q, counted_path, counted_paths, counting_day, crossing_links

UNIT_GROUPS = {"district": 2, "commune": 3}
TIME_GROUPS = {"month": (TruncMonth, MONTH), "quarter": (TruncQuarter, QUARTER), "year": (TruncYear, YEAR)}

_TREES: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lanhmanh_indicator_trees", default=None)


@contextlib.contextmanager
def shared_trees():
    """Within the block, the tree of an (indicator, period) is queried and protected once (a page that
    evaluates one indicator several times, e.g. the plan dashboard). Nothing outlives the block."""
    token = _TREES.set({}) if _TREES.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _TREES.reset(token)


def shared_cache() -> dict | None:
    """The cache of the enclosing ``shared_trees`` block (None outside one)."""
    return _TREES.get()


def _field_for(model: type[models.Model], lookup: str) -> models.Field:
    parts = lookup.split("__")
    current = model
    for part in parts[:-1]:
        current = current._meta.get_field(part).related_model
    return current._meta.get_field(parts[-1])


def _date_filter(source: ComputedSource, model, period: Period) -> dict:
    lookup = source.date_field
    if isinstance(_field_for(model, lookup), models.DateTimeField):
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return {f"{lookup}__gte": start, f"{lookup}__lt": end}
    return {f"{lookup}__gte": period.start, f"{lookup}__lte": period.end}


def _unit_group(name: str, field: str, unit_path: str, day: dt.date | None = None):
    """``child``: the unit one step below ``unit_path`` (a district in 2014, a commune since the 2025
    reform); ``district``: the unit one step below the province; ``commune``: the record's own unit
    (communes are the lowest level; records kept higher up stay at their unit). With ``day`` (a period
    ending after the reform) a record of an ended unit counts under its successor on that day
    (``org.successions.counted_path``)."""
    path = F(field) if day is None else counted_path(field, day)
    if name == "commune":
        return path
    if name == "district":
        return child_path(path, path_prefix(unit_path, 1))
    if is_lowest(unit_path):
        raise EvaluationError("Đơn vị cấp xã không có đơn vị cấp dưới để phân tổ.")
    return child_path(path, unit_path)


def _in_subtree(unit_path: str, field: str, period: Period):
    """Records counted in the subtree of ``unit_path`` over ``period``: those kept in it; for a period
    ending after the reform, on the map of its last day (``org.successions.counted_in_q``)."""
    day = counting_day(period.end)
    if day is None:
        return path_q(unit_path, field)
    return counted_in_q(
        unit_path, field, day, memo(("crossing", unit_path, day), crossing_links, unit_path, day)
    )


def memo(key: tuple, function, *args):
    """``function(*args)``, kept for the rest of a ``shared_trees`` block (a page asks many indicators
    the same question about the map)."""
    cache = _TREES.get()
    if cache is None:
        return function(*args)
    if key not in cache:
        cache[key] = function(*args)
    return cache[key]


def _is_unit_group(name: str) -> bool:
    return name in UNIT_GROUPS or name == "child"


def _cut(name: str, path: str | None, unit_path: str) -> str | None:
    """What ``_unit_group`` gives for a record at ``path`` (already placed on the map), in Python."""
    if name == "commune" or path is None:
        return path
    depth = path_depth(path_prefix(unit_path, 1) if name == "district" else unit_path) + 1
    return path if path_depth(path) <= depth else path_prefix(path, depth)


def _sort_key(key: tuple) -> tuple:
    return tuple((part is None, type(part).__name__, part if part is not None else 0) for part in key)


def _regrouped(raw: list[tuple[tuple, object]], by: tuple[str, ...], unit_path: str, moved: dict) -> list:
    """Rows grouped by the records' own unit paths (``raw``) regrouped on the map of the period's end:
    each path moved to the path it counts under (``moved``) and cut to the grouping. Only for values that
    add up (sums, plain counts)."""
    rows: dict[tuple, object] = {}
    for key, value in raw:
        key = tuple(
            _cut(name, moved.get(part, part), unit_path) if _is_unit_group(name) else part
            for name, part in zip(by, key, strict=True)
        )
        if value is None:
            rows.setdefault(key, None)
        else:
            rows[key] = (rows.get(key) or 0) + value
    return sorted(rows.items(), key=lambda item: _sort_key(item[0]))


def _on_map(by: tuple[str, ...], unit_path: str, period: Period) -> dt.date | None:
    """The day whose map the unit groupings of ``by`` are counted on (None: the records' own units).
    Raises EvaluationError for a grouping the unit cannot have (``child`` of a commune)."""
    units = [name for name in by if _is_unit_group(name)]
    for name in units:
        _unit_group(name, "path", unit_path)
    return counting_day(period.end) if units else None


def _moved_paths(raw: list[tuple[tuple, object]], by: tuple[str, ...], day: dt.date) -> dict[str, str]:
    paths = {key[i] for key, _v in raw for i, name in enumerate(by) if _is_unit_group(name)}
    cache = _TREES.get()
    if cache is None:
        return {p: c for p, c in counted_paths(paths, day).items() if p != c}
    known = cache.setdefault(("moved", day), {})
    known.update(counted_paths(paths - known.keys(), day))
    return {p: known[p] for p in paths if p in known and known[p] != p}


def _group_expression(name: str, source: ComputedSource, unit_path: str, day: dt.date | None = None):
    if _is_unit_group(name):
        return _unit_group(name, source.unit_path, unit_path, day)
    if name in TIME_GROUPS:
        if source.date_field is None:
            raise EvaluationError(
                f"Chỉ số “{source.code}” không gắn với ngày nên không phân tổ theo thời gian."
            )
        return TIME_GROUPS[name][0](source.date_field)
    return F(source.disaggregations[name])


def _key_value(name: str, raw):
    if name in TIME_GROUPS and raw is not None:
        return _period_id(name, raw.date() if isinstance(raw, dt.datetime) else raw)
    return raw


@functools.lru_cache(maxsize=4096)
def _period_id(name: str, day: dt.date) -> str:
    """The id of the month/quarter/year holding ``day`` (a tree reads thousands of rows of a few months)."""
    return Period.containing(day, TIME_GROUPS[name][1]).id


def rollup_usable(source: ComputedSource, period: Period, by: tuple[str, ...]) -> bool:
    """Rollup rows answer whole-month periods grouped by units, time and at most one disaggregation, one
    the rollup keeps (a distinct count: by units and time only; its member rows carry none)."""
    if not (source.rollup and source.date_field):
        return False
    if period.start.day != 1 or (period.end + dt.timedelta(days=1)).day != 1:
        return False
    names = [name for name in by if name in source.disaggregations]
    return not names or (len(names) == 1 and names[0] in kept_disaggregations(source))


def _rollup_group_expression(name: str, source: ComputedSource, unit_path: str):
    if _is_unit_group(name):
        return _unit_group(name, "unit_path", unit_path)
    if name == "month":
        return F("month")
    if name in TIME_GROUPS:
        return TIME_GROUPS[name][0]("month")
    return F("key")


def raw_from_rollup(
    source, unit_path, period, by, with_total=True
) -> tuple[object, list[tuple[tuple, object]]]:
    if counted_member(source) is not None:
        # The member rows (unit, month, member) counted distinct, grouped and placed on the map as the
        # records would be (``raw_direct``'s rules for values that do not add up).
        return raw_direct(members_source(source.code, source.unit), unit_path, period, by, with_total)
    dims = next((name for name in by if name in source.disaggregations), "")
    # Rows cut to the units one step below the province (2014 districts, 2026 communes) answer any
    # view at the city, or at such a unit, that groups no finer; not when records of ended units count
    # under their successors (a row cut to a 2014 district cannot say which new commune it went to).
    depths = [
        2 if name == "district" else (3 if name == "commune" else level_of(unit_path) + 1)
        for name in by
        if name in UNIT_GROUPS or name == "child"
    ]
    if counting_day(period.end) is None and level_of(unit_path) <= 2 and all(depth <= 2 for depth in depths):
        kept = district_dims(dims)
    else:
        kept = own_dims(dims)
    queryset = Rollup.objects.filter(
        _in_subtree(unit_path, "unit_path", period),
        source=source.code,
        dims__in=kept,
        month__gte=period.start,
        month__lte=period.end,
        rows__gt=0,
    ).order_by()
    total = as_value(source, queryset.aggregate(v=Sum("value"))["v"]) if with_total else None
    if not by:
        return total, []
    convert = [
        decode_key if name in source.disaggregations else functools.partial(_key_value, name) for name in by
    ]
    integer = integer_valued(source)

    def grouped(expressions: dict) -> list[tuple[tuple, object]]:
        names = list(expressions)
        rows = []
        for row in (
            queryset.values(**expressions).annotate(v=Sum("value")).order_by(*names).values_list(*names, "v")
        ):
            key = tuple(f(raw) for f, raw in zip(convert, row, strict=False))
            value = row[-1]
            rows.append((key, None if value is None else int(value) if integer else Decimal(value)))
        return rows

    day = _on_map(by, unit_path, period)
    if day is not None:
        # By the rows' own unit paths, then each ended unit's under its successor (sums add up).
        raw = grouped(
            {
                f"k{i}": F("unit_path")
                if _is_unit_group(name)
                else _rollup_group_expression(name, source, unit_path)
                for i, name in enumerate(by)
            }
        )
        return total, _regrouped(raw, by, unit_path, _moved_paths(raw, by, day))
    return total, grouped(
        {f"k{i}": _rollup_group_expression(name, source, unit_path) for i, name in enumerate(by)}
    )


def raw_direct(source, unit_path, period, by, with_total=True) -> tuple[object, list[tuple[tuple, object]]]:
    queryset = source.queryset().order_by()
    queryset = queryset.filter(_in_subtree(unit_path, source.unit_path, period))
    if source.date_field:
        queryset = queryset.filter(**_date_filter(source, queryset.model, period))
    if source.period_filter is not None:
        queryset = source.period_filter(queryset, period)
    total = queryset.aggregate(v=source.value)["v"] if with_total else None
    if not by:
        return total, []

    def grouped(day: dt.date | None = None, own_paths: bool = False) -> list[tuple[tuple, object]]:
        expressions = {
            f"k{i}": F(source.unit_path)
            if own_paths and _is_unit_group(name)
            else _group_expression(name, source, unit_path, day)
            for i, name in enumerate(by)
        }
        names = list(expressions)
        rows = queryset.values(**expressions).annotate(v=source.value).order_by(*names)
        return [
            (tuple(_key_value(name, row[k]) for name, k in zip(by, names, strict=True)), row["v"])
            for row in rows
        ]

    day = _on_map(by, unit_path, period)
    if day is None:
        return total, grouped()
    # On the map of the period's end: grouped by the records' own unit paths, then each ended unit's
    # rows moved to its successor. Values that do not add up (distinct counts) are grouped again in SQL,
    # with the successor looked up per record when any record lies in an ended unit.
    raw = grouped(own_paths=True)
    moved = _moved_paths(raw, by, day)
    if additive(source):
        return total, _regrouped(raw, by, unit_path, moved)
    if not moved and all(name == "commune" for name in by if _is_unit_group(name)):
        return total, raw
    return total, grouped(day if moved else None)


def additive(source: ComputedSource) -> bool:
    """Whether values add up over units and months (sums and plain counts; not distinct counts)."""
    value = source.value
    if isinstance(value, models.Count):
        return not getattr(value, "distinct", False)
    return source.rollup or isinstance(value, Sum)


def raw_values(source, unit_path, period, by, use_rollup, with_total=True):
    if use_rollup and rollup_usable(source, period, by):
        return raw_from_rollup(source, unit_path, period, by, with_total)
    return raw_direct(source, unit_path, period, by, with_total)


def _tree_ident(key: str, depth: int | None) -> tuple:
    """The cell a row grouped at ``depth`` (None: by the record's own unit) belongs to: the unit, or the
    records kept at a unit above (a district's own, the city's own)."""
    unit = is_lowest(key) if depth is None else level_of(key) == depth
    return ("n", key, None) if unit else ("s", key, None)


def _add(values: dict, ident: tuple, value) -> None:
    if value is None:
        values.setdefault(ident, None)
    else:
        values[ident] = (values.get(ident) or 0) + value


def tree_values(source: ComputedSource, root: str, period: Period, use_rollup: bool) -> dict[tuple, object]:
    """Every cell of the tree under ``root``: two queries for additive values (one GROUP BY by commune
    and month, summed up the tree), else two per level and grouping."""
    dated = bool(source.date_field)
    values: dict[tuple, object] = {}
    if additive(source):
        by = ("commune", "month") if dated else ("commune",)
        total, rows = raw_values(source, root, period, by, use_rollup)
        # Thousands of rows of a few hundred units: each path's own cell and its units above, worked out once.
        units: dict[str, tuple[tuple | None, list[str]]] = {}
        for key, value in rows:
            path, month = key[0], key[1] if dated else None
            unit = units.get(path)
            if unit is None:
                ident = _tree_ident(path, None)
                parts = path.split(".")
                # The unit and every unit above it (summed here); records kept at a unit above the
                # lowest (a district's own, the city's own) also count as that unit's own ("s").
                unit = units[path] = (
                    ident if ident[0] == "s" else None,
                    [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)],
                )
            own, prefixes = unit
            if own is not None:
                _add(values, own, value)
            for prefix in prefixes:
                _add(values, ("n", prefix, None), value)
                if month:
                    _add(values, ("n", prefix, month), value)
        values[("n", root, None)] = 0 if total is None else total
        return values
    total, rows = raw_values(source, root, period, ("month",) if dated else (), use_rollup)
    values[("n", root, None)] = 0 if total is None else total
    for (month,), value in rows:
        values[("n", root, month)] = value
    for depth, name in ((2, "district"), (None, "commune")):
        _total, rows = raw_values(source, root, period, (name,), use_rollup, with_total=False)
        for (path,), value in rows:
            values[_tree_ident(path, depth)] = value
        if dated:
            _total, rows = raw_values(source, root, period, (name, "month"), use_rollup, with_total=False)
            for (path, month), value in rows:
                if _tree_ident(path, depth)[0] == "n":
                    values[("n", path, month)] = value
    return values
