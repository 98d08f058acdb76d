"""T02's two named hotspots as register entries, and the target items pointing at them.

The 2014 plan names two public hotspots to eliminate (``plans.plan_2014.HOTSPOTS_T02``) as text. This
loader puts each in the register (idempotent: an item already linked is left alone) with what the plan
says: the ward, the district's police, the kind of place. The plan gives no discovery date: the entry
says it was known on the plan's first day, and its description says so. The coordinates are approximate
(the centre of the stretch of street the plan names); the police may correct them.

A plan copied from an earlier one (the 2026 plan from 2014's, ``plans.services.plan_copy``) gets its named
lists (T02's to eliminate, T06's to keep clean) with the items' units moved to today's communes but no
register entries: the plans app does not know the register. The coordinator expects the same places, so
each copied item is pointed at the entry its source item points at (sourced from the register, never
matched by name): a hotspot keeps the unit of its discovery, and today's ward police reach it through the
unit successor links (``selectors.hotspots_visible``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from lanhmanh.enforcement.models import HotspotKind, TargetHotspot
from lanhmanh.enforcement.services import (
    ELIMINATE,
    KEEP_CLEAN,
    hotspot_create,
    hotspot_kinds_ensure,
    target_item_link,
)
from lanhmanh.org.models import AdministrativeUnit, Agency

# plan item text (start) → ward path, short name, address, (lat, lon)
T02_ENTRIES = {
    "Khu vực giáp ranh phố Phạm Ngũ Lão": (
        "01.002.00079",
        "Khu vực giáp ranh phố Phạm Ngũ Lão - Tràng Tiền - Dốc Bát Cổ",
        "Phố Phạm Ngũ Lão, phố Tràng Tiền, Dốc Bát Cổ (giáp ranh phường Phan Chu Trinh, Tràng Tiền, Chương Dương)",
        (Decimal("21.024100"), Decimal("105.858900")),
    ),
    "Đường Lê Duẩn, đoạn gần Công Viên Lê Nin": (
        "01.007.00256",
        "Đường Lê Duẩn, đoạn gần Công viên Lê Nin",
        "Đường Lê Duẩn, đoạn gần Công viên Lê Nin, phường Lê Đại Hành",
        (Decimal("21.017600"), Decimal("105.842200")),
    ),
}
NOTE = "Tụ điểm được nêu tên trong chỉ tiêu T02 của Kế hoạch năm 2014; ngày phát hiện lấy theo ngày đầu năm kế hoạch."


def _carry_from_source(plan, *, actor) -> int:
    """Point the items of a copied plan's named lists at the register entries of the items they were
    copied from (same target code, order and name); items already pointed somewhere are left alone."""
    source = plan.copied_from
    if source is None:
        return 0
    linked = 0
    for target in plan.targets.filter(kind__in=(ELIMINATE, KEEP_CLEAN)).order_by("code"):
        links = {
            (link.target_item.order, link.target_item.name): link.hotspot
            for link in TargetHotspot.objects.filter(
                target_item__target__plan=source, target_item__target__code=target.code
            ).select_related("target_item", "hotspot")
        }
        on_list = set(
            TargetHotspot.objects.filter(target_item__target=target).values_list("hotspot_id", flat=True)
        )
        for item in target.items.filter(hotspot_link__isnull=True).order_by("order", "pk"):
            hotspot = links.get((item.order, item.name))
            if hotspot is None or hotspot.pk in on_list:
                continue
            target_item_link(actor=actor, target_item=item, hotspot=hotspot)
            on_list.add(hotspot.pk)
            linked += 1
    return linked


@transaction.atomic
def plan_hotspots_load(plan, *, actor=None) -> int:
    """Link the named lists of a copied plan to the register entries of the plan it was copied from, then
    register T02's named hotspots still unlinked and link those items; returns how many items were linked.
    Side effects: hotspots and links created through the services (each audited)."""
    linked = _carry_from_source(plan, actor=actor)
    target = plan.targets.filter(code="T02").first()
    if target is None:
        return 0
    hotspot_kinds_ensure()
    street = HotspotKind.objects.get(code="street")
    first_day = dt.date(plan.year, 1, 1)
    for item in target.items.all():
        if TargetHotspot.objects.filter(target_item=item).exists():
            continue
        entry = next((v for k, v in T02_ENTRIES.items() if item.name.startswith(k)), None)
        if entry is None:
            continue
        path, name, address, (lat, lon) = entry
        unit = AdministrativeUnit.objects.filter(path=path).order_by("valid_from").first()
        police = Agency.objects.filter(unit__path=path[:6], kind="police").first()
        if unit is None or police is None:
            continue
        hotspot = hotspot_create(
            actor=actor,
            name=name,
            kind=street,
            unit=unit,
            address=address,
            description=f"{item.name}\n{NOTE}",
            latitude=lat,
            longitude=lon,
            first_found_on=first_day,
            police_agency=police,
        )
        target_item_link(actor=actor, target_item=item, hotspot=hotspot)
        linked += 1
    return linked
