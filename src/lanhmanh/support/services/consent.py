"""Consent of the person supported: per purpose and agency, given and withdrawn."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from lanhmanh.core.audit import Action, audited_create, audited_update
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
    CONSENT_WITHDRAWN,
    SHARING_STOPPED,
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
    return audited_create(
        actor=actor,
        model=Consent,
        validate_constraints=False,
        case=case,
        purpose=purpose,
        agency=agency,
        given_on=given_on,
        recorded_by=actor,
    )


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, on: dt.date | None = None) -> Consent:
    """Withdraw a consent. Sharing stops at once: open referrals to that agency for that purpose end
    as 'consent withdrawn' (the receiver no longer sees the person). Audited, each referral too."""
    on = on or local_today()
    if consent.withdrawn_on is not None:
        return consent
    audited_update(
        actor=actor,
        instance=consent,
        action=Action.STATUS,
        reason=CONSENT_WITHDRAWN(),
        validate_constraints=False,
        withdrawn_on=max(on, consent.given_on),
    )
    affected = Referral.objects.filter(
        case=consent.case,
        to_agency=consent.agency,
        purpose=consent.purpose,
        status__in=OPEN_REFERRAL_STATUSES,
    )
    for referral in affected:
        audited_update(
            actor=actor,
            instance=referral,
            action=Action.STATUS,
            reason=SHARING_STOPPED(),
            clean=False,
            status=ReferralStatus.CONSENT_WITHDRAWN,
            responded_on=consent.withdrawn_on,
        )
    return consent
