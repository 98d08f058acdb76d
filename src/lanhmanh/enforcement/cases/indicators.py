"""Indicators computed from criminal cases: T01 (cases busted) and T05 (cases and defendants tried).

A case counts where it happened (its unit) and in the period of the stage's date. Counts of 1–4 are
shown as "< 5" outside the police, procuracy, courts, customs and border guards. T01 and T05 are on the plan dashboard as
their targets (the targets point at these codes); no dashboard section of their own, so the page's query
count stays as it is. T01 and T05 keep rollups (``rollup=True``): bulk loads call ``rollup_rebuild``.
"""

from __future__ import annotations

from django.db.models import Count, Sum

from lanhmanh.enforcement.cases.models import CriminalCase, Victim
from lanhmanh.enforcement.cases.rules import OWNER_AGENCY_KINDS
from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register

GROUP = {"group": "offence__group"}


def _case_source(code: str, name: str, name_en: str, date_field: str, **extra) -> ComputedSource:
    """A count of criminal cases (by default) placed by the case's unit and the date of one of its stages."""
    extra.setdefault("unit", IndicatorUnit.CASES)
    extra.setdefault("queryset", lambda: CriminalCase.objects.filter(**{f"{date_field}__isnull": False}))
    extra.setdefault("unit_path", "unit__path")
    return ComputedSource(
        code=code,
        name=name,
        name_en=name_en,
        date_field=date_field,
        owner_agency_kinds=OWNER_AGENCY_KINDS,
        **extra,
    )


for source in (
    _case_source(
        "enforcement.criminal_cases_busted",
        "Số vụ án môi giới, chứa mại dâm, xâm hại tình dục trẻ em, hiếp dâm, mua bán người bị triệt phá",
        "Criminal cases busted (brokering, harbouring, child sexual abuse, rape, trafficking)",
        "busted_on",
        disaggregations={**GROUP, "body": "investigating_body"},
        rollup=True,
        description="Vụ án hình sự có ngày phá án trong kỳ, theo nơi xảy ra và nhóm tội (chỉ tiêu T01).",
    ),
    _case_source(
        "enforcement.trial_cases",
        "Số vụ án liên quan đến mại dâm được xét xử sơ thẩm",
        "Cases tried at first instance",
        "tried_on",
        disaggregations=GROUP,
        rollup=True,
        description="Vụ án có ngày xét xử sơ thẩm trong kỳ (chỉ tiêu T05, số vụ).",
    ),
    _case_source(
        "enforcement.trial_defendants",
        "Số bị cáo được xét xử sơ thẩm",
        "Defendants tried at first instance",
        "tried_on",
        unit=IndicatorUnit.PERSONS,
        value=Sum("defendant_count"),
        disaggregations=GROUP,
        rollup=True,
        description="Bị cáo trong các vụ án xét xử sơ thẩm trong kỳ (chỉ tiêu T05, số bị cáo).",
    ),
    _case_source(
        "enforcement.mobile_trials",
        "Số phiên tòa xét xử lưu động",
        "Mobile trials",
        "tried_on",
        queryset=lambda: CriminalCase.objects.filter(tried_on__isnull=False, mobile_trial=True),
        description="Vụ án xét xử sơ thẩm lưu động tại khu dân cư (nhiệm vụ III.13).",
    ),
    _case_source(
        "enforcement.cases_judged",
        "Số vụ án có bản án có hiệu lực pháp luật",
        "Cases with a final judgment",
        "final_on",
        disaggregations=GROUP,
        description="Vụ án có bản án có hiệu lực trong kỳ; thời gian từ phá án đến bản án: trang thống kê vụ án.",
    ),
    _case_source(
        "enforcement.victims_referred",
        "Số bị hại được chuyển hỗ trợ, bảo vệ",
        "Victims referred to support",
        "referred_on",
        unit=IndicatorUnit.PERSONS,
        queryset=lambda: Victim.objects.filter(referred_on__isnull=False),
        unit_path="case__unit__path",
        value=Count("person", distinct=True),
        disaggregations={"offer": "offer"},
        description="Bị hại trong vụ án hình sự được đề nghị hồ sơ bảo vệ trẻ em hoặc hỗ trợ nạn nhân bị mua bán.",
    ),
    _case_source(
        "enforcement.cases_prosecuted",
        "Số vụ án được khởi tố",
        "Cases prosecuted (investigation opened)",
        "prosecuted_on",
        disaggregations=GROUP,
    ),
    _case_source(
        "enforcement.cases_indicted",
        "Số vụ án bị truy tố",
        "Cases indicted",
        "indicted_on",
        disaggregations=GROUP,
    ),
):
    register(source)

# The sources kept in the rollup table: rebuilt after bulk loads (the demo, benchmarks).
ROLLUP_CODES = [
    "enforcement.criminal_cases_busted",
    "enforcement.trial_cases",
    "enforcement.trial_defendants",
]
