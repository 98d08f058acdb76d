"""Everything the plan dashboard shows, computed once for the page and for its Excel export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lanhmanh.core.periods import Period
from lanhmanh.indicators.evaluation import NOT_SHOWN, Cell, evaluate, shared_trees
from lanhmanh.indicators.models import Indicator
from lanhmanh.indicators.registry import ComputedSource, dashboard_sources
from lanhmanh.org.levels import is_lowest
from lanhmanh.org.successions import counting_day
from lanhmanh.plans.models import Plan, TargetKind, Task, TaskStatus
from lanhmanh.plans.progress import TargetProgress, plan_progress, spans

ACTIVITY_INDICATOR = "plans.activities_held"
# A month of a table withheld to protect small counts: not shown at all ("…"). "x" would say it is a
# complementary cell (not itself small), which a withheld month need not be.
WITHHELD_MONTH = NOT_SHOWN
# Section titles come from the apps' registrations (``dashboard_section``); these are the known ones, so
# that the translation catalogue has them. A section without an entry is shown as registered.
SECTION_TITLES = (gettext_noop("Tiếp cận, hỗ trợ"), gettext_noop("Xử lý vi phạm"))
UNKNOWN_KEY = gettext_noop("Không rõ")


@dataclass
class ChildRow:
    path: str
    name: str
    cells: list[Cell | None] = field(default_factory=list)
    # Per cell: what the unit was given (its quota, or the number of the target's named items in it);
    # None where nothing was given. Same length as ``cells`` on the dashboard's table by unit.
    goals: list[DistrictGoal | None] = field(default_factory=list)
    district_plan: DistrictPlanProgress | None = None

    @property
    def columns(self) -> list[tuple[Cell | None, DistrictGoal | None]]:
        return list(zip_longest(self.cells, self.goals))


@dataclass
class DistrictGoal:
    value: Decimal
    source: str  # "quota" (set by the coordinator) or "items" (the target's list in the unit)
    share: Decimal | None  # achieved against it, % (None: nothing to compare, or hidden)


@dataclass
class DistrictPlanProgress:
    plan_id: int
    tasks: int
    done: int
    overdue: int


@dataclass
class Breakdown:
    """An indicator at the dashboard's unit split by one of its disaggregations (e.g. services by kind)."""

    name: str  # what it is split by, e.g. "loại dịch vụ"
    rows: list[tuple[str, Cell | None]]  # (label, cell); None: nothing recorded (0)


@dataclass
class SectionIndicator:
    indicator: Indicator
    total: Cell
    target_code: str = ""  # the target of the plan that reads this indicator (e.g. T07)
    breakdown: Breakdown | None = None
    chart_id: str = ""
    withheld_by: str = ""  # the breakdown's name, when it is withheld to protect small counts

    @property
    def breakdown_title(self) -> str:
        """ "<indicator>, theo <breakdown>" without saying "theo …" twice (``chart_title``)."""
        by = self.breakdown.name if self.breakdown is not None else self.withheld_by
        return chart_title(self.indicator.name, by) if by else self.indicator.name

    def chart(self) -> dict | None:
        """The breakdown as a bar chart; hidden (suppressed) values are left out of the bars (null)."""
        if self.breakdown is None:
            return None
        return {
            "title": chart_title(self.indicator.name, self.breakdown.name),
            "labels": [label for label, _c in self.breakdown.rows],
            "values": [
                None if cell is not None and cell.suppressed else (cell.value if cell else 0)
                for _l, cell in self.breakdown.rows
            ],
        }


def chart_title(indicator: str, by: str) -> str:
    """ "<indicator>, theo <by>", unless the indicator's name already says how it is broken down
    ("Số hồ sơ hỗ trợ đã đóng, theo kết quả" by "kết quả" is not "…, theo kết quả, theo kết quả")."""
    if f"theo {by}".casefold() in indicator.casefold():
        return indicator
    return _("%(indicator)s, theo %(by)s") % {"indicator": indicator, "by": by}


@dataclass
class Section:
    """Indicators registered for one section of the dashboard, at the unit and by its children."""

    title: str
    slug: str
    indicators: list[SectionIndicator]
    child_rows: list[ChildRow] = field(default_factory=list)


