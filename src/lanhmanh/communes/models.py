"""Healthy-commune assessments (JR 01/2008), model communes (T09) and their yearly evaluation.

Templates are data: criteria groups, items with their points, the items a "healthy" commune must
meet, and the classification rule (ordered classes with a minimum score), versioned by legal text
and years, each item with its source and a ``verified`` flag the city coordinator sets. An
assessment is one commune's score sheet for one year under one template: the commune scores itself
(evidence per item), the district reviews (phúc tra: a changed score needs a reason), the city
approves and the result is locked; reopening needs a reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.org.models import AdministrativeUnit


class TemplatePurpose(models.TextChoices):
    HEALTHY = "healthy", _("Xã, phường, thị trấn lành mạnh không có tệ nạn mại dâm")
    OTHER = "other", _("Phân loại khác (trọng điểm, phức tạp…)")


class AssessmentTemplate(models.Model):
    code = models.SlugField(_("mã bộ tiêu chí"), max_length=60, unique=True)
    title = models.CharField(_("tên bộ tiêu chí"), max_length=300)
    purpose = models.CharField(_("mục đích"), max_length=16, choices=TemplatePurpose.choices)
    legal_text = models.CharField(_("văn bản quy định"), max_length=300)
    year_from = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    year_to = models.PositiveSmallIntegerField(_("áp dụng đến năm"), null=True, blank=True)
    pass_note = models.TextField(_("quy tắc phân loại (diễn giải)"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["purpose", "-year_from", "code"]
        verbose_name = _("bộ tiêu chí đánh giá")
        verbose_name_plural = _("bộ tiêu chí đánh giá")
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                name="communes_template_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def applies_to(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)

    @property
    def max_score(self) -> Decimal:
        return sum((i.points for g in self.groups.all() for i in g.items.all()), Decimal(0))


class CriteriaGroup(models.Model):
    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.CASCADE, related_name="groups", verbose_name=_("bộ tiêu chí")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nhóm tiêu chí"), max_length=300)

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("nhóm tiêu chí")
        verbose_name_plural = _("nhóm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="communes_group_order_unique")
        ]

    def __str__(self) -> str:
        return self.title


class ProposalRule(models.TextChoices):
    NONE = "", _("Không đề xuất")
    ZERO_FULL = "zero-full", _("Giá trị bằng 0 → đủ điểm; khác 0 → 0 điểm")
    POSITIVE_FULL = "positive-full", _("Giá trị lớn hơn 0 → đủ điểm; bằng 0 → 0 điểm")
    AT_MOST_FULL = "at-most-full", _("Giá trị không quá ngưỡng → đủ điểm; vượt ngưỡng → 0 điểm")
    AT_LEAST_FULL = "at-least-full", _("Giá trị từ ngưỡng trở lên → đủ điểm; dưới ngưỡng → 0 điểm")


class CriterionItem(models.Model):
    """One scored item. ``indicator_code`` + ``rule`` let the system propose a score from records."""

    group = models.ForeignKey(
        CriteriaGroup, on_delete=models.CASCADE, related_name="items", verbose_name=_("nhóm tiêu chí")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("số hiệu"), max_length=20)
    text = models.TextField(_("nội dung tiêu chí"), max_length=2000)
    points = models.DecimalField(
        _("điểm tối đa"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    mandatory = models.BooleanField(
        _("bắt buộc để đạt “lành mạnh”"),
        default=False,
        help_text=_("Xã chỉ được xếp loại lành mạnh khi tiêu chí này đạt đủ điểm."),
    )
    source = models.CharField(_("nguồn (văn bản, điều, mục)"), max_length=500)
    verified = models.BooleanField(_("đã đối chiếu văn bản gốc"), default=False)
    indicator_code = models.CharField(_("chỉ số đề xuất"), max_length=80, blank=True)
    rule = models.CharField(_("quy tắc đề xuất"), max_length=16, choices=ProposalRule.choices, blank=True)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["group__order", "order"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["group", "order"], name="communes_item_order_unique"),
            models.CheckConstraint(condition=Q(points__gt=0), name="communes_item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:80]}"


class Classification(models.Model):
    """A class of the template's rule: the first (by order) whose conditions hold is the result."""

    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.CASCADE, related_name="classes", verbose_name=_("bộ tiêu chí")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự xét"))
    code = models.SlugField(_("mã loại"), max_length=40)
    name = models.CharField(_("tên loại"), max_length=200)
    min_score = models.DecimalField(_("điểm tối thiểu"), max_digits=6, decimal_places=1, default=0)
    needs_mandatory = models.BooleanField(_("phải đạt mọi tiêu chí bắt buộc"), default=False)
    healthy = models.BooleanField(_("tính là xã lành mạnh (chỉ tiêu T10)"), default=False)

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("loại xếp hạng")
        verbose_name_plural = _("loại xếp hạng")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="communes_class_code_unique"),
            models.UniqueConstraint(fields=["template", "order"], name="communes_class_order_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Xã đang tự chấm")
    SUBMITTED = "submitted", _("Đã gửi, chờ huyện phúc tra")
    REVIEWED = "reviewed", _("Huyện đã phúc tra, chờ thành phố duyệt")
    APPROVED = "approved", _("Thành phố đã duyệt (đã khoá)")


