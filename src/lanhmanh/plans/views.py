from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lanhmanh.core.audit import history
from lanhmanh.core.documents import download_name
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators.evaluation import evaluate, has_source
from lanhmanh.indicators.selectors import breadcrumbs, unit_for
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans import services
from lanhmanh.plans.dashboard import build
from lanhmanh.plans.export import dashboard_workbook
from lanhmanh.plans.forms import ActivityForm, BudgetLineForm, PlanCopyForm, TargetForm, TaskUpdateForm
from lanhmanh.plans.models import Target, TargetBreakdown, TaskStatus
from lanhmanh.plans.progress import STATUS_RULE
from lanhmanh.plans.selectors import (
    activities_for,
    budget_lines_for,
    is_coordinator,
    plan_for,
    plans_for,
    task_for,
    tasks_for,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def plan_list(request):
    return render(request, "plans/plan_list.html", {"plans": plans_for(request.user)})


@login_required
def dashboard(request, pk: int):
    """The live plan dashboard at a unit of the user's jurisdiction: targets, table by unit, trend."""
    plan = plan_for(request.user, pk)
    unit = unit_for(request.user, request.GET.get("unit"))
    board = build(plan, unit, user=request.user)
    return render(
        request,
        "plans/dashboard.html",
        {
            "board": board,
            "plan": plan,
            "unit": unit,
            "crumbs": breadcrumbs(unit, request.user),
            "status_rule": STATUS_RULE,
            "chart_by_unit": board.chart_by_unit() if board.child_rows else None,
            "chart_by_month": board.chart_by_month(),
            "coordinator": is_coordinator(request.user),
        },
    )


@login_required
def dashboard_export(request, pk: int):
    """Every number of the dashboard as an Excel workbook (small counts suppressed as on the page)."""
    plan = plan_for(request.user, pk)
    unit = unit_for(request.user, request.GET.get("unit"))
    content = dashboard_workbook(build(plan, unit, user=request.user))
    response = HttpResponse(content, content_type=XLSX)
    name = download_name(_("Kế hoạch"), plan.year, unit.full_name)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def task_list(request):
    tasks = tasks_for(request.user)
    page = Paginator(tasks, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "plans/task_list.html",
        {"page": page, "coordinator": is_coordinator(request.user), "statuses": TaskStatus},
    )


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
    form = ActivityForm(request.POST or None, user=request.user)
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
    lines = budget_lines_for(request.user).filter(plan=plan)
    execution = evaluate("plans.budget_execution", request.user.unit, plan.period, user=request.user).total
    return render(
        request, "plans/budget.html", {"plan": plan, "form": form, "lines": lines, "execution": execution}
    )


def _coordinator_only(user) -> None:
    if not is_coordinator(user):
        raise Http404


@login_required
def plan_copy(request, pk: int):
    """Copy a plan with its targets and duties into a later year (the city coordinator), then edit it."""
    _coordinator_only(request.user)
    plan = plan_for(request.user, pk)
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
            return redirect("plans:targets", pk=new.pk)
    return render(
        request,
        "plans/plan_copy.html",
        {"plan": plan, "form": form, "targets": plan.targets.count(), "duties": plan.duties.count()},
    )


@login_required
def target_list(request, pk: int):
    """The targets of a plan with their goals and lead agencies; the coordinator may edit each."""
    plan = plan_for(request.user, pk)
    targets = plan.targets.select_related("indicator", "second_indicator").prefetch_related("lead_agencies")
    return render(
        request,
        "plans/target_list.html",
        {"plan": plan, "targets": targets, "coordinator": is_coordinator(request.user)},
    )


@login_required
def target_edit(request, pk: int):
    _coordinator_only(request.user)
    target = Target.objects.select_related("plan").filter(pk=pk).first()
    if target is None:
        raise Http404
    plan = plan_for(request.user, target.plan_id)
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
    _coordinator_only(request.user)
    target = Target.objects.select_related("plan", "unit", "indicator").filter(pk=pk).first()
    if target is None:
        raise Http404
    plan = plan_for(request.user, target.plan_id)
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
