"""Indicators of outreach and support for the plan dashboard, T07 among them.

Counts of people reached and cases are sensitive in small numbers: the agencies that do the casework
see them in full, everyone else sees 1–4 as "< 5".
"""

from django.db.models import Count, Q

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register
from lanhmanh.support.models import (
    CaseKind,
    ContactAttempt,
    Enrolment,
    Referral,
    ReferralStatus,
    Service,
    SupportCase,
)

CASEWORK_OWNERS = ("womens-union", "dolisa", "dolisa-pctnxh", "district-labour", "commune-social")
DASHBOARD = "Tiếp cận, hỗ trợ"  # the section of the plan dashboard these indicators appear in

register(
    ComputedSource(
        code="support.women_trained_employed",
        name="Số phụ nữ bán dâm được dạy nghề và tạo việc làm",
        name_en="Women who sold sex trained and placed in jobs",
        unit=IndicatorUnit.PERSONS,
        # Counted in the period in which she reached the job, once per person even if enrolled twice.
        queryset=lambda: Enrolment.objects.filter(
            person__sex="female", training_completed_on__isnull=False, employed_on__isnull=False
        ),
        unit_path="case__unit__path",
        date_field="employed_on",
        value=Count("person", distinct=True),
        disaggregations={"programme": "programme__code"},
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
        description=(
            "Người tham gia Chương trình 1993 hoặc dự án do Plan tài trợ đã hoàn thành học nghề và có việc làm; "
            "tính vào kỳ có việc làm (chỉ tiêu T07)."
        ),
    )
)
register(
    ComputedSource(
        code="support.people_reached",
        name="Số người được tiếp cận",
        name_en="People reached by outreach",
        unit=IndicatorUnit.PERSONS,
        queryset=lambda: ContactAttempt.objects.exclude(result="not-reached"),
        unit_path="task__unit__path",
        date_field="made_on",
        value=Count("task__person", distinct=True),
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
    )
)
register(
    ComputedSource(
        code="support.cases_opened",
        name="Số hồ sơ hỗ trợ được mở",
        name_en="Support cases opened",
        unit=IndicatorUnit.CASES,
        queryset=lambda: SupportCase.objects.all(),
        unit_path="unit__path",
        date_field="opened_on",
        disaggregations={"kind": "kind"},
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
    )
)
register(
    ComputedSource(
        code="support.services_given",
        name="Số lượt dịch vụ hỗ trợ đã cung cấp",
        name_en="Support services given",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: Service.objects.all(),
        unit_path="case__unit__path",
        date_field="given_on",
        disaggregations={"kind": "kind", "agency_kind": "provider__kind"},
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
        dashboard_by="kind",
    )
)
register(
    ComputedSource(
        code="support.referrals_completed",
        name="Số chuyển gửi đã hoàn thành",
        name_en="Referrals completed",
        unit=IndicatorUnit.CASES,
        queryset=lambda: Referral.objects.filter(status=ReferralStatus.COMPLETED),
        unit_path="case__unit__path",
        date_field="responded_on",
        disaggregations={"purpose": "purpose"},
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
    )
)
register(
    ComputedSource(
        code="support.cases_closed",
        name="Số hồ sơ hỗ trợ đã đóng, theo kết quả",
        name_en="Support cases closed, by outcome",
        unit=IndicatorUnit.CASES,
        queryset=lambda: SupportCase.objects.filter(Q(status="closed")),
        unit_path="unit__path",
        date_field="closed_on",
        disaggregations={"outcome": "outcome", "kind": "kind"},
        owner_agency_kinds=CASEWORK_OWNERS,
        dashboard_section=DASHBOARD,
        dashboard_by="outcome",
    )
)

# Kept under its registry code (``people.``: it replaces a violation record for a child); support owns
# child-protection cases, so it declares it.
register(
    ComputedSource(
        code="people.children_protected",
        name="Số trẻ em được mở hồ sơ bảo vệ",
        name_en="Children protected (child-protection cases opened)",
        unit=IndicatorUnit.PERSONS,
        queryset=lambda: SupportCase.objects.filter(kind=CaseKind.CHILD),
        unit_path="unit__path",
        date_field="opened_on",
        value=Count("person", distinct=True),
        disaggregations={"sex": "person__sex"},
        owner_agency_kinds=("district-labour", "commune-social", "dolisa-pctnxh", "womens-union"),
        description="Trẻ em (dưới 18 tuổi) được mở hồ sơ bảo vệ trẻ em thay cho hồ sơ vi phạm, theo ngày mở "
        "hồ sơ và địa bàn của hồ sơ.",
    )
)
