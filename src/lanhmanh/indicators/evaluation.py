"""Evaluate an indicator for a unit's subtree over a period, grouped by units, time or disaggregations.

Everything is one or two SQL aggregate queries per computed indicator (a filtered GROUP BY and the
total): rows are never loaded into Python. Values are live: the one thing kept between requests is
the protected unit tree of a rollup source, by a version token that every write to its rollup rows
changes in the writing transaction (``tree_for``), so a read after a change never sees the old tree.

Small counts: a computed source that declares ``owner_agency_kinds`` holds records about people; a
cell counting 1–4 of them is shown as "< 5" to users whose agency is not one of those kinds. The
value itself is dropped from the cell, so exports built from it cannot leak it either.

This module is the public face: the cells are in ``indicators.cells``, the queries in
``indicators.sql``, primary and complementary suppression in ``indicators.suppression`` (tables) and
``indicators.unit_tree`` (the whole unit tree); the names other apps use are importable from here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lanhmanh.core.periods import Period, parse
from lanhmanh.indicators import formula as formulas
from lanhmanh.indicators.cells import (
    COMPLEMENTARY,
    NOT_SHOWN,
    PRIMARY,
    SECONDARY,
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    WITHHELD,
    Cell,
    Evaluation,
    EvaluationError,
    _plain,
    level_of,
    state_of,
)
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.registry import ComputedSource, reported_provider, source_for
from lanhmanh.indicators.sql import (
    TIME_GROUPS,
    UNIT_GROUPS,
    memo,
    raw_direct,
    raw_from_rollup,
    raw_values,
    rollup_usable,
    shared_cache,
    shared_trees,
)
from lanhmanh.indicators.suppression import (
    Table,
    complementary_suppression,
    primary_suppression,
    protect,
    protect_together,
    suppresses_for,
)
from lanhmanh.indicators.unit_tree import (
    Tree,
    complementary_suppression_tree,
    ident_of,
    protect_tree,
    tree_cells,
    tree_for,
    tree_grouping,
)
from lanhmanh.org.levels import is_lowest

__all__ = [
    "COMPLEMENTARY",
    "NOT_SHOWN",
    "PRIMARY",
    "SECONDARY",
    "SUPPRESSED",
    "SUPPRESSION_THRESHOLD",
    "TIME_GROUPS",
    "UNIT_GROUPS",
    "WITHHELD",
    "Cell",
    "Evaluation",
    "EvaluationError",
    "Tree",
    "Views",
    "_normalise_by",
    "_plain",
    "complementary_suppression_tree",
    "counts_submitted",
    "evaluate",
    "evaluate_own",
    "evaluate_views",
    "has_source",
    "hides_small_counts",
    "including_submitted",
    "level_of",
    "page_groupings",
    "protect",
    "protect_together",
    "protect_tree",
    "provenance",
    "shared_trees",
    "source_of",
    "suppresses_for",
    "tree_cells",
    "tree_for",
]


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


def _evaluate_computed(indicator, source, unit_path, period, by, user, use_rollup=True) -> Evaluation:
    allowed = set(source.disaggregations) | set(UNIT_GROUPS) | {"child"}
    if source.date_field:
        allowed |= set(TIME_GROUPS)
    _check_by(indicator, by, allowed)
    hide = suppresses_for(source, user)
    grouping = tree_grouping(by, source, unit_path) if hide else None
    if grouping is not None:
        # The same cells as every other page of the unit tree shows this user.
        total, rows = tree_cells(tree_for(source, unit_path, period, use_rollup), unit_path, grouping)
        return Evaluation(indicator, unit_path, period, by, True, total, rows or [], withheld=rows is None)
    if hide and len(by) == 1:
        # Another single grouping (a disaggregation): protected beside the tree's total, or withheld.
        tree = tree_for(source, unit_path, period, use_rollup)
        total = tree.total(unit_path)
        _v, raw_rows = raw_values(source, unit_path, period, by, use_rollup, with_total=False)
        table = Table(
            by[0],
            [k for k, _v in raw_rows],
            [v for _k, v in raw_rows],
            primary_suppression(v for _k, v in raw_rows),
        )
        complementary_suppression(
            float(tree.values.get(("n", unit_path, None)) or 0), state_of(total), [table], total_fixed=True
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
    if use_rollup and rollup_usable(source, period, by):
        total_value, raw_rows = raw_from_rollup(source, unit_path, period, by)
    else:
        total_value, raw_rows = raw_direct(source, unit_path, period, by)
    total_value = 0 if total_value is None else total_value
    total, rows = protect(total_value, raw_rows, hide=hide)
    return Evaluation(indicator, unit_path, period, by, True, total, rows)


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
    if shared_cache() is not None:  # a page asking the same question twice (targets, sections) asks once
        user_pk = getattr(user, "pk", None)
        key = (
            "evaluation",
            indicator.pk,
            unit_path,
            period.id,
            by,
            user_pk,
            use_rollup,
            counts_submitted(),
            _depth,
        )
        return memo(key, _evaluate, indicator, unit_path, period, by, user, use_rollup, _depth)
    return _evaluate(indicator, unit_path, period, by, user, use_rollup, _depth)


def _evaluate(indicator, unit_path, period, by, user, use_rollup, _depth) -> Evaluation:
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
        if use_rollup and rollup_usable(source, period, by):
            total_value, raw[name] = raw_from_rollup(source, unit_path, period, by)
        else:
            total_value, raw[name] = raw_direct(source, unit_path, period, by)
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


def _views_from_tree(indicator, source, unit_path, period, names, extra, use_rollup) -> Views:
    """The page's total and tables read from the protected unit tree; each ``extra`` grouping the tree
    does not hold (a disaggregation) is protected with the page's cells left as they are, or withheld."""
    tree = tree_for(source, unit_path, period, use_rollup)
    total = tree.total(unit_path)
    tables: dict[str, Evaluation | None] = {}
    fixed: list[Table] = []
    for name in (*names, *extra):
        grouping = tree_grouping((name,), source, unit_path)
        if grouping:
            _total, rows = tree_cells(tree, unit_path, grouping)
            if rows is None:
                tables[name] = None
                continue
            tables[name] = Evaluation(indicator, unit_path, period, (name,), True, total, rows)
            fixed.append(
                Table(
                    name,
                    [c.key for c in rows],
                    [tree.values.get(ident_of(unit_path, grouping, c.key[0])) for c in rows],
                    [state_of(c) for c in rows],
                    fixed=True,
                )
            )
    total_state = state_of(total)
    total_value = tree.values.get(("n", unit_path, None)) or 0
    for name in extra:
        if name in tables:
            continue
        _v, rows = raw_values(source, unit_path, period, (name,), use_rollup, with_total=False)
        table = Table(
            name,
            [k for k, _v in rows],
            [v for _k, v in rows],
            primary_suppression(v for _k, v in rows),
        )
        complementary_suppression(float(total_value), total_state, [*fixed, table], total_fixed=True)
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
