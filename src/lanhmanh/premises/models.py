"""The register of conditional businesses and what is done at them.

Establishments (kinds as reference data), their owners (an individual's identity encrypted with
blind indexes, as ``people.Person``; or an organisation), licences and certificates; inspection
plans of the Team 178 teams and their inspections (agencies on the team, checklist per kind as data,
findings, people found); sanctions against businesses (proposal → decision → enforcement) on a
catalogue of organisations' acts shipped as data with ``verified`` flags; revocation proposals to the
licensing agency; police administrative checks (T04); health checks of massage places; and the log of
licence-eligibility look-ups by the culture department.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField, blind_index, id_number_digits, id_number_index
from lanhmanh.core.models import JobKind
from lanhmanh.core.periods import parse
from lanhmanh.core.scoping import PersonalDataManager
from lanhmanh.core.text import fold
from lanhmanh.org.levels import is_lowest


def name_key(text: str | None) -> str:
    """Folded name or address for duplicate detection: case, diacritics, punctuation and spaces ignored."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())


def registration_key(text: str | None) -> str:
    """A registration or licence number reduced to its letters and digits, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def duplicate_key(name: str, address: str, registration: str) -> str:
    raw = f"{name_key(name)}|{name_key(address)}|{registration_key(registration)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def owner_name_index(full_name: str | None) -> str:
    folded = fold(full_name)
    return blind_index(folded, purpose="owner-name") if folded else ""


# Reference data -------------------------------------------------------------------------------------


class EstablishmentKind(models.Model):
    """A kind of business prone to misuse (the plan's list; an administrator may add or rename)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên loại hình"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    baseline_count = models.PositiveIntegerField(
        _("số cơ sở theo điều tra cơ bản"),
        null=True,
        blank=True,
        help_text=_("Kế hoạch 89/KH-UBND, số liệu 31/12/2010."),
    )
    risk_weight = models.PositiveSmallIntegerField(
        _("trọng số rủi ro của loại hình"),
        default=10,
        help_text=_("Điểm cộng khi xếp hạng đề xuất kiểm tra (0–30)."),
    )
    health_checks = models.BooleanField(_("thuộc diện kiểm tra của ngành y tế (xoa bóp)"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("loại hình kinh doanh")
        verbose_name_plural = _("loại hình kinh doanh")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One point checked at an inspection; for one kind, or for every kind when ``kind`` is empty."""

    kind = models.ForeignKey(
        EstablishmentKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist",
        verbose_name=_("loại hình"),
    )
    code = models.SlugField(_("mã"), max_length=40)
    text = models.CharField(_("nội dung kiểm tra"), max_length=300)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("nội dung kiểm tra")
        verbose_name_plural = _("danh mục nội dung kiểm tra")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="checklist_code_unique_per_kind")
        ]

    def __str__(self) -> str:
        return self.text


class BusinessActQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> BusinessActQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class BusinessAct(models.Model):
    """An act of a business or its owner (harbouring, using the business for prostitution, …) in one decree.

    Fine ranges for an individual owner and for an organisation (usually double), the extra measures
    allowed, validity dates, the source and whether it was checked against the official text.
    """

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    decree = models.CharField(_("nghị định"), max_length=40)
    article = models.PositiveSmallIntegerField(_("điều"))
    clause = models.PositiveSmallIntegerField(_("khoản"), null=True, blank=True)
    point = models.CharField(_("điểm"), max_length=4, blank=True)
    wording = models.TextField(_("hành vi vi phạm"))
    fine_min_individual = models.PositiveBigIntegerField(
        _("mức phạt tối thiểu (cá nhân)"), null=True, blank=True
    )
    fine_max_individual = models.PositiveBigIntegerField(
        _("mức phạt tối đa (cá nhân)"), null=True, blank=True
    )
    fine_min_organisation = models.PositiveBigIntegerField(
        _("mức phạt tối thiểu (tổ chức)"), null=True, blank=True
    )
    fine_max_organisation = models.PositiveBigIntegerField(
        _("mức phạt tối đa (tổ chức)"), null=True, blank=True
    )
    suspension_allowed = models.BooleanField(
        _("được đình chỉ hoạt động, tước giấy phép có thời hạn"), default=False
    )
    revocation_allowed = models.BooleanField(_("được đề nghị thu hồi giấy phép"), default=False)
    additional_measures = models.TextField(_("hình thức bổ sung, biện pháp khắc phục"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source = models.TextField(_("nguồn"))
    verified = models.BooleanField(_("đã đối chiếu văn bản gốc"), default=False)

    objects = BusinessActQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "decree", "article", "clause", "point", "code"]
        verbose_name = _("hành vi vi phạm của cơ sở kinh doanh")
        verbose_name_plural = _("danh mục hành vi vi phạm của cơ sở kinh doanh")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="businessact_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.wording}"

    @property
    def reference(self) -> str:
        parts = []
        if self.point:
            parts.append(f"điểm {self.point}")
        if self.clause:
            parts.append(f"khoản {self.clause}")
        parts += [f"Điều {self.article}", f"Nghị định {self.decree}"]
        return " ".join(parts)

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def fine_range(self, offender: str) -> tuple[int | None, int | None]:
        if offender == OffenderType.ORGANISATION:
            return self.fine_min_organisation, self.fine_max_organisation
        return self.fine_min_individual, self.fine_max_individual

    def clean(self) -> None:
        errors = {}
        for low, high in (
            ("fine_min_individual", "fine_max_individual"),
            ("fine_min_organisation", "fine_max_organisation"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and hi < lo:
                errors[high] = _("Mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày có hiệu lực.")
        if errors:
            raise ValidationError(errors)


# Establishments --------------------------------------------------------------------------------------


class OwnerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân (hộ kinh doanh)")
    ORGANISATION = "organisation", _("Tổ chức (doanh nghiệp)")


OffenderType = OwnerType


class EstablishmentStatus(models.TextChoices):
    OPEN = "open", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Bị đình chỉ hoạt động")
    CLOSED = "closed", _("Đã ngừng hoạt động")


class Establishment(models.Model):
    """A business under security-and-order conditions, at one address in one (versioned) unit."""

    kind = models.ForeignKey(
        EstablishmentKind,
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name=_("loại hình"),
    )
    name = models.CharField(_("tên cơ sở"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300)
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường, thị trấn"),
    )
    registration_number = models.CharField(_("số đăng ký kinh doanh"), max_length=40, blank=True)
    owner_type = models.CharField(_("chủ cơ sở là"), max_length=12, choices=OwnerType.choices)
    owner_name = EncryptedTextField(_("họ tên chủ cơ sở, người quản lý"), blank=True, default="")
    owner_id_number = EncryptedTextField(_("số CMND/CCCD của chủ cơ sở"), blank=True, default="")
    organisation_name = models.CharField(_("tên doanh nghiệp, tổ chức"), max_length=200, blank=True)
    opening_hours = models.CharField(_("giờ hoạt động"), max_length=80, blank=True)
    rooms = models.PositiveIntegerField(_("số phòng"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("sức chứa (người)"), null=True, blank=True)
    opened_on = models.DateField(_("ngày bắt đầu hoạt động"))
    closed_on = models.DateField(_("ngày ngừng hoạt động"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=EstablishmentStatus.choices, default=EstablishmentStatus.OPEN
    )
    in_condom_programme = models.BooleanField(_("tham gia chương trình 100% bao cao su"), default=False)
    # Derived (set on save): blind indexes of the owner, keys for duplicate detection.
    owner_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    owner_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    # The unit's materialised path, copied (a unit's path never changes: a reform adds new unit rows), so
    # scoping and grouping by district read this table's index alone instead of joining the unit tree.
    unit_path = models.CharField(max_length=60, blank=True, db_index=True, editable=False)
    address_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    registration_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    duplicate_key = models.CharField(max_length=40, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_redact = ("owner_name", "owner_id_number")

    objects = PersonalDataManager()
    personal_data = (
        True  # an owner's identity: read through selectors only (core.scoping.PersonalDataManager)
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("cơ sở kinh doanh")
        verbose_name_plural = _("cơ sở kinh doanh")
        indexes = [models.Index(fields=["unit", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="establishment_closed_after_opened",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)

    @property
    def owner_display(self) -> str:
        if self.owner_type == OwnerType.ORGANISATION:
            return self.organisation_name
        return self.owner_name

    def open_on(self, day: dt.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day <= self.closed_on)

    def refresh_keys(self) -> None:
        self.owner_id_index = (
            id_number_index(self.owner_id_number) if self.owner_type == OwnerType.INDIVIDUAL else ""
        )
        self.owner_name_index = (
            owner_name_index(self.owner_name) if self.owner_type == OwnerType.INDIVIDUAL else ""
        )
        self.name_key = name_key(self.name)[:200]
        self.unit_path = self.unit.path if self.unit_id else ""
        self.address_key = name_key(self.address)[:300]
        self.registration_key = registration_key(self.registration_number)[:40]
        self.duplicate_key = duplicate_key(self.name, self.address, self.registration_number)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.owner_type == OwnerType.INDIVIDUAL:
            if not (self.owner_name or "").strip():
                errors["owner_name"] = _("Nhập họ tên chủ cơ sở (cá nhân).")
            digits = id_number_digits(self.owner_id_number)
            if self.owner_id_number and len(digits) not in (9, 12):
                errors["owner_id_number"] = _("Số CMND có 9 chữ số, số CCCD có 12 chữ số.")
            self.organisation_name = ""
        elif self.owner_type == OwnerType.ORGANISATION and not self.organisation_name.strip():
            errors["organisation_name"] = _("Nhập tên doanh nghiệp, tổ chức.")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("Ngày ngừng hoạt động không được trước ngày bắt đầu hoạt động.")
        if self.unit_id and not is_lowest(self.unit.level):
            errors["unit"] = _("Chọn xã, phường, thị trấn nơi cơ sở hoạt động.")
        if errors:
            raise ValidationError(errors)


class LicenceKind(models.TextChoices):
    SECURITY = "security", _("Giấy chứng nhận đủ điều kiện về an ninh, trật tự")
    CULTURE = "culture", _("Giấy phép kinh doanh dịch vụ văn hóa, du lịch")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    EXPIRED = "expired", _("Hết hạn")
    SUSPENDED = "suspended", _("Bị tước có thời hạn, đình chỉ")
    REVOKED = "revoked", _("Bị thu hồi")


class Licence(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(_("loại giấy"), max_length=10, choices=LicenceKind.choices)
    number = models.CharField(_("số giấy"), max_length=40)
    number_key = models.CharField(max_length=40, editable=False)
    issuer = models.CharField(_("cơ quan cấp"), max_length=200)
    issued_on = models.DateField(_("ngày cấp"))
    expires_on = models.DateField(_("ngày hết hạn"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_changed_on = models.DateField(_("ngày đổi tình trạng"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-issued_on"]
        verbose_name = _("giấy phép, giấy chứng nhận")
        verbose_name_plural = _("giấy phép, giấy chứng nhận")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number_key"], name="licence_number_unique_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.number}"

    def save(self, *args, **kwargs):
        self.number_key = registration_key(self.number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.number_key = registration_key(self.number)
        errors = {}
        if not self.number_key:
            errors["number"] = _("Nhập số giấy phép.")
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            errors["expires_on"] = _("Ngày hết hạn không được trước ngày cấp.")
        if errors:
            raise ValidationError(errors)


# Inspection plans and inspections ------------------------------------------------------------------


class InspectionPlan(models.Model):
    """A team's plan for a period: how many establishments to inspect and which ones."""

    team = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("đội kiểm tra")
    )
    period_id = models.CharField(_("kỳ kế hoạch"), max_length=20)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    quota = models.PositiveIntegerField(_("số cơ sở phải kiểm tra"))
    random_share = models.PositiveSmallIntegerField(
        _("tỷ lệ chọn ngẫu nhiên (%)"),
        default=20,
        help_text=_("Phần cơ sở chọn ngẫu nhiên để sau này đánh giá được cách xếp hạng."),
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "team__name"]
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        constraints = [
            models.CheckConstraint(condition=Q(random_share__lte=100), name="plan_random_share_percent"),
            models.UniqueConstraint(fields=["team", "period_id"], name="plan_one_per_team_and_period"),
        ]

    def __str__(self) -> str:
        return f"Kế hoạch kiểm tra {self.period_label} – {self.team}"

    @property
    def period_label(self) -> str:
        """The period in words ("Quý 4/2014"), never its code."""
        try:
            return parse(self.period_id).label
        except ValueError:
            return self.period_id


class Selection(models.TextChoices):
    RANKED = "ranked", _("Theo xếp hạng rủi ro")
    RANDOM = "random", _("Chọn ngẫu nhiên")
    MANUAL = "manual", _("Chọn thêm")


class PlanItem(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    selection = models.CharField(_("cách chọn"), max_length=8, choices=Selection.choices)
    score = models.PositiveIntegerField(_("điểm rủi ro"), default=0)
    reasons = models.JSONField(_("lý do"), default=list, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "establishment"], name="plan_item_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.establishment_id}"


class TeamLevel(models.IntegerChoices):
    CITY = 1, _("Đội 178 thành phố")
    DISTRICT = 2, _("Đội 178 quận, huyện")
    COMMUNE = 3, _("Đội 178 xã, phường")


class Inspection(models.Model):
    """One inspection of one establishment by a Team 178 with members from several agencies."""

    team = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("đội kiểm tra")
    )
    team_level = models.PositiveSmallIntegerField(_("cấp đội"), choices=TeamLevel.choices, editable=False)
    plan = models.ForeignKey(
        InspectionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("theo kế hoạch"),
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("cơ sở được kiểm tra"),
    )
    started_at = models.DateTimeField(_("thời gian bắt đầu"))
    inspected_on = models.DateField(_("ngày kiểm tra"), editable=False, db_index=True)
    agencies = models.ManyToManyField(
        "org.Agency", related_name="+", verbose_name=_("cơ quan tham gia"), through="InspectionAgency"
    )
    leader_name = models.CharField(_("trưởng đoàn"), max_length=120)
    members = models.TextField(_("thành viên đoàn (họ tên, chức vụ)"), blank=True)
    checklist = models.JSONField(_("kết quả theo nội dung kiểm tra"), default=dict, blank=True)
    findings = models.TextField(_("kết quả kiểm tra, vi phạm phát hiện"), blank=True)
    violation_found = models.BooleanField(_("phát hiện vi phạm"), default=False)
    people_present = models.PositiveSmallIntegerField(_("số người có mặt tại cơ sở"), default=0)
    follow_up = models.TextField(_("kiến nghị, biện pháp tiếp theo"), blank=True)
    follow_up_due = models.DateField(_("hạn thực hiện kiến nghị"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        indexes = [
            models.Index(fields=["establishment", "inspected_on"]),
            # The ranking's per-place history read from the index alone: the three columns as keys (not
            # ``include=``, which SQLite does not support and warns about, W040), so both databases build it.
            models.Index(
                fields=["establishment", "inspected_on", "violation_found"],
                name="inspection_history_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"Kiểm tra {self.establishment} ngày {self.inspected_on:%d/%m/%Y}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Ảnh chụp tại cơ sở")
    MINUTES = "minutes", _("Bản chụp biên bản có chữ ký")
    OTHER = "other", _("Tài liệu khác")


class InspectionAttachment(models.Model):
    """A photo or a scan attached to an inspection. The file lives in the upload service
    (``core.uploads``, purpose ``premises.inspection-attachment``) and is read by whoever may read the
    inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="attachments")
    file = models.OneToOneField(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )
    kind = models.CharField(
        _("loại tài liệu"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO
    )
    caption = models.CharField(_("mô tả"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("tài liệu đính kèm cuộc kiểm tra")
        verbose_name_plural = _("tài liệu đính kèm cuộc kiểm tra")

    def __str__(self) -> str:
        return f"Kiểm tra #{self.inspection_id}: {self.caption or self.get_kind_display()}"


class InspectionAgency(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "agency"], name="inspection_agency_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.agency_id}"


class InspectionViolation(models.Model):
    """A person found at an inspection whose violation was recorded in the registry (people app)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="violations")
    violation = models.OneToOneField(
        "people.Violation", on_delete=models.PROTECT, related_name="inspection_link"
    )

    class Meta:
        verbose_name = _("người vi phạm phát hiện khi kiểm tra")

    def __str__(self) -> str:
        return f"Kiểm tra #{self.inspection_id} – vi phạm #{self.violation_id}"


# Sanctions against businesses ------------------------------------------------------------------------


class Measure(models.TextChoices):
    NONE = "none", _("Không")
    SUSPENSION = "suspension", _("Đình chỉ hoạt động, tước giấy phép có thời hạn")
    REVOCATION = "revocation", _("Đề nghị thu hồi giấy phép")


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đề nghị xử phạt")
    DECIDED = "decided", _("Đã ra quyết định")
    REJECTED = "rejected", _("Không xử phạt")
    ENFORCED = "enforced", _("Đã thi hành")


class BusinessSanction(models.Model):
    """A sanction against an establishment's owner: the team's proposal, the authority's decision, enforcement."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="sanctions")
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions"
    )
    act = models.ForeignKey(
        BusinessAct, on_delete=models.PROTECT, related_name="+", verbose_name=_("hành vi vi phạm")
    )
    offender_type = models.CharField(_("đối tượng bị xử phạt"), max_length=12, choices=OwnerType.choices)
    occurred_on = models.DateField(_("ngày vi phạm"))
    proposed_amount = models.PositiveBigIntegerField(_("số tiền đề nghị phạt (đồng)"))
    proposed_measure = models.CharField(
        _("hình thức bổ sung đề nghị"), max_length=10, choices=Measure.choices, default=Measure.NONE
    )
    proposal_note = models.TextField(_("nội dung đề nghị"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField(_("ngày đề nghị"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=SanctionStatus.choices, default=SanctionStatus.PROPOSED
    )
    authority = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan có thẩm quyền"),
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True, db_index=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền phạt (đồng)"), null=True, blank=True)
    measure = models.CharField(
        _("hình thức bổ sung"), max_length=10, choices=Measure.choices, default=Measure.NONE
    )
    suspension_months = models.PositiveSmallIntegerField(
        _("thời hạn đình chỉ (tháng)"), null=True, blank=True
    )
    enforced_on = models.DateField(_("ngày thi hành xong"), null=True, blank=True)
    fine_paid = models.BooleanField(_("đã nộp phạt"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("xử phạt cơ sở kinh doanh")
        verbose_name_plural = _("xử phạt cơ sở kinh doanh")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "decision_number"],
                condition=~Q(decision_number=""),
                name="business_sanction_number_unique",
            )
        ]

    def __str__(self) -> str:
        if self.decision_number:
            return f"Quyết định {self.decision_number} – {self.establishment}"
        return f"Đề nghị xử phạt {self.establishment}"


class RevocationAnswer(models.TextChoices):
    PENDING = "pending", _("Chờ trả lời")
    REVOKED = "revoked", _("Đã thu hồi giấy phép")
    SUSPENDED = "suspended", _("Tước giấy phép có thời hạn")
    REFUSED = "refused", _("Không thu hồi")


class RevocationProposal(models.Model):
    """A proposal to the licensing agency to revoke an establishment's licence, and its answer."""

    sanction = models.ForeignKey(BusinessSanction, on_delete=models.PROTECT, related_name="revocations")
    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="revocations", verbose_name=_("giấy phép")
    )
    licensing_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan cấp phép")
    )
    sent_on = models.DateField(_("ngày gửi đề nghị"))
    answer = models.CharField(
        _("trả lời"), max_length=10, choices=RevocationAnswer.choices, default=RevocationAnswer.PENDING
    )
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True, db_index=True)
    answer_note = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("đề nghị thu hồi giấy phép")
        verbose_name_plural = _("đề nghị thu hồi giấy phép")

    def __str__(self) -> str:
        return f"Đề nghị thu hồi {self.licence}"


# Police checks, health checks, eligibility look-ups ----------------------------------------------------


class CheckResult(models.TextChoices):
    NO_VIOLATION = "ok", _("Không phát hiện vi phạm")
    VIOLATION = "violation", _("Phát hiện vi phạm")


class PoliceCheck(models.Model):
    """A police administrative check at a conditional business (target T04 counts them)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="police_checks")
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị kiểm tra")
    )
    checked_on = models.DateField(_("ngày kiểm tra"), db_index=True)
    result = models.CharField(
        _("kết quả"), max_length=10, choices=CheckResult.choices, default=CheckResult.NO_VIOLATION
    )
    people_checked = models.PositiveSmallIntegerField(_("số người được kiểm tra"), default=0)
    notes = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("kiểm tra hành chính của công an")
        verbose_name_plural = _("kiểm tra hành chính của công an")
        indexes = [models.Index(fields=["establishment", "checked_on"])]

    def __str__(self) -> str:
        return f"Kiểm tra hành chính {self.establishment} ngày {self.checked_on:%d/%m/%Y}"


class HealthCheck(models.Model):
    """A health-rule check of a massage establishment by health staff; condoms supplied (III.5.2)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="health_checks")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("ngày kiểm tra"))
    compliant = models.BooleanField(_("đạt quy định chuyên môn y tế"))
    staff_certified = models.PositiveSmallIntegerField(_("số nhân viên có chứng chỉ"), default=0)
    condoms_supplied = models.PositiveIntegerField(_("số bao cao su cấp phát"), default=0)
    notes = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("kiểm tra y tế cơ sở xoa bóp")
        verbose_name_plural = _("kiểm tra y tế cơ sở xoa bóp")

    def __str__(self) -> str:
        return f"Kiểm tra y tế {self.establishment} ngày {self.checked_on:%d/%m/%Y}"


