"""Indicators of activities and budget: events held, participants, budget execution."""

from django.db.models import Count, F, Q, Sum

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, FormulaSource, register, register_formula
from lanhmanh.org.levels import COMMUNE_LEVEL
from lanhmanh.org.models import Agency, AgencyKind
from lanhmanh.plans.models import Activity, ActivityKind, BudgetLine

ACTIVITY_DISAGGREGATIONS = {"kind": "kind", "agency_kind": "organiser__kind"}
# Club meetings gather women who sell sex: small attendance counts could point at people, so they
# are shown in full only to the agencies that run or supervise the clubs.
CLUB_OWNERS = ("womens-union", "dolisa", "dolisa-pctnxh", "district-labour", "commune-social")

register(
    ComputedSource(
        code="plans.activities_held",
        name="Số hoạt động tuyên truyền, tập huấn, hội thảo, tham quan, sinh hoạt câu lạc bộ đã tổ chức",
        name_en="Activities held",
        unit=IndicatorUnit.EVENTS,
        queryset=lambda: Activity.objects.all(),
        unit_path="unit_path",
        date_field="held_on",
        rollup=True,
        disaggregations=ACTIVITY_DISAGGREGATIONS,
    )
)
register(
    ComputedSource(
        code="plans.trainings_held",
        name="Số lớp tập huấn đã tổ chức",
        name_en="Trainings held",
        unit=IndicatorUnit.EVENTS,
        queryset=lambda: Activity.objects.filter(kind=ActivityKind.TRAINING),
        unit_path="unit_path",
        date_field="held_on",
        rollup=True,
        disaggregations={"agency_kind": "organiser__kind"},
    )
)
register(
    ComputedSource(
        code="plans.participants_male",
        name="Số lượt người tham dự hoạt động: nam",
        name_en="Activity participants, male",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: Activity.objects.all(),
        unit_path="unit_path",
        date_field="held_on",
        rollup=True,
        value=Sum("participants_male"),
        disaggregations=ACTIVITY_DISAGGREGATIONS,
    )
)
register(
    ComputedSource(
        code="plans.participants_female",
        name="Số lượt người tham dự hoạt động: nữ",
        name_en="Activity participants, female",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: Activity.objects.all(),
        unit_path="unit_path",
        date_field="held_on",
        rollup=True,
        value=Sum("participants_female"),
        disaggregations=ACTIVITY_DISAGGREGATIONS,
    )
)
register(
    ComputedSource(
        code="plans.club_participants",
        name="Số lượt chị em tham gia sinh hoạt câu lạc bộ",
        name_en="Club meeting attendance",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: Activity.objects.filter(kind=ActivityKind.CLUB_MEETING),
        unit_path="unit_path",
        date_field="held_on",
        rollup=True,
        value=Sum(F("participants_male") + F("participants_female")),
        owner_agency_kinds=CLUB_OWNERS,
    )
)
register_formula(
    FormulaSource(
        code="plans.participants",
        name="Số lượt người tham dự hoạt động",
        name_en="Activity participants",
        unit=IndicatorUnit.PERSON_TIMES,
        formula="{plans.participants_male} + {plans.participants_female}",
    )
)
for field, name, name_en in (
    ("allocated", "Kinh phí được giao", "Budget allocated"),
    ("disbursed", "Kinh phí đã cấp", "Budget disbursed"),
    ("spent", "Kinh phí đã chi", "Budget spent"),
):
    register(
        ComputedSource(
            code=f"plans.budget_{field}",
            name=name,
            name_en=name_en,
            unit=IndicatorUnit.VND,
            queryset=lambda: BudgetLine.objects.all(),
            unit_path="unit_path",
            date_field="recorded_on",
            value=Sum(field),
            disaggregations={"agency": "agency__code"},
        )
    )
register_formula(
    FormulaSource(
        code="plans.budget_execution",
        name="Tỷ lệ giải ngân kinh phí (đã chi / được giao)",
        name_en="Budget execution",
        unit=IndicatorUnit.PERCENT,
        formula="share({plans.budget_spent}, {plans.budget_allocated})",
    )
)


# Commune Team 178 coverage (Hanoi's 2026 plan sets up a Team 178 in every commune): the communes of the
# period's map with an active Team 178, against ``org.communes`` (a target of kind "share of units").
register(
    ComputedSource(
        code="plans.commune_teams_178",
        name="Số xã, phường có Đội kiểm tra liên ngành 178",
        name_en="Communes with a Team 178",
        unit=IndicatorUnit.COMMUNES,
        queryset=lambda: Agency.objects.filter(
            kind=AgencyKind.TEAM_178, active=True, unit__level=COMMUNE_LEVEL
        ),
        unit_path="unit__path",
        period_filter=lambda qs, period: qs.filter(
            Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=period.end),
            Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=period.end),
        ),
        value=Count("unit", distinct=True),
        description="Xã, phường còn hiệu lực vào ngày cuối của kỳ có Đội 178 đang hoạt động.",
    )
)
