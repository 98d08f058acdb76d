"""Administrative units (a versioned tree), agencies, roles and users."""

from __future__ import annotations

import datetime as dt
from binascii import unhexlify
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.scoping import DataClass, in_subtree, path_q


class UnitKind(models.TextChoices):
    CENTRAL_CITY = "thanh-pho-tw", _("Thành phố trực thuộc Trung ương")
    PROVINCE = "tinh", _("Tỉnh")
    URBAN_DISTRICT = "quan", _("Quận")
    RURAL_DISTRICT = "huyen", _("Huyện")
    TOWN = "thi-xa", _("Thị xã")
    PROVINCIAL_CITY = "thanh-pho", _("Thành phố thuộc tỉnh")
    WARD = "phuong", _("Phường")
    COMMUNE = "xa", _("Xã")
    TOWNSHIP = "thi-tran", _("Thị trấn")
    SPECIAL_ZONE = "dac-khu", _("Đặc khu")

    @property
    def short(self) -> str:
        return _SHORT_NAMES[self.value]


_SHORT_NAMES = {
    "thanh-pho-tw": "Thành phố",
    "tinh": "Tỉnh",
    "quan": "Quận",
    "huyen": "Huyện",
    "thi-xa": "Thị xã",
    "thanh-pho": "Thành phố",
    "phuong": "Phường",
    "xa": "Xã",
    "thi-tran": "Thị trấn",
    "dac-khu": "Đặc khu",
}

LEVEL_OF_KIND = {
    "thanh-pho-tw": 1,
    "tinh": 1,
    "quan": 2,
    "huyen": 2,
    "thi-xa": 2,
    "thanh-pho": 2,
    "phuong": 3,
    "xa": 3,
    "thi-tran": 3,
    "dac-khu": 3,
}
CODE_WIDTH = {1: 2, 2: 3, 3: 5}


class UnitLevel(models.IntegerChoices):
    PROVINCE = 1, _("Cấp tỉnh")
    DISTRICT = 2, _("Cấp huyện")
    COMMUNE = 3, _("Cấp xã")


class AdministrativeUnitQuerySet(models.QuerySet):
    def subtree(self, unit_or_path) -> AdministrativeUnitQuerySet:
        path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
        return self.filter(path_q(path))

    def valid_on(self, day: dt.date) -> AdministrativeUnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def districts(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.DISTRICT)

    def communes(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.COMMUNE)


