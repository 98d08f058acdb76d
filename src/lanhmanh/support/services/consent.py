"""Consent of the person supported: per purpose and agency, given and withdrawn."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Action, record_change, snapshot
from lanhmanh.org.models import Agency
from lanhmanh.support.models import (
    OPEN_REFERRAL_STATUSES,
    Consent,
    ConsentPurpose,
    Referral,
    ReferralStatus,
    SupportCase,
)
from lanhmanh.support.services.common import (
    ALREADY_CONSENTED,
    audit_create,
    local_today,
    not_future,
    require_open,
)

# Consent --------------------------------------------------------------------------------------------


def has_consent(case: SupportCase, *, purpose: str, agency: Agency) -> bool:
    return Consent.objects.active().filter(case=case, purpose=purpose, agency=agency).exists()


@transaction.atomic
def consent_give(*, actor, case: SupportCase, purpose: str, agency: Agency, given_on: dt.date) -> Consent:
    """Record the person's consent to share the case with ``agency`` for ``purpose``. Audited."""
    require_open(case)
    if has_consent(case, purpose=purpose, agency=agency):
        raise ValidationError(
            {"agency": ALREADY_CONSENTED % {"purpose": ConsentPurpose(purpose).label, "agency": agency.name}}
        )
    errors: dict[str, str] = {}
    not_future(given_on, "given_on", errors)
    if errors:
        raise ValidationError(errors)
    consent = Consent(case=case, purpose=purpose, agency=agency, given_on=given_on, recorded_by=actor)
    consent.full_clean(validate_constraints=False)
    consent.save()
    audit_create(actor, consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, on: dt.date | None = None) -> Consent:
    """Withdraw a consent. Sharing stops at once: open referrals to that agency for that purpose end
    as 'consent withdrawn' (the receiver no longer sees the person). Audited, each referral too."""
    on = on or local_today()
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
