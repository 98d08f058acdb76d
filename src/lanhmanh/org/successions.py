"""Which new commune a pre-reform commune became: successor links across the 1/7/2025 reform.

Since 1/7/2025 the country has two levels (province → commune); each pre-reform commune was taken
whole into one new commune or split between several. The mapping comes from the maintained package
``vietnamadminunits`` (MIT licence; its ``data/converter_2025.json`` joined with ``data/dataset.db``):

- ``DICT_PROVINCE_WARD_NO_DIVIDED``: new commune → the old communes taken whole into it;
- ``DICT_PROVINCE_WARD_DIVIDED``: old commune → the new communes its parts went to, one of them marked
  ``isDefaultNewWard`` (the package's rule for an address without a street: the default part; with a
  street it geocodes the address online, which an offline server cannot do — so here a split commune
  is linked to every part, the package's default marked ``default``).

Old communes are matched to our tree by their GSO code (stable since 2008). New communes are matched by
name within the province, then by code: the two packages disagree on some new codes (``vietnam-provinces``,
which built our 2025 tree, gives Phường Cửa Nam 00073; ``vietnamadminunits`` gives 00082); the command
prints how many such disagreements it met.
The source and version of every link are stored; an administrator corrects a link with a reason
(``unit_succession_correct``). Records keep pointing at the unit of their date: 2014 figures still add
up by 2014's districts, and questions about today's communes follow these links.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from lanhmanh.core.audit import audited_bulk_create, audited_create, audited_delete
from lanhmanh.core.scoping import path_q
from lanhmanh.core.text import fold
from lanhmanh.org.models import AdministrativeUnit, UnitLevel, UnitSuccession

REFORM_2025 = dt.date(2025, 7, 1)
PACKAGE = "vietnamadminunits"


@dataclass(frozen=True)
class SuccessionRow:
    old_path: str  # e.g. 01.002.00079
    new_path: str  # e.g. 01.00070, by the package's code
    new_name: str  # e.g. Phường Hoàn Kiếm: matched first (the packages disagree on some new codes)
    whole: bool
    default: bool


@dataclass(frozen=True)
class SuccessionResult:
    created: int
    kept: int
    whole: int
    split: int
    missing_old: int  # rows whose old commune is not in our tree (another province, or not loaded)
    missing_new: int
    code_mismatches: int  # new communes found by name whose code differs between the two packages
    unmapped: list[str]  # old communes of the tree (valid on 30/6/2025) that the source does not map


def package_source() -> str:
    return f"{PACKAGE} {metadata.version(PACKAGE)} (data/converter_2025.json)"


def _package_data_dir() -> Path:
    # find_spec does not run the package's __init__ (which imports its geocoding dependencies).
    spec = util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ValidationError(
            _("Chưa cài gói vietnamadminunits (dữ liệu chuyển đổi đơn vị hành chính 2025).")
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def succession_rows(*, province_code: str | None = None) -> list[SuccessionRow]:
    """Links old commune → new commune(s) from the package's data, by GSO codes (one province or all)."""
    data_dir = _package_data_dir()
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True) as db:
        old_codes = {
            f"{pk}_{dk}_{wk}": (pc, dc, wc)
            for pk, dk, wk, pc, dc, wc in db.execute(
                "SELECT provinceKey, districtKey, wardKey, provinceCode, districtCode, wardCode "
                "FROM admin_units_legacy"
            )
        }
        new_codes = {
            (pk, wk): (pc, wc, name)
            for pk, wk, pc, wc, name in db.execute(
                "SELECT provinceKey, wardKey, provinceCode, wardCode, ward FROM admin_units"
            )
        }
    rows: list[SuccessionRow] = []

    def old_path(key: str) -> str | None:
        found = old_codes.get(key)
        return f"{found[0]}.{found[1]}.{found[2]}" if found and found[2] else None

    def new_unit(province_key: str, ward_key: str) -> tuple[str, str] | None:
        found = new_codes.get((province_key, ward_key))
        return (f"{found[0]}.{found[1]}", found[2]) if found else None

    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            target = new_unit(province_key, ward_key)
            if target is None or (province_code and not target[0].startswith(f"{province_code}.")):
                continue
            for old_key in old_keys:
                source = old_path(old_key)
                if source:
                    rows.append(SuccessionRow(source, *target, whole=True, default=True))
    for province_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            source = old_path(old_key)
            if source is None:
                continue
            for part in parts:
                target = new_unit(province_key, part["newWardKey"])
                if target is None or (province_code and not target[0].startswith(f"{province_code}.")):
                    continue
                rows.append(
                    SuccessionRow(source, *target, whole=False, default=bool(part["isDefaultNewWard"]))
                )
    return rows


