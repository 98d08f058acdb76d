"""Writes of outreach and support. Each service validates fully, writes in one transaction and audits in it.

Callers (views, the sanction signal, the demo) reach records through ``selectors`` first; the
services re-check the rules that protect the person (consent, dates, criteria) whoever calls them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Action, record_change, snapshot
from lanhmanh.core.models import ChangeRecord
from lanhmanh.core.scoping import DataClass, can, in_subtree
from lanhmanh.org.levels import TOP_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.support.models import (
    OPEN_REFERRAL_STATUSES,
    SERVICE_PURPOSE,
    CaseKind,
    CaseStatus,
    Consent,
    ConsentPurpose,
    ContactAttempt,
    ContactResult,
    Enrolment,
    FollowUp,
    Goal,
    OutreachTask,
    Programme,
    Referral,
    ReferralStatus,
    Service,
    ServiceKind,
    SupportCase,
    TaskSource,
    TaskStatus,
)
from lanhmanh.support.selectors import may_manage_team

OUTREACH_DAYS_AFTER_SANCTION = 14

REFERRAL_OUTSIDE_CONSENT = gettext_lazy(
    "Không thể chuyển gửi: người được hỗ trợ chưa đồng ý chia sẻ thông tin với “%(agency)s” cho mục đích "
    "“%(purpose)s”. Hãy hỏi ý kiến và ghi nhận sự đồng ý trước khi chuyển gửi."
)
SERVICE_OUTSIDE_CONSENT = gettext_lazy(
    "Không thể ghi dịch vụ do “%(agency)s” cung cấp: người được hỗ trợ chưa đồng ý chia sẻ thông tin với cơ quan "
    "này cho mục đích “%(purpose)s”."
)
SERVICE_BEFORE_OPENED = gettext_lazy(
    "Ngày cung cấp dịch vụ (%(day)s) không được trước ngày mở hồ sơ (%(opened)s)."
)
DATE_IN_FUTURE = gettext_lazy("Ngày này không được ở tương lai.")
CLOSE_WITH_OPEN_REFERRALS = gettext_lazy(
    "Chưa thể đóng hồ sơ: còn %(count)s chuyển gửi chưa kết thúc (%(agencies)s). Hãy chờ bên nhận phản hồi "
    "hoặc hủy chuyển gửi trước khi đóng."
)
ENROLMENT_CRITERIA = gettext_lazy("Không đủ tiêu chí tham gia “%(programme)s”: %(reasons)s.")
DUPLICATE_ENROLMENT = gettext_lazy("Người này đã tham gia “%(programme)s” từ ngày %(day)s.")
CASE_CLOSED = gettext_lazy("Hồ sơ đã đóng: không thể thay đổi thêm.")
TASK_CLOSED = gettext_lazy("Nhiệm vụ tiếp cận đã kết thúc.")
CHILD_NEEDS_CHILD_CASE = gettext_lazy(
    "Người này chưa đủ 18 tuổi (hoặc chưa chắc đã đủ 18 tuổi): phải mở hồ sơ bảo vệ trẻ em."
)
ADULT_IN_CHILD_CASE = gettext_lazy("Người này đã đủ 18 tuổi: không mở hồ sơ bảo vệ trẻ em.")
CONSENT_REQUIRED = gettext_lazy(
    "Cần ghi nhận ít nhất một sự đồng ý (mục đích và cơ quan được chia sẻ) khi mở hồ sơ hỗ trợ."
)
UNIT_OUTSIDE = gettext_lazy("Địa bàn phải thuộc phạm vi quản lý của anh/chị (%(unit)s).")
WORKER_NOT_ALLOWED = gettext_lazy(
    "Cán bộ phụ trách phải có quyền xem dữ liệu hỗ trợ%(child)s và thuộc địa bàn của hồ sơ."
)
NOT_RECEIVER = gettext_lazy("Chỉ cơ quan nhận chuyển gửi mới phản hồi được.")
REFERRAL_NOT_PENDING = gettext_lazy("Chuyển gửi này không còn chờ tiếp nhận.")
REFERRAL_NOT_ACCEPTED = gettext_lazy("Chỉ đánh dấu hoàn thành được chuyển gửi đã tiếp nhận.")
REFERRAL_DUE_BEFORE_SENT = gettext_lazy("Hạn phản hồi phải từ ngày chuyển gửi trở đi.")
REFERRAL_TO_SELF = gettext_lazy("Không chuyển gửi cho chính cơ quan mình.")
RETURNED_FROM_REQUIRED = gettext_lazy(
    "Hồ sơ nạn nhân bị mua bán trở về cần ghi quốc gia trở về và cơ quan tiếp nhận."
)
OUTCOME_REQUIRED = gettext_lazy("Chọn kết quả khi đóng hồ sơ.")
CLOSED_BEFORE_OPENED = gettext_lazy("Ngày đóng hồ sơ không được trước ngày mở hồ sơ (%(opened)s).")
ALREADY_CONSENTED = gettext_lazy("Đã có sự đồng ý còn hiệu lực cho “%(purpose)s” với “%(agency)s”.")
ENROLMENT_DATES = gettext_lazy(
    "Ngày có việc làm, ngày hoàn thành học nghề không được trước ngày tham gia (%(day)s)."
)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date | None, field: str, errors: dict) -> None:
    if day and day > _today():
        errors[field] = str(DATE_IN_FUTURE)


def _require_open(case: SupportCase) -> None:
    if not case.is_open:
        raise ValidationError(str(CASE_CLOSED))


def _audit_create(actor, instance, reason: str = "") -> None:
    record_change(
        actor=actor, instance=instance, action=Action.CREATE, after=snapshot(instance), reason=reason
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
    task = OutreachTask(
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
    task.full_clean()
    task.save()
    _audit_create(actor, task, reason=_("Tự động tạo từ quyết định xử phạt") if source_sanction else "")
    return task


@transaction.atomic
def outreach_task_from_sanction(*, decision) -> OutreachTask | None:
    """The outreach tasks of one sanction decision, saved one by one (full validation, audited): the
    path of a single save through the ``post_save`` receiver. Same rules as ``outreach_tasks_for_sanctions``;
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
    OutreachTask.objects.bulk_create(tasks, batch_size=1_000)
    reason = _("Tự động tạo từ quyết định xử phạt")
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                actor=None,
                action=Action.CREATE,
                model=task._meta.label_lower,
                object_id=str(task.pk),
                object_repr=str(task)[:200],
                after=snapshot(task),
                reason=reason,
            )
            for task in tasks
        ],
        batch_size=1_000,
    )
    return tasks


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
    _not_future(made_on, "made_on", errors)
    if errors:
        raise ValidationError(errors)
    attempt = ContactAttempt(
        task=task, made_on=made_on, method=method, result=result, notes=notes, worker=actor
    )
    attempt.full_clean()
    attempt.save()
    _audit_create(actor, attempt)
    if result == ContactResult.DECLINED:
        outreach_decline(actor=actor, task=task, on=made_on)
    return attempt


