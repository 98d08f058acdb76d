"""Evaluate an indicator for a unit's subtree over a period, grouped by units, time or disaggregations.

Everything is one or two SQL aggregate queries per computed indicator (a filtered GROUP BY and the
total): rows are never loaded into Python. Values are live: nothing is cached between requests.

Small counts: a computed source that declares ``owner_agency_kinds`` holds records about people; a
cell counting 1–4 of them is shown as "< 5" to users whose agency is not one of those kinds. The
value itself is dropped from the cell, so exports built from it cannot leak it either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import F
from django.db.models.functions import Substr, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from lanhmanh.core.periods import MONTH, QUARTER, YEAR, Period, parse
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators import formula as formulas
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.registry import ComputedSource, source_for
from lanhmanh.org.models import CODE_WIDTH

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "< 5"
UNIT_GROUPS = {"district": 2, "commune": 3}
TIME_GROUPS = {"month": (TruncMonth, MONTH), "quarter": (TruncQuarter, QUARTER), "year": (TruncYear, YEAR)}


def path_length(level: int) -> int:
    """Characters of a materialised path at ``level`` (``01`` = 2, ``01.002`` = 6, ``01.002.00076`` = 12)."""
    return sum(CODE_WIDTH[i] for i in range(1, level + 1)) + level - 1


def level_of(path: str) -> int:
    return path.count(".") + 1


@dataclass(frozen=True)
class Cell:
    key: tuple
    value: Decimal | int | None
    suppressed: bool = False

    @property
    def display(self) -> str:
        if self.suppressed:
            return SUPPRESSED
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


def _group_expression(name: str, source: ComputedSource, unit_path: str):
    if name in UNIT_GROUPS or name == "child":
        level = UNIT_GROUPS.get(name, level_of(unit_path) + 1)
        if level > 3:
            raise EvaluationError("Đơn vị cấp xã không có đơn vị cấp dưới để phân tổ.")
        return Substr(F(source.unit_path), 1, path_length(level))
    if name in TIME_GROUPS:
        if source.date_field is None:
            raise EvaluationError(
                f"Chỉ số “{source.code}” không gắn với ngày nên không phân tổ theo thời gian."
            )
        return TIME_GROUPS[name][0](source.date_field)
    return F(source.disaggregations[name])


def _key_value(name: str, raw):
    if name in TIME_GROUPS and raw is not None:
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        return Period.containing(day, TIME_GROUPS[name][1]).id
    return raw


def _evaluate_computed(indicator, source, unit_path, period, by, user) -> Evaluation:
    allowed = set(source.disaggregations) | set(UNIT_GROUPS) | {"child"}
    if source.date_field:
        allowed |= set(TIME_GROUPS)
    _check_by(indicator, by, allowed)
    queryset = source.queryset().order_by()
    queryset = queryset.filter(path_q(unit_path, source.unit_path))
    if source.date_field:
        queryset = queryset.filter(**_date_filter(source, queryset.model, period))
    elif source.period_filter is not None:
        queryset = source.period_filter(queryset, period)
    hide = suppresses_for(source, user)
    total_value = queryset.aggregate(v=source.value)["v"]
    total_value = 0 if total_value is None else total_value
    total = Cell((), None if hide and _small(total_value) else total_value, hide and _small(total_value))
    rows: list[Cell] = []
    if by:
        expressions = {f"k{i}": _group_expression(name, source, unit_path) for i, name in enumerate(by)}
        names = list(expressions)
        grouped = queryset.values(**expressions).annotate(v=source.value).order_by(*names)
        for row in grouped:
            key = tuple(_key_value(name, row[k]) for name, k in zip(by, names, strict=True))
            small = hide and _small(row["v"])
            rows.append(Cell(key, None if small else row["v"], small))
    return Evaluation(indicator, unit_path, period, by, True, total, rows)


def _evaluate_formula(indicator, unit_path, period, by, user, depth) -> Evaluation:
    if depth > 8:
        raise EvaluationError(f"Công thức của chỉ số “{indicator.code}” lồng nhau quá sâu (có vòng lặp?).")
    codes = sorted(formulas.references(indicator.formula))
    operands = {code: evaluate(code, unit_path, period, by=by, user=user, _depth=depth + 1) for code in codes}
    if not all(e.has_source for e in operands.values()):
        return Evaluation(indicator, unit_path, period, by, False, Cell((), None))

    def combine(cells: dict[str, Cell | None]) -> Cell | tuple:
        if any(c is not None and c.suppressed for c in cells.values()):
            return None, True
        values = {code: (c.value if c is not None else 0) for code, c in cells.items()}
        return formulas.evaluate(indicator.formula, values), False

    value, hidden = combine({code: e.total for code, e in operands.items()})
    total = Cell((), value, hidden)
    rows = []
    keys = sorted({c.key for e in operands.values() for c in e.rows}, key=lambda k: tuple(str(x) for x in k))
    index = {code: {c.key: c for c in e.rows} for code, e in operands.items()}
    for key in keys:
        value, hidden = combine({code: index[code].get(key) for code in codes})
        rows.append(Cell(key, value, hidden))
    return Evaluation(indicator, unit_path, period, by, True, total, rows)


def evaluate(
    indicator: Indicator | str,
    unit,
    period: Period | str,
    *,
    by: str | Sequence[str] | None = None,
    user=None,
    _depth: int = 0,
) -> Evaluation:
    """Values of ``indicator`` for the subtree of ``unit`` (a unit or its path) over ``period``.

    ``by`` groups the values: ``district``, ``commune``, ``child`` (the level below ``unit``),
    ``month``, ``quarter``, ``year`` and the source's own disaggregations. ``user`` decides small-count
    suppression; pass the requesting user from every view and API. Raises EvaluationError (a
    ValueError with a Vietnamese message) for unknown indicators or groupings and ValueError for a
    period id that does not parse. Reported indicators and computed ones without a registered
    source come back with ``has_source`` False.
    """
    indicator = _as_indicator(indicator)
    unit_path = _as_path(unit)
    period = parse(period) if isinstance(period, str) else period
    by = _normalise_by(by)
    if indicator.kind == IndicatorKind.FORMULA:
        return _evaluate_formula(indicator, unit_path, period, by, user, _depth)
    source = source_for(indicator.code) if indicator.kind == IndicatorKind.COMPUTED else None
    if source is None:
        return Evaluation(indicator, unit_path, period, by, False, Cell((), None))
    return _evaluate_computed(indicator, source, unit_path, period, by, user)


def has_source(indicator: Indicator) -> bool:
    if indicator.kind == IndicatorKind.COMPUTED:
        return source_for(indicator.code) is not None
    if indicator.kind == IndicatorKind.FORMULA:
        try:
            codes = formulas.references(indicator.formula)
        except formulas.FormulaError:
            return False
        return all(has_source(i) for i in Indicator.objects.filter(code__in=codes)) and bool(codes)
    return False
