"""The Hanoi 2014 prostitution-prevention plan as data: its ten targets and sixteen duty lists.

Targets are section I.2 of the plan; the duty texts (section III) are kept as the plan words them in
``data/plan-2014-duties.json``. Indicators that later modules will compute (criminal cases, hotspots,
sanctions, inspections, healthy communes…) are created now as *computed* indicators without a source,
so the dashboard can say plainly which targets have no data source yet.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources

from django.db import transaction

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.services import indicator_ensure
from lanhmanh.org.models import AdministrativeUnit, Agency, UnitLevel
from lanhmanh.plans.models import Duty, Plan, PlanSection, Target, TargetKind, Task
from lanhmanh.plans.services import target_create

TITLE = "Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2014"
LEGAL_BASIS = (
    "Chỉ thị số 22/CT-TTg ngày 15/10/2013 của Thủ tướng Chính phủ về tăng cường thực hiện các nhiệm vụ và "
    "giải pháp phòng, chống mại dâm trong tình hình hiện nay; Kế hoạch số 89/KH-UBND ngày 15/7/2011 về "
    "chương trình hành động phòng, chống tệ nạn mại dâm giai đoạn 2011-2015 trên địa bàn Thành phố."
)

# Indicators the targets are measured by: code → (name, English name, unit).
INDICATORS = {
    "enforcement.criminal_cases_busted": (
        "Số vụ môi giới, chứa mại dâm, dâm ô trẻ em, hiếp dâm, mua bán phụ nữ vì mục đích mại dâm bị triệt phá",
        "Prostitution-related criminal cases busted",
        IndicatorUnit.CASES,
    ),
    "enforcement.hotspots_eliminated": (
        "Số tụ điểm mại dâm công cộng bị triệt xóa",
        "Public hotspots eliminated",
        IndicatorUnit.HOTSPOTS,
    ),
    "people.sellers_sanctioned": (
        "Số lượt người bán dâm bị kiểm tra, quét vét, xử phạt hành chính",
        "Sex sellers administratively sanctioned (person-times)",
        IndicatorUnit.PERSON_TIMES,
    ),
    "premises.police_checks": (
        "Số lượt công an kiểm tra hành chính cơ sở kinh doanh dịch vụ có điều kiện",
        "Police administrative checks of conditional businesses",
        IndicatorUnit.CHECKS,
    ),
    "enforcement.trial_cases": (
        "Số vụ án liên quan đến mại dâm được xét xử",
        "Prostitution-related cases tried",
        IndicatorUnit.CASES,
    ),
    "enforcement.trial_defendants": (
        "Số bị cáo trong các vụ án liên quan đến mại dâm được xét xử",
        "Defendants tried",
        IndicatorUnit.PERSONS,
    ),
    "enforcement.hotspots_reemerged": (
        "Số tụ điểm đã triệt xóa (2009–2013) tái hoạt động",
        "Eliminated hotspots that re-emerged",
        IndicatorUnit.HOTSPOTS,
    ),
    "support.women_trained_employed": (
        "Số phụ nữ bán dâm được dạy nghề, tạo việc làm",
        "Women who sell sex given vocational training and jobs",
        IndicatorUnit.PERSONS,
    ),
    "premises.team178_inspections": (
        "Số cơ sở kinh doanh dịch vụ được Đội Kiểm tra liên ngành 178 Thành phố kiểm tra",
        "Establishments inspected by the city Team 178",
        IndicatorUnit.ESTABLISHMENTS,
    ),
    "communes.model_communes": (
        "Số xã, phường, thị trấn xây dựng và duy trì mô hình phòng, chống mại dâm",
        "Communes running the prevention model",
        IndicatorUnit.COMMUNES,
    ),
    "communes.healthy_communes": (
        "Số xã, phường, thị trấn không có tệ nạn mại dâm (theo NQLT 01/2008)",
        "Communes free of prostitution (JR 01/2008)",
        IndicatorUnit.COMMUNES,
    ),
}

HOTSPOTS_T02 = [
    (
        "Khu vực giáp ranh phố Phạm Ngũ Lão - Tràng Tiền - Dốc Bát Cổ thuộc phường Phan Chu Trinh - "
        "Tràng Tiền - Chương Dương, quận Hoàn Kiếm",
        "Hoàn Kiếm",
    ),
    ("Đường Lê Duẩn, đoạn gần Công Viên Lê Nin, phường Lê Đại Hành, quận Hai Bà Trưng", "Hai Bà Trưng"),
]

# code, kind, text (section I.2), indicator(s), values, lead agencies, supporting agencies.
TARGETS = [
    {
        "code": "T01",
        "kind": TargetKind.AT_LEAST,
        "title": "Triệt phá 180 vụ môi giới, chứa mại dâm, dâm ô trẻ em, hiếp dâm, mua bán phụ nữ vì mục đích mại dâm.",
        "indicator": "enforcement.criminal_cases_busted",
        "value": 180,
        "lead": ["city-police"],
    },
    {
        "code": "T02",
        "kind": TargetKind.ELIMINATE_SET,
        "title": "Triệt xóa 02 tụ điểm mại dâm tại các địa bàn công cộng.",
        "indicator": "enforcement.hotspots_eliminated",
        "value": 2,
        "lead": ["city-police"],
    },
    {
        "code": "T03",
        "kind": TargetKind.AT_LEAST,
        "title": "Kiểm tra, quét vét, xử phạt hành chính 500 lượt người bán dâm vi phạm trên địa bàn Thành phố.",
        "indicator": "people.sellers_sanctioned",
        "value": 500,
        "lead": ["city-police", "dolisa-inspectorate"],
    },
    {
        "code": "T04",
        "kind": TargetKind.AT_LEAST,
        "title": (
            "Ngành Công an kiểm tra hành chính 1.500 lượt tại các cơ sở kinh doanh dịch vụ có điều kiện, nhạy cảm "
            "về an ninh trật tự có liên quan đến hoạt động mại dâm."
        ),
        "indicator": "premises.police_checks",
        "value": 1500,
        "lead": ["city-police"],
    },
    {
        "code": "T05",
        "kind": TargetKind.PAIR,
        "title": "Xét xử 150 vụ án, 180 bị cáo liên quan đến tệ nạn mại dâm.",
        "indicator": "enforcement.trial_cases",
        "second_indicator": "enforcement.trial_defendants",
        "value": 150,
        "second_value": 180,
        "lead": ["court", "procuracy"],
    },
    {
        "code": "T06",
        "kind": TargetKind.KEEP_CLEAN_SET,
        "title": (
            "Duy trì không để tái hoạt động trở lại đối với 23 tụ điểm mại dâm công cộng đã triệt xóa năm 2009, "
            "2010, 2011, 2012 và năm 2013."
        ),
        "indicator": "enforcement.hotspots_reemerged",
        "value": 23,
        "lead": ["city-police"],
        "supporting": ["city-committee"],
        "note": "Danh sách 23 tụ điểm không có trong văn bản kế hoạch; bổ sung khi có hồ sơ tụ điểm.",
    },
    {
        "code": "T07",
        "kind": TargetKind.AT_LEAST,
        "title": (
            "Tổ chức dạy nghề và tạo việc làm cho 20 phụ nữ bán dâm, bán dâm nghiện ma túy theo Chương trình số "
            '1993/CTr-SLĐTBXH ngày 11/10/2012 của Sở Lao động Thương binh và xã hội và Dự án "Hỗ trợ xây dựng '
            'chính sách và thí điểm mô hình hòa nhập cộng đồng cho nữ thanh niên bị bóc lột tình dục tại Hà Nội" '
            "giai đoạn 2012-2015 do tổ chức Plan tài trợ."
        ),
        "indicator": "support.women_trained_employed",
        "value": 20,
        "lead": ["dolisa", "womens-union"],
        "supporting": ["dolisa-pctnxh"],
    },
    {
        "code": "T08",
        "kind": TargetKind.RANGE,
        "title": (
            "Đội Kiểm tra liên ngành 178 Thành phố tổ chức kiểm tra việc chấp hành các quy định của pháp luật về "
            "phòng, chống tệ nạn mại dâm tại 40 - 60 các cơ sở kinh doanh dịch vụ có điều kiện trên địa bàn Thành phố."
        ),
        "indicator": "premises.team178_inspections",
        "min_value": 40,
        "max_value": 60,
        "lead": ["city-team-178"],
        "supporting": ["dolisa", "city-police", "health", "trade", "culture"],
    },
    {
        "code": "T09",
        "kind": TargetKind.DESIGNATED_UNITS,
        "title": "Xây dựng và duy trì mô hình phòng, chống mại dâm tại 79 xã, phường, thị trấn (phụ lục 01).",
        "indicator": "communes.model_communes",
        "value": 79,
        "lead": ["dolisa", "dolisa-pctnxh"],
        "supporting": ["city-committee"],
        "note": "Phụ lục 01 (danh sách 79 xã, phường, thị trấn) không kèm theo văn bản; bổ sung danh sách khi có.",
    },
    {
        "code": "T10",
        "kind": TargetKind.SHARE_OF_UNITS,
        "title": (
            "Xây dựng, duy trì 85% tổng số xã, phường, thị trấn không có tệ nạn mại dâm theo tiêu chí của Nghị quyết "
            "Liên tịch số 01/2008/NQLT-BLĐTBXH-BCA-BVHTT-UBTƯMTTQVN ngày 28/8/2008."
        ),
        "indicator": "communes.healthy_communes",
        "value": 85,
        "lead": ["dolisa", "dolisa-pctnxh"],
        "supporting": ["culture", "fatherland-front", "city-committee"],
    },
]

# Section III groups → the city agencies they address (codes without the province prefix).
# Group 16 addresses every district committee (and, for its commune sub-duties, every commune committee):
# the data file says so ("addressee_kind", "levels"), and each committee gets its own task.
GROUP_AGENCIES = {
    1: ["dolisa", "dolisa-pctnxh"],
    2: ["city-police"],
    3: ["culture"],
    4: ["education"],
    5: ["health"],
    6: ["planning", "finance"],
    7: ["justice"],
    8: ["trade"],
    9: ["information"],
    10: ["customs"],
    11: ["womens-union"],
    12: ["youth-union"],
    13: ["procuracy", "court"],
    14: ["labour-federation"],
    15: ["fatherland-front"],
    16: [],
}


def duty_groups() -> list[dict]:
    raw = resources.files("lanhmanh.plans").joinpath("data", "plan-2014-duties.json").read_text("utf-8")
    return json.loads(raw)["groups"]


def _task_title(text: str) -> str:
    first = text.split(";")[0].split(". ")[0].strip().rstrip(".")
    return first if len(first) <= 280 else first[:277].rstrip() + "…"


@transaction.atomic
def load_plan_2014(*, province_code: str = "01") -> Plan:
    """Create the Hanoi 2014 plan (idempotent: an existing 2014 plan for the city is returned as is).

    Side effects: Indicator rows for the targets' indicators, the plan, its ten targets (with the two
    named hotspots of T02), the duty lists of the sixteen agency groups and one task per duty and
    agency (for group 16, one per district labour office), all due 31/12/2014.
    """
    province = AdministrativeUnit.objects.get(
        path=province_code, level=UnitLevel.PROVINCE, valid_from__isnull=True
    )
    existing = Plan.objects.filter(year=2014, scope_unit=province, parent__isnull=True, title=TITLE).first()
    if existing is not None:
        complete_plan_2014(existing)
        return existing
    agencies = {a.code.removeprefix(f"{province_code}-"): a for a in Agency.objects.filter(unit=province)}
    plan = Plan(
        title=TITLE,
        authority=agencies["city-committee"],
        legal_basis=LEGAL_BASIS,
        year=2014,
        scope_unit=province,
    )
    plan.full_clean()
    plan.save()
    indicators = {
        code: indicator_ensure(code=code, name=name, name_en=name_en, unit=unit)
        for code, (name, name_en, unit) in INDICATORS.items()
    }
    districts = {
        u.name: u for u in AdministrativeUnit.objects.filter(parent=province).valid_on(dt.date(2014, 1, 1))
    }
    for order, spec in enumerate(TARGETS, start=1):
        spec = dict(spec)
        items = []
        if spec["code"] == "T02":
            items = [(name, districts.get(district)) for name, district in HOTSPOTS_T02]
        fields = {
            "code": spec["code"],
            "order": order,
            "title": spec["title"],
            "kind": spec["kind"],
            "indicator": indicators[spec["indicator"]],
            "unit": province,
            "note": spec.get("note", ""),
        }
        if "second_indicator" in spec:
            fields["second_indicator"] = indicators[spec["second_indicator"]]
        for name in ("value", "second_value", "min_value", "max_value"):
            if name in spec:
                fields[name] = Decimal(spec[name])
        target_create(
            plan=plan,
            lead_agencies=[agencies[c] for c in spec["lead"]],
            supporting_agencies=[agencies[c] for c in spec.get("supporting", [])],
            items=items,
            **fields,
        )
    day = dt.date(2014, 1, 1)
    by_level: dict[tuple[str, int], list[Agency]] = {}
    tasks: list[Task] = []
    for group in duty_groups():
        addressees = [agencies[c] for c in GROUP_AGENCIES[group["group"]]]
        kind = group.get("addressee_kind", "")
        for order, text in enumerate(group["duties"], start=1):
            level = group["levels"][order - 1] if kind else None
            duty = Duty.objects.create(
                plan=plan,
                group=group["group"],
                group_title=group["title"],
                order=order,
                text=text,
                addressee_kind=kind,
                addressee_level=level,
                due_on=_due(group, order, plan.year),
            )
            duty.agencies.set(addressees)
            owners = addressees
            if kind:
                # Every committee of that level in the city: district committees, or commune committees.
                if (kind, level) not in by_level:
                    units = AdministrativeUnit.objects.filter(
                        level=level, path__startswith=f"{province.path}."
                    ).valid_on(day)
                    by_level[kind, level] = list(
                        Agency.objects.filter(kind=kind, unit__in=units).order_by("unit__path")
                    )
                owners = by_level[kind, level]
            tasks.extend(
                Task(duty=duty, title=_task_title(text), owner=o, due_on=duty.due_on) for o in owners
            )
    Task.objects.bulk_create(tasks, batch_size=1000)
    complete_plan_2014(plan)
    return plan


def _due(group: dict, order: int, year: int) -> dt.date:
    """The duty's due date from the data file ("MM-DD" in the plan's year), else the year's end."""
    dues = group.get("due") or []
    month_day = dues[order - 1] if order <= len(dues) else "12-31"
    month, day = (int(part) for part in month_day.split("-"))
    return dt.date(year, month, day)


