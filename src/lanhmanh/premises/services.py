"""Writes to the establishment register. Each service validates fully, writes in one transaction and
writes its change-history row in it (owners' identities redacted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core import periods
from lanhmanh.core.audit import Action, audited_change, audited_insert, audited_update, record_change
from lanhmanh.core.scoping import in_subtree
from lanhmanh.core.uploads import CheckedUpload, upload_store
from lanhmanh.org.models import Agency, AgencyKind
from lanhmanh.org.successions import predecessor_paths
from lanhmanh.people.models import format_vnd
from lanhmanh.people.services import violation_record
from lanhmanh.premises.models import (
    BusinessSanction,
    Establishment,
    EstablishmentStatus,
    HealthCheck,
    Inspection,
    InspectionAgency,
    InspectionAttachment,
    InspectionPlan,
    InspectionViolation,
    Licence,
    LicenceKind,
    LicenceStatus,
    Measure,
    OwnerType,
    PlanItem,
    PoliceCheck,
    RevocationAnswer,
    RevocationProposal,
    SanctionStatus,
    duplicate_key,
    registration_key,
)

DUPLICATE_ESTABLISHMENT = gettext_lazy(
    "Trùng với cơ sở đã có “%(name)s” (mã %(pk)s): cùng tên, địa chỉ và số đăng ký kinh doanh."
)
LICENCE_NUMBER_USED = gettext_lazy("Số giấy %(number)s đã được dùng cho cơ sở khác: “%(name)s”.")
UNIT_OUTSIDE = gettext_lazy("Xã, phường phải thuộc địa bàn của cơ quan anh/chị (%(unit)s).")
CLOSED_ON_DAY = gettext_lazy(
    "Cơ sở đã ngừng hoạt động từ ngày %(day)s: không thể ghi nhận kiểm tra ngày %(when)s."
)
NOT_OPEN_YET = gettext_lazy(
    "Cơ sở bắt đầu hoạt động ngày %(day)s: không thể ghi nhận kiểm tra ngày %(when)s."
)
FUTURE_DATE = gettext_lazy("Ngày kiểm tra không được ở tương lai.")
ONE_AGENCY = gettext_lazy(
    "Đoàn kiểm tra liên ngành phải có thành viên của ít nhất hai cơ quan (công an, lao động, văn hóa, y tế, "
    "công thương…); đoàn này chỉ có %(count)s cơ quan."
)
FEW_AGENCIES = gettext_lazy(
    "Đoàn kiểm tra chỉ có %(count)s cơ quan (nên có ít nhất 3: công an, lao động, văn hóa, y tế, công thương). "
    "Đánh dấu “Xác nhận đoàn ít hơn 3 cơ quan” để vẫn lưu."
)
FINE_OUTSIDE = gettext_lazy(
    "Số tiền phạt %(amount)s đồng nằm ngoài khung phạt đối với %(offender)s của hành vi này: từ %(low)s đến "
    "%(high)s đồng (%(reference)s)."
)
FINE_NO_RANGE = gettext_lazy(
    "Danh mục chưa có khung tiền phạt đối với %(offender)s cho hành vi này (%(reference)s): đề nghị quản trị viên "
    "cập nhật danh mục."
)
ACT_NOT_IN_FORCE = gettext_lazy(
    "Hành vi (%(reference)s) không có hiệu lực vào ngày vi phạm %(day)s: chọn hành vi theo văn bản có hiệu lực ngày đó."
)
MEASURE_NOT_ALLOWED = gettext_lazy("Hành vi này (%(reference)s) không có hình thức “%(measure)s”.")
NOT_MASSAGE = gettext_lazy("Chỉ kiểm tra y tế các cơ sở thuộc loại hình xoa bóp, tẩm quất.")


def _errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _day_text(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_unit(actor, unit, errors: dict, field: str = "unit") -> None:
    """The unit must lie in the actor's subtree or be one of the pre-reform communes a two-level unit of
    it was made from (the reach ``selectors.establishments_visible`` reads with)."""
    root = getattr(actor, "jurisdiction_path", None)
    if (
        unit is not None
        and root
        and not in_subtree(unit.path, root)
        and unit.path not in predecessor_paths(root)
    ):
        errors[field] = str(UNIT_OUTSIDE % {"unit": actor.unit.full_name})


def place_paths(unit) -> list[str]:
    """The paths of the units with a say over a place in ``unit``: the unit and its ancestors and, for a
    pre-reform commune, the units of today's map it became (and theirs), whose committees and agencies
    act there since 1/7/2025."""
    paths = {".".join(unit.path.split(".")[: i + 1]) for i in range(unit.path.count(".") + 1)}
    for later in unit.successors.values_list("path", flat=True):
        paths |= {".".join(later.split(".")[: i + 1]) for i in range(later.count(".") + 1)}
    return sorted(paths)


def find_duplicate(
    *, name: str, address: str, registration_number: str, exclude_pk=None
) -> Establishment | None:
    """An establishment with the same normalised name, address and registration number."""
    queryset = Establishment.objects.filter(duplicate_key=duplicate_key(name, address, registration_number))
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def _duplicate_error(establishment: Establishment) -> ValidationError:
    return ValidationError(
        str(DUPLICATE_ESTABLISHMENT % {"name": establishment.name, "pk": establishment.pk})
    )


def _licence_errors(kind: str, number: str, *, exclude_establishment=None) -> dict:
    key = registration_key(number)
    if not key:
        return {}
    other = Licence.objects.filter(kind=kind, number_key=key).select_related("establishment")
    if exclude_establishment is not None and exclude_establishment.pk:
        other = other.exclude(establishment=exclude_establishment)
    other = other.first()
    if other is None:
        return {}
    return {"number": str(LICENCE_NUMBER_USED % {"number": number, "name": other.establishment.name})}


@transaction.atomic
def establishment_create(*, actor, licences: Iterable[dict] = (), **fields) -> Establishment:
    """Create an establishment (and its licences). Refused when it duplicates one already registered
    (normalised name + address + registration number), when a licence number is used by another
    establishment, or when its commune is outside the actor's jurisdiction. Audited."""
    establishment = Establishment(
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields
    )
    errors: dict = {}
    try:
        establishment.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _check_unit(actor, establishment.unit if establishment.unit_id else None, errors)
    _errors(errors)
    duplicate = find_duplicate(
        name=establishment.name,
        address=establishment.address,
        registration_number=establishment.registration_number,
    )
    if duplicate is not None:
        raise _duplicate_error(duplicate)
    audited_insert(actor=actor, instance=establishment)
    for licence in licences:
        licence_add(actor=actor, establishment=establishment, **licence)
    return establishment