@dataclass
class Dashboard:
    plan: Plan
    unit: object
    progress: list[TargetProgress]
    columns: list[str]  # codes of the targets with a data source, then "activities"
    column_labels: list[str]
    child_rows: list[ChildRow]
    total_activities: Cell
    months: list[tuple[str, int | None, str]]  # label, count (None: hidden), what is shown instead
    elapsed: float
    sections: list[Section] = field(default_factory=list)
    has_goals: bool = False  # some unit of the table was given a quota or items
    has_district_plans: bool = False
    # The part of the plan's year shown (the year itself unless a month, quarter or six months is chosen).
    period: Period | None = None

    @property
    def shown(self) -> Period:
        return self.period or self.plan.period

    @property
    def is_part(self) -> bool:
        """A month, quarter or six months of the plan's year is shown, not the whole year."""
        return self.shown != self.plan.period

    @property
    def counted_until(self) -> Period:
        """The span the targets' progress counts: the year up to the end of the part shown."""
        return spans(self.plan.period, self.period)[1]

    @property
    def on_new_map(self) -> bool:
        """Whether the figures are counted on the map of the period's end, records of pre-reform units
        under their successors (``org.successions.counted_path``): the page says so."""
        return counting_day(self.shown.end) is not None

    def chart_by_unit(self) -> dict:
        index = len(self.columns) - 1
        return {
            "title": _("Số hoạt động theo đơn vị"),
            "labels": [r.name for r in self.child_rows],
            "values": [(r.cells[index].value if r.cells[index] else 0) for r in self.child_rows],
        }

    def map_choices(self) -> list[tuple[str, str]]:
        """(column, label) of what the district map can be coloured by: each sourced target, activities."""
        titles = {p.target.code: p.target.title for p in self.progress}
        return [
            (column, f"{column}: {titles[column]}" if column in titles else label)
            for column, label in zip(self.columns, self.column_labels, strict=True)
        ]

    def district_values(self, column: str) -> dict[str, float | None] | None:
        """District code → the value of ``column`` (a target's code or "activities") in each child row,
        as the table shows it to this user (a hidden small count is None, never 0); None when the
        children are not districts (a district's own page, or the two-level map after 1/7/2025)."""
        if not self.child_rows or column not in self.columns:
            return None
        paths = [row.path for row in self.child_rows]
        if any(path.count(".") != 1 for path in paths):
            return None
        index = self.columns.index(column)
        values: dict[str, float | None] = {}
        for row in self.child_rows:
            cell = row.cells[index]
            if cell is None:
                value = 0  # nothing recorded, as the table shows it
            elif cell.suppressed or cell.value is None:
                value = None
            else:
                value = float(cell.value)
            values[row.path.split(".")[1]] = value
        return values

    def chart_by_month(self) -> dict:
        return {
            "title": _("Số hoạt động theo tháng"),
            "labels": [label for label, _v, _shown in self.months],
            "values": [value for _l, value, _shown in self.months],  # null: hidden, a gap in the line
        }


def build(plan: Plan, unit, *, user, today: dt.date | None = None, period: Period | None = None) -> Dashboard:
    """Targets at ``unit``, a table of every sourced target and of activities by the unit's children,
    and activities by month. One GROUP BY per sourced indicator; nothing loaded row by row. Each
    indicator's unit tree is protected once for the page (``shared_trees``).

    ``period``: a month, quarter or six months of the plan's year. The table by unit, the map, the
    activities and the sections then count that part only; each target shows its value in the part and
    its value from the year's start to the part's end against the (annual) goal and the time gone by
    (one more evaluation per target). The units' quotas are annual: they are compared for the year only."""
    with shared_trees():
        return _build(plan, unit, user=user, today=today, period=period)