def section_2() -> list[dict]:
    raw = resources.files("lanhmanh.plans").joinpath("data", "plan-2014-section-2.json").read_text("utf-8")
    return json.loads(raw)["sections"]


def complete_plan_2014(plan: Plan) -> None:
    """Add what later versions know of the 2014 plan to one loaded earlier (idempotent): section II as
    plan content, each duty's due date and the targets it serves (from the data file)."""
    if not plan.sections.exists():
        PlanSection.objects.bulk_create(
            PlanSection(plan=plan, order=order, **section)
            for order, section in enumerate(section_2(), start=1)
        )
    targets = {t.code: t for t in plan.targets.all()}
    groups = {group["group"]: group for group in duty_groups()}
    for duty in plan.duties.prefetch_related("targets"):
        group = groups.get(duty.group)
        if group is None or duty.order > len(group["duties"]):
            continue
        if duty.due_on is None:
            duty.due_on = _due(group, duty.order, plan.year)
            duty.save(update_fields=["due_on"])
        codes = (group.get("targets") or [[]] * len(group["duties"]))[duty.order - 1]
        if codes and not duty.targets.exists():
            duty.targets.set([targets[code] for code in codes if code in targets])


def target_count(plan: Plan) -> int:
    return Target.objects.filter(plan=plan).count()