@transaction.atomic
def establishment_update(*, actor, establishment: Establishment, **fields) -> Establishment:
    """Change an establishment's fields. Audited (owner identity redacted in the history)."""
    with audited_change(actor=actor, instance=establishment, from_db=True):
        for name, value in fields.items():
            setattr(establishment, name, value)
        errors: dict = {}
        try:
            establishment.full_clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if "unit" in fields:
            _check_unit(actor, establishment.unit, errors)
        _errors(errors)
        duplicate = find_duplicate(
            name=establishment.name,
            address=establishment.address,
            registration_number=establishment.registration_number,
            exclude_pk=establishment.pk,
        )
        if duplicate is not None:
            raise _duplicate_error(duplicate)
        if establishment.closed_on and establishment.status == EstablishmentStatus.OPEN:
            establishment.status = EstablishmentStatus.CLOSED
        establishment.save()
    return establishment


@transaction.atomic
def licence_add(*, actor, establishment: Establishment, **fields) -> Licence:
    """Add a certificate or licence; its number must not belong to another establishment. Audited."""
    licence = Licence(establishment=establishment, **fields)
    errors: dict = {}
    try:
        licence.full_clean(exclude=["establishment"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_licence_errors(licence.kind, licence.number, exclude_establishment=establishment))
    if (
        not errors
        and Licence.objects.filter(
            establishment=establishment, kind=licence.kind, number_key=registration_key(licence.number)
        ).exists()
    ):
        errors["number"] = _("Cơ sở đã có giấy này.")
    _errors(errors)
    return audited_insert(actor=actor, instance=licence)


@transaction.atomic
def licence_set_status(*, actor, licence: Licence, status: str, day: dt.date, reason: str = "") -> Licence:
    with audited_change(actor=actor, instance=licence, reason=reason):
        licence.status = status
        licence.status_changed_on = day
        licence.full_clean(validate_unique=False, validate_constraints=False)
        licence.save()
    return licence


# Plans -----------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, actor, team: Agency, period_id: str, quota: int, random_share: int, notes: str = ""
) -> InspectionPlan:
    """A team's inspection plan for a period (year, half, quarter or month). Audited."""

    errors: dict = {}
    if team.kind != AgencyKind.TEAM_178:
        errors["team"] = _("Chọn một Đội kiểm tra liên ngành 178.")
    _check_unit(actor, team.unit, errors, "team")
    try:
        period = periods.parse(period_id)
    except ValueError as exc:
        errors["period_id"] = str(exc)
        period = None
    if InspectionPlan.objects.filter(team=team, period_id=period_id).exists():
        errors["period_id"] = _("Đội này đã có kế hoạch kỳ %(period)s.") % {"period": period_id}
    _errors(errors)
    plan = InspectionPlan(
        team=team,
        period_id=period.id if period else period_id,
        starts_on=period.start,
        ends_on=period.end,
        quota=quota,
        random_share=random_share,
        notes=notes,
        created_by=actor,
    )
    plan.full_clean()
    return audited_insert(actor=actor, instance=plan)