@transaction.atomic
def outreach_decline(*, actor, task: OutreachTask, on: dt.date, notes: str = "") -> OutreachTask:
    """Close the task because the person declines. Respected as is: no flag, no reminder, no follow-up."""
    if not task.is_open:
        raise ValidationError(str(TASK_CLOSED))
    before = snapshot(task)
    task.status = TaskStatus.DECLINED
    task.closed_on = on
    if notes:
        task.notes = f"{task.notes}\n{notes}".strip()
    task.full_clean()
    task.save()
    record_change(actor=actor, instance=task, action=Action.STATUS, before=before, after=snapshot(task))
    _close_sibling_tasks(actor=actor, task=task, status=TaskStatus.DECLINED, on=on)
    return task


def _close_sibling_tasks(*, actor, task: OutreachTask, status: str, on: dt.date) -> None:
    """The other agency's task from the same sanction closes with this one: once she has a case, or has
    declined, nobody else is sent to reach her for that sanction. Audited."""
    if task.source_sanction_id is None:
        return
    siblings = OutreachTask.objects.filter(
        source_sanction_id=task.source_sanction_id, status=TaskStatus.OPEN
    ).exclude(pk=task.pk)
    for sibling in siblings:
        before = snapshot(sibling)
        sibling.status = status
        sibling.closed_on = on
        sibling.full_clean()
        sibling.save()
        record_change(
            actor=actor,
            instance=sibling,
            action=Action.STATUS,
            before=before,
            after=snapshot(sibling),
            reason=_("Kết thúc cùng nhiệm vụ #%(task)s của cơ quan khác") % {"task": task.pk},
        )


# Cases ----------------------------------------------------------------------------------------------


