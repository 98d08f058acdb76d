"""Demo data of the plans app: the Hanoi 2014 plan, activities in several districts, budget lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import Activity, ActivityKind, BudgetLine, TaskStatus
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import activity_create, budget_line_create, task_update

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
BUDGET = [
    ("01-dolisa-pctnxh", "Tập huấn, hội thảo cấp Thành phố", (3, 1), 250_000_000, 200_000_000, 150_000_000),
    ("01-002-labour", "Tuyên truyền tại các phường", (4, 1), 60_000_000, 60_000_000, 45_000_000),
    ("01-017-labour", "Truyền thông tại chợ, bến xe", (6, 1), 40_000_000, 30_000_000, 30_000_000),
]


@step(order=40)
def plan_2014(context: DemoContext) -> str:
    """The 2014 plan with its ten targets and duty lists, a few activities and budget lines (idempotent)."""
    plan = load_plan_2014()
    coordinator = context.accounts.get("city-coordinator")
    new_activities = 0
    if not Activity.objects.filter(title__startswith=MARK).exists():
        for path, kind, title, (month, day), male, female, materials in ACTIVITIES:
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
                audience="Cán bộ, hội viên và người dân trên địa bàn",
                participants_male=male,
                participants_female=female,
                materials=materials,
            )
            new_activities += 1
    new_lines = 0
    if not BudgetLine.objects.filter(plan=plan, title__startswith=MARK).exists():
        for code, title, (month, day), allocated, disbursed, spent in BUDGET:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                continue
            budget_line_create(
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