class AssessmentQuerySet(models.QuerySet):
    def approved(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.APPROVED)

    def healthy_template(self) -> AssessmentQuerySet:
        return self.filter(template__purpose=TemplatePurpose.HEALTHY)


class Assessment(models.Model):
    template = models.ForeignKey(
        AssessmentTemplate,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("bộ tiêu chí"),
    )
    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("xã, phường")
    )
    unit_path = models.CharField(_("đường dẫn địa bàn"), max_length=40, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"), db_index=True)
    period_end = models.DateField(_("ngày cuối năm đánh giá"), editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    self_score = models.DecimalField(_("điểm xã tự chấm"), max_digits=6, decimal_places=1, default=0)
    score = models.DecimalField(_("điểm sau phúc tra"), max_digits=6, decimal_places=1, default=0)
    classification = models.ForeignKey(
        Classification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("xếp loại"),
    )
    healthy = models.BooleanField(_("lành mạnh"), default=False, db_index=True)
    summary = models.TextField(_("nhận xét chung của xã"), blank=True, max_length=4000)
    review_note = models.TextField(_("kết luận phúc tra của huyện"), blank=True, max_length=4000)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("phúc tra lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit_path"]
        verbose_name = _("phiếu đánh giá xã lành mạnh")
        verbose_name_plural = _("phiếu đánh giá xã lành mạnh")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "unit", "year"], name="communes_assessment_once_per_year"
            )
        ]
        indexes = [models.Index(fields=["year", "status", "healthy"], name="communes_assess_year_idx")]

    def __str__(self) -> str:
        return f"{self.unit.full_name} – {self.year}"

    @property
    def locked(self) -> bool:
        return self.status == AssessmentStatus.APPROVED