def _may_work_on(user, *, unit, kind: str) -> bool:
    classes = {DataClass.IDENTITY, DataClass.SUPPORT} | (
        {DataClass.CHILD} if kind == CaseKind.CHILD else set()
    )
    return can(user, classes) and in_subtree(unit.path, user.jurisdiction_path)


@transaction.atomic
def case_open(
    *,
    actor,
    person,
    unit,
    opened_on: dt.date,
    consents: list[tuple[str, Agency]],
    kind: str = CaseKind.ADULT,
    lead_worker=None,
    assessment: str = "",
    outreach_task: OutreachTask | None = None,
    returned_from: str = "",
    receiving_agency: Agency | None = None,
) -> SupportCase:
    """Open a support case with the person's consent per purpose and agency; closes the outreach task.

    The lead agency is the actor's; the lead worker (default: the actor) must hold the support class (and
    the child class for a child case) in the case's unit. Audited: the case, each consent, the task.
    """
    lead_worker = lead_worker or actor
    errors: dict[str, str] = {}
    _not_future(opened_on, "opened_on", errors)
    if not in_subtree(unit.path, actor.jurisdiction_path):
        errors["unit"] = str(UNIT_OUTSIDE % {"unit": actor.unit.full_name})
    adult = person.is_adult_on(opened_on or _today())
    if kind == CaseKind.CHILD and adult:
        errors["kind"] = str(ADULT_IN_CHILD_CASE)
    elif kind != CaseKind.CHILD and not adult:
        errors["kind"] = str(CHILD_NEEDS_CHILD_CASE)
    if not _may_work_on(lead_worker, unit=unit, kind=kind) or not _may_work_on(actor, unit=unit, kind=kind):
        errors["lead_worker"] = str(
            WORKER_NOT_ALLOWED % {"child": _(" và dữ liệu trẻ em") if kind == CaseKind.CHILD else ""}
        )
    if kind == CaseKind.TRAFFICKING and (not returned_from.strip() or receiving_agency is None):
        errors["returned_from"] = str(RETURNED_FROM_REQUIRED)
    if not consents:
        errors["consents"] = str(CONSENT_REQUIRED)
    if outreach_task is not None and not outreach_task.is_open:
        errors["outreach_task"] = str(TASK_CLOSED)
    if errors:
        raise ValidationError(errors)
    case = SupportCase(
        person=person,
        kind=kind,
        outreach_task=outreach_task,
        unit=unit,
        lead_agency=actor.agency,
        lead_worker=lead_worker,
        opened_on=opened_on,
        assessment=assessment,
        returned_from=returned_from.strip(),
        receiving_agency=receiving_agency,
    )
    case.full_clean()
    case.save()
    _audit_create(actor, case)
    for purpose, agency in consents:
        consent_give(actor=actor, case=case, purpose=purpose, agency=agency, given_on=opened_on)
    if outreach_task is not None:
        before = snapshot(outreach_task)
        outreach_task.status = TaskStatus.CASE_OPENED
        outreach_task.closed_on = opened_on
        outreach_task.full_clean()
        outreach_task.save()
        record_change(
            actor=actor,
            instance=outreach_task,
            action=Action.STATUS,
            before=before,
            after=snapshot(outreach_task),
        )
        _close_sibling_tasks(actor=actor, task=outreach_task, status=TaskStatus.CASE_OPENED, on=opened_on)
    return case


@transaction.atomic
def case_update(*, actor, case: SupportCase, assessment: str) -> SupportCase:
    """Change the needs assessment. Audited (the text itself stays redacted in the history)."""
    _require_open(case)
    before = snapshot(case)
    case.assessment = assessment
    case.full_clean()
    case.save()
    record_change(actor=actor, instance=case, action=Action.UPDATE, before=before, after=snapshot(case))
    return case


@transaction.atomic
def case_close(*, actor, case: SupportCase, closed_on: dt.date, outcome: str, note: str = "") -> SupportCase:
    """Close a case with its outcome. Refused while a referral is still pending or accepted. Audited."""
    _require_open(case)
    errors: dict[str, str] = {}
    open_referrals = list(
        case.referrals.filter(status__in=OPEN_REFERRAL_STATUSES).select_related("to_agency")
    )
    if open_referrals:
        errors["__all__"] = str(
            CLOSE_WITH_OPEN_REFERRALS
            % {"count": len(open_referrals), "agencies": ", ".join(r.to_agency.name for r in open_referrals)}
        )
    if not outcome:
        errors["outcome"] = str(OUTCOME_REQUIRED)
    _not_future(closed_on, "closed_on", errors)
    if closed_on and closed_on < case.opened_on:
        errors["closed_on"] = str(CLOSED_BEFORE_OPENED % {"opened": _fmt(case.opened_on)})
    if errors:
        raise ValidationError(errors)
    before = snapshot(case)
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.outcome = outcome
    case.closure_note = note
    case.full_clean()
    case.save()
    record_change(actor=actor, instance=case, action=Action.STATUS, before=before, after=snapshot(case))
    return case


