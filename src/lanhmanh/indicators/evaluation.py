"""Evaluate an indicator for a unit's subtree over a period, grouped by units, time or disaggregations.

Everything is one or two SQL aggregate queries per computed indicator (a filtered GROUP BY and the
total): rows are never loaded into Python. Values are live: the one thing kept between requests is
the protected unit tree of a rollup source, by a version token that every write to its rollup rows
changes in the writing transaction (``tree_for``), so a read after a change never sees the old tree.

Small counts: a computed source that declares ``owner_agency_kinds`` holds records about people; a
cell counting 1–4 of them is shown as "< 5" to users whose agency is not one of those kinds. The
value itself is dropped from the cell, so exports built from it cannot leak it either.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import datetime as dt
import functools
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from lanhmanh.core.periods import MONTH, QUARTER, YEAR, Period, parse
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators import formula as formulas
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.registry import ComputedSource, reported_provider, source_for
from lanhmanh.org.levels import (
    child_path,
    is_district,
    is_lowest,
    is_top,
    path_depth,
    path_prefix,
)
from lanhmanh.org.successions import (
    counted_in_q,
    counted_path,
    counted_paths,
    counting_day,
    crossing_links,
)

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "< 5"
COMPLEMENTARY = "x"
# A unit's figure not shown at all (nothing said of it), where neither "< 5" nor "x" would be safe and true.
NOT_SHOWN = "…"
PRIMARY = "primary"
SECONDARY = "secondary"
WITHHELD = "withheld"
UNIT_GROUPS = {"district": 2, "commune": 3}
TIME_GROUPS = {"month": (TruncMonth, MONTH), "quarter": (TruncQuarter, QUARTER), "year": (TruncYear, YEAR)}


def level_of(path: str) -> int:
    """The depth of a path (its segments); its administrative level is ``org.levels.path_level``."""
    return path_depth(path)


@dataclass(frozen=True)
class Cell:
    key: tuple
    value: Decimal | int | None
    suppressed: bool = False
    # Hidden only so that a small cell next to it cannot be worked out from the total ("x").
    complementary: bool = False
    # Not shown at all ("…"): a small count that "< 5" would give away (see ``settle_tree``). Counted as
    # complementary by readers of the flags, as it says nothing of the value.
    withheld: bool = False

    @property
    def display(self) -> str:
        if self.suppressed:
            if self.withheld:
                return NOT_SHOWN
            return COMPLEMENTARY if self.complementary else SUPPRESSED
        if self.value is None:
            return "—"
        if isinstance(self.value, Decimal) and self.value != self.value.to_integral_value():
            return f"{self.value:,.1f}".replace(",", "\u00a0").replace(".", ",")
        return f"{int(self.value):,}".replace(",", ".")


@dataclass
class Evaluation:
    indicator: Indicator
    unit_path: str
    period: Period
    by: tuple[str, ...]
    has_source: bool
    total: Cell
    rows: list[Cell] = field(default_factory=list)
    # The grouping could not be shown next to the total without giving a small count away (no rows).
    withheld: bool = False

    def value(self, *key) -> Cell | None:
        for cell in self.rows:
            if cell.key == tuple(key):
                return cell
        return None

    def as_dicts(self) -> list[dict]:
        return [
            {
                **dict(zip(self.by, c.key, strict=True)),
                "value": _plain(c),
                "display": c.display,
                "suppressed": c.suppressed,
            }
            for c in self.rows
        ]


def _plain(cell: Cell):
    if cell.suppressed or cell.value is None:
        return None
    if isinstance(cell.value, Decimal):
        return float(cell.value) if cell.value != cell.value.to_integral_value() else int(cell.value)
    return cell.value


class EvaluationError(ValueError):
    pass


def _as_indicator(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    try:
        return Indicator.objects.get(code=indicator)
    except Indicator.DoesNotExist:
        raise EvaluationError(f"Không có chỉ số mã “{indicator}”.") from None


# Whether reports sent but not yet approved count in reported indicators (a reader's choice; default no).
_INCLUDE_SUBMITTED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lanhmanh_include_submitted", default=False
)


@contextlib.contextmanager
def including_submitted(include: bool = True):
    """Within the block, reported indicators also count reports sent and awaiting approval."""
    token = _INCLUDE_SUBMITTED.set(bool(include))
    try:
        yield
    finally:
        _INCLUDE_SUBMITTED.reset(token)


def counts_submitted() -> bool:
    return _INCLUDE_SUBMITTED.get()


def source_of(indicator: Indicator) -> ComputedSource | None:
    """The source that evaluates ``indicator``: its app's computed source, or for a reported indicator the
    report values the reporting app provides (approved reports; also submitted ones inside
    ``including_submitted``). None: no source (formulas have none of their own)."""
    if indicator.kind == IndicatorKind.COMPUTED:
        return source_for(indicator.code)
    if indicator.kind == IndicatorKind.REPORTED:
        provider = reported_provider()
        return provider.source(indicator, _INCLUDE_SUBMITTED.get()) if provider else None
    return None


def provenance(indicator: Indicator | str, unit, period: Period | str, *, user=None):
    """The reports behind a reported indicator's value at ``unit`` over ``period`` (None otherwise)."""
    indicator = _as_indicator(indicator)
    provider = reported_provider()
    if indicator.kind != IndicatorKind.REPORTED or provider is None:
        return None
    period = parse(period) if isinstance(period, str) else period
    return provider.provenance(
        indicator, _as_path(unit), period, include_submitted=_INCLUDE_SUBMITTED.get(), user=user
    )


def _as_path(unit) -> str:
    return unit if isinstance(unit, str) else unit.path


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


def _small(value) -> bool:
    return value is not None and 0 < value < SUPPRESSION_THRESHOLD


def suppresses_for(source: ComputedSource | None, user) -> bool:
    """Whether counts from ``source`` are suppressed for ``user`` (None: trusted internal caller)."""
    if source is None or not source.owner_agency_kinds or user is None:
        return False
    agency = getattr(user, "agency", None)
    return agency is None or agency.kind not in source.owner_agency_kinds


def _normalise_by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if not by:
        return ()
    if isinstance(by, str):
        return tuple(b for b in by.split(",") if b)
    return tuple(by)


def _check_by(indicator: Indicator, by: tuple[str, ...], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for name in by:
        if name not in allowed:
            raise EvaluationError(
                f"Chỉ số “{indicator.code}” không phân tổ được theo “{name}” "
                f"(được: {', '.join(sorted(allowed))})."
            )
    if len(set(by)) != len(by):
        raise EvaluationError("Mỗi phân tổ chỉ được nêu một lần.")


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
        unit_path, field, day, _memo(("crossing", unit_path, day), crossing_links, unit_path, day)
    )


