"""The progress of an import confirmation running in the background (django-tasks).

A large police list (more than ``BACKGROUND_ROWS`` rows) is written by a background task; the
officer's page polls this row for its progress. The import itself stays one transaction: the job row
is written outside it (see ``services.ProgressWriter``), so it can be read while the import runs and
records a failure after the import rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.scoping import PersonalDataManager


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    RUNNING = "running", _("Đang ghi")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không ghi được")


class JobStep(models.TextChoices):
    WAITING = "waiting", _("Chờ đến lượt")
    CHECK = "check", _("Kiểm tra lại từng dòng")
    PERSONS = "persons", _("Ghi hồ sơ người mới")
    DECISIONS = "decisions", _("Ghi vi phạm và quyết định xử phạt")
    AUDIT = "audit", _("Ghi lịch sử thay đổi")
    REPEATS = "repeats", _("Tính tái phạm")
    OUTREACH = "outreach", _("Tạo nhiệm vụ tiếp cận")
    FINISHED = "finished", _("Hoàn tất")


# Where each step starts and ends on the progress bar (percent), from timings of a 10,000-row import.
STEP_SPAN = {
    JobStep.WAITING: (0, 0),
    JobStep.CHECK: (0, 38),
    JobStep.PERSONS: (38, 60),
    # The history rows are written with their records (``core.audit.audited_bulk_create``): the persons' in
    # PERSONS, the violations' and decisions' in DECISIONS. AUDIT stays a choice for the jobs of before.
    JobStep.DECISIONS: (60, 83),
    JobStep.AUDIT: (83, 83),
    JobStep.REPEATS: (83, 87),
    JobStep.OUTREACH: (87, 99),
    JobStep.FINISHED: (100, 100),
}
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class ImportJob(models.Model):
    """One background confirmation of a previewed import: status, step and percent, errors."""

    batch = models.ForeignKey(
        "people.PersonImport",
        on_delete=models.CASCADE,
        related_name="confirm_jobs",
        verbose_name=_("lượt nhập"),
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    step = models.CharField(_("bước"), max_length=10, choices=JobStep.choices, default=JobStep.WAITING)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    # Row errors can quote a name from the file: kept encrypted like the file's cells.
    errors = EncryptedTextField(_("lỗi"), blank=True, default="")
    task_id = models.CharField(_("mã tác vụ nền"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("errors",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt ghi danh sách chạy nền")
        verbose_name_plural = _("lượt ghi danh sách chạy nền")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="importjob_progress_percent"),
            models.UniqueConstraint(
                fields=["batch"],
                condition=Q(status__in=["queued", "running"]),
                name="importjob_one_active_per_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"Ghi danh sách #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def error_list(self) -> list[str]:
        return [line for line in self.errors.splitlines() if line]
