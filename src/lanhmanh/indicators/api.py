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
from lanhmanh.core.periods import parse
from lanhmanh.indicators.evaluation import EvaluationError, evaluate, has_source
from lanhmanh.indicators.models import Indicator
from lanhmanh.indicators.selectors import unit_for


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
            OpenApiParameter("unit", str, description=_("Đường dẫn đơn vị, ví dụ 01.002")),
            OpenApiParameter("period", str, description=_("Mã kỳ, ví dụ 2014, 2014Q1, 201401, 2014W05")),
            OpenApiParameter(
                "by", str, description=_("Phân tổ, cách nhau bởi dấu phẩy: district, child, month…")
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
        try:
            result = evaluate(indicator, unit, period, by=request.query_params.get("by"), user=request.user)
        except EvaluationError as exc:
            raise ValidationError({"by": [str(exc)]}) from None
        total = result.total
        return Response(
            {
                "indicator": indicator.code,
                "unit": unit.path,
                "period": period.id,
                "period_label": period.label,
                "by": list(result.by),
                "has_source": result.has_source,
                "total": {
                    "value": None if total.suppressed or total.value is None else float(total.value),
                    "display": total.display,
                    "suppressed": total.suppressed,
                },
                "values": [
                    {**row, "value": None if row["value"] is None else float(row["value"])}
                    for row in result.as_dicts()
                ],
            }
        )
