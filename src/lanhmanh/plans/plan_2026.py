"""Hanoi's 2026 plan on the two-level map (city → 126 communes and wards, no districts since 1/7/2025).

Built the way a coordinator builds it: the 2014 plan copied to 2026 (``services.plan_copy`` moves units
and agencies to their successors and lists what it cannot place), then the targets new in 2026, as data
(``TARGETS_2026``): at least 60 % of the establishments inspected once a year, a Team 178 in every
commune, and the register of at least 2,937 establishments (``../shared/reference/legal.md``). The plan's
lead agency and coordinator role are the plan's own fields, not code.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.services import indicator_ensure
from lanhmanh.org.models import AdministrativeUnit, Agency, Role
from lanhmanh.plans.models import Plan, TargetKind
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import plan_copy, target_create

YEAR = 2026
TITLE = "Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2026"
# Targets new in 2026: (code, title, kind, indicator code, indicator name, unit, value, lead agency codes).
TARGETS_2026 = (
    (
        "T11",
        "Kiểm tra ít nhất 60 % số cơ sở kinh doanh dịch vụ dễ bị lợi dụng hoạt động mại dâm, "
        "mỗi cơ sở ít nhất một lần trong năm.",
        TargetKind.AT_LEAST,
        "premises.inspected_share",
        "Tỷ lệ cơ sở được kiểm tra ít nhất một lần",
        IndicatorUnit.PERCENT,
        Decimal(60),
        ("dolisa-pctnxh",),
    ),
    (
        "T12",
        "Quản lý, theo dõi ít nhất 2.937 cơ sở kinh doanh dịch vụ dễ bị lợi dụng hoạt động mại dâm.",
        TargetKind.AT_LEAST,
        "premises.establishments",
        "Số cơ sở kinh doanh dịch vụ dễ bị lợi dụng hoạt động mại dâm",
        IndicatorUnit.ESTABLISHMENTS,
        Decimal(2937),
        ("city-police",),
    ),
    (
        "T13",
        "100 % xã, phường thành lập và duy trì Đội kiểm tra liên ngành 178 cấp xã.",
        TargetKind.SHARE_OF_UNITS,
        "plans.commune_teams_178",
        "Số xã, phường có Đội kiểm tra liên ngành 178",
        IndicatorUnit.COMMUNES,
        Decimal(100),
        ("city-committee",),
    ),
)


@transaction.atomic
def load_plan_2026(*, province_code: str = "01", actor=None, lead: str = "dolisa-pctnxh") -> Plan:
    """Copy the city's 2014 plan to 2026 and add the 2026 targets (idempotent: an existing 2026 plan of
    the city is returned as is). Needs the 2025 units and their successor links
    (``import_units_2025``, ``link_unit_successors``) and the communes' agencies (``--co-quan``).
    ``lead``: the code (without the province prefix) of the plan's lead agency."""
    province = AdministrativeUnit.objects.filter(path=province_code, valid_to__isnull=True).first()
    if (
        province is None
        or not AdministrativeUnit.objects.filter(parent=province, valid_from__year=2025).exists()
    ):
        raise ValidationError(
            "Chưa có danh mục đơn vị hành chính sau 1/7/2025 của tỉnh, thành phố này: chạy import_units_2025 trước."
        )
    existing = Plan.objects.filter(year=YEAR, scope_unit__path=province_code, parent__isnull=True).first()
    if existing is not None:
        return existing
    source = load_plan_2014(province_code=province_code)
    plan = plan_copy(plan=source, year=YEAR, actor=actor, number="")
    agencies = {a.code.removeprefix(f"{province_code}-"): a for a in Agency.objects.filter(unit=province)}
    plan.title = TITLE
    plan.lead_agency = agencies.get(lead)
    plan.coordinator_role = Role.objects.filter(code=Role.CITY_COORDINATOR).first()
    plan.full_clean()
    plan.save(update_fields=["title", "lead_agency", "coordinator_role"])
    start = plan.targets.count()
    for order, (code, title, kind, indicator, name, unit, value, leads) in enumerate(
        TARGETS_2026, start=start + 1
    ):
        target_create(
            plan=plan,
            actor=actor,
            code=code,
            order=order,
            title=title,
            kind=kind,
            indicator=indicator_ensure(code=indicator, name=name, unit=unit),
            value=value,
            unit=province,
            lead_agencies=[agencies[c] for c in leads if c in agencies],
        )
    return plan