@transaction.atomic
def unit_successions_link(
    *, rows: list[SuccessionRow], source: str, actor=None, province_code: str | None = None
) -> SuccessionResult:
    """Create the links (and the units' ``successors``) the rows describe between units of our tree.

    Side effects, in one transaction: ``UnitSuccession`` rows with their history rows, ``successors``
    links. Idempotent: an existing link is kept as it is (a link an administrator corrected is never
    overwritten by a later run). The old unit is the one valid on 30/6/2025, the new one valid on
    1/7/2025; rows whose units are not in the tree are counted, not errors.
    """
    day_before = REFORM_2025 - dt.timedelta(days=1)
    olds = {
        u.path: u
        for u in AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, path__in={r.old_path for r in rows}
        )
        .valid_on(day_before)
        .exclude(valid_from__gte=REFORM_2025)
    }
    provinces = {r.new_path.split(".")[0] for r in rows}
    current = [
        u
        for u in AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, valid_from__gte=REFORM_2025
        ).valid_on(REFORM_2025)
        if u.path.split(".")[0] in provinces
    ]
    by_path = {u.path: u for u in current}
    by_name: dict[tuple[str, str], list[AdministrativeUnit]] = {}
    for u in current:
        by_name.setdefault((u.path.split(".")[0], fold(u.full_name)), []).append(u)

    def find_new(row: SuccessionRow) -> AdministrativeUnit | None:
        named = by_name.get((row.new_path.split(".")[0], fold(row.new_name)), [])
        return named[0] if len(named) == 1 else by_path.get(row.new_path)

    existing = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    corrected = set(UnitSuccession.objects.exclude(correction="").values_list("predecessor_id", flat=True))
    created = kept = missing_old = missing_new = 0
    mismatched: set[str] = set()
    new_links: list[UnitSuccession] = []
    for row in rows:
        old, new = olds.get(row.old_path), find_new(row)
        if new is not None and new.path != row.new_path:
            mismatched.add(row.new_path)
        if old is None:
            missing_old += 1
            continue
        if new is None:
            missing_new += 1
            continue
        if (old.pk, new.pk) in existing or old.pk in corrected:
            kept += 1
            continue
        link = UnitSuccession(
            predecessor=old, successor=new, whole=row.whole, default=row.default, source=source
        )
        # The units were read above and the pair is new (``existing``): the fields are checked here,
        # the pair's uniqueness by the database; one query per batch instead of nine per link.
        link.full_clean(
            exclude=["predecessor", "successor"], validate_unique=False, validate_constraints=False
        )
        new_links.append(link)
        existing.add((old.pk, new.pk))
        created += 1
    audited_bulk_create(actor=actor, model=UnitSuccession, objs=new_links)
    through = AdministrativeUnit.successors.through
    through.objects.bulk_create(
        [
            through(
                from_administrativeunit_id=link.predecessor_id, to_administrativeunit_id=link.successor_id
            )
            for link in new_links
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    linked = set(UnitSuccession.objects.values_list("predecessor__path", flat=True))
    in_tree = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).valid_on(day_before)
    if province_code:
        in_tree = in_tree.subtree(province_code)
    unmapped = sorted(path for path in in_tree.values_list("path", flat=True) if path not in linked)
    return SuccessionResult(
        created=created,
        kept=kept,
        whole=sum(1 for r in rows if r.whole),
        split=len({r.old_path for r in rows if not r.whole}),
        missing_old=missing_old,
        missing_new=missing_new,
        code_mismatches=len(mismatched),
        unmapped=unmapped,
    )


@transaction.atomic
def unit_succession_correct(
    *, actor, predecessor: AdministrativeUnit, successors: list[AdministrativeUnit], default, reason: str
) -> list[UnitSuccession]:
    """Replace a pre-reform unit's links by ``successors`` (``default`` among them), with a reason.

    Side effects: the old links are deleted and the new ones created, each with a history row carrying
    the reason; the unit's ``successors`` follow. Refuses (ValidationError, nothing written) without a
    reason, without successors, with a default not among them, or with a successor that is not a unit
    valid from 1/7/2025.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Nhập lý do sửa liên kết kế thừa.")})
    if not successors:
        raise ValidationError({"successors": _("Chọn ít nhất một đơn vị mới.")})
    if default not in successors:
        raise ValidationError({"default": _("Đơn vị mặc định phải là một trong các đơn vị mới đã chọn.")})
    for unit in successors:
        if not unit.valid_on(REFORM_2025) or unit.pk == predecessor.pk:
            raise ValidationError(
                {
                    "successors": _("%(unit)s không phải đơn vị có hiệu lực từ 1/7/2025.")
                    % {"unit": unit.full_name}
                }
            )
    for link in UnitSuccession.objects.filter(predecessor=predecessor):
        audited_delete(actor=actor, instance=link, reason=reason)
    predecessor.successors.clear()
    links = [
        audited_create(
            actor=actor,
            model=UnitSuccession,
            reason=reason,
            predecessor=predecessor,
            successor=unit,
            whole=len(successors) == 1,
            default=unit.pk == default.pk,
            source=_("Sửa tay"),
            correction=reason,
        )
        for unit in successors
    ]
    predecessor.successors.add(*successors)
    return links


def successor_on(unit: AdministrativeUnit, day: dt.date) -> AdministrativeUnit | None:
    """The unit valid on ``day`` that ``unit`` became (its default part when it was split), or None."""
    seen = set()
    while not unit.valid_on(day):
        if unit.pk in seen:
            return None
        seen.add(unit.pk)
        link = (
            UnitSuccession.objects.filter(predecessor=unit)
            .select_related("successor")
            .order_by("-default", "successor__path")
            .first()
        )
        if link is None:
            return None
        unit = link.successor
    return unit


def unit_on_date_error(unit: AdministrativeUnit, day: dt.date) -> str | None:
    """A Vietnamese message when a record dated ``day`` is placed in a unit not valid on that day, naming
    the unit to use instead (the successor of a pre-reform commune; for a 2026 unit used in 2014, the
    pre-reform units it was made from); None when the unit is valid then."""
    if unit.valid_on(day):
        return None
    when = day.strftime("%d/%m/%Y")
    later = successor_on(unit, day)
    if later is not None:
        return _(
            "%(unit)s không còn vào ngày %(day)s (đã sắp xếp lại từ 01/07/2025): chọn %(successor)s."
        ) % {
            "unit": unit.full_name,
            "day": when,
            "successor": later.full_name,
        }
    earlier = [p.full_name for p in unit.predecessors.all() if p.valid_on(day)][:5]
    if earlier:
        return _("%(unit)s chỉ có từ ngày %(since)s; vào ngày %(day)s chọn một trong: %(units)s.") % {
            "unit": unit.full_name,
            "since": unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "",
            "day": when,
            "units": ", ".join(earlier),
        }
    return _("%(unit)s không có hiệu lực vào ngày %(day)s.") % {"unit": unit.full_name, "day": when}


def predecessor_paths(root: str) -> list[str]:
    """Paths of the pre-reform units that became (part of) a unit in the subtree of ``root`` and lie
    outside it (a 2026 ward's old wards, under their 2014 district): where the earlier records of the
    ward's people were made. Empty for a pre-reform root or a province (its old units are inside it)."""
    if "." not in root:
        return []
    links = UnitSuccession.objects.filter(successor__path=root) | UnitSuccession.objects.filter(
        successor__path__startswith=root + "."
    )
    return sorted(
        {
            p
            for p in links.values_list("predecessor__path", flat=True)
            if p != root and not p.startswith(root + ".")
        }
    )


def reach_q(root: str, field: str = "unit__path", *, earlier: list[str] | None = None) -> Q:
    """The jurisdiction rule across the 2025 reform, in one place: records whose unit path (``field``) lies
    in the subtree of ``root`` or is one of the pre-reform communes a two-level unit of that subtree was made
    from (``earlier``: ``predecessor_paths(root)``, passed when already known). A new ward's officers reach
    what was recorded in its old wards; the people registry, the enforcement registers and the premises
    register all ask this."""
    where = path_q(root, field)
    if earlier is None:
        earlier = predecessor_paths(root)
    if earlier:
        where |= Q(**{f"{field}__in": earlier})
    return where


# --- counting records of a pre-reform unit under the unit that succeeded it --------------------------
#
# A figure over a period that ends on or after the reform is counted on the map of the period's last day
# (a 2026 indicator by today's communes): a record kept in a pre-reform commune counts under the commune
# it became; a commune split between several counts whole under its ``default`` part (records carry no
# street the split could be read from, the package's rule for an address without one), so every record
# counts once; a pre-reform unit without a successor link (a 2014 district, a commune merged away in
# 2019–2020 that nobody linked yet) counts at its province, among the city's own records. Periods that
# end before the reform keep the units of their time: 2014 still adds up by 2014's districts.


def counting_day(period_end: dt.date) -> dt.date | None:
    """The day whose map a figure over a period ending ``period_end`` is counted on (None: the records'
    own units, for periods that end before the 1/7/2025 reform)."""
    return period_end if period_end >= REFORM_2025 else None


def _successor_path(day: dt.date):
    """SQL, over ended units: the path of the default successor valid on ``day``, else the province's."""
    successor = (
        UnitSuccession.objects.filter(predecessor=OuterRef("pk"), default=True)
        .filter(Q(successor__valid_from__isnull=True) | Q(successor__valid_from__lte=day))
        .filter(Q(successor__valid_to__isnull=True) | Q(successor__valid_to__gte=day))
        .order_by("successor__path")
        .values("successor__path")[:1]
    )
    dot = StrIndex(F("path"), Value("."))
    province = Case(When(GreaterThan(dot, 0), then=Substr(F("path"), 1, dot - 1)), default=F("path"))
    return Coalesce(Subquery(successor, output_field=models.CharField()), province)


def _ended_on(day: dt.date):
    """Units ended before ``day`` whose path no unit valid on ``day`` carries."""
    valid = AdministrativeUnit.objects.valid_on(day).filter(path=OuterRef("path"))
    return AdministrativeUnit.objects.filter(valid_to__lt=day).exclude(Exists(valid))


def counted_path(field: str, day: dt.date):
    """SQL: the path a record whose unit path is ``field`` counts under on ``day``: the path itself for a
    unit valid then; for a unit ended before ``day``, its default successor valid on ``day`` or else its
    province. A correlated look-up per row: for figures that cannot be regrouped after the query
    (distinct counts); the others group by the record's path and use ``counted_paths``."""
    ended = (
        _ended_on(day)
        .filter(path=OuterRef(field))
        .annotate(counted=_successor_path(day))
        .order_by("-valid_to")
        .values("counted")[:1]
    )
    return Coalesce(Subquery(ended, output_field=models.CharField()), F(field))


def counted_paths(paths, day: dt.date) -> dict[str, str]:
    """``counted_path`` for many paths at once (two plain queries): {path: the path it counts under on
    ``day``} for every one of ``paths`` (itself when its unit is valid then, or unknown)."""
    paths = {p for p in paths if p}
    if not paths:
        return {}
    ended: set[str] = set()
    valid: set[str] = set()
    for path, start, end in AdministrativeUnit.objects.filter(path__in=sorted(paths)).values_list(
        "path", "valid_from", "valid_to"
    ):
        if end is not None and end < day:
            ended.add(path)
        elif start is None or start <= day:
            valid.add(path)
    ended -= valid
    counted = {path: path for path in paths}
    if not ended:
        return counted
    links = (
        UnitSuccession.objects.filter(
            predecessor__path__in=sorted(ended), predecessor__valid_to__lt=day, default=True
        )
        .filter(Q(successor__valid_from__isnull=True) | Q(successor__valid_from__lte=day))
        .filter(Q(successor__valid_to__isnull=True) | Q(successor__valid_to__gte=day))
        .order_by("predecessor__path", "-predecessor__valid_to", "successor__path")
        .values_list("predecessor__path", "successor__path")
    )
    successor: dict[str, str] = {}
    for old, new in links:
        successor.setdefault(old, new)
    for path in ended:
        counted[path] = successor.get(path) or path.split(".", 1)[0]
    return counted


def crossing_links(root: str, day: dt.date) -> tuple[list[str], list[str]]:
    """Paths of the ended units whose default successor lies across the edge of ``root``'s subtree on
    ``day``: (outside it, counted in it — a 2026 ward's old wards; inside it, counted outside). One query;
    both empty for a city whose communes stayed in it."""
    inside_new, inside_old = path_q(root, "successor__path"), path_q(root, "predecessor__path")
    crossing = UnitSuccession.objects.filter(default=True, predecessor__valid_to__lt=day).filter(
        (inside_new & ~inside_old) | (inside_old & ~inside_new)
    )
    into, out = set(), set()
    for old, new in crossing.values_list("predecessor__path", "successor__path"):
        (into if new == root or new.startswith(root + ".") else out).add(old)
    return sorted(into), sorted(out)


def counted_in_q(
    root: str, field: str, day: dt.date, crossing: tuple[list[str], list[str]] | None = None
) -> Q:
    """Records whose ``counted_path`` on ``day`` lies in the subtree of ``root``: those kept in it, less
    those of its ended units counted outside it, plus those of ended units outside it counted in it
    (``crossing``: what ``crossing_links`` gives, looked up when not given). An indexed filter."""
    into, out = crossing if crossing is not None else crossing_links(root, day)
    where = path_q(root, field)
    if out:
        where &= ~Q(**{f"{field}__in": out})
    if into:
        where |= Q(**{f"{field}__in": into})
    return where


def units_now_part_of(units, day: dt.date) -> dict[int, AdministrativeUnit]:
    """For each unit not valid on ``day``, the unit valid then that it became (its default part when it was
    split): {unit pk: successor}. One query for a page of records (one step of successor links, the only one
    the 2025 reform made); a unit whose successor was itself replaced later follows the chain
    (``successor_on``). Lists mark their old units "nay thuộc …" with it."""
    stale = {u.pk for u in units if u is not None and not u.valid_on(day)}
    if not stale:
        return {}
    found: dict[int, AdministrativeUnit] = {}
    links = (
        UnitSuccession.objects.filter(predecessor_id__in=stale)
        .select_related("successor")
        .order_by("-default", "successor__path")
    )
    chained = set()
    for link in links:
        if link.successor.valid_on(day):
            found.setdefault(link.predecessor_id, link.successor)
        else:
            chained.add(link.predecessor_id)
    for unit in {u for u in units if u is not None and u.pk in chained - found.keys()}:
        if later := successor_on(unit, day):
            found[unit.pk] = later
    return found
