"""The register on the two-level map (since 1/7/2025): a hotspot keeps the unit of its discovery, today's
ward police reach it through the unit successor links; a copied plan's hotspot lists point at the same
register entries as the plan they were copied from; the inspections near an old ward's hotspot include
those of the wards it became."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from lanhmanh.enforcement import selectors, services
from lanhmanh.enforcement.models import HotspotStatus, TargetHotspot, Tip
from lanhmanh.enforcement.plan_hotspots import plan_hotspots_load
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import plan_copy
from lanhmanh.premises import services as premises_services
from tests.conftest import DONG_ANH, TRANG_TIEN, agency, make_user, unit
from tests.enforcement.conftest import make_hotspot
from tests.premises.conftest import at

pytestmark = pytest.mark.django_db
HOAN_KIEM_WARD = "01.00070"  # took part of Tràng Tiền
CUA_NAM_WARD = "01.00073"  # took the other part
BA_DINH_WARD = "01.00004"


@pytest.fixture
def two_level(db):
    units_import_2025(province_code="01")
    call_command("link_unit_successors", "--province", "01", stdout=StringIO())
    agencies_seed_communes(
        province=AdministrativeUnit.objects.get(path="01", valid_to__isnull=True), day=REFORM_2025
    )


def ward_police(path: str, name: str):
    return make_user(name, agency(path, "police"), "police")


def ward_officer(path: str, name: str):
    return make_user(name, agency(path, "commune-social"), "commune-officer")


def test_the_police_of_the_wards_an_old_ward_became_reach_its_hotspots_and_no_one_else(
    two_level, street, client_for
):
    hotspot = make_hotspot(street)  # Tràng Tiền, registered in 2013
    far = make_hotspot(street, path=f"{DONG_ANH}.00457", police_path=DONG_ANH, name="Khu vực chợ Đông Anh")
    hoan_kiem = ward_police(HOAN_KIEM_WARD, "congan_hoan_kiem")
    cua_nam = ward_police(CUA_NAM_WARD, "congan_cua_nam")
    ba_dinh = ward_police(BA_DINH_WARD, "congan_ba_dinh")
    assert list(selectors.hotspots_visible(hoan_kiem)) == [hotspot]
    assert list(selectors.hotspots_visible(cua_nam)) == [hotspot]  # Tràng Tiền was split between both
    assert not selectors.hotspots_visible(ba_dinh).exists()
    assert far not in selectors.hotspots_visible(hoan_kiem)
    assert [row[0] for row in selectors.hotspot_map_rows(hoan_kiem)] == [hotspot.pk]
    assert (
        client_for(ward_officer(HOAN_KIEM_WARD, "canbo_hoan_kiem")).get(f"/tu-diem/{hotspot.pk}/").status_code
        == 200
    )
    assert (
        client_for(ward_officer(BA_DINH_WARD, "canbo_ba_dinh")).get(f"/tu-diem/{hotspot.pk}/").status_code
        == 404
    )
    assert client_for(ba_dinh).get(f"/tu-diem/{hotspot.pk}/").status_code == 404


def test_a_ward_police_officer_records_a_patrol_and_confirms_the_reemergence(two_level, street):
    hotspot = make_hotspot(
        street, status=HotspotStatus.ELIMINATED, status_on=dt.date(2013, 11, 20), name="Vườn hoa Lý Thái Tổ"
    )
    officer = ward_police(HOAN_KIEM_WARD, "congan_hoan_kiem")
    services.patrol_record(
        actor=officer,
        hotspot=hotspot,
        agency=officer.agency,
        patrolled_on=dt.date(2026, 3, 2),
        finding="activity",
    )
    proposal = selectors.proposals_open(officer).get()
    services.proposal_decide(
        actor=officer, proposal=selectors.proposal_get(officer, proposal.pk), confirm=True
    )
    hotspot.refresh_from_db()
    assert (hotspot.status, hotspot.status_on) == (HotspotStatus.REEMERGED, dt.date(2026, 3, 2))


def test_a_copied_plan_points_its_hotspot_lists_at_the_same_register_entries(two_level, street, coordinator):
    plan = load_plan_2014()
    plan_hotspots_load(plan)  # T02's two, registered and linked
    t06 = plan.targets.get(code="T06")
    kept = make_hotspot(
        street, status=HotspotStatus.ELIMINATED, status_on=dt.date(2013, 11, 20), name="Vườn hoa Lý Thái Tổ"
    )
    services.target_hotspot_add(actor=coordinator, target=t06, hotspot=kept)
    copy = plan_copy(plan=plan, year=2026)
    registered = TargetHotspot.objects.count()

    assert plan_hotspots_load(copy) == 3
    assert plan_hotspots_load(copy) == 0  # idempotent
    item = TargetHotspot.objects.select_related("target_item__unit").get(
        target_item__target__plan=copy, target_item__target__code="T06"
    )
    # The same place, on the ward of today's map the copy moved the item to; no new register entry.
    assert item.hotspot == kept
    assert item.target_item.unit.path == CUA_NAM_WARD  # Tràng Tiền's default part
    t02 = {
        link.hotspot.pk
        for link in TargetHotspot.objects.filter(
            target_item__target__plan=copy, target_item__target__code="T02"
        )
    }
    assert t02 == {
        link.hotspot.pk
        for link in TargetHotspot.objects.filter(
            target_item__target__plan=plan, target_item__target__code="T02"
        )
    }
    assert TargetHotspot.objects.count() == registered + 3
    assert kept.target_links.count() == 2


def test_the_command_links_a_copied_plan_after_its_source(two_level, street, coordinator):
    plan = load_plan_2014()
    copy = plan_copy(plan=plan, year=2026)
    out = StringIO()
    call_command("load_plan_hotspots", stdout=out)
    # T02's two registered for 2014, then the 2026 copy's two items pointed at them.
    assert "Đã gắn 4 mục chỉ tiêu với sổ theo dõi tụ điểm." in out.getvalue()
    assert TargetHotspot.objects.filter(target_item__target__plan=copy).count() == 2


def test_the_inspections_near_an_old_wards_hotspot_include_those_of_the_wards_it_became(
    two_level, street, karaoke
):
    hotspot = make_hotspot(street)  # Tràng Tiền
    officer = ward_police(HOAN_KIEM_WARD, "congan_hoan_kiem")
    agencies = [agency(HOAN_KIEM_WARD, kind) for kind in ("police", "commune-social", "committee")]
    place = premises_services.establishment_create(
        actor=officer,
        kind=karaoke,
        name="Karaoke Bờ Hồ",
        address="8 phố Đinh Tiên Hoàng",
        unit=AdministrativeUnit.objects.get(path=HOAN_KIEM_WARD),
        owner_type="organisation",
        organisation_name="Công ty TNHH Bờ Hồ",
        opened_on=dt.date(2020, 3, 1),
    )
    inspection = premises_services.inspection_record(
        actor=officer,
        establishment=place,
        team=agency(HOAN_KIEM_WARD, "team-178"),
        started_at=at("2026-03-12"),
        agencies=agencies,
        leader_name="Nguyễn Văn Trưởng",
    )
    assert selectors.inspections_nearby(officer, hotspot) == [inspection]
    elsewhere = make_hotspot(
        street, path=f"{DONG_ANH}.00457", police_path=DONG_ANH, name="Khu vực chợ Đông Anh"
    )
    assert selectors.inspections_nearby(officer, elsewhere) == []


def old_tip():
    """A tip about Tràng Tiền received before the reform (14/5/2024)."""
    tip, code = services.tip_submit(what="Mời chào khách ở phố Tràng Tiền", unit=unit(TRANG_TIEN))
    Tip.objects.filter(pk=tip.pk).update(received_at=at("2024-05-14"))
    return tip, code


def test_the_police_of_the_wards_an_old_ward_became_read_and_triage_its_old_tips(two_level, client_for):
    tip, _code = old_tip()
    today = AdministrativeUnit.objects.get(path=CUA_NAM_WARD).full_name  # Tràng Tiền's default part
    for path, name in ((HOAN_KIEM_WARD, "congan_hoan_kiem"), (CUA_NAM_WARD, "congan_cua_nam")):
        officer = ward_police(path, name)
        assert list(selectors.tips_visible(officer)) == [tip]
        client = client_for(officer)
        page = client.get(f"/tin-bao/tiep-nhan/{tip.pk}/")
        assert page.status_code == 200
        assert f"(nay thuộc {today})" in page.content.decode()
        listed = client.get("/tin-bao/tiep-nhan/").content.decode()
        assert f'data-tip="{tip.pk}"' in listed
        assert f"(nay thuộc {today})" in listed
    officer = ward_police(HOAN_KIEM_WARD, "congan_hoan_kiem_2")
    response = client_for(officer).post(
        f"/tin-bao/tiep-nhan/{tip.pk}/", {"assigned_agency": officer.agency.pk, "status": "checking"}
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.assigned_agency, tip.status) == (officer.agency, "checking")


def test_the_police_of_another_ward_get_404_on_an_old_tip(two_level, client_for):
    tip, _code = old_tip()
    officer = ward_police(BA_DINH_WARD, "congan_ba_dinh")
    assert not selectors.tips_visible(officer).exists()
    client = client_for(officer)
    assert client.get(f"/tin-bao/tiep-nhan/{tip.pk}/").status_code == 404
    assert client.post(f"/tin-bao/tiep-nhan/{tip.pk}/", {"status": "checking"}).status_code == 404
    assert f'data-tip="{tip.pk}"' not in client.get("/tin-bao/tiep-nhan/").content.decode()
    tip.refresh_from_db()
    assert tip.status == "received"


def test_the_public_receipt_page_of_an_old_tip_shows_its_status_only(two_level):
    _tip, code = old_tip()
    page = Client().post("/tin-bao/tra-cuu/", {"receipt": code}).content.decode()
    assert re.search(r"data-status-label>([^<]+)<", page).group(1) == "Đã tiếp nhận"
    for hidden in ("nay thuộc", "Tràng Tiền", "Cửa Nam", "Hoàn Kiếm"):
        assert hidden not in page
