"""Indicators computed from the establishment register (T04 and T08 of the 2014 plan read two of them).

* ``premises.police_checks`` — police administrative checks at conditional businesses (T04), by check
  date and the establishment's commune;
* ``premises.team178_inspections`` — establishments inspected by the city Team 178 (T08): distinct
  establishments, by inspection date;
* ``premises.inspected_establishments`` — establishments inspected by any Team 178, by team level;
* ``premises.establishments`` and ``premises.inspected_share`` — the register (open during the period)
  and the share inspected at least once (Hanoi's 2026 plan asks ≥ 60 % a year);
* ``premises.establishments_with_violations``, ``premises.businesses_sanctioned``,
  ``premises.business_fines``, ``premises.licence_revocations``.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, FormulaSource, register, register_formula
from lanhmanh.premises.models import (
    BusinessSanction,
    Establishment,
    Inspection,
    PoliceCheck,
    RevocationAnswer,
    RevocationProposal,
    SanctionStatus,
    TeamLevel,
)

PLACE = "establishment__unit_path"


def _open_in(queryset, period):
    return queryset.filter(opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )


register(
    ComputedSource(
        code="premises.police_checks",
        name="Số lượt công an kiểm tra hành chính cơ sở kinh doanh dịch vụ có điều kiện",
        name_en="Police administrative checks of conditional businesses",
        unit=IndicatorUnit.CHECKS,
        queryset=lambda: PoliceCheck.objects.all(),
        unit_path=PLACE,
        date_field="checked_on",
        disaggregations={"kind": "establishment__kind__code", "result": "result"},
        rollup=True,
        description="Mỗi lượt kiểm tra hành chính do công an ghi nhận, theo ngày kiểm tra và nơi cơ sở hoạt động (chỉ tiêu T04).",
    )
)
register(
    ComputedSource(
        code="premises.team178_inspections",
        name="Số cơ sở kinh doanh dịch vụ được Đội Kiểm tra liên ngành 178 Thành phố kiểm tra",
        name_en="Establishments inspected by the city Team 178",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: Inspection.objects.filter(team_level=TeamLevel.CITY),
        unit_path=PLACE,
        date_field="inspected_on",
        value=Count("establishment", distinct=True),
        disaggregations={"kind": "establishment__kind__code"},
        description="Số cơ sở khác nhau được Đội 178 cấp thành phố kiểm tra trong kỳ (chỉ tiêu T08).",
    )
)
register(
    ComputedSource(
        code="premises.inspected_establishments",
        name="Số cơ sở được Đội kiểm tra liên ngành 178 (các cấp) kiểm tra",
        name_en="Establishments inspected by any Team 178",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: Inspection.objects.all(),
        unit_path=PLACE,
        date_field="inspected_on",
        value=Count("establishment", distinct=True),
        disaggregations={"team_level": "team_level", "kind": "establishment__kind__code"},
    )
)
register(
    ComputedSource(
        code="premises.establishments",
        name="Số cơ sở kinh doanh dịch vụ dễ bị lợi dụng hoạt động mại dâm",
        name_en="Establishments in the register",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: Establishment.objects.all(),
        unit_path="unit_path",
        period_filter=_open_in,
        disaggregations={"kind": "kind__code"},
        description="Cơ sở hoạt động trong kỳ (mở trước khi kỳ kết thúc, chưa ngừng trước khi kỳ bắt đầu).",
    )
)
register_formula(
    FormulaSource(
        code="premises.inspected_share",
        name="Tỷ lệ cơ sở được kiểm tra ít nhất một lần",
        name_en="Share of establishments inspected at least once",
        unit=IndicatorUnit.PERCENT,
        formula="share({premises.inspected_establishments}, {premises.establishments})",
    )
)
register(
    ComputedSource(
        code="premises.establishments_with_violations",
        name="Số cơ sở phát hiện vi phạm qua kiểm tra",
        name_en="Establishments where inspections found violations",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: Inspection.objects.filter(violation_found=True),
        unit_path=PLACE,
        date_field="inspected_on",
        value=Count("establishment", distinct=True),
        disaggregations={"team_level": "team_level"},
    )
)
_DECIDED = [SanctionStatus.DECIDED, SanctionStatus.ENFORCED]
register(
    ComputedSource(
        code="premises.businesses_sanctioned",
        name="Số cơ sở kinh doanh bị xử phạt",
        name_en="Businesses sanctioned",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: BusinessSanction.objects.filter(status__in=_DECIDED),
        unit_path=PLACE,
        date_field="decided_on",
        value=Count("establishment", distinct=True),
    )
)
register(
    ComputedSource(
        code="premises.business_fines",
        name="Số tiền phạt cơ sở kinh doanh theo quyết định",
        name_en="Fines imposed on businesses",
        unit=IndicatorUnit.VND,
        queryset=lambda: BusinessSanction.objects.filter(status__in=_DECIDED),
        unit_path=PLACE,
        date_field="decided_on",
        value=Sum("amount"),
    )
)
register(
    ComputedSource(
        code="premises.licence_revocations",
        name="Số giấy phép bị thu hồi theo đề nghị",
        name_en="Licences revoked on proposal",
        unit=IndicatorUnit.ESTABLISHMENTS,
        queryset=lambda: RevocationProposal.objects.filter(answer=RevocationAnswer.REVOKED),
        unit_path="sanction__establishment__unit_path",
        date_field="answered_on",
        value=Count("sanction__establishment", distinct=True),
    )
)
