"""The indicator registry as data: codes, names and units that targets, reports and dashboards share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lanhmanh.indicators.formula import FormulaError, references


class IndicatorUnit(models.TextChoices):
    CASES = "cases", _("vụ")
    PERSON_TIMES = "person-times", _("lượt người")
    PERSONS = "persons", _("người")
    CHECKS = "checks", _("lượt")
    EVENTS = "events", _("cuộc")
    ESTABLISHMENTS = "establishments", _("cơ sở")
    HOTSPOTS = "hotspots", _("tụ điểm")
    COMMUNES = "communes", _("xã, phường, thị trấn")
    AGENCIES = "agencies", _("cơ quan")
    VND = "vnd", _("đồng")
    PERCENT = "percent", _("%")


class IndicatorKind(models.TextChoices):
    COMPUTED = "computed", _("Tính từ dữ liệu")
    REPORTED = "reported", _("Nhập qua báo cáo")
    FORMULA = "formula", _("Công thức")


code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$",
    _("Mã chỉ số gồm chữ thường, số, dấu gạch dưới, có tiền tố ứng dụng, ví dụ “plans.activities_held”."),
)


class Indicator(models.Model):
    """One measurable quantity. Computed ones get their SQL from the owning app's ``indicators.py``."""

    code = models.CharField(_("mã chỉ số"), max_length=80, unique=True, validators=[code_validator])
    name = models.CharField(_("tên chỉ số"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=20, choices=IndicatorUnit.choices)
    kind = models.CharField(_("loại chỉ số"), max_length=10, choices=IndicatorKind.choices)
    formula = models.CharField(
        _("công thức"),
        max_length=500,
        blank=True,
        help_text=_("Ví dụ: share({plans.budget_spent}, {plans.budget_allocated}) hoặc {a.x} + {a.y}."),
    )
    disaggregations = models.JSONField(_("phân tổ"), default=list, blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="formula") | ~models.Q(formula=""),
                name="indicator_formula_needs_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def app_label(self) -> str:
        return self.code.split(".", 1)[0]

    def clean(self) -> None:

        if self.kind == IndicatorKind.FORMULA:
            if not self.formula.strip():
                raise ValidationError({"formula": _("Chỉ số loại công thức phải có công thức.")})
            try:
                refs = references(self.formula)
            except FormulaError as exc:
                raise ValidationError({"formula": str(exc)}) from None
            if self.code in refs:
                raise ValidationError({"formula": _("Công thức không được tham chiếu chính chỉ số này.")})
            missing = sorted(
                refs - set(Indicator.objects.filter(code__in=refs).values_list("code", flat=True))
            )
            if missing:
                raise ValidationError(
                    {"formula": _("Công thức tham chiếu chỉ số chưa có: %s.") % ", ".join(missing)}
                )
        elif self.formula:
            raise ValidationError({"formula": _("Chỉ số không phải loại công thức thì không có công thức.")})


class Rollup(models.Model):
    """Pre-aggregated counts and sums of a computed source, per unit path, month and one disaggregation.

    A source registered with ``rollup=True`` keeps one row per (source, ``dims``, record unit path,
    month, key) where ``dims`` is "" (no disaggregation; key ``null``) or one disaggregation name, and
    ``key`` the JSON-encoded value of that disaggregation. ``rows`` counts the records behind the row and
    ``value`` holds the source's aggregate (a count or a sum). A distinct-count source keeps ``dims``
    "members" instead: one row per unit path, month and member counted (``key`` its id, ``rows`` the
    records behind it), counted distinct when read. Rows are maintained by deltas in the same
    transaction as every save or delete of a record (``indicators.rollup``) and can be rebuilt with
    ``manage.py indicators_rollup_rebuild``. Evaluation reads them for whole-month periods.
    """

    source = models.CharField(max_length=80)
    dims = models.CharField(max_length=40, blank=True)
    unit_path = models.CharField(max_length=40)
    month = models.DateField()
    key = models.CharField(max_length=255, default="null")
    rows = models.BigIntegerField(default=0)
    value = models.DecimalField(max_digits=30, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp sẵn")
        verbose_name_plural = _("số liệu tổng hợp sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dims", "unit_path", "month", "key"], name="rollup_cell_unique"
            )
        ]
        indexes = [
            models.Index(fields=["source", "dims", "month", "unit_path"], name="rollup_lookup"),
            # A subtree's rows (``unit_path = '01' OR unit_path LIKE '01.%'``): on PostgreSQL a LIKE prefix
            # uses a btree only with the pattern operator classes (unless the database's collation is
            # C); without it a city's year was read from every province's rows (ignored on SQLite).
            models.Index(
                fields=["source", "dims", "unit_path", "month"],
                name="rollup_subtree",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.dims or '-'} {self.unit_path} {self.month:%Y-%m} {self.key}"


class RollupVersion(models.Model):
    """A token that changes with every write to a source's rollup rows (in the same transaction): what
    was computed from the rows under one token (the protected unit tree) can be kept until it changes.
    A new random token each time, never a counter: a rolled-back write must not hand out its token again."""

    source = models.CharField(max_length=80, unique=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("phiên bản số liệu tổng hợp sẵn")
        verbose_name_plural = _("phiên bản số liệu tổng hợp sẵn")

    def __str__(self) -> str:
        return f"{self.source} {self.token}"
