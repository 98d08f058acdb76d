"""Report forms (as data), ad hoc requests, submissions with their values, and in-app notifications.

A form says who reports (units of one level, agencies of one kind), how often, by when, and what:
sections of fields. A field is *reported* (typed in) or *computed* (prefilled from the records by an
indicator; the officer confirms or corrects it with a reason). Rules between fields run on every save.

A submission is one agency's report for one period: draft → submitted → approved or returned →
locked once the period closes. An approved report that is edited goes back to draft with a reason;
the values at approval are kept so the approver sees what changed.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.periods import HALF, MONTH, QUARTER, YEAR, Period, parse
from lanhmanh.org.models import AgencyKind, UnitLevel


class Periodicity(models.TextChoices):
    MONTH = "month", _("Hằng tháng")
    QUARTER = "quarter", _("Hằng quý")
    HALF = "half", _("6 tháng")
    YEAR = "year", _("Hằng năm")
    AD_HOC = "adhoc", _("Đột xuất")

    @property
    def period_kind(self) -> str | None:
        return {"month": MONTH, "quarter": QUARTER, "half": HALF, "year": YEAR}.get(self.value)


class DeadlineRule(models.TextChoices):
    DAY_OF_NEXT_MONTH = "day-of-next-month", _("Ngày thứ N của tháng sau kỳ báo cáo")
    DAYS_AFTER_END = "days-after-end", _("N ngày sau khi kết thúc kỳ báo cáo")
    REQUEST_DATE = "request-date", _("Theo ngày ghi trong yêu cầu")


class PrefillScope(models.TextChoices):
    OWN = "own", _("Chỉ hồ sơ của chính đơn vị báo cáo (cấp dưới tự báo cáo phần của mình)")
    SUBTREE = "subtree", _("Hồ sơ của toàn địa bàn (không có báo cáo cấp dưới cộng vào)")


class ReportForm(models.Model):
    """A periodic or ad hoc report: who submits it, when, and its sections and fields."""

    code = models.SlugField(_("mã biểu mẫu"), max_length=40, unique=True)
    name = models.CharField(_("tên báo cáo"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120)
    symbol = models.CharField(
        _("ký hiệu văn bản"), max_length=40, help_text=_("Ví dụ: BC-UBND (số và ký hiệu văn bản).")
    )
    periodicity = models.CharField(_("kỳ báo cáo"), max_length=8, choices=Periodicity.choices)
    submitter_level = models.PositiveSmallIntegerField(_("cấp đơn vị báo cáo"), choices=UnitLevel.choices)
    submitter_agency_kind = models.CharField(
        _("loại cơ quan báo cáo"), max_length=24, choices=AgencyKind.choices
    )
    deadline_rule = models.CharField(_("quy tắc hạn nộp"), max_length=20, choices=DeadlineRule.choices)
    deadline_value = models.PositiveSmallIntegerField(_("N (ngày)"), default=0)
    lock_after_days = models.PositiveSmallIntegerField(
        _("khoá sau hạn nộp (ngày)"),
        default=45,
        help_text=_("Kỳ báo cáo đóng sau hạn nộp chừng này ngày; báo cáo đã duyệt bị khoá."),
    )
    rollup_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="rolls_up_into",
        verbose_name=_("tổng hợp từ báo cáo"),
        help_text=_("Số liệu đã duyệt của các báo cáo cấp dưới này được cộng vào báo cáo tổng hợp."),
    )
    recipients = models.TextField(
        _("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận, in ở mục “Nơi nhận”.")
    )
    description = models.TextField(_("mô tả"), blank=True)
    lists_sanctioned_sellers = models.BooleanField(
        _("kèm danh sách người bán dâm bị xử phạt"),
        default=False,
        help_text=_(
            "Báo cáo kèm danh tính, địa chỉ người bán dâm bị xử phạt trong kỳ, lấy từ cơ sở dữ liệu đối tượng "
            "(chỉ người có quyền xem nhân thân và xử lý vi phạm mới thấy)."
        ),
    )
    prefill_scope = models.CharField(
        _("phạm vi số liệu điền sẵn"),
        max_length=8,
        choices=PrefillScope.choices,
        default=PrefillScope.OWN,
        help_text=_(
            "Mỗi cấp chỉ báo cáo phần việc của mình: số liệu điền sẵn lấy từ hồ sơ của chính đơn vị, "
            "phần của cấp dưới được cộng vào khi tổng hợp, nên không tính hai lần."
        ),
    )
    feeds_indicators = models.BooleanField(
        _("số liệu tính vào chỉ số"),
        default=True,
        help_text=_(
            "Số liệu đã duyệt của biểu này là giá trị của các chỉ số “theo báo cáo”. Bỏ chọn với biểu "
            "nhắc lại số liệu của biểu khác cùng cấp (báo cáo quý, năm tổng hợp từ báo cáo tháng)."
        ),
    )
    valid_from = models.DateField(
        _("áp dụng từ ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu áp dụng từ trước; vd. biểu của Công an xã từ 01/07/2025 (bỏ cấp huyện)."),
    )
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["submitter_level", "code"]
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=Q(periodicity="adhoc", deadline_rule="request-date")
                | (~Q(periodicity="adhoc") & ~Q(deadline_rule="request-date")),
                name="report_form_adhoc_deadline_from_request",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period_kind(self) -> str | None:
        return Periodicity(self.periodicity).period_kind

    @property
    def is_ad_hoc(self) -> bool:
        return self.periodicity == Periodicity.AD_HOC

    @property
    def deadline_text(self) -> str:
        if self.deadline_rule == DeadlineRule.DAY_OF_NEXT_MONTH:
            return _("ngày %(n)s tháng sau kỳ báo cáo") % {"n": self.deadline_value}
        if self.deadline_rule == DeadlineRule.DAYS_AFTER_END:
            return _("%(n)s ngày sau khi kết thúc kỳ báo cáo") % {"n": self.deadline_value}
        return _("theo ngày ghi trong yêu cầu báo cáo")

    def applies_to(self, period: Period) -> bool:
        """Whether the form is in use for ``period`` (a form of the two-level map from 1/7/2025)."""
        return (self.valid_from is None or period.end >= self.valid_from) and (
            self.valid_to is None or period.start <= self.valid_to
        )

    def deadline_for(self, period: Period) -> dt.date | None:
        """The due date of this form for ``period`` (None for ad hoc forms: the request sets it)."""
        if self.deadline_rule == DeadlineRule.DAY_OF_NEXT_MONTH:
            after = period.end + dt.timedelta(days=1)
            last = calendar.monthrange(after.year, after.month)[1]
            return dt.date(after.year, after.month, min(self.deadline_value, last))
        if self.deadline_rule == DeadlineRule.DAYS_AFTER_END:
            return period.end + dt.timedelta(days=self.deadline_value)
        return None


class FormSection(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("mã mục"), max_length=40)
    title = models.CharField(_("tên mục"), max_length=255)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["form", "order"]
        verbose_name = _("mục báo cáo")
        verbose_name_plural = _("mục báo cáo")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="form_section_code_unique")]

    def __str__(self) -> str:
        return self.title


class FieldKind(models.TextChoices):
    COUNT = "count", _("Số đếm")
    MONEY = "money", _("Số tiền (đồng)")
    TEXT = "text", _("Văn bản")


class FieldSource(models.TextChoices):
    REPORTED = "reported", _("Số liệu báo cáo")
    COMPUTED = "computed", _("Tính từ dữ liệu")


class FormField(models.Model):
    """One value of a form. Numeric fields carry an indicator, which is how figures add up across forms."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="fields")
    code = models.SlugField(_("mã chỉ tiêu"), max_length=40)
    label = models.CharField(_("tên chỉ tiêu"), max_length=255)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("kiểu"), max_length=8, choices=FieldKind.choices, default=FieldKind.COUNT)
    source = models.CharField(
        _("nguồn số liệu"), max_length=10, choices=FieldSource.choices, default=FieldSource.REPORTED
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_fields",
        verbose_name=_("chỉ số"),
    )
    prefill_indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prefilled_fields",
        verbose_name=_("chỉ số điền sẵn từ hồ sơ"),
        help_text=_(
            "Chỉ tiêu tính từ dữ liệu mà giá trị báo cáo được cộng theo một chỉ số khác (ví dụ số cảnh cáo "
            "trong báo cáo của Công an): chỉ số tính từ hồ sơ dùng để điền sẵn và đối chiếu."
        ),
    )
    plausible_max = models.BigIntegerField(
        _("ngưỡng hợp lý"),
        null=True,
        blank=True,
        help_text=_("Giá trị lớn hơn ngưỡng này phải được xác nhận lại."),
    )
    required = models.BooleanField(_("bắt buộc khi gửi"), default=True)
    help_text = models.CharField(_("hướng dẫn"), max_length=300, blank=True)

    class Meta:
        ordering = ["section__order", "order"]
        verbose_name = _("chỉ tiêu báo cáo")
        verbose_name_plural = _("chỉ tiêu báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="form_field_code_unique"),
            models.CheckConstraint(
                condition=Q(kind="text") | Q(indicator__isnull=False), name="form_field_number_has_indicator"
            ),
            models.CheckConstraint(
                condition=~Q(source="computed") | ~Q(kind="text"), name="form_field_computed_is_number"
            ),
            models.CheckConstraint(
                condition=Q(prefill_indicator__isnull=True) | Q(source="computed"),
                name="form_field_prefill_only_computed",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_number(self) -> bool:
        return self.kind != FieldKind.TEXT

    @property
    def is_computed(self) -> bool:
        return self.source == FieldSource.COMPUTED

    @property
    def records_indicator(self):
        """The indicator whose records prefill this field (None for fields typed in)."""
        if not self.is_computed:
            return None
        return self.prefill_indicator if self.prefill_indicator_id else self.indicator


class RuleOperator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    EQ = "=", "="
    GE = ">=", "≥"


class ValidationRule(models.Model):
    """``sum(left fields) <op> sum(right fields)``, checked on every save; the message names the fields."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    left = models.JSONField(_("vế trái (mã chỉ tiêu)"))
    operator = models.CharField(_("phép so sánh"), max_length=2, choices=RuleOperator.choices)
    right = models.JSONField(_("vế phải (mã chỉ tiêu)"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["form", "order"]
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")

    def __str__(self) -> str:
        return f"{' + '.join(self.left)} {self.get_operator_display()} {' + '.join(self.right)}"

    def holds(self, left: int, right: int) -> bool:
        return {
            "<=": left <= right,
            "<": left < right,
            "=": left == right,
            ">=": left >= right,
        }[self.operator]


class AdHocRequest(models.Model):
    """The city (or a district) asks chosen units for an ad hoc form by a date.

    An *upward* request is one the city received from above (the steering committee, the city committee,
    the Ministry): ``issuer`` names that body and ``reference`` its document; the city itself is the unit
    asked, and its answer is built from the consolidation like its periodic reports.
    """

    form = models.ForeignKey(
        ReportForm, on_delete=models.PROTECT, related_name="requests", verbose_name=_("biểu mẫu")
    )
    title = models.CharField(_("nội dung yêu cầu"), max_length=255)
    period_id = models.CharField(_("kỳ số liệu"), max_length=20)
    due_date = models.DateField(_("hạn nộp"))
    units = models.ManyToManyField(
        "org.AdministrativeUnit", related_name="report_requests", verbose_name=_("đơn vị được yêu cầu")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người yêu cầu")
    )
    requesting_unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị yêu cầu")
    )
    issuer = models.CharField(
        _("cơ quan cấp trên yêu cầu"),
        max_length=200,
        blank=True,
        help_text=_(
            "Chỉ với yêu cầu của cấp trên gửi Thành phố, ví dụ: Bộ Lao động – Thương binh và Xã hội."
        ),
    )
    reference = models.CharField(
        _("số, ký hiệu văn bản yêu cầu"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ: 1234/LĐTBXH-PCTNXH."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu báo cáo đột xuất")
        verbose_name_plural = _("yêu cầu báo cáo đột xuất")

    def __str__(self) -> str:
        return self.title

    @property
    def is_upward(self) -> bool:
        return bool(self.issuer)


class Status(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")
    LOCKED = "locked", _("Đã khoá")


EDITABLE = (Status.DRAFT, Status.RETURNED)
RECEIVED = (Status.SUBMITTED, Status.APPROVED, Status.LOCKED)
FINAL = (Status.APPROVED, Status.LOCKED)


class Submission(models.Model):
    """One agency's report on one form for one period (or one ad hoc request)."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="submissions")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="report_submissions")
    unit = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(_("đường dẫn địa bàn"), max_length=40, db_index=True)
    period_id = models.CharField(_("kỳ báo cáo"), max_length=20, db_index=True)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    request = models.ForeignKey(
        AdHocRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    due_date = models.DateField(_("hạn nộp"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    on_time = models.BooleanField(_("đúng hạn"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    decided_at = models.DateTimeField(_("duyệt/trả lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt/trả"),
    )
    comment = models.TextField(_("ý kiến của cấp duyệt"), blank=True)
    reopen_reason = models.TextField(_("lý do sửa sau khi duyệt"), blank=True)
    approved_values = models.JSONField(_("số liệu lúc duyệt"), null=True, blank=True)
    values_at_return = models.JSONField(_("số liệu lúc trả lại"), null=True, blank=True)
    locked_at = models.DateTimeField(_("khoá lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "form__code", "unit_path"]
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "agency", "period_id"],
                condition=Q(request__isnull=True),
                name="submission_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["request", "agency"],
                condition=Q(request__isnull=False),
                name="submission_one_per_request",
            ),
        ]
        indexes = [models.Index(fields=["form", "period_id", "status"], name="submission_form_period")]

    def __str__(self) -> str:
        return f"{self.form.short_name} – {self.period_label} – {self.agency.name}"

    @property
    def period(self) -> Period:

        return parse(self.period_id)

    @property
    def period_label(self) -> str:
        return self.period.label

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


class SubmissionValue(models.Model):
    """One field's value in a submission; computed fields also keep the figure the records gave."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="+")
    number = models.BigIntegerField(_("giá trị"), null=True, blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    computed = models.BigIntegerField(_("giá trị tính từ dữ liệu"), null=True, blank=True)
    correction_reason = models.CharField(_("lý do điều chỉnh"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("giá trị báo cáo")
        verbose_name_plural = _("giá trị báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["submission", "field"], name="submission_value_unique"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0), name="value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field.code}={self.number if self.field.is_number else self.text}"

    @property
    def differs_from_records(self) -> bool:
        return self.computed is not None and self.number is not None and self.number != self.computed


class Notification(models.Model):
    """An in-app message (reminders, returns, approvals). ``key`` makes each reminder go out once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_notifications"
    )
    key = models.CharField(max_length=200)
    message = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")]

    def __str__(self) -> str:
        return self.message