def _memo(key: tuple, function, *args):
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


def _rollup_usable(source: ComputedSource, period: Period, by: tuple[str, ...]) -> bool:
    """Rollup rows answer whole-month periods grouped by units, time and at most one disaggregation."""
    if not (source.rollup and source.date_field):
        return False
    if period.start.day != 1 or (period.end + dt.timedelta(days=1)).day != 1:
        return False
    return sum(1 for name in by if name in source.disaggregations) <= 1


def _rollup_group_expression(name: str, source: ComputedSource, unit_path: str):
    if _is_unit_group(name):
        return _unit_group(name, "unit_path", unit_path)
    if name == "month":
        return F("month")
    if name in TIME_GROUPS:
        return TIME_GROUPS[name][0]("month")
    return F("key")


def _raw_from_rollup(
    source, unit_path, period, by, with_total=True
) -> tuple[object, list[tuple[tuple, object]]]:
    from lanhmanh.indicators.models import Rollup
    from lanhmanh.indicators.rollup import DISTRICT, as_value, decode_key, integer_valued

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
        dims += DISTRICT
    queryset = Rollup.objects.filter(
        _in_subtree(unit_path, "unit_path", period),
        source=source.code,
        dims=dims,
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


def _raw_direct(source, unit_path, period, by, with_total=True) -> tuple[object, list[tuple[tuple, object]]]:
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
    if _additive(source):
        return total, _regrouped(raw, by, unit_path, moved)
    if not moved and all(name == "commune" for name in by if _is_unit_group(name)):
        return total, raw
    return total, grouped(day if moved else None)


def _evaluate_computed(indicator, source, unit_path, period, by, user, use_rollup=True) -> Evaluation:
    allowed = set(source.disaggregations) | set(UNIT_GROUPS) | {"child"}
    if source.date_field:
        allowed |= set(TIME_GROUPS)
    _check_by(indicator, by, allowed)
    hide = suppresses_for(source, user)
    grouping = _tree_grouping(by, source, unit_path) if hide else None
    if grouping is not None:
        # The same cells as every other page of the unit tree shows this user.
        total, rows = tree_cells(tree_for(source, unit_path, period, use_rollup), unit_path, grouping)
        return Evaluation(indicator, unit_path, period, by, True, total, rows or [], withheld=rows is None)
    if hide and len(by) == 1:
        # Another single grouping (a disaggregation): protected beside the tree's total, or withheld.
        tree = tree_for(source, unit_path, period, use_rollup)
        total = tree.total(unit_path)
        _v, raw_rows = _raw(source, unit_path, period, by, use_rollup, with_total=False)
        table = _Table(
            by[0],
            [k for k, _v in raw_rows],
            [v for _k, v in raw_rows],
            [PRIMARY if _small(v) else None for _k, v in raw_rows],
        )
        _settle(
            float(tree.values.get(("n", unit_path, None)) or 0), _state_of(total), [table], total_fixed=True
        )
        rows = (
            []
            if table.withheld
            else [
                Cell(key, None if s else v, bool(s), s == SECONDARY)
                for key, v, s in zip(table.keys, table.raw, table.states, strict=True)
            ]
        )
        return Evaluation(indicator, unit_path, period, by, True, total, rows, withheld=table.withheld)
    if use_rollup and _rollup_usable(source, period, by):
        total_value, raw_rows = _raw_from_rollup(source, unit_path, period, by)
    else:
        total_value, raw_rows = _raw_direct(source, unit_path, period, by)
    total_value = 0 if total_value is None else total_value
    total, rows = protect(total_value, raw_rows, hide=hide)
    return Evaluation(indicator, unit_path, period, by, True, total, rows)


def _line_is_safe(margin, values: list, states: list[str | None]) -> bool:
    """Whether no small (primary) hidden cell of a line can be pinned down from its known margin.

    The reader knows the margin, the visible cells, that each "< 5" cell holds 1–4 and (knowing this
    rule) that each "x" cell holds 5 or more. A primary cell is safe when those facts leave it at
    least two possible values; no line may have exactly one hidden cell (with two groupings an "x"
    recovered in one line would give away a "< 5" in the crossing line).
    """
    hidden = sum(1 for s in states if s)
    if hidden == 1:
        return False  # a lone hidden cell is the margin minus the rest, whatever it holds
    primary = sum(1 for s in states if s == PRIMARY)
    if not primary:
        return True
    secondary = sum(1 for s in states if s == SECONDARY)
    hidden_sum = margin - sum(v for v, s in zip(values, states, strict=True) if s is None)
    others = primary - 1
    high = min(SUPPRESSION_THRESHOLD - 1, hidden_sum - others - SUPPRESSION_THRESHOLD * secondary)
    low = 1 if secondary else max(1, hidden_sum - (SUPPRESSION_THRESHOLD - 1) * others)
    return high > low


def protect(total_value, raw_rows: list[tuple[tuple, object]], *, hide: bool) -> tuple[Cell, list[Cell]]:
    """Cells with small-count suppression and complementary suppression (for ``hide`` users).

    Primary: a count of 1–4 is shown as "< 5". Complementary: wherever a total is shown (the grand
    total for one grouping; for two groupings, every row and column margin, which the one-grouping
    views show), the hidden cells must not be recoverable by subtraction; while they are, the smallest
    visible cell of that line is hidden too (shown as "x"). If no cell is left to hide, the total itself
    is hidden (shown as "x": it is 5 or more). Every view (page, Excel export, API) is built from these
    cells; a page or response that shows several groupings of one total uses ``evaluate_views``.
    """
    if not hide:
        return Cell((), total_value), [Cell(k, v) for k, v in raw_rows]
    states: list[str | None] = [PRIMARY if _small(v) else None for _k, v in raw_rows]
    total_hidden = _small(total_value)
    total_protective = False
    values = [v or 0 for _k, v in raw_rows]
    width = len(raw_rows[0][0]) if raw_rows else 0
    lines: list[list[int]] = []
    for dim in range(width):
        groups: dict[tuple, list[int]] = {}
        for index, (key, _v) in enumerate(raw_rows):
            groups.setdefault(key[:dim] + key[dim + 1 :], []).append(index)
        lines.extend(groups.values())
    changed = True
    while changed:
        changed = False
        for line in lines:
            margin = sum(values[i] for i in line)
            if _small(margin) or (width == 1 and total_hidden):
                continue  # the margin is itself hidden: nothing to subtract from
            line_states = [states[i] for i in line]
            if _line_is_safe(margin, [values[i] for i in line], line_states):
                continue
            # A zero is never hidden to protect another cell: "x" means 5 or more.
            candidates = sorted(
                (i for i in line if states[i] is None and values[i] > 0), key=values.__getitem__
            )
            if candidates:
                states[candidates[0]] = SECONDARY
                changed = True
            elif width == 1 and not total_hidden:
                total_hidden = True
                total_protective = True
    # A total hidden only to protect the cells is 5 or more: "x", not "< 5".
    total = Cell((), None if total_hidden else total_value, total_hidden, total_protective)
    cells = [
        Cell(key, None if state else value, bool(state), state == SECONDARY)
        for (key, value), state in zip(raw_rows, states, strict=True)
    ]
    return total, cells


def _combine(formula: str, key: tuple, cells: dict[str, Cell | None]) -> Cell:
    """A formula's cell from its operands' cells: hidden when one of them is. It shows "< 5" when a
    small count is among the hidden operands, "x" when they are all hidden only to protect others."""
    hidden = [c for c in cells.values() if c is not None and c.suppressed]
    if hidden:
        return Cell(key, None, True, all(c.complementary for c in hidden))
    values = {code: (c.value if c is not None else 0) for code, c in cells.items()}
    return Cell(key, formulas.evaluate(formula, values))


def _evaluate_formula(indicator, unit_path, period, by, user, depth, use_rollup=True) -> Evaluation:
    if depth > 8:
        raise EvaluationError(f"Công thức của chỉ số “{indicator.code}” lồng nhau quá sâu (có vòng lặp?).")
    codes = sorted(formulas.references(indicator.formula))
    operands = {
        code: evaluate(code, unit_path, period, by=by, user=user, use_rollup=use_rollup, _depth=depth + 1)
        for code in codes
    }
    if not all(e.has_source for e in operands.values()):
        return Evaluation(indicator, unit_path, period, by, False, Cell((), None))

    total = _combine(indicator.formula, (), {code: e.total for code, e in operands.items()})
    rows = []
    keys = sorted({c.key for e in operands.values() for c in e.rows}, key=lambda k: tuple(str(x) for x in k))
    index = {code: {c.key: c for c in e.rows} for code, e in operands.items()}
    for key in keys:
        rows.append(_combine(indicator.formula, key, {code: index[code].get(key) for code in codes}))
    return Evaluation(indicator, unit_path, period, by, True, total, rows)


def evaluate(
    indicator: Indicator | str,
    unit,
    period: Period | str,
    *,
    by: str | Sequence[str] | None = None,
    user=None,
    use_rollup: bool = True,
    _depth: int = 0,
) -> Evaluation:
    """Values of ``indicator`` for the subtree of ``unit`` (a unit or its path) over ``period``.

    ``by`` groups the values: ``district``, ``commune``, ``child`` (the level below ``unit``),
    ``month``, ``quarter``, ``year`` and the source's own disaggregations. ``user`` decides small-count
    suppression; pass the requesting user from every view and API. Raises EvaluationError (a
    ValueError with a Vietnamese message) for unknown indicators or groupings and ValueError for a
    period id that does not parse. Reported indicators and computed ones without a registered
    source come back with ``has_source`` False. Sources registered with ``rollup=True`` are read from
    their live rollup rows for whole-month periods; ``use_rollup=False`` forces the direct GROUP BY
    over the records (the tests check both agree).
    """
    indicator = _as_indicator(indicator)
    unit_path = _as_path(unit)
    period = parse(period) if isinstance(period, str) else period
    by = _normalise_by(by)
    if indicator.kind == IndicatorKind.FORMULA:
        return _evaluate_formula(indicator, unit_path, period, by, user, _depth, use_rollup)
    source = source_of(indicator)
    if source is None:
        return Evaluation(indicator, unit_path, period, by, False, Cell((), None))
    return _evaluate_computed(indicator, source, unit_path, period, by, user, use_rollup)


def evaluate_own(indicator: Indicator | str, unit, period: Period | str, *, user=None) -> Cell:
    """The value of the records kept at ``unit`` itself, not at the units below it (a commune has
    nothing below: its total). What a level reports as its own work; the consolidation adds the
    levels below once."""
    unit_path = _as_path(unit)
    if is_lowest(unit_path):
        return evaluate(indicator, unit_path, period, user=user).total
    result = evaluate(indicator, unit_path, period, by="child", user=user)
    if not result.has_source:
        return result.total
    return result.value(unit_path) or Cell((unit_path,), 0)


def has_source(indicator: Indicator) -> bool:
    if indicator.kind in (IndicatorKind.COMPUTED, IndicatorKind.REPORTED):
        return source_of(indicator) is not None
    if indicator.kind == IndicatorKind.FORMULA:
        try:
            codes = formulas.references(indicator.formula)
        except formulas.FormulaError:
            return False
        return all(has_source(i) for i in Indicator.objects.filter(code__in=codes)) and bool(codes)
    return False


# --- several groupings of one total on one page or in one response ---------------------------------

INFINITY = float("inf")


@dataclass
class Views:
    """The total of an indicator at a unit over a period and several one-grouping tables of it, all
    protected together: the total is the same cell in every table, and no "< 5" cell can be worked out
    from everything shown (the total, the visible cells, "< 5" = 1–4, "x" = 5 or more). A grouping
    that cannot be shown safely is withheld (``None``; its name is in ``withheld``)."""

    indicator: Indicator
    unit_path: str
    period: Period
    has_source: bool
    total: Cell
    tables: dict[str, Evaluation | None] = field(default_factory=dict)

    def table(self, name: str) -> Evaluation | None:
        """The grouping ``name`` (``None``: withheld or not shown). Not ``[]``: templates look that up first."""
        return self.tables.get(name)

    @property
    def withheld(self) -> list[str]:
        return [name for name, table in self.tables.items() if table is None]


@dataclass
class _Table:
    name: str
    keys: list[tuple]
    raw: list
    states: list[str | None]
    fixed: bool = False
    withheld: bool = False

    @property
    def values(self) -> list[float]:
        return [float(v or 0) for v in self.raw]


def _bounds(state: str) -> tuple[float, float]:
    """What a reader knows of a hidden cell: "< 5" holds 1–4, "x" holds 5 or more, one not shown
    (a withheld table's) 0 or more."""
    if state == WITHHELD:
        return (0, INFINITY)
    return (1, SUPPRESSION_THRESHOLD - 1) if state == PRIMARY else (SUPPRESSION_THRESHOLD, INFINITY)


def _table_sum(table: _Table) -> tuple[float, float, float]:
    """The visible sum of a table and the least and most its hidden cells can add up to."""
    visible = sum(v for v, s in zip(table.values, table.states, strict=True) if s is None)
    bounds = [_bounds(s) for s in table.states if s]
    return visible, sum(b[0] for b in bounds), sum(b[1] for b in bounds)


def _total_range(total: float, state: str | None, tables: list[_Table]) -> tuple[float, float]:
    """What a reader can say the total is, from its own cell and every table shown (each adds up to it)."""
    low, high = (total, total) if state is None else _bounds(state)
    for table in tables:
        visible, hidden_low, hidden_high = _table_sum(table)
        low, high = max(low, visible + hidden_low), min(high, visible + hidden_high)
    return low, high


def _exposed(total: float, state: str | None, tables: list[_Table]):
    """The first small count a reader could pin down: ``None`` (the total), ``(table, index)``, or False."""
    low, high = _total_range(total, state, tables)
    if state == PRIMARY and high - low < 1:
        return None
    for table in tables:
        visible, hidden_low, hidden_high = _table_sum(table)
        for index, cell_state in enumerate(table.states):
            if cell_state != PRIMARY:
                continue
            rest_low, rest_high = hidden_low - 1, hidden_high - (SUPPRESSION_THRESHOLD - 1)
            cell_low = max(1, low - visible - rest_high)
            cell_high = min(SUPPRESSION_THRESHOLD - 1, high - visible - rest_low)
            if cell_high - cell_low < 1:
                return table, index
    return False


def _narrowing(tables: list[_Table], known: tuple[float, float]):
    """A table that would tell a reader more about a hidden total than ``known`` (what the page tells)."""
    for table in tables:
        visible, hidden_low, hidden_high = _table_sum(table)
        if not table.fixed and (visible + hidden_low > known[0] or visible + hidden_high < known[1]):
            return table, None
    return False


def _settle(total: float, state: str | None, tables: list[_Table], *, total_fixed: bool) -> str | None:
    """Hide cells (the smallest visible one of the table at fault), then the total ("x"), then withhold
    tables until nothing small can be pinned down. Fixed tables and a fixed total are not changed: a
    table added to them is withheld instead, and must not narrow down a hidden total either (so that
    tables added one at a time can be shown together). Returns the total's state."""
    known = _total_range(total, state, [t for t in tables if t.fixed]) if total_fixed else None
    while True:
        shown = [t for t in tables if not t.withheld]
        exposed = _exposed(total, state, shown)
        if exposed is False and known is not None:
            exposed = _narrowing(shown, known)
        if exposed is False:
            return state
        table = exposed[0] if exposed else None
        if table is not None and not table.fixed:
            if _hide_smallest(table):
                continue
            if state is None and not total_fixed:
                state = SECONDARY
                continue
        # The hidden total (or a fixed table) is pinned down by the other tables: hide a cell of, or
        # else withhold, the table that tells most about the total.
        movable = [t for t in shown if not t.fixed and t is not table]
        if any(_hide_smallest(t) for t in _most_telling(total, state, shown, movable)):
            continue
        pool = movable or [t for t in shown if not t.fixed] or shown
        _most_telling(total, state, shown, pool)[0].withheld = True


def _hide_smallest(table: _Table) -> bool:
    """Hide the smallest visible cell above zero ("x": 5 or more); False when there is none."""
    values = table.values
    candidates = [i for i, s in enumerate(table.states) if s is None and values[i] > 0]
    if not candidates:
        return False
    table.states[min(candidates, key=values.__getitem__)] = SECONDARY
    return True


def _most_telling(total: float, state: str | None, shown: list[_Table], pool: list[_Table]) -> list[_Table]:
    """``pool`` ordered by how much wider the total's range would be without each table."""

    def width(table):
        low, high = _total_range(total, state, [t for t in shown if t is not table])
        return high - low

    return sorted(pool, key=width, reverse=True)


def _group_names(indicator: Indicator, unit_path: str) -> tuple[str, ...]:
    """The groupings an indicator's page shows: by the level below (above communes) and by month (when
    every count behind it is dated)."""
    names = ("child",) if not is_lowest(unit_path) else ()
    return names + (("month",) if _dated(indicator) else ())


def _dated(indicator: Indicator, depth: int = 0) -> bool:
    if indicator.kind in (IndicatorKind.COMPUTED, IndicatorKind.REPORTED):
        source = source_of(indicator)
        return bool(source and source.date_field)
    if indicator.kind == IndicatorKind.FORMULA and depth < 8:
        try:
            codes = formulas.references(indicator.formula)
        except formulas.FormulaError:
            return False
        operands = list(Indicator.objects.filter(code__in=codes))
        return bool(operands) and all(_dated(i, depth + 1) for i in operands)
    return False


def page_groupings(indicator: Indicator | str, unit) -> tuple[str, ...]:
    """The groupings shown with the total on the indicator's page at ``unit`` (``child``, ``month``)."""
    return _group_names(_as_indicator(indicator), _as_path(unit))


def evaluate_views(
    indicator: Indicator | str,
    unit,
    period: Period | str,
    *,
    user=None,
    extra: Sequence[str] = (),
    use_rollup: bool = True,
    _depth: int = 0,
) -> Views:
    """The total and the page's groupings (``page_groupings``) of ``indicator`` protected together.

    ``extra`` names further single groupings shown alongside (the API's ``by``): each is protected with
    the page's total and tables left as they are, so the total is the same number (or the same mark)
    wherever it appears; an extra grouping that cannot be shown safely that way is withheld. Queries:
    two per grouping (the total and the GROUP BY); formulas evaluate their operands the same way.
    """
    indicator = _as_indicator(indicator)
    unit_path = _as_path(unit)
    period = parse(period) if isinstance(period, str) else period
    names = _group_names(indicator, unit_path)
    extra = tuple(name for name in extra if name not in names)
    if indicator.kind == IndicatorKind.FORMULA:
        return _views_formula(indicator, unit_path, period, names, extra, user, use_rollup, _depth)
    source = source_of(indicator)
    if source is None:
        return Views(indicator, unit_path, period, False, Cell((), None))
    allowed = set(source.disaggregations) | set(UNIT_GROUPS) | {"child"}
    if source.date_field:
        allowed |= set(TIME_GROUPS)
    for name in extra:
        _check_by(indicator, (name,), allowed)
    if suppresses_for(source, user):
        return _views_from_tree(indicator, source, unit_path, period, names, extra, use_rollup)
    total_value, raw = None, {}
    for name in (*names, *extra) or ((),):
        by = (name,) if name else ()
        if use_rollup and _rollup_usable(source, period, by):
            total_value, raw[name] = _raw_from_rollup(source, unit_path, period, by)
        else:
            total_value, raw[name] = _raw_direct(source, unit_path, period, by)
    raw.pop((), None)
    total_value = 0 if total_value is None else total_value
    if not suppresses_for(source, user):
        tables = {
            name: Evaluation(
                indicator,
                unit_path,
                period,
                (name,),
                True,
                Cell((), total_value),
                [Cell(k, v) for k, v in rows],
            )
            for name, rows in raw.items()
        }
        return Views(indicator, unit_path, period, True, Cell((), total_value), tables)
    total, cells = protect_together(
        total_value,
        {name: rows for name, rows in raw.items() if name in names},
        {name: rows for name, rows in raw.items() if name not in names},
    )
    tables = {
        name: None if rows is None else Evaluation(indicator, unit_path, period, (name,), True, total, rows)
        for name, rows in cells.items()
    }
    return Views(indicator, unit_path, period, True, total, tables)


def protect_together(
    total_value,
    page: dict[str, list[tuple[tuple, object]]],
    extra: dict[str, list[tuple[tuple, object]]] | None = None,
) -> tuple[Cell, dict[str, list[Cell] | None]]:
    """Small-count and complementary suppression of several one-grouping tables of one total.

    The ``page`` tables are protected together (cells hidden as "x", and if that is not enough the
    total as "x"); each ``extra`` table is then protected with the total and the page's tables left
    as they are, or withheld (``None``) when it cannot be. A reader who sees every cell returned,
    knows "< 5" is 1–4 and "x" is 5 or more, and that every table adds up to the total, cannot narrow
    any "< 5" (the total included) down to one value.
    """
    tables = [
        _Table(
            name,
            [k for k, _v in rows],
            [v for _k, v in rows],
            [PRIMARY if _small(v) else None for _k, v in rows],
        )
        for name, rows in (*page.items(), *(extra or {}).items())
    ]
    state = PRIMARY if _small(total_value) else None
    first = tables[: len(page)]
    state = _settle(float(total_value), state, first, total_fixed=False)
    for table in first:
        table.fixed = True
    for table in tables[len(page) :]:
        _settle(float(total_value), state, [*first, table], total_fixed=True)
    total = Cell((), None if state else total_value, bool(state), state == SECONDARY)
    result: dict[str, list[Cell] | None] = {}
    for table in tables:
        result[table.name] = (
            None
            if table.withheld
            else [
                Cell(key, None if s else v, bool(s), s == SECONDARY)
                for key, v, s in zip(table.keys, table.raw, table.states, strict=True)
            ]
        )
    return total, result


def _views_from_tree(indicator, source, unit_path, period, names, extra, use_rollup) -> Views:
    """The page's total and tables read from the protected unit tree; each ``extra`` grouping the tree
    does not hold (a disaggregation) is protected with the page's cells left as they are, or withheld."""
    tree = tree_for(source, unit_path, period, use_rollup)
    total = tree.total(unit_path)
    tables: dict[str, Evaluation | None] = {}
    fixed: list[_Table] = []
    for name in (*names, *extra):
        grouping = _tree_grouping((name,), source, unit_path)
        if grouping:
            _total, rows = tree_cells(tree, unit_path, grouping)
            if rows is None:
                tables[name] = None
                continue
            tables[name] = Evaluation(indicator, unit_path, period, (name,), True, total, rows)
            fixed.append(
                _Table(
                    name,
                    [c.key for c in rows],
                    [tree.values.get(_ident_of(unit_path, grouping, c.key[0])) for c in rows],
                    [_state_of(c) for c in rows],
                    fixed=True,
                )
            )
    total_state = _state_of(total)
    total_value = tree.values.get(("n", unit_path, None)) or 0
    for name in extra:
        if name in tables:
            continue
        _v, rows = _raw(source, unit_path, period, (name,), use_rollup, with_total=False)
        table = _Table(
            name,
            [k for k, _v in rows],
            [v for _k, v in rows],
            [PRIMARY if _small(v) else None for _k, v in rows],
        )
        _settle(float(total_value), total_state, [*fixed, table], total_fixed=True)
        tables[name] = (
            None
            if table.withheld
            else Evaluation(
                indicator,
                unit_path,
                period,
                (name,),
                True,
                total,
                [
                    Cell(key, None if s else v, bool(s), s == SECONDARY)
                    for key, v, s in zip(table.keys, table.raw, table.states, strict=True)
                ],
            )
        )
    return Views(indicator, unit_path, period, True, total, tables)


def _ident_of(unit_path: str, grouping: str, key) -> tuple:
    if grouping == "month":
        return ("n", unit_path, key)
    return ("s", key, None) if key == unit_path else ("n", key, None)


def _state_of(cell: Cell) -> str | None:
    if not cell.suppressed:
        return None
    if cell.withheld:
        return WITHHELD
    return SECONDARY if cell.complementary else PRIMARY


def _views_formula(indicator, unit_path, period, names, extra, user, use_rollup, depth) -> Views:
    if depth > 8:
        raise EvaluationError(f"Công thức của chỉ số “{indicator.code}” lồng nhau quá sâu (có vòng lặp?).")
    codes = sorted(formulas.references(indicator.formula))
    operands = {
        code: evaluate_views(
            code, unit_path, period, user=user, extra=extra, use_rollup=use_rollup, _depth=depth + 1
        )
        for code in codes
    }
    if not all(v.has_source for v in operands.values()):
        return Views(indicator, unit_path, period, False, Cell((), None))
    total = _combine(indicator.formula, (), {code: v.total for code, v in operands.items()})
    tables: dict[str, Evaluation | None] = {}
    for name in (*names, *extra):
        parts = {code: v.table(name) for code, v in operands.items()}
        if any(part is None for part in parts.values()):
            tables[name] = None  # withheld for one operand: withheld for the formula
            continue
        index = {code: {c.key: c for c in e.rows} for code, e in parts.items()}
        keys = sorted({k for ix in index.values() for k in ix}, key=lambda k: tuple(str(x) for x in k))
        rows = [
            _combine(indicator.formula, key, {code: index[code].get(key) for code in codes}) for key in keys
        ]
        tables[name] = Evaluation(indicator, unit_path, period, (name,), True, total, rows)
    return Views(indicator, unit_path, period, True, total, tables)


def hides_small_counts(indicator: Indicator | str, user, _depth: int = 0) -> bool:
    """Whether some count behind ``indicator`` is suppressed for ``user`` (a formula: any operand's)."""
    indicator = _as_indicator(indicator)
    if indicator.kind in (IndicatorKind.COMPUTED, IndicatorKind.REPORTED):
        return suppresses_for(source_of(indicator), user)
    if indicator.kind == IndicatorKind.FORMULA and _depth < 8:
        try:
            codes = formulas.references(indicator.formula)
        except formulas.FormulaError:
            return False
        return any(hides_small_counts(i, user, _depth + 1) for i in Indicator.objects.filter(code__in=codes))
    return False


# --- one protection for the whole unit tree ------------------------------------------------------
#
# A unit's total is a cell of its parent's table, its children's totals add up to it, its months add
# up to it, and each month adds up over its children. A user can put the pages of the drill-down side
# by side, so the cells hidden for one (indicator, period) are decided once for the whole tree under
# the unit's province/city (whatever unit the page is at, and whoever asks): a cell hidden on one page
# is hidden on every page that shows it, and every hidden cell keeps at least two possible values
# given everything every page of the tree shows.

MAX_SWEEPS = 60
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


@dataclass
class Tree:
    """Values and states of every cell of the tree: ``("n", path, month)`` a unit's total (month None)
    or month; ``("s", path, None)`` the records kept at the unit itself (a row of its children's table)."""

    values: dict[tuple, object]
    states: dict[tuple, str | None]
    dated: bool
    # The cells of each table asked for (a tree is kept across requests and never changes).
    _tables: dict = field(default_factory=dict, repr=False, compare=False)

    def cell(self, ident: tuple, key: tuple = ()) -> Cell:
        value = self.values.get(ident, 0)
        state = self.states.get(ident)
        return Cell(
            key, None if state else value, bool(state), state in (SECONDARY, WITHHELD), state == WITHHELD
        )

    def total(self, path: str) -> Cell:
        return self.cell(("n", path, None))

    def children(self, path: str) -> list[Cell]:
        """The rows of the table by the level below ``path``, as the GROUP BY gives them (by key)."""
        key = ("children", path)
        if key not in self._tables:
            self._tables[key] = self._children(path)
        return list(self._tables[key])

    def _children(self, path: str) -> list[Cell]:
        level = level_of(path) + 1
        rows = [
            (p, ident)
            for ident in self.values
            if ident[2] is None
            and (
                (ident[0] == "n" and level_of(ident[1]) == level and ident[1].startswith(path + "."))
                or (ident[0] == "s" and ident[1] == path)
            )
            for p in (ident[1],)
        ]
        return [self.cell(ident, (p,)) for p, ident in sorted(rows)]

    def months(self, path: str) -> list[Cell] | None:
        """The unit's table by month; None when it is withheld (see ``settle_tree``)."""
        key = ("months", path)
        if key not in self._tables:
            self._tables[key] = self._months(path)
        cells = self._tables[key]
        return None if cells is None else list(cells)

    def _months(self, path: str) -> list[Cell] | None:
        rows = sorted(ident for ident in self.values if ident[0] == "n" and ident[1] == path and ident[2])
        if any(self.states.get(ident) == WITHHELD for ident in rows):
            return None
        return [self.cell(ident, (ident[2],)) for ident in rows]


def _additive(source: ComputedSource) -> bool:
    """Whether values add up over units and months (sums and plain counts; not distinct counts)."""
    value = source.value
    if source.rollup or isinstance(value, Sum):
        return True
    return isinstance(value, models.Count) and not getattr(value, "distinct", False)


def _raw(source, unit_path, period, by, use_rollup, with_total=True):
    if use_rollup and _rollup_usable(source, period, by):
        return _raw_from_rollup(source, unit_path, period, by, with_total)
    return _raw_direct(source, unit_path, period, by, with_total)


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


def _tree_values(source: ComputedSource, root: str, period: Period, use_rollup: bool) -> dict[tuple, object]:
    """Every cell of the tree under ``root``: two queries for additive values (one GROUP BY by commune
    and month, summed up the tree), else two per level and grouping."""
    dated = bool(source.date_field)
    values: dict[tuple, object] = {}
    if _additive(source):
        by = ("commune", "month") if dated else ("commune",)
        total, rows = _raw(source, root, period, by, use_rollup)
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
    total, rows = _raw(source, root, period, ("month",) if dated else (), use_rollup)
    values[("n", root, None)] = 0 if total is None else total
    for (month,), value in rows:
        values[("n", root, month)] = value
    for depth, name in ((2, "district"), (None, "commune")):
        _total, rows = _raw(source, root, period, (name,), use_rollup, with_total=False)
        for (path,), value in rows:
            values[_tree_ident(path, depth)] = value
        if dated:
            _total, rows = _raw(source, root, period, (name, "month"), use_rollup, with_total=False)
            for (path, month), value in rows:
                if _tree_ident(path, depth)[0] == "n":
                    values[("n", path, month)] = value
    return values


def _tree_lines(values: dict[tuple, object], dated: bool) -> list[tuple[tuple, list[tuple], float]]:
    """Every sum a reader knows, as (cell, the cells adding up to it, the rest taken as known)."""
    children: dict[tuple, list[tuple]] = {}
    for ident in values:
        kind, path, month = ident
        if kind == "s":
            children.setdefault(("n", path, None), []).append(ident)
            continue
        if month is not None and dated:
            children.setdefault(("n", path, None), []).append(ident)  # the unit's months
        if level_of(path) > 1:
            parent = path_prefix(path, level_of(path) - 1)
            children.setdefault(("n", parent, month), []).append(ident)
    # A unit's total has two tables under it (its children, its months): one line each.
    lines = []
    for parent, members in sorted(children.items(), key=lambda item: (item[0][1], item[0][2] or "")):
        groups: dict[str, list[tuple]] = {}
        for ident in members:
            groups.setdefault("month" if ident[1] == parent[1] and ident[0] == "n" else "units", []).append(
                ident
            )
        for name in ("units", "month"):
            group = sorted(groups.get(name, []), key=_order)
            if group:
                rest = float(values.get(parent) or 0) - sum(float(values.get(i) or 0) for i in group)
                lines.append((parent, group, rest))
    return lines


def _order(ident: tuple) -> tuple:
    return tuple("" if part is None else str(part) for part in ident)


def _ranges(values, states, lines, lines_of=None, whole=None) -> dict[tuple, list[float]]:
    """What a reader can say each hidden cell holds, from every line (interval propagation: a line is
    looked at again whenever a range in it narrows; whole numbers when every value is one)."""
    ranges = {c: list(_bounds(s)) for c, s in states.items() if s}
    if whole is None:
        whole = all(float(v or 0).is_integer() for v in values.values())
    if lines_of is None:
        lines_of = {}
        for index, (parent, members, _rest) in enumerate(lines):
            for c in (parent, *members):
                lines_of.setdefault(c, []).append(index)

    def get(c):
        r = ranges.get(c)
        if r is None:
            v = float(values.get(c) or 0)
            return v, v
        return r

    def narrow(c, low, high) -> bool:
        if whole:
            low = low if math.isinf(low) else math.ceil(low - 1e-9)
            high = high if math.isinf(high) else math.floor(high + 1e-9)
        old = ranges[c]
        if low > old[0] + 1e-9 or high < old[1] - 1e-9:
            ranges[c] = [max(low, old[0]), min(high, old[1])]
            for i in lines_of.get(c, ()):
                if i not in queued:
                    queued.add(i)
                    queue.append(i)
            return True
        return False

    queue = collections.deque(
        i for i, line in enumerate(lines) if line[0] in ranges or any(m in ranges for m in line[1])
    )
    queued = set(queue)
    budget = MAX_SWEEPS * max(len(queue), 1)
    while queue and budget > 0:
        budget -= 1
        index = queue.popleft()
        queued.discard(index)
        parent, members, rest = lines[index]
        lows, highs = [], []
        for m in members:
            low, high = get(m)
            lows.append(low)
            highs.append(high)
        sum_low = sum(lows) + rest
        finite = [h for h in highs if h != INFINITY]
        infinite = len(highs) - len(finite)
        sum_high = sum(finite) + rest if not infinite else INFINITY
        if parent in ranges:
            narrow(parent, sum_low, sum_high)
        p_low, p_high = get(parent)
        for m, low, high in zip(members, lows, highs, strict=True):
            if m not in ranges:
                continue
            others_low = sum_low - low
            if high == INFINITY:
                others_high = sum_high if infinite > 1 else sum(finite) + rest
            else:
                others_high = INFINITY if infinite else sum_high - high
            narrow(m, p_low - others_high, p_high - others_low)
    return ranges


def _line_pinned(values, states, line, whole: bool) -> tuple | None:
    """The first hidden cell of ``line`` that the line alone pins down to one value (the other cells at
    their known bounds: shown ones exactly), or None."""
    parent, members, rest = line
    cells = (parent, *members)
    bounds = []
    for c in cells:
        state = states.get(c)
        if state:
            bounds.append(_bounds(state))
        else:
            v = float(values.get(c) or 0)
            bounds.append((v, v))
    # parent − Σ members = rest: with signs, every cell's range from the others'.
    signs = [1] + [-1] * len(members)
    lows = [b[0] if sign > 0 else -b[1] for b, sign in zip(bounds, signs, strict=True)]
    highs = [b[1] if sign > 0 else -b[0] for b, sign in zip(bounds, signs, strict=True)]
    finite_low = sum(x for x in lows if not math.isinf(x))
    finite_high = sum(x for x in highs if not math.isinf(x))
    inf_low = sum(1 for x in lows if math.isinf(x))
    inf_high = sum(1 for x in highs if math.isinf(x))
    found = []
    for c, b, sign, low, high in zip(cells, bounds, signs, lows, highs, strict=True):
        state = states.get(c)
        if not state or (state == WITHHELD and not _small(values.get(c))):
            continue
        # sign·c = rest − Σ others (signed): bounds of Σ others without c.
        others_low = -INFINITY if inf_low - math.isinf(low) else finite_low - (0 if math.isinf(low) else low)
        others_high = (
            INFINITY if inf_high - math.isinf(high) else finite_high - (0 if math.isinf(high) else high)
        )
        value_low, value_high = rest - others_high, rest - others_low
        if sign < 0:
            value_low, value_high = -value_high, -value_low
        low_c, high_c = max(b[0], value_low), min(b[1], value_high)
        if whole:
            low_c = low_c if math.isinf(low_c) else math.ceil(low_c - 1e-9)
            high_c = high_c if math.isinf(high_c) else math.floor(high_c + 1e-9)
        if high_c - low_c < 1:
            found.append(c)
    return min(found, key=_order) if found else None


def settle_tree(
    values: dict[tuple, object], lines, states: dict[tuple, str | None], fixed=frozenset()
) -> bool:
    """Hide cells ("x") until no hidden cell can be pinned down to one value from all ``lines``: for
    each cell that can, the smallest visible cell of the line with fewest hidden cells around it (its
    siblings first, then the line's total). Cells in ``fixed`` are left as they are; False when that
    leaves something pinned down. Deterministic: ties go by cell."""
    if not any(states.values()):
        return True  # nothing hidden: nothing to protect
    lines_of: dict[tuple, list[int]] = {}
    for index, (parent, members, _rest) in enumerate(lines):
        for c in (parent, *members):
            lines_of.setdefault(c, []).append(index)

    def hidden_in(line) -> int:
        return sum(1 for m in (line[0], *line[1]) if states.get(m))

    def months_line(path: str) -> int | None:
        for i in lines_of.get(("n", path, None), ()):
            parent, members, _rest = lines[i]
            is_months = members and members[0][0] == "n" and members[0][1] == path
            if parent == ("n", path, None) and is_months and any(states.get(m) != WITHHELD for m in members):
                return i
        return None

    def hide_in(c: tuple, i: int) -> bool:
        """Hide the smallest visible cell of line ``i`` other than ``c`` (its total last)."""
        parent, members, _rest = lines[i]
        candidates = [
            m
            for m in members
            if m != c and not states.get(m) and m not in fixed and float(values.get(m) or 0) > 0
        ]
        if not candidates and parent != c and not states.get(parent) and parent not in fixed:
            candidates = [parent] if float(values.get(parent) or 0) > 0 else []
        if not candidates:
            return False
        states[min(candidates, key=lambda m: (float(values.get(m) or 0), _order(m)))] = SECONDARY
        return True

    # Line by line, to a fixed point: a hidden cell must keep two values from its line alone (the others
    # at their known bounds). Then over every line at once (``_ranges``); the lines of every cell hidden
    # for that are looked at line by line again before the next round.
    whole = all(float(v or 0).is_integer() for v in values.values())

    def local(indexes) -> None:
        queue = collections.deque(indexes)
        queued = set(queue)
        while queue:
            index = queue.popleft()
            queued.discard(index)
            line = lines[index]
            cells = (line[0], *line[1])
            if not any(states.get(m) for m in cells):
                continue
            lone = _line_pinned(values, states, line, whole)
            if lone is None:
                continue
            before = {m for m in cells if states.get(m)}
            if hide_in(lone, index):
                chosen = next(m for m in cells if states.get(m) and m not in before)
                for i in (index, *lines_of.get(chosen, ())):
                    if i not in queued:
                        queued.add(i)
                        queue.append(i)

    def withhold(exposed: list[tuple]) -> bool:
        """Nothing left to hide as "x" pins a small count down (e.g. four communes of 1 under a district
        of 4: each "< 5" is at least 1): the figure of one such cell is not shown at all ("…", anything
        from 0 up to a reader), the deepest first, one per line a round."""
        touched: set[int] = set()
        done = False
        for c in sorted(exposed, key=lambda c: (-level_of(c[1]), c[2] is None, _order(c))):
            if (
                states.get(c) == WITHHELD
                or c in fixed
                or level_of(c[1]) == 1
                and c[0] == "n"
                and c[2] is None
            ):
                continue
            mine = set(lines_of.get(c, ()))
            if mine & touched:
                continue
            states[c] = WITHHELD
            touched |= mine
            done = True
        return done

    local(range(len(lines)))
    while True:
        ranges = _ranges(values, states, lines, lines_of, whole)
        exposed = sorted(
            (
                c
                for c, (low, high) in ranges.items()
                if high - low < 1 and (states[c] != WITHHELD or _small(values.get(c)))
            ),
            key=_order,
        )
        if not exposed:
            return True
        hidden_before = {c for c, s in states.items() if s}
        progress = False
        # A line where a pinned cell is the only hidden one is a cause: hide a cell there (each such
        # line once). When that hides nothing, work on the pinned cells' lines, fewest hidden first.
        for c in exposed:
            for i in lines_of.get(c, ()):
                if hidden_in(lines[i]) == 1 and hide_in(c, i):
                    progress = True
        # Every month of a unit hidden already, and their number (each "< 5" holds at least 1) still
        # pins something down: the unit's table by month is withheld; the deepest such units first, as
        # their months pin those above them.
        saturated = []
        for c in exposed:
            months = months_line(c[1]) if states[c] != WITHHELD else None
            if months is not None and not any(
                not states.get(m) and float(values.get(m) or 0) > 0 for m in lines[months][1]
            ):
                saturated.append((-level_of(c[1]), c[1], months))
        if saturated and not progress:
            deepest = min(saturated)[0]
            for level, _path, months in saturated:
                for m in lines[months][1] if level == deepest else ():
                    if m not in fixed:
                        states[m] = WITHHELD
                        progress = True
        elif not progress:
            for c in exposed:
                order = sorted(lines_of.get(c, ()), key=lambda i: (hidden_in(lines[i]), lines[i][0] == c, i))
                if any(hide_in(c, i) for i in order):
                    progress = True
        if not progress:
            progress = withhold(exposed)
        new = [c for c, s in states.items() if s and c not in hidden_before]
        local(sorted({i for c in new for i in lines_of.get(c, ())}))
        if not progress:
            return False


# Settled states by the exact values they were settled for (a pure function of them): a page read again
# with unchanged counts skips the settling, the most expensive step. Never stale: new counts, new key.
_SETTLED: collections.OrderedDict[tuple, dict] = collections.OrderedDict()
_SETTLED_SIZE = 32
_SETTLED_LOCK = threading.Lock()


def protect_tree(values: dict[tuple, object], dated: bool) -> Tree:
    """States of every cell of a tree (see ``Tree``): "< 5" for counts of 1–4, then "x" as needed."""
    key = (dated, SUPPRESSION_THRESHOLD, frozenset(values.items()))
    with _SETTLED_LOCK:
        known = _SETTLED.get(key)
        if known is not None:
            _SETTLED.move_to_end(key)
            return Tree(values, dict(known), dated)
    lines = _tree_lines(values, dated)
    states = {c: PRIMARY for c, v in values.items() if _small(v)}
    roots = {c for c in values if c[0] == "n" and c[2] is None and level_of(c[1]) == 1}
    # The province/city total is the figure everyone asks for: cells below it are hidden or withheld
    # instead of it while that protects every small count; only when it cannot is the total hidden too.
    if not settle_tree(values, lines, states, fixed=frozenset(c for c in roots if not states.get(c))):
        states = {c: PRIMARY for c, v in values.items() if _small(v)}
        settle_tree(values, lines, states)
    with _SETTLED_LOCK:
        _SETTLED[key] = dict(states)
        while len(_SETTLED) > _SETTLED_SIZE:
            _SETTLED.popitem(last=False)
    return Tree(values, states, dated)


# Protected trees read from rollup rows, by the rows' version token (``rollup.version``): every write to
# a source's rollup rows gives it a new token in the same transaction, so a tree is read again after any
# change (and a rolled-back change's token is never seen again). Only trees on the records' own units
# (periods ending before the 2025 reform): later ones also depend on the map of successions.
_KEPT: collections.OrderedDict[tuple, Tree] = collections.OrderedDict()
_KEPT_SIZE = 32
_KEPT_LOCK = threading.Lock()


def _kept_key(source: ComputedSource, root: str, period: Period, use_rollup: bool) -> tuple | None:
    """The key a tree is kept by across requests, or None when it is not kept."""
    from lanhmanh.indicators.rollup import version, versions

    by = ("commune", "month") if source.date_field else ("commune",)
    if not (use_rollup and _additive(source) and _rollup_usable(source, period, by)):
        return None
    if counting_day(period.end) is not None:
        return None
    # Within ``shared_trees`` (a page of many indicators) every token is read at once, like the trees.
    token = version(source.code) if _TREES.get() is None else _memo(("versions",), versions).get(source.code)
    if token is None:
        return None
    name = connection.settings_dict.get("NAME")
    return (connection.alias, name, source.code, root, period.id, SUPPRESSION_THRESHOLD, token)


def tree_for(source: ComputedSource, unit_path: str, period: Period, use_rollup: bool = True) -> Tree:
    """The protected tree under the province/city of ``unit_path`` (shared within ``shared_trees``, and
    kept across requests while the source's rollup rows are unchanged)."""
    root = path_prefix(unit_path, 1)
    cache = _TREES.get()
    key = (source.code, root, period.id, use_rollup)
    if cache is not None and key in cache:
        return cache[key]
    kept = _kept_key(source, root, period, use_rollup)
    tree = None
    if kept is not None:
        with _KEPT_LOCK:
            tree = _KEPT.get(kept)
            if tree is not None:
                _KEPT.move_to_end(kept)
    if tree is None:
        tree = protect_tree(_tree_values(source, root, period, use_rollup), bool(source.date_field))
        if kept is not None:
            with _KEPT_LOCK:
                _KEPT[kept] = tree
                while len(_KEPT) > _KEPT_SIZE:
                    _KEPT.popitem(last=False)
    if cache is not None:
        cache[key] = tree
    return tree


def _tree_grouping(by: tuple[str, ...], source: ComputedSource, unit_path: str) -> str | None:
    """``child``/``month``/``""`` when the tree answers grouping ``by`` at ``unit_path``, else None."""
    if not by:
        return ""
    if len(by) != 1:
        return None
    name = by[0]
    if (
        (name == "child" and not is_lowest(unit_path))
        or (name == "district" and is_top(unit_path))
        or (name == "commune" and is_district(unit_path))
    ):
        return "child"
    if name == "month" and source.date_field:
        return "month"
    return None


def tree_cells(tree: Tree, unit_path: str, grouping: str) -> tuple[Cell, list[Cell] | None]:
    """The total and the rows of ``grouping`` at ``unit_path`` (rows None: withheld)."""
    rows = {"": list, "child": tree.children, "month": tree.months}[grouping]
    return tree.total(unit_path), (rows(unit_path) if grouping else [])
