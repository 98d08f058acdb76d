"""Reads of plans, tasks and activities scoped to the user."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404

from lanhmanh.core.scoping import path_q
from lanhmanh.org.models import Agency, Role
from lanhmanh.plans.models import Activity, Allocation, BudgetLine, Plan, Task


def is_coordinator(user) -> bool:
    return user.has_role(Role.CITY_COORDINATOR)


def plans_for(user):
    """Plans whose scope contains the user's unit, or lies inside the user's jurisdiction."""
    path = user.jurisdiction_path
    parts = path.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return Plan.objects.filter(
        path_q(path, "scope_unit__path") | Q(scope_unit__path__in=ancestors)
    ).select_related("scope_unit", "authority")


def plan_for(user, pk: int) -> Plan:
    plan = plans_for(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def tasks_for(user, *, plan: Plan | None = None):
    """The tasks of the user's agency and of the committee it advises; the city coordinator sees every
    task. Overdue first, then by due date."""
    tasks = Task.objects.with_state().select_related("owner", "duty")
    if plan is not None:
        tasks = tasks.filter(duty__plan=plan)
    if not is_coordinator(user):
        tasks = tasks.filter(owner__in=owners_for(user))
    return tasks.order_by("overdue_first", "due_on", "pk")


# The office that prepares a committee's work: a duty addressed to "the district committees" is worked
# by the district's labour office, one addressed to "the commune committees" by the commune's officer.
ADVISES = {"district-labour": "committee", "commune-social": "committee"}


def owners_for(user):
    """The agencies whose tasks the user works (a subquery): their own, and the committee of their unit
    they advise."""
    agency = user.agency
    if agency is None:
        return Agency.objects.none().values("pk")
    advised = Q(unit_id=agency.unit_id, kind=ADVISES[agency.kind]) if agency.kind in ADVISES else Q(pk__in=[])
    return Agency.objects.filter(Q(pk=agency.pk) | advised).values("pk")


def task_for(user, pk: int) -> Task:
    task = tasks_for(user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def activities_for(user):
    """Activities held in the user's jurisdiction (activities are not personal data)."""
    return (
        Activity.objects.filter(path_q(user.jurisdiction_path, "unit_path"))
        .select_related("unit", "organiser", "duty")
        .prefetch_related("audience_groups")
    )


def budget_lines_for(user):
    lines = BudgetLine.objects.select_related("agency", "activity", "plan")
    if is_coordinator(user):
        return lines
    return lines.filter(agency=user.agency)


def allocations_for(user, plan: Plan):
    """Allocation plans of a plan: the user's agency's; every agency's for the city coordinator."""
    allocations = Allocation.objects.filter(plan=plan).select_related("agency", "submitted_by", "decided_by")
    if is_coordinator(user):
        return allocations
    return allocations.filter(agency=user.agency)


def allocation_for(user, plan: Plan, pk: int) -> Allocation:
    allocation = allocations_for(user, plan).filter(pk=pk).first()
    if allocation is None:
        raise Http404
    return allocation


def plan_year_for(user, today=None) -> int:
    """The year pages open on: the latest year of a plan the user works under that has begun (the 2014
    demo opens on 2014), else the current year."""
    today = today or dt.date.today()
    year = (
        plans_for(user).filter(year__lte=today.year).order_by("-year").values_list("year", flat=True).first()
        if getattr(user, "is_authenticated", False) and getattr(user, "agency_id", None)
        else None
    )
    return year or today.year