@transaction.atomic
def goal_add(*, actor, case: SupportCase, description: str, target_on: dt.date | None = None) -> Goal:
    _require_open(case)
    goal = Goal(case=case, description=description.strip(), target_on=target_on)
    goal.full_clean()
    goal.save()
    _audit_create(actor, goal)
    return goal


@transaction.atomic
def goal_achieve(*, actor, goal: Goal, on: dt.date) -> Goal:
    _require_open(goal.case)
    errors: dict[str, str] = {}
    _not_future(on, "achieved_on", errors)
    if errors:
        raise ValidationError(errors)
    before = snapshot(goal)
    goal.achieved_on = on
    goal.save()
    record_change(actor=actor, instance=goal, action=Action.STATUS, before=before, after=snapshot(goal))
    return goal


@transaction.atomic
def follow_up_plan(*, actor, case: SupportCase, due_on: dt.date) -> FollowUp:
    """Plan a follow-up visit; the caseworker's list puts the earliest due first."""
    _require_open(case)
    if due_on < case.opened_on:
        raise ValidationError({"due_on": _("Ngày theo dõi không được trước ngày mở hồ sơ.")})
    follow_up = FollowUp(case=case, due_on=due_on)
    follow_up.full_clean()
    follow_up.save()
    _audit_create(actor, follow_up)
    return follow_up


