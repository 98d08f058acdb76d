"""Indicators over the organisation tree: how many communes and agencies a subtree holds.

The number of communes is the denominator of the healthy-commune share (target T10).
"""

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register
from lanhmanh.org.models import AdministrativeUnit, Agency

register(
    ComputedSource(
        code="org.communes",
        name="Số xã, phường, thị trấn",
        name_en="Communes, wards and townships",
        unit=IndicatorUnit.COMMUNES,
        queryset=lambda: AdministrativeUnit.objects.communes(),
        unit_path="path",
        disaggregations={"unit_kind": "kind"},
        period_filter=lambda qs, period: qs.valid_on(period.end),
        description="Đơn vị hành chính cấp xã còn hiệu lực vào ngày cuối của kỳ.",
    )
)

register(
    ComputedSource(
        code="org.agencies",
        name="Số cơ quan tham gia",
        name_en="Participating agencies",
        unit=IndicatorUnit.AGENCIES,
        queryset=lambda: Agency.objects.filter(active=True),
        unit_path="unit__path",
        disaggregations={"agency_kind": "kind"},
    )
)
