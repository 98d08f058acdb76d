"""Services delivered on a case and referrals to other agencies (send, respond, complete, cancel)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Action, audited_create, audited_update
from lanhmanh.org.models import Agency
from lanhmanh.support.models import (
    SERVICE_PURPOSE,
    ConsentPurpose,
    Programme,
    Referral,
    ReferralStatus,
    Service,
    SupportCase,
)
from lanhmanh.support.services.common import (
    NOT_RECEIVER,
    REFERRAL_DUE_BEFORE_SENT,
    REFERRAL_NOT_ACCEPTED,
    REFERRAL_NOT_PENDING,
    REFERRAL_OUTSIDE_CONSENT,
    REFERRAL_TO_SELF,
    SERVICE_BEFORE_OPENED,
    SERVICE_OUTSIDE_CONSENT,
    fmt_day,
    local_today,
    not_future,
    require_open,
)
from lanhmanh.support.services.consent import has_consent
from lanhmanh.support.services.programmes import programme_service_errors

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
    require_open(case)
    errors: dict[str, str] = {}
    not_future(given_on, "given_on", errors)
    if given_on and given_on < case.opened_on:
        errors["given_on"] = str(
            SERVICE_BEFORE_OPENED % {"day": fmt_day(given_on), "opened": fmt_day(case.opened_on)}
        )
    if programme is not None:
        errors.update(programme_service_errors(programme, case, kind, cost))
    purpose = SERVICE_PURPOSE.get(kind)
    if purpose and provider != case.lead_agency and not has_consent(case, purpose=purpose, agency=provider):
        errors["provider"] = str(
            SERVICE_OUTSIDE_CONSENT % {"agency": provider.name, "purpose": ConsentPurpose(purpose).label}
        )
    if errors:
        raise ValidationError(errors)
    return audited_create(
        actor=actor,
        model=Service,
        case=case,
        kind=kind,
        provider=provider,
        given_on=given_on,
        programme=programme,
        cost=cost,
        notes=notes,
        recorded_by=actor,
    )


@transaction.atomic
def referral_send(
    *, actor, case: SupportCase, to_agency: Agency, purpose: str, due_on: dt.date, note: str = ""
) -> Referral:
    """Refer the case from the actor's agency to ``to_agency`` for ``purpose``, only within consent. Audited."""
    require_open(case)
    today = local_today()
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
    return audited_create(
        actor=actor,
        model=Referral,
        case=case,
        from_agency=actor.agency,
        to_agency=to_agency,
        purpose=purpose,
        sent_on=today,
        due_on=due_on,
        note=note,
        sent_by=actor,
    )


def _referral_status(actor, referral: Referral, status: str, note: str = "") -> Referral:
    changes = {"status": status, "responded_on": local_today(), "responded_by": actor}
    if note:
        changes["response_note"] = note[:300]
    return audited_update(actor=actor, instance=referral, action=Action.STATUS, **changes)


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
    return audited_update(
        actor=actor,
        instance=referral,
        action=Action.STATUS,
        clean=False,
        status=ReferralStatus.CANCELLED,
        responded_on=local_today(),
    )