@transaction.atomic
def follow_up_done(*, actor, follow_up: FollowUp, done_on: dt.date, note: str = "") -> FollowUp:
    _require_open(follow_up.case)
    errors: dict[str, str] = {}
    _not_future(done_on, "done_on", errors)
    if done_on and done_on < follow_up.case.opened_on:
        errors["done_on"] = _("Ngày theo dõi không được trước ngày mở hồ sơ.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(follow_up)
    follow_up.done_on = done_on
    follow_up.note = note
    follow_up.full_clean()
    follow_up.save()
    record_change(
        actor=actor, instance=follow_up, action=Action.UPDATE, before=before, after=snapshot(follow_up)
    )
    return follow_up


TEAM_NOT_ALLOWED = gettext_lazy(
    "Chỉ cán bộ phụ trách hồ sơ hoặc cán bộ giám sát mới thay đổi được nhóm hỗ trợ."
)
TEAM_WORKER_NOT_ELIGIBLE = gettext_lazy(
    "“%(worker)s” không thể tham gia hồ sơ này: cần quyền xem dữ liệu hỗ trợ%(child)s và thuộc cơ quan "
    "trên địa bàn của hồ sơ."
)
TEAM_ALREADY = gettext_lazy("“%(worker)s” đã ở trong nhóm hỗ trợ.")
TEAM_NOT_MEMBER = gettext_lazy("“%(worker)s” không ở trong nhóm hỗ trợ.")
TEAM_LEAD = gettext_lazy("Cán bộ phụ trách luôn thuộc nhóm hỗ trợ: không thêm hoặc bớt được.")


def _team_snapshot(case: SupportCase) -> dict:
    return {"workers": sorted(case.workers.values_list("pk", flat=True))}


def _team_check(actor, case: SupportCase, worker) -> None:

    _require_open(case)
    if not may_manage_team(actor, case):
        raise PermissionDenied(str(TEAM_NOT_ALLOWED))
    if worker.pk == case.lead_worker_id:
        raise ValidationError({"worker": str(TEAM_LEAD)})


@transaction.atomic
def case_team_add(*, actor, case: SupportCase, worker) -> SupportCase:
    """Add a worker to the case team (lead worker or supervisor only). The worker must be able to work on
    the case (support classes, child class for a child case, case's unit in reach). Audited on the case."""
    _team_check(actor, case, worker)
    if case.workers.filter(pk=worker.pk).exists():
        raise ValidationError({"worker": str(TEAM_ALREADY % {"worker": worker})})
    if not worker.is_active or not _may_work_on(worker, unit=case.unit, kind=case.kind):
        raise ValidationError(
            {
                "worker": str(
                    TEAM_WORKER_NOT_ELIGIBLE
                    % {
                        "worker": worker,
                        "child": _(" và dữ liệu trẻ em") if case.kind == CaseKind.CHILD else "",
                    }
                )
            }
        )
    before = _team_snapshot(case)
    case.workers.add(worker)
    record_change(
        actor=actor,
        instance=case,
        action=Action.UPDATE,
        before=before,
        after=_team_snapshot(case),
        reason=_("Thêm cán bộ vào nhóm hỗ trợ: %(worker)s") % {"worker": worker},
    )
    return case


@transaction.atomic
def case_team_remove(*, actor, case: SupportCase, worker) -> SupportCase:
    """Remove a worker from the case team (lead worker or supervisor only); she loses access at once. Audited."""
    _team_check(actor, case, worker)
    if not case.workers.filter(pk=worker.pk).exists():
        raise ValidationError({"worker": str(TEAM_NOT_MEMBER % {"worker": worker})})
    before = _team_snapshot(case)
    case.workers.remove(worker)
    record_change(
        actor=actor,
        instance=case,
        action=Action.UPDATE,
        before=before,
        after=_team_snapshot(case),
        reason=_("Bớt cán bộ khỏi nhóm hỗ trợ: %(worker)s") % {"worker": worker},
    )
    return case


# Consent --------------------------------------------------------------------------------------------


def has_consent(case: SupportCase, *, purpose: str, agency: Agency) -> bool:
    return Consent.objects.active().filter(case=case, purpose=purpose, agency=agency).exists()


@transaction.atomic
def consent_give(*, actor, case: SupportCase, purpose: str, agency: Agency, given_on: dt.date) -> Consent:
    """Record the person's consent to share the case with ``agency`` for ``purpose``. Audited."""
    _require_open(case)
    if has_consent(case, purpose=purpose, agency=agency):
        raise ValidationError(
            {"agency": ALREADY_CONSENTED % {"purpose": ConsentPurpose(purpose).label, "agency": agency.name}}
        )
    errors: dict[str, str] = {}
    _not_future(given_on, "given_on", errors)
    if errors:
        raise ValidationError(errors)
    consent = Consent(case=case, purpose=purpose, agency=agency, given_on=given_on, recorded_by=actor)
    consent.full_clean(validate_constraints=False)
    consent.save()
    _audit_create(actor, consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, on: dt.date | None = None) -> Consent:
    """Withdraw a consent. Sharing stops at once: open referrals to that agency for that purpose end
    as 'consent withdrawn' (the receiver no longer sees the person). Audited, each referral too."""
    on = on or _today()
    if consent.withdrawn_on is not None:
        return consent
    before = snapshot(consent)
    consent.withdrawn_on = max(on, consent.given_on)
    consent.full_clean(validate_constraints=False)
    consent.save()
    record_change(
        actor=actor,
        instance=consent,
        action=Action.STATUS,
        before=before,
        after=snapshot(consent),
        reason=_("Người được hỗ trợ rút lại sự đồng ý"),
    )
    affected = Referral.objects.filter(
        case=consent.case,
        to_agency=consent.agency,
        purpose=consent.purpose,
        status__in=OPEN_REFERRAL_STATUSES,
    )
    for referral in affected:
        before = snapshot(referral)
        referral.status = ReferralStatus.CONSENT_WITHDRAWN
        referral.responded_on = consent.withdrawn_on
        referral.save()
        record_change(
            actor=actor,
            instance=referral,
            action=Action.STATUS,
            before=before,
            after=snapshot(referral),
            reason=_("Dừng chia sẻ do rút lại đồng ý"),
        )
    return consent


# Services and referrals -----------------------------------------------------------------------------


@transaction.atomic
def service_record(
    *,
    actor,
    case: SupportCase,
    kind: str,
    provider: Agency,
    given_on: dt.date,
    programme: Programme | None = None,
    cost: int | None = None,
    notes: str = "",
) -> Service:
    """Record a service given. Not before the case opened, not in the future; a provider other than the
    lead agency needs the person's consent for that purpose. Audited."""
    _require_open(case)
    errors: dict[str, str] = {}
    _not_future(given_on, "given_on", errors)
    if given_on and given_on < case.opened_on:
        errors["given_on"] = str(
            SERVICE_BEFORE_OPENED % {"day": _fmt(given_on), "opened": _fmt(case.opened_on)}
        )
    if programme is not None:
        errors.update(_programme_service_errors(programme, case, kind, cost))
    purpose = SERVICE_PURPOSE.get(kind)
    if purpose and provider != case.lead_agency and not has_consent(case, purpose=purpose, agency=provider):
        errors["provider"] = str(
            SERVICE_OUTSIDE_CONSENT % {"agency": provider.name, "purpose": ConsentPurpose(purpose).label}
        )
    if errors:
        raise ValidationError(errors)
    service = Service(
        case=case,
        kind=kind,
        provider=provider,
        given_on=given_on,
        programme=programme,
        cost=cost,
        notes=notes,
        recorded_by=actor,
    )
    service.full_clean()
    service.save()
    _audit_create(actor, service)
    return service


def _programme_service_errors(programme: Programme, case: SupportCase, kind: str, cost: int | None) -> dict:
    """A service charged to a programme: of a kind it pays for, for a person enrolled, within its budget."""

    errors: dict[str, str] = {}
    if programme.service_kinds and kind not in programme.service_kinds:
        errors["kind"] = str(
            SERVICE_NOT_PAID_BY
            % {
                "programme": programme.name,
                "kind": ServiceKind(kind).label,
                "kinds": ", ".join(str(ServiceKind(k).label) for k in programme.service_kinds),
            }
        )
    if not Enrolment.objects.filter(programme=programme, person=case.person).exists():
        errors["programme"] = str(SERVICE_NOT_ENROLLED % {"programme": programme.name})
    if cost and programme.budget is not None:
        left = programme.budget - programme_paid(programme)
        if cost > left:
            errors["cost"] = str(
                SERVICE_OVER_BUDGET
                % {"cost": _money(cost), "programme": programme.name, "left": _money(max(left, 0))}
            )
    return errors


@transaction.atomic
def referral_send(
    *, actor, case: SupportCase, to_agency: Agency, purpose: str, due_on: dt.date, note: str = ""
) -> Referral:
    """Refer the case from the actor's agency to ``to_agency`` for ``purpose``, only within consent. Audited."""
    _require_open(case)
    today = _today()
    errors: dict[str, str] = {}
    if to_agency == actor.agency:
        errors["to_agency"] = str(REFERRAL_TO_SELF)
    elif not has_consent(case, purpose=purpose, agency=to_agency):
        errors["to_agency"] = str(
            REFERRAL_OUTSIDE_CONSENT % {"agency": to_agency.name, "purpose": ConsentPurpose(purpose).label}
        )
    if due_on and due_on < today:
        errors["due_on"] = str(REFERRAL_DUE_BEFORE_SENT)
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        case=case,
        from_agency=actor.agency,
        to_agency=to_agency,
        purpose=purpose,
        sent_on=today,
        due_on=due_on,
        note=note,
        sent_by=actor,
    )
    referral.full_clean()
    referral.save()
    _audit_create(actor, referral)
    return referral


