"""Progress of a plan's targets at a unit: value so far, goal, share achieved against time elapsed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.periods import Period
from lanhmanh.indicators.evaluation import Cell, Evaluation, evaluate
from lanhmanh.plans.models import Plan, Target, TargetBreakdown, TargetItem, TargetKind

ON_TRACK = "on-track"
AT_RISK = "at-risk"
OFF_TRACK = "off-track"
NO_DATA = "no-data"
STATUS_LABELS = {
    ON_TRACK: _("Đúng tiến độ"),
    AT_RISK: _("Có nguy cơ chậm"),
    OFF_TRACK: _("Chậm tiến độ"),
    NO_DATA: _("Chưa có nguồn số liệu"),
}
RISK_FACTOR = Decimal("0.75")
STATUS_RULE = _(
    "Cách xếp trạng thái: “Đúng tiến độ” khi tỷ lệ đã đạt so với chỉ tiêu không thấp hơn tỷ lệ thời gian đã qua "
    "của năm kế hoạch; “Có nguy cơ chậm” khi đạt từ 75% tỷ lệ thời gian đã qua trở lên; còn lại là “Chậm tiến độ”. "
    "Chỉ tiêu khoảng lấy giá trị “từ” làm mốc. Chỉ tiêu duy trì không tái phát: đúng tiến độ khi không có điểm nào "
    "tái hoạt động, chậm tiến độ khi có. Chỉ tiêu tỷ lệ đơn vị: so trực tiếp tỷ lệ hiện tại với tỷ lệ mục tiêu "
    "(có nguy cơ khi thấp hơn không quá 10 điểm phần trăm)."
)


@dataclass
class TargetProgress:
    target: Target
    goal: Decimal | None
    second_goal: Decimal | None
    achieved: Cell | None
    second_achieved: Cell | None
    share_achieved: Decimal | None  # 0–100
    share_elapsed: Decimal  # 0–100
    status: str
    # The evaluation the value came from, grouped as asked (e.g. by child unit for the dashboard's table).
    evaluation: Evaluation | None = None
    # The quotas given to the unit's children (path → value), read with the unit's own in one query.
    child_quotas: dict[str, Decimal] = field(default_factory=dict)
    # For a part of the plan's year (a month, quarter, six months): the value within that part. ``achieved``
    # is then counted from the start of the year to the part's end, against the annual goal, and
    # ``share_elapsed`` is the share of the year gone by at the part's end (or today, if sooner).
    in_period: Cell | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def has_source(self) -> bool:
        return self.status != NO_DATA


def _goal(target: Target, unit_path: str, breakdowns: dict) -> tuple[Decimal | None, Decimal | None]:
    if target.unit.path == unit_path:
        if target.kind == TargetKind.RANGE:
            return target.min_value, target.max_value
        return target.value, target.second_value
    breakdown = breakdowns.get((target.pk, unit_path))
    if breakdown is not None:
        return breakdown.value, breakdown.second_value
    return None, None


def _status_against_time(share: Decimal | None, elapsed: Decimal) -> str:
    if share is None:
        return OFF_TRACK if elapsed > 0 else ON_TRACK
    if share >= elapsed:
        return ON_TRACK
    if share >= elapsed * RISK_FACTOR:
        return AT_RISK
    return OFF_TRACK


def spans(year: Period, period: Period | None) -> tuple[Period, Period]:
    """(the part of the plan's ``year`` chosen, the span counted against the annual goal): the year twice
    when nothing else is chosen; for a month, quarter or six months, from the year's start to its end."""
    if period is None or period == year:
        return year, year
    if not (year.start <= period.start and period.end <= year.end):
        raise ValueError(
            _("Kỳ %(period)s không thuộc năm %(year)s của kế hoạch.")
            % {"period": period.label, "year": year.start.year}
        )
    if period.start == year.start:
        return period, period
    return period, Period.range(year.start, period.end)


def target_progress(
    target: Target,
    unit,
    *,
    user,
    today: dt.date,
    breakdowns: dict | None = None,
    by: str | None = None,
    period: Period | None = None,
) -> TargetProgress:
    """The target at ``unit``. ``by`` (e.g. ``child``): evaluate grouped, in the same queries, and keep
    the evaluation; the value shown is then that evaluation's total, hidden wherever its groups would
    otherwise give a small count away. ``period``: a part of the plan's year (``spans``); the grouped
    evaluation kept is then the part's, the value against the goal the year's up to the part's end."""
    plan = target.plan
    unit_path = unit if isinstance(unit, str) else unit.path
    shown, counted = spans(plan.period, period)
    elapsed = (Decimal(str(plan.period.elapsed_share(min(today, counted.end)))) * 100).quantize(
        Decimal("0.1")
    )
    goal, second_goal = _goal(target, unit_path, breakdowns or {})
    part = shown != counted
    result = evaluate(target.indicator, unit_path, counted, by=None if part else by, user=user)
    kept = evaluate(target.indicator, unit_path, shown, by=by, user=user) if part else result
    if not result.has_source:
        return TargetProgress(target, goal, second_goal, None, None, None, elapsed, NO_DATA, kept)
    second = None
    if target.kind == TargetKind.PAIR and target.second_indicator_id:
        second_result = evaluate(target.second_indicator, unit_path, counted, user=user)
        second = second_result.total if second_result.has_source else None
    progress = _progress(target, unit_path, goal, second_goal, result.total, second, elapsed)
    progress.evaluation = kept
    if part:
        progress.in_period = kept.total
    return progress


def _progress(target, unit_path, goal, second_goal, achieved: Cell, second, elapsed) -> TargetProgress:
    value = achieved.value
    if target.kind == TargetKind.KEEP_CLEAN_SET:
        status = ON_TRACK if not value else OFF_TRACK
        return TargetProgress(target, goal, second_goal, achieved, second, None, elapsed, status)
    if target.kind == TargetKind.SHARE_OF_UNITS:
        communes = evaluate("org.communes", unit_path, target.plan.period).total.value or 0
        share = (Decimal(value or 0) * 100 / communes).quantize(Decimal("0.1")) if communes else None
        if share is None or goal is None:
            status = OFF_TRACK if share is None else ON_TRACK
        elif share >= goal:
            status = ON_TRACK
        elif share >= goal - 10:
            status = AT_RISK
        else:
            status = OFF_TRACK
        return TargetProgress(target, goal, second_goal, achieved, second, share, elapsed, status)
    share = None
    if goal and value is not None:
        share = (Decimal(value) * 100 / goal).quantize(Decimal("0.1"))
        if second is not None and second.value is not None and second_goal:
            share = min(share, (Decimal(second.value) * 100 / second_goal).quantize(Decimal("0.1")))
    if goal is None:
        return TargetProgress(target, None, None, achieved, second, None, elapsed, ON_TRACK)
    return TargetProgress(
        target, goal, second_goal, achieved, second, share, elapsed, _status_against_time(share, elapsed)
    )


def plan_progress(
    plan: Plan,
    unit,
    *,
    user,
    today: dt.date | None = None,
    by: str | None = None,
    period: Period | None = None,
) -> list[TargetProgress]:
    """Every target of ``plan`` at ``unit`` (its whole subtree), live from the records the indicators count.

    ``by``: group each target's evaluation too; ``period``: a part of the plan's year (see
    ``target_progress``)."""
    today = today or dt.date.today()
    targets = list(
        plan.targets.select_related("indicator", "second_indicator", "unit", "plan").prefetch_related(
            "lead_agencies", Prefetch("items", queryset=TargetItem.objects.select_related("unit"))
        )
    )
    unit_path = unit if isinstance(unit, str) else unit.path
    # The unit's own quotas and its children's (for the dashboard's table by unit) in one query.
    breakdowns = {
        (b.target_id, b.unit.path): b
        for b in TargetBreakdown.objects.filter(target__plan=plan)
        .filter(Q(unit__path=unit_path) | Q(unit__parent__path=unit_path))
        .select_related("unit")
    }
    results = [
        target_progress(t, unit_path, user=user, today=today, breakdowns=breakdowns, by=by, period=period)
        for t in targets
    ]
    by_target = {r.target.pk: r for r in results}
    for (target_id, path), breakdown in breakdowns.items():
        if path != unit_path:
            by_target[target_id].child_quotas[path] = breakdown.value
    return results