@transaction.atomic
def plan_choose(*, actor, plan: InspectionPlan, proposals: Iterable) -> int:
    """Add the chosen proposals (``ranking.Proposal``) to the plan; already chosen ones are kept. Audited."""
    existing = set(plan.items.values_list("establishment_id", flat=True))
    new = [
        PlanItem(
            plan=plan,
            establishment_id=p.establishment_id,
            selection=p.selection,
            score=p.score,
            reasons=[str(r) for r in p.reasons],
        )
        for p in proposals
        if p.establishment_id not in existing
    ]
    PlanItem.objects.bulk_create(new)
    record_change(
        actor=actor,
        instance=plan,
        action=Action.UPDATE,
        after={"chosen": [i.establishment_id for i in new]},
        reason=_("Chọn cơ sở vào kế hoạch"),
    )
    return len(new)


# Inspections -----------------------------------------------------------------------------------------


def team_level(team: Agency) -> int:
    return min(max(team.unit.level, 1), 3)


def _open_errors(establishment: Establishment, day: dt.date, field: str) -> dict:
    if day > timezone.localdate():
        return {field: str(FUTURE_DATE)}
    if day < establishment.opened_on:
        return {
            field: str(NOT_OPEN_YET % {"day": _day_text(establishment.opened_on), "when": _day_text(day)})
        }
    if establishment.closed_on and day > establishment.closed_on:
        return {
            field: str(CLOSED_ON_DAY % {"day": _day_text(establishment.closed_on), "when": _day_text(day)})
        }
    return {}


