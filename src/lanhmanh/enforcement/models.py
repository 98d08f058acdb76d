"""Public hotspots (tụ điểm công cộng) with their status history and patrols, and tips from the public.

A hotspot is a place, not a person: it is read with the enforcement data class within the reader's
jurisdiction (its unit). A tip may name people in its text, so tips are read only by the intake
officers (police and the city coordinator) of the tip's unit; the sender's contact is encrypted.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.scoping import PersonalDataManager


class HotspotKind(models.Model):
    """A kind of public place (street, park, lakeside, bridge, station…): data an administrator may extend."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("loại tụ điểm")
        verbose_name_plural = _("loại tụ điểm")

    def __str__(self) -> str:
        return self.name


class HotspotStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    PLANNED = "planned", _("Có phương án triệt xóa")
    ELIMINATED = "eliminated", _("Đã triệt xóa")
    KEPT_CLEAN = "kept-clean", _("Giữ không tái hoạt động")
    REEMERGED = "reemerged", _("Tái hoạt động")

    @classmethod
    def open_values(cls) -> tuple[str, ...]:
        """Statuses of a hotspot where activity goes on (counted as active)."""
        return (cls.ACTIVE, cls.PLANNED, cls.REEMERGED)

    @classmethod
    def clean_values(cls) -> tuple[str, ...]:
        """Statuses of an eliminated hotspot that has not re-emerged."""
        return (cls.ELIMINATED, cls.KEPT_CLEAN)


# The register's status machine: from → the statuses it may move to. A hotspot enters the register
# active, or already eliminated (a hotspot eliminated before the system existed, e.g. T06's 23).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    HotspotStatus.ACTIVE: (HotspotStatus.PLANNED,),
    HotspotStatus.PLANNED: (HotspotStatus.ELIMINATED, HotspotStatus.ACTIVE),
    HotspotStatus.ELIMINATED: (HotspotStatus.KEPT_CLEAN, HotspotStatus.REEMERGED),
    HotspotStatus.KEPT_CLEAN: (HotspotStatus.REEMERGED,),
    HotspotStatus.REEMERGED: (HotspotStatus.PLANNED,),
}
INITIAL_STATUSES = (HotspotStatus.ACTIVE, HotspotStatus.ELIMINATED)

# Map colours by status (also used by the list's badges).
STATUS_COLOURS = {
    HotspotStatus.ACTIVE: "#c0392b",
    HotspotStatus.PLANNED: "#e67e22",
    HotspotStatus.ELIMINATED: "#2471a3",
    HotspotStatus.KEPT_CLEAN: "#1e8449",
    HotspotStatus.REEMERGED: "#7d3c98",
}


