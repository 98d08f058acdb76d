"""Writes for administrative units, agencies and users. Every function is atomic."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction

from lanhmanh.org.models import (
    CODE_WIDTH,
    LEVEL_OF_KIND,
    AdministrativeUnit,
    Agency,
    AgencyKind,
    UnitKind,
    UnitLevel,
)
from lanhmanh.org.pickers import clear_cache

HANOI_2014_FIXTURE = "hanoi-divisions-2014.json"
# The tree as it stood before the 1/7/2025 reform that abolished the district level.
REFORM_2025 = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    parent_code: str | None


def _cycle_codes(rows: list[UnitRow]) -> set[str]:
    """Codes of the rows that are their own ancestor when following ``parent_code`` inside ``rows``."""
    parent_of = {r.code: r.parent_code for r in rows}
    in_cycle: set[str] = set()
    for start in parent_of:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in seen:
            seen.append(node)
            node = parent_of[node]
        if node is not None and node in seen:
            in_cycle.update(seen[seen.index(node) :])
    return in_cycle


def _check_rows(rows: list[UnitRow], existing_codes: set[str]) -> None:
    """Refuse unknown kinds, wrong code widths, missing parents, duplicate codes and cycles before anything is written."""
    errors: list[str] = []
    codes = [r.code for r in rows]
    kind_of = {r.code: r.kind for r in rows}
    cycles = _cycle_codes(rows)
    seen: set[str] = set()
    for row in rows:
        if row.code in seen:
            errors.append(f"Mã đơn vị {row.code} bị lặp.")
        seen.add(row.code)
        level = LEVEL_OF_KIND.get(row.kind)
        if row.kind not in UnitKind.values:
            errors.append(f"Đơn vị {row.code} ({row.name}): loại “{row.kind}” không hợp lệ.")
        elif len(row.code) != CODE_WIDTH[level] or not row.code.isdigit():
            errors.append(
                f"Đơn vị {row.code} ({row.name}): mã đơn vị cấp {level} phải gồm {CODE_WIDTH[level]} chữ số."
            )
        if not row.name.strip():
            errors.append(f"Đơn vị {row.code}: thiếu tên.")
        if row.parent_code == row.code:
            errors.append(f"Đơn vị {row.code}: không thể là cấp trên của chính nó.")
        elif row.code in cycles:
            errors.append(f"Đơn vị {row.code} ({row.name}): quan hệ cấp trên tạo thành vòng lặp.")
        elif level is not None and level > 1 and not row.parent_code:
            errors.append(
                f"Đơn vị {row.code} ({row.name}): đơn vị cấp huyện, cấp xã phải có đơn vị cấp trên."
            )
        elif level == 1 and row.parent_code:
            errors.append(f"Đơn vị {row.code} ({row.name}): đơn vị cấp tỉnh không có đơn vị cấp trên.")
        elif (
            row.parent_code is not None
            and row.parent_code not in seen
            and row.parent_code not in existing_codes
        ):
            if row.parent_code in codes:
                errors.append(f"Đơn vị {row.code}: đơn vị cấp trên {row.parent_code} phải đứng trước.")
            else:
                errors.append(
                    f"Đơn vị {row.code} ({row.name}): không tìm thấy đơn vị cấp trên {row.parent_code}."
                )
        elif row.parent_code in kind_of and level is not None:
            parent_level = LEVEL_OF_KIND.get(kind_of[row.parent_code])
            if parent_level is not None and parent_level >= level:
                errors.append(
                    f"Đơn vị {row.code} ({row.name}): đơn vị cấp trên {row.parent_code} phải ở cấp cao hơn."
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@transaction.atomic
def units_import(*, rows: list[UnitRow], valid_from: dt.date | None, valid_to: dt.date | None = None) -> int:
    """Create the units of one version of the tree; parents must come before children.

    A unit whose path already exists in a version still valid on ``valid_from`` with the same name
    and kind is kept as it is (e.g. Hà Nội itself across the 2025 reform). Returns the number created.
    Raises ValidationError (nothing written) on unknown kinds, missing parents, duplicates, cycles.
    Every row is checked before anything is written; the existing units are read in one query per
    900 paths and the new ones written level by level with ``bulk_create`` (the national tree of
    3,355 units in seconds, not one query after another per unit).
    """
    _check_rows(rows, existing_codes=set())
    path_of: dict[str, str] = {}
    for row in rows:
        path_of[row.code] = f"{path_of[row.parent_code]}.{row.code}" if row.parent_code else row.code
    paths = sorted(set(path_of.values()))
    versions: dict[str, list[AdministrativeUnit]] = {}
    for start in range(0, len(paths), 900):
        for unit in AdministrativeUnit.objects.filter(path__in=paths[start : start + 900]).order_by(
            "path", "pk"
        ):
            versions.setdefault(unit.path, []).append(unit)
    by_code: dict[str, AdministrativeUnit] = {}
    new_by_depth: dict[int, list[AdministrativeUnit]] = {}
    for row in rows:
        parent = by_code.get(row.parent_code) if row.parent_code else None
        path = path_of[row.code]
        same = [
            u
            for u in versions.get(path, [])
            if u.name == row.name and u.kind == row.kind and (valid_from is None or u.valid_on(valid_from))
        ]
        if same:
            by_code[row.code] = same[0]
            continue
        unit = AdministrativeUnit(
            code=row.code,
            name=row.name,
            kind=row.kind,
            level=LEVEL_OF_KIND[row.kind],
            parent=parent,
            path=path,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        # The constraints (one path per version) are checked against the units read above; a row that
        # clashes is validated in full by the model, for its own message.
        clash = any(u.valid_from == valid_from for u in versions.get(path, []))
        try:
            if clash:
                unit.full_clean()
            else:
                unit.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)
                if valid_from is not None and valid_to is not None and valid_to < valid_from:
                    unit.full_clean()
        except ValidationError as exc:
            raise ValidationError(f"Đơn vị {row.code} ({row.name}): {' '.join(exc.messages)}") from None
        versions.setdefault(path, []).append(unit)
        by_code[row.code] = unit
        new_by_depth.setdefault(path.count("."), []).append(unit)
    created = 0
    for depth in sorted(new_by_depth):
        units = new_by_depth[depth]
        for unit in units:  # parents written at the depth above now have their ids
            unit.parent_id = unit.parent.pk if unit.parent is not None else None
        AdministrativeUnit.objects.bulk_create(units, batch_size=500)
        created += len(units)
    if created:
        clear_cache()  # bulk_create sends no post_save: the pickers' cache is cleared here
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
    communes get a Women's Union branch; districts and communes get their Team 178 (commune teams since Hanoi's 2026 plan). Idempotent. Returns the number created.
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
            add(
                f"{base}-team-178",
                kind=AgencyKind.TEAM_178,
                name=f"Đội Kiểm tra liên ngành 178 {where}",
                name_en=f"Team 178 of {unit.name}",
                unit=unit,
                plan_group=16,
            )
    Agency.objects.bulk_create(new, batch_size=500)
    return created


# Bodies of a commune of the two-level map (since 1/7/2025): (kind, code suffix, name, English, plan group).
# The culture–social office took over the commune's social affairs: it files the commune's report (the
# kind that reports ``xa-thang``).
COMMUNE_AGENCIES_2025 = (
    (AgencyKind.PEOPLES_COMMITTEE, "committee", "Ủy ban nhân dân", "People's Committee of", 16),
    (AgencyKind.POLICE, "police", "Công an", "Police of", 2),
    (
        AgencyKind.COMMUNE_SOCIAL,
        "social",
        "Phòng Văn hóa – Xã hội",
        "Culture and Social Affairs Office of",
        16,
    ),
    (AgencyKind.TEAM_178, "team-178", "Đội Kiểm tra liên ngành 178", "Team 178 of", 16),
    (AgencyKind.WOMENS_UNION, "womens-union", "Hội Liên hiệp Phụ nữ", "Women's Union of", 11),
)


@transaction.atomic
def agencies_seed_communes(*, province: AdministrativeUnit, day: dt.date) -> int:
    """Create the bodies of every commune of ``province`` valid on ``day`` whose unit is directly under
    the province (the two-level map): committee, police, culture–social office, Team 178 and Women's
    Union branch. The province's own agencies are those of ``agencies_seed``. Idempotent; returns the
    number created."""
    existing = set(Agency.objects.values_list("code", flat=True))
    new: list[Agency] = []
    communes = (
        AdministrativeUnit.objects.filter(parent__path=province.path, level=UnitLevel.COMMUNE)
        .valid_on(day)
        .order_by("path")
    )
    for unit in communes:
        base = unit.path.replace(".", "-")
        for kind, suffix, name, name_en, group in COMMUNE_AGENCIES_2025:
            code = f"{base}-{suffix}"
            if code in existing:
                continue
            existing.add(code)
            new.append(
                Agency(
                    code=code,
                    kind=kind,
                    name=f"{name} {unit.full_name}",
                    name_en=f"{name_en} {unit.name}",
                    unit=unit,
                    plan_group=group,
                )
            )
    Agency.objects.bulk_create(new, batch_size=500)
    return len(new)


# The national tree after the 1/7/2025 reform ------------------------------------------------------

# Division types of the ``vietnam-provinces`` package → our kinds, and the prefix its names carry.
_DIVISION_KINDS: dict[str, tuple[str, str]] = {
    "thành phố trung ương": (UnitKind.CENTRAL_CITY, "Thành phố "),
    "tỉnh": (UnitKind.PROVINCE, "Tỉnh "),
    "phường": (UnitKind.WARD, "Phường "),
    "xã": (UnitKind.COMMUNE, "Xã "),
    "đặc khu": (UnitKind.SPECIAL_ZONE, "Đặc khu "),
}


@dataclass(frozen=True)
class NationalImportResult:
    provinces: int
    communes: int
    created: int
    closed: int
    successor_links: int

    @property
    def kept(self) -> int:
        return self.provinces + self.communes - self.created


def _division(division_type, name: str, code: str) -> tuple[str, str]:
    value = getattr(division_type, "value", division_type)
    if value not in _DIVISION_KINDS:
        raise ValidationError(f"Đơn vị {code} ({name}): loại “{value}” của danh mục 2025 không được hỗ trợ.")
    kind, prefix = _DIVISION_KINDS[value]
    return kind, name.removeprefix(prefix).strip()


def national_2025_rows(*, province_code: str | None = None) -> list[UnitRow]:
    """The 34 provinces and their communes, wards and special zones from the ``vietnam-provinces`` package.

    Two levels only: a commune's parent is its province. Names are stored without the kind
    (“Phường Hoàn Kiếm” → “Hoàn Kiếm”, kind ``phuong``). ``province_code`` (“01”) keeps one province.
    """
    from vietnam_provinces import Province, Ward  # noqa: PLC0415 -- heavy: the national tree loads only for its import

    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    if province_code is not None:
        provinces = [p for p in provinces if f"{int(p.code):02d}" == province_code]
        if not provinces:
            raise ValidationError(
                f"Không có tỉnh, thành phố mã “{province_code}” trong danh mục sau 1/7/2025."
            )
    rows: list[UnitRow] = []
    wanted = {int(p.code) for p in provinces}
    for province in provinces:
        code = f"{int(province.code):02d}"
        kind, name = _division(province.division_type, province.name, code)
        rows.append(UnitRow(code, name, kind, None))
    wards = sorted((w for w in Ward.iter_all() if int(w.province_code) in wanted), key=lambda w: int(w.code))
    for ward in wards:
        code = f"{int(ward.code):05d}"
        kind, name = _division(ward.division_type, ward.name, code)
        rows.append(UnitRow(code, name, kind, f"{int(ward.province_code):02d}"))
    return rows


@transaction.atomic
def units_import_2025(*, province_code: str | None = None) -> NationalImportResult:
    """Import the national tree valid from 1/7/2025 as a later version of the unit tree.

    Side effects, all in one transaction:
    - creates the provinces and their communes/wards/special zones (``valid_from`` 2025-07-01); a
      province whose path, name and kind are unchanged (Hà Nội) is kept and becomes the new parent;
    - a province of the older version with the same code but another name or kind is closed on
      30/6/2025 and linked to its new row as successor;
    - districts and communes of the older version still open on 1/7/2025 inside an imported
      province are closed on 30/6/2025 (the reform abolished the district level).
    The package holds no mapping from pre-reform communes to the new ones, so no commune-level
    successor links are made. Idempotent. Raises ValidationError with nothing written on bad data.
    """
    rows = national_2025_rows(province_code=province_code)
    day_before = REFORM_2025 - dt.timedelta(days=1)
    province_rows = [r for r in rows if r.parent_code is None]

    renamed: list[tuple[AdministrativeUnit, UnitRow]] = []
    for row in province_rows:
        old = (
            AdministrativeUnit.objects.filter(path=row.code, level=1)
            .valid_on(day_before)
            .exclude(name=row.name, kind=row.kind)
        )
        renamed.extend((unit, row) for unit in old)

    created = units_import(rows=rows, valid_from=REFORM_2025)

    closed = 0
    for unit, _row in renamed:
        if unit.valid_to is None or unit.valid_to > day_before:
            unit.valid_to = day_before
            unit.full_clean()
            unit.save(update_fields=["valid_to"])
            closed += 1
    for row in province_rows:
        stale = (
            AdministrativeUnit.objects.subtree(row.code)
            .filter(level__gt=1)
            .valid_on(REFORM_2025)
            .exclude(valid_from__gte=REFORM_2025)
        )
        closed += stale.update(valid_to=day_before)

    links = 0
    for unit, row in renamed:
        successor = AdministrativeUnit.objects.valid_on(REFORM_2025).get(path=row.code)
        if not unit.successors.filter(pk=successor.pk).exists():
            unit.successors.add(successor)
            links += 1
    return NationalImportResult(
        provinces=len(province_rows),
        communes=len(rows) - len(province_rows),
        created=created,
        closed=closed,
        successor_links=links,
    )
