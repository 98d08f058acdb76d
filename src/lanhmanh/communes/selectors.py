"""Reads of the communes app, scoped to the user: outsiders get nothing (lists) or 404 (one record).

Assessments are aggregate data about a commune (no personal data); they are seen by the commune's
officer (own commune), the district labour office (its communes) and the city coordinator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404

from lanhmanh.communes import rules
from lanhmanh.communes.models import (
    Assessment,
    AssessmentFile,
    AssessmentStatus,
    AssessmentTemplate,
    CriterionItem,
    ModelCommune,
)
from lanhmanh.core.audit import history
from lanhmanh.core.scoping import path_q
from lanhmanh.org.models import AdministrativeUnit


def plan_for(user):
    """The newest top-level plan whose scope holds the user's unit (model communes are designated under it)."""
    # The plans app is a sibling layer: its models are reached by name, as the foreign keys do.
    plan_model = apps.get_model("plans", "Plan")
    parts = user.jurisdiction_path.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return (
        plan_model.objects.filter(parent__isnull=True, scope_unit__path__in=ancestors)
        .select_related("scope_unit")
        .order_by("-year", "-pk")
        .first()
    )


def assessments_for(user, *, year: int | None = None, unit_path: str | None = None):
    """Assessments in the user's jurisdiction (none for other roles), optionally of a year and subtree."""
    if not rules.can_see_assessments(user):
        return Assessment.objects.none()
    qs = Assessment.objects.filter(path_q(user.jurisdiction_path, "unit_path"))
    if year is not None:
        qs = qs.filter(year=year)
    if unit_path:
        qs = qs.filter(path_q(unit_path, "unit_path"))
    return qs.select_related("unit", "classification", "template")


def assessment_get(user, pk) -> Assessment:
    """One assessment the user may see, or 404 (missing and out of reach alike)."""
    try:
        return assessments_for(user).select_related("unit__parent").get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessment_answers(assessment: Assessment):
    return list(
        assessment.answers.select_related("item", "item__group").order_by("item__group__order", "item__order")
    )


def assessment_files(assessment: Assessment):
    """The evidence files of an assessment the caller already got through ``assessment_get``."""
    return list(
        AssessmentFile.objects.filter(assessment=assessment)
        .select_related("upload", "item", "added_by")
        .order_by("added_at", "pk")
    )


