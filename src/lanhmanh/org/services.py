"""Writes for administrative units, agencies and users. Every function is atomic."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction

from lanhmanh.org.models import LEVEL_OF_KIND, AdministrativeUnit, Agency, AgencyKind, UnitKind

HANOI_2014_FIXTURE = "hanoi-divisions-2014.json"
# The tree as it stood before the 1/7/2025 reform that abolished the district level.
REFORM_2025 = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    parent_code: str | None


def _check_rows(rows: list[UnitRow], existing_codes: set[str]) -> None:
    """Refuse unknown kinds, missing parents, duplicate codes and cycles before anything is written."""
    errors: list[str] = []
    codes = [r.code for r in rows]
    seen: set[str] = set()
    for row in rows:
        if row.code in seen:
            errors.append(f"Mã đơn vị {row.code} bị lặp.")
        seen.add(row.code)
        if row.kind not in UnitKind.values:
            errors.append(f"Đơn vị {row.code} ({row.name}): loại “{row.kind}” không hợp lệ.")
        if not row.name.strip():
            errors.append(f"Đơn vị {row.code}: thiếu tên.")
        if (
            row.parent_code is not None
            and row.parent_code not in seen
            and row.parent_code not in existing_codes
        ):
            if row.parent_code in codes:
                errors.append(
                    f"Đơn vị {row.code}: đơn vị cấp trên {row.parent_code} phải đứng trước (hoặc có vòng lặp)."
                )
            else:
                errors.append(
                    f"Đơn vị {row.code} ({row.name}): không tìm thấy đơn vị cấp trên {row.parent_code}."
                )
        if row.parent_code == row.code:
            errors.append(f"Đơn vị {row.code}: không thể là cấp trên của chính nó.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def units_import(*, rows: list[UnitRow], valid_from: dt.date | None, valid_to: dt.date | None = None) -> int:
    """Create the units of one version of the tree; parents must come before children.

    A unit whose path already exists in a version still valid on ``valid_from`` with the same name
    and kind is kept as it is (e.g. Hà Nội itself across the 2025 reform). Returns the number created.
    Raises ValidationError (nothing written) on unknown kinds, missing parents, duplicates, cycles.
    """
    _check_rows(rows, existing_codes=set())
    by_code: dict[str, AdministrativeUnit] = {}
    created = 0
    for row in rows:
        parent = by_code.get(row.parent_code) if row.parent_code else None
        level = LEVEL_OF_KIND[row.kind]
        path = f"{parent.path}.{row.code}" if parent else row.code
        existing = AdministrativeUnit.objects.filter(path=path, name=row.name, kind=row.kind)
        if valid_from is not None:
            existing = existing.valid_on(valid_from)
        unit = existing.first()
        if unit is None:
            unit = AdministrativeUnit(
                code=row.code,
                name=row.name,
                kind=row.kind,
                level=level,
                parent=parent,
                path=path,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            unit.full_clean()
            unit.save()
            created += 1
        by_code[row.code] = unit
    return created


def hanoi_2014_rows() -> list[UnitRow]:
    data = json.loads(resources.files("lanhmanh.org").joinpath("data", HANOI_2014_FIXTURE).read_text("utf-8"))
    province = data["province"]
    rows = [UnitRow(province["code"], province["name"], UnitKind.CENTRAL_CITY, None)]
    for district in data["districts"]:
        rows.append(UnitRow(district["code"], district["name"], district["type"], province["code"]))
        for commune in district["communes"]:
            rows.append(UnitRow(commune["code"], commune["name"], commune["type"], district["code"]))
    return rows


@transaction.atomic
def units_load_hanoi_2014() -> int:
    """Load Hanoi's 2014 tree (1 city, 30 districts, 584 communes), valid until the 2025 reform.

    The city itself stays valid after the reform; districts and communes end on 30/6/2025.
    """
    rows = hanoi_2014_rows()
    created = units_import(rows=rows[:1], valid_from=None)
    created += units_import(rows=rows, valid_from=None, valid_to=REFORM_2025 - dt.timedelta(days=1))
    return created


# Agencies ------------------------------------------------------------------------------------------

# The sixteen agency groups of section III of the 2014 plan, at city level: (group, kind, code, name, English).
CITY_AGENCIES: list[tuple[int | None, str, str, str, str]] = [
    (
        1,
        AgencyKind.DOLISA,
        "dolisa",
        "Sở Lao động – Thương binh và Xã hội",
        "Department of Labour, Invalids and Social Affairs",
    ),
    (
        1,
        AgencyKind.SUB_DEPARTMENT,
        "dolisa-pctnxh",
        "Chi cục Phòng, chống tệ nạn xã hội",
        "Sub-department for Social Evils Prevention",
    ),
    (
        1,
        AgencyKind.DOLISA_INSPECTORATE,
        "dolisa-inspectorate",
        "Thanh tra Sở Lao động – Thương binh và Xã hội",
        "DOLISA Inspectorate",
    ),
    (2, AgencyKind.POLICE, "city-police", "Công an Thành phố", "City Police"),
    (
        3,
        AgencyKind.CULTURE,
        "culture",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Department of Culture, Sports and Tourism",
    ),
    (4, AgencyKind.EDUCATION, "education", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    (5, AgencyKind.HEALTH, "health", "Sở Y tế", "Department of Health"),
    (6, AgencyKind.PLANNING, "planning", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    (6, AgencyKind.FINANCE, "finance", "Sở Tài chính", "Department of Finance"),
    (7, AgencyKind.JUSTICE, "justice", "Sở Tư pháp", "Department of Justice"),
    (8, AgencyKind.TRADE, "trade", "Sở Công thương", "Department of Industry and Trade"),
    (
        9,
        AgencyKind.INFORMATION,
        "information",
        "Sở Thông tin và Truyền thông",
        "Department of Information and Communications",
    ),
    (10, AgencyKind.CUSTOMS, "customs", "Cục Hải quan Hà Nội", "Hanoi Customs Department"),
    (11, AgencyKind.WOMENS_UNION, "womens-union", "Hội Liên hiệp Phụ nữ Thành phố", "City Women's Union"),
    (12, AgencyKind.YOUTH_UNION, "youth-union", "Thành đoàn Hà Nội", "City Youth Union"),
    (13, AgencyKind.PROCURACY, "procuracy", "Viện Kiểm sát nhân dân Thành phố", "City People's Procuracy"),
    (13, AgencyKind.COURT, "court", "Tòa án nhân dân Thành phố", "City People's Court"),
    (
        14,
        AgencyKind.LABOUR_FEDERATION,
        "labour-federation",
        "Liên đoàn Lao động Thành phố",
        "City Labour Federation",
    ),
    (
        15,
        AgencyKind.FATHERLAND_FRONT,
        "fatherland-front",
        "Ủy ban Mặt trận Tổ quốc Thành phố",
        "City Fatherland Front Committee",
    ),
    (
        16,
        AgencyKind.PEOPLES_COMMITTEE,
        "city-committee",
        "Ủy ban nhân dân Thành phố",
        "City People's Committee",
    ),
    (
        1,
        AgencyKind.TEAM_178,
        "city-team-178",
        "Đội Kiểm tra liên ngành 178 Thành phố",
        "City interdisciplinary inspection team 178",
    ),
    (
        None,
        AgencyKind.STEERING_COMMITTEE,
        "city-steering-committee",
        "Ban Chỉ đạo phòng, chống AIDS và phòng, chống tệ nạn ma túy, mại dâm Thành phố",
        "City steering committee",
    ),
]


@transaction.atomic
def agencies_seed(*, province: AdministrativeUnit) -> int:
    """Create the city agencies, and for every district and commune its committee, police and labour office.

    Communes get their committee, police and the commune officer for social affairs; districts and
    communes get a Women's Union branch; districts get their Team 178. Idempotent. Returns the number created.
    """
    created = 0
    existing = set(Agency.objects.values_list("code", flat=True))
    new: list[Agency] = []

    def add(code: str, **fields) -> None:
        nonlocal created
        if code in existing:
            return
        existing.add(code)
        new.append(Agency(code=code, **fields))
        created += 1

    prefix = province.code
    for group, kind, code, name, name_en in CITY_AGENCIES:
        add(f"{prefix}-{code}", kind=kind, name=name, name_en=name_en, unit=province, plan_group=group)
    units = list(
        AdministrativeUnit.objects.subtree(province).filter(level__gt=1).valid_on(dt.date(2014, 1, 1))
    )
    for unit in units:
        where = unit.full_name
        base = unit.path.replace(".", "-")
        add(
            f"{base}-committee",
            kind=AgencyKind.PEOPLES_COMMITTEE,
            name=f"Ủy ban nhân dân {where}",
            name_en=f"People's Committee of {unit.name}",
            unit=unit,
            plan_group=16,
        )
        add(
            f"{base}-police",
            kind=AgencyKind.POLICE,
            name=f"Công an {where}",
            name_en=f"Police of {unit.name}",
            unit=unit,
            plan_group=2,
        )
        add(
            f"{base}-womens-union",
            kind=AgencyKind.WOMENS_UNION,
            name=f"Hội Liên hiệp Phụ nữ {where}",
            name_en=f"Women's Union of {unit.name}",
            unit=unit,
            plan_group=11,
        )
        if unit.level == 2:
            add(
                f"{base}-labour",
                kind=AgencyKind.DISTRICT_LABOUR,
                name=f"Phòng Lao động – Thương binh và Xã hội {where}",
                name_en=f"Labour office of {unit.name}",
                unit=unit,
                plan_group=16,
            )
            add(
                f"{base}-team-178",
                kind=AgencyKind.TEAM_178,
                name=f"Đội Kiểm tra liên ngành 178 {where}",
                name_en=f"Team 178 of {unit.name}",
                unit=unit,
                plan_group=16,
            )
        else:
            add(
                f"{base}-social",
                kind=AgencyKind.COMMUNE_SOCIAL,
                name=f"Công chức LĐTBXH {where}",
                name_en=f"Social affairs officer of {unit.name}",
                unit=unit,
                plan_group=16,
            )
    Agency.objects.bulk_create(new, batch_size=500)
    return created