class Hotspot(models.Model):
    """One public place where prostitution is solicited, followed from discovery to kept clean."""

    name = models.CharField(_("tên tụ điểm"), max_length=300)
    kind = models.ForeignKey(HotspotKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("loại"))
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị hành chính"),
        help_text=_(
            "Xã, phường (hoặc quận, huyện khi tụ điểm trải qua nhiều phường) vào thời điểm phát hiện."
        ),
    )
    address = models.CharField(_("địa chỉ, mô tả vị trí"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("kinh độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    first_found_on = models.DateField(_("ngày phát hiện"))
    police_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("công an phụ trách")
    )
    # The current status and the date it took effect: a copy of the last event, kept by the services.
    status = models.CharField(_("trạng thái"), max_length=12, choices=HotspotStatus.choices)
    status_on = models.DateField(_("từ ngày"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("tụ điểm")
        verbose_name_plural = _("tụ điểm")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="hotspot_coordinates_both_or_none",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def is_eliminated(self) -> bool:
        return self.status in HotspotStatus.clean_values()

    def allowed_next(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())


class HotspotEvent(models.Model):
    """One step of a hotspot's status history (append-only: corrections are new events)."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("trạng thái"), max_length=12, choices=HotspotStatus.choices)
    happened_on = models.DateField(_("ngày"))
    how_found = models.CharField(_("phát hiện qua"), max_length=300, blank=True)
    tasks = models.TextField(
        _("nhiệm vụ của phương án"), blank=True, help_text=_("Mỗi dòng một nhiệm vụ (phương án triệt xóa).")
    )
    note = models.TextField(_("ghi chú"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hotspot", "happened_on", "id"]
        verbose_name = _("diễn biến tụ điểm")
        verbose_name_plural = _("diễn biến tụ điểm")
        indexes = [models.Index(fields=["status", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.hotspot_id} · {self.get_status_display()} · {self.happened_on:%d/%m/%Y}"

    @property
    def task_lines(self) -> list[str]:
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]


class PatrolFinding(models.TextChoices):
    CLEAN = "clean", _("Không phát hiện hoạt động")
    ACTIVITY = "activity", _("Phát hiện có hoạt động")
    SANCTIONED = "sanctioned", _("Có người bị xử lý")


class Patrol(models.Model):
    """A patrol of a hotspot (usually an eliminated one, to keep it clean)."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="patrols")
    patrolled_on = models.DateField(_("ngày tuần tra"))
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    finding = models.CharField(_("kết quả"), max_length=12, choices=PatrolFinding.choices)
    people_sanctioned = models.PositiveIntegerField(_("số người bị xử lý"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-patrolled_on", "-id"]
        verbose_name = _("lượt tuần tra")
        verbose_name_plural = _("lượt tuần tra")

    def __str__(self) -> str:
        return f"{self.hotspot} · {self.patrolled_on:%d/%m/%Y}"


class HotspotViolation(models.Model):
    """A violation (people app) whose place is this hotspot. Kept here: enforcement may import people,
    never the reverse."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.CASCADE, related_name="violation_links")
    violation = models.OneToOneField(
        "people.Violation", on_delete=models.CASCADE, related_name="hotspot_link"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vi phạm tại tụ điểm")
        verbose_name_plural = _("vi phạm tại tụ điểm")

    def __str__(self) -> str:
        return f"{self.hotspot_id} · {self.violation_id}"


class ProposalSource(models.TextChoices):
    PATROL = "patrol", _("Tuần tra")
    VIOLATION = "violation", _("Vi phạm hành chính")
    TIP = "tip", _("Tin báo đã xác minh")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Chờ xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận tái hoạt động")
    REJECTED = "rejected", _("Không xác nhận")


class ReemergenceProposal(models.Model):
    """The register's proposal that an eliminated hotspot has re-emerged, for the police to confirm."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.CASCADE, related_name="proposals")
    source = models.CharField(_("nguồn"), max_length=10, choices=ProposalSource.choices)
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    violation = models.ForeignKey(
        "people.Violation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tip = models.ForeignKey("Tip", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    observed_on = models.DateField(_("ngày phát hiện"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("ghi chú xác nhận"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đề xuất xác nhận tái hoạt động")
        verbose_name_plural = _("đề xuất xác nhận tái hoạt động")

    def __str__(self) -> str:
        return f"{self.hotspot} · {self.get_source_display()}"

    @property
    def how_found(self) -> str:
        return str(self.get_source_display())


class TargetHotspot(models.Model):
    """A plan target's named item (T02's two, T06's 23) pointing at its register entry."""

    target_item = models.OneToOneField(
        "plans.TargetItem", on_delete=models.CASCADE, related_name="hotspot_link"
    )
    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="target_links")

    class Meta:
        verbose_name = _("tụ điểm của chỉ tiêu")
        verbose_name_plural = _("tụ điểm của chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.target_item_id} → {self.hotspot_id}"


# Tips ----------------------------------------------------------------------------------------------


class TipChannel(models.TextChoices):
    WEB = "web", _("Trang tin báo trực tuyến")
    PHONE = "phone", _("Đường dây nóng")
    MAILBOX = "mailbox", _("Hòm thư tố giác")
    IN_PERSON = "in-person", _("Trực tiếp")


class TipStatus(models.TextChoices):
    """What the sender sees by receipt, and nothing more."""

    RECEIVED = "received", _("Đã tiếp nhận")
    CHECKING = "checking", _("Đang xác minh")
    CLOSED = "closed", _("Đã xử lý")


class TipOutcome(models.TextChoices):
    NONE = "", _("Chưa có kết quả")
    VERIFIED = "verified", _("Xác minh có hoạt động")
    NOT_FOUND = "not-found", _("Xác minh không có hoạt động")
    DUPLICATE = "duplicate", _("Trùng tin báo khác")
    UNFOUNDED = "unfounded", _("Không đủ thông tin")


class Tip(models.Model):
    """A tip from the public (web page, hotline, mailbox). No IP address or user agent is ever stored."""

    channel = models.CharField(_("kênh"), max_length=10, choices=TipChannel.choices)
    # HMAC-SHA256 of the receipt code (the code itself is shown once to the sender and never stored).
    receipt_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    what = models.TextField(_("nội dung"))
    unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    address = models.CharField(_("địa chỉ, vị trí"), max_length=300, blank=True)
    place_name = models.CharField(_("tên cơ sở hoặc tụ điểm (nếu biết)"), max_length=200, blank=True)
    when = models.CharField(_("thời gian xảy ra"), max_length=200, blank=True)
    contact = EncryptedTextField(_("thông tin liên hệ"), blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    received_on = models.DateField(_("ngày tiếp nhận"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=TipStatus.choices, default=TipStatus.RECEIVED
    )
    assigned_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("giao cho đơn vị"),
    )
    assigned_team = models.CharField(_("tổ, đội"), max_length=120, blank=True)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tips",
        verbose_name=_("tụ điểm"),
    )
    outcome = models.CharField(_("kết quả xác minh"), max_length=10, choices=TipOutcome.choices, blank=True)
    outcome_note = models.TextField(_("ghi chú kết quả"), blank=True)
    first_action_at = models.DateTimeField(_("xử lý lần đầu lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    audit_redact = ("contact",)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("tin báo")
        verbose_name_plural = _("tin báo")
        indexes = [models.Index(fields=["received_on"])]

    def __str__(self) -> str:
        return f"Tin báo #{self.pk}"

    @property
    def verified(self) -> bool:
        return self.outcome == TipOutcome.VERIFIED


class TipAddition(models.Model):
    """Information the sender added later through the receipt (or an officer on the sender's behalf)."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="additions")
    text = models.TextField(_("thông tin bổ sung"), blank=True)
    added_at = models.DateTimeField()

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"Bổ sung tin báo #{self.tip_id}"


def tip_image_storage():
    """Where tip images lived before they went through ``core.uploads`` (referenced by migration 0001;
    migration 0003 moves those files into the upload service)."""
    return FileSystemStorage(location=Path(settings.UPLOAD_ROOT) / "tip-images")


def _attachment_path(instance, filename: str) -> str:
    return f"tin-bao/{instance.tip.received_on:%Y/%m}/{filename}"  # migration 0001 only


class TipAttachment(models.Model):
    """An image sent with a tip: a ``core.uploads`` file (re-encoded without EXIF/GPS, generated name,
    outside any web root), served only to the officers who may read the tip."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    addition = models.ForeignKey(
        TipAddition, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"Ảnh tin báo #{self.tip_id}"


class TipAction(models.TextChoices):
    ASSIGNED = "assigned", _("Giao xử lý")
    LINKED = "linked", _("Liên kết hồ sơ")
    STATUS = "status", _("Chuyển trạng thái")
    OUTCOME = "outcome", _("Ghi kết quả")
    NOTE = "note", _("Ghi chú nội bộ")


class TipEvent(models.Model):
    """One triage step by an officer (internal: never shown to the sender)."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=TipAction.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.tip_id} · {self.action}"


class TipLink(models.Model):
    """A link from a tip to a record of another app (establishment, inspection, criminal case…).

    The kinds are registered by those apps in ``enforcement.links`` (the extension point); the hotspot
    link is the tip's own ``hotspot`` field.
    """

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tip", "kind", "object_id"], name="tip_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tip_id} → {self.kind} #{self.object_id}"


class ThrottleHit(models.Model):
    """One request counted against a rate limit. ``key`` is a keyed hash (never an IP address);
    rows older than an hour are deleted as new ones come in."""

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]
        constraints = [
            # A proof-of-work challenge is accepted once, even by two requests racing with it.
            models.UniqueConstraint(
                fields=["key"], condition=Q(scope="challenge"), name="throttle_challenge_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} · {self.at:%H:%M:%S}"
