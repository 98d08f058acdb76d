"""``Authorization: Bearer lm_<prefix>_<secret>``: per-agency API tokens.

A request carrying a Bearer token is judged by the token alone (a session cookie sent alongside
does not rescue a bad token). Failures are 401 with a code the client can act on.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from lanhmanh.api import tokens
from lanhmanh.api.models import ApiToken

# Writing ``last_used_at`` on every request would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)

MALFORMED = _(
    "Khoá API không đúng định dạng. Gửi tiêu đề “Authorization: Bearer lm_<tiền tố>_<bí mật>” "
    "đúng như khoá được cấp."
)
INVALID = _("Khoá API không hợp lệ.")
REVOKED = _("Khoá API đã bị thu hồi. Đề nghị quản trị hệ thống cấp khoá mới.")
EXPIRED = _("Khoá API đã hết hạn lúc %(when)s. Đề nghị quản trị hệ thống cấp khoá mới.")
USER_INACTIVE = _("Tài khoản gắn với khoá API đã bị khoá.")


class AgencyTokenAuthentication(BaseAuthentication):
    """Authenticate ``Authorization: Bearer`` requests as the token's user; ``request.auth`` is the ApiToken."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None  # not ours: let session authentication try
        if len(header) != 2:
            raise AuthenticationFailed(MALFORMED, code="token_malformed")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(MALFORMED, code="token_malformed") from None
        return self.authenticate_token(raw)

    def authenticate_token(self, raw: str):
        parsed = tokens.parse(raw)
        if parsed is None:
            raise AuthenticationFailed(MALFORMED, code="token_malformed")
        prefix, secret = parsed
        token = ApiToken.objects.select_related("user__agency__unit").filter(prefix=prefix).first()
        # The same answer for an unknown prefix and a wrong secret: no hint which half was right.
        if token is None or not tokens.secret_matches(secret, token.secret_hash):
            raise AuthenticationFailed(INVALID, code="token_invalid")
        now = timezone.now()
        if token.is_revoked:
            raise AuthenticationFailed(REVOKED, code="token_revoked")
        if token.is_expired(now):
            when = date_format(timezone.localtime(token.expires_at), "SHORT_DATETIME_FORMAT")
            raise AuthenticationFailed(EXPIRED % {"when": when}, code="token_expired")
        if not token.user.is_active:
            raise AuthenticationFailed(USER_INACTIVE, code="user_inactive")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return 'Bearer realm="api"'
