"""Writes to API tokens. Each service records its change in the audit history, in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.api import tokens
from lanhmanh.api.models import ApiToken, ApiTokenScope
from lanhmanh.core.audit import Action, audited_insert, audited_update

# A token that outlives two years is a token nobody remembers handing out.
MAX_TOKEN_DAYS = 730


def _validate_days(days: int | None) -> None:
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {
                "days": _("Số ngày hiệu lực phải là số nguyên từ 1 đến %(max)s (nhận được: %(value)s).")
                % {"max": MAX_TOKEN_DAYS, "value": days}
            }
        )


@transaction.atomic
def api_token_create(*, user, name: str, scope: str, days: int | None, actor=None) -> tuple[ApiToken, str]:
    """Create an API token acting as ``user``; return the row and the raw token (shown once, never stored).

    ``days`` is the lifetime (1 to MAX_TOKEN_DAYS) or None for a token that does not expire.
    Side effects: one ApiToken row and one change-history row. Called by system administrators
    (the ``create_api_token`` command). Raises ValidationError naming the field, creating nothing,
    for an inactive user, an unknown scope, an empty name or a lifetime out of range.
    """
    if not getattr(user, "is_active", False):
        raise ValidationError(
            {"user": _("Tài khoản “%(username)s” đã bị khoá, không thể cấp khoá API.") % {"username": user}}
        )
    if scope not in ApiTokenScope.values:
        raise ValidationError(
            {"scope": _("Phạm vi “%(scope)s” không hợp lệ; chỉ nhận “read” hoặc “write”.") % {"scope": scope}}
        )
    if not (name or "").strip():
        raise ValidationError({"name": _("Tên khoá không được để trống.")})
    _validate_days(days)
    now = timezone.now()
    prefix = tokens.new_prefix()
    while ApiToken.objects.filter(
        prefix=prefix
    ).exists():  # 4 billion prefixes: a clash is rare, not impossible
        prefix = tokens.new_prefix()
    secret = tokens.new_secret()
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=prefix,
        secret_hash=tokens.hash_secret(secret),
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days is not None else None,
    )
    token.full_clean()
    audited_insert(actor=actor, instance=token)
    return token, tokens.compose(prefix, secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None, reason: str = "") -> ApiToken:
    """Revoke a token now: every later request with it gets 401 ``token_revoked``.

    Side effects: sets ``revoked_at`` and writes one change-history row. Revoking a token that is
    already revoked changes nothing and writes nothing. Called by system administrators and by
    the token's own user.
    """
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    return audited_update(
        actor=actor,
        instance=token,
        action=Action.STATUS,
        reason=reason,
        clean=False,
        revoked_at=timezone.now(),
    )
