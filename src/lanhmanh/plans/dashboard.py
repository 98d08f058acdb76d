"""Everything the plan dashboard shows, computed once for the page and for its Excel export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lanhmanh.indicators.evaluation import Cell, evaluate
from lanhmanh.indicators.selectors import unit_names
from lanhmanh.plans.models import Plan
from lanhmanh.plans.progress import TargetProgress, plan_progress

ACTIVITY_INDICATOR = "plans.activities_held"


@dataclass
class ChildRow:
    path: str
    name: str
    cells: list[Cell | None] = field(default_factory=list)


@dataclass
class Dashboard:
    plan: Plan
    unit: object
    progress: list[TargetProgress]
    columns: list[str]  # codes of the targets with a data source, then "activities"
    column_labels: list[str]
    child_rows: list[ChildRow]
    total_activities: Cell
    months: list[tuple[str, int]]
    elapsed: float

    def chart_by_unit(self) -> dict:
        index = len(self.columns) - 1
        return {
            "title": _("Số hoạt động theo đơn vị"),
            "labels": [r.name for r in self.child_rows],
            "values": [(r.cells[index].value if r.cells[index] else 0) for r in self.child_rows],
        }

    def chart_by_month(self) -> dict:
        return {
            "title": _("Số hoạt động theo tháng"),
            "labels": [label for label, _v in self.months],
            "values": [value for _l, value in self.months],
        }


def build(plan: Plan, unit, *, user, today: dt.date | None = None) -> Dashboard:
    """Targets at ``unit``, a table of every sourced target and of activities by the unit's children,
    and activities by month. One GROUP BY per sourced indicator; nothing loaded row by row."""
    today = today or dt.date.today()
    period = plan.period
    progress = plan_progress(plan, unit, user=user, today=today)
    sourced = [p for p in progress if p.has_source]
    columns = [p.target.code for p in sourced] + ["activities"]
    labels = [p.target.code for p in sourced] + [_("Hoạt động")]
    child_rows: list[ChildRow] = []
    if unit.level < 3:
        evaluations = [evaluate(p.target.indicator, unit, period, by="child", user=user) for p in sourced]
        evaluations.append(evaluate(ACTIVITY_INDICATOR, unit, period, by="child", user=user))
        indexes = [{c.key[0]: c for c in e.rows} for e in evaluations]
        children = list(unit.children.valid_on(period.start).order_by("path").values_list("path", flat=True))
        names = unit_names(children)
        child_rows = [
            ChildRow(path, names.get(path, path), [ix.get(path) for ix in indexes]) for path in children
        ]
    by_month = evaluate(ACTIVITY_INDICATOR, unit, period, by="month", user=user)
    values = {c.key[0]: c.value for c in by_month.rows}
    months = [(m.label, values.get(m.id, 0) or 0) for m in period.months()]
    total = evaluate(ACTIVITY_INDICATOR, unit, period, user=user).total
    return Dashboard(
        plan, unit, progress, columns, labels, child_rows, total, months, period.elapsed_share(today)
    )
