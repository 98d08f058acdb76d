"""Support cases: opening (with consent), assessment, closing, and the case team."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Action, audited_create, audited_update, record_change
from lanhmanh.core.scoping import DataClass, can, in_subtree
from lanhmanh.org.models import Agency
from lanhmanh.support.models import (
    OPEN_REFERRAL_STATUSES,
    CaseKind,
    CaseStatus,
    OutreachTask,
    SupportCase,
    TaskStatus,
)
from lanhmanh.support.selectors import may_manage_team
from lanhmanh.support.services.common import (
    ADULT_IN_CHILD_CASE,
    CHILD_NEEDS_CHILD_CASE,
    CLOSE_WITH_OPEN_REFERRALS,
    CLOSED_BEFORE_OPENED,
    CONSENT_REQUIRED,
    OUTCOME_REQUIRED,
    RETURNED_FROM_REQUIRED,
    TASK_CLOSED,
    TEAM_ADDED,
    TEAM_REMOVED,
    UNIT_OUTSIDE,
    WORKER_NOT_ALLOWED,
    fmt_day,
    local_today,
    not_future,
    require_open,
)
from lanhmanh.support.services.consent import consent_give
from lanhmanh.support.services.outreach import close_sibling_tasks

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
    not_future(opened_on, "opened_on", errors)
    if not in_subtree(unit.path, actor.jurisdiction_path):
        errors["unit"] = str(UNIT_OUTSIDE % {"unit": actor.unit.full_name})
    adult = person.is_adult_on(opened_on or local_today())
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
    case = audited_create(
        actor=actor,
        model=SupportCase,
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
    for purpose, agency in consents:
        consent_give(actor=actor, case=case, purpose=purpose, agency=agency, given_on=opened_on)
    if outreach_task is not None:
        audited_update(
            actor=actor,
            instance=outreach_task,
            action=Action.STATUS,
            status=TaskStatus.CASE_OPENED,
            closed_on=opened_on,
        )
        close_sibling_tasks(actor=actor, task=outreach_task, status=TaskStatus.CASE_OPENED, on=opened_on)
    return case


@transaction.atomic
def case_update(*, actor, case: SupportCase, assessment: str) -> SupportCase:
    """Change the needs assessment. Audited (the text itself stays redacted in the history)."""
    require_open(case)
    return audited_update(actor=actor, instance=case, assessment=assessment)


@transaction.atomic
def case_close(*, actor, case: SupportCase, closed_on: dt.date, outcome: str, note: str = "") -> SupportCase:
    """Close a case with its outcome. Refused while a referral is still pending or accepted. Audited."""
    require_open(case)
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
    not_future(closed_on, "closed_on", errors)
    if closed_on and closed_on < case.opened_on:
        errors["closed_on"] = str(CLOSED_BEFORE_OPENED % {"opened": fmt_day(case.opened_on)})
    if errors:
        raise ValidationError(errors)
    return audited_update(
        actor=actor,
        instance=case,
        action=Action.STATUS,
        status=CaseStatus.CLOSED,
        closed_on=closed_on,
        outcome=outcome,
        closure_note=note,
    )


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

    require_open(case)
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
        reason=TEAM_ADDED(worker=str(worker)),
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
        reason=TEAM_REMOVED(worker=str(worker)),
    )
    return case
