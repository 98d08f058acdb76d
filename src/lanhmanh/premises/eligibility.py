"""Licence eligibility for the culture department (duty III.3.4 of the 2014 plan).

Given an applicant (name + ID number, or a business registration number) and a premises address,
answer whether that owner or those premises were sanctioned for a prostitution-related act, with the
decisions as the basis. Nothing else of the register is shown. Every look-up asks its purpose and is
logged (``EligibilityLookup``), with the applicant's name and ID number kept only as blind indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lanhmanh.core.crypto import id_number_digits, id_number_index
from lanhmanh.premises.models import (
    BusinessSanction,
    EligibilityLookup,
    LookupPurpose,
    SanctionStatus,
    name_key,
    owner_name_index,
    registration_key,
)


@dataclass
class Answer:
    eligible: bool
    decisions: list = field(default_factory=list)
    lookup: EligibilityLookup | None = None


def _validate(*, purpose, detail, owner_name, owner_id_number, registration_number, address) -> None:
    errors: dict = {}
    if purpose not in LookupPurpose.values:
        errors["purpose"] = _("Chọn mục đích tra cứu.")
    elif purpose == LookupPurpose.OTHER and not detail.strip():
        errors["detail"] = _("Chọn “Khác” thì phải ghi rõ mục đích tra cứu.")
    has_owner = bool(owner_name.strip() and owner_id_number.strip())
    if owner_id_number.strip() and len(id_number_digits(owner_id_number)) not in (9, 12):
        errors["owner_id_number"] = _("Số CMND có 9 chữ số, số CCCD có 12 chữ số.")
    if bool(owner_name.strip()) != bool(owner_id_number.strip()):
        errors["owner_name" if not owner_name.strip() else "owner_id_number"] = _(
            "Nhập cả họ tên và số CMND/CCCD của người đề nghị cấp phép."
        )
    if not has_owner and not registration_key(registration_number):
        errors.setdefault(
            "__all__", _("Nhập người đề nghị (họ tên và số CMND/CCCD) hoặc số đăng ký kinh doanh.")
        )
    if not name_key(address):
        errors["address"] = _("Nhập địa chỉ cơ sở đề nghị cấp phép.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lookup(
    *,
    actor,
    purpose: str,
    detail: str = "",
    owner_name: str = "",
    owner_id_number: str = "",
    registration_number: str = "",
    address: str = "",
    via_api: bool = False,
) -> Answer:
    """Sanction decisions (decided or enforced) against that owner (ID number and name both match) or
    business registration, or at those premises (the same normalised address). Logs the look-up."""
    _validate(
        purpose=purpose,
        detail=detail,
        owner_name=owner_name,
        owner_id_number=owner_id_number,
        registration_number=registration_number,
        address=address,
    )
    id_index = id_number_index(owner_id_number) if owner_id_number.strip() else ""
    name_index = owner_name_index(owner_name) if owner_name.strip() else ""
    reg_key = registration_key(registration_number)
    match = Q(establishment__address_key=name_key(address)[:300])
    if id_index:
        match |= Q(establishment__owner_id_index=id_index, establishment__owner_name_index=name_index)
    if reg_key:
        match |= Q(establishment__registration_key=reg_key)
    decisions = list(
        BusinessSanction.objects.filter(match, status__in=[SanctionStatus.DECIDED, SanctionStatus.ENFORCED])
        .select_related("establishment", "authority", "act")
        .order_by("-decided_on", "-pk")
    )
    entry = EligibilityLookup.objects.create(
        actor=actor,
        purpose=purpose,
        detail=detail.strip()[:300],
        owner_name_index=name_index,
        owner_id_index=id_index,
        registration_number=registration_number.strip()[:40],
        address=address.strip()[:300],
        eligible=not decisions,
        sanction_ids=[d.pk for d in decisions],
        via_api=via_api,
    )
    return Answer(eligible=not decisions, decisions=decisions, lookup=entry)


def decision_json(decision: BusinessSanction) -> dict:
    """What a look-up shows of a decision: its basis, nothing else of the register."""
    return {
        "decision_number": decision.decision_number,
        "decided_on": decision.decided_on.isoformat(),
        "authority": decision.authority.name if decision.authority_id else "",
        "act": decision.act.reference,
        "act_wording": decision.act.wording,
        "establishment": decision.establishment.name,
        "address": decision.establishment.address,
        "measure": decision.measure,
    }
