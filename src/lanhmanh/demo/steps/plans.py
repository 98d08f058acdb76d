"""Demo data of the plans app: the Hanoi 2014 plan, activities in several districts, budget lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.org.models import AdministrativeUnit, Agency, User
from lanhmanh.plans.audiences import load_groups
from lanhmanh.plans.models import (
    Activity,
    ActivityKind,
    Allocation,
    AudienceGroup,
    BudgetLine,
    Channel,
    FundingSource,
    Plan,
    TargetItem,
    TargetKind,
    TaskStatus,
)
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import (
    activity_create,
    allocation_create,
    allocation_decide,
    allocation_submit,
    breakdowns_set,
    budget_line_create,
    district_duty_create,
    district_plan_create,
    task_update,
)

MARK = "[demo] "
# (commune path, kind, title, day, male, female, materials)
ACTIVITIES = [
    (
        "01.002.00079",
        ActivityKind.TRAINING,
        "Tập huấn kỹ năng tuyên truyền cho cán bộ phường",
        (3, 12),
        8,
        14,
        40,
    ),
    ("01.002.00079", ActivityKind.CLUB_MEETING, "Sinh hoạt câu lạc bộ “Phụ nữ vươn lên”", (4, 5), 0, 12, 20),
    (
        "01.002.00061",
        ActivityKind.CAMPAIGN,
        "Tuyên truyền lưu động phòng, chống mại dâm",
        (4, 20),
        60,
        75,
        500,
    ),
    (
        "01.001.00001",
        ActivityKind.WORKSHOP,
        "Hội thảo mô hình phường không có tệ nạn mại dâm",
        (5, 8),
        15,
        22,
        60,
    ),
    ("01.007.00241", ActivityKind.TRAINING, "Tập huấn nghiệp vụ cho Đội 178 quận", (6, 10), 18, 6, 30),
    ("01.017.00460", ActivityKind.CAMPAIGN, "Truyền thông tại chợ và bến xe", (6, 25), 40, 55, 800),
    (
        "01.018.00526",
        ActivityKind.STUDY_TOUR,
        "Tham quan mô hình hỗ trợ hòa nhập cộng đồng",
        (7, 15),
        5,
        9,
        0,
    ),
    ("01.006.00205", ActivityKind.CLUB_MEETING, "Sinh hoạt câu lạc bộ đồng đẳng", (8, 2), 0, 7, 15),
]
# Per activity (same order): audience group codes, channel, duty group of section III it carries out.
ACTIVITY_DETAILS = [
    (["can-bo"], Channel.DIRECT, 16),
    (["da-vi-pham", "nguy-co-cao"], Channel.CLUB, 11),
    (["lao-dong-ngoai-tinh", "cong-dong"], Channel.LOUDSPEAKER, 16),
    (["can-bo"], Channel.DIRECT, 1),
    (["can-bo"], Channel.DIRECT, 1),
    (["lao-dong-ngoai-tinh", "giap-ranh"], Channel.PRINT, 16),
    (["can-bo"], Channel.DIRECT, 1),
    (["da-vi-pham"], Channel.CLUB, 11),
]
# (agency code, title, day, allocated, disbursed, spent, funding source)
BUDGET = [
    (
        "01-dolisa-pctnxh",
        "Tập huấn, hội thảo cấp Thành phố",
        (3, 1),
        250_000_000,
        200_000_000,
        150_000_000,
        FundingSource.CITY,
    ),
    (
        "01-dolisa-pctnxh",
        "Hoạt động của Đội kiểm tra liên ngành 178 Thành phố",
        (3, 1),
        180_000_000,
        120_000_000,
        95_000_000,
        FundingSource.CITY,
    ),
    (
        "01-dolisa-pctnxh",
        "Hỗ trợ phụ nữ trẻ (dự án do tổ chức Plan tài trợ)",
        (3, 15),
        300_000_000,
        300_000_000,
        210_000_000,
        FundingSource.PLAN_PROJECT,
    ),
    (
        "01-002-labour",
        "Tuyên truyền tại các phường",
        (4, 1),
        60_000_000,
        60_000_000,
        45_000_000,
        FundingSource.DISTRICT,
    ),
    (
        "01-002-labour",
        "Hỗ trợ học nghề sau xử phạt (huy động doanh nghiệp)",
        (4, 1),
        25_000_000,
        25_000_000,
        12_000_000,
        FundingSource.MOBILISED,
    ),
    (
        "01-017-labour",
        "Truyền thông tại chợ, bến xe",
        (6, 1),
        40_000_000,
        30_000_000,
        30_000_000,
        FundingSource.DISTRICT,
    ),
]


@step(order=40)
def plan_2014(context: DemoContext) -> str:
    """The 2014 plan with its ten targets and duty lists, a few activities and budget lines (idempotent)."""
    plan = load_plan_2014()
    coordinator = context.accounts.get("city-coordinator")
    new_activities = 0
    load_groups()
    groups = {group.code: group for group in AudienceGroup.objects.all()}
    if not Activity.objects.filter(title__startswith=MARK).exists():
        for (path, kind, title, (month, day), male, female, materials), (codes, channel, group) in zip(
            ACTIVITIES, ACTIVITY_DETAILS, strict=True
        ):
            place = AdministrativeUnit.objects.filter(path=path).order_by("valid_from").first()
            if place is None:
                continue
            organiser = (
                Agency.objects.filter(unit=place).order_by("code").first()
                or Agency.objects.filter(unit=place.parent, kind="district-labour").first()
            )
            if organiser is None:
                continue
            activity_create(
                actor=coordinator,
                plan=plan,
                kind=kind,
                title=MARK + title,
                held_on=dt.date(2014, month, day),
                unit=place,
                organiser=organiser,
                duty=plan.duties.filter(group=group).order_by("order").first(),
                audience_groups=[groups[code] for code in codes if code in groups],
                channel=channel,
                audience="Cán bộ, hội viên và người dân trên địa bàn",
                participants_male=male,
                participants_female=female,
                materials=materials,
            )
            new_activities += 1
    new_lines = 0
    if not BudgetLine.objects.filter(plan=plan, title__startswith=MARK).exists():
        allocations = _allocations(plan, context)
        for code, title, (month, day), allocated, disbursed, spent, source in BUDGET:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                continue
            budget_line_create(
                funding_source=source,
                allocation=allocations.get(code),
                actor=coordinator,
                plan=plan,
                agency=agency,
                title=MARK + title,
                recorded_on=dt.date(2014, month, day),
                allocated=Decimal(allocated),
                disbursed=Decimal(disbursed),
                spent=Decimal(spent),
            )
            new_lines += 1
        _decide(allocations, context)
    # One task of the city sub-department already under way, so the task list shows every state.
    task = plan.duties.filter(group=1).first().tasks.filter(owner__code="01-dolisa-pctnxh").first()
    if task is not None and task.status == TaskStatus.NOT_STARTED:
        task_update(
            task=task,
            actor=coordinator,
            status=TaskStatus.IN_PROGRESS,
            evidence_note="Đã xây dựng dự thảo kế hoạch triển khai.",
        )
    return f"Kế hoạch 2014: {plan.targets.count()} chỉ tiêu; hoạt động: {new_activities} mới; kinh phí: {new_lines} dòng mới."


def _allocations(plan, context: DemoContext) -> dict[str, Allocation]:
    """An allocation plan of the city sub-department (still being drafted) and one of Hoàn Kiếm's labour
    office (to be approved by the district committee's decision), keyed by agency code."""
    made = {}
    for code, title, account in (
        (
            "01-dolisa-pctnxh",
            "Phân bổ kinh phí phòng, chống mại dâm năm 2014 của Thành phố",
            "city-coordinator",
        ),
        ("01-002-labour", "Phân bổ kinh phí phòng, chống mại dâm năm 2014 quận Hoàn Kiếm", "district-labour"),
    ):
        agency = Agency.objects.filter(code=code).first()
        actor = context.accounts.get(account)
        if agency is not None and actor is not None:
            made[code] = allocation_create(plan=plan, agency=agency, title=MARK + title, actor=actor)
    return made


def _decide(allocations: dict[str, Allocation], context: DemoContext) -> None:
    district = allocations.get("01-002-labour")
    submitter, coordinator = context.accounts.get("district-labour"), context.accounts.get("city-coordinator")
    if district is None or submitter is None or coordinator is None:
        return
    allocation_submit(allocation=district, actor=submitter)
    allocation_decide(
        allocation=district,
        actor=coordinator,
        approve=True,
        decision_number="215/QĐ-UBND",
        decision_date=dt.date(2014, 3, 20),
    )


# District quotas of three city targets (the coordinator's breakdown, under the city goals: 180, 500, 1,500),
# for the inner districts where most of the work is; the outer districts have none yet.
QUOTAS = {
    "T01": {"Hoàn Kiếm": 16, "Ba Đình": 10, "Đống Đa": 16, "Hai Bà Trưng": 14, "Cầu Giấy": 8, "Tây Hồ": 8},
    "T03": {"Hoàn Kiếm": 70, "Ba Đình": 40, "Đống Đa": 60, "Hai Bà Trưng": 55, "Cầu Giấy": 30, "Tây Hồ": 35},
    "T04": {
        "Hoàn Kiếm": 160,
        "Ba Đình": 110,
        "Đống Đa": 150,
        "Hai Bà Trưng": 140,
        "Cầu Giấy": 90,
        "Tây Hồ": 90,
    },
}
DISTRICT_PLANS = (
    (
        "Hoàn Kiếm",
        "Kế hoạch phòng, chống mại dâm trên địa bàn quận Hoàn Kiếm năm 2014",
        "18/KH-UBND",
        dt.date(2014, 2, 10),
        (
            (
                "Tổ chức kiểm tra hành chính các cơ sở lưu trú, karaoke, massage trên các tuyến phố giáp ranh "
                "phường Tràng Tiền, Hàng Bạc; xử lý nghiêm vi phạm.",
                ("01-002-police",),
                dt.date(2014, 6, 30),
                True,
            ),
            (
                "Đội 178 quận kiểm tra việc chấp hành quy định phòng, chống mại dâm tại 20 cơ sở kinh doanh "
                "dịch vụ có điều kiện.",
                ("01-002-team-178",),
                dt.date(2014, 11, 30),
                False,
            ),
        ),
    ),
    (
        "Ba Đình",
        "Kế hoạch thực hiện công tác phòng, chống mại dâm quận Ba Đình năm 2014",
        "25/KH-UBND",
        dt.date(2014, 2, 20),
        (
            (
                "Tuần tra, kiểm soát khu vực công viên Bách Thảo và các tuyến phố quanh hồ Trúc Bạch vào buổi tối.",
                ("01-001-police",),
                dt.date(2014, 9, 30),
                False,
            ),
        ),
    ),
)


@step(order=85)
def plan_2014_districts(context: DemoContext) -> str | None:
    """District quotas of T01, T03 and T04; the plans of Hoàn Kiếm and Ba Đình under the city plan with
    their duties; T09's list of designated communes from the model-commune register (after the 2026
    plan was copied from 2014, which stays as it was). Idempotent."""
    plan = Plan.objects.filter(year=2014, scope_unit__path="01", parent__isnull=True).first()
    coordinator = context.accounts.get("city-coordinator")
    if plan is None or coordinator is None or Plan.objects.filter(parent=plan).exists():
        return None
    day = dt.date(2014, 1, 1)
    districts = {u.name: u for u in AdministrativeUnit.objects.filter(parent=plan.scope_unit).valid_on(day)}
    for code, quotas in QUOTAS.items():
        target = plan.targets.get(code=code)
        values = {districts[name]: Decimal(value) for name, value in quotas.items() if name in districts}
        breakdowns_set(target=target, actor=coordinator, values=values)
    made = 0
    for name, title, number, issued_on, duties in DISTRICT_PLANS:
        unit = districts.get(name)
        if unit is None:
            continue
        labour = User.objects.filter(agency__unit=unit, agency__kind="district-labour").first() or coordinator
        sub = district_plan_create(
            parent=plan, unit=unit, title=title, number=number, issued_on=issued_on, actor=labour
        )
        for text, codes, due_on, done in duties:
            duty = district_duty_create(
                plan=sub,
                text=text,
                agencies=Agency.objects.filter(code__in=codes),
                due_on=due_on,
                actor=labour,
            )
            if done:
                for task in duty.tasks.all():
                    task_update(
                        task=task,
                        actor=labour,
                        status=TaskStatus.DONE,
                        evidence_note="Đã kiểm tra 14 cơ sở, lập biên bản 3 cơ sở vi phạm.",
                    )
        made += 1
    t09 = plan.targets.filter(kind=TargetKind.DESIGNATED_UNITS).first()
    listed = 0
    if t09 is not None and not t09.items.exists():
        units = AdministrativeUnit.objects.filter(model_designations__plan=plan).order_by("path")
        TargetItem.objects.bulk_create(
            TargetItem(target=t09, name=u.full_name, unit=u, order=n) for n, u in enumerate(units, start=1)
        )
        listed = t09.items.count()
    return f"Kế hoạch 2014: chỉ tiêu giao cho {len(QUOTAS['T03'])} quận; {made} kế hoạch quận; {listed} xã trong danh sách T09."