class LookupPurpose(models.TextChoices):
    NEW_LICENCE = "new-licence", _("Thẩm định hồ sơ cấp giấy phép mới")
    RENEWAL = "renewal", _("Thẩm định hồ sơ cấp lại, gia hạn giấy phép")
    INSPECTION = "inspection", _("Kiểm tra việc cấp phép")
    OTHER = "other", _("Khác (ghi rõ)")


class EligibilityLookup(models.Model):
    """A licence-eligibility look-up (duty III.3.4): who asked, why, about what, and the answer.

    Neither the applicant's name nor ID number is stored in clear: only their blind indexes.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    purpose = models.CharField(_("mục đích tra cứu"), max_length=12, choices=LookupPurpose.choices)
    detail = models.CharField(_("ghi rõ"), max_length=300, blank=True)
    owner_name_index = models.CharField(max_length=64, blank=True)
    owner_id_index = models.CharField(max_length=64, blank=True)
    registration_number = models.CharField(_("số đăng ký kinh doanh"), max_length=40, blank=True)
    address = models.CharField(_("địa chỉ cơ sở"), max_length=300, blank=True)
    eligible = models.BooleanField(_("đủ điều kiện"))
    sanction_ids = models.JSONField(default=list, blank=True)
    via_api = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lượt tra cứu điều kiện cấp phép")
        verbose_name_plural = _("nhật ký tra cứu điều kiện cấp phép")

    def __str__(self) -> str:
        return f"Tra cứu cấp phép #{self.pk}"


class EstablishmentImport(models.Model):
    """An uploaded workbook of establishments between preview and confirmation (cells encrypted: owners)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã nhập")
        CANCELLED = "cancelled", _("Đã hủy")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("tên tệp"), max_length=200)
    digest = models.CharField(max_length=64)
    cells = EncryptedTextField(blank=True, default="")
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    audit_redact = ("cells",)

    objects = PersonalDataManager()
    personal_data = True  # the uploaded cells hold owners' identities

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Nhập cơ sở từ Excel #{self.pk}"


class EstablishmentImportStep(models.TextChoices):
    """The steps of writing a large establishment list in the background (``premises.imports``)."""

    CHECK = "check", _("Kiểm tra lại từng dòng")
    ESTABLISHMENTS = "establishments", _("Ghi cơ sở và giấy phép")


# The job (core.models.Job) that writes a large list: one transaction, so a stopped worker wrote nothing.
ESTABLISHMENT_IMPORT_JOB = JobKind(
    code="premises.import",
    label=_("Ghi danh sách cơ sở"),
    steps=EstablishmentImportStep,
    # From timings of a 1,000-row list: the check is a sixth of the time, the writes (a service call a row,
    # audited) the rest.
    spans={EstablishmentImportStep.CHECK: (0, 15), EstablishmentImportStep.ESTABLISHMENTS: (15, 99)},
    what=_("việc ghi"),
    interrupted=_("Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."),
)
