"""Plans, their targets, agency duties and tasks, activities and budget lines."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.periods import Period


class Plan(models.Model):
    """A year's plan issued by an authority for a unit, e.g. the 2014 Hanoi prostitution-prevention plan."""

    title = models.CharField(_("tên kế hoạch"), max_length=300)
    authority = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="issued_plans",
        verbose_name=_("cơ quan ban hành"),
    )
    number = models.CharField(_("số hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    legal_basis = models.TextField(_("căn cứ"), blank=True)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    scope_unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="plans", verbose_name=_("địa bàn")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="district_plans",
        verbose_name=_("kế hoạch cấp trên"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sao từ")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "scope_unit__path"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        return Period.year(self.year)


class TargetKind(models.TextChoices):
    AT_LEAST = "at-least", _("Đạt ít nhất")
    PAIR = "pair", _("Cặp số (vụ và bị cáo)")
    RANGE = "range", _("Khoảng (từ – đến)")
    ELIMINATE_SET = "eliminate", _("Triệt xóa các điểm được nêu tên")
    KEEP_CLEAN_SET = "keep-clean", _("Duy trì không tái phát các điểm đã triệt xóa")
    DESIGNATED_UNITS = "designated-units", _("Tập đơn vị được chỉ định")
    SHARE_OF_UNITS = "share-of-units", _("Tỷ lệ trên tổng số đơn vị")


class Target(models.Model):
    """One numbered target of a plan, measured by one indicator (two for a pair)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("kế hoạch")
    )
    code = models.CharField(_("mã chỉ tiêu"), max_length=10)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title = models.TextField(_("nội dung chỉ tiêu"))
    kind = models.CharField(_("loại chỉ tiêu"), max_length=20, choices=TargetKind.choices)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("chỉ số"),
    )
    second_indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_targets",
        verbose_name=_("chỉ số thứ hai"),
    )
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=2, null=True, blank=True)
    second_value = models.DecimalField(
        _("giá trị thứ hai"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    min_value = models.DecimalField(_("từ"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("đến"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("địa bàn áp dụng"),
    )
    lead_agencies = models.ManyToManyField(
        "org.Agency", related_name="led_targets", verbose_name=_("cơ quan chủ trì")
    )
    supporting_agencies = models.ManyToManyField(
        "org.Agency", blank=True, related_name="supported_targets", verbose_name=_("cơ quan phối hợp")
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["plan", "order", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="target_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title[:80]}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.indicator_id is None:
            errors["indicator"] = _("Chỉ tiêu phải gắn với một chỉ số để theo dõi tiến độ.")
        kind = self.kind
        for name in ("value", "second_value", "min_value", "max_value"):
            number = getattr(self, name)
            if number is not None and number < 0:
                errors[name] = _("Giá trị chỉ tiêu không được âm.")
        if (
            kind in (TargetKind.AT_LEAST, TargetKind.DESIGNATED_UNITS, TargetKind.KEEP_CLEAN_SET)
            and self.value is None
        ):
            errors["value"] = _("Chỉ tiêu loại này cần một giá trị.")
        if kind == TargetKind.PAIR:
            if self.value is None or self.second_value is None:
                errors["value"] = _("Chỉ tiêu cặp số cần cả hai giá trị (ví dụ: số vụ và số bị cáo).")
            if self.second_indicator_id is None:
                errors["second_indicator"] = _("Chỉ tiêu cặp số cần chỉ số thứ hai.")
        if kind == TargetKind.RANGE:
            if self.min_value is None or self.max_value is None:
                errors["min_value"] = _("Chỉ tiêu khoảng cần giá trị “từ” và “đến”.")
            elif self.min_value > self.max_value:
                errors["min_value"] = _("Giá trị “từ” (%(min)s) lớn hơn giá trị “đến” (%(max)s).") % {
                    "min": _number(self.min_value),
                    "max": _number(self.max_value),
                }
        if kind == TargetKind.SHARE_OF_UNITS:
            if self.value is None:
                errors["value"] = _("Chỉ tiêu tỷ lệ cần một tỷ lệ phần trăm.")
            elif self.value > 100:
                errors["value"] = _("Tỷ lệ không được vượt quá 100%.")
        if errors:
            raise ValidationError(errors)

    @property
    def goal_display(self) -> str:
        if self.kind == TargetKind.PAIR:
            return f"{_number(self.value)} / {_number(self.second_value)}"
        if self.kind == TargetKind.RANGE:
            return f"{_number(self.min_value)} – {_number(self.max_value)}"
        if self.kind == TargetKind.SHARE_OF_UNITS:
            return f"≥ {_number(self.value)}%"
        if self.kind == TargetKind.KEEP_CLEAN_SET:
            return f"{_number(self.value)} ({_('0 tái phát')})"
        return _number(self.value)


def _number(value) -> str:
    if value is None:
        return "—"
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


class TargetItem(models.Model):
    """A named member of a target's set: a hotspot to eliminate or keep clean, or a designated commune."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="items", verbose_name=_("chỉ tiêu")
    )
    name = models.CharField(_("tên"), max_length=300)
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["target", "order", "name"]
        verbose_name = _("điểm, đơn vị của chỉ tiêu")
        verbose_name_plural = _("điểm, đơn vị của chỉ tiêu")

    def __str__(self) -> str:
        return self.name


class TargetBreakdown(models.Model):
    """A district's (or commune's) share of a city target, from its own plan."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="breakdowns", verbose_name=_("chỉ tiêu")
    )
    unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=2)
    second_value = models.DecimalField(
        _("giá trị thứ hai"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["target", "unit__path"]
        verbose_name = _("chỉ tiêu giao cho đơn vị")
        verbose_name_plural = _("chỉ tiêu giao cho đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["target", "unit"], name="breakdown_unique_unit"),
            models.CheckConstraint(condition=Q(value__gte=0), name="breakdown_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} · {self.unit}"


class Duty(models.Model):
    """One duty of one agency group, worded as in section III of the plan."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="duties", verbose_name=_("kế hoạch")
    )
    agencies = models.ManyToManyField(
        "org.Agency",
        blank=True,
        related_name="duties",
        verbose_name=_("cơ quan"),
        help_text=_("Để trống khi nhiệm vụ giao cho mọi đơn vị cùng loại (ví dụ: UBND các quận, huyện)."),
    )
    group = models.PositiveSmallIntegerField(
        _("nhóm cơ quan (mục III)"), validators=[MinValueValidator(1), MaxValueValidator(16)]
    )
    group_title = models.CharField(_("tên nhóm"), max_length=200)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.TextField(_("nội dung nhiệm vụ"))
    addressee_kind = models.CharField(
        _("giao cho mọi cơ quan loại"),
        max_length=40,
        blank=True,
        help_text=_("Khi nhiệm vụ giao cho mọi cơ quan cùng loại ở một cấp (ví dụ: UBND các xã, phường)."),
    )
    addressee_level = models.PositiveSmallIntegerField(_("ở cấp đơn vị hành chính"), null=True, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    targets = models.ManyToManyField(
        "plans.Target", blank=True, related_name="duties", verbose_name=_("phục vụ chỉ tiêu")
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="duties", verbose_name=_("chỉ số theo dõi")
    )

    class Meta:
        ordering = ["plan", "group", "order"]
        verbose_name = _("nhiệm vụ của cơ quan")
        verbose_name_plural = _("nhiệm vụ của cơ quan")

    def __str__(self) -> str:
        return f"{self.group}.{self.order} {self.text[:60]}"


class PlanSection(models.Model):
    """A part of the plan's content other than targets and duties, e.g. section II (solutions), as text."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("kế hoạch")
    )
    code = models.CharField(_("mục"), max_length=20)
    title = models.CharField(_("tiêu đề"), max_length=300)
    text = models.TextField(_("nội dung"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("mục của kế hoạch")
        verbose_name_plural = _("các mục của kế hoạch")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_section_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def depth(self) -> int:
        return self.code.count(".")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not-started", _("Chưa bắt đầu")
    IN_PROGRESS = "in-progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    OVERDUE = "overdue", _("Quá hạn")


STORED_STATUSES = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE]


class TaskQuerySet(models.QuerySet):
    def with_state(self, today: dt.date | None = None) -> TaskQuerySet:
        """Annotate ``state``: the stored status, or ``overdue`` when not done after the due date."""
        today = today or timezone.localdate()
        return self.annotate(
            state=Case(
                When(~Q(status=TaskStatus.DONE) & Q(due_on__lt=today), then=Value(TaskStatus.OVERDUE.value)),
                default=models.F("status"),
                output_field=models.CharField(),
            ),
            overdue_first=Case(
                When(~Q(status=TaskStatus.DONE) & Q(due_on__lt=today), then=Value(0)),
                default=Value(1),
                output_field=models.IntegerField(),
            ),
        )


class Task(models.Model):
    """A piece of a duty with an owner, a due date, a status and evidence. Changes are audited."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("nhiệm vụ"))
    title = models.CharField(_("công việc"), max_length=300)
    owner = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("cơ quan thực hiện")
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=[(s.value, s.label) for s in STORED_STATUSES],
        default=TaskStatus.NOT_STARTED,
    )
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence_note = models.TextField(_("kết quả, minh chứng"), blank=True)
    evidence_upload = models.ForeignKey(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp minh chứng"),
    )
    evidence_link = models.CharField(_("liên kết đến hồ sơ"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("công việc")
        verbose_name_plural = _("công việc")

    def __str__(self) -> str:
        return self.title

    def state(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.status != TaskStatus.DONE and self.due_on < today:
            return TaskStatus.OVERDUE
        return self.status

    def clean(self) -> None:
        errors = {}
        plan = self.duty.plan if self.duty_id else None
        if plan is not None and self.due_on and self.due_on < plan.period.start:
            errors["due_on"] = _("Hạn hoàn thành (%(due)s) trước khi kế hoạch bắt đầu (%(start)s).") % {
                "due": self.due_on.strftime("%d/%m/%Y"),
                "start": plan.period.start.strftime("%d/%m/%Y"),
            }
        if self.status == TaskStatus.DONE and not (
            self.evidence_note.strip() or self.evidence_upload_id or self.evidence_link
        ):
            errors["evidence_note"] = _("Công việc đã hoàn thành cần có kết quả hoặc minh chứng.")
        if errors:
            raise ValidationError(errors)


class ActivityKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Tuyên truyền, truyền thông")
    TRAINING = "training", _("Tập huấn")
    WORKSHOP = "workshop", _("Hội thảo")
    STUDY_TOUR = "study-tour", _("Tham quan, học tập kinh nghiệm")
    CLUB_MEETING = "club-meeting", _("Sinh hoạt câu lạc bộ")


class AudienceGroup(models.Model):
    """Who an activity is for, as data: the plan's priority audiences (section II.2.2 of the 2014 plan:
    border wards and communes, universities and student lodgings, migrant workers, people at high risk,
    former violators) and the general ones. An administrator may add, rename or retire groups."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên nhóm đối tượng"), max_length=200)
    priority = models.BooleanField(_("nhóm ưu tiên của kế hoạch"), default=False)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("nhóm đối tượng tuyên truyền")
        verbose_name_plural = _("nhóm đối tượng tuyên truyền")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp (hội nghị, nói chuyện chuyên đề)")
    ARTS = "arts", _("Văn hóa, văn nghệ")
    PRESS = "press", _("Báo chí, phát thanh, truyền hình")
    LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh cơ sở")
    ONLINE = "online", _("Internet, mạng xã hội")
    PRINT = "print", _("Tài liệu, tờ rơi, pano, áp phích")
    CLUB = "club", _("Câu lạc bộ, nhóm")
    OTHER = "other", _("Hình thức khác")


class Activity(models.Model):
    """A communication campaign, training, workshop, study tour or club meeting that was held, under a
    plan and optionally one of its duties, for audience groups, through a channel."""

    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("kế hoạch"),
    )
    kind = models.CharField(_("loại hoạt động"), max_length=16, choices=ActivityKind.choices, db_index=True)
    title = models.CharField(_("tên hoạt động"), max_length=300)
    held_on = models.DateField(_("ngày tổ chức"), db_index=True)
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("địa bàn"),
    )
    unit_path = models.CharField(_("đường dẫn địa bàn"), max_length=40, editable=False, db_index=True)
    organiser = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="activities", verbose_name=_("cơ quan tổ chức")
    )
    duty = models.ForeignKey(
        Duty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("thực hiện nhiệm vụ"),
    )
    audience_groups = models.ManyToManyField(
        AudienceGroup, blank=True, related_name="activities", verbose_name=_("nhóm đối tượng")
    )
    channel = models.CharField(
        _("hình thức, kênh"), max_length=16, choices=Channel.choices, default=Channel.DIRECT
    )
    audience = models.CharField(_("đối tượng tham dự"), max_length=300, blank=True)
    participants_male = models.PositiveIntegerField(_("số người tham dự: nam"), default=0)
    participants_female = models.PositiveIntegerField(_("số người tham dự: nữ"), default=0)
    materials = models.PositiveIntegerField(_("số tài liệu phát ra"), default=0)
    materials_note = models.CharField(_("tài liệu, sản phẩm truyền thông"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        indexes = [models.Index(fields=["unit_path", "held_on"], name="activity_path_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants_male__gte=0) & Q(participants_female__gte=0),
                name="activity_participants_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The path is copied from the unit so that indicators filter on one indexed column, no join.
        if self.unit_id and (not self.unit_path or self.unit.path != self.unit_path):
            self.unit_path = self.unit.path
        super().save(*args, **kwargs)

    @property
    def participants(self) -> int:
        return self.participants_male + self.participants_female

    def clean(self) -> None:
        errors = {}
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = _("Ngày tổ chức không được ở tương lai.")
        if self.duty_id and self.plan_id and self.duty.plan_id != self.plan_id:
            errors["duty"] = _("Nhiệm vụ này thuộc kế hoạch khác, không thuộc kế hoạch đã chọn.")
        if self.plan_id and self.held_on and self.held_on.year != self.plan.year:
            errors["held_on"] = _("Ngày tổ chức (%(day)s) không thuộc năm %(year)s của kế hoạch.") % {
                "day": self.held_on.strftime("%d/%m/%Y"),
                "year": self.plan.year,
            }
        if errors:
            raise ValidationError(errors)


class FundingSource(models.TextChoices):
    CITY = "city", _("Ngân sách thành phố")
    DISTRICT = "district", _("Ngân sách quận, huyện")
    COMMUNE = "commune", _("Ngân sách xã, phường")
    CENTRAL = "central", _("Ngân sách trung ương")
    MOBILISED = "mobilised", _("Huy động, xã hội hóa")
    PLAN_PROJECT = "plan-project", _("Dự án do tổ chức Plan tài trợ")
    OTHER = "other", _("Nguồn khác")


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", _("Đang lập")
    SUBMITTED = "submitted", _("Đã trình phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    RETURNED = "returned", _("Trả lại để sửa")


class Allocation(models.Model):
    """An allocation plan for the plan's money (kế hoạch phân bổ kinh phí, III.1.8 and III.16.2): drafted
    by an agency with its budget lines, submitted, and approved by a decision of the People's Committee
    (its number and date recorded by the city coordinator, never by the one who submitted it) or
    returned with a reason. Lines of a submitted or approved allocation cannot change."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("kế hoạch")
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("cơ quan lập")
    )
    title = models.CharField(_("tên kế hoạch phân bổ"), max_length=300)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người lập")
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người trình"),
    )
    submitted_at = models.DateTimeField(_("trình lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi quyết định"),
    )
    decided_at = models.DateTimeField(_("ghi quyết định lúc"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)

    class Meta:
        ordering = ["plan", "-created_at", "-pk"]
        verbose_name = _("kế hoạch phân bổ kinh phí")
        verbose_name_plural = _("kế hoạch phân bổ kinh phí")

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.status in (AllocationStatus.DRAFT, AllocationStatus.RETURNED)


class BudgetLine(models.Model):
    """Money for the plan: allocated, disbursed and spent, by agency and optionally by activity (VND)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("kế hoạch")
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("cơ quan")
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("hoạt động"),
    )
    duty = models.ForeignKey(
        Duty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("thực hiện nhiệm vụ"),
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("thuộc kế hoạch phân bổ"),
    )
    funding_source = models.CharField(
        _("nguồn kinh phí"), max_length=16, choices=FundingSource.choices, default=FundingSource.CITY
    )
    title = models.CharField(_("nội dung"), max_length=300)
    recorded_on = models.DateField(_("ngày ghi nhận"))
    unit_path = models.CharField(_("đường dẫn địa bàn"), max_length=40, editable=False, db_index=True)
    allocated = models.DecimalField(_("dự toán được giao (đồng)"), max_digits=16, decimal_places=0, default=0)
    disbursed = models.DecimalField(_("đã cấp (đồng)"), max_digits=16, decimal_places=0, default=0)
    spent = models.DecimalField(_("đã chi (đồng)"), max_digits=16, decimal_places=0, default=0)

    class Meta:
        ordering = ["plan", "agency__name", "pk"]
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("kinh phí")
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(disbursed__gte=0) & Q(spent__gte=0),
                name="budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.agency_id:
            self.unit_path = self.agency.unit.path
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for name in ("allocated", "disbursed", "spent"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                errors[name] = _("Số tiền không được âm.")
        if not errors:
            if self.disbursed > self.allocated:
                errors["disbursed"] = _("Số đã cấp vượt dự toán được giao.")
            if self.spent > self.disbursed:
                errors["spent"] = _("Số đã chi vượt số đã cấp.")
        if self.plan_id and self.recorded_on and self.recorded_on.year != self.plan.year:
            errors["recorded_on"] = _("Ngày ghi nhận phải thuộc năm của kế hoạch (%(year)s).") % {
                "year": self.plan.year
            }
        if self.duty_id and self.plan_id and self.duty.plan_id != self.plan_id:
            errors["duty"] = _("Nhiệm vụ này thuộc kế hoạch khác, không thuộc kế hoạch của dòng kinh phí.")
        if self.allocation_id:
            allocation = self.allocation
            if allocation.plan_id != self.plan_id or allocation.agency_id != self.agency_id:
                errors["allocation"] = _(
                    "Kế hoạch phân bổ này không phải của cơ quan bạn trong kế hoạch này."
                )
            elif not allocation.editable:
                errors["allocation"] = _(
                    "Kế hoạch phân bổ “%(title)s” đã trình hoặc đã phê duyệt: không thêm, sửa dòng được nữa."
                ) % {"title": allocation.title}
        if errors:
            raise ValidationError(errors)
