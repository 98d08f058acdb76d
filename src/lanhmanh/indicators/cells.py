"""The cells of an evaluation: a value with its suppression marks, and the marks' names.

Small-count suppression in the standard terms: *primary suppression* hides a count of 1–4 ("< 5");
*complementary* (secondary) *suppression* hides further cells ("x", 5 or more) so that no primary cell can
be worked out by subtraction; a cell *withheld* ("…") is not shown at all. The steps are in
``indicators.suppression`` (one or several tables) and ``indicators.unit_tree`` (the whole unit tree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lanhmanh.core.periods import Period
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.levels import path_depth

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "< 5"
COMPLEMENTARY = "x"
# A unit's figure not shown at all (nothing said of it), where neither "< 5" nor "x" would be safe and true.
NOT_SHOWN = "…"
PRIMARY = "primary"
SECONDARY = "secondary"
WITHHELD = "withheld"


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
    # Not shown at all ("…"): a small count that "< 5" would give away (see ``complementary_suppression_tree``). Counted as
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


def state_of(cell: Cell) -> str | None:
    if not cell.suppressed:
        return None
    if cell.withheld:
        return WITHHELD
    return SECONDARY if cell.complementary else PRIMARY