def _referral_status(actor, referral: Referral, status: str, note: str = "") -> Referral:
    before = snapshot(referral)
    referral.status = status
    referral.responded_on = _today()
    referral.responded_by = actor
    if note:
        referral.response_note = note[:300]
    referral.full_clean()
    referral.save()
    record_change(
        actor=actor, instance=referral, action=Action.STATUS, before=before, after=snapshot(referral)
    )
    return referral


@transaction.atomic
def referral_respond(*, actor, referral: Referral, accept: bool, note: str = "") -> Referral:
    """The receiving agency accepts or declines a pending referral. The sender sees the result. Audited."""
    if actor.agency_id != referral.to_agency_id:
        raise PermissionDenied(str(NOT_RECEIVER))
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(str(REFERRAL_NOT_PENDING))
    return _referral_status(
        actor, referral, ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED, note
    )


@transaction.atomic
def referral_complete(*, actor, referral: Referral, note: str = "") -> Referral:
    """The receiver marks an accepted referral done."""
    if actor.agency_id != referral.to_agency_id:
        raise PermissionDenied(str(NOT_RECEIVER))
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(str(REFERRAL_NOT_ACCEPTED))
    return _referral_status(actor, referral, ReferralStatus.COMPLETED, note)


@transaction.atomic
def referral_cancel(*, actor, referral: Referral) -> Referral:
    """The sender cancels a referral that is still open."""
    if not referral.is_open:
        raise ValidationError(_("Chuyển gửi này đã kết thúc."))
    before = snapshot(referral)
    referral.status = ReferralStatus.CANCELLED
    referral.responded_on = _today()
    referral.save()
    record_change(
        actor=actor, instance=referral, action=Action.STATUS, before=before, after=snapshot(referral)
    )
    return referral


