"""The issue's journeys on the two-level map (since 1/7/2025), as a city running today sees them: a citizen's
tip about an eliminated hotspot in Phường Hoàn Kiếm, triaged by the ward police, a patrol, a confirmed
re-emergence that moves T06 of the 2026 plan on the city's dashboard, the sender's receipt showing
"Đã xử lý" and nothing else, and commune officers of other wards refused the hotspot; and a tip with a
photo linked to an inspection, shown on the inspection's page, with the inspections near the hotspot on
its page.

The hotspot was registered in 2009 in the pre-reform ward it lay in (a record keeps the unit of its
date); the 2026 plan's T06 list points at the same register entry (``enforcement.plan_hotspots``), its item
on the ward it lies in today, and the ward's police reach it through the unit successor links."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from lanhmanh.enforcement.forms import unit_choices_forget
from lanhmanh.enforcement.models import Hotspot, TargetHotspot, Tip
from lanhmanh.org.models import Agency, Role, User
from lanhmanh.plans.models import Plan
from lanhmanh.premises import services as premises_services
from lanhmanh.premises.models import EstablishmentKind
from tests.e2e.conftest import CHROMIUM_ARGS, E2E_PASSWORD, sign_in  # noqa: F401

pytestmark = pytest.mark.browser
HOTSPOT = "Vườn hoa Lý Thái Tổ"
WARD = "01.00070"  # Phường Hoàn Kiếm since 1/7/2025
WARD_CHOICE = "Phường Hoàn Kiếm (Thành phố Hà Nội)"
WARD_POLICE = "conganphuong"
CONTACT = "0912 345 678"


@pytest.fixture(autouse=True)
def _fresh_unit_choices():
    # The tip page keeps its unit choices ten minutes per process: tests run before these ones in the same
    # process may have filled them from another database (the 2014 tree alone, other unit ids).
    unit_choices_forget()


@pytest.fixture
def anonymous(browser):
    contexts = []

    def build():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def plan_2026() -> Plan:
    return Plan.objects.get(year=2026, parent__isnull=True)


def t06_achieved(page, live_url, plan: Plan) -> str:
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))  # the city's dashboard, where T06 is set
    return page.locator('tr[data-target="T06"] td.num').nth(1).inner_text().strip()


def send_tip(
    citizen, live_url, what: str, *, address: str = "", when: str = "", contact: str = "", images=None
) -> str:
    """A person with no account sends a tip about Phường Hoàn Kiếm; returns the receipt shown once."""
    citizen.goto(live_url("/tin-bao/"))
    expect(citizen.locator("[data-privacy-notice]")).to_contain_text("Hệ thống không lưu địa chỉ IP")
    citizen.fill("#id_what", what)
    citizen.select_option("#id_unit", label=WARD_CHOICE)
    if address:
        citizen.fill("#id_address", address)
    if when:
        citizen.fill("#id_when", when)
    if contact:
        citizen.fill("#id_contact", contact)
    if images:
        citizen.set_input_files("#id_images", files=images)
    citizen.get_by_role("button", name="Gửi tin báo").click()
    expect(citizen.locator("h1")).to_have_text("Đã nhận tin báo")
    receipt = citizen.locator("[data-receipt]").inner_text().strip()
    assert re.fullmatch(r"([A-Z0-9]{4}-){4}[A-Z0-9]{4}", receipt)
    return receipt


def test_a_tip_leads_to_a_confirmed_reemergence_and_the_sender_sees_only_that_it_was_handled(
    page, live_url, login_as, anonymous
):
    hotspot = Hotspot.objects.get(name=HOTSPOT)
    assert hotspot.status == "kept-clean"
    plan = plan_2026()
    listed = TargetHotspot.objects.select_related("target_item__unit").get(
        hotspot=hotspot, target_item__target__plan=plan, target_item__target__code="T06"
    )
    assert listed.target_item.unit.path == WARD  # on T06's 2026 list, in the ward it lies in today

    # The city coordinator follows T06 on the 2026 plan's dashboard.
    coordinator = anonymous()
    login_as(coordinator, "dieuphoi")
    before = t06_achieved(coordinator, live_url, plan)

    # Someone with no account sends a tip about activity near the eliminated hotspot and keeps the receipt.
    citizen = anonymous()
    receipt = send_tip(
        citizen,
        live_url,
        "Tối nào cũng có mấy người đứng mời chào khách ở vườn hoa, gần bến xe buýt.",
        address="Vườn hoa Lý Thái Tổ, phía phố Đinh Tiên Hoàng",
        when="Khoảng 22 giờ các tối cuối tuần",
        contact=CONTACT,
    )
    tip = Tip.objects.get(what__startswith="Tối nào cũng có")
    assert tip.unit.path == WARD

    # The ward police triage it: assigned to the ward police, linked to the hotspot, being checked.
    login_as(page, WARD_POLICE, next_path=f"/tin-bao/tiep-nhan/{tip.pk}/")
    expect(page.locator("h1")).to_have_text(f"Tin báo #{tip.pk}")
    page.select_option("#id_assigned_agency", label="Công an Phường Hoàn Kiếm")
    page.fill("#id_assigned_team", "Tổ tuần tra số 2")
    page.select_option("#id_hotspot", label=HOTSPOT)
    page.select_option("#id_status", label="Đang xác minh")
    page.get_by_role("button", name="Lưu xử lý").click()
    expect(page.locator(".alert-success")).to_have_text("Đã lưu xử lý tin báo.")

    # A patrol finds activity; the register proposes a re-emergence; the ward police confirm it.
    page.goto(live_url(f"/tu-diem/{hotspot.pk}/"))
    page.get_by_role("link", name="Ghi lượt tuần tra").click()
    page.fill("#id_patrolled_on", min(timezone.localdate(), dt.date(2026, 12, 31)).isoformat())
    page.get_by_label("Phát hiện có hoạt động").check()
    page.get_by_role("button", name="Lưu lượt tuần tra").click()
    expect(page.locator(".alert-success")).to_have_text(
        "Đã ghi lượt tuần tra. Sổ theo dõi đề xuất xác nhận tụ điểm tái hoạt động."
    )
    page.get_by_role("button", name="Xác nhận tái hoạt động").click()
    expect(page.locator(".alert-success")).to_have_text("Đã xác nhận tụ điểm tái hoạt động.")
    expect(page.locator(".hotspot-status").first).to_have_text("Tái hoạt động")

    # T06 moves on the city's dashboard.
    assert int(t06_achieved(coordinator, live_url, plan)) == int(before) + 1

    # The tip is closed with its outcome.
    page.goto(live_url(f"/tin-bao/tiep-nhan/{tip.pk}/"))
    page.select_option("#id_outcome", label="Xác minh có hoạt động")
    page.select_option("#id_status", label="Đã xử lý")
    page.get_by_role("button", name="Lưu xử lý").click()
    expect(page.locator("[data-tip-status]")).to_have_text("Đã xử lý · Xác minh có hoạt động")

    # The sender checks the receipt: "Đã xử lý" and nothing else.
    citizen.goto(live_url("/tin-bao/tra-cuu/"))
    citizen.fill("#id_receipt", receipt.lower())
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.locator("[data-status-label]")).to_have_text("Đã xử lý")
    card = citizen.locator("[data-tip-status]").inner_text()
    for internal in ("Tổ tuần tra", "Công an", HOTSPOT, "Xác minh có hoạt động"):
        assert internal not in card
    assert "Tổ tuần tra" not in citizen.content()


def _commune_officer(username: str, agency_code: str) -> str:
    officer = User.objects.create_user(
        username=username,
        password=E2E_PASSWORD,
        agency=Agency.objects.get(code=agency_code),
        first_name="Cán bộ thử nghiệm",
    )
    officer.roles.set(Role.objects.filter(code=Role.COMMUNE_OFFICER))
    return username


def test_a_commune_officer_of_another_ward_or_district_gets_404_on_the_hotspot(
    page, live_url, demo, anonymous
):
    hotspot = Hotspot.objects.get(name=HOTSPOT)
    base = live_url("").rstrip("/")
    # The commune officer of the ward it lies in today reaches it (through the successor links) ...
    sign_in(page, base, "canbophuong")
    response = page.goto(live_url(f"/tu-diem/{hotspot.pk}/"))
    assert response.status == 200
    expect(page.locator("h1")).to_contain_text(HOTSPOT)
    # ... the officers of another ward (2025) and of a commune of another district (2014) do not.
    for username, agency_code in (
        ("canbo-ba-dinh", "01-00004-social"),
        ("canbo-dong-anh", "01-017-00457-social"),
    ):
        other = anonymous()
        sign_in(other, base, _commune_officer(username, agency_code))
        response = other.goto(live_url(f"/tu-diem/{hotspot.pk}/"))
        assert response.status == 404
        expect(other.locator("body")).not_to_contain_text(HOTSPOT)


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = Image.Exif()
    exif[0x0110] = "Camera-Thu-Nghiem"
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _inspection_in_the_ward():
    """A karaoke bar registered in Phường Hoàn Kiếm and inspected by the ward's Team 178 in 2026 (the
    demo's establishments are registered on the 2014 map)."""
    ward_agencies = {a.kind: a for a in Agency.objects.filter(unit__path=WARD)}
    officer = User.objects.get(username=WARD_POLICE)
    place = premises_services.establishment_create(
        actor=officer,
        kind=EstablishmentKind.objects.get(code="karaoke"),
        name="Karaoke Bờ Hồ",
        address="8 phố Đinh Tiên Hoàng",
        unit=ward_agencies["police"].unit,
        owner_type="organisation",
        organisation_name="Công ty TNHH Bờ Hồ",
        opened_on=dt.date(2020, 3, 1),
    )
    return premises_services.inspection_record(
        actor=officer,
        establishment=place,
        team=ward_agencies["team-178"],
        started_at=timezone.make_aware(dt.datetime(2026, 3, 12, 21, 0)),
        agencies=[ward_agencies["police"], ward_agencies["commune-social"], ward_agencies["committee"]],
        leader_name="Nguyễn Văn Trưởng",
        violation_found=True,
        findings="Nhân viên nữ ngồi cùng khách trong phòng hát.",
    )


