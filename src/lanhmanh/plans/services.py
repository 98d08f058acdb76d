"""Writes for plans, targets, duties, tasks, activities and budget. Every function is atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lanhmanh.core.audit import (
    Action,
    audited_bulk_create,
    audited_change,
    audited_delete,
    audited_insert,
    audited_update,
    record_change,
)
from lanhmanh.core.uploads import CheckedUpload, upload_store
from lanhmanh.org.models import AdministrativeUnit, Agency, UnitSuccession
from lanhmanh.org.successions import successor_on
from lanhmanh.plans.models import (
    Activity,
    Allocation,
    AllocationStatus,
    BudgetLine,
    CopyGap,
    Duty,
    GapKind,
    Plan,
    PlanChoice,
    PlanSection,
    Target,
    TargetBreakdown,
    TargetItem,
    Task,
    TaskStatus,
)


@transaction.atomic
def target_create(
    *, plan: Plan, actor=None, lead_agencies=(), supporting_agencies=(), items=(), **fields
) -> Target:
    """Create a target with its lead/supporting agencies and named items; ValidationError, nothing saved."""
    target = Target(plan=plan, **fields)
    target.full_clean()
    audited_insert(actor=actor, instance=target)
    target.lead_agencies.set(lead_agencies)
    target.supporting_agencies.set(supporting_agencies)
    for order, item in enumerate(items, start=1):
        name, unit = item if isinstance(item, tuple) else (item, None)
        TargetItem.objects.create(target=target, name=name, unit=unit, order=order)
    return target


@transaction.atomic
def breakdown_set(*, target: Target, unit, value, second_value=None, actor=None) -> TargetBreakdown:
    """Give ``unit`` (a district or commune inside the target's unit) its share of a target."""
    breakdown, _ = TargetBreakdown.objects.update_or_create(
        target=target, unit=unit, defaults={"value": value, "second_value": second_value}
    )
    breakdown.full_clean()
    # Not an audited_* helper: an upsert whose history row has never carried the values before.
    record_change(actor=actor, instance=breakdown, action=Action.UPDATE)
    return breakdown


QUOTA_OVER_TARGET = _lazy("%(unit)s: chỉ tiêu giao %(value)s lớn hơn chỉ tiêu của cả thành phố (%(goal)s).")
QUOTAS_OVER_TARGET = _lazy(
    "Tổng chỉ tiêu giao cho các đơn vị (%(total)s) vượt chỉ tiêu %(code)s của thành phố (%(goal)s)."
)


@transaction.atomic
def breakdowns_set(*, target: Target, actor, values: dict) -> int:
    """Set the district quotas of ``target`` at once: ``values`` maps each district (a unit inside the
    target's unit) to its quota, None to remove it. Refuses (ValidationError naming the district, or
    the sum; nothing saved) a quota above the target's goal and quotas adding up to more than the goal.
    Side effects: the quota rows and an audit row for each change. Returns the number changed."""
    goal = target.min_value if target.kind == "range" else target.value
    errors = []
    for unit, value in values.items():
        if value is not None and value < 0:
            errors.append(_("%(unit)s: chỉ tiêu giao không được âm.") % {"unit": unit.full_name})
        elif value is not None and goal is not None and value > goal:
            errors.append(
                QUOTA_OVER_TARGET % {"unit": unit.full_name, "value": _plain(value), "goal": _plain(goal)}
            )
        if not unit.path.startswith(target.unit.path + "."):
            errors.append(_("%(unit)s không thuộc địa bàn của chỉ tiêu.") % {"unit": unit.full_name})
    kept = {
        b.unit_id: b.value
        for b in TargetBreakdown.objects.filter(target=target).exclude(unit__in=list(values))
    }
    total = sum(v for v in values.values() if v is not None) + sum(kept.values())
    if not errors and goal is not None and total > goal:
        errors.append(
            QUOTAS_OVER_TARGET % {"total": _plain(total), "code": target.code, "goal": _plain(goal)}
        )
    if errors:
        raise ValidationError(errors)
    changed = 0
    for unit, value in values.items():
        existing = TargetBreakdown.objects.filter(target=target, unit=unit).first()
        if value is None:
            if existing is not None:
                audited_delete(actor=actor, instance=existing)
                changed += 1
            continue
        if existing is not None and existing.value == value:
            continue
        breakdown_set(target=target, unit=unit, value=value, actor=actor)
        changed += 1
    return changed


def _plain(value) -> str:
    return f"{value:,.0f}".replace(",", ".") if value == int(value) else str(value)


@transaction.atomic
def task_create(*, duty: Duty, title: str, owner, due_on: dt.date, actor=None) -> Task:
    task = Task(duty=duty, title=title, owner=owner, due_on=due_on)
    task.full_clean()
    return audited_insert(actor=actor, instance=task)


@transaction.atomic
def task_update(
    *,
    task: Task,
    actor,
    status: str,
    evidence_note: str = "",
    evidence_link: str = "",
    evidence_file: CheckedUpload | None = None,
    today: dt.date | None = None,
) -> Task:
    """Change a task's status and evidence; stamps ``done_on``; writes a change-history row.

    ``evidence_file`` is a file checked by ``core.uploads`` (``UploadField(purpose=EVIDENCE)``): it is stored
    by the upload service and becomes the task's evidence. Side effects: one ChangeRecord (before/after),
    and with a file one stored file and its ChangeRecord. Raises ValidationError, nothing saved, when a task
    is marked done without evidence.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    with audited_change(actor=actor, instance=task) as change:
        task.status = status
        task.evidence_note = evidence_note
        task.evidence_link = evidence_link
        if evidence_file:
            task.evidence_upload = upload_store(checked=evidence_file, actor=actor)
        if status == TaskStatus.DONE and task.done_on is None:
            task.done_on = today or dt.date.today()
        elif status != TaskStatus.DONE:
            task.done_on = None
        task.full_clean()
        task.save()
        if change.before["status"] != task.status:
            change.action = Action.STATUS
    return task


@transaction.atomic
def activity_create(*, actor, audience_groups=(), **fields) -> Activity:
    """Record an activity that was held, with its audience groups. ValidationError (nothing saved) for
    future dates, a duty of another plan etc."""
    activity = Activity(created_by=actor, **fields)
    activity.full_clean()
    with audited_change(actor=actor, instance=activity) as change:
        activity.save()
        activity.audience_groups.set(audience_groups)
        change.extra["audience_groups"] = sorted(group.code for group in activity.audience_groups.all())
    return activity


@transaction.atomic
def budget_line_create(*, actor, **fields) -> BudgetLine:
    if fields.get("allocation") is not None:
        fields["allocation"] = _locked(fields["allocation"].pk)  # not while it is being submitted
    line = BudgetLine(**fields)
    line.full_clean()
    return audited_insert(actor=actor, instance=line)


class _UnitMap:
    """Old units and agencies → those valid on ``day``, through the successor links (a split commune:
    its default part). None when nothing succeeds them (a 2014 district has no successor)."""

    def __init__(self, day: dt.date):
        self.day = day
        self.units: dict[int, AdministrativeUnit | None] = {}
        self.agencies: dict[int, Agency | None] = {}

    def unit(self, unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
        if unit is None or unit.valid_on(self.day):
            return unit
        if unit.pk not in self.units:
            self.units[unit.pk] = successor_on(unit, self.day)
        return self.units[unit.pk]

    def preload(self, agencies) -> None:
        """Look up at once (two queries) what ``agencies`` of ended units become: their units' successors
        (the default part first, as ``successor_on``) and the active body of the same kind there, the
        one with the lowest pk (as ``agency``)."""
        ended = {
            a.unit_id: a.unit for a in agencies if a.pk not in self.agencies and not a.unit.valid_on(self.day)
        }
        missing = [pk for pk in ended if pk not in self.units]
        if missing:
            links = (
                UnitSuccession.objects.filter(predecessor_id__in=missing)
                .select_related("successor")
                .order_by("predecessor_id", "-default", "successor__path")
            )
            for link in links:
                if link.predecessor_id not in self.units:
                    later = link.successor
                    self.units[link.predecessor_id] = (
                        later if later.valid_on(self.day) else successor_on(later, self.day)
                    )
            for pk in missing:
                self.units.setdefault(pk, None)
        places = {self.units[pk].pk for pk in ended if self.units.get(pk) is not None}
        bodies: dict[tuple[int, str], Agency] = {}
        for body in (
            Agency.objects.filter(unit_id__in=places, active=True).select_related("unit").order_by("pk")
        ):
            bodies.setdefault((body.unit_id, body.kind), body)
        for agency in agencies:
            if agency.unit_id in ended and agency.pk not in self.agencies:
                unit = self.units[agency.unit_id]
                self.agencies[agency.pk] = None if unit is None else bodies.get((unit.pk, agency.kind))

    def agency(self, agency: Agency) -> Agency | None:
        if agency.unit.valid_on(self.day):
            return agency
        if agency.pk not in self.agencies:
            unit = self.unit(agency.unit)
            self.agencies[agency.pk] = (
                None
                if unit is None
                else Agency.objects.filter(unit=unit, kind=agency.kind, active=True).order_by("pk").first()
            )
        return self.agencies[agency.pk]


@transaction.atomic
def allocation_create(*, plan: Plan, agency, title: str, actor) -> Allocation:
    allocation = Allocation(plan=plan, agency=agency, title=title.strip(), created_by=actor)
    allocation.full_clean()
    return audited_insert(actor=actor, instance=allocation)


def _locked(allocation_id: int) -> Allocation:
    """The allocation, locked for the rest of the transaction (two clicks at once decide once)."""
    return Allocation.objects.select_for_update().select_related("plan", "agency").get(pk=allocation_id)


@transaction.atomic
def allocation_submit(*, allocation: Allocation, actor) -> Allocation:
    allocation = _locked(allocation.pk)
    if not allocation.editable:
        raise ValidationError(
            _("Kế hoạch phân bổ “%(title)s” đã ở trạng thái “%(status)s”, không trình lại được.")
            % {"title": allocation.title, "status": allocation.get_status_display()}
        )
    if not allocation.lines.exists():
        raise ValidationError(
            _("Kế hoạch phân bổ chưa có dòng kinh phí nào: thêm ít nhất một dòng trước khi trình.")
        )
    return audited_update(
        actor=actor,
        instance=allocation,
        clean=False,
        status=AllocationStatus.SUBMITTED,
        submitted_by=actor,
        submitted_at=timezone.now(),
        return_reason="",
    )


@transaction.atomic
def allocation_decide(
    *,
    allocation: Allocation,
    actor,
    approve: bool,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    return_reason: str = "",
) -> Allocation:
    """Record the People's Committee's decision on a submitted allocation plan (never by its submitter)."""
    allocation = _locked(allocation.pk)
    if allocation.status != AllocationStatus.SUBMITTED:
        raise ValidationError(
            _("Kế hoạch phân bổ “%(title)s” không ở trạng thái chờ phê duyệt (hiện: %(status)s).")
            % {"title": allocation.title, "status": allocation.get_status_display()}
        )
    if allocation.submitted_by_id == actor.pk:
        raise ValidationError(
            _("Người trình kế hoạch phân bổ không tự ghi quyết định phê duyệt của chính mình.")
        )
    changes = {"decided_by": actor, "decided_at": timezone.now()}
    if approve:
        changes |= {
            "status": AllocationStatus.APPROVED,
            "decision_number": decision_number.strip(),
            "decision_date": decision_date,
        }
    else:
        changes |= {"status": AllocationStatus.RETURNED, "return_reason": return_reason.strip()}
    return audited_update(
        actor=actor, instance=allocation, reason=return_reason.strip(), clean=False, **changes
    )


@transaction.atomic
def plan_copy(
    *, plan: Plan, year: int, actor=None, number: str = "", issued_on: dt.date | None = None
) -> Plan:
    """Copy a plan with its targets (agencies, items, breakdowns), duties and tasks into ``year``.

    Task due dates move by the number of years between the plans (29 February becomes 28).
    Activities and budget lines stay with the old plan: they happened in its year.
    Tasks are written in bulk (``audited_bulk_create``: one history row each). Old bodies that became
    one new body (several communes merged into one ward) give it one task per duty and title, not one
    per old commune: the copy starts "not started" like every copied task (states, evidence and done
    dates stay with the old plan's tasks, untouched), due on the earliest of the merged due dates; its
    history row says it stands for several.
    Units and agencies no longer valid in ``year`` (a 2014 ward, a district abolished on 1/7/2025) move
    to their successors (``org.successions``); what has none is left out of the copy and listed as a
    ``CopyGap`` for the coordinator to place or drop. Refused (nothing written) when the scope already
    has a plan for ``year``.
    """
    shift = year - plan.year
    mapping = _UnitMap(dt.date(year, 1, 1))
    scope = mapping.unit(plan.scope_unit)
    if scope is None:
        raise ValidationError(
            {
                "year": _("Địa bàn %(unit)s không còn trong năm %(year)s.")
                % {"unit": plan.scope_unit, "year": year}
            }
        )
    clash = Plan.objects.filter(year=year, scope_unit__path=scope.path).first()
    if clash is not None:
        raise ValidationError(
            {
                "year": _(
                    "Năm %(year)s đã có kế hoạch “%(title)s” cho %(unit)s: sửa kế hoạch đó, không sao chép đè."
                )
                % {"year": year, "title": clash.title, "unit": scope.full_name}
            }
        )

    def moved(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year + shift)
        except ValueError:
            return day.replace(year=day.year + shift, day=28)

    new = Plan(
        title=plan.title.replace(str(plan.year), str(year)),
        authority=mapping.agency(plan.authority) or plan.authority,
        number=number,
        issued_on=issued_on,
        legal_basis=plan.legal_basis,
        year=year,
        scope_unit=scope,
        parent=plan.parent,
        copied_from=plan,
        lead_agency=mapping.agency(plan.lead_agency) if plan.lead_agency_id else None,
        coordinator_role=plan.coordinator_role,
    )
    # The plan's CREATE row is written last, with what the copy could not place and what it merged.
    with audited_change(actor=actor, instance=new) as change:
        new.save(force_insert=True)
        new.full_clean()
        left_out, merged_away = _copy_contents(plan=plan, new=new, mapping=mapping, moved=moved, actor=actor)
        change.reason = (
            f"Sao từ kế hoạch #{plan.pk}; {left_out} mục chưa chuyển được sang đơn vị mới; "
            f"{merged_away} công việc trùng được gộp"
        )
    return new


def _copy_contents(*, plan: Plan, new: Plan, mapping: _UnitMap, moved, actor) -> tuple[int, int]:
    """``plan_copy``'s work once the new plan is saved: targets, duties, tasks, sections and the gaps.
    Returns how many gaps were listed and how many old tasks were merged into another's copy."""
    gaps: list[CopyGap] = []

    def gap(kind, ref, label, *, unit=None, agency=None, value=None, second_value=None):
        gaps.append(
            CopyGap(
                plan=new,
                kind=kind,
                ref=ref,
                label=label[:300],
                old_unit=unit,
                old_agency=agency,
                value=value,
                second_value=second_value,
            )
        )

    def agencies(old, kind, ref, label) -> list[Agency]:
        kept = []
        for agency in old:
            moved_to = mapping.agency(agency)
            if moved_to is None:
                gap(kind, ref, f"{label} · {agency.name}", agency=agency)
            elif moved_to not in kept:
                kept.append(moved_to)
        return kept

    for target in plan.targets.select_related("unit").prefetch_related(
        "lead_agencies__unit", "supporting_agencies__unit", "items__unit", "breakdowns__unit"
    ):
        fields = {
            f.name: getattr(target, f.name)
            for f in Target._meta.concrete_fields
            if f.name not in ("id", "plan")
        }
        fields["unit"] = mapping.unit(target.unit)
        copy = Target.objects.create(plan=new, **fields)
        if target.unit is not None and fields["unit"] is None:
            gap(GapKind.TARGET, copy.pk, f"{target.code} · {target.unit.full_name}", unit=target.unit)
        copy.lead_agencies.set(
            agencies(target.lead_agencies.all(), GapKind.TARGET_AGENCY, copy.pk, target.code)
        )
        copy.supporting_agencies.set(
            agencies(target.supporting_agencies.all(), GapKind.TARGET_SUPPORT, copy.pk, target.code)
        )
        for item in target.items.all():
            unit = mapping.unit(item.unit)
            made = TargetItem.objects.create(target=copy, name=item.name, unit=unit, order=item.order)
            if item.unit is not None and unit is None:
                gap(GapKind.ITEM, made.pk, f"{target.code} · {item.name}", unit=item.unit)
        shares: dict[int, TargetBreakdown] = {}
        for b in target.breakdowns.all():
            unit = mapping.unit(b.unit)
            if unit is None:
                gap(
                    GapKind.BREAKDOWN,
                    copy.pk,
                    f"{target.code} · {b.unit.full_name}",
                    unit=b.unit,
                    value=b.value,
                    second_value=b.second_value,
                )
            elif unit.pk in shares:  # two old communes merged into one: their shares add up
                share = shares[unit.pk]
                share.value += b.value
                if b.second_value is not None:
                    share.second_value = (share.second_value or 0) + b.second_value
            else:
                shares[unit.pk] = TargetBreakdown(
                    target=copy, unit=unit, value=b.value, second_value=b.second_value
                )
        TargetBreakdown.objects.bulk_create(shares.values())
    copied_targets = {t.code: t for t in new.targets.all()}
    duties = list(
        plan.duties.prefetch_related("tasks__owner__unit", "agencies__unit", "targets", "indicators")
    )
    mapping.preload(
        [t.owner for d in duties for t in d.tasks.all()] + [a for d in duties for a in d.agencies.all()]
    )
    tasks: dict[tuple, Task] = {}  # (duty copy, owner, title) → the one task copied for them
    merged: dict[tuple, int] = {}  # how many old tasks each stands for
    unplaced: list[tuple[tuple, str, Agency]] = []
    for duty in duties:
        duty_copy = Duty.objects.create(
            plan=new,
            group=duty.group,
            group_title=duty.group_title,
            order=duty.order,
            text=duty.text,
            addressee_kind=duty.addressee_kind,
            addressee_level=duty.addressee_level,
            due_on=moved(duty.due_on) if duty.due_on else None,
        )
        label = f"{duty.group}.{duty.order} {duty.text}"[:120]
        duty_copy.agencies.set(agencies(duty.agencies.all(), GapKind.DUTY_AGENCY, duty_copy.pk, label))
        duty_copy.targets.set(
            [copied_targets[t.code] for t in duty.targets.all() if t.code in copied_targets]
        )
        duty_copy.indicators.set(duty.indicators.all())
        for t in duty.tasks.all():
            owner = mapping.agency(t.owner)
            key = (duty_copy.pk, (owner or t.owner).pk, t.title)
            if key in tasks:
                tasks[key].due_on = min(tasks[key].due_on, moved(t.due_on))
                merged[key] += 1
                continue
            tasks[key] = Task(duty=duty_copy, title=t.title, owner=owner or t.owner, due_on=moved(t.due_on))
            merged[key] = 1
            if owner is None:
                unplaced.append((key, f"{t.title} · {t.owner.name}", t.owner))
    copied = f"Sao từ kế hoạch #{plan.pk}"
    audited_bulk_create(
        actor=actor, model=Task, objs=[t for k, t in tasks.items() if merged[k] == 1], reason=copied
    )
    audited_bulk_create(
        actor=actor,
        model=Task,
        objs=[t for k, t in tasks.items() if merged[k] > 1],
        reason=f"{copied}; gộp công việc của các đơn vị cũ nay là cùng một cơ quan",
    )
    for key, label, agency in unplaced:
        gap(GapKind.TASK, tasks[key].pk, label, agency=agency)
    PlanSection.objects.bulk_create(
        PlanSection(plan=new, code=x.code, title=x.title, text=x.text, order=x.order)
        for x in plan.sections.all()
    )
    CopyGap.objects.bulk_create(gaps)
    return len(gaps), sum(merged.values()) - len(tasks)


@transaction.atomic
def plan_choose(*, user, plan: Plan) -> PlanChoice:
    """Work under ``plan`` from now on (pages open on its year). The caller checks the user may see it."""
    choice, _created = PlanChoice.objects.update_or_create(user=user, defaults={"plan": plan})
    return choice


@transaction.atomic
def copy_gap_resolve(*, gap: CopyGap, actor, unit=None, agency=None, drop: bool = False) -> CopyGap:
    """Place a gap of a copied plan on a unit (or an agency) valid in the plan's year, or drop it.

    Raises ValidationError (nothing written) for a gap already resolved, a choice outside the plan's
    area or not valid in its year, or no choice at all."""
    if gap.resolved_at is not None:
        raise ValidationError({"choice": _("Mục này đã được xử lý.")})
    plan = gap.plan
    day = dt.date(plan.year, 1, 1)
    if not drop:
        place = agency.unit if gap.wants_agency and agency is not None else unit
        if place is None:
            raise ValidationError({"choice": _("Chọn đơn vị (hoặc cơ quan) mới, hoặc chọn bỏ mục này.")})
        if not place.valid_on(day) or not plan.scope_unit.contains(place):
            raise ValidationError(
                {
                    "choice": _("%(unit)s không thuộc địa bàn của kế hoạch năm %(year)s.")
                    % {"unit": place.full_name, "year": plan.year}
                }
            )
    if drop:
        if gap.kind == GapKind.ITEM:
            TargetItem.objects.filter(pk=gap.ref).delete()
        elif gap.kind == GapKind.TASK:
            Task.objects.filter(pk=gap.ref).delete()
        gap.resolution = _("Bỏ, không chuyển sang năm %(year)s") % {"year": plan.year}
    elif gap.kind == GapKind.TARGET:
        Target.objects.filter(pk=gap.ref).update(unit=unit)
        gap.resolution = unit.full_name
    elif gap.kind == GapKind.ITEM:
        TargetItem.objects.filter(pk=gap.ref).update(unit=unit)
        gap.resolution = unit.full_name
    elif gap.kind == GapKind.BREAKDOWN:
        share, created = TargetBreakdown.objects.get_or_create(
            target_id=gap.ref, unit=unit, defaults={"value": gap.value, "second_value": gap.second_value}
        )
        if not created:
            share.value += gap.value or 0
            if gap.second_value is not None:
                share.second_value = (share.second_value or 0) + gap.second_value
            share.save(update_fields=["value", "second_value"])
        gap.resolution = unit.full_name
    elif gap.kind == GapKind.TARGET_AGENCY:
        Target.objects.get(pk=gap.ref).lead_agencies.add(agency)
        gap.resolution = agency.name
    elif gap.kind == GapKind.TARGET_SUPPORT:
        Target.objects.get(pk=gap.ref).supporting_agencies.add(agency)
        gap.resolution = agency.name
    elif gap.kind == GapKind.DUTY_AGENCY:
        Duty.objects.get(pk=gap.ref).agencies.add(agency)
        gap.resolution = agency.name
    elif gap.kind == GapKind.TASK:
        Task.objects.filter(pk=gap.ref).update(owner=agency)
        gap.resolution = agency.name
    gap.resolved_at = timezone.now()
    gap.resolved_by = actor
    gap.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    # Not an audited_* helper: the gap's row has never carried the values before; its reason names
    # the resolution (the rows it moved are changed with queryset updates above).
    record_change(actor=actor, instance=gap, action=Action.UPDATE, reason=gap.resolution)
    return gap


@transaction.atomic
def duty_update(*, duty: Duty, actor, due_on: dt.date | None, targets=(), indicators=()) -> Duty:
    """Set a duty's due date and the targets and indicators it serves. The tasks of the duty that are
    not done take the new due date. Audited (before/after). ValidationError (nothing saved) for a due
    date outside the plan's year or a target of another plan."""
    duty = Duty.objects.select_for_update().select_related("plan").get(pk=duty.pk)
    errors = {}
    if due_on is not None and due_on.year != duty.plan.year:
        errors["due_on"] = _("Hạn hoàn thành (%(day)s) phải thuộc năm %(year)s của kế hoạch.") % {
            "day": due_on.strftime("%d/%m/%Y"),
            "year": duty.plan.year,
        }
    if any(target.plan_id != duty.plan_id for target in targets):
        errors["targets"] = _("Chỉ chọn được chỉ tiêu của cùng kế hoạch.")
    if errors:
        raise ValidationError(errors)

    def state(d: Duty) -> dict:
        return {
            "due_on": d.due_on.isoformat() if d.due_on else None,
            "targets": sorted(t.code for t in d.targets.all()),
            "indicators": sorted(i.code for i in d.indicators.all()),
        }

    before = state(duty)
    duty.due_on = due_on
    duty.save(update_fields=["due_on"])
    duty.targets.set(targets)
    duty.indicators.set(indicators)
    moved = 0
    if due_on is not None:
        moved = duty.tasks.exclude(status=TaskStatus.DONE).exclude(due_on=due_on).update(due_on=due_on)
    after = state(duty)
    after["tasks_moved"] = moved
    record_change(actor=actor, instance=duty, action=Action.UPDATE, before=before, after=after)
    return duty


@transaction.atomic
def target_update(*, target: Target, actor, lead_agencies=None, supporting_agencies=None, **fields) -> Target:
    """Change a target's wording, kind, indicators, values and agencies. Audited (before/after).

    Raises ValidationError (Vietnamese, per field), nothing saved: no indicator, a range whose
    minimum exceeds its maximum, a share over 100 %, a negative value.
    """
    target = Target.objects.select_for_update().get(pk=target.pk)
    with audited_change(actor=actor, instance=target):
        for name, value in fields.items():
            setattr(target, name, value)
        target.full_clean()
        target.save()
        if lead_agencies is not None:
            target.lead_agencies.set(lead_agencies)
        if supporting_agencies is not None:
            target.supporting_agencies.set(supporting_agencies)
    return target


# District plans ------------------------------------------------------------------------------------

DISTRICT_PLAN_EXISTS = _lazy("%(unit)s đã có kế hoạch thực hiện kế hoạch này: “%(title)s”.")
DISTRICT_PLAN_OUTSIDE = _lazy("%(unit)s không thuộc địa bàn của kế hoạch “%(plan)s”.")
DISTRICT_PLAN_NOT_CHILD = _lazy("%(unit)s không phải là đơn vị trực thuộc trực tiếp địa bàn của kế hoạch.")
DISTRICT_PLAN_NO_COMMITTEE = _lazy(
    "%(unit)s chưa có Ủy ban nhân dân trong danh mục cơ quan: chưa lập được kế hoạch."
)
DISTRICT_PLAN_DATE = _lazy("Ngày ban hành (%(day)s) phải thuộc năm %(year)s của kế hoạch.")
DISTRICT_PLAN_UNDER_DISTRICT = _lazy("Kế hoạch của quận, huyện chỉ lập dưới kế hoạch của thành phố.")
DUTY_AGENCY_OUTSIDE = _lazy(
    "%(agency)s không thuộc %(unit)s: nhiệm vụ của kế hoạch này chỉ giao cho cơ quan của đơn vị."
)
DUTY_DUE_OUTSIDE = _lazy("Hạn hoàn thành (%(day)s) phải thuộc năm %(year)s của kế hoạch.")


@transaction.atomic
def district_plan_create(
    *, parent: Plan, unit: AdministrativeUnit, title: str, number: str = "", issued_on=None, actor
) -> Plan:
    """A district's own plan under the city plan (issued by the district's People's Committee), for the
    same year. Refused, naming the field, for a unit that is not a direct child of the city plan's area,
    a second plan of the same district, a district without a committee, or a date outside the year.
    Side effects: the plan row and its audit row."""
    errors: dict[str, str] = {}
    if parent.parent_id is not None:
        raise ValidationError({"unit": DISTRICT_PLAN_UNDER_DISTRICT})
    if not unit.path.startswith(parent.scope_unit.path + "."):
        errors["unit"] = DISTRICT_PLAN_OUTSIDE % {"unit": unit.full_name, "plan": parent.title}
    elif unit.parent_id != parent.scope_unit_id:
        errors["unit"] = DISTRICT_PLAN_NOT_CHILD % {"unit": unit.full_name}
    else:
        existing = Plan.objects.filter(parent=parent, scope_unit=unit).first()
        if existing is not None:
            errors["unit"] = DISTRICT_PLAN_EXISTS % {"unit": unit.full_name, "title": existing.title}
    committee = Agency.objects.filter(unit=unit, kind="committee").order_by("pk").first()
    if committee is None and "unit" not in errors:
        errors["unit"] = DISTRICT_PLAN_NO_COMMITTEE % {"unit": unit.full_name}
    if issued_on is not None and issued_on.year != parent.year:
        errors["issued_on"] = DISTRICT_PLAN_DATE % {
            "day": issued_on.strftime("%d/%m/%Y"),
            "year": parent.year,
        }
    if errors:
        raise ValidationError(errors)
    plan = Plan(
        title=title.strip(),
        authority=committee,
        number=number.strip(),
        issued_on=issued_on,
        year=parent.year,
        scope_unit=unit,
        parent=parent,
        lead_agency=Agency.objects.filter(unit=unit, kind="district-labour").order_by("pk").first(),
        coordinator_role=parent.coordinator_role,
    )
    plan.full_clean()
    return audited_insert(actor=actor, instance=plan)


@transaction.atomic
def district_duty_create(*, plan: Plan, text: str, agencies, due_on: dt.date, actor) -> Duty:
    """A duty of a district plan, given to agencies of the district (or its communes), with one task per
    agency due on ``due_on``. Refused, naming the field, for an agency outside the district or a date
    outside the plan's year. Side effects: the duty, its tasks and an audit row for each."""
    agencies = list(agencies)
    errors: dict[str, str] = {}
    for agency in agencies:
        if not (
            agency.unit.path == plan.scope_unit.path
            or agency.unit.path.startswith(plan.scope_unit.path + ".")
        ):
            errors["agencies"] = DUTY_AGENCY_OUTSIDE % {
                "agency": agency.name,
                "unit": plan.scope_unit.full_name,
            }
            break
    if due_on.year != plan.year:
        errors["due_on"] = DUTY_DUE_OUTSIDE % {"day": due_on.strftime("%d/%m/%Y"), "year": plan.year}
    if errors:
        raise ValidationError(errors)
    last = plan.duties.order_by("-order").values_list("order", flat=True).first() or 0
    duty = Duty(
        plan=plan,
        group=16,
        group_title=str(plan.authority.name),
        order=last + 1,
        text=text.strip(),
        due_on=due_on,
    )
    duty.full_clean()
    audited_insert(actor=actor, instance=duty)
    duty.agencies.set(agencies)
    title = Truncator(duty.text.split("\n")[0]).chars(300)
    for agency in agencies:
        task_create(duty=duty, title=title, owner=agency, due_on=due_on, actor=actor)
    return duty


DUTY_AGENCY_STARTED = _lazy(
    "%(agency)s đã bắt đầu hoặc hoàn thành công việc của nhiệm vụ này: không bỏ cơ quan này khỏi nhiệm vụ được."
)


@transaction.atomic
def district_plan_update(*, plan: Plan, title: str, number: str = "", issued_on=None, actor) -> Plan:
    """Change a district plan's title, number and date of issue. Refused (naming the field, nothing saved)
    for a date outside the plan's year. Audited (before/after)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.parent_id is None:
        raise ValidationError({"unit": DISTRICT_PLAN_UNDER_DISTRICT})
    if issued_on is not None and issued_on.year != plan.year:
        raise ValidationError(
            {"issued_on": DISTRICT_PLAN_DATE % {"day": issued_on.strftime("%d/%m/%Y"), "year": plan.year}}
        )
    with audited_change(actor=actor, instance=plan):
        plan.title = title.strip()
        plan.number = number.strip()
        plan.issued_on = issued_on
        plan.full_clean()
        plan.save()
    return plan


@transaction.atomic
def district_duty_update(*, duty: Duty, text: str, agencies, due_on: dt.date, actor) -> Duty:
    """Change a district plan's duty: its wording, the agencies it is given to and its due date. A new
    agency gets its task; an agency taken off loses its task if the task has not begun; the tasks not done
    take the new due date. Refused (naming the field, nothing saved) for an agency outside the district, a
    date outside the plan's year, or taking off an agency whose task has begun. Audited (before/after)."""
    duty = Duty.objects.select_for_update().select_related("plan__scope_unit").get(pk=duty.pk)
    plan = duty.plan
    agencies = list(agencies)
    errors: dict[str, str] = {}
    for agency in agencies:
        if not (
            agency.unit.path == plan.scope_unit.path
            or agency.unit.path.startswith(plan.scope_unit.path + ".")
        ):
            errors["agencies"] = DUTY_AGENCY_OUTSIDE % {
                "agency": agency.name,
                "unit": plan.scope_unit.full_name,
            }
            break
    tasks = list(duty.tasks.select_related("owner"))
    if "agencies" not in errors:
        for task in tasks:
            begun = task.status != TaskStatus.NOT_STARTED or task.evidence_note or task.evidence_upload_id
            if task.owner not in agencies and begun:
                errors["agencies"] = DUTY_AGENCY_STARTED % {"agency": task.owner.name}
                break
    if due_on.year != plan.year:
        errors["due_on"] = DUTY_DUE_OUTSIDE % {"day": due_on.strftime("%d/%m/%Y"), "year": plan.year}
    if not text.strip():
        errors["text"] = _("Ghi nội dung nhiệm vụ.")
    if errors:
        raise ValidationError(errors)

    def state(d: Duty) -> dict:
        return {
            "text": d.text,
            "due_on": d.due_on.isoformat() if d.due_on else None,
            "agencies": sorted(a.code for a in d.agencies.all()),
        }

    before = state(duty)
    duty.text = text.strip()
    duty.due_on = due_on
    duty.full_clean()
    duty.save()
    duty.agencies.set(agencies)
    title = Truncator(duty.text.split("\n")[0]).chars(300)
    for task in tasks:
        if task.owner not in agencies:
            audited_delete(actor=actor, instance=task)
        elif task.status != TaskStatus.DONE and (task.due_on != due_on or task.title != title):
            with audited_change(actor=actor, instance=task):
                task.due_on, task.title = due_on, title
                task.save(update_fields=["due_on", "title", "updated_at"])
    owners = {task.owner_id for task in tasks}
    for agency in agencies:
        if agency.pk not in owners:
            task_create(duty=duty, title=title, owner=agency, due_on=due_on, actor=actor)
    record_change(actor=actor, instance=duty, action=Action.UPDATE, before=before, after=state(duty))
    return duty


def district_quota_targets(parent: Plan) -> list[Target]:
    """The city plan's targets a district may be given a share of: those with a number to share."""
    return [
        t
        for t in parent.targets.select_related("unit").order_by("code")
        if t.unit_id == parent.scope_unit_id and (t.min_value if t.kind == "range" else t.value) is not None
    ]


@transaction.atomic
def district_quotas_set(*, plan: Plan, actor, values: dict) -> int:
    """Set the district's quota of each city target at once from its district plan: ``values`` maps a
    target of the city plan to the district's quota (None: none). Refuses, every error at once and nothing
    saved, a quota above the city's goal and quotas of all districts adding up to more than the city
    target (the message names the target). Side effects: as ``breakdowns_set``. Returns the number changed."""
    parent = plan.parent
    if parent is None:
        raise ValidationError({"unit": DISTRICT_PLAN_UNDER_DISTRICT})
    errors: list[str] = []
    changed = 0
    for target, value in values.items():
        if target.plan_id != parent.pk:
            errors.append(_("Chỉ tiêu %(code)s không thuộc kế hoạch của Thành phố.") % {"code": target.code})
            continue
        try:
            changed += breakdowns_set(target=target, actor=actor, values={plan.scope_unit: value})
        except ValidationError as exc:
            errors.extend(m if target.code in m else f"{target.code}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError(errors)  # and the quotas set before the error are rolled back with it
    return changed


# Target items --------------------------------------------------------------------------------------

ITEM_UNIT_OUTSIDE = _lazy("%(unit)s không thuộc địa bàn của chỉ tiêu %(code)s.")
ITEM_DUPLICATE = _lazy("“%(name)s” đã có trong danh sách của chỉ tiêu %(code)s.")


@transaction.atomic
def target_item_add(*, target: Target, name: str, unit: AdministrativeUnit | None, actor) -> TargetItem:
    """Add a named place or unit to a target's list (a hotspot to keep clean, a designated commune).
    Refused, naming the field, outside the target's area or when the list already has it. Side
    effects: the item and its audit row."""
    name = name.strip()
    if unit is not None and not unit.path.startswith(target.unit.path + "."):
        raise ValidationError({"unit": ITEM_UNIT_OUTSIDE % {"unit": unit.full_name, "code": target.code}})
    duplicate = TargetItem.objects.filter(target=target, name__iexact=name)
    if unit is not None:
        duplicate = duplicate.filter(unit=unit)
    if duplicate.exists():
        raise ValidationError({"name": ITEM_DUPLICATE % {"name": name, "code": target.code}})
    last = target.items.order_by("-order").values_list("order", flat=True).first() or 0
    item = TargetItem(target=target, name=name, unit=unit, order=last + 1)
    item.full_clean()
    return audited_insert(actor=actor, instance=item)


@transaction.atomic
def target_item_remove(*, item: TargetItem, actor) -> None:
    """Take an item off its target's list (its register entry, if linked, stays). Audited."""
    audited_delete(actor=actor, instance=item)