# Programmes -----------------------------------------------------------------------------------------


PROGRAMME_CODE_TAKEN = gettext_lazy("Mã “%(code)s” đã được dùng cho chương trình khác.")
PROGRAMME_PERIOD = gettext_lazy("Ngày kết thúc phải từ ngày bắt đầu (%(day)s) trở đi.")
PROGRAMME_AGES = gettext_lazy("Tuổi tối đa phải lớn hơn hoặc bằng tuổi tối thiểu (%(age)s).")
PROGRAMME_AGE_RANGE = gettext_lazy("Tuổi phải từ 0 đến 120.")
PROGRAMME_NAME_REQUIRED = gettext_lazy("Nhập tên chương trình.")
PROGRAMME_BUDGET_BELOW_PAID = gettext_lazy(
    "Kinh phí không được nhỏ hơn số đã chi cho dịch vụ (%(paid)s đồng)."
)
PROGRAMME_CASE_KINDS = gettext_lazy("Loại hồ sơ không hợp lệ: %(kinds)s.")
PROGRAMME_SERVICE_KINDS = gettext_lazy("Loại dịch vụ không hợp lệ: %(kinds)s.")
SERVICE_NOT_PAID_BY = gettext_lazy(
    "“%(programme)s” không chi trả cho dịch vụ “%(kind)s” (chỉ chi trả: %(kinds)s)."
)
SERVICE_OVER_BUDGET = gettext_lazy(
    "Kinh phí %(cost)s đồng vượt số còn lại của “%(programme)s” (%(left)s đồng)."
)
SERVICE_NOT_ENROLLED = gettext_lazy(
    "Người được hỗ trợ chưa tham gia “%(programme)s”: ghi nhận tham gia trước khi ghi dịch vụ do chương trình "
    "chi trả."
)
PROGRAMME_FIELDS = (
    "code",
    "name",
    "funder",
    "legal_basis",
    "starts_on",
    "ends_on",
    "budget",
    "women_only",
    "min_age",
    "max_age",
    "case_kinds",
    "criteria_text",
    "service_kinds",
)


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def programme_paid(programme: Programme) -> int:

    return programme.services.aggregate(total=Sum("cost"))["total"] or 0


def _programme_errors(programme: Programme) -> dict[str, str]:

    errors: dict[str, str] = {}
    if not (programme.name or "").strip():
        errors["name"] = str(PROGRAMME_NAME_REQUIRED)
    if Programme.objects.filter(code=programme.code).exclude(pk=programme.pk).exists():
        errors["code"] = str(PROGRAMME_CODE_TAKEN % {"code": programme.code})
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        errors["ends_on"] = str(PROGRAMME_PERIOD % {"day": _fmt(programme.starts_on)})
    for name in ("min_age", "max_age"):
        age = getattr(programme, name)
        if age is not None and not 0 <= age <= 120:
            errors[name] = str(PROGRAMME_AGE_RANGE)
    if (
        "max_age" not in errors
        and programme.min_age is not None
        and programme.max_age is not None
        and programme.max_age < programme.min_age
    ):
        errors["max_age"] = str(PROGRAMME_AGES % {"age": programme.min_age})
    bad = [k for k in programme.case_kinds if k not in CaseKind.values]
    if bad:
        errors["case_kinds"] = str(PROGRAMME_CASE_KINDS % {"kinds": ", ".join(map(str, bad))})
    bad = [k for k in programme.service_kinds if k not in ServiceKind.values]
    if bad:
        errors["service_kinds"] = str(PROGRAMME_SERVICE_KINDS % {"kinds": ", ".join(map(str, bad))})
    if programme.pk and programme.budget is not None:
        paid = programme_paid(programme)
        if programme.budget < paid:
            errors["budget"] = str(PROGRAMME_BUDGET_BELOW_PAID % {"paid": _money(paid)})
    return errors


