"""Persons, the legal catalogue, violations and sanction decisions.

Identity fields are encrypted at rest (``EncryptedTextField``); exact look-ups go through the blind
index columns next to them. Health and support flags live in their own tables because they belong
to other data classes than identity.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField, id_number_digits, id_number_index, name_birth_index
from lanhmanh.core.models import JobKind
from lanhmanh.core.scoping import PersonalDataManager
from lanhmanh.core.text import normalise
from lanhmanh.people.hooks import hooks

ADULT_AGE = 18

ID_NUMBER_MESSAGE = _(
    "Số CMND/CCCD không hợp lệ: CMND gồm 9 chữ số, CCCD gồm 12 chữ số (chỉ nhập chữ số, không có chữ cái)."
)


def validate_id_number(value: str) -> None:
    text = normalise(value).replace(" ", "").replace("-", "").replace(".", "")
    if not text:
        return
    if not text.isdigit() or len(text) not in (9, 12):
        raise ValidationError(ID_NUMBER_MESSAGE, code="id_number")


class Sex(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")
    OTHER = "other", _("Khác")
    UNKNOWN = "unknown", _("Không rõ")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class PersonQuerySet(models.QuerySet):
    def adults_on(self, day: dt.date) -> PersonQuerySet:
        """Persons certainly 18 or older on ``day`` (a birth year alone counts from its last day)."""
        cutoff = add_years(day, -ADULT_AGE)
        return self.filter(
            Q(birth_date__isnull=False, birth_date__lte=cutoff)
            | Q(birth_date__isnull=True, birth_year__lt=cutoff.year)
        )

    def possibly_minors_on(self, day: dt.date) -> PersonQuerySet:
        return self.exclude(pk__in=self.adults_on(day).values("pk"))

    def by_id_number(self, id_number: str) -> PersonQuerySet:
        index = id_number_index(id_number)
        return self.filter(id_number_index=index) if index else self.none()

    def by_name_birth(self, full_name: str, birth: dt.date | int) -> PersonQuerySet:
        """Exact folded-name matches born on that date, or in that year when only the year is recorded."""
        if isinstance(birth, dt.date):
            return self.filter(
                Q(name_birth_index=name_birth_index(full_name, birth))
                | Q(birth_date__isnull=True, name_year_index=name_birth_index(full_name, birth.year))
            )
        return self.filter(name_year_index=name_birth_index(full_name, birth))


class Person(models.Model):
    """A person recorded in the registry. The role in each event belongs to the violation, not here."""

    full_name = EncryptedTextField(_("họ và tên"))
    other_names = EncryptedTextField(_("tên gọi khác"), blank=True, default="")
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("năm sinh"), help_text=_("Nhập năm sinh khi không biết ngày sinh đầy đủ.")
    )
    id_number = EncryptedTextField(_("số CMND/CCCD"), blank=True, default="", validators=[validate_id_number])
    phone = EncryptedTextField(_("số điện thoại"), blank=True, default="")
    hometown_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quê quán"),
    )
    hometown_address = EncryptedTextField(_("quê quán (chi tiết)"), blank=True, default="")
    permanent_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi thường trú"),
    )
    permanent_address = EncryptedTextField(_("địa chỉ thường trú"), blank=True, default="")
    temporary_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi tạm trú"),
    )
    temporary_address = EncryptedTextField(_("địa chỉ tạm trú"), blank=True, default="")
    notes = EncryptedTextField(_("ghi chú"), blank=True, default="")

    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    name_birth_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    name_year_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    # Blocking keys of record linkage (keyed hashes, ``linkage.blocking``): likely matches at entry.
    link_sgy_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    link_gdob_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    link_sdob_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)

    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )

    objects = PersonalDataManager.from_queryset(PersonQuerySet)()
    personal_data = True

    # Never copied into the change history in clear.
    audit_redact = (
        "full_name",
        "other_names",
        "id_number",
        "phone",
        "hometown_address",
        "permanent_address",
        "temporary_address",
        "notes",
        "id_number_index",
        "name_birth_index",
        "name_year_index",
        "link_sgy_index",
        "link_gdob_index",
        "link_sdob_index",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("người trong cơ sở dữ liệu")
        verbose_name_plural = _("người trong cơ sở dữ liệu")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900, birth_year__lte=2100), name="person_birth_year_range"
            )
        ]

    def __str__(self) -> str:
        # Deliberately no name: str() ends up in logs and in the audit table.
        return f"Hồ sơ #{self.pk}"

    def save(self, *args, **kwargs):
        if self.birth_date:
            self.birth_year = self.birth_date.year
        self.refresh_indexes()
        super().save(*args, **kwargs)

    @property
    def birth_display(self) -> str:
        return self.birth_date.strftime("%d/%m/%Y") if self.birth_date else str(self.birth_year or "")

    def age_on(self, day: dt.date) -> tuple[int, int]:
        """(youngest, oldest) possible age on ``day``: equal when the birth date is known."""
        if self.birth_date:
            years = (
                day.year
                - self.birth_date.year
                - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
            )
            return years, years
        return day.year - self.birth_year - 1, day.year - self.birth_year

    def is_adult_on(self, day: dt.date) -> bool:
        return self.age_on(day)[0] >= ADULT_AGE

    @property
    def is_adult_today(self) -> bool:
        return self.is_adult_on(timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, object] = {}
        self.full_name = normalise(self.full_name)
        self.other_names = normalise(self.other_names)
        if not self.full_name:
            errors["full_name"] = _("Họ và tên không được để trống.")
        elif any(ch in self.full_name for ch in "<>") or self.full_name[:1] in "=+-@":
            errors["full_name"] = _("Họ và tên chứa ký tự không hợp lệ (<, > hoặc dấu =, +, -, @ ở đầu).")
        elif any(ch.isdigit() for ch in self.full_name):
            errors["full_name"] = _("Họ và tên không được chứa chữ số.")
        elif any(
            unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs") for ch in self.full_name + self.other_names
        ):
            # Right-to-left overrides, zero-width and control characters make one name look like another.
            errors["full_name"] = _(
                "Họ và tên chứa ký tự điều khiển ẩn (ví dụ ký tự đảo chiều chữ): hãy gõ lại."
            )
        if self.id_number:
            self.id_number = id_number_digits(self.id_number) or self.id_number
        today = timezone.localdate()
        if self.birth_date:
            if self.birth_date > today:
                errors["birth_date"] = _("Ngày sinh không được ở tương lai.")
            if self.birth_year and self.birth_year != self.birth_date.year:
                errors["birth_year"] = _("Năm sinh không khớp với ngày sinh.")
            self.birth_year = self.birth_date.year
        if self.birth_year and self.birth_year > today.year:
            errors["birth_year"] = _("Năm sinh không được ở tương lai.")
        elif self.birth_year and self.birth_year < 1900:
            errors["birth_year"] = _("Năm sinh phải từ 1900 trở đi.")
        if errors:
            raise ValidationError(errors)

    def refresh_indexes(self) -> None:
        self.id_number_index = id_number_index(self.id_number)
        self.name_birth_index = name_birth_index(self.full_name, self.birth_date) if self.birth_date else ""
        self.name_year_index = name_birth_index(self.full_name, self.birth_year) if self.birth_year else ""
        for set_keys in hooks.person_keys:  # other apps' keys (linkage's blocking keys): see people.hooks
            set_keys(self)


class PersonHealth(models.Model):
    """Health data class: drug use and health referrals. Police never read it."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="health")
    drug_use = models.BooleanField(_("sử dụng ma túy"), default=False)
    referrals = EncryptedTextField(_("chuyển gửi y tế"), blank=True, default="")

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("referrals",)

    class Meta:
        verbose_name = _("thông tin y tế")
        verbose_name_plural = _("thông tin y tế")

    def __str__(self) -> str:
        return f"Y tế của hồ sơ #{self.person_id}"