def _build(plan: Plan, unit, *, user, today: dt.date | None, period: Period | None = None) -> Dashboard:
    today = today or dt.date.today()
    year = plan.period
    period, _counted = spans(year, period)
    by = "child" if not is_lowest(unit.level) else None
    progress = plan_progress(plan, unit, user=user, today=today, by=by, period=period)
    sourced = [p for p in progress if p.has_source]
    columns = [p.target.code for p in sourced] + ["activities"]
    labels = [p.target.code for p in sourced] + [_("Hoạt động")]
    child_rows: list[ChildRow] = []
    children: list[str] | None = None
    names: dict[str, str] = {}
    # The activity indicator and those of the sections in one query.
    codes = [ACTIVITY_INDICATOR, *(s.code for s in dashboard_sources())]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    activity = indicators.get(ACTIVITY_INDICATOR, ACTIVITY_INDICATOR)
    activities = evaluate(activity, unit, period, by=by, user=user)
    if not is_lowest(unit.level):
        evaluations = [p.evaluation for p in sourced] + [activities]
        indexes = [{c.key[0]: c for c in e.rows} for e in evaluations]
        children, names, units = _children(unit, period, plan=plan, today=today)
        child_rows = [
            ChildRow(path, names.get(path, path), [ix.get(path) for ix in indexes]) for path in children
        ]
        _add_goals(sourced, child_rows, units, annual=period == year)
    by_month = evaluate(activity, unit, period, by="month", user=user)
    cells = {c.key[0]: c for c in by_month.rows}
    months = []
    for month in period.months():  # a hidden or withheld month is shown as hidden, never as 0
        cell = cells.get(month.id)
        if by_month.withheld:
            months.append((month.label, None, WITHHELD_MONTH))
        elif cell is not None and (cell.suppressed or cell.value is None):
            months.append((month.label, None, cell.display))
        else:
            months.append((month.label, int(cell.value) if cell is not None else 0, ""))
    sections = build_sections(
        unit, period, user=user, progress=progress, children=children, names=names, indicators=indicators
    )
    return Dashboard(
        plan,
        unit,
        progress,
        columns,
        labels,
        child_rows,
        activities.total,
        months,
        year.elapsed_share(min(today, period.end)),
        sections,
        has_goals=any(g is not None for r in child_rows for g in r.goals),
        has_district_plans=any(r.district_plan is not None for r in child_rows),
        period=period,
    )


# A keep-clean list counts re-emergences (0 is the goal) and a share of units is no count: no "% of quota".
NO_SHARE_KINDS = (TargetKind.KEEP_CLEAN_SET, TargetKind.SHARE_OF_UNITS)


def _add_goals(
    sourced: list[TargetProgress], rows: list[ChildRow], units: dict, *, annual: bool = True
) -> None:
    """What each unit of the table was given, target by target: its quota (read with the targets'
    progress) or else the number of the target's named items (hotspots, designated communes) inside it
    (prefetched with the targets); and its own plan under this one with its tasks (annotated on the
    children). No query of its own. Not ``annual`` (a part of the year is shown): no goal, since a
    quota is for the whole year."""
    items_in: dict[int, dict[str, int]] = {}
    for p in sourced:
        counts = items_in[p.target.pk] = {}
        for item in p.target.items.all():
            if item.unit_id is None:
                continue
            for row in rows:
                if item.unit.path == row.path or item.unit.path.startswith(row.path + "."):
                    counts[row.path] = counts.get(row.path, 0) + 1
                    break
    for row in rows:
        row.goals = []
        for p, cell in zip(sourced, row.cells, strict=False):
            quota = p.child_quotas.get(row.path)
            goal = DistrictGoal(quota, "quota", None) if quota is not None else None
            if goal is None and row.path in items_in[p.target.pk]:
                goal = DistrictGoal(Decimal(items_in[p.target.pk][row.path]), "items", None)
            if not annual:
                goal = None
            if (
                goal is not None
                and p.target.kind not in NO_SHARE_KINDS
                and goal.value
                and cell is not None
                and not cell.suppressed
                and cell.value is not None
            ):
                goal.share = (Decimal(cell.value) * 100 / goal.value).quantize(Decimal("0.1"))
            row.goals.append(goal)
        row.goals.append(None)  # the activities column
        unit = units.get(row.path)
        if unit is not None and getattr(unit, "sub_plan", None):
            row.district_plan = DistrictPlanProgress(
                unit.sub_plan, unit.sub_tasks or 0, unit.sub_done or 0, unit.sub_overdue or 0
            )


def _lookup_field(source: ComputedSource, lookup: str):
    model = source.queryset().model
    parts = lookup.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