class AdministrativeUnit(models.Model):
    """A province, district or commune in one version of the national tree.

    ``path`` joins the GSO codes from the province down (``01.001.00001``); versions are told apart by
    ``valid_from``/``valid_to`` and linked by ``successors`` (a 2014 ward → the 2025 ward it became part of).
    """

    code = models.CharField(_("mã đơn vị (TCTK)"), max_length=5)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=16, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    path = models.CharField(_("đường dẫn"), max_length=40, db_index=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors", verbose_name=_("đơn vị kế thừa")
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(fields=["path", "valid_from"], name="unit_path_version_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="unit_level_1_3"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{_SHORT_NAMES.get(self.kind, '')} {self.name}".strip()

    @property
    def long_name(self) -> str:
        """Name with its ancestors, e.g. 'Phường Tràng Tiền, Quận Hoàn Kiếm, Thành phố Hà Nội'."""
        names = [self.full_name]
        node = self.parent
        while node is not None:
            names.append(node.full_name)
            node = node.parent
        return ", ".join(names)

    def contains(self, other: AdministrativeUnit) -> bool:
        return in_subtree(other.path, self.path)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        expected_level = LEVEL_OF_KIND.get(self.kind)
        if expected_level is not None and self.level != expected_level:
            errors["level"] = _("Loại đơn vị “%(kind)s” phải ở cấp %(level)s.") % {
                "kind": self.get_kind_display(),
                "level": expected_level,
            }
        width = CODE_WIDTH.get(self.level)
        if width and (len(self.code or "") != width or not (self.code or "").isdigit()):
            errors["code"] = _("Mã đơn vị cấp %(level)s phải gồm %(width)s chữ số.") % {
                "level": self.level,
                "width": width,
            }
        if self.level == UnitLevel.PROVINCE and self.parent_id:
            errors["parent"] = _("Đơn vị cấp tỉnh không có đơn vị cấp trên.")
        if self.level and self.level > 1:
            if self.parent is None:
                errors["parent"] = _("Đơn vị cấp huyện, cấp xã phải có đơn vị cấp trên.")
            else:
                ancestor = self.parent
                while ancestor is not None:
                    if self.pk is not None and ancestor.pk == self.pk:
                        errors["parent"] = _(
                            "Đơn vị cấp trên không được là chính nó hoặc đơn vị cấp dưới của nó."
                        )
                        break
                    ancestor = ancestor.parent
                if "parent" not in errors and self.parent.level >= self.level:
                    errors["parent"] = _("Đơn vị cấp trên phải ở cấp cao hơn.")
        if errors:
            raise ValidationError(errors)

    def build_path(self) -> str:
        return f"{self.parent.path}.{self.code}" if self.parent_id else self.code


class UnitSuccession(models.Model):
    """A pre-reform unit → a unit it became (part of), and where that link comes from.

    A commune taken whole into one new commune has one row (``whole``); a commune split between
    several has one row per part, and the ``default`` one is where a record without a street address
    is assumed to lie. The ``successors`` relation of the unit mirrors these rows (services keep both).
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="succession_links",
        verbose_name=_("đơn vị cũ"),
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="predecessor_links",
        verbose_name=_("đơn vị mới"),
    )
    whole = models.BooleanField(_("nhập nguyên vẹn"), default=True)
    default = models.BooleanField(_("đơn vị mặc định khi bị chia"), default=True)
    source = models.CharField(_("nguồn"), max_length=200)
    correction = models.CharField(_("lý do sửa"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering = ["predecessor__path", "-default", "successor__path"]
        verbose_name = _("liên kết kế thừa đơn vị")
        verbose_name_plural = _("liên kết kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.full_name} → {self.successor.full_name}"


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "committee", _("Ủy ban nhân dân")
    STEERING_COMMITTEE = "steering-committee", _("Ban chỉ đạo")
    DOLISA = "dolisa", _("Sở Lao động – Thương binh và Xã hội")
    SUB_DEPARTMENT = "dolisa-pctnxh", _("Chi cục Phòng, chống tệ nạn xã hội")
    DOLISA_INSPECTORATE = "dolisa-inspectorate", _("Thanh tra Sở LĐTBXH")
    DISTRICT_LABOUR = "district-labour", _("Phòng Lao động – Thương binh và Xã hội")
    COMMUNE_SOCIAL = "commune-social", _("Công chức Lao động – Thương binh và Xã hội cấp xã")
    POLICE = "police", _("Công an")
    CULTURE = "culture", _("Văn hóa, Thể thao và Du lịch")
    EDUCATION = "education", _("Giáo dục và Đào tạo")
    HEALTH = "health", _("Y tế")
    PLANNING = "planning", _("Kế hoạch và Đầu tư")
    FINANCE = "finance", _("Tài chính")
    JUSTICE = "justice", _("Tư pháp")
    TRADE = "trade", _("Công thương")
    INFORMATION = "information", _("Thông tin và Truyền thông")
    CUSTOMS = "customs", _("Hải quan")
    BORDER_GUARD = "border-guard", _("Bộ đội Biên phòng")
    WOMENS_UNION = "womens-union", _("Hội Liên hiệp Phụ nữ")
    YOUTH_UNION = "youth-union", _("Đoàn Thanh niên")
    PROCURACY = "procuracy", _("Viện Kiểm sát nhân dân")
    COURT = "court", _("Tòa án nhân dân")
    LABOUR_FEDERATION = "labour-federation", _("Liên đoàn Lao động")
    FATHERLAND_FRONT = "fatherland-front", _("Ủy ban Mặt trận Tổ quốc")
    TEAM_178 = "team-178", _("Đội Kiểm tra liên ngành 178")
    SERVICE_PROVIDER = "provider", _("Cơ sở cung cấp dịch vụ")


class Agency(models.Model):
    """A body that acts at one administrative unit: a department, a police force, a committee, a union branch."""

    code = models.SlugField(_("mã cơ quan"), max_length=60, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    kind = models.CharField(_("loại cơ quan"), max_length=24, choices=AgencyKind.choices, db_index=True)
    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("địa bàn")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    plan_group = models.PositiveSmallIntegerField(
        _("nhóm nhiệm vụ trong kế hoạch"),
        null=True,
        blank=True,
        help_text=_("Số thứ tự nhóm cơ quan ở mục III của kế hoạch (1–16)."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["unit__path", "kind", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        constraints = [
            models.CheckConstraint(
                condition=Q(plan_group__isnull=True) | Q(plan_group__gte=1, plan_group__lte=16),
                name="agency_plan_group_1_16",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A role grants data classes. Roles are data (seeded by a migration), not constants."""

    SYSTEM_ADMIN = "sysadmin"
    DATA_PROTECTION = "data-protection"
    CITY_COORDINATOR = "city-coordinator"
    DISTRICT_LABOUR = "district-labour"
    COMMUNE_OFFICER = "commune-officer"
    POLICE = "police"
    INSPECTOR = "inspector"
    SOCIAL_WORKER = "social-worker"
    HEALTH_WORKER = "health-worker"
    COURT_CLERK = "court-clerk"
    PROSECUTOR = "prosecutor"
    LICENSING = "licensing"
    SECTOR_REPORTER = "sector-reporter"

    code = models.SlugField(_("mã vai trò"), max_length=40, unique=True)
    name = models.CharField(_("tên vai trò"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120)
    description = models.TextField(_("mô tả"), blank=True)
    data_classes = models.JSONField(_("loại dữ liệu được xem"), default=list, blank=True)
    write_classes = models.JSONField(
        _("loại dữ liệu được thêm, sửa"),
        default=list,
        blank=True,
        help_text=_("Chỉ trong số loại dữ liệu được xem."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("data_classes", "write_classes"):
            unknown = set(getattr(self, name) or []) - set(DataClass.values)
            if unknown:
                raise ValidationError({name: _("Loại dữ liệu không hợp lệ: %s") % ", ".join(sorted(unknown))})
        unseen = set(self.write_classes or []) - set(self.data_classes or [])
        if unseen:
            raise ValidationError(
                {
                    "write_classes": _("Chỉ sửa được loại dữ liệu vai trò được xem: %s")
                    % ", ".join(sorted(unseen))
                }
            )


class User(AbstractUser):
    """A person who signs in. Acts for exactly one agency (at that agency's unit) with a set of roles."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", verbose_name=_("cơ quan")
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("vai trò"))
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    failed_logins = models.PositiveIntegerField(_("số lần đăng nhập sai liên tiếp"), default=0)
    locked_until = models.DateTimeField(_("khoá đến"), null=True, blank=True)
    # The one-time code the administrator hands out to enrol an authenticator (``org.enrolment``):
    # only its keyed hash is kept, with an expiry and the wrong tries counted against it.
    enrolment_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    enrolment_code_expires = models.DateTimeField(
        _("mã đăng ký xác thực hai bước hết hạn lúc"), null=True, blank=True, editable=False
    )
    enrolment_code_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UserManager()
    audit_redact = ("password",)  # the hash never enters the change history (``core.audit.snapshot``)

    REQUIRED_FIELDS = ["email", "agency"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family name first (``last_name``), then middle and given names."""
        return f"{self.last_name} {self.first_name}".strip()

    def get_short_name(self) -> str:
        """The given name: the last word of the middle-and-given names."""
        return (self.first_name.split() or [self.username])[-1]

    @cached_property
    def _role_rows(self) -> list[tuple[str, list, list]]:
        """(code, data classes, write classes) of each role: one query for the three properties below,
        which every request asks for (the two-factor check, the menu, the pages' rules)."""
        if self.pk is None:
            return []
        return list(self.roles.values_list("code", "data_classes", "write_classes"))

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(code for code, _seen, _written in self._role_rows)

    @cached_property
    def data_classes(self) -> frozenset[str]:
        classes: set[str] = set()
        for _code, seen, _written in self._role_rows:
            classes.update(seen or ())
        return frozenset(classes)

    @cached_property
    def write_classes(self) -> frozenset[str]:
        """The data classes this user may change: granted for writing by a role that also shows them."""
        classes: set[str] = set()
        for _code, seen, written in self._role_rows:
            classes.update(set(written or ()) & set(seen or ()))
        return frozenset(classes)

    @cached_property
    def unit(self) -> AdministrativeUnit:
        return self.agency.unit

    @property
    def jurisdiction_path(self) -> str:
        return self.unit.path

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes & set(codes))

    @property
    def is_system_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.role_codes

    @property
    def needs_two_factor(self) -> bool:
        """Every role that can read identities, and every account that can use the admin, signs in with a
        second factor."""
        return (
            DataClass.IDENTITY in self.data_classes
            or self.is_staff
            or self.is_superuser
            or self.is_system_admin
        )


class FailedLogin(models.Model):
    """One failed sign-in from a client address (the per-address throttle of ``org.security``)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    address = models.CharField(max_length=45, blank=True)

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]
        verbose_name = _("lần đăng nhập sai")
        verbose_name_plural = _("lần đăng nhập sai")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.address}"


def _default_totp_key() -> str:
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An officer's TOTP authenticator (django-otp's TOTP device) whose seed is encrypted at rest with the
    field keys (``core.crypto``, rotated by ``rotate_field_keys``), like identity fields: a copy of the
    table alone gives no one the codes. Enrolled only with a one-time code from the administrator."""

    key = EncryptedTextField(default=_default_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("ứng dụng xác thực")
        verbose_name_plural = _("ứng dụng xác thực")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    # The verification, throttling and provisioning URL of django-otp's TOTP device, unchanged.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
