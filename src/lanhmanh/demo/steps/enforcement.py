"""Demo data of the enforcement app: T02's two hotspots, T06's 23 kept-clean list, other hotspots,
monthly patrols and a year of tips (2014).

Proportions follow the plan: of T02's two, one was eliminated in September and one has a plan to
dismantle (behind); of T06's 23 (eliminated 2009–2013), two re-emerged in 2014 (T06 off track) and the
rest stayed clean under monthly patrols; a few other hotspots are active. Tips: about 70 in the year,
most by hotline, a third through the web page, a quarter verified.

Once the 2026 plan is copied from 2014 (``plans_2026``), its T02 and T06 lists point at the same register
entries (``hotspot_lists_2026``): the ward police of today reach them through the unit successor links.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import (
    Hotspot,
    HotspotKind,
    HotspotStatus,
    Patrol,
    PatrolFinding,
    TargetHotspot,
    Tip,
    TipChannel,
    TipOutcome,
    TipStatus,
)
from lanhmanh.enforcement.plan_hotspots import plan_hotspots_load
from lanhmanh.enforcement.public import receipt_hash, receipt_new
from lanhmanh.org.levels import COMMUNE_LEVEL, DISTRICT_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency, Role
from lanhmanh.plans.models import Plan, TargetItem

# name, district code, kind, eliminated (year, month), (lat, lon) or None, re-emerged in 2014 (month) or None
T06 = [
    ("Vườn hoa Lý Thái Tổ", "002", "park", (2009, 6), ("21.027700", "105.854200"), None),
    ("Khu vực chân cầu Chương Dương (phố Trần Nhật Duật)", "002", "bridge", (2011, 3), None, None),
    ("Phố Hàng Bài, đoạn gần Bờ Hồ", "002", "street", (2012, 9), None, None),
    ("Đường Thanh Niên, ven hồ Trúc Bạch", "001", "lakeside", (2010, 5), ("21.046500", "105.838000"), None),
    ("Vườn hoa Hàng Đậu", "001", "park", (2013, 4), None, None),
    ("Khu vực hồ Đống Đa", "006", "lakeside", (2009, 11), None, 6),
    ("Đường Láng, đoạn gần cầu Giấy", "006", "street", (2011, 8), None, None),
    ("Vườn hoa Canh Nông", "006", "park", (2012, 2), None, None),
    ("Ven hồ Thiền Quang (phố Nguyễn Du)", "007", "lakeside", (2010, 7), ("21.018500", "105.844500"), None),
    (
        "Công viên Thống Nhất, cổng Trần Nhân Tông",
        "007",
        "park",
        (2011, 10),
        ("21.015000", "105.844000"),
        None,
    ),
    ("Ga Hà Nội, phố Lê Duẩn", "007", "station", (2013, 1), None, None),
    ("Đường Xuân Diệu, ven hồ Tây", "003", "lakeside", (2012, 6), None, None),
    ("Đường Nhật Chiêu", "003", "street", (2013, 8), None, None),
    ("Chân cầu Long Biên (phố Phúc Xá)", "004", "bridge", (2009, 9), ("21.043000", "105.859000"), 10),
    ("Bến xe Gia Lâm", "004", "station", (2011, 12), ("21.048000", "105.878000"), None),
    ("Vườn hoa Ngọc Khánh", "005", "park", (2012, 11), None, None),
    ("Bến xe Giáp Bát", "008", "station", (2010, 3), ("20.980000", "105.841000"), None),
    ("Đường Giải Phóng, đoạn gần bến xe Giáp Bát", "008", "street", (2013, 5), None, None),
    ("Đường Nguyễn Trãi, đoạn gần Ngã Tư Sở", "009", "street", (2011, 4), None, None),
    ("Khu vực bến xe Hà Đông", "268", "station", (2012, 8), None, None),
    ("Công viên Văn Quán", "268", "park", (2013, 10), None, None),
    ("Chân đê Bát Tràng", "018", "riverbank", (2010, 9), None, None),
    ("Khu vực chợ Đông Anh", "017", "market", (2013, 6), None, None),
]
# Other hotspots, active in 2014 (not on a target list).
OTHERS = [
    ("Đường Phạm Hùng, đoạn gần bến xe Mỹ Đình", "019", "street", (2014, 3), ("21.028500", "105.778000")),
    ("Khu vực ga Long Biên", "001", "station", (2014, 5), None),
    ("Đường Trường Chinh, đoạn gần Ngã Tư Vọng", "006", "street", (2014, 7), None),
    ("Vườn hoa Chí Linh", "004", "park", (2014, 2), None),
    ("Khu vực bãi sông Hồng, phường Phú Thượng", "003", "riverbank", (2014, 9), None),
]
TIP_TEXTS = [
    "Buổi tối thường có người đứng mời chào khách ven đường, khoảng từ 21 giờ đến nửa đêm.",
    "Có nhóm xe ôm đưa đón phụ nữ từ khu vực này đến các nhà nghỉ gần đó.",
    "Thấy người lạ phát tờ rơi có số điện thoại ở gầm cầu, nghi môi giới mại dâm.",
    "Quán nước ven hồ mở khuya, có dấu hiệu chứa chấp, môi giới.",
    "Người dân phản ánh có phụ nữ đứng đón khách tại cổng công viên vào cuối tuần.",
]


def _unit_in(district_code: str, rnd, exclude: tuple[str, ...] = ()) -> AdministrativeUnit:
    communes = list(
        AdministrativeUnit.objects.filter(path__startswith=f"01.{district_code}.", level=COMMUNE_LEVEL)
        .exclude(path__in=exclude)
        .order_by("path")
    )
    return rnd.choice(communes)


@step(order=45)
def hotspots_and_tips(context: DemoContext) -> str | None:
    """Idempotent: nothing is added when the register already has T06's hotspots."""
    plan = Plan.objects.filter(year=2014, parent__isnull=True).first()
    if plan is None or Hotspot.objects.filter(name=T06[0][0]).exists():
        return None
    rnd = context.random
    services.hotspot_kinds_ensure()
    police = context.accounts.get(Role.POLICE)
    kinds = {k.code: k for k in HotspotKind.objects.all()}
    district_police = {
        a.unit.path[3:6]: a
        for a in Agency.objects.filter(kind="police", unit__level=DISTRICT_LEVEL).select_related("unit")
    }
    # Keep the demo's two Hoàn Kiếm wards (Tràng Tiền, Hàng Bạc) free of T06 entries: the reporting
    # journeys type their hotspot figures.
    keep_free = ("01.002.00079", "01.002.00061")

    # T02: the two named hotspots; one eliminated in September, the other with a plan (behind).
    plan_hotspots_load(plan, actor=police)
    t02 = list(
        Hotspot.objects.filter(
            target_links__target_item__target__plan=plan, target_links__target_item__target__code="T02"
        ).order_by("pk")
    )
    tasks = "Rà soát, lập danh sách đối tượng môi giới\nTuần tra, chốt chặn các buổi tối\nPhối hợp phường dọn vệ sinh, lắp đèn chiếu sáng"
    for index, hotspot in enumerate(t02):
        services.hotspot_transition(
            actor=police,
            hotspot=hotspot,
            status=HotspotStatus.PLANNED,
            happened_on=dt.date(2014, 3, 10 + index),
            tasks=tasks,
        )
    if t02:
        services.hotspot_transition(
            actor=police,
            hotspot=t02[0],
            status=HotspotStatus.ELIMINATED,
            happened_on=dt.date(2014, 9, 20),
            note="Triệt xóa sau đợt cao điểm tháng 9.",
        )

    # T06: 23 eliminated in 2009–2013, on the keep-clean list; two re-emerge in 2014.
    t06 = plan.targets.get(code="T06")
    listed = []
    for name, district, kind, (year, month), coords, reemerged in T06:
        unit = _unit_in(district, rnd, keep_free)
        lat, lon = (Decimal(coords[0]), Decimal(coords[1])) if coords else (None, None)
        hotspot = services.hotspot_create(
            actor=police,
            name=name,
            kind=kinds[kind],
            unit=unit,
            address=f"{name}, {unit.full_name}",
            latitude=lat,
            longitude=lon,
            first_found_on=dt.date(year - 1, month, 1),
            police_agency=district_police[district],
            status=HotspotStatus.ELIMINATED,
            status_on=dt.date(year, month, 15),
        )
        if year <= 2012:
            services.hotspot_transition(
                actor=police,
                hotspot=hotspot,
                status=HotspotStatus.KEPT_CLEAN,
                happened_on=dt.date(year + 1, month, 15),
            )
        listed.append((hotspot, reemerged))
    items = []
    links = []
    for order, (hotspot, _r) in enumerate(listed, start=1):
        items.append(TargetItem(target=t06, name=hotspot.name, unit=hotspot.unit, order=order))
    TargetItem.objects.bulk_create(items)
    for item, (hotspot, _r) in zip(
        TargetItem.objects.filter(target=t06).order_by("order"), listed, strict=True
    ):
        links.append(TargetHotspot(target_item=item, hotspot=hotspot))
    TargetHotspot.objects.bulk_create(links)

    # Monthly patrols of the eliminated hotspots in 2014; activity seen where two re-emerged.
    patrols = []
    for hotspot, reemerged in listed:
        for month in range(1, 13):
            day = dt.date(2014, month, rnd.randint(3, 25))
            finding = PatrolFinding.CLEAN
            if reemerged and month >= reemerged:
                finding = rnd.choice((PatrolFinding.ACTIVITY, PatrolFinding.SANCTIONED))
            patrols.append(
                Patrol(
                    hotspot=hotspot,
                    patrolled_on=day,
                    agency=hotspot.police_agency,
                    finding=finding,
                    people_sanctioned=rnd.randint(1, 4) if finding == PatrolFinding.SANCTIONED else 0,
                    recorded_by=police,
                )
            )
        if reemerged:
            services.hotspot_transition(
                actor=police,
                hotspot=hotspot,
                status=HotspotStatus.REEMERGED,
                happened_on=dt.date(2014, reemerged, 20),
                how_found="Tuần tra phát hiện có người mời chào khách",
            )
    Patrol.objects.bulk_create(patrols, batch_size=500)

    others = []
    for name, district, kind, (year, month), coords in OTHERS:
        unit = _unit_in(district, rnd, keep_free)
        lat, lon = (Decimal(coords[0]), Decimal(coords[1])) if coords else (None, None)
        others.append(
            services.hotspot_create(
                actor=police,
                name=name,
                kind=kinds[kind],
                unit=unit,
                address=f"{name}, {unit.full_name}",
                latitude=lat,
                longitude=lon,
                first_found_on=dt.date(year, month, 5),
                police_agency=district_police[district],
            )
        )

    # A year of tips: hotline most, web a third, mailbox a few; a quarter verified.
    everywhere = [h for h, _r in listed] + others + t02
    tips = []
    channels = [TipChannel.PHONE] * 5 + [TipChannel.WEB] * 3 + [TipChannel.MAILBOX]
    tz = timezone.get_current_timezone()
    for _number in range(70):
        hotspot = rnd.choice(everywhere)
        received = dt.datetime(2014, 1, 1, 8, tzinfo=tz) + dt.timedelta(
            days=rnd.randint(0, 360), hours=rnd.randint(0, 12)
        )
        channel = rnd.choice(channels)
        acted = rnd.random() < 0.85
        first_action = received + dt.timedelta(hours=rnd.randint(2, 24 * 6)) if acted else None
        outcome = ""
        status = TipStatus.RECEIVED
        if acted:
            status = TipStatus.CHECKING
            if rnd.random() < 0.7:
                status = TipStatus.CLOSED
                outcome = rnd.choice(
                    (TipOutcome.VERIFIED, TipOutcome.NOT_FOUND, TipOutcome.NOT_FOUND, TipOutcome.UNFOUNDED)
                )
        tips.append(
            Tip(
                channel=channel,
                receipt_hash=receipt_hash(receipt_new()) if channel == TipChannel.WEB else None,
                what=rnd.choice(TIP_TEXTS),
                unit=hotspot.unit,
                address=hotspot.address,
                place_name=hotspot.name if rnd.random() < 0.5 else "",
                when=rnd.choice(("Tối thứ Bảy", "Khoảng 22 giờ hằng đêm", "Tuần trước", "")),
                contact=f"09{rnd.randint(10_000_000, 99_999_999)}" if rnd.random() < 0.4 else "",
                received_at=received,
                received_on=received.date(),
                recorded_by=None if channel == TipChannel.WEB else police,
                status=status,
                assigned_agency=hotspot.police_agency if acted else None,
                hotspot=hotspot if acted else None,
                outcome=outcome,
                first_action_at=first_action,
                closed_at=first_action + dt.timedelta(days=rnd.randint(1, 20))
                if status == TipStatus.CLOSED
                else None,
            )
        )
    Tip.objects.bulk_create(tips)
    return f"{Hotspot.objects.count()} tụ điểm, {len(patrols)} lượt tuần tra, {len(tips)} tin báo"


@step(order=85)
def hotspot_lists_2026(context: DemoContext) -> str | None:
    """The 2026 plan's named lists (T02, T06, copied from 2014 with their items moved to today's communes)
    pointed at the same register entries as 2014's (idempotent: linked items are left alone)."""
    plan = Plan.objects.filter(year=2026, parent__isnull=True, copied_from__isnull=False).first()
    if plan is None:
        return None
    linked = plan_hotspots_load(plan, actor=context.accounts.get(Role.POLICE))
    return f"{linked} mục chỉ tiêu năm 2026 gắn với sổ theo dõi tụ điểm" if linked else None
