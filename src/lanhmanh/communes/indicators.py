"""Indicators of the communes app: healthy communes (T10's numerator) and model communes (T09).

T10 is a share: ``plans.progress`` divides ``communes.healthy_communes`` by ``org.communes``, the
communes valid on the last day of the period. The numerator counts the same units: approved
assessments of the year of the period's end, under a healthy-commune template, classified healthy,
of communes valid on that day (versioned units: 2014's communes for 2014).
"""

from django.db.models import Q

from lanhmanh.communes.models import Assessment, ModelCommune, ModelEvaluation
from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register


def _valid_at_end(qs, period):
    end = period.end
    return qs.filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=end)).filter(
        Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=end)
    )


def _healthy_in(qs, period):
    return _valid_at_end(qs.filter(year=period.end.year), period)


def _models_in(qs, period):
    end = period.end
    kept = qs.filter(designated_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=end))
    dropped = ModelEvaluation.objects.filter(year=end.year, kept=False).values("model_commune_id")
    return kept.exclude(pk__in=dropped)


register(
    ComputedSource(
        code="communes.healthy_communes",
        name="Số xã, phường, thị trấn không có tệ nạn mại dâm (theo NQLT 01/2008)",
        name_en="Communes free of prostitution (JR 01/2008)",
        unit=IndicatorUnit.COMMUNES,
        queryset=lambda: Assessment.objects.approved().healthy_template().filter(healthy=True),
        unit_path="unit_path",
        disaggregations={"unit_kind": "unit__kind"},
        period_filter=_healthy_in,
        description=(
            "Phiếu đánh giá đã được thành phố duyệt, xếp loại lành mạnh, của năm chứa ngày cuối kỳ; chỉ tính "
            "xã, phường, thị trấn còn hiệu lực vào ngày cuối kỳ (cùng mẫu số với chỉ số org.communes)."
        ),
    )
)

register(
    ComputedSource(
        code="communes.assessed_communes",
        name="Số xã, phường, thị trấn có kết quả đánh giá được duyệt",
        name_en="Communes with an approved assessment",
        unit=IndicatorUnit.COMMUNES,
        queryset=lambda: Assessment.objects.approved().healthy_template(),
        unit_path="unit_path",
        disaggregations={"unit_kind": "unit__kind"},
        period_filter=_healthy_in,
        description="Phiếu đánh giá xã lành mạnh đã được thành phố duyệt, của năm chứa ngày cuối kỳ.",
    )
)

register(
    ComputedSource(
        code="communes.model_communes",
        name="Số xã, phường, thị trấn xây dựng và duy trì mô hình phòng, chống mại dâm",
        name_en="Communes running the prevention model",
        unit=IndicatorUnit.COMMUNES,
        queryset=lambda: ModelCommune.objects.all(),
        unit_path="unit_path",
        period_filter=_models_in,
        description=(
            "Xã được chỉ định xây dựng mô hình, còn chỉ định vào ngày cuối kỳ, trừ xã được đánh giá là không "
            "duy trì được mô hình trong năm đó."
        ),
    )
)