def assessment_file_get(user, assessment: Assessment, pk) -> AssessmentFile:
    """One evidence file of an assessment the user may see, or 404."""
    try:
        return AssessmentFile.objects.select_related("assessment", "upload").get(assessment=assessment, pk=pk)
    except (AssessmentFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_get(user, pk) -> AdministrativeUnit:
    """A unit in the user's assessment jurisdiction, or 404."""
    if not rules.can_see_assessments(user):
        raise Http404
    try:
        unit = AdministrativeUnit.objects.select_related("parent").get(pk=pk)
    except (AdministrativeUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not rules.can_view_unit(user, unit.path):
        raise Http404
    return unit


def communes_in(user, unit_path: str, year: int):
    """Communes under ``unit_path`` valid at the end of ``year`` (the ones to assess)."""
    return (
        AdministrativeUnit.objects.communes()
        .filter(path_q(unit_path))
        .valid_on(dt.date(year, 12, 31))
        .select_related("parent")
    )


@dataclass
class HistoryRow:
    assessment: Assessment
    previous_healthy: bool | None
    changes: list = field(default_factory=list)  # (answer, audit row) changed by the district

    @property
    def transformation(self) -> str:
        if self.assessment.status != AssessmentStatus.APPROVED or self.previous_healthy is None:
            return ""
        if self.previous_healthy and not self.assessment.healthy:
            return "worse"
        if not self.previous_healthy and self.assessment.healthy:
            return "better"
        return ""


def unit_history(user, unit: AdministrativeUnit) -> list[HistoryRow]:
    """The commune's assessments, newest first, with the year-over-year change and the district's
    changed scores (with their reasons) of each."""
    rows = list(
        assessments_for(user, unit_path=unit.path)
        .filter(unit_path=unit.path, template__purpose="healthy")
        .order_by("year")
    )
    out: list[HistoryRow] = []
    previous = None
    for a in rows:
        prev = (
            previous.healthy
            if previous is not None and previous.status == AssessmentStatus.APPROVED
            else None
        )
        changed = [x for x in a.answers.select_related("item") if x.changed_by_district]
        out.append(HistoryRow(a, prev, [(x, history(x).first()) for x in changed]))
        previous = a
    return list(reversed(out))


@dataclass
class DistrictChange:
    district: AdministrativeUnit
    communes: int = 0
    assessed: int = 0
    healthy: int = 0
    previous_healthy: int = 0
    became_clean: list = field(default_factory=list)
    became_affected: list = field(default_factory=list)

    @property
    def share(self):
        return round(self.healthy * 100 / self.communes, 1) if self.communes else None


def transformation(user, year: int, unit_path: str | None = None) -> list[DistrictChange]:
    """Per district of the user's area: communes valid at the end of ``year``, approved assessments,
    healthy ones, and the communes whose class changed since ``year - 1`` (affected → clean and
    clean → affected), from approved healthy-commune assessments. Three queries."""
    if not rules.can_see_assessments(user):
        return []
    root = unit_path or user.jurisdiction_path
    end = dt.date(year, 12, 31)
    district_root = root if len(root) <= 6 else root[:6]
    districts_qs = AdministrativeUnit.objects.districts().filter(path_q(district_root)).valid_on(end)
    districts = {d.path: DistrictChange(d) for d in districts_qs}
    counts = (
        AdministrativeUnit.objects.communes()
        .filter(path_q(root))
        .valid_on(end)
        .values("parent__path")
        .annotate(n=Count("pk"))
    )
    for row in counts:
        if row["parent__path"] in districts:
            districts[row["parent__path"]].communes = row["n"]
    approved = (
        Assessment.objects.approved()
        .healthy_template()
        .filter(path_q(root, "unit_path"), year__in=[year - 1, year])
        .values("unit_id", "unit_path", "year", "healthy", "unit__name", "unit__kind")
    )
    by_unit: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in approved:
        by_unit[row["unit_id"]][row["year"]] = row
    for unit_id, years in by_unit.items():
        now, before = years.get(year), years.get(year - 1)
        row = now or before
        district = districts.get(row["unit_path"][:6])
        if district is None:
            continue
        if now is not None:
            district.assessed += 1
            district.healthy += int(now["healthy"])
        if before is not None:
            district.previous_healthy += int(before["healthy"])
        if now is not None and before is not None and now["healthy"] != before["healthy"]:
            name = AdministrativeUnit(kind=row["unit__kind"], name=row["unit__name"]).full_name
            entry = (unit_id, name)
            (district.became_clean if now["healthy"] else district.became_affected).append(entry)
    for d in districts.values():
        d.became_clean.sort(key=lambda e: e[1])
        d.became_affected.sort(key=lambda e: e[1])
    return [districts[p] for p in sorted(districts)]


def templates_for(user):
    if not rules.can_see_assessments(user):
        return AssessmentTemplate.objects.none()
    return AssessmentTemplate.objects.all()


def template_get(user, pk) -> AssessmentTemplate:
    try:
        return templates_for(user).get(pk=pk)
    except (AssessmentTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def item_get(user, pk) -> CriterionItem:
    if not rules.can_edit_templates(user):
        raise Http404
    try:
        return CriterionItem.objects.select_related("group__template").get(pk=pk)
    except (CriterionItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def model_communes_for(user, plan=None):
    if not rules.can_see_assessments(user):
        return ModelCommune.objects.none()
    qs = ModelCommune.objects.filter(path_q(user.jurisdiction_path, "unit_path")).select_related(
        "unit", "unit__parent", "plan"
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.annotate(activity_count=Count("activities", distinct=True))


def model_commune_get(user, pk) -> ModelCommune:
    try:
        return model_communes_for(user).get(pk=pk)
    except (ModelCommune.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def commune_units_for(user, year: int):
    """Communes the user may open an assessment for: own commune, or the communes of the area."""
    qs = communes_in(user, user.jurisdiction_path, year) if rules.can_see_assessments(user) else None
    return qs if qs is not None else AdministrativeUnit.objects.none()


@dataclass
class ShareRow:
    path: str
    healthy: int
    communes: int

    @property
    def share(self):
        return round(self.healthy * 100 / self.communes, 1) if self.communes else None


def t10_by_child(year: int, parent_path: str = "") -> list[ShareRow]:
    """T10 (approved healthy communes ÷ communes valid on 31/12 of ``year``) for each unit one level
    below ``parent_path`` (each province when empty: the national table), in two GROUP BY queries
    over the path prefix. Aggregate figures (counts of communes); callers decide who sees them."""
    width = {0: 2, 2: 6, 6: 12}.get(len(parent_path))
    if width is None:
        raise ValueError("parent_path must be '', a province or a district path")
    end = dt.date(year, 12, 31)
    scope = path_q(parent_path, "unit_path") if parent_path else Q()
    healthy = dict(
        Assessment.objects.approved()
        .healthy_template()
        .filter(scope, healthy=True, year=year)
        .filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=end))
        .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=end))
        .annotate(child=Substr("unit_path", 1, width))
        .values("child")
        .annotate(n=Count("pk"))
        .values_list("child", "n")
    )
    communes = (
        AdministrativeUnit.objects.communes()
        .filter(path_q(parent_path) if parent_path else Q())
        .valid_on(end)
        .annotate(child=Substr("path", 1, width))
        .values("child")
        .annotate(n=Count("pk"))
        .values_list("child", "n")
        .order_by("child")
    )
    return [ShareRow(child, healthy.get(child, 0), n) for child, n in communes]