def test_a_tip_with_a_photo_is_linked_to_an_inspection_shown_on_its_page_and_the_hotspot_lists_it_nearby(
    page, live_url, login_as, anonymous
):
    hotspot = Hotspot.objects.get(name=HOTSPOT)
    inspection = _inspection_in_the_ward()

    # A person with no account sends a tip with a photo (its EXIF and GPS are dropped on the way in).
    citizen = anonymous()
    send_tip(
        citizen,
        live_url,
        "Quán karaoke đầu phố có người đứng mời chào khách sau 23 giờ.",
        contact=CONTACT,
        images=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_gps()}],
    )
    tip = Tip.objects.get(what__startswith="Quán karaoke đầu phố")
    stored = tip.attachments.select_related("file").get().file
    assert stored.original_name == "anh-tin-bao.jpg"

    # The ward police see the photo on the tip and link the tip to the inspection by its page address.
    login_as(page, WARD_POLICE, next_path=f"/tin-bao/tiep-nhan/{tip.pk}/")
    photo = page.locator('img[alt="Ảnh gửi kèm tin báo"]')
    expect(photo).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", photo.element_handle()) == 64
    page.select_option("#id_kind", label="Cuộc kiểm tra cơ sở")
    page.fill("#id_object_id", live_url(f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/"))
    page.get_by_role("button", name="Liên kết", exact=True).click()
    expect(page.locator(".alert-success")).to_have_text("Đã liên kết tin báo với hồ sơ.")
    expect(page.locator("[data-tip-link]")).to_contain_text("Karaoke Bờ Hồ")

    # A case that does not exist (or is out of reach) gets a Vietnamese message; nothing is linked.
    page.select_option("#id_kind", label="Vụ án hình sự")
    page.fill("#id_object_id", "987654")
    page.get_by_role("button", name="Liên kết", exact=True).click()
    expect(page.locator('[data-error-for="object_id"]')).to_have_text(
        "Không tìm thấy vụ án hình sự số 987654, hoặc bạn không có quyền xem hồ sơ này."
    )
    assert tip.links.count() == 1

    # The inspection's page lists the linked tip, without the sender's contact; a click opens the tip.
    page.goto(live_url(f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/"))
    linked = page.locator("[data-linked-tips]")
    expect(linked.locator(f'[data-linked-tip="{tip.pk}"]')).to_contain_text(f"Tin báo #{tip.pk}")
    expect(linked).to_contain_text("Trang tin báo trực tuyến")
    expect(linked).not_to_contain_text(CONTACT)
    assert CONTACT not in page.content()
    linked.get_by_role("link", name=f"Tin báo #{tip.pk}").click()
    expect(page.locator("h1")).to_have_text(f"Tin báo #{tip.pk}")

    # The hotspot's page lists the inspections around it: of its 2009 ward and of the ward it lies in today.
    page.goto(live_url(f"/tu-diem/{hotspot.pk}/"))
    expect(page.locator("[data-inspections] li").first).to_contain_text(
        f"{inspection.inspected_on:%d/%m/%Y} · Karaoke Bờ Hồ"
    )


def test_the_ward_police_triage_a_tip_sent_before_the_reform_and_another_ward_gets_404(
    page, live_url, login_as, anonymous
):
    """A tip about Phường Tràng Tiền (2014 map) received in May 2025, before the reform: since 1/7/2025
    Tràng Tiền is part of Phường Hoàn Kiếm, whose police find it in their queue, marked with today's ward."""
    from lanhmanh.enforcement import services as enforcement_services
    from lanhmanh.org.models import AdministrativeUnit
    from lanhmanh.org.successions import successor_on

    old_ward = AdministrativeUnit.objects.get(path="01.002.00079")  # Phường Tràng Tiền
    tip, _code = enforcement_services.tip_submit(
        what="Quán nước đầu ngõ có người mời chào khách buổi tối.", unit=old_ward
    )
    Tip.objects.filter(pk=tip.pk).update(received_at=timezone.make_aware(dt.datetime(2025, 5, 14, 20, 0)))
    today = successor_on(old_ward, dt.date(2026, 1, 1)).full_name

    login_as(page, WARD_POLICE, next_path="/tin-bao/tiep-nhan/")
    row = page.locator(f'tr[data-tip="{tip.pk}"]')
    expect(row.locator("[data-now-part-of]")).to_have_text(f"(nay thuộc {today})")
    row.get_by_role("link", name=str(tip.pk)).click()
    expect(page.locator("h1")).to_have_text(f"Tin báo #{tip.pk}")
    page.select_option("#id_assigned_agency", label="Công an Phường Hoàn Kiếm")
    page.select_option("#id_status", label="Đang xác minh")
    page.get_by_role("button", name="Lưu xử lý").click()
    expect(page.locator(".alert-success")).to_have_text("Đã lưu xử lý tin báo.")
    tip.refresh_from_db()
    assert (tip.assigned_agency.unit.path, tip.status) == (WARD, "checking")

    other = User.objects.create_user(
        username="congan-ba-dinh",
        password=E2E_PASSWORD,
        agency=Agency.objects.get(code="01-00004-police"),
        first_name="Cán bộ thử nghiệm",
    )
    other.roles.set(Role.objects.filter(code=Role.POLICE))
    elsewhere = anonymous()
    sign_in(elsewhere, live_url("").rstrip("/"), "congan-ba-dinh")
    assert elsewhere.goto(live_url(f"/tin-bao/tiep-nhan/{tip.pk}/")).status == 404
    elsewhere.goto(live_url("/tin-bao/tiep-nhan/"))
    expect(elsewhere.locator(f'tr[data-tip="{tip.pk}"]')).to_have_count(0)
