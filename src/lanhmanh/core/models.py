"""Append-only audit records (the change history and the access log of personal data), uploaded files,
breaches, and the one job row of long work (``Job``; its transitions are ``core.jobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.scoping import PersonalDataManager


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit records are append-only.")

    def delete(self):
        raise PermissionError("Audit records are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        # Django's internal operations (related deletes, refresh) go through the base manager:
        # make it the append-only one too, so no path updates or deletes audit rows.
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records are append-only.")


class ChangeRecord(AppendOnlyModel):
    """One change to a record that holds personal data or official figures."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo mới")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xoá")
        MERGE = "merge", _("Gộp")
        UNMERGE = "unmerge", _("Tách")
        STATUS = "status", _("Đổi trạng thái")
        GRANT = "grant", _("Cấp quyền xem dữ liệu cá nhân")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    action = models.CharField(_("thao tác"), max_length=16, choices=Action.choices)
    model = models.CharField(_("loại bản ghi"), max_length=100, db_index=True)
    object_id = models.CharField(_("mã bản ghi"), max_length=64, db_index=True)
    object_repr = models.CharField(_("bản ghi"), max_length=200, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"])]
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.model}#{self.object_id}"


class AccessRecord(AppendOnlyModel):
    """One read of a person's identity (or other personal data), with the purpose the user gave."""

    class Purpose(models.TextChoices):
        CASE_WORK = "case_work", _("Xử lý hồ sơ, vụ việc")
        SANCTION = "sanction", _("Xử phạt vi phạm hành chính")
        SUPPORT = "support", _("Tiếp cận, hỗ trợ, tư vấn")
        INVESTIGATION = "investigation", _("Điều tra, truy tố, xét xử")
        REPORTING = "reporting", _("Thống kê, báo cáo")
        LINKAGE = "linkage", _("Đối chiếu, gộp hồ sơ trùng")
        DATA_SUBJECT = "data_subject", _("Yêu cầu của chủ thể dữ liệu")
        AUDIT = "audit", _("Kiểm tra bảo vệ dữ liệu")
        OTHER = "other", _("Khác (ghi rõ)")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người xem")
    )
    model = models.CharField(_("loại bản ghi"), max_length=100)
    object_id = models.CharField(_("mã bản ghi"), max_length=64)
    data_class = models.CharField(_("loại dữ liệu"), max_length=20)
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    detail = models.CharField(_("chi tiết"), max_length=300, blank=True)
    path = models.CharField(_("đường dẫn"), max_length=300, blank=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"]), models.Index(fields=["actor", "at"])]
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} read {self.model}#{self.object_id} ({self.purpose})"


class StoredFile(models.Model):
    """A file accepted by ``core.uploads``: stored under ``UPLOAD_ROOT`` at ``relative_path`` (a generated
    name), never under a web root; read only through ``core.uploads.stored_file_get``."""

    id = models.UUIDField(primary_key=True)
    purpose = models.CharField(_("mục đích"), max_length=60, db_index=True)
    kind = models.CharField(_("loại tệp"), max_length=10)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("tên tệp"), max_length=160)
    relative_path = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))

    class Meta:
        verbose_name = _("tệp tải lên")
        verbose_name_plural = _("tệp tải lên")

    def __str__(self) -> str:
        return self.original_name


