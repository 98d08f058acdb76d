"""Support programmes: their budget and criteria, enrolments and their progress."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import audited_change, audited_create, audited_insert, audited_update
from lanhmanh.support.models import (
    CaseKind,
    Enrolment,
    Programme,
    ServiceKind,
    SupportCase,
)
from lanhmanh.support.services.common import (
    DUPLICATE_ENROLMENT,
    ENROLMENT_CRITERIA,
    ENROLMENT_DATES,
    fmt_day,
    local_today,
    not_future,
    require_open,
)

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
        errors["ends_on"] = str(PROGRAMME_PERIOD % {"day": fmt_day(programme.starts_on)})
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
    return audited_insert(actor=actor, instance=programme)


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    """Change a programme. The budget may not drop below what its services already cost. Audited."""
    with audited_change(actor=actor, instance=programme):
        for name, value in fields.items():
            if name not in PROGRAMME_FIELDS:
                raise TypeError(name)
            setattr(programme, name, value)
        errors = _programme_errors(programme)
        if errors:
            raise ValidationError(errors)
        programme.full_clean()
        programme.save()
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
    require_open(case)
    existing = Enrolment.objects.filter(programme=programme, person=case.person).first()
    if existing is not None:
        raise ValidationError(
            {
                "programme": DUPLICATE_ENROLMENT
                % {"programme": programme.name, "day": fmt_day(existing.enrolled_on)}
            }
        )
    errors: dict[str, str] = {}
    not_future(enrolled_on, "enrolled_on", errors)
    if enrolled_on and enrolled_on < case.opened_on:
        errors["enrolled_on"] = _("Ngày tham gia không được trước ngày mở hồ sơ (%(opened)s).") % {
            "opened": fmt_day(case.opened_on)
        }
    reasons = enrolment_failures(programme, case, enrolled_on or local_today())
    if reasons:
        errors["programme"] = str(
            ENROLMENT_CRITERIA % {"programme": programme.name, "reasons": "; ".join(reasons)}
        )
    if errors:
        raise ValidationError(errors)
    return audited_create(
        actor=actor,
        model=Enrolment,
        programme=programme,
        person=case.person,
        case=case,
        enrolled_on=enrolled_on,
    )


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
    not_future(training_completed_on, "training_completed_on", errors)
    not_future(employed_on, "employed_on", errors)
    for name, day in (("training_completed_on", training_completed_on), ("employed_on", employed_on)):
        if day and day < enrolment.enrolled_on:
            errors[name] = str(ENROLMENT_DATES % {"day": fmt_day(enrolment.enrolled_on)})
    if employed_on and not employer.strip():
        errors["employer"] = _("Ghi nơi làm việc khi có việc làm.")
    if errors:
        raise ValidationError(errors)
    return audited_update(
        actor=actor,
        instance=enrolment,
        training_completed_on=training_completed_on,
        employed_on=employed_on,
        employer=employer.strip(),
    )


def programme_service_errors(programme: Programme, case: SupportCase, kind: str, cost: int | None) -> dict:
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
