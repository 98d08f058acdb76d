"""Who may call the API: an authenticated user; a read-only token only with safe methods.

A session (the docs page, the browser) counts only after the second factor when the user's roles
require one: ``/api/`` is open in the two-factor middleware so that token clients are not
redirected, so the check is repeated here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from lanhmanh.api.models import ApiToken

READ_ONLY_TOKEN = _("Khoá API này chỉ có quyền đọc; không dùng được phương thức %(method)s.")
TWO_FACTOR_REQUIRED = _("Cần hoàn tất xác thực hai bước trước khi dùng API bằng phiên đăng nhập.")


class TokenScopePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 not_authenticated
        token = request.auth
        if isinstance(token, ApiToken):
            if token.read_only and request.method not in SAFE_METHODS:
                raise PermissionDenied(READ_ONLY_TOKEN % {"method": request.method}, code="token_read_only")
            return True
        if (
            isinstance(request.successful_authenticator, SessionAuthentication)
            and settings.REQUIRE_2FA
            and getattr(user, "needs_two_factor", False)
            and not getattr(user, "is_verified", lambda: False)()
        ):
            raise PermissionDenied(TWO_FACTOR_REQUIRED, code="two_factor_required")
        return True
