"""Writes of criminal cases. Each service checks who may call it, validates fully, writes in one
transaction and audits in it (``core.audit``'s audited writes); nothing is half-saved.

Refusals a caller can fix are ``ValidationError`` with Vietnamese messages naming the field; a stage
changed by another agency's role is ``PermissionDenied`` with a message saying whose stage it is.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import audited_change, audited_insert, audited_update
from lanhmanh.core.scoping import in_subtree
from lanhmanh.enforcement.cases import rules
from lanhmanh.enforcement.cases.models import (
    STAGE_AFTER,
    CriminalCase,
    Defendant,
    InvestigatingBody,
    Offence,
    PressRecord,
    SentenceKind,
    Stage,
    SupportOffer,
    Victim,
)
from lanhmanh.enforcement.selectors import hotspots_visible
from lanhmanh.org.levels import TOP_LEVEL, is_top
from lanhmanh.org.models import Agency, AgencyKind
from lanhmanh.people.services import person_create
from lanhmanh.premises.selectors import establishments_visible

DATE_IN_FUTURE = gettext_lazy("%(label)s không được ở tương lai.")
STAGE_BEFORE = gettext_lazy("%(label)s (%(day)s) không được trước %(other)s (%(other_day)s).")
STAGE_MISSING = gettext_lazy("Chưa có %(other)s: chưa thể ghi %(label)s.")
STAGE_LATER_EARLIER = gettext_lazy("%(label)s (%(day)s) không được sau %(other)s đã ghi (%(other_day)s).")
STAGE_NOT_YOURS = gettext_lazy(
    "Giai đoạn “%(stage)s” do %(role)s ghi nhận: tài khoản của anh/chị không được thay đổi giai đoạn này."
)
ROLE_NAMES = {
    "police": gettext_lazy("cơ quan điều tra (cán bộ Công an)"),
    "prosecutor": gettext_lazy("Viện kiểm sát (kiểm sát viên)"),
    "court-clerk": gettext_lazy("Tòa án (thư ký Tòa án)"),
}
CASE_ENDED = gettext_lazy("Vụ án đã đình chỉ: không ghi thêm giai đoạn %(label)s.")
CLOSED_AFTER_TRIAL = gettext_lazy("Vụ án đã xét xử: không đình chỉ được.")
OFFENCE_NOT_IN_FORCE = gettext_lazy(
    "Tội danh “%(offence)s” không áp dụng cho hành vi ngày %(day)s: chọn điều khoản của Bộ luật Hình sự có "
    "hiệu lực vào ngày thực hiện hành vi."
)
UNIT_OUTSIDE = gettext_lazy("Nơi xảy ra phải thuộc địa bàn của cơ quan anh/chị (%(unit)s).")
PLACE_OUT_OF_REACH = gettext_lazy("%(label)s đã chọn không thuộc phạm vi của anh/chị.")
PLACE_ELSEWHERE = gettext_lazy(
    "%(label)s “%(name)s” ở %(unit)s, không phải nơi xảy ra đã chọn: chọn đúng xã, phường hoặc bỏ trống."
)
NOT_INVESTIGATOR = gettext_lazy("Chỉ cán bộ Công an (cơ quan điều tra) mở hồ sơ vụ án, ghi bị can và bị hại.")
UNDER_AGE = gettext_lazy(
    "Bị can chưa đủ %(age)s tuổi vào ngày thực hiện hành vi (%(day)s): chưa phải chịu trách nhiệm hình sự về "
    "tội “%(offence)s” (%(reference)s, Điều 12 Bộ luật Hình sự)."
)
UNDER_AGE_UNSURE = gettext_lazy(
    "Chỉ biết năm sinh %(year)s: bị can có thể chưa đủ %(age)s tuổi vào ngày thực hiện hành vi (%(day)s), tuổi "
    "chịu trách nhiệm hình sự về tội “%(offence)s”. Hãy nhập ngày sinh đầy đủ."
)
ALREADY_IN_CASE = gettext_lazy("Người này đã có trong vụ án.")
SENTENCE_OUT_OF_RANGE = gettext_lazy(
    "Mức hình phạt %(months)s tháng nằm ngoài khung của %(reference)s (%(range)s)."
)
SENTENCE_NO_LIFE = gettext_lazy("Khung hình phạt của %(reference)s không có tù chung thân hoặc tử hình.")
SENTENCE_MONTHS_REQUIRED = gettext_lazy("Nhập thời hạn hình phạt (tháng).")
SENTENCE_NO_MONTHS = gettext_lazy("Hình phạt này không có thời hạn (tháng).")
SUSPENDED_OVER_3Y = gettext_lazy("Chỉ cho hưởng án treo khi mức phạt tù không quá 3 năm (36 tháng).")
PROBATION_RANGE = gettext_lazy("Thời gian thử thách của án treo từ 12 đến 60 tháng.")
PROBATION_ONLY_SUSPENDED = gettext_lazy("Thời gian thử thách chỉ áp dụng cho án treo.")
REFORM_RANGE = gettext_lazy("Cải tạo không giam giữ từ 6 tháng đến 3 năm (36 tháng).")
NOT_TRIED = gettext_lazy("Vụ án chưa xét xử sơ thẩm: chưa ghi được bản án.")
SENTENCED_BEFORE_TRIAL = gettext_lazy("Ngày tuyên án không được trước ngày xét xử sơ thẩm (%(day)s).")
PRESS_BEFORE_TRIAL = gettext_lazy(
    "Tin bài về phiên tòa chỉ ghi được sau khi vụ án đã xét xử sơ thẩm (%(day)s)."
)
PRESS_BEFORE = gettext_lazy("Ngày đăng, phát không được trước ngày xét xử (%(day)s).")
NO_SUPPORT_AGENCY = gettext_lazy("Không tìm thấy cơ quan hỗ trợ tại nơi cư trú hoặc nơi xảy ra vụ án.")

OUTREACH_DAYS = {SupportOffer.CHILD: 3, SupportOffer.TRAFFICKING: 7}


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _label(stage: str) -> str:
    return str(CriminalCase._meta.get_field(f"{stage}_on").verbose_name).capitalize()


def _check_offence(offence: Offence, act_on: dt.date, field: str, errors: dict) -> None:
    if offence is not None and act_on is not None and not offence.in_force_on(act_on):
        errors[field] = str(OFFENCE_NOT_IN_FORCE % {"offence": str(offence), "day": _fmt(act_on)})


def _check_place(actor, unit, establishment, hotspot, errors: dict) -> None:
    """An establishment or hotspot named as the place: one the actor may see (their apps' selectors),
    in the commune chosen as the place or in a pre-reform commune that became (part of) it (a place keeps
    the commune it was registered in; a case after 1/7/2025 names the ward of today)."""
    for field, place, visible, label in (
        ("establishment", establishment, establishments_visible, _("Cơ sở kinh doanh")),
        ("hotspot", hotspot, hotspots_visible, _("Tụ điểm")),
    ):
        if place is None:
            continue
        if not visible(actor).filter(pk=place.pk).exists():
            errors[field] = str(PLACE_OUT_OF_REACH % {"label": label})
        elif (
            unit is not None
            and place.unit.path != unit.path
            and not place.unit.successors.filter(pk=unit.pk).exists()
        ):
            errors[field] = str(
                PLACE_ELSEWHERE % {"label": label, "name": place.name, "unit": place.unit.full_name}
            )


def body_for(agency) -> str:
    if agency.kind == AgencyKind.CUSTOMS:
        return InvestigatingBody.CUSTOMS
    if agency.kind == AgencyKind.BORDER_GUARD:
        return InvestigatingBody.BORDER_GUARD
    return InvestigatingBody.CITY_POLICE if is_top(agency.unit.level) else InvestigatingBody.DISTRICT_POLICE


@transaction.atomic
def case_open(
    *,
    actor,
    offence: Offence,
    act_on: dt.date,
    unit,
    detected_on: dt.date,
    busted_on: dt.date | None = None,
    address: str = "",
    summary: str = "",
    number: str = "",
    investigating_body: str = "",
    establishment=None,
    hotspot=None,
    today: dt.date | None = None,
) -> CriminalCase:
    """Open a case (police investigator only): the detection and, when there was one, the bust.

    The investigating agency is the actor's; the place must be in the actor's jurisdiction (and an
    establishment or hotspot given as the place one the actor may see, in that commune); the offence
    must be the clause in force on the date of the act. Audited.
    """
    if not rules.opens_cases(actor):
        raise PermissionDenied(str(NOT_INVESTIGATOR))
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if unit is not None and not in_subtree(unit.path, actor.jurisdiction_path):
        errors["unit"] = str(UNIT_OUTSIDE % {"unit": actor.unit.full_name})
    _check_offence(offence, act_on, "offence", errors)
    _check_place(actor, unit, establishment, hotspot, errors)
    if act_on and act_on > today:
        errors["act_on"] = str(DATE_IN_FUTURE % {"label": _("Ngày thực hiện hành vi")})
    case = CriminalCase(
        number=number.strip(),
        offence=offence,
        act_on=act_on,
        unit=unit,
        address=address.strip(),
        establishment=establishment,
        hotspot=hotspot,
        summary=summary.strip(),
        investigating_body=investigating_body or body_for(actor.agency),
        investigating_agency=actor.agency,
        detected_on=detected_on,
        busted_on=busted_on,
        created_by=actor,
    )
    _check_dates(case, errors, today=today)
    if errors:
        raise ValidationError(errors)
    case.full_clean()
    return audited_insert(actor=actor, instance=case)


ORDER = ["detected", "busted", "prosecuted", "suspended", "indicted", "closed", "tried", "appealed", "final"]


def _check_dates(case: CriminalCase, errors: dict, *, today: dt.date) -> None:
    """Every recorded stage: not in the future, not before the act, after the stage it follows."""
    for stage in ORDER:
        day = case.date_of(stage)
        if day is None:
            continue
        field = f"{stage}_on"
        if day > today:
            errors.setdefault(field, str(DATE_IN_FUTURE % {"label": _label(stage)}))
        elif case.act_on and day < case.act_on:
            errors.setdefault(
                field,
                str(
                    STAGE_BEFORE
                    % {
                        "label": _label(stage),
                        "day": _fmt(day),
                        "other": _("ngày thực hiện hành vi"),
                        "other_day": _fmt(case.act_on),
                    }
                ),
            )
        previous = STAGE_AFTER.get(stage)
        if previous is None:
            continue
        before = case.date_of(previous)
        if before is None:
            errors.setdefault(
                field,
                str(STAGE_MISSING % {"other": _label(previous).lower(), "label": _label(stage).lower()}),
            )
        elif day < before:
            errors.setdefault(
                field,
                str(
                    STAGE_BEFORE
                    % {
                        "label": _label(stage),
                        "day": _fmt(day),
                        "other": _label(previous).lower(),
                        "other_day": _fmt(before),
                    }
                ),
            )
    if case.appealed_on and case.final_on and case.final_on < case.appealed_on:
        errors.setdefault(
            "final_on",
            str(
                STAGE_BEFORE
                % {
                    "label": _label("final"),
                    "day": _fmt(case.final_on),
                    "other": _label("appealed").lower(),
                    "other_day": _fmt(case.appealed_on),
                }
            ),
        )
    if case.closed_on and case.tried_on:
        errors.setdefault("closed_on", str(CLOSED_AFTER_TRIAL))


@transaction.atomic
def case_stage_record(
    *,
    actor,
    case: CriminalCase,
    stage: str,
    on: dt.date | None,
    mobile_trial: bool | None = None,
    model_trial: bool | None = None,
    today: dt.date | None = None,
) -> CriminalCase:
    """Record (or correct, or clear with ``on=None``) the date of one stage.

    Only the stage's own agency's role may (``PermissionDenied`` otherwise, naming whose stage it is).
    The dates stay in order; the procuracy and the court become the actor's agency when they first act.
    Trial flags (mobile, model) go with the first-instance trial. Audited with before/after.
    """
    stage = Stage(stage)
    if not rules.may_record_stage(actor, stage):
        raise PermissionDenied(
            str(STAGE_NOT_YOURS % {"stage": stage.label, "role": ROLE_NAMES[stage.owner_role]})
        )
    if stage == Stage.DETECTED and on is None:
        raise ValidationError({"on": _("Ngày phát hiện không được để trống.")})
    today = today or timezone.localdate()
    case = CriminalCase.objects.select_for_update().get(pk=case.pk)
    with audited_change(actor=actor, instance=case):
        if (
            case.closed_on
            and stage not in (Stage.CLOSED, Stage.DETECTED, Stage.BUSTED, Stage.PROSECUTED)
            and on
        ):
            raise ValidationError({"on": str(CASE_ENDED % {"label": stage.label.lower()})})
        setattr(case, stage.date_field, on)
        if stage == Stage.TRIED:
            if mobile_trial is not None:
                case.mobile_trial = bool(mobile_trial) and on is not None
            if model_trial is not None:
                case.model_trial = bool(model_trial) and on is not None
            if on is not None and case.court_id is None:
                case.court = actor.agency
        if stage in (Stage.INDICTED, Stage.CLOSED) and on is not None and case.procuracy_id is None:
            case.procuracy = actor.agency
        errors: dict[str, str] = {}
        _check_dates(case, errors, today=today)
        # A later stage already recorded must not come before this one: say so on this stage's date.
        for later, previous in STAGE_AFTER.items():
            if previous == stage.value and case.date_of(later) and on and case.date_of(later) < on:
                errors.setdefault(
                    stage.date_field,
                    str(
                        STAGE_LATER_EARLIER
                        % {
                            "label": _label(stage),
                            "day": _fmt(on),
                            "other": _label(later).lower(),
                            "other_day": _fmt(case.date_of(later)),
                        }
                    ),
                )
        if errors:
            # The service's own field: the view shows the message next to the date it asked for.
            message = errors.get(stage.date_field) or next(iter(errors.values()))
            raise ValidationError({"on": message})
        case.full_clean()
        case.save()
    return case


# Defendants and victims ------------------------------------------------------------------------------


def _person(actor, person, identity: dict | None):
    """The registry person: the one chosen from the suggestions, or a new one from the identity."""
    if person is not None:
        return person
    return person_create(actor=actor, **(identity or {}))


def _age_errors(person, case: CriminalCase, offence: Offence) -> str | None:
    youngest, oldest = person.age_on(case.act_on)
    ctx = {
        "age": offence.min_age,
        "day": _fmt(case.act_on),
        "offence": offence.title,
        "reference": offence.reference,
        "year": person.birth_year,
    }
    if oldest < offence.min_age:
        return str(UNDER_AGE % ctx)
    if youngest < offence.min_age:
        return str(UNDER_AGE_UNSURE % ctx)
    return None


@transaction.atomic
def defendant_add(
    *,
    actor,
    case: CriminalCase,
    ring_role: str,
    offence: Offence,
    measure: str = "none",
    person=None,
    identity: dict | None = None,
) -> Defendant:
    """Add a defendant (police investigator): an existing registry person or a new one from ``identity``.

    Refused (nothing written, not even the new person) when the charge is not in force on the date of
    the act or the person is (or may be) under the offence's minimum age of criminal responsibility.
    """
    if not rules.may_edit_people(actor):
        raise PermissionDenied(str(NOT_INVESTIGATOR))
    errors: dict[str, str] = {}
    _check_offence(offence, case.act_on, "offence", errors)
    if errors:
        raise ValidationError(errors)
    subject = _person(actor, person, identity)
    if (message := _age_errors(subject, case, offence)) is not None:
        raise ValidationError({"birth_date": message})
    if Defendant.objects.filter(case=case, person=subject).exists():
        raise ValidationError({"person": str(ALREADY_IN_CASE)})
    defendant = Defendant(case=case, person=subject, ring_role=ring_role, offence=offence, measure=measure)
    defendant.full_clean()
    audited_insert(actor=actor, instance=defendant)
    # The case's count of defendants (T05 reads it); saved through the model so the rollup follows.
    locked = CriminalCase.objects.select_for_update().get(pk=case.pk)
    locked.defendant_count = locked.defendants.count()
    locked.save(update_fields=["defendant_count"])
    case.defendant_count = locked.defendant_count
    return defendant


@transaction.atomic
def defendant_measure_set(*, actor, defendant: Defendant, measure: str) -> Defendant:
    if not rules.may_edit_people(actor):
        raise PermissionDenied(str(NOT_INVESTIGATOR))
    return audited_update(actor=actor, instance=defendant, measure=measure)


def sentence_errors(offence: Offence, kind: str, months: int | None, probation: int | None) -> dict[str, str]:
    """The sentence against the charge's range in the catalogue (as data)."""
    errors: dict[str, str] = {}
    ctx = {"reference": offence.reference, "range": offence.range_display, "months": months}
    if kind in (SentenceKind.PRISON, SentenceKind.SUSPENDED):
        if months is None:
            errors["sentence_months"] = str(SENTENCE_MONTHS_REQUIRED)
        elif not offence.min_months <= months <= offence.max_months:
            errors["sentence_months"] = str(SENTENCE_OUT_OF_RANGE % ctx)
        elif kind == SentenceKind.SUSPENDED and months > 36:
            errors["sentence_months"] = str(SUSPENDED_OVER_3Y)
    elif kind == SentenceKind.NON_CUSTODIAL:
        if months is None:
            errors["sentence_months"] = str(SENTENCE_MONTHS_REQUIRED)
        elif not 6 <= months <= 36:
            errors["sentence_months"] = str(REFORM_RANGE)
    else:
        if months:
            errors["sentence_months"] = str(SENTENCE_NO_MONTHS)
        if kind in (SentenceKind.LIFE, SentenceKind.DEATH) and not offence.life_or_death:
            errors["sentence_kind"] = str(SENTENCE_NO_LIFE % ctx)
    if kind == SentenceKind.SUSPENDED:
        if probation is None or not 12 <= probation <= 60:
            errors["probation_months"] = str(PROBATION_RANGE)
    elif probation:
        errors["probation_months"] = str(PROBATION_ONLY_SUSPENDED)
    return errors


@transaction.atomic
def defendant_sentence(
    *,
    actor,
    defendant: Defendant,
    sentence_kind: str,
    sentence_months: int | None,
    sentenced_on: dt.date,
    probation_months: int | None = None,
    today: dt.date | None = None,
) -> Defendant:
    """Record the sentence at judgment (court clerk), checked against the charge's range. Audited."""
    if not rules.may_sentence(actor):
        raise PermissionDenied(
            str(STAGE_NOT_YOURS % {"stage": Stage.TRIED.label, "role": ROLE_NAMES["court-clerk"]})
        )
    case = defendant.case
    today = today or timezone.localdate()
    errors = sentence_errors(defendant.offence, sentence_kind, sentence_months, probation_months)
    if case.tried_on is None:
        errors["sentenced_on"] = str(NOT_TRIED)
    elif sentenced_on is None:
        errors["sentenced_on"] = _("Nhập ngày tuyên án.")
    elif sentenced_on < case.tried_on:
        errors["sentenced_on"] = str(SENTENCED_BEFORE_TRIAL % {"day": _fmt(case.tried_on)})
    elif sentenced_on > today:
        errors["sentenced_on"] = str(DATE_IN_FUTURE % {"label": _("Ngày tuyên án")})
    if errors:
        raise ValidationError(errors)
    return audited_update(
        actor=actor,
        instance=defendant,
        sentence_kind=sentence_kind,
        sentence_months=sentence_months or None,
        probation_months=probation_months or None,
        sentenced_on=sentenced_on,
    )


def _support_agency(person, case: CriminalCase, offer: str):
    """Who reaches out: for a child, the district labour office (child protection); for an adult, the
    social-affairs officer of her commune of residence, else the district labour office; else the city
    coordinator. Residence first, then the place of the case."""
    for unit in (person.permanent_unit, person.temporary_unit, case.unit):
        if unit is None:
            continue
        district = ".".join(unit.path.split(".")[:2])
        kinds = (
            [(district, AgencyKind.DISTRICT_LABOUR)]
            if offer == SupportOffer.CHILD
            else [(unit.path, AgencyKind.COMMUNE_SOCIAL), (district, AgencyKind.DISTRICT_LABOUR)]
        )
        for path, kind in kinds:
            agency = (
                Agency.objects.filter(unit__path=path, kind=kind, active=True).select_related("unit").first()
            )
            if agency is not None:
                return agency
    return (
        Agency.objects.filter(kind=AgencyKind.SUB_DEPARTMENT, unit__level=TOP_LEVEL, active=True)
        .select_related("unit")
        .first()
    )


def _outreach_task(actor, *, person, agency, due_on: dt.date, notes: str):
    """An outreach task for the support agency, made as support's own hand-made tasks are (full_clean,
    audited). ``support`` is a sibling app that ``enforcement`` may not import: its model is looked up."""
    task_model = apps.get_model("support", "OutreachTask")
    task = task_model(
        person=person,
        source="manual",
        unit=agency.unit,
        agency=agency,
        due_on=due_on,
        notes=notes,
        created_by=actor,
    )
    task.full_clean()
    return audited_insert(actor=actor, instance=task)


@transaction.atomic
def victim_add(
    *,
    actor,
    case: CriminalCase,
    kind: str,
    offer: str = "",
    person=None,
    identity: dict | None = None,
    today: dt.date | None = None,
) -> Victim:
    """Add a victim (police investigator) and offer support through an outreach task.

    A victim under 18 on the date of the act (or possibly under 18) is always a child to protect: the
    offer becomes a child-protection case, sent to the district labour office, which opens it with the
    support app's consent rules. An adult may be offered a trafficking-victim case. Audited.
    """
    if not rules.may_edit_people(actor):
        raise PermissionDenied(str(NOT_INVESTIGATOR))
    today = today or timezone.localdate()
    subject = _person(actor, person, identity)
    if Victim.objects.filter(case=case, person=subject).exists():
        raise ValidationError({"person": str(ALREADY_IN_CASE)})
    minor = not subject.is_adult_on(case.act_on)
    offer = SupportOffer.CHILD if minor else (offer or "")
    if offer == SupportOffer.CHILD and not minor:
        offer = SupportOffer.TRAFFICKING
    victim = Victim(case=case, person=subject, kind=kind, minor=minor, offer=offer)
    if offer:
        agency = _support_agency(subject, case, offer)
        if agency is None:
            raise ValidationError({"offer": str(NO_SUPPORT_AGENCY)})
        note = (
            _("Bị hại là trẻ em trong vụ án #%(case)s: đề nghị mở hồ sơ bảo vệ trẻ em.")
            if offer == SupportOffer.CHILD
            else _("Bị hại trong vụ án #%(case)s: đề nghị hỗ trợ nạn nhân bị mua bán (nếu người này đồng ý).")
        ) % {"case": case.pk}
        victim.outreach_task = _outreach_task(
            actor,
            person=subject,
            agency=agency,
            due_on=today + dt.timedelta(days=OUTREACH_DAYS[offer]),
            notes=note,
        )
        victim.referred_on = today
    victim.full_clean()
    return audited_insert(actor=actor, instance=victim)


@transaction.atomic
def press_record_add(
    *,
    actor,
    case: CriminalCase,
    kind: str,
    outlet: str,
    title: str,
    published_on: dt.date,
    url: str = "",
    today: dt.date | None = None,
) -> PressRecord:
    """An article or broadcast about the case's trial (any case agency). Audited."""
    if not rules.may_record_press(actor):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if case.tried_on is None:
        errors["published_on"] = str(PRESS_BEFORE_TRIAL % {"day": "—"})
    elif published_on and published_on < case.tried_on:
        errors["published_on"] = str(PRESS_BEFORE % {"day": _fmt(case.tried_on)})
    elif published_on and published_on > today:
        errors["published_on"] = str(DATE_IN_FUTURE % {"label": _("Ngày đăng, phát")})
    if errors:
        raise ValidationError(errors)
    record = PressRecord(
        case=case, kind=kind, outlet=outlet.strip(), title=title.strip(), published_on=published_on, url=url
    )
    record.full_clean()
    return audited_insert(actor=actor, instance=record)