class Answer(models.Model):
    """One item of one assessment: the commune's score and evidence, and the district's score if changed."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("phiếu đánh giá")
    )
    item = models.ForeignKey(
        CriterionItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("tiêu chí")
    )
    self_score = models.DecimalField(
        _("điểm xã tự chấm"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    evidence = models.TextField(_("minh chứng"), blank=True, max_length=4000)
    links = models.TextField(_("liên kết đến hồ sơ"), blank=True, max_length=2000)
    district_score = models.DecimalField(
        _("điểm huyện phúc tra"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    district_reason = models.TextField(_("lý do huyện điều chỉnh"), blank=True, max_length=2000)

    class Meta:
        ordering = ["item__group__order", "item__order"]
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="communes_answer_once")]

    def __str__(self) -> str:
        return f"{self.assessment_id} – {self.item.code}"

    @property
    def final_score(self) -> Decimal | None:
        return self.district_score if self.district_score is not None else self.self_score

    @property
    def changed_by_district(self) -> bool:
        return self.district_score is not None and self.district_score != self.self_score


class ModelCommune(models.Model):
    """A commune designated to build and keep the prevention model under a plan (T09)."""

    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="model_communes", verbose_name=_("kế hoạch")
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="model_designations",
        verbose_name=_("xã, phường"),
    )
    unit_path = models.CharField(_("đường dẫn địa bàn"), max_length=40, editable=False, db_index=True)
    designated_on = models.DateField(_("ngày chỉ định"))
    ended_on = models.DateField(_("ngày thôi"), null=True, blank=True)
    decision = models.CharField(_("văn bản chỉ định"), max_length=300, blank=True)
    activities = models.ManyToManyField(
        "plans.Activity", blank=True, related_name="model_communes", verbose_name=_("hoạt động của mô hình")
    )

    class Meta:
        ordering = ["unit_path"]
        verbose_name = _("xã điểm mô hình")
        verbose_name_plural = _("xã điểm mô hình")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="communes_model_once_per_plan"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("designated_on")),
                name="communes_model_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.unit.full_name


class ModelEvaluation(models.Model):
    model_commune = models.ForeignKey(
        ModelCommune, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("xã điểm")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kept = models.BooleanField(_("duy trì được mô hình"))
    note = models.TextField(_("nhận xét"), blank=True, max_length=4000)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField(_("đánh giá lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("đánh giá mô hình")
        verbose_name_plural = _("đánh giá mô hình")
        constraints = [
            models.UniqueConstraint(fields=["model_commune", "year"], name="communes_model_eval_once")
        ]

    def __str__(self) -> str:
        return f"{self.model_commune} – {self.year}"


class AssessmentFile(models.Model):
    """A file of evidence (minutes, photos, decisions) attached to an assessment or to one of its items.

    The file itself is kept by the upload service (``core.uploads``, purpose ``communes.evidence``):
    checked by content, stored outside the web root, read through ``/tep/<uuid>/`` by whoever may open
    the assessment. Files are added and removed only while the assessment is open to the uploader's
    step (the commune while self-assessing, the district while reviewing); an approved assessment's
    files are locked with it."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="files", verbose_name=_("phiếu đánh giá")
    )
    item = models.ForeignKey(
        CriterionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tiêu chí"),
        help_text=_("Để trống nếu tệp là minh chứng chung của phiếu."),
    )
    upload = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")

    def __str__(self) -> str:
        return self.description or str(self.upload_id)


class LayoutLevel(models.TextChoices):
    CITY = "city", _("Thành phố (một dòng mỗi quận, huyện)")
    DISTRICT = "district", _("Quận, huyện (một dòng mỗi xã, phường)")


class StatisticsLayout(models.Model):
    """The layout of the yearly statistics form, as data the city coordinator corrects.

    The statistics form annexed to JR 01/2008 could not be sourced: the shipped layout is the city's
    own summary, ``verified`` False, and every document made from it says so. Columns are a list of
    ``{"key": measure, "label": heading}``; the measures are computed (``documents.MEASURES``), the
    headings, title, subtitle and signature are text the coordinator may rewrite to match the annex."""

    level = models.CharField(_("cấp"), max_length=10, choices=LayoutLevel.choices, unique=True)
    title = models.CharField(_("tên biểu"), max_length=200)
    subtitle = models.CharField(
        _("dòng dưới tên biểu"),
        max_length=500,
        help_text=_("Có thể dùng {year} (năm) và {unit} (tên địa bàn)."),
    )
    form_number = models.CharField(_("số hiệu biểu"), max_length=60, blank=True)
    columns = models.JSONField(_("các cột"))
    signer = models.CharField(_("chức danh người ký"), max_length=120, default="THỦ TRƯỞNG CƠ QUAN")
    source = models.CharField(_("nguồn mẫu biểu"), max_length=500)
    verified = models.BooleanField(_("đã đối chiếu biểu mẫu của văn bản gốc"), default=False)
    note = models.TextField(_("ghi chú"), blank=True, max_length=4000)

    class Meta:
        ordering = ["level"]
        verbose_name = _("mẫu biểu thống kê")
        verbose_name_plural = _("mẫu biểu thống kê")

    def __str__(self) -> str:
        return self.get_level_display()
