"""Indicators computed from criminal cases: T01 (cases busted) and T05 (cases and defendants tried).

A case counts where it happened (its unit) and in the period of the stage's date. Counts of 1–4 are
shown as "< 5" outside the police, procuracy, courts and customs. T01 and T05 are on the plan dashboard as
their targets (the targets point at these codes); no dashboard section of their own, so the page's query
count stays as it is. T01 and T05 keep rollups (``rollup=True``): bulk loads call ``rollup_rebuild``.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from lanhmanh.enforcement.cases.models import CriminalCase, Victim
from lanhmanh.enforcement.cases.rules import OWNER_AGENCY_KINDS
from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register

register(
    ComputedSource(
        code="enforcement.criminal_cases_busted",
        name="Số vụ án môi giới, chứa mại dâm, xâm hại tình dục trẻ em, hiếp dâm, mua bán người bị triệt phá",
        name_en="Criminal cases busted (brokering, harbouring, child sexual abuse, rape, trafficking)",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(busted_on__isnull=False),
        unit_path="unit__path",
        date_field="busted_on",
        disaggregations={"group": "offence__group", "body": "investigating_body"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        rollup=True,
        description="Vụ án hình sự có ngày phá án trong kỳ, theo nơi xảy ra và nhóm tội (chỉ tiêu T01).",
    )
)
register(
    ComputedSource(
        code="enforcement.trial_cases",
        name="Số vụ án liên quan đến mại dâm được xét xử sơ thẩm",
        name_en="Cases tried at first instance",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(tried_on__isnull=False),
        unit_path="unit__path",
        date_field="tried_on",
        disaggregations={"group": "offence__group"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        rollup=True,
        description="Vụ án có ngày xét xử sơ thẩm trong kỳ (chỉ tiêu T05, số vụ).",
    )
)
register(
    ComputedSource(
        code="enforcement.trial_defendants",
        name="Số bị cáo được xét xử sơ thẩm",
        name_en="Defendants tried at first instance",
        unit=IndicatorUnit.PERSONS,
        queryset=lambda: CriminalCase.objects.filter(tried_on__isnull=False),
        unit_path="unit__path",
        date_field="tried_on",
        value=Sum("defendant_count"),
        disaggregations={"group": "offence__group"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        rollup=True,
        description="Bị cáo trong các vụ án xét xử sơ thẩm trong kỳ (chỉ tiêu T05, số bị cáo).",
    )
)
register(
    ComputedSource(
        code="enforcement.mobile_trials",
        name="Số phiên tòa xét xử lưu động",
        name_en="Mobile trials",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(tried_on__isnull=False, mobile_trial=True),
        unit_path="unit__path",
        date_field="tried_on",
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        description="Vụ án xét xử sơ thẩm lưu động tại khu dân cư (nhiệm vụ III.13).",
    )
)
register(
    ComputedSource(
        code="enforcement.cases_judged",
        name="Số vụ án có bản án có hiệu lực pháp luật",
        name_en="Cases with a final judgment",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(final_on__isnull=False),
        unit_path="unit__path",
        date_field="final_on",
        disaggregations={"group": "offence__group"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        description="Vụ án có bản án có hiệu lực trong kỳ; thời gian từ phá án đến bản án: trang thống kê vụ án.",
    )
)
register(
    ComputedSource(
        code="enforcement.victims_referred",
        name="Số bị hại được chuyển hỗ trợ, bảo vệ",
        name_en="Victims referred to support",
        unit=IndicatorUnit.PERSONS,
        queryset=lambda: Victim.objects.filter(referred_on__isnull=False),
        unit_path="case__unit__path",
        date_field="referred_on",
        value=Count("person", distinct=True),
        disaggregations={"offer": "offer"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        description="Bị hại trong vụ án hình sự được đề nghị hồ sơ bảo vệ trẻ em hoặc hỗ trợ nạn nhân bị mua bán.",
    )
)
register(
    ComputedSource(
        code="enforcement.cases_prosecuted",
        name="Số vụ án được khởi tố",
        name_en="Cases prosecuted (investigation opened)",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(prosecuted_on__isnull=False),
        unit_path="unit__path",
        date_field="prosecuted_on",
        disaggregations={"group": "offence__group"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
    )
)
register(
    ComputedSource(
        code="enforcement.cases_indicted",
        name="Số vụ án bị truy tố",
        name_en="Cases indicted",
        unit=IndicatorUnit.CASES,
        queryset=lambda: CriminalCase.objects.filter(indicted_on__isnull=False),
        unit_path="unit__path",
        date_field="indicted_on",
        disaggregations={"group": "offence__group"},
        owner_agency_kinds=OWNER_AGENCY_KINDS,
    )
)

# The sources kept in the rollup table: rebuilt after bulk loads (the demo, benchmarks).
ROLLUP_CODES = [
    "enforcement.criminal_cases_busted",
    "enforcement.trial_cases",
    "enforcement.trial_defendants",
]
