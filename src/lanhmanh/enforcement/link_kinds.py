"""The record kinds a tip can be linked to, each found through its owning app's public selector (404 for a
record the triager may not open, as on that app's own pages): an establishment and an inspection
(``premises.selectors``), a criminal case (``enforcement.cases.selectors``), a hotspot (this app's)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lanhmanh.enforcement import links, selectors
from lanhmanh.enforcement.cases import selectors as case_selectors
from lanhmanh.premises import selectors as premises_selectors


def _establishment(user, object_id: int) -> tuple[int, str]:
    place = premises_selectors.establishment_get(user, object_id)
    return place.pk, f"{place.name} — {place.address}"


def _inspection(user, object_id: int) -> tuple[int, str]:
    inspection = premises_selectors.inspection_get(user, object_id)
    return inspection.pk, str(inspection)


def _case(user, object_id: int) -> tuple[int, str]:
    case = case_selectors.case_get(user, object_id)
    # No names: the label is stored with the tip and shown to every intake officer of its unit.
    number = f" · số {case.number}" if case.number else ""
    return case.pk, f"{case}{number} · {case.offence} · {case.detected_on:%d/%m/%Y}"


def _hotspot(user, object_id: int) -> tuple[int, str]:
    hotspot = selectors.hotspot_get(user, object_id)
    return hotspot.pk, f"{hotspot.name} — {hotspot.unit.name}"


def register_all() -> None:
    links.register(
        links.LinkKind(
            links.ESTABLISHMENT,
            _("Cơ sở kinh doanh"),
            _establishment,
            "premises:establishment_detail",
            order=1,
        )
    )
    links.register(
        links.LinkKind(
            links.INSPECTION, _("Cuộc kiểm tra cơ sở"), _inspection, "premises:inspection_detail", order=2
        )
    )
    links.register(links.LinkKind(links.CASE, _("Vụ án hình sự"), _case, "cases:case_detail", order=3))
    links.register(
        links.LinkKind(links.HOTSPOT, _("Tụ điểm"), _hotspot, "enforcement:hotspot_detail", order=4)
    )
