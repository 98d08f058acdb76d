from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lanhmanh.core.audit import history
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.indicators.selectors import breadcrumbs, unit_for, unit_names
from lanhmanh.plans import services
from lanhmanh.plans.forms import ActivityForm, TaskUpdateForm
from lanhmanh.plans.models import TaskStatus
from lanhmanh.plans.progress import STATUS_RULE, plan_progress
from lanhmanh.plans.selectors import activities_for, is_coordinator, plan_for, plans_for, task_for, tasks_for

ACTIVITY_INDICATOR = "plans.activities_held"


@login_required
def plan_list(request):
    return render(request, "plans/plan_list.html", {"plans": plans_for(request.user)})


@login_required
def dashboard(request, pk: int):
    """The live plan dashboard at a unit of the user's jurisdiction: targets, activities by unit and month."""
    plan = plan_for(request.user, pk)
    unit = unit_for(request.user, request.GET.get("unit"))
    today = dt.date.today()
    progress = plan_progress(plan, unit, user=request.user, today=today)
    period = plan.period
    activity_rows, chart_by_unit = [], None
    if unit.level < 3:
        by_child = evaluate(ACTIVITY_INDICATOR, unit, period, by="child", user=request.user)
        names = unit_names(c.key[0] for c in by_child.rows)
        activity_rows = [(c.key[0], names.get(c.key[0], c.key[0]), c) for c in by_child.rows]
        chart_by_unit = {
            "title": _("Số hoạt động theo đơn vị"),
            "labels": [name for _path, name, _c in activity_rows],
            "values": [c.value for _p, _n, c in activity_rows],
        }
    by_month = evaluate(ACTIVITY_INDICATOR, unit, period, by="month", user=request.user)
    months = {c.key[0]: c.value for c in by_month.rows}
    chart_by_month = {
        "title": _("Số hoạt động theo tháng"),
        "labels": [m.label for m in period.months()],
        "values": [months.get(m.id, 0) for m in period.months()],
    }
    total_activities = evaluate(ACTIVITY_INDICATOR, unit, period, user=request.user).total
    return render(
        request,
        "plans/dashboard.html",
        {
            "plan": plan,
            "unit": unit,
            "crumbs": breadcrumbs(unit, request.user),
            "progress": progress,
            "status_rule": STATUS_RULE,
            "activity_rows": activity_rows,
            "total_activities": total_activities,
            "chart_by_unit": chart_by_unit,
            "chart_by_month": chart_by_month,
            "elapsed": period.elapsed_share(today),
        },
    )


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
    page = Paginator(activities_for(request.user), 50).get_page(request.GET.get("trang"))
    return render(request, "plans/activity_list.html", {"page": page})


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
