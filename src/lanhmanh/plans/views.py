from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from lanhmanh.core.audit import history
from lanhmanh.core.documents import download_name
from lanhmanh.core.listing import Sort, listing
from lanhmanh.core.periods import HALF, MONTH, QUARTER, YEAR, parse
from lanhmanh.core.pickers import period_picker
from lanhmanh.core.scoping import DataClass, in_subtree, path_q
from lanhmanh.indicators.evaluation import evaluate, has_source
from lanhmanh.indicators.selectors import breadcrumbs, unit_for
from lanhmanh.org.maps import district_map
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans import rules, services
from lanhmanh.plans.dashboard import build
from lanhmanh.plans.export import dashboard_workbook
from lanhmanh.plans.forms import (
    ActivityForm,
    AllocationDecisionForm,
    AllocationForm,
    BudgetLineForm,
    DistrictDutyForm,
    DistrictPlanEditForm,
    DistrictPlanForm,
    DutyForm,
    GapResolveForm,
    PlanCopyForm,
    TargetForm,
    TargetItemForm,
    TaskFilterForm,
    TaskUpdateForm,
)
from lanhmanh.plans.models import (
    AllocationStatus,
    Duty,
    FundingSource,
    Target,
    TargetBreakdown,
    TargetItem,
    Task,
    TaskStatus,
)
from lanhmanh.plans.progress import STATUS_RULE, plan_progress, spans
from lanhmanh.plans.selectors import (
    activities_for,
    allocation_for,
    allocations_for,
    budget_lines_for,
    is_coordinator,
    plan_for,
    plan_year_for,
    plans_for,
    task_for,
    tasks_for,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GAPS_PER_PAGE = 20


@login_required
def plan_list(request):
    """The plans the user works under; a district's plan is reached from the city plan it carries out."""
    plans = (
        plans_for(request.user)
        .filter(parent__isnull=True)
        .annotate(
            n_district_plans=Count("district_plans", filter=Q(district_plans__in=plans_for(request.user)))
        )
    )
    return render(request, "plans/plan_list.html", {"plans": plans})


@login_required
def dashboard(request, pk: int):
    """The live plan dashboard at a unit of the user's jurisdiction: targets, table by unit, trend; for the
    plan's year or a month, quarter or six months of it (``?ky=``, chosen with the period picker)."""
    plan = plan_for(request.user, pk)
    unit = unit_for(request.user, request.GET.get("unit"))
    period, error = _dashboard_period(plan, request.GET.get(PERIOD_PARAM))
    board = build(plan, unit, user=request.user, period=period)
    measure = request.GET.get(MAP_PARAM, "")
    if measure not in board.columns:
        measure = "activities"
    picker = period_picker(board.shown, param=PERIOD_PARAM)
    picker["previous"] = picker["next"] = ""  # a plan is for one year: its parts only
    return render(
        request,
        "plans/dashboard.html",
        {
            "board": board,
            "map": _dashboard_map(plan, board, measure),
            "map_measure": measure,
            "map_param": MAP_PARAM,
            "plan": plan,
            "unit": unit,
            "crumbs": breadcrumbs(unit, request.user),
            "status_rule": STATUS_RULE,
            "chart_by_unit": board.chart_by_unit() if board.child_rows else None,
            "chart_by_month": board.chart_by_month(),
            "coordinator": is_coordinator(request.user, plan),
            "picker": picker,
            "period_error": error,
            # Kept on the page's links to other units (a part of the year only: the year is the default).
            "period_query": f"&{PERIOD_PARAM}={board.shown.id}" if board.is_part else "",
        },
    )


MAP_PARAM = "ban-do"
PERIOD_PARAM = "ky"


def _dashboard_period(plan, period_id: str | None):
    """(the part of the plan's year asked for, or None for the whole year; a message when it is not one)."""
    period_id = (period_id or "").strip()
    if not period_id:
        return None, ""
    try:
        period = parse(period_id)
        spans(plan.period, period)
    except ValueError as exc:
        return None, str(exc)
    if period.kind not in (YEAR, HALF, QUARTER, MONTH):
        return None, _("Chọn cả năm, 6 tháng, một quý hoặc một tháng của năm kế hoạch.")
    return period, ""


def _dashboard_map(plan, board, measure: str):
    """The city's districts coloured by one target (or the activities) as the table shows it to this
    user, in the period shown; a click opens that district's dashboard with the same choices. None below
    the city."""
    values = board.district_values(measure)
    if values is None:
        return None
    base = reverse("plans:dashboard", args=[plan.pk])
    period = f"&{PERIOD_PARAM}={board.shown.id}" if board.is_part else ""
    links = {code: f"{base}?unit={board.unit.path}.{code}&{MAP_PARAM}={measure}{period}" for code in values}
    title = dict(board.map_choices())[measure]
    if board.is_part:
        title = f"{title} – {board.shown.label}"
    return district_map(element_id="plan-district-map", title=title, values=values, links=links)


@login_required
def dashboard_export(request, pk: int):
    """Every number of the dashboard as an Excel workbook (small counts suppressed as on the page), for
    the period the page shows."""
    plan = plan_for(request.user, pk)
    unit = unit_for(request.user, request.GET.get("unit"))
    period, _error = _dashboard_period(plan, request.GET.get(PERIOD_PARAM))
    board = build(plan, unit, user=request.user, period=period)
    content = dashboard_workbook(board)
    response = HttpResponse(content, content_type=XLSX)
    when = board.shown.label if board.is_part else plan.year
    name = download_name(_("Kế hoạch"), when, unit.full_name)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def task_list(request):
    """The tasks the user works (every agency's for the coordinator): filter, sort, pages."""
    coordinator = is_coordinator(request.user)
    tasks = tasks_for(request.user)
    owners = Agency.objects.filter(pk__in=tasks.values("owner")).order_by("name")
    filters = TaskFilterForm(
        request.GET, plans=plans_for(request.user).order_by("-year", "pk"), owners=owners
    )
    tasks = listing(request.GET, filters.apply(tasks), sorts=TASK_SORTS, default="uu-tien")
    return render(
        request,
        "plans/task_list.html",
        {
            "page": tasks.page,
            "listing": tasks,
            "filters": filters,
            "coordinator": coordinator,
            "statuses": TaskStatus,
        },
    )


TASK_SORTS = {
    "uu-tien": Sort(gettext_lazy("Quá hạn trước"), fields=("overdue_first", "due_on", "pk")),
    "cong-viec": Sort(gettext_lazy("Công việc"), fields=("title", "pk")),
    "co-quan": Sort(gettext_lazy("Cơ quan thực hiện"), fields=("owner__name", "due_on", "pk")),
    "nhom": Sort(gettext_lazy("Nhóm (mục III)"), fields=("duty__group", "due_on", "pk")),
    "han": Sort(gettext_lazy("Hạn"), fields=("due_on", "pk")),
    "trang-thai": Sort(gettext_lazy("Trạng thái"), fields=("state", "due_on", "pk")),
}


@login_required
def task_edit(request, pk: int):
    task = task_for(request.user, pk)
    if request.method == "POST":
        form = TaskUpdateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.task_update(task=task, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã cập nhật công việc."))
                return redirect("plans:tasks")
    else:
        form = TaskUpdateForm(
            initial={
                "status": task.status,
                "evidence_note": task.evidence_note,
                "evidence_link": task.evidence_link,
            }
        )
    return render(
        request, "plans/task_edit.html", {"task": task, "form": form, "history": history(task)[:20]}
    )


@login_required
def activity_list(request):
    activities = activities_for(request.user)
    unit = unit_for(request.user, request.GET.get("unit")) if request.GET.get("unit") else None
    if unit is not None:
        activities = activities.filter(path_q(unit.path, "unit_path"))
    page = Paginator(activities, 50).get_page(request.GET.get("trang"))
    return render(request, "plans/activity_list.html", {"page": page, "unit": unit})


@login_required
def activity_create(request):
    plans = plans_for(request.user).order_by("-year", "pk")
    current = plans.filter(year=plan_year_for(request.user)).first() or plans.first()
    form = ActivityForm(request.POST or None, user=request.user, plans=plans, plan=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(actor=request.user, organiser=request.user.agency, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã ghi nhận hoạt động."))
            return redirect("plans:activities")
    return render(request, "plans/activity_form.html", {"form": form})


@login_required
def budget(request, pk: int):
    """Budget lines of a plan: the user's agency's (every agency's for the coordinator), and a form to add one."""
    plan = plan_for(request.user, pk)
    form = BudgetLineForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_create(
                actor=request.user, plan=plan, agency=request.user.agency, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã ghi nhận dòng kinh phí."))
            return redirect("plans:budget", pk=plan.pk)
    lines = budget_lines_for(request.user).filter(plan=plan).select_related("duty", "allocation")
    execution = evaluate("plans.budget_execution", request.user.unit, plan.period, user=request.user).total
    allocations = allocations_for(request.user, plan).annotate(
        line_count=Count("lines"), total=Sum("lines__allocated")
    )
    return render(
        request,
        "plans/budget.html",
        {
            "plan": plan,
            "form": form,
            "lines": lines,
            "execution": execution,
            "by_source": _by_source(lines),
            "allocations": allocations,
            "allocation_form": AllocationForm(),
        },
    )


def _by_source(lines) -> list[dict]:
    """Allocated, disbursed and spent per funding source, and how much of the allocation is approved."""
    rows = {
        row["funding_source"]: row
        for row in lines.order_by()
        .values("funding_source")
        .annotate(allocated=Sum("allocated"), disbursed=Sum("disbursed"), spent=Sum("spent"))
    }
    approved = dict(
        lines.filter(allocation__status=AllocationStatus.APPROVED)
        .order_by()
        .values_list("funding_source")
        .annotate(Sum("allocated"))
    )
    return [
        {"label": label, **rows[code], "approved": approved.get(code) or 0}
        for code, label in FundingSource.choices
        if code in rows
    ]


@login_required
def allocation_create(request, pk: int):
    plan = plan_for(request.user, pk)
    if request.method != "POST":
        return redirect("plans:budget", pk=plan.pk)
    form = AllocationForm(request.POST)
    if form.is_valid():
        allocation = services.allocation_create(
            plan=plan, agency=request.user.agency, title=form.cleaned_data["title"], actor=request.user
        )
        messages.success(request, _("Đã lập kế hoạch phân bổ “%(title)s”.") % {"title": allocation.title})
        return redirect("plans:allocation", pk=plan.pk, allocation=allocation.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("plans:budget", pk=plan.pk)


@login_required
def allocation_detail(request, pk: int, allocation: int):
    """One allocation plan: its lines, submit (its agency), and the decision (the city coordinator)."""
    plan = plan_for(request.user, pk)
    allocation = allocation_for(request.user, plan, allocation)
    can_submit = allocation.editable and allocation.agency_id == request.user.agency_id
    can_decide = (
        allocation.status == AllocationStatus.SUBMITTED
        and is_coordinator(request.user)
        and allocation.submitted_by_id != request.user.pk
    )
    decision_form = AllocationDecisionForm(request.POST if request.POST.get("decision") else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit" and can_submit:
                services.allocation_submit(allocation=allocation, actor=request.user)
                messages.success(request, _("Đã trình kế hoạch phân bổ để phê duyệt."))
                return redirect("plans:allocation", pk=plan.pk, allocation=allocation.pk)
            if request.POST.get("decision") and can_decide and decision_form.is_valid():
                data = decision_form.cleaned_data
                services.allocation_decide(
                    allocation=allocation,
                    actor=request.user,
                    approve=data["decision"] == AllocationDecisionForm.APPROVE,
                    decision_number=data.get("decision_number") or "",
                    decision_date=data.get("decision_date"),
                    return_reason=data.get("return_reason") or "",
                )
                messages.success(request, _("Đã ghi kết quả phê duyệt."))
                return redirect("plans:allocation", pk=plan.pk, allocation=allocation.pk)
            if not (can_submit or can_decide):
                messages.error(
                    request, _("Bạn không thể trình hoặc ghi quyết định cho kế hoạch phân bổ này.")
                )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
            allocation.refresh_from_db()
    return render(
        request,
        "plans/allocation.html",
        {
            "plan": plan,
            "allocation": allocation,
            "lines": allocation.lines.select_related("duty", "activity").order_by("pk"),
            "total": allocation.lines.aggregate(total=Sum("allocated"))["total"] or 0,
            "can_submit": can_submit,
            "can_decide": can_decide,
            "decision_form": decision_form,
            "history": history(allocation)[:20],
        },
    )


@login_required
def duty_list(request, pk: int):
    """The plan's duties by agency group: who they are addressed to, due date, the targets they serve,
    and what was done under them (tasks done, activities, budget)."""
    plan = plan_for(request.user, pk)
    duties = (
        plan.duties.prefetch_related("agencies", "targets", "indicators")
        .annotate(
            task_total=Count("tasks", distinct=True),
            task_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
            activity_count=Count("activities", distinct=True),
        )
        .order_by("group", "order")
    )
    spent = dict(
        plan.budget_lines.filter(duty__isnull=False).order_by().values_list("duty").annotate(Sum("allocated"))
    )
    groups: dict[int, dict] = {}
    for duty in duties:
        duty.budget = spent.get(duty.pk) or 0
        duty.addressee = LEVEL_NAMES.get(duty.addressee_level) if duty.addressee_kind else None
        groups.setdefault(duty.group, {"title": duty.group_title, "duties": []})["duties"].append(duty)
    return render(
        request,
        "plans/duty_list.html",
        {"plan": plan, "groups": groups, "coordinator": is_coordinator(request.user)},
    )


LEVEL_NAMES = {2: _lazy("UBND các quận, huyện, thị xã"), 3: _lazy("UBND các xã, phường, thị trấn")}


@login_required
def duty_edit(request, pk: int):
    _coordinator_only(request.user)
    duty = Duty.objects.select_related("plan").filter(pk=pk).first()
    if duty is None:
        raise Http404
    plan = plan_for(request.user, duty.plan_id)
    form = DutyForm(request.POST or None, duty=duty)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_update(duty=duty, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Đã lưu nhiệm vụ %(group)s.%(order)s.") % {"group": duty.group, "order": duty.order},
            )
            return redirect("plans:duties", pk=plan.pk)
    return render(
        request,
        "plans/duty_form.html",
        {"plan": plan, "duty": duty, "form": form, "history": history(duty)[:20]},
    )


@login_required
def plan_content(request, pk: int):
    """The plan's text beyond targets and duties: section II, the solutions."""
    plan = plan_for(request.user, pk)
    return render(request, "plans/plan_content.html", {"plan": plan, "sections": plan.sections.all()})


def _coordinator_only(user, plan=None) -> None:
    if not is_coordinator(user, plan):
        raise Http404


@login_required
def plan_copy(request, pk: int):
    """Copy a plan with its targets and duties into a later year (the city coordinator), then edit it."""
    plan = plan_for(request.user, pk)
    _coordinator_only(request.user, plan)
    form = PlanCopyForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_copy(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Đã sao kế hoạch sang năm %(year)s: %(targets)s chỉ tiêu, %(duties)s nhiệm vụ.")
                % {"year": new.year, "targets": new.targets.count(), "duties": new.duties.count()},
            )
            if new.copy_gaps.exists():
                return redirect("plans:gaps", pk=new.pk)
            return redirect("plans:targets", pk=new.pk)
    return render(
        request,
        "plans/plan_copy.html",
        {"plan": plan, "form": form, "targets": plan.targets.count(), "duties": plan.duties.count()},
    )


@login_required
def plan_choose(request):
    """Switch the plan the user works under (the home page's plan switch); POST only."""
    if request.method != "POST":
        return redirect("home")
    plan = plan_for(request.user, _int(request.POST.get("plan")))
    services.plan_choose(user=request.user, plan=plan)
    messages.success(request, _("Đang làm việc theo: %(plan)s.") % {"plan": plan.title})
    return redirect("home")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
def plan_gaps(request, pk: int):
    """What a copy could not place on the units of the new year (e.g. 2014 districts, abolished on
    1/7/2025): the coordinator places each on a unit or agency of the new map, or drops it."""
    plan = plan_for(request.user, pk)
    _coordinator_only(request.user, plan)
    gaps = list(plan.copy_gaps.select_related("old_unit", "old_agency", "resolved_by", "plan__scope_unit"))
    failed: dict[int, GapResolveForm] = {}
    if request.method == "POST":
        gap = next((g for g in gaps if str(g.pk) == request.POST.get("gap")), None)
        if gap is None:
            raise Http404
        form = GapResolveForm(request.POST, gap=gap)
        if form.is_valid():
            try:
                services.copy_gap_resolve(gap=gap, actor=request.user, **form.resolved())
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    form.add_error("choice", errors)
            else:
                messages.success(
                    request, _("Đã xử lý: %(label)s → %(to)s.") % {"label": gap.label, "to": gap.resolution}
                )
                return redirect("plans:gaps", pk=plan.pk)
        failed[gap.pk] = form
    unresolved = [g for g in gaps if g.resolved_at is None]
    # The first GAPS_PER_PAGE open items (each with its own list of choices), the one just refused first.
    shown = sorted(unresolved, key=lambda g: g.pk not in failed)[:GAPS_PER_PAGE]
    open_gaps = [(g, failed.get(g.pk) or GapResolveForm(gap=g)) for g in shown]
    done = [g for g in gaps if g.resolved_at is not None]
    return render(
        request,
        "plans/plan_gaps.html",
        {"plan": plan, "open_gaps": open_gaps, "done": done, "more": len(unresolved) - len(shown)},
    )


@login_required
def target_list(request, pk: int):
    """The targets of a plan with their goals and lead agencies; the coordinator may edit each."""
    plan = plan_for(request.user, pk)
    targets = plan.targets.select_related("indicator", "second_indicator").prefetch_related("lead_agencies")
    return render(
        request,
        "plans/target_list.html",
        {"plan": plan, "targets": targets, "coordinator": is_coordinator(request.user, plan)},
    )


@login_required
def target_edit(request, pk: int):
    target = Target.objects.select_related("plan").filter(pk=pk).first()
    if target is None:
        raise Http404
    plan = plan_for(request.user, target.plan_id)
    _coordinator_only(request.user, plan)
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lead = data.pop("lead_agencies")
        supporting = data.pop("supporting_agencies")
        try:
            services.target_update(
                target=target,
                actor=request.user,
                lead_agencies=lead,
                supporting_agencies=supporting,
                **data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu %(code)s.") % {"code": target.code})
            return redirect("plans:targets", pk=plan.pk)
    return render(request, "plans/target_form.html", {"plan": plan, "target": target, "form": form})


@login_required
def target_quotas(request, pk: int):
    """The coordinator gives each district its share of a city target and sees progress by district."""
    target = Target.objects.select_related("plan", "unit", "indicator").filter(pk=pk).first()
    if target is None:
        raise Http404
    plan = plan_for(request.user, target.plan_id)
    _coordinator_only(request.user, plan)
    districts = list(
        AdministrativeUnit.objects.filter(parent=target.unit)
        .valid_on(dt.date(plan.year, 1, 1))
        .order_by("path")
    )
    quotas = {b.unit_id: b.value for b in TargetBreakdown.objects.filter(target=target)}
    errors: list[str] = []
    typed: dict[int, str] = {}
    if request.method == "POST":
        values = {}
        for unit in districts:
            raw = (request.POST.get(f"quota-{unit.pk}") or "").strip().replace(".", "").replace(",", ".")
            typed[unit.pk] = request.POST.get(f"quota-{unit.pk}", "")
            if not raw:
                values[unit] = None
                continue
            try:
                values[unit] = Decimal(raw)
            except InvalidOperation:
                errors.append(
                    _("%(unit)s: “%(raw)s” không phải là số.")
                    % {"unit": unit.full_name, "raw": typed[unit.pk]}
                )
        if not errors:
            try:
                services.breakdowns_set(target=target, actor=request.user, values=values)
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(
                    request, _("Đã giao chỉ tiêu %(code)s cho các đơn vị.") % {"code": target.code}
                )
                return redirect("plans:target_quotas", pk=target.pk)
    achieved = {}
    if has_source(target.indicator):
        result = evaluate(target.indicator, target.unit, plan.period, by="child", user=request.user)
        achieved = {c.key[0]: c for c in result.rows}
    rows = []
    for unit in districts:
        quota = quotas.get(unit.pk)
        cell = achieved.get(unit.path)
        share = None
        if quota and cell is not None and cell.value is not None:
            share = (Decimal(cell.value) * 100 / quota).quantize(Decimal("0.1"))
        value = typed.get(unit.pk)
        if value is None:
            value = "" if quota is None else f"{quota:f}".rstrip("0").rstrip(".")
        rows.append((unit, value, cell, share))
    return render(
        request,
        "plans/target_quotas.html",
        {
            "plan": plan,
            "target": target,
            "rows": rows,
            "errors": errors,
            "total": sum(quotas.values()) if quotas else None,
            "has_source": has_source(target.indicator),
        },
    )


@login_required
def target_items(request, pk: int):
    """A target's named list (hotspots to eliminate or keep clean, designated communes) by district, each
    linked to its register entry where one exists; the coordinator adds and removes entries."""
    target = Target.objects.select_related("plan", "unit", "indicator").filter(pk=pk).first()
    if target is None:
        raise Http404
    plan = plan_for(request.user, target.plan_id)
    manage = rules.can_manage_items(request.user, target)
    form = TargetItemForm(request.POST or None, target=target) if manage else None
    if request.method == "POST":
        if not manage:
            raise Http404
        remove = request.POST.get("remove")
        if remove:
            item = target.items.filter(pk=remove if str(remove).isdigit() else 0).first()
            if item is None:
                raise Http404
            services.target_item_remove(item=item, actor=request.user)
            messages.success(request, _("Đã bỏ “%(name)s” khỏi danh sách.") % {"name": item.name})
            return redirect("plans:target_items", pk=target.pk)
        if form.is_valid():
            try:
                services.target_item_add(target=target, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Đã thêm vào danh sách của chỉ tiêu %(code)s.") % {"code": target.code}
                )
                return redirect("plans:target_items", pk=target.pk)
    items = list(target.items.select_related("unit", "hotspot_link__hotspot").order_by("unit__path", "order"))
    # Register entries: hotspots (enforcement) to those who read enforcement data in their area; the
    # plan's designated model communes (communes) to everyone, as they are public designations.
    reads_hotspots = DataClass.ENFORCEMENT in request.user.data_classes
    designations = dict(plan.model_communes.values_list("unit_id", "pk"))
    depth = len(target.unit.path) + 4  # the district's path: the target's area + ".NNN"
    districts = {
        u.path: u.full_name
        for u in AdministrativeUnit.objects.filter(parent=target.unit).valid_on(dt.date(plan.year, 1, 1))
    }
    groups: dict[str, list] = {}
    for item in items:
        hotspot = getattr(getattr(item, "hotspot_link", None), "hotspot", None)
        if hotspot is not None and not (
            reads_hotspots
            and in_subtree(hotspot.unit.path if hotspot.unit_id else "", request.user.jurisdiction_path)
        ):
            hotspot = None
        district = item.unit.path[:depth] if item.unit_id else ""
        groups.setdefault(district, []).append((item, hotspot, designations.get(item.unit_id)))
    rows = [
        (path, districts.get(path, path or _("Chưa rõ đơn vị")), entries)
        for path, entries in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    ]
    return render(
        request,
        "plans/target_items.html",
        {"plan": plan, "target": target, "rows": rows, "count": len(items), "form": form, "manage": manage},
    )


@login_required
def district_plans(request, pk: int):
    """The district plans under a city plan, with their duties and tasks done; a district office (or the
    coordinator) issues one for its district."""
    plan = plan_for(request.user, pk)
    if plan.parent_id is not None:
        return redirect("plans:district_plan", pk=plan.pk)
    day = dt.date(plan.year, 1, 1)
    units = AdministrativeUnit.objects.filter(parent=plan.scope_unit).valid_on(day).order_by("path")
    if not is_coordinator(request.user, plan):
        units = units.filter(path=request.user.jurisdiction_path)
    form = None
    if units.exists() and all(rules.can_manage_district_plan(request.user, plan, u) for u in units[:1]):
        form = DistrictPlanForm(request.POST or None, units=units)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                sub = services.district_plan_create(parent=plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã lập kế hoạch “%(title)s”.") % {"title": sub.title})
                return redirect("plans:district_plan", pk=sub.pk)
    subs = (
        plans_for(request.user)
        .filter(parent=plan)
        .annotate(
            n_duties=Count("duties", distinct=True),
            n_tasks=Count("duties__tasks", distinct=True),
            n_done=Count("duties__tasks", filter=Q(duties__tasks__status=TaskStatus.DONE), distinct=True),
        )
        .order_by("scope_unit__path")
    )
    return render(request, "plans/district_plans.html", {"plan": plan, "subs": subs, "form": form})


@login_required
def district_plan(request, pk: int):
    """A district plan: the quotas the city gave the district with their progress, its duties and their
    tasks; the district office (or the coordinator) adds duties."""
    plan = plan_for(request.user, pk)
    parent = plan.parent
    if parent is None:
        return redirect("plans:dashboard", pk=plan.pk)
    manage = rules.can_manage_district_plan(request.user, parent, plan.scope_unit)
    form = DistrictDutyForm(request.POST or None, plan=plan) if manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.district_duty_create(plan=plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã thêm nhiệm vụ và giao việc cho các cơ quan."))
                return redirect("plans:district_plan", pk=plan.pk)
    items = dict(
        TargetItem.objects.filter(target__plan=parent)
        .filter(path_q(plan.scope_unit.path, "unit__path"))
        .values("target_id")
        .annotate(n=Count("pk"))
        .values_list("target_id", "n")
    )
    progress = [
        p
        for p in plan_progress(parent, plan.scope_unit, user=request.user)
        if p.goal is not None or items.get(p.target.pk)
    ]
    duties = plan.duties.prefetch_related(
        "agencies", Prefetch("tasks", Task.objects.with_state().select_related("owner"))
    )
    return render(
        request,
        "plans/district_plan.html",
        {
            "plan": plan,
            "parent": parent,
            "progress": [(p, items.get(p.target.pk, 0)) for p in progress],
            "duties": duties,
            "form": form,
        },
    )


def _district_plan_managed(request, pk: int):
    """A district plan the user may change (the coordinator, or the district's labour office), else 404."""
    plan = plan_for(request.user, pk)
    if plan.parent_id is None or not rules.can_manage_district_plan(
        request.user, plan.parent, plan.scope_unit
    ):
        raise Http404
    return plan


def _quota_value(raw: str) -> Decimal | None:
    text = raw.strip().replace(".", "").replace(",", ".")
    return Decimal(text) if text else None


@login_required
def district_plan_edit(request, pk: int):
    """Change a district plan after it was issued: its title, number and date (the district office or the
    coordinator) and the quotas the city gives the district (the coordinator). Every error is shown at once,
    and nothing is saved unless all of it is valid."""
    plan = _district_plan_managed(request, pk)
    parent = plan.parent
    give_quotas = is_coordinator(request.user, parent)
    form = DistrictPlanEditForm(
        request.POST or None,
        initial={"title": plan.title, "number": plan.number, "issued_on": plan.issued_on},
    )
    targets = services.district_quota_targets(parent) if give_quotas else []
    quotas = {
        b.target_id: b.value for b in TargetBreakdown.objects.filter(target__in=targets, unit=plan.scope_unit)
    }
    typed = {t.pk: request.POST.get(f"quota-{t.pk}", "") for t in targets} if request.method == "POST" else {}
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        values = {}
        for target in targets:
            try:
                values[target] = _quota_value(typed[target.pk])
            except InvalidOperation:
                errors.append(
                    _("%(code)s: “%(raw)s” không phải là số.")
                    % {"code": target.code, "raw": typed[target.pk]}
                )
        if not errors:
            try:
                with transaction.atomic():
                    services.district_plan_update(plan=plan, actor=request.user, **form.cleaned_data)
                    if give_quotas:
                        services.district_quotas_set(plan=plan, actor=request.user, values=values)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, messages_ in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages_)
                else:
                    errors = list(exc.messages)
            else:
                messages.success(
                    request, _("Đã lưu thay đổi của kế hoạch “%(title)s”.") % {"title": plan.title}
                )
                return redirect("plans:district_plan", pk=plan.pk)
    rows = [
        (
            t,
            t.min_value if t.kind == "range" else t.value,
            typed.get(t.pk, "")
            if typed
            else ("" if quotas.get(t.pk) is None else f"{quotas[t.pk]:f}".rstrip("0").rstrip(".")),
        )
        for t in targets
    ]
    return render(
        request,
        "plans/district_plan_edit.html",
        {"plan": plan, "parent": parent, "form": form, "rows": rows, "errors": errors},
    )


@login_required
def district_duty_edit(request, pk: int):
    """Change a duty of a district plan: its wording, agencies and due date (the tasks follow)."""
    duty = Duty.objects.select_related("plan").filter(pk=pk).first()
    if duty is None:
        raise Http404
    plan = _district_plan_managed(request, duty.plan_id)
    form = DistrictDutyForm(
        request.POST or None,
        plan=plan,
        initial={"text": duty.text, "agencies": list(duty.agencies.all()), "due_on": duty.due_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.district_duty_update(duty=duty, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, _("Đã lưu nhiệm vụ và cập nhật công việc của các cơ quan."))
            return redirect("plans:district_plan", pk=plan.pk)
    return render(request, "plans/district_duty_edit.html", {"plan": plan, "duty": duty, "form": form})