class Breach(models.Model):
    """A personal-data breach in the register the data-protection officer keeps (Law 91/2025/QH15).

    The competent authority must be notified within ``settings.BREACH_NOTIFY_HOURS`` (72) of discovery.
    The persons affected are derived from the access and change logs of the window the breach covers.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Đang xử lý, chưa thông báo")
        NOTIFIED = "notified", _("Đã thông báo cơ quan có thẩm quyền")
        CLOSED = "closed", _("Đã khắc phục, đóng")

    title = models.CharField(_("tên sự cố"), max_length=200)
    discovered_at = models.DateTimeField(_("thời điểm phát hiện"))
    window_start = models.DateTimeField(_("xảy ra từ"))
    window_end = models.DateTimeField(_("xảy ra đến"))
    description = models.TextField(_("diễn biến, nguyên nhân"))
    data_categories = models.TextField(_("loại dữ liệu cá nhân bị ảnh hưởng"))
    subjects_estimate = models.PositiveIntegerField(_("số chủ thể dữ liệu (ước tính)"))
    records_estimate = models.PositiveIntegerField(_("số bản ghi (ước tính)"))
    consequences = models.TextField(_("hậu quả, thiệt hại có thể xảy ra"))
    measures = models.TextField(_("biện pháp đã và sẽ thực hiện"))
    authority = models.CharField(
        _("cơ quan nhận thông báo"),
        max_length=300,
        default="Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an",
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN)
    notified_at = models.DateTimeField(_("thời điểm thông báo"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi nhận")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("sự cố lộ lọt dữ liệu cá nhân")
        verbose_name_plural = _("sự cố lộ lọt dữ liệu cá nhân")

    def __str__(self) -> str:
        return self.title

    @property
    def deadline(self):
        return self.discovered_at + dt.timedelta(hours=settings.BREACH_NOTIFY_HOURS)

    def clean(self) -> None:
        errors = {}
        now = timezone.now()
        if self.discovered_at and self.discovered_at > now:
            errors["discovered_at"] = _("Thời điểm phát hiện không được ở tương lai.")
        if self.window_start and self.window_end and self.window_start > self.window_end:
            errors["window_end"] = _("“Xảy ra đến” phải sau “Xảy ra từ”.")
        if self.window_start and self.discovered_at and self.window_start > self.discovered_at:
            errors["window_start"] = _("Sự cố không thể bắt đầu sau khi được phát hiện.")
        if errors:
            raise ValidationError(errors)


# Long work run by the background worker ---------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không thành công")


class JobStep(models.TextChoices):
    """The steps every kind of job has; each kind adds its own between them (``JobKind.steps``)."""

    WAITING = "waiting", _("Chờ đến lượt")
    FINISHED = "finished", _("Hoàn tất")


JOB_KINDS: dict[str, JobKind] = {}


@dataclass(frozen=True)
class JobKind:
    """One kind of long work: its code on the job row, its steps (code → Vietnamese label) with where each
    sits on the progress bar (percent from, to), and what its page says when the work could not be queued
    (``what``: "việc ghi") or was cut short by a stopped worker (``interrupted``).

    Declared once, next to the record the work is about (``people.models.PERSON_IMPORT_JOB``,
    ``linkage.models.DEDUP_RUN_JOB``, ``premises.models.ESTABLISHMENT_IMPORT_JOB``); declaring registers it,
    so every process that loaded the models knows every kind (the worker's recovery among them).
    """

    code: str
    label: str
    steps: type[models.TextChoices]
    spans: Mapping[str, tuple[int, int]]
    what: str
    interrupted: str

    def __post_init__(self) -> None:
        if JOB_KINDS.setdefault(self.code, self) is not self:
            raise ImproperlyConfigured(f"Job kind {self.code} is declared twice")

    def step_label(self, step: str) -> str:
        for choices in (JobStep, self.steps):
            if step in choices.values:
                return str(choices(step).label)
        return step

    def percent(self, step: str, done: int = 0, total: int = 1) -> int:
        """Where ``done`` of ``total`` in ``step`` is on the bar (a step not in ``spans`` leaves it at 0)."""
        if step == JobStep.FINISHED:
            return 100
        low, high = self.spans.get(step, (0, 0))
        return low + (high - low) * min(done, total) // max(total, 1)


class Job(models.Model):
    """The row of one piece of long work run by the background worker (a large import, a deduplication
    run): what it works on (``kind`` and the primary key of that record, ``subject_id``), who asked, its
    status, step and percent for the page that polls it, and its errors. The work's own results stay on its
    record (``PersonImport``, ``DedupRun``, ``EstablishmentImport``). Written only through ``core.jobs``.
    """

    kind = models.CharField(_("loại việc"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("mã bản ghi được xử lý"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    step = models.CharField(_("bước"), max_length=20, default=JobStep.WAITING)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    # Errors can quote a name from a file or a record: kept encrypted like the file's cells.
    errors = EncryptedTextField(_("lỗi"), blank=True, default="")
    task_id = models.CharField(_("mã tác vụ nền"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # its errors: read through the selector of the record it works on

    audit_redact = ("errors",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")
        indexes = [
            models.Index(fields=["kind", "subject_id"], name="job_subject"),
            models.Index(fields=["task_id"], name="job_task", condition=~Q(task_id="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="job_percent"),
            models.UniqueConstraint(
                fields=["kind", "subject_id"],
                condition=Q(status__in=["queued", "running"]),
                name="job_one_active_per_subject",
            ),
        ]

    def __str__(self) -> str:
        kind = JOB_KINDS.get(self.kind)
        return f"{kind.label if kind else self.kind} #{self.pk}"

    @property
    def job_kind(self) -> JobKind:
        return JOB_KINDS[self.kind]

    @property
    def step_label(self) -> str:
        kind = JOB_KINDS.get(self.kind)
        return kind.step_label(self.step) if kind else self.step

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED

    def error_list(self) -> list[str]:
        return [line for line in self.errors.splitlines() if line]