class PersonSupport(models.Model):
    """Support data class: trafficking-victim flag and support notes."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="support")
    trafficking_victim = models.BooleanField(_("nạn nhân mua bán người"), default=False)
    notes = EncryptedTextField(_("ghi chú hỗ trợ"), blank=True, default="")

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("notes",)

    class Meta:
        verbose_name = _("thông tin hỗ trợ")
        verbose_name_plural = _("thông tin hỗ trợ")

    def __str__(self) -> str:
        return f"Hỗ trợ của hồ sơ #{self.person_id}"


# Legal catalogue ------------------------------------------------------------------------------------


class ActKind(models.TextChoices):
    """The 'same violation' for repeat-violation purposes: acts of one kind across decrees and clauses."""

    SELLING = "selling", _("Bán dâm")
    BUYING = "buying", _("Mua dâm")
    HARBOURING = "harbouring", _("Chứa mại dâm")
    BROKERING = "brokering", _("Môi giới mại dâm")
    RELATED = "related", _("Hành vi khác liên quan đến mại dâm")


class LegalActQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> LegalActQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class LegalAct(models.Model):
    """One sanctionable act in one decree (article, clause), with its fine ranges and validity."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    kind = models.CharField(_("nhóm hành vi"), max_length=16, choices=ActKind.choices)
    decree = models.CharField(_("nghị định"), max_length=40)
    article = models.PositiveSmallIntegerField(_("điều"))
    clause = models.PositiveSmallIntegerField(_("khoản"), null=True, blank=True)
    point = models.CharField(_("điểm"), max_length=4, blank=True)
    wording = models.TextField(_("hành vi vi phạm"))
    warning_allowed = models.BooleanField(_("được phạt cảnh cáo"), default=False)
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
    additional_measures = models.TextField(_("hình thức xử phạt bổ sung, biện pháp khắc phục"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source = models.TextField(_("nguồn"))
    verified = models.BooleanField(_("đã đối chiếu văn bản gốc"), default=False)

    objects = LegalActQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "decree", "article", "clause", "point", "code"]
        verbose_name = _("hành vi vi phạm (danh mục pháp lý)")
        verbose_name_plural = _("danh mục hành vi vi phạm")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="legalact_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(fine_min_individual__isnull=True)
                | Q(fine_max_individual__isnull=True)
                | Q(fine_max_individual__gte=models.F("fine_min_individual")),
                name="legalact_individual_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(fine_min_organisation__isnull=True)
                | Q(fine_max_organisation__isnull=True)
                | Q(fine_max_organisation__gte=models.F("fine_min_organisation")),
                name="legalact_organisation_range_ordered",
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
        parts.append(f"Điều {self.article}")
        parts.append(f"Nghị định {self.decree}")
        return " ".join(parts)

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày có hiệu lực.")
        for low, high in (
            ("fine_min_individual", "fine_max_individual"),
            ("fine_min_organisation", "fine_max_organisation"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and hi < lo:
                errors[high] = _("Mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")
        if errors:
            raise ValidationError(errors)


# Violations and sanctions ---------------------------------------------------------------------------


class EventRole(models.TextChoices):
    SELLER = "seller", _("Người bán dâm")
    BUYER = "buyer", _("Người mua dâm")
    OWNER = "owner", _("Chủ cơ sở, người chứa")
    BROKER = "broker", _("Người môi giới")
    OTHER = "other", _("Khác")


# Acts that only one role commits: selling is the seller's act, buying the buyer's. A buyer recorded with a
# selling act would be counted as a seller and get no outreach (issue #21 item 9).
ROLE_FOR_ACT_KIND = {ActKind.SELLING: EventRole.SELLER, ActKind.BUYING: EventRole.BUYER}


class Violation(models.Model):
    """One administrative violation by one person, in the role they had in that event."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="violations")
    occurred_at = models.DateTimeField(_("thời gian vi phạm"))
    place_unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi vi phạm")
    )
    place_address = models.CharField(_("địa chỉ nơi vi phạm"), max_length=300, blank=True)
    establishment_name = models.CharField(_("cơ sở kinh doanh"), max_length=200, blank=True)
    act = models.ForeignKey(
        LegalAct, on_delete=models.PROTECT, related_name="violations", verbose_name=_("hành vi vi phạm")
    )
    role = models.CharField(_("vai trò trong vụ việc"), max_length=8, choices=EventRole.choices)
    recording_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan lập biên bản")
    )
    recording_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ lập biên bản"),
    )
    recording_officer_name = models.CharField(_("tên cán bộ lập biên bản"), max_length=120, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    # Set by the services from the counting rules (people.counting): the earlier violation of the same
    # kind of act that still counted on this one's date, i.e. this one is a repeat violation (tái phạm).
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("tái phạm của vi phạm"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("vi phạm hành chính")
        verbose_name_plural = _("vi phạm hành chính")
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"Vi phạm #{self.pk}"

    def clean(self) -> None:
        act = self.act if self.act_id else None
        expected = ROLE_FOR_ACT_KIND.get(act.kind) if act else None
        if expected and self.role and self.role != expected:
            raise ValidationError(
                {
                    "role": _(
                        "Vai trò “%(role)s” không khớp với hành vi “%(act)s”: hành vi này chỉ của %(expected)s."
                    )
                    % {
                        "role": self.get_role_display(),
                        "act": act.get_kind_display(),
                        "expected": EventRole(expected).label.lower(),
                    }
                }
            )

    @property
    def occurred_on(self) -> dt.date:
        return (
            timezone.localdate(self.occurred_at)
            if timezone.is_aware(self.occurred_at)
            else self.occurred_at.date()
        )


def format_vnd(amount: int | None) -> str:
    """1000000 → '1.000.000' (Vietnamese thousands separator)."""
    return "" if amount is None else f"{amount:,}".replace(",", ".")


FINE_OUT_OF_RANGE = _(
    "Số tiền phạt %(amount)s đồng nằm ngoài khung phạt của hành vi này: từ %(low)s đến %(high)s đồng "
    "(%(reference)s, áp dụng cho vi phạm ngày %(day)s)."
)
WARNING_NOT_ALLOWED = _(
    "Hành vi này (%(reference)s) không được xử phạt bằng hình thức cảnh cáo: phải phạt tiền từ %(low)s đến %(high)s đồng."
)
FINE_NOT_IN_CATALOGUE = _(
    "Danh mục pháp lý chưa có khung tiền phạt cho hành vi này (%(reference)s): đề nghị quản trị viên cập nhật danh mục."
)


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Cảnh cáo")
    FINE = "fine", _("Phạt tiền")


class PaymentStatus(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("Không áp dụng")
    UNPAID = "unpaid", _("Chưa nộp")
    PAID = "paid", _("Đã nộp")
    EXEMPTED = "exempted", _("Được miễn, giảm")


class SanctionDecision(models.Model):
    """The sanction decision for one violation."""

    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="sanction")
    number = models.CharField(_("số quyết định"), max_length=60)
    decided_on = models.DateField(_("ngày ra quyết định"))
    authority = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan ra quyết định")
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    kind = models.CharField(_("hình thức xử phạt"), max_length=8, choices=SanctionKind.choices)
    amount = models.PositiveBigIntegerField(_("số tiền phạt (đồng)"), null=True, blank=True)
    payment_status = models.CharField(
        _("tình trạng nộp phạt"),
        max_length=10,
        choices=PaymentStatus.choices,
        default=PaymentStatus.NOT_APPLICABLE,
    )
    paid_on = models.DateField(_("ngày nộp phạt"), null=True, blank=True)
    additional_measures = models.TextField(_("hình thức bổ sung, biện pháp khắc phục"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("quyết định xử phạt")
        verbose_name_plural = _("quyết định xử phạt")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "number"], name="sanction_number_unique_per_authority"
            ),
            models.CheckConstraint(
                condition=Q(kind="warning", amount__isnull=True) | Q(kind="fine", amount__gt=0),
                name="sanction_amount_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Quyết định {self.number}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        violation = self.violation
        act = violation.act
        day = violation.occurred_on
        today = timezone.localdate()
        ctx = {
            "reference": act.reference,
            "low": format_vnd(act.fine_min_individual),
            "high": format_vnd(act.fine_max_individual),
            "day": day.strftime("%d/%m/%Y"),
        }
        self.number = normalise(self.number)
        if not self.number:
            errors["number"] = _("Số quyết định không được để trống.")
        if self.decided_on:
            if self.decided_on > today:
                errors["decided_on"] = _("Ngày ra quyết định không được ở tương lai.")
            elif self.decided_on < day:
                errors["decided_on"] = _("Ngày ra quyết định không được trước ngày vi phạm (%(day)s).") % ctx
            elif self.decided_on > add_years(day, 1):
                errors["decided_on"] = (
                    _(
                        "Đã quá thời hiệu xử phạt 01 năm kể từ ngày vi phạm %(day)s (Điều 6 Luật Xử lý vi phạm hành chính)."
                    )
                    % ctx
                )
        if self.kind == SanctionKind.WARNING:
            if not act.warning_allowed:
                errors["kind"] = WARNING_NOT_ALLOWED % ctx
            if self.amount:
                errors["amount"] = _("Hình thức cảnh cáo không có số tiền phạt.")
            self.amount = None
            self.payment_status = PaymentStatus.NOT_APPLICABLE
            self.paid_on = None
        elif self.kind == SanctionKind.FINE:
            if self.amount is None:
                errors["amount"] = _("Nhập số tiền phạt (đồng).")
            elif act.fine_min_individual is None or act.fine_max_individual is None:
                errors["amount"] = FINE_NOT_IN_CATALOGUE % ctx
            elif not act.fine_min_individual <= self.amount <= act.fine_max_individual:
                errors["amount"] = FINE_OUT_OF_RANGE % {**ctx, "amount": format_vnd(self.amount)}
            if self.payment_status == PaymentStatus.NOT_APPLICABLE:
                self.payment_status = PaymentStatus.UNPAID
            if self.payment_status == PaymentStatus.PAID:
                if not self.paid_on:
                    errors["paid_on"] = _("Nhập ngày nộp phạt.")
                elif self.decided_on and self.paid_on < self.decided_on:
                    errors["paid_on"] = _("Ngày nộp phạt không được trước ngày ra quyết định.")
                elif self.paid_on > today:
                    errors["paid_on"] = _("Ngày nộp phạt không được ở tương lai.")
            elif self.paid_on:
                errors["paid_on"] = _("Chỉ nhập ngày nộp phạt khi tình trạng là “Đã nộp”.")
        if errors:
            raise ValidationError(errors)


# Excel import of police lists -----------------------------------------------------------------------


class PersonImport(models.Model):
    """One uploaded police list between preview and confirmation.

    The raw cells are kept encrypted (they hold identities) and parsed again for the preview and at
    confirmation, so what is written is checked against the database as it is then. The cells are
    wiped once the import is confirmed or cancelled; the counts and the ids of the persons stay. When
    the officer imports the good rows only, the cells keep the rejected rows with their errors (for
    the Excel file of rows to fix) for a day: then the officer's next upload or the daily retention run
    (``people.privacy.retention_run``) wipes them, as it wipes previews left unconfirmed.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã nhập")
        CANCELLED = "cancelled", _("Đã hủy")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("tên tệp"), max_length=200)
    digest = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64)
    cells = EncryptedTextField(_("nội dung tệp"), blank=True, default="")
    row_count = models.PositiveIntegerField(_("số dòng"), default=0)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_count = models.PositiveIntegerField(_("số quyết định đã nhập"), default=0)
    skipped_count = models.PositiveIntegerField(_("số quyết định đã có, bỏ qua"), default=0)
    rejected_count = models.PositiveIntegerField(_("số dòng lỗi không nhập"), default=0)
    person_ids = models.JSONField(_("hồ sơ liên quan"), default=list, blank=True)
    created_at = models.DateTimeField(_("ngày tải lên"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("ngày xác nhận"), null=True, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("cells",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt nhập danh sách từ Excel")
        verbose_name_plural = _("các lượt nhập danh sách từ Excel")

    def __str__(self) -> str:
        return f"Nhập Excel #{self.pk}"


class PersonImportStep(models.TextChoices):
    """The steps of writing a large list in the background (``people.imports.jobs``)."""

    CHECK = "check", _("Kiểm tra lại từng dòng")
    PERSONS = "persons", _("Ghi hồ sơ người mới")
    DECISIONS = "decisions", _("Ghi vi phạm và quyết định xử phạt")
    AUDIT = "audit", _("Ghi lịch sử thay đổi")
    REPEATS = "repeats", _("Tính tái phạm")
    OUTREACH = "outreach", _("Tạo nhiệm vụ tiếp cận")


# The job (core.models.Job) that writes a large list: one transaction, so a stopped worker wrote nothing.
PERSON_IMPORT_JOB = JobKind(
    code="people.import",
    label=_("Ghi danh sách người vi phạm"),
    steps=PersonImportStep,
    # Where each step starts and ends on the bar (percent), from timings of a 10,000-row import. The history
    # rows are written with their records (``core.audit.audited_bulk_create``): the persons' in PERSONS, the
    # violations' and decisions' in DECISIONS; AUDIT stays a step for the jobs of before.
    spans={
        PersonImportStep.CHECK: (0, 38),
        PersonImportStep.PERSONS: (38, 60),
        PersonImportStep.DECISIONS: (60, 83),
        PersonImportStep.AUDIT: (83, 83),
        PersonImportStep.REPEATS: (83, 87),
        PersonImportStep.OUTREACH: (87, 99),
    },
    what=_("việc ghi"),
    interrupted=_("Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."),
)
