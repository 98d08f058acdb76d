"""One protection for the whole unit tree of an (indicator, period), kept across requests.

A unit's total is a cell of its parent's table, its children's totals add up to it, its months add
up to it, and each month adds up over its children. A user can put the pages of the drill-down side
by side, so the cells hidden for one (indicator, period) are decided once for the whole tree under
the unit's province/city (whatever unit the page is at, and whoever asks): a cell hidden on one page
is hidden on every page that shows it, and every hidden cell keeps at least two possible values
given everything every page of the tree shows. Primary suppression first ("< 5"), then complementary
suppression over every line of the tree (``complementary_suppression_tree``).
"""

from __future__ import annotations

import collections
import math
import threading
from dataclasses import dataclass, field

from django.db import connection

from lanhmanh.core.periods import Period
from lanhmanh.indicators.cells import PRIMARY, SECONDARY, SUPPRESSION_THRESHOLD, WITHHELD, Cell, level_of
from lanhmanh.indicators.registry import ComputedSource
from lanhmanh.indicators.rollup import version, versions
from lanhmanh.indicators.sql import memo, rollup_usable, shared_cache, tree_values
from lanhmanh.indicators.suppression import INFINITY, hidden_bounds, is_small_count
from lanhmanh.org.levels import is_district, is_lowest, is_top, path_prefix
from lanhmanh.org.successions import counting_day

MAX_SWEEPS = 60


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
        """The unit's table by month; None when it is withheld (see ``complementary_suppression_tree``)."""
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
    ranges = {c: list(hidden_bounds(s)) for c, s in states.items() if s}
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
            bounds.append(hidden_bounds(state))
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
        if not state or (state == WITHHELD and not is_small_count(values.get(c))):
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


def complementary_suppression_tree(
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
                if high - low < 1 and (states[c] != WITHHELD or is_small_count(values.get(c)))
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
    states = _primary_states(values)
    roots = {c for c in values if c[0] == "n" and c[2] is None and level_of(c[1]) == 1}
    # The province/city total is the figure everyone asks for: cells below it are hidden or withheld
    # instead of it while that protects every small count; only when it cannot is the total hidden too.
    if not complementary_suppression_tree(
        values, lines, states, fixed=frozenset(c for c in roots if not states.get(c))
    ):
        states = _primary_states(values)
        complementary_suppression_tree(values, lines, states)
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
    by = ("commune", "month") if source.date_field else ("commune",)
    if not (use_rollup and rollup_usable(source, period, by)):
        return None
    if counting_day(period.end) is not None:
        return None
    # Within ``shared_trees`` (a page of many indicators) every token is read at once, like the trees.
    token = version(source.code) if shared_cache() is None else memo(("versions",), versions).get(source.code)
    if token is None:
        return None
    name = connection.settings_dict.get("NAME")
    return (connection.alias, name, source.code, root, period.id, SUPPRESSION_THRESHOLD, token)


def tree_for(source: ComputedSource, unit_path: str, period: Period, use_rollup: bool = True) -> Tree:
    """The protected tree under the province/city of ``unit_path`` (shared within ``shared_trees``, and
    kept across requests while the source's rollup rows are unchanged)."""
    root = path_prefix(unit_path, 1)
    cache = shared_cache()
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
        tree = protect_tree(tree_values(source, root, period, use_rollup), bool(source.date_field))
        if kept is not None:
            with _KEPT_LOCK:
                _KEPT[kept] = tree
                while len(_KEPT) > _KEPT_SIZE:
                    _KEPT.popitem(last=False)
    if cache is not None:
        cache[key] = tree
    return tree


def tree_grouping(by: tuple[str, ...], source: ComputedSource, unit_path: str) -> str | None:
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


def ident_of(unit_path: str, grouping: str, key) -> tuple:
    if grouping == "month":
        return ("n", unit_path, key)
    return ("s", key, None) if key == unit_path else ("n", key, None)


def _primary_states(values: dict[tuple, object]) -> dict[tuple, str]:
    """Primary suppression over the tree: every count of 1–4."""
    return {c: PRIMARY for c, v in values.items() if is_small_count(v)}