@transaction.atomic
def programme_create(*, actor, **fields) -> Programme:
    """Create a programme: criteria, budget and the services it pays for. Vietnamese errors per field; audited."""
    programme = Programme(**fields)
    errors = _programme_errors(programme)
    if errors:
        raise ValidationError(errors)
    programme.full_clean()
    programme.save()
    _audit_create(actor, programme)
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    """Change a programme. The budget may not drop below what its services already cost. Audited."""
    before = snapshot(programme)
    for name, value in fields.items():
        if name not in PROGRAMME_FIELDS:
            raise TypeError(name)
        setattr(programme, name, value)
    errors = _programme_errors(programme)
    if errors:
        raise ValidationError(errors)
    programme.full_clean()
    programme.save()
    record_change(
        actor=actor, instance=programme, action=Action.UPDATE, before=before, after=snapshot(programme)
    )
    return programme


def enrolment_failures(programme: Programme, case: SupportCase, day: dt.date) -> list[str]:
    """Why the case's person does not meet the programme's criteria on ``day`` (empty: she does)."""
    person = case.person
    reasons: list[str] = []
    if programme.women_only and person.sex != "female":
        reasons.append(_("chương trình chỉ dành cho phụ nữ"))
    youngest, oldest = person.age_on(day)
    if programme.min_age is not None and youngest < programme.min_age:
        reasons.append(_("chưa đủ %(age)s tuổi") % {"age": programme.min_age})
    if programme.max_age is not None and oldest > programme.max_age:
        reasons.append(_("quá %(age)s tuổi") % {"age": programme.max_age})
    if programme.case_kinds and case.kind not in programme.case_kinds:
        reasons.append(_("loại hồ sơ “%(kind)s” không thuộc đối tượng") % {"kind": case.get_kind_display()})
    if day < programme.starts_on or (programme.ends_on and day > programme.ends_on):
        reasons.append(_("ngày tham gia nằm ngoài thời gian thực hiện chương trình"))
    return reasons


@transaction.atomic
def enrolment_create(*, actor, programme: Programme, case: SupportCase, enrolled_on: dt.date) -> Enrolment:
    """Enrol the case's person in a programme: once per programme, only when she meets its criteria."""
    _require_open(case)
    existing = Enrolment.objects.filter(programme=programme, person=case.person).first()
    if existing is not None:
        raise ValidationError(
            {
                "programme": DUPLICATE_ENROLMENT
                % {"programme": programme.name, "day": _fmt(existing.enrolled_on)}
            }
        )
    errors: dict[str, str] = {}
    _not_future(enrolled_on, "enrolled_on", errors)
    if enrolled_on and enrolled_on < case.opened_on:
        errors["enrolled_on"] = _("Ngày tham gia không được trước ngày mở hồ sơ (%(opened)s).") % {
            "opened": _fmt(case.opened_on)
        }
    reasons = enrolment_failures(programme, case, enrolled_on or _today())
    if reasons:
        errors["programme"] = str(
            ENROLMENT_CRITERIA % {"programme": programme.name, "reasons": "; ".join(reasons)}
        )
    if errors:
        raise ValidationError(errors)
    enrolment = Enrolment(programme=programme, person=case.person, case=case, enrolled_on=enrolled_on)
    enrolment.full_clean()
    enrolment.save()
    _audit_create(actor, enrolment)
    return enrolment


@transaction.atomic
def enrolment_progress(
    *,
    actor,
    enrolment: Enrolment,
    training_completed_on: dt.date | None,
    employed_on: dt.date | None,
    employer: str = "",
) -> Enrolment:
    """Record training completed and a job reached (what T07 counts). Audited."""
    errors: dict[str, str] = {}
    _not_future(training_completed_on, "training_completed_on", errors)
    _not_future(employed_on, "employed_on", errors)
    for name, day in (("training_completed_on", training_completed_on), ("employed_on", employed_on)):
        if day and day < enrolment.enrolled_on:
            errors[name] = str(ENROLMENT_DATES % {"day": _fmt(enrolment.enrolled_on)})
    if employed_on and not employer.strip():
        errors["employer"] = _("Ghi nơi làm việc khi có việc làm.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(enrolment)
    enrolment.training_completed_on = training_completed_on
    enrolment.employed_on = employed_on
    enrolment.employer = employer.strip()
    enrolment.full_clean()
    enrolment.save()
    record_change(
        actor=actor, instance=enrolment, action=Action.UPDATE, before=before, after=snapshot(enrolment)
    )
    return enrolment
