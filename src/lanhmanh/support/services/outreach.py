"""Outreach tasks: created by hand or from sanctions, contact attempts, declining; closing the siblings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects

from lanhmanh.core.audit import Action, audited_bulk_create, audited_create, audited_update
from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.levels import TOP_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.support.models import (
    ContactAttempt,
    ContactResult,
    OutreachTask,
    TaskSource,
    TaskStatus,
)
from lanhmanh.support.services.common import (
    CLOSED_WITH_SIBLING,
    FROM_SANCTION,
    OUTREACH_DAYS_AFTER_SANCTION,
    TASK_CLOSED,
    UNIT_OUTSIDE,
    not_future,
)

# Outreach -------------------------------------------------------------------------------------------


@transaction.atomic
def outreach_task_create(
    *,
    actor,
    person,
    unit,
    agency: Agency,
    due_on: dt.date,
    worker=None,
    notes: str = "",
    source_sanction=None,
) -> OutreachTask:
    """Create an outreach task (by hand from community work, or from a sanction decision). Audited.

    A hand-made task must be in the actor's jurisdiction; a task from a sanction is made by the system.
    """
    if source_sanction is None and actor is not None:
        root = getattr(actor, "jurisdiction_path", "")
        if not in_subtree(unit.path, root):
            raise ValidationError({"unit": UNIT_OUTSIDE % {"unit": actor.unit.full_name}})
    return audited_create(
        actor=actor,
        model=OutreachTask,
        reason=FROM_SANCTION() if source_sanction is not None else "",
        person=person,
        source=TaskSource.SANCTION if source_sanction is not None else TaskSource.MANUAL,
        source_sanction=source_sanction,
        unit=unit,
        agency=agency,
        worker=worker,
        due_on=due_on,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def outreach_task_from_sanction(*, decision) -> OutreachTask | None:
    """The outreach tasks of one sanction decision, saved one by one (full validation, audited): the
    path of one decision through the ``sanctions_recorded`` receiver. Same rules as ``outreach_tasks_for_sanctions``;
    returns the first task (the social-affairs officer's), or None.
    """
    planned = _outreach_plan([decision])
    if not planned:
        return None
    tasks = [
        outreach_task_create(
            actor=None,
            person=task.person,
            unit=task.unit,
            agency=task.agency,
            due_on=task.due_on,
            source_sanction=task.source_sanction,
        )
        for task in planned
    ]
    return tasks[0]


# Who reaches out in the commune of residence: its social-affairs officer (a district's labour office
# when the residence on record is a district), and its Women's Union branch.
SOCIAL_KINDS = (AgencyKind.COMMUNE_SOCIAL, AgencyKind.DISTRICT_LABOUR)
OUTREACH_KINDS = (*SOCIAL_KINDS, AgencyKind.WOMENS_UNION)


def _coordinator_agency() -> Agency | None:
    """The city coordinator's agency (the Sub-department), which forwards tasks to other provinces."""
    return (
        Agency.objects.filter(kind=AgencyKind.SUB_DEPARTMENT, active=True, unit__level=TOP_LEVEL)
        .select_related("unit")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def outreach_tasks_for_sanctions(sanctions) -> list[OutreachTask]:
    """Outreach tasks for the persons who sold sex in these sanction decisions, in a handful of queries.

    A woman who lives in the city gets two tasks, one for each agency of her commune of residence that
    reaches out: its social-affairs officer and its Women's Union branch. A resident of another province
    (no residence in the city on record) gets one task, for the city coordinator (Sub-department) to
    forward. Buyers and other roles get none. Due 14 days after the decision. Idempotent: an agency that
    already has its task for a decision gets no second one.

    The residence communes, their agencies and the coordinator's agency are looked up once for all the
    decisions; the tasks and their audit rows (made by the system: no actor) are bulk inserted. Each
    task is checked against the same rules as ``outreach_task_create`` by construction (units and
    agencies come from the database; the database constraints hold the rest).
    """

    tasks = _outreach_plan(list(sanctions))
    return audited_bulk_create(
        actor=None, model=OutreachTask, objs=tasks, reason=FROM_SANCTION(), batch_size=1_000
    )


def _outreach_plan(sanctions: list) -> list[OutreachTask]:
    """The unsaved outreach tasks these decisions call for (see ``outreach_tasks_for_sanctions``)."""

    decisions = [d for d in sanctions if d.pk is not None]
    prefetch_related_objects(decisions, "violation", "violation__person")
    decisions = [d for d in decisions if d.violation.role == "seller"]
    if not decisions:
        return []
    done = set(
        OutreachTask.objects.filter(source_sanction__in=[d.pk for d in decisions]).values_list(
            "source_sanction_id", "agency_id"
        )
    )

    def residence_id(decision) -> int | None:
        person = decision.violation.person
        return person.permanent_unit_id or person.temporary_unit_id

    unit_ids = {residence_id(d) for d in decisions} | {d.violation.place_unit_id for d in decisions}
    units = AdministrativeUnit.objects.in_bulk([pk for pk in unit_ids if pk is not None])
    agencies: dict[tuple[int, str], Agency] = {}
    for agency in (
        Agency.objects.filter(unit_id__in=list(units), kind__in=OUTREACH_KINDS, active=True)
        .select_related("unit")
        .order_by("-pk")
    ):
        agencies[(agency.unit_id, agency.kind)] = agency  # the lowest pk of a kind wins
    coordinator = None
    tasks: list[OutreachTask] = []
    for decision in decisions:
        violation = decision.violation
        unit = units.get(residence_id(decision))
        place = units.get(violation.place_unit_id)
        targets: list[Agency] = []
        if unit is not None and place is not None and unit.path.startswith(place.path.split(".")[0]):
            social = next((agencies[(unit.pk, k)] for k in SOCIAL_KINDS if (unit.pk, k) in agencies), None)
            union = agencies.get((unit.pk, AgencyKind.WOMENS_UNION))
            targets = [a for a in (social, union) if a is not None]
        if not targets:
            coordinator = coordinator or _coordinator_agency()
            if coordinator is None:
                continue
            unit, targets = coordinator.unit, [coordinator]
        for agency in targets:
            if (decision.pk, agency.pk) in done:
                continue
            done.add((decision.pk, agency.pk))
            tasks.append(
                OutreachTask(
                    person=violation.person,
                    source=TaskSource.SANCTION,
                    source_sanction=decision,
                    unit=unit,
                    agency=agency,
                    due_on=decision.decided_on + dt.timedelta(days=OUTREACH_DAYS_AFTER_SANCTION),
                )
            )
    return tasks


@transaction.atomic
def contact_attempt_record(
    *, actor, task: OutreachTask, made_on: dt.date, method: str, result: str, notes: str = ""
) -> ContactAttempt:
    """Record one contact attempt. A 'declined' result closes the task as declined (nothing else follows)."""
    if not task.is_open:
        raise ValidationError(str(TASK_CLOSED))
    errors: dict[str, str] = {}
    not_future(made_on, "made_on", errors)
    if errors:
        raise ValidationError(errors)
    attempt = audited_create(
        actor=actor,
        model=ContactAttempt,
        task=task,
        made_on=made_on,
        method=method,
        result=result,
        notes=notes,
        worker=actor,
    )
    if result == ContactResult.DECLINED:
        outreach_decline(actor=actor, task=task, on=made_on)
    return attempt


@transaction.atomic
def outreach_decline(*, actor, task: OutreachTask, on: dt.date, notes: str = "") -> OutreachTask:
    """Close the task because the person declines. Respected as is: no flag, no reminder, no follow-up."""
    if not task.is_open:
        raise ValidationError(str(TASK_CLOSED))
    changes = {"status": TaskStatus.DECLINED, "closed_on": on}
    if notes:
        changes["notes"] = f"{task.notes}\n{notes}".strip()
    audited_update(actor=actor, instance=task, action=Action.STATUS, **changes)
    close_sibling_tasks(actor=actor, task=task, status=TaskStatus.DECLINED, on=on)
    return task


def close_sibling_tasks(*, actor, task: OutreachTask, status: str, on: dt.date) -> None:
    """The other agency's task from the same sanction closes with this one: once she has a case, or has
    declined, nobody else is sent to reach her for that sanction. Audited."""
    if task.source_sanction_id is None:
        return
    siblings = OutreachTask.objects.filter(
        source_sanction_id=task.source_sanction_id, status=TaskStatus.OPEN
    ).exclude(pk=task.pk)
    for sibling in siblings:
        audited_update(
            actor=actor,
            instance=sibling,
            action=Action.STATUS,
            reason=CLOSED_WITH_SIBLING(task=task.pk),
            status=status,
            closed_on=on,
        )