@transaction.atomic
def inspection_record(
    *,
    actor,
    establishment: Establishment,
    team: Agency,
    started_at: dt.datetime,
    agencies: Iterable[Agency],
    leader_name: str,
    members: str = "",
    checklist: dict | None = None,
    findings: str = "",
    violation_found: bool = False,
    people_present: int = 0,
    follow_up: str = "",
    follow_up_due: dt.date | None = None,
    plan: InspectionPlan | None = None,
    confirm_few_agencies: bool = False,
) -> Inspection:
    """Record an inspection. Refused for an establishment closed or not yet open that day, for a team of
    one agency, and for fewer than three agencies unless confirmed. Audited."""
    agencies = list({a.pk: a for a in agencies}.values())
    day = timezone.localdate(started_at) if timezone.is_aware(started_at) else started_at.date()
    errors = _open_errors(establishment, day, "started_at")
    if team.kind != AgencyKind.TEAM_178:
        errors["team"] = _("Chọn một Đội kiểm tra liên ngành 178.")
    if len(agencies) < 2:
        errors["agencies"] = str(ONE_AGENCY % {"count": len(agencies)})
    elif len(agencies) < 3 and not confirm_few_agencies:
        errors["agencies"] = str(FEW_AGENCIES % {"count": len(agencies)})
    if follow_up_due and follow_up_due < day:
        errors["follow_up_due"] = _("Hạn thực hiện kiến nghị không được trước ngày kiểm tra.")
    if plan is not None and plan.team_id != team.pk:
        errors["plan"] = _("Kế hoạch này thuộc đội khác.")
    inspection = Inspection(
        team=team,
        team_level=team_level(team),
        plan=plan,
        establishment=establishment,
        started_at=started_at,
        inspected_on=day,
        leader_name=leader_name,
        members=members,
        checklist=checklist or {},
        findings=findings,
        violation_found=violation_found or any(v == "violation" for v in (checklist or {}).values()),
        people_present=people_present,
        follow_up=follow_up,
        follow_up_due=follow_up_due,
        created_by=actor,
    )
    try:
        inspection.full_clean(exclude=["establishment", "team", "plan", "created_by"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    _errors(errors)
    with audited_change(actor=actor, instance=inspection) as change:
        inspection.save()
        InspectionAgency.objects.bulk_create(
            [InspectionAgency(inspection=inspection, agency=a) for a in agencies]
        )
        change.extra["agencies"] = sorted(a.code for a in agencies)
    return inspection


@transaction.atomic
def inspection_person_record(
    *, actor, inspection: Inspection, person, act, role: str, sanction: dict | None = None, notes: str = ""
) -> InspectionViolation:
    """A person found at an inspection: their violation is recorded in the registry (people services, with
    its own checks: adults only, act in force, place in jurisdiction) and linked to the inspection and so to
    the establishment. Marks the inspection as having found a violation. Audited."""

    establishment = inspection.establishment
    violation = violation_record(
        actor=actor,
        person=person,
        occurred_at=inspection.started_at,
        place_unit=establishment.unit,
        place_address=establishment.address,
        establishment_name=establishment.name,
        act=act,
        role=role,
        notes=notes,
        sanction=sanction,
    )
    link = audited_insert(
        actor=actor, instance=InspectionViolation(inspection=inspection, violation=violation)
    )
    if not inspection.violation_found:
        audited_update(actor=actor, instance=inspection, clean=False, violation_found=True)
    return link


@transaction.atomic
def inspection_attach(
    *, actor, inspection: Inspection, checked: CheckedUpload, kind: str, caption: str = ""
) -> InspectionAttachment:
    """A photo or scan attached to an inspection. ``checked`` is a file already checked by the upload
    service (``UploadField(purpose=attachments.ATTACHMENT)``): it is stored there and linked here.
    Side effects: one stored file and its audit row, one attachment row and its history row."""

    attachment = InspectionAttachment(
        inspection=inspection, kind=kind, caption=caption.strip(), created_by=actor
    )
    attachment.full_clean(exclude=["file", "inspection", "created_by"])
    attachment.file = upload_store(checked=checked, actor=actor)
    return audited_insert(actor=actor, instance=attachment)


# Sanctions against businesses ------------------------------------------------------------------------


def _fine_errors(act, offender_type: str, amount: int | None, field: str) -> dict:

    low, high = act.fine_range(offender_type)
    offender = _("tổ chức") if offender_type == OwnerType.ORGANISATION else _("cá nhân")
    ctx = {"reference": act.reference, "offender": offender, "low": format_vnd(low), "high": format_vnd(high)}
    if amount is None:
        return {field: _("Nhập số tiền phạt (đồng).")}
    if low is None or high is None:
        return {field: str(FINE_NO_RANGE % ctx)}
    if not low <= amount <= high:
        return {field: str(FINE_OUTSIDE % {**ctx, "amount": format_vnd(amount)})}
    return {}


def _measure_errors(act, measure: str, field: str) -> dict:
    if (measure == Measure.SUSPENSION and not act.suspension_allowed) or (
        measure == Measure.REVOCATION and not act.revocation_allowed
    ):
        return {
            field: str(MEASURE_NOT_ALLOWED % {"reference": act.reference, "measure": Measure(measure).label})
        }
    return {}


@transaction.atomic
def sanction_propose(
    *,
    actor,
    establishment: Establishment,
    act,
    offender_type: str,
    occurred_on: dt.date,
    proposed_amount: int,
    proposed_measure: str = Measure.NONE,
    proposal_note: str = "",
    inspection: Inspection | None = None,
) -> BusinessSanction:
    """The team's proposal to sanction an establishment's owner. The act must be in force on the day of the
    violation, the amount within its range for that kind of offender, the measure one the act allows. Audited."""
    errors = _open_errors(establishment, occurred_on, "occurred_on") if occurred_on else {}
    if not act.in_force_on(occurred_on):
        errors["act"] = str(ACT_NOT_IN_FORCE % {"reference": act.reference, "day": _day_text(occurred_on)})
    errors.update(_fine_errors(act, offender_type, proposed_amount, "proposed_amount"))
    errors.update(_measure_errors(act, proposed_measure, "proposed_measure"))
    if inspection is not None and inspection.establishment_id != establishment.pk:
        errors["inspection"] = _("Cuộc kiểm tra này không phải của cơ sở này.")
    _errors(errors)
    sanction = BusinessSanction(
        establishment=establishment,
        inspection=inspection,
        act=act,
        offender_type=offender_type,
        occurred_on=occurred_on,
        proposed_amount=proposed_amount,
        proposed_measure=proposed_measure,
        proposal_note=proposal_note,
        proposed_by=actor,
        proposed_on=timezone.localdate(),
    )
    sanction.full_clean(exclude=["establishment", "act", "proposed_by", "inspection", "authority"])
    return audited_insert(actor=actor, instance=sanction)


AUTHORITY_KINDS = (AgencyKind.PEOPLES_COMMITTEE, AgencyKind.DOLISA_INSPECTORATE)


def licensing_agency_for(establishment: Establishment) -> Agency | None:
    """The culture department of the establishment's province (it issues the culture licences)."""
    province = establishment.unit.path.split(".")[0]
    return Agency.objects.filter(kind=AgencyKind.CULTURE, unit__path=province).first()


@transaction.atomic
def sanction_decide(
    *,
    actor,
    sanction: BusinessSanction,
    authority: Agency,
    decision_number: str,
    decided_on: dt.date,
    amount: int,
    measure: str = Measure.NONE,
    suspension_months: int | None = None,
    signer_title: str = "",
) -> BusinessSanction:
    """Record the competent authority's decision (a committee chair or the DOLISA inspectorate).

    Side effects: a suspension suspends the establishment and its valid licences; a revocation sends a
    revocation proposal for each valid licence to the licensing agency. Audited."""
    errors: dict = {}
    if sanction.status != SanctionStatus.PROPOSED:
        errors["__all__"] = _("Đề nghị này đã được xử lý.")
    if authority.kind not in AUTHORITY_KINDS:
        errors["authority"] = _("Cơ quan ra quyết định phải là Ủy ban nhân dân hoặc Thanh tra Sở LĐTBXH.")
    elif authority.unit.path not in place_paths(sanction.establishment.unit):
        errors["authority"] = _("Cơ quan này không có thẩm quyền tại địa bàn của cơ sở.")
    number = (decision_number or "").strip()
    if not number:
        errors["decision_number"] = _("Nhập số quyết định.")
    elif (
        BusinessSanction.objects.filter(authority=authority, decision_number=number)
        .exclude(pk=sanction.pk)
        .exists()
    ):
        errors["decision_number"] = _("Cơ quan này đã có quyết định số %(number)s.") % {"number": number}
    if decided_on > timezone.localdate():
        errors["decided_on"] = _("Ngày quyết định không được ở tương lai.")
    elif decided_on < sanction.occurred_on:
        errors["decided_on"] = _("Ngày quyết định không được trước ngày vi phạm.")
    errors.update(_fine_errors(sanction.act, sanction.offender_type, amount, "amount"))
    errors.update(_measure_errors(sanction.act, measure, "measure"))
    if measure == Measure.SUSPENSION and not suspension_months:
        errors["suspension_months"] = _("Nhập thời hạn đình chỉ (tháng).")
    _errors(errors)
    audited_update(
        actor=actor,
        instance=sanction,
        clean=False,
        authority=authority,
        decision_number=number,
        decided_on=decided_on,
        amount=amount,
        measure=measure,
        suspension_months=suspension_months if measure == Measure.SUSPENSION else None,
        signer_title=signer_title,
        status=SanctionStatus.DECIDED,
    )
    establishment = sanction.establishment
    valid = list(establishment.licences.filter(status=LicenceStatus.VALID))
    if measure == Measure.SUSPENSION:
        for licence in valid:
            licence_set_status(actor=actor, licence=licence, status=LicenceStatus.SUSPENDED, day=decided_on)
        establishment_update(actor=actor, establishment=establishment, status=EstablishmentStatus.SUSPENDED)
    elif measure == Measure.REVOCATION:
        agency = licensing_agency_for(establishment)
        for licence in valid:
            if licence.kind == LicenceKind.CULTURE and agency is not None:
                proposal = RevocationProposal(
                    sanction=sanction, licence=licence, licensing_agency=agency, sent_on=decided_on
                )
                audited_insert(actor=actor, instance=proposal)
    return sanction


@transaction.atomic
def sanction_reject(*, actor, sanction: BusinessSanction, reason: str) -> BusinessSanction:
    if sanction.status != SanctionStatus.PROPOSED:
        raise ValidationError(_("Đề nghị này đã được xử lý."))
    if not reason.strip():
        raise ValidationError({"reason": _("Ghi lý do không xử phạt.")})
    return audited_update(
        actor=actor, instance=sanction, reason=reason, clean=False, status=SanctionStatus.REJECTED
    )


@transaction.atomic
def sanction_enforce(
    *, actor, sanction: BusinessSanction, enforced_on: dt.date, fine_paid: bool
) -> BusinessSanction:
    """Record that the decision was carried out (fine paid, measure applied). Audited."""
    errors: dict = {}
    if sanction.status != SanctionStatus.DECIDED:
        errors["__all__"] = _("Chỉ ghi nhận thi hành cho quyết định đã ban hành.")
    elif enforced_on < sanction.decided_on:
        errors["enforced_on"] = _("Ngày thi hành không được trước ngày quyết định.")
    if enforced_on > timezone.localdate():
        errors["enforced_on"] = _("Ngày thi hành không được ở tương lai.")
    _errors(errors)
    return audited_update(
        actor=actor,
        instance=sanction,
        clean=False,
        status=SanctionStatus.ENFORCED,
        enforced_on=enforced_on,
        fine_paid=fine_paid,
    )


@transaction.atomic
def revocation_answer(
    *, actor, proposal: RevocationProposal, answer: str, answered_on: dt.date, note: str = ""
) -> RevocationProposal:
    """The licensing agency's answer; a revocation or suspension changes the licence's status. Audited."""
    errors: dict = {}
    if proposal.answer != RevocationAnswer.PENDING:
        errors["answer"] = _("Đề nghị này đã được trả lời.")
    elif answer not in RevocationAnswer.values or answer == RevocationAnswer.PENDING:
        errors["answer"] = _("Chọn nội dung trả lời.")
    if answered_on < proposal.sent_on:
        errors["answered_on"] = _("Ngày trả lời không được trước ngày gửi đề nghị.")
    elif answered_on > timezone.localdate():
        errors["answered_on"] = _("Ngày trả lời không được ở tương lai.")
    if answer == RevocationAnswer.REFUSED and not note.strip():
        errors["answer_note"] = _("Ghi lý do không thu hồi.")
    _errors(errors)
    audited_update(
        actor=actor,
        instance=proposal,
        clean=False,
        answer=answer,
        answered_on=answered_on,
        answer_note=note,
        answered_by=actor,
    )
    status = {
        RevocationAnswer.REVOKED: LicenceStatus.REVOKED,
        RevocationAnswer.SUSPENDED: LicenceStatus.SUSPENDED,
    }
    if answer in status:
        licence_set_status(actor=actor, licence=proposal.licence, status=status[answer], day=answered_on)
    return proposal


# Police checks, health checks -------------------------------------------------------------------------


@transaction.atomic
def police_check_record(
    *,
    actor,
    establishment: Establishment,
    checked_on: dt.date,
    result: str,
    people_checked: int = 0,
    notes: str = "",
) -> PoliceCheck:
    """A police administrative check (T04) by the actor's police unit. Audited."""
    errors = _open_errors(establishment, checked_on, "checked_on")
    if actor.agency.kind != AgencyKind.POLICE:
        errors["__all__"] = _("Chỉ cán bộ công an ghi nhận kiểm tra hành chính.")
    check = PoliceCheck(
        establishment=establishment,
        agency=actor.agency,
        checked_on=checked_on,
        result=result,
        people_checked=people_checked,
        notes=notes,
        created_by=actor,
    )
    try:
        check.full_clean(exclude=["establishment", "agency", "created_by"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    _errors(errors)
    return audited_insert(actor=actor, instance=check)


@transaction.atomic
def health_check_record(
    *,
    actor,
    establishment: Establishment,
    checked_on: dt.date,
    compliant: bool,
    staff_certified: int = 0,
    condoms_supplied: int = 0,
    in_condom_programme: bool | None = None,
    notes: str = "",
) -> HealthCheck:
    """A health-rule check of a massage place; optionally enrols it in (or removes it from) the condom
    programme. Audited."""
    errors = _open_errors(establishment, checked_on, "checked_on")
    if not establishment.kind.health_checks:
        errors["establishment"] = str(NOT_MASSAGE)
    check = HealthCheck(
        establishment=establishment,
        agency=actor.agency,
        checked_on=checked_on,
        compliant=compliant,
        staff_certified=staff_certified,
        condoms_supplied=condoms_supplied,
        notes=notes,
        created_by=actor,
    )
    try:
        check.full_clean(exclude=["establishment", "agency", "created_by"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    _errors(errors)
    audited_insert(actor=actor, instance=check)
    if in_condom_programme is not None and in_condom_programme != establishment.in_condom_programme:
        establishment_update(
            actor=actor, establishment=establishment, in_condom_programme=in_condom_programme
        )
    return check
