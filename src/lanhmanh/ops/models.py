"""Operations state kept in the database: the background workers' heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One background worker (``manage.py run_worker``): it writes ``seen_at`` every few seconds."""

    worker_id = models.CharField(_("mã tiến trình nền"), max_length=64, unique=True)
    hostname = models.CharField(_("máy chủ"), max_length=255)
    pid = models.PositiveIntegerField(_("số tiến trình"))
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    seen_at = models.DateTimeField(_("lần cuối còn chạy"), db_index=True)

    class Meta:
        verbose_name = _("nhịp của tiến trình nền")
        verbose_name_plural = _("nhịp của tiến trình nền")

    def __str__(self) -> str:
        return self.worker_id
