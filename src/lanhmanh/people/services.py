"""Writes to the registry. Each service validates fully, writes in one transaction and audits in it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Action, record_change, snapshot
from lanhmanh.core.scoping import in_subtree
from lanhmanh.core.text import normalise
from lanhmanh.people.models import (
    LegalAct,
    Person,
    PersonHealth,
    PersonSupport,
    SanctionDecision,
    Violation,
)

MINOR_REFUSED = gettext_lazy(
    "Người này chưa đủ 18 tuổi vào ngày vi phạm (%(day)s): không lập hồ sơ vi phạm hành chính đối với trẻ em. "
    "Hãy mở hồ sơ bảo vệ trẻ em và chuyển cho cán bộ bảo vệ trẻ em, hỗ trợ."
)
MINOR_UNSURE = gettext_lazy(
    "Chỉ biết năm sinh %(year)s: người này có thể chưa đủ 18 tuổi vào ngày vi phạm (%(day)s). "
    "Hãy bổ sung ngày sinh đầy đủ; nếu chưa đủ 18 tuổi, mở hồ sơ bảo vệ trẻ em thay cho hồ sơ vi phạm."
)
NO_ACT_IN_FORCE = gettext_lazy(
    "Hành vi “%(act)s” (%(reference)s) không có hiệu lực vào ngày vi phạm %(day)s: chọn hành vi theo văn bản "
    "đang có hiệu lực vào ngày đó."
)
PLACE_OUTSIDE_JURISDICTION = gettext_lazy("Nơi vi phạm phải thuộc địa bàn của cơ quan anh/chị (%(unit)s).")
FUTURE_VIOLATION = gettext_lazy("Thời gian vi phạm không được ở tương lai.")


def person_create(*, actor, **fields) -> Person:
    """Create a person (identity fields encrypted, blind indexes computed). Audited with identity redacted."""
    with transaction.atomic():
        person = Person(created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
        person.full_clean()
        person.save()
        record_change(actor=actor, instance=person, action=Action.CREATE, after=snapshot(person))
    return person


def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a person's fields. Audited: which fields changed; identity values stay redacted."""
    with transaction.atomic():
        before = snapshot(Person.objects.select_for_update().get(pk=person.pk))
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        person.save()
        record_change(
            actor=actor, instance=person, action=Action.UPDATE, before=before, after=snapshot(person)
        )
    return person


def person_health_set(*, actor, person: Person, drug_use: bool, referrals: str = "") -> PersonHealth:
    with transaction.atomic():
        health, created = PersonHealth.objects.get_or_create(person=person)
        before = None if created else snapshot(health)
        health.drug_use = drug_use
        health.referrals = referrals
        health.full_clean()
        health.save()
        record_change(
            actor=actor,
            instance=health,
            action=Action.CREATE if created else Action.UPDATE,
            before=before,
            after=snapshot(health),
        )
    return health


def person_support_set(*, actor, person: Person, trafficking_victim: bool, notes: str = "") -> PersonSupport:
    with transaction.atomic():
        support, created = PersonSupport.objects.get_or_create(person=person)
        before = None if created else snapshot(support)
        support.trafficking_victim = trafficking_victim
        support.notes = notes
        support.full_clean()
        support.save()
        record_change(
            actor=actor,
            instance=support,
            action=Action.CREATE if created else Action.UPDATE,
            before=before,
            after=snapshot(support),
        )
    return support


def _violation_errors(*, actor, person: Person, occurred_at: dt.datetime, act: LegalAct, place_unit) -> dict:
    errors: dict[str, str] = {}
    day = timezone.localdate(occurred_at) if timezone.is_aware(occurred_at) else occurred_at.date()
    fmt = day.strftime("%d/%m/%Y")
    if occurred_at > timezone.now():
        errors["occurred_at"] = str(FUTURE_VIOLATION)
    youngest, _oldest = person.age_on(day)
    if youngest < 18:
        if person.birth_date is None and _oldest >= 18:
            errors["person"] = MINOR_UNSURE % {"year": person.birth_year, "day": fmt}
        else:
            errors["person"] = MINOR_REFUSED % {"day": fmt}
    if not act.in_force_on(day):
        errors["act"] = NO_ACT_IN_FORCE % {"act": act.wording, "reference": act.reference, "day": fmt}
    root = getattr(actor, "jurisdiction_path", None)
    if place_unit is not None and root and not in_subtree(place_unit.path, root):
        errors["place_unit"] = PLACE_OUTSIDE_JURISDICTION % {"unit": actor.unit.full_name}
    return errors


@transaction.atomic
def violation_record(
    *,
    actor,
    person: Person,
    occurred_at: dt.datetime,
    place_unit,
    act: LegalAct,
    role: str,
    place_address: str = "",
    establishment_name: str = "",
    notes: str = "",
    recording_officer_name: str = "",
    sanction: dict | None = None,
) -> Violation:
    """Record a violation (and its sanction decision when given) for ``person``.

    Refused when the person was (or may have been) under 18 on that date, when the act was not in
    force on that date, or when the place is outside the actor's jurisdiction. The recording agency
    and officer are the actor's. Writes a change-history row for the violation and the sanction.
    """
    errors = _violation_errors(
        actor=actor, person=person, occurred_at=occurred_at, act=act, place_unit=place_unit
    )
    violation = Violation(
        person=person,
        occurred_at=occurred_at,
        place_unit=place_unit,
        place_address=place_address,
        establishment_name=establishment_name,
        act=act,
        role=role,
        recording_agency=actor.agency,
        recording_officer=actor,
        recording_officer_name=recording_officer_name or str(actor),
        notes=notes,
    )
    try:
        violation.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    violation.save()
    record_change(actor=actor, instance=violation, action=Action.CREATE, after=snapshot(violation))
    if sanction is not None:
        sanction_record(actor=actor, violation=violation, **sanction)
    return violation


@transaction.atomic
def sanction_record(
    *,
    actor,
    violation: Violation,
    number: str,
    decided_on: dt.date,
    kind: str,
    amount: int | None = None,
    authority=None,
    signer_title: str = "",
    payment_status: str = "",
    paid_on: dt.date | None = None,
    additional_measures: str = "",
) -> SanctionDecision:
    """Record the sanction decision of a violation, checked against the act's catalogue row.

    A fine outside the act's range, or a warning where the act allows none, is refused with the
    range in the message. The decision number must be new for the issuing authority.
    """
    decision = SanctionDecision(
        violation=violation,
        number=normalise(number or ""),
        decided_on=decided_on,
        authority=authority or actor.agency,
        signer_title=signer_title,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        additional_measures=additional_measures,
    )
    if payment_status:
        decision.payment_status = payment_status
    if SanctionDecision.objects.filter(authority=decision.authority, number=decision.number).exists():
        raise ValidationError(
            {
                "number": _("Số quyết định %(number)s của %(authority)s đã có trong cơ sở dữ liệu.")
                % {"number": decision.number, "authority": decision.authority.name}
            }
        )
    decision.full_clean()
    decision.save()
    record_change(actor=actor, instance=decision, action=Action.CREATE, after=snapshot(decision))
    return decision


@transaction.atomic
def sanction_payment_set(*, actor, decision: SanctionDecision, paid_on: dt.date) -> SanctionDecision:
    """Mark a fine paid. Audited."""
    before = snapshot(decision)
    decision.payment_status = "paid"
    decision.paid_on = paid_on
    decision.full_clean(validate_unique=False)
    decision.save()
    record_change(
        actor=actor, instance=decision, action=Action.STATUS, before=before, after=snapshot(decision)
    )
    return decision
