"""Indicators computed from the hotspot register and the tips (registered with the indicators app).

- ``enforcement.hotspots_eliminated`` (T02): eliminations dated in the period of hotspots named on an
  elimination target of that year's plan — "eliminated in the plan year among the named ones";
- ``enforcement.hotspots_reemerged`` (T06): re-emergences dated in the period of hotspots named on a
  keep-clean target of that year's plan (0 means the list stayed clean); the T06 target is on track
  while it is 0;
- ``enforcement.hotspots_found``, ``…_reemergences``, ``…_kept_clean``, ``…_eliminated_total``: what the
  commune and district reports prefill (found in the period; distinct hotspots that re-emerged in it;
  eliminated and still clean at its end; ever eliminated by its end) — kept clean ≤ eliminated;
- ``enforcement.hotspots_active``: active at the period's end (active, plan to dismantle, re-emerged);
- ``enforcement.tips_received`` / ``tips_verified`` by channel. Median days to first action is not
  additive: the tips statistics page computes it (``stats.tip_statistics``).
Hotspots are places, not people: no small-count suppression. Tips are counted at their unit. None of
these has a section of its own on the plan dashboard: T02 and T06 are its target rows, active hotspots
by district are the hotspot map's colours, tips by channel and district the tip statistics page.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import ExtractYear

from lanhmanh.enforcement.models import Hotspot, HotspotEvent, HotspotStatus, TargetHotspot, Tip, TipOutcome
from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register

PLACE = "hotspot__unit__path"


def _named_on(kind: str):
    return Exists(
        TargetHotspot.objects.filter(
            hotspot=OuterRef("hotspot"),
            target_item__target__kind=kind,
            target_item__target__plan__year=ExtractYear(OuterRef("happened_on")),
        )
    )


def _eliminated_named():
    return HotspotEvent.objects.filter(status=HotspotStatus.ELIMINATED).filter(_named_on("eliminate"))


def _reemerged_listed():
    return HotspotEvent.objects.filter(status=HotspotStatus.REEMERGED).filter(_named_on("keep-clean"))


def _status_at_end(queryset, period):
    """Annotate each hotspot with its status on the period's last day (from its history)."""
    last = (
        HotspotEvent.objects.filter(hotspot=OuterRef("pk"), happened_on__lte=period.end)
        .order_by("-happened_on", "-id")
        .values("status")[:1]
    )
    return queryset.annotate(status_at_end=Subquery(last))


def _kept_clean_at_end(queryset, period):
    return _status_at_end(queryset, period).filter(status_at_end__in=HotspotStatus.clean_values())


def _active_at_end(queryset, period):
    return _status_at_end(queryset, period).filter(status_at_end__in=HotspotStatus.open_values())


def _eliminated_by_end(queryset, period):
    ever = HotspotEvent.objects.filter(
        hotspot=OuterRef("pk"), status=HotspotStatus.ELIMINATED, happened_on__lte=period.end
    )
    return queryset.filter(Exists(ever))


register(
    ComputedSource(
        code="enforcement.hotspots_eliminated",
        name="Số tụ điểm mại dâm công cộng bị triệt xóa",
        name_en="Public hotspots eliminated",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=_eliminated_named,
        unit_path=PLACE,
        date_field="happened_on",
        value=Count("hotspot", distinct=True),
        description="Tụ điểm có tên trong chỉ tiêu triệt xóa của kế hoạch năm, được triệt xóa trong kỳ (theo ngày triệt xóa).",
    )
)
register(
    ComputedSource(
        code="enforcement.hotspots_reemerged",
        name="Số tụ điểm đã triệt xóa (2009–2013) tái hoạt động",
        name_en="Eliminated hotspots that re-emerged",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=_reemerged_listed,
        unit_path=PLACE,
        date_field="happened_on",
        value=Count("hotspot", distinct=True),
        description="Tụ điểm trong danh sách duy trì của kế hoạch năm được công an xác nhận tái hoạt động trong kỳ.",
    )
)
register(
    ComputedSource(
        code="enforcement.hotspots_found",
        name="Số tụ điểm mại dâm công cộng mới phát hiện",
        name_en="Public hotspots newly found",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=lambda: Hotspot.objects.all(),
        unit_path="unit__path",
        date_field="first_found_on",
        description="Tụ điểm trong sổ theo dõi, theo ngày phát hiện.",
    )
)
register(
    ComputedSource(
        code="enforcement.hotspot_reemergences",
        name="Số tụ điểm đã triệt xóa tái hoạt động",
        name_en="Eliminated hotspots that re-emerged (all)",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=lambda: HotspotEvent.objects.filter(status=HotspotStatus.REEMERGED),
        unit_path=PLACE,
        date_field="happened_on",
        value=Count("hotspot", distinct=True),
        description="Mọi tụ điểm được xác nhận tái hoạt động trong kỳ (có hoặc không có tên trong chỉ tiêu).",
    )
)
register(
    ComputedSource(
        code="enforcement.hotspots_kept_clean",
        name="Số tụ điểm đã triệt xóa được giữ không tái hoạt động",
        name_en="Eliminated hotspots kept clean",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=lambda: Hotspot.objects.all(),
        unit_path="unit__path",
        period_filter=_kept_clean_at_end,
        description="Tụ điểm đã triệt xóa và không tái hoạt động vào ngày cuối kỳ.",
    )
)
register(
    ComputedSource(
        code="enforcement.hotspots_eliminated_total",
        name="Số tụ điểm đã triệt xóa (lũy kế đến cuối kỳ)",
        name_en="Hotspots ever eliminated (to the period's end)",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=lambda: Hotspot.objects.all(),
        unit_path="unit__path",
        period_filter=_eliminated_by_end,
    )
)
register(
    ComputedSource(
        code="enforcement.hotspots_active",
        name="Số tụ điểm mại dâm công cộng đang hoạt động",
        name_en="Public hotspots active",
        unit=IndicatorUnit.HOTSPOTS,
        queryset=lambda: Hotspot.objects.all(),
        unit_path="unit__path",
        period_filter=_active_at_end,
        description="Tụ điểm đang hoạt động, có phương án triệt xóa hoặc tái hoạt động vào ngày cuối kỳ.",
    )
)
register(
    ComputedSource(
        code="enforcement.tips_received",
        name="Số tin báo của người dân đã tiếp nhận",
        name_en="Tips received",
        unit=IndicatorUnit.CASES,
        queryset=lambda: Tip.objects.all(),
        unit_path="unit__path",
        date_field="received_on",
        disaggregations={"channel": "channel"},
        description="Tin báo qua trang trực tuyến, đường dây nóng, hòm thư, theo ngày tiếp nhận và địa bàn.",
    )
)
register(
    ComputedSource(
        code="enforcement.tips_verified",
        name="Số tin báo xác minh có hoạt động",
        name_en="Tips verified",
        unit=IndicatorUnit.CASES,
        queryset=lambda: Tip.objects.filter(outcome=TipOutcome.VERIFIED),
        unit_path="unit__path",
        date_field="received_on",
        disaggregations={"channel": "channel"},
        description="Tin báo được xác minh có hoạt động mại dâm, theo ngày tiếp nhận.",
    )
)
