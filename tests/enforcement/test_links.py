"""Tips linked to establishments, inspections, criminal cases and hotspots (``enforcement.links``), and the
inspections near a hotspot: each record found through its own app's selector, with the viewer's reach."""

from __future__ import annotations

import pytest
from django.test import Client

from lanhmanh.core.audit import history
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import TipEvent, TipLink, TipStatus
from tests.conftest import DONG_ANH, TRANG_TIEN, unit
from tests.enforcement.conftest import make_hotspot

pytestmark = pytest.mark.django_db


@pytest.fixture
def tip(db):
    tip, _code = services.tip_submit(what="Quán karaoke có người mời chào khách.", unit=unit(TRANG_TIEN))
    return tip


def link(client, tip, kind, object_id):
    return client.post(f"/tin-bao/tiep-nhan/{tip.pk}/lien-ket/", {"kind": kind, "object_id": object_id})


@pytest.fixture(autouse=True)
def _one_factor(settings):
    settings.REQUIRE_2FA = False


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_triager_links_a_tip_to_an_establishment_an_inspection_and_a_case(
    police, tip, place, inspection, case
):
    client = logged_in(police)
    assert link(client, tip, "establishment", place.pk).status_code == 302
    # A pasted page address works as well as the number.
    assert (
        link(
            client, tip, "inspection", f"http://localhost/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/"
        ).status_code
        == 302
    )
    assert link(client, tip, "case", case.pk).status_code == 302
    assert sorted(TipLink.objects.filter(tip=tip).values_list("kind", "object_id")) == sorted(
        [("establishment", place.pk), ("inspection", inspection.pk), ("case", case.pk)]
    )
    page = client.get(f"/tin-bao/tiep-nhan/{tip.pk}/").content.decode()
    assert "Karaoke Ánh Sao — 12 phố Tràng Tiền" in page
    assert f'href="/co-so-kinh-doanh/{place.pk}/"' in page
    assert f"Vụ án #{case.pk}" in page
    tip.refresh_from_db()
    assert tip.status == TipStatus.CHECKING and tip.first_action_at is not None
    # Audited: a history row per link, an internal event per link.
    assert all(history(row).exists() for row in TipLink.objects.filter(tip=tip))
    assert TipEvent.objects.filter(tip=tip, action="linked").count() == 3


def test_a_hotspot_link_sets_the_tips_hotspot(police, tip, street):
    hotspot = make_hotspot(street)
    assert link(logged_in(police), tip, "hotspot", hotspot.pk).status_code == 302
    tip.refresh_from_db()
    assert tip.hotspot_id == hotspot.pk
    page = logged_in(police).get(f"/tu-diem/{hotspot.pk}/").content.decode()
    assert f"/tin-bao/tiep-nhan/{tip.pk}/" in page


@pytest.mark.parametrize(
    ("kind", "object_id", "message"),
    [
        ("case", "999999", "Không tìm thấy vụ án hình sự số 999999, hoặc bạn không có quyền xem hồ sơ này."),
        ("establishment", "abc", "Nhập số hiệu hồ sơ (chữ số) hoặc dán địa chỉ trang hồ sơ."),
        ("", "12", "Chọn loại hồ sơ cần liên kết."),
        ("nguoi", "12", "Chọn loại hồ sơ cần liên kết."),
    ],
)
def test_a_bad_link_gets_a_vietnamese_message_and_nothing_is_saved(police, tip, kind, object_id, message):
    response = link(logged_in(police), tip, kind, object_id)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TipLink.objects.exists()


def test_a_record_out_of_reach_is_answered_like_an_unknown_one(other_police, police, tip, case, street):
    # A Đông Anh police officer triaging a Đông Anh tip cannot link a Hoàn Kiếm case or hotspot.
    far_tip, _code = services.tip_submit(what="Có hoạt động lạ ở chợ.", unit=unit(f"{DONG_ANH}.00457"))
    hotspot = make_hotspot(street)
    client = logged_in(other_police)
    answer = link(client, far_tip, "case", case.pk).content.decode()
    assert f"Không tìm thấy vụ án hình sự số {case.pk}, hoặc bạn không có quyền xem hồ sơ này." in answer
    answer = link(client, far_tip, "hotspot", hotspot.pk).content.decode()
    assert f"Không tìm thấy tụ điểm số {hotspot.pk}" in answer
    assert not TipLink.objects.exists()
    far_tip.refresh_from_db()
    assert far_tip.hotspot_id is None
    # And the Hoàn Kiếm tip itself is a 404 for them.
    assert link(client, tip, "case", case.pk).status_code == 404


def test_only_triagers_link(coordinator, tip, case):
    assert link(logged_in(coordinator), tip, "case", case.pk).status_code == 404
    assert Client().post(f"/tin-bao/tiep-nhan/{tip.pk}/lien-ket/", {}).status_code == 302  # to the login


def test_the_same_record_twice_is_refused(police, tip, case):
    client = logged_in(police)
    link(client, tip, "case", case.pk)
    answer = link(client, tip, "case", case.pk)
    assert answer.status_code == 400
    assert "Tin báo đã liên kết với hồ sơ này." in answer.content.decode()
    assert TipLink.objects.count() == 1


def test_inspections_nearby_a_hotspot_for_those_who_may_read_them(
    police, inspector, commune_officer, inspection, street, place
):
    hotspot = make_hotspot(street)  # Tràng Tiền, where the karaoke bar is
    page = logged_in(inspector).get(f"/tu-diem/{hotspot.pk}/").content.decode()
    assert "Kiểm tra cơ sở kinh doanh gần tụ điểm" in page
    assert f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/" in page
    assert "10/03/2014 · Karaoke Ánh Sao" in page
    assert "Phát hiện vi phạm" in page
    far = make_hotspot(street, path=f"{DONG_ANH}.00457", police_path=DONG_ANH, name="Chợ Đông Anh")
    assert "Karaoke Ánh Sao" not in logged_in(inspector).get(f"/tu-diem/{far.pk}/").content.decode()
