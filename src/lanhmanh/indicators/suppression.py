"""Small-count suppression of one table or of several one-grouping tables of one total.

*Primary suppression* (``primary_suppression``): a count of 1–4 is hidden ("< 5"). *Complementary
suppression*: while a primary cell can be worked out from a total shown and the visible cells, the
smallest visible cell is hidden too ("x", 5 or more), then the total, then a whole table is withheld
(``complementary_suppression``). The unit tree's version is ``indicators.unit_tree``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lanhmanh.indicators.cells import PRIMARY, SECONDARY, SUPPRESSION_THRESHOLD, WITHHELD, Cell
from lanhmanh.indicators.registry import ComputedSource

INFINITY = float("inf")


def is_small_count(value) -> bool:
    return value is not None and 0 < value < SUPPRESSION_THRESHOLD


def suppresses_for(source: ComputedSource | None, user) -> bool:
    """Whether counts from ``source`` are suppressed for ``user`` (None: trusted internal caller)."""
    if source is None or not source.owner_agency_kinds or user is None:
        return False
    agency = getattr(user, "agency", None)
    return agency is None or agency.kind not in source.owner_agency_kinds


def primary_suppression(values) -> list[str | None]:
    """Primary suppression: the state of each value (``PRIMARY`` for a count of 1–4, else None)."""
    return [PRIMARY if is_small_count(v) else None for v in values]


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
    states: list[str | None] = primary_suppression(v for _k, v in raw_rows)
    total_hidden = is_small_count(total_value)
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
            if is_small_count(margin) or (width == 1 and total_hidden):
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


@dataclass
class Table:
    name: str
    keys: list[tuple]
    raw: list
    states: list[str | None]
    fixed: bool = False
    withheld: bool = False

    @property
    def values(self) -> list[float]:
        return [float(v or 0) for v in self.raw]


def hidden_bounds(state: str) -> tuple[float, float]:
    """What a reader knows of a hidden cell: "< 5" holds 1–4, "x" holds 5 or more, one not shown
    (a withheld table's) 0 or more."""
    if state == WITHHELD:
        return (0, INFINITY)
    return (1, SUPPRESSION_THRESHOLD - 1) if state == PRIMARY else (SUPPRESSION_THRESHOLD, INFINITY)


def _table_sum(table: Table) -> tuple[float, float, float]:
    """The visible sum of a table and the least and most its hidden cells can add up to."""
    visible = sum(v for v, s in zip(table.values, table.states, strict=True) if s is None)
    bounds = [hidden_bounds(s) for s in table.states if s]
    return visible, sum(b[0] for b in bounds), sum(b[1] for b in bounds)


def _total_range(total: float, state: str | None, tables: list[Table]) -> tuple[float, float]:
    """What a reader can say the total is, from its own cell and every table shown (each adds up to it)."""
    low, high = (total, total) if state is None else hidden_bounds(state)
    for table in tables:
        visible, hidden_low, hidden_high = _table_sum(table)
        low, high = max(low, visible + hidden_low), min(high, visible + hidden_high)
    return low, high


def _exposed(total: float, state: str | None, tables: list[Table]):
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


def _narrowing(tables: list[Table], known: tuple[float, float]):
    """A table that would tell a reader more about a hidden total than ``known`` (what the page tells)."""
    for table in tables:
        visible, hidden_low, hidden_high = _table_sum(table)
        if not table.fixed and (visible + hidden_low > known[0] or visible + hidden_high < known[1]):
            return table, None
    return False


def complementary_suppression(
    total: float, state: str | None, tables: list[Table], *, total_fixed: bool
) -> str | None:
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
            if suppress_smallest_cell(table):
                continue
            if state is None and not total_fixed:
                state = SECONDARY
                continue
        # The hidden total (or a fixed table) is pinned down by the other tables: hide a cell of, or
        # else withhold, the table that tells most about the total.
        movable = [t for t in shown if not t.fixed and t is not table]
        if any(suppress_smallest_cell(t) for t in _most_telling(total, state, shown, movable)):
            continue
        pool = movable or [t for t in shown if not t.fixed] or shown
        _most_telling(total, state, shown, pool)[0].withheld = True


def suppress_smallest_cell(table: Table) -> bool:
    """Hide the smallest visible cell above zero ("x": 5 or more); False when there is none."""
    values = table.values
    candidates = [i for i, s in enumerate(table.states) if s is None and values[i] > 0]
    if not candidates:
        return False
    table.states[min(candidates, key=values.__getitem__)] = SECONDARY
    return True


def _most_telling(total: float, state: str | None, shown: list[Table], pool: list[Table]) -> list[Table]:
    """``pool`` ordered by how much wider the total's range would be without each table."""

    def width(table):
        low, high = _total_range(total, state, [t for t in shown if t is not table])
        return high - low

    return sorted(pool, key=width, reverse=True)


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
        Table(
            name,
            [k for k, _v in rows],
            [v for _k, v in rows],
            primary_suppression(v for _k, v in rows),
        )
        for name, rows in (*page.items(), *(extra or {}).items())
    ]
    state = PRIMARY if is_small_count(total_value) else None
    first = tables[: len(page)]
    state = complementary_suppression(float(total_value), state, first, total_fixed=False)
    for table in first:
        table.fixed = True
    for table in tables[len(page) :]:
        complementary_suppression(float(total_value), state, [*first, table], total_fixed=True)
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
