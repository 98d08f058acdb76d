"""API of the indicator registry: the list of indicators and the values the UI shows (suppression included).

Routes live in ``api_urls.py``; the API app includes them under ``/api/v1/``.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.api.schema import UNIT_PARAMETER
from lanhmanh.core.periods import parse
from lanhmanh.indicators.evaluation import (
    UNIT_GROUPS,
    Cell,
    EvaluationError,
    _normalise_by,
    _plain,
    evaluate,
    evaluate_views,
    has_source,
    hides_small_counts,
    including_submitted,
    provenance,
)
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.selectors import unit_for
from lanhmanh.org.levels import is_district, is_lowest, is_top


class IndicatorSerializer(serializers.ModelSerializer):
    has_source = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "unit", "kind", "formula", "disaggregations", "has_source"]

    def get_has_source(self, indicator) -> bool:
        return has_source(indicator)


class IndicatorListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(summary=_("Danh mục chỉ số"), responses={200: IndicatorSerializer(many=True)})
    def get(self, request):
        return Response(IndicatorSerializer(Indicator.objects.all(), many=True).data)


class IndicatorValuesView(APIView):
    """Values of one indicator for a unit in the caller's jurisdiction (default: the caller's unit)."""

    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=_("Giá trị của một chỉ số"),
        parameters=[
            OpenApiParameter("unit", str, description=UNIT_PARAMETER),
            OpenApiParameter("period", str, description=_("Mã kỳ, ví dụ 2014, 2014Q1, 201401, 2014W05")),
            OpenApiParameter(
                "by", str, description=_("Phân tổ, cách nhau bởi dấu phẩy: district, child, month…")
            ),
            OpenApiParameter(
                "include_submitted",
                bool,
                description=_(
                    "Chỉ số theo báo cáo: tính cả báo cáo đã gửi, chưa được duyệt (mặc định: không)."
                ),
            ),
        ],
        responses={200: dict},
    )
    def get(self, request, code: str):
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise Http404
        unit = unit_for(request.user, request.query_params.get("unit"))
        period_id = request.query_params.get("period")
        if not period_id:
            raise ValidationError({"period": [str(_("Cần nêu mã kỳ (period)."))]})
        try:
            period = parse(period_id)
        except ValueError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        by = _normalise_by(request.query_params.get("by"))
        reported = indicator.kind == IndicatorKind.REPORTED
        include = request.query_params.get("include_submitted", "").lower() in ("1", "true", "yes")
        with including_submitted(include and reported):
            return self._answer(request, indicator, unit, period, by, reported, include and reported)

    def _answer(self, request, indicator, unit, period, by, reported: bool, include: bool):
        try:
            if hides_small_counts(indicator, request.user):
                total, rows, withheld = _protected(indicator, unit, period, by, request.user)
                has = total is not None
                total = total or Cell((), None)
            else:
                result = evaluate(indicator, unit, period, by=by, user=request.user)
                total, rows, withheld, has = result.total, result.as_dicts(), False, result.has_source
        except EvaluationError as exc:
            raise ValidationError({"by": [str(exc)]}) from None
        sources = provenance(indicator, unit, period, user=request.user) if reported and has else None
        return Response(
            {
                "indicator": indicator.code,
                "kind": indicator.kind,
                "source_label": str(_("theo báo cáo")) if reported else str(indicator.get_kind_display()),
                "include_submitted": include,
                "provenance": None
                if sources is None
                else {
                    "approved": sources.approved,
                    "submitted": sources.submitted,
                    "reports": [
                        {
                            "id": r.pk,
                            "form": r.form,
                            "unit": r.unit_path,
                            "unit_name": r.unit_name,
                            "period_label": r.period_label,
                            "status": r.status,
                            "value": r.value,
                        }
                        for r in sources.reports
                    ],
                    "more": sources.more,
                },
                "unit": unit.path,
                "period": period.id,
                "period_label": period.label,
                "by": list(by),
                "has_source": has,
                "total": {
                    "value": None if total.suppressed or total.value is None else float(total.value),
                    "display": total.display,
                    "suppressed": total.suppressed,
                },
                "withheld": withheld,
                "values": [
                    {**row, "value": None if row["value"] is None else float(row["value"])} for row in rows
                ],
            }
        )


def _protected(indicator, unit, period, by: tuple[str, ...], user):
    """The total and one grouping for a user who must not see small counts, protected together with
    the indicator's page (the total is the page's, and nothing shown on either gives a small count
    away): ``(total, rows, withheld)``; ``total`` is None when the indicator has no source.

    Groupings are limited to those whose tables only share the total with the page's: one at a time,
    the level just below the unit (``child``, or ``district``/``commune`` naming it), ``month`` and the
    source's own disaggregations. Quarters and years are sums of the page's months, districts sums of
    communes: shown next to them they could undo the protection, so they are refused."""
    if len(by) > 1:
        raise EvaluationError(
            str(_("Số liệu của chỉ số này có số nhỏ được ẩn: mỗi lần chỉ phân tổ theo một tiêu chí."))
        )
    name = by[0] if by else ""
    grouping = name
    if name in UNIT_GROUPS:
        if _unit_group_below(unit) != name:
            raise EvaluationError(_refused(name, unit))
        grouping = "child"
    elif name in ("quarter", "year") or (name == "child" and is_lowest(unit.level)):
        raise EvaluationError(_refused(name, unit))
    views = evaluate_views(indicator, unit, period, extra=(grouping,) if grouping else (), user=user)
    if not views.has_source:
        return None, [], False
    if not grouping:
        return views.total, [], False
    table = views.table(grouping)
    if table is None:
        return views.total, [], True
    return (
        views.total,
        [
            {name: c.key[0], "value": _plain(c), "display": c.display, "suppressed": c.suppressed}
            for c in table.rows
        ],
        False,
    )


def _unit_group_below(unit) -> str | None:
    """The named grouping that is the level just below ``unit``: a province's ``district`` (the units
    one step below it: 2014 districts, 2026 communes), a district's communes; None for a commune."""
    if is_top(unit.level):
        return "district"
    if is_district(unit.level):
        return "commune"
    return None


def _refused(name: str, unit) -> str:
    below = _unit_group_below(unit)
    allowed = ", ".join(x for x in ("child", below, "month") if x != "child" or below)
    return str(
        _(
            "Số liệu của chỉ số này có số nhỏ được ẩn: ở đơn vị này không phân tổ theo “%(name)s” "
            "(được: %(allowed)s và các phân tổ riêng của chỉ số)."
        )
        % {"name": name, "allowed": allowed}
    )