def _breakdown(
    source: ComputedSource, indicator: Indicator, unit, period, user
) -> tuple[Breakdown, Cell | None]:
    """Every choice of the disaggregation in its declared order (0 when nothing was recorded), and the
    total as this grouping may show it (None: the grouping is withheld)."""
    model_field = _lookup_field(source, source.disaggregations[source.dashboard_by])
    result = evaluate(indicator, unit, period, by=source.dashboard_by, user=user)
    cells = {c.key[0]: c for c in result.rows}
    rows: list[tuple[str, Cell | None]] = []
    for value, label in model_field.flatchoices:
        if value in ("", None):
            continue
        rows.append((str(label), cells.pop(value, None)))
    for key, cell in cells.items():  # values outside the choices (or empty) come last
        rows.append((str(key) if key not in ("", None) else _(UNKNOWN_KEY), cell))
    return Breakdown(str(model_field.verbose_name), rows), (None if result.withheld else result.total)


def _children(unit, period, *, plan: Plan | None = None, today: dt.date | None = None):
    """Paths of the unit's children valid when the period starts, in order, their full names and the units
    (one query). Under a city plan, each child carries its own plan under it with its tasks, done and
    overdue (subqueries of the same query)."""
    units = unit.children.valid_on(period.start).order_by("path")
    if plan is not None and plan.parent_id is None:
        units = units.annotate(**_district_plan_columns(plan, today or dt.date.today()))
    units = list(units)
    return [u.path for u in units], {u.path: u.full_name for u in units}, {u.path: u for u in units}


def _district_plan_columns(plan: Plan, today: dt.date) -> dict:
    def count(condition: Q) -> Subquery:
        tasks = (
            Task.objects.filter(duty__plan__parent=plan, duty__plan__scope_unit__path=OuterRef("path"))
            .filter(condition)
            .order_by()
            .values("duty__plan__parent")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        return Subquery(tasks)

    not_done = ~Q(status=TaskStatus.DONE)
    return {
        "sub_plan": Subquery(
            Plan.objects.filter(parent=plan, scope_unit__path=OuterRef("path"))
            .order_by("pk")
            .values("pk")[:1]
        ),
        "sub_tasks": count(Q()),
        "sub_done": count(Q(status=TaskStatus.DONE)),
        "sub_overdue": count(not_done & Q(due_on__lt=today)),
    }


def build_sections(
    unit, period, *, user, progress=(), children=None, names=None, indicators=None
) -> list[Section]:
    """The sections of every indicator registered with a ``dashboard_section``, suppressed for ``user``.

    Per indicator: its value at ``unit`` and by the unit's children (one evaluation: two GROUP BY
    queries), plus two for a ``dashboard_by`` breakdown; one query for the indicator rows (none when
    ``indicators`` gives them) and one for the children (none when ``children`` and ``names`` give
    them). The count depends on the registrations, never on the number of records or units.
    """
    sources = dashboard_sources()
    if not sources:
        return []
    if indicators is None:
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=[s.code for s in sources])}
    targets = {}
    for p in progress:
        targets.setdefault(p.target.indicator.code, p.target.code)
    if (children is None or names is None) and not is_lowest(unit.level):
        children, names, _units = _children(unit, period)
    sections: dict[str, Section] = {}
    indexes: dict[str, list[dict]] = {}
    for source in sources:
        indicator = indicators.get(source.code)
        if indicator is None:  # registered after the last migrate: no Indicator row to show yet
            continue
        title = source.dashboard_section
        section = sections.get(title)
        if section is None:
            section = sections[title] = Section(_(title), slugify(title) or f"section-{len(sections)}", [])
            indexes[title] = []
        if not is_lowest(unit.level):
            result = evaluate(indicator, unit, period, by="child", user=user)
            indexes[title].append({c.key[0]: c for c in result.rows})
        else:
            result = evaluate(indicator, unit, period, user=user)
        item = SectionIndicator(indicator, result.total, targets.get(indicator.code, ""))
        if source.dashboard_by:
            breakdown, total = _breakdown(source, indicator, unit, period, user)
            # The total is on the page already: a breakdown that had to hide it (or shows one the
            # page hides) would let a small count be worked out across the two views, so it is withheld.
            if total is not None and total.suppressed == item.total.suppressed:
                item.breakdown = breakdown
            else:
                item.withheld_by = breakdown.name
            item.chart_id = f"chart-{section.slug}-{len(section.indicators)}"
        section.indicators.append(item)
    if not is_lowest(unit.level) and children:
        for title, section in sections.items():
            section.child_rows = [
                ChildRow(path, names.get(path, path), [ix.get(path) for ix in indexes[title]])
                for path in children
            ]
    return list(sections.values())
