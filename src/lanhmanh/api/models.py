"""API tokens: each acts as one user, whose agency and jurisdiction scope what the token sees."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Chỉ đọc")
    WRITE = "write", _("Đọc và ghi")


class ApiToken(models.Model):
    """A per-agency API token. The raw token is shown once at creation; only a hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("người dùng"),
        help_text=_("Khoá API hành động thay mặt người dùng này, trong địa bàn của cơ quan người đó."),
    )
    name = models.CharField(_("tên khoá"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=16, unique=True)
    secret_hash = models.CharField(_("mã băm SHA-256 của phần bí mật"), max_length=64)
    scope = models.CharField(_("phạm vi"), max_length=8, choices=ApiTokenScope.choices)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    # The hash is useless to an attacker, but the change history has no reason to copy it.
    audit_redact = ("secret_hash",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["read", "write"]), name="api_token_scope_valid"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (lm_{self.prefix}_…)"

    @property
    def display(self) -> str:
        """How the token is shown in lists: the prefix, never the secret."""
        return f"lm_{self.prefix}_…"

    @property
    def read_only(self) -> bool:
        return self.scope == ApiTokenScope.READ

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
