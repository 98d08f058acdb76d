"""The establishment register in the browser (issue 11): Team 178 plans a quarter from the ranked list,
records an inspection with findings and a person found, prints the minutes; the district records the
chair's sanction and the licensing agency answers the revocation proposal; the licensing officer looks
up the owner and sees the decision; the dashboard's T08 count moves; a commune officer of another
district gets 404; the police's quick check and the health worker's check of a massage place; an
inspector attaches a photo to an inspection (a file that is not a picture is refused in Vietnamese)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from lanhmanh.premises.models import Establishment, Inspection, RevocationProposal

from .conftest import E2E_PASSWORD, sign_in

pytestmark = pytest.mark.browser


def karaoke() -> Establishment:
    return Establishment.objects.get(name="Karaoke Ánh Sao", created_by__isnull=True)


def test_team_178_plans_a_quarter_inspects_records_a_person_and_prints_the_minutes(page, live_url, login_as):
    login_as(page, "doi178")
    page.goto(live_url("/co-so-kinh-doanh/ke-hoach/them/"))
    page.select_option("#id_team", label="Đội Kiểm tra liên ngành 178 Quận Hoàn Kiếm")
    page.select_option("#id_period_id", label="Quý 4/2014")  # a picker, not a code typed
    page.fill("#id_quota", "5")
    page.fill("#id_random_share", "20")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("h1")).to_contain_text("kế hoạch kỳ Quý 4/2014")
    proposals = page.locator("form[data-proposals] tbody tr")
    expect(proposals.first.locator("ul li").first).to_be_visible()  # reasons shown per establishment
    expect(page.locator("form[data-proposals]")).to_contain_text("Ngẫu nhiên")
    page.get_by_role("button", name="Đưa các cơ sở đã chọn vào kế hoạch").click()
    expect(page.locator("[data-chosen] tbody tr")).to_have_count(5)
    # Inspect the journey's karaoke bar (not necessarily in the plan).
    page.goto(live_url(f"/co-so-kinh-doanh/{karaoke().pk}/kiem-tra/"))
    page.select_option("#id_team", label="Đội Kiểm tra liên ngành 178 Quận Hoàn Kiếm")
    page.fill("#id_started_at", "2014-11-05T21:00")
    page.fill("#id_leader_name", "Nguyễn Văn Trưởng, Phó Trưởng phòng LĐTBXH")
    page.select_option(
        "#id_agencies",
        label=[
            "Công an Quận Hoàn Kiếm",
            "Phòng Lao động – Thương binh và Xã hội Quận Hoàn Kiếm",
            "Sở Văn hóa, Thể thao và Du lịch",
        ],
    )
    page.fill("#id_findings", "Phòng hát số 3 chốt cửa trong, có nữ nhân viên ngồi cùng khách.")
    page.get_by_role("button", name="Lưu cuộc kiểm tra").click()
    expect(page.locator("[data-findings]")).to_contain_text("Phòng hát số 3 chốt cửa trong")
    page.get_by_text("Ghi nhận người vi phạm").click()
    form = page.locator("form[data-person-found]")
    form.locator("#id_full_name").fill("Lê Thị Hoa")
    form.locator("#id_birth_date").fill("1992-02-02")
    # A seller's act for a seller (a buyer's act with the seller role is refused).
    form.locator("#id_act").select_option(label="khoản 1 Điều 23 Nghị định 167/2013/NĐ-CP — Bán dâm")
    form.locator("#id_role").select_option("seller")
    form.get_by_role("button", name="Lưu người vi phạm").click()
    expect(page.locator("[data-people-found] li")).to_have_count(1)
    expect(page.locator("[data-findings] .badge")).to_have_text("Phát hiện vi phạm")
    with page.expect_download() as download:
        page.get_by_role("link", name="In biên bản (Word)").click()
    assert download.value.suggested_filename.startswith("bien-ban-kiem-tra-")


def test_the_city_team_inspection_moves_t08_on_the_dashboard(page, live_url, login_as):
    login_as(page, "dieuphoi")
    page.goto(live_url("/ke-hoach/"))
    page.get_by_role("link", name=re.compile("Kế hoạch phòng, chống mại dâm .* năm 2014")).click()
    t08 = page.locator('tr[data-target="T08"] td').nth(3)
    before = int(t08.inner_text())
    t04 = page.locator('tr[data-target="T04"] td').nth(3)
    assert int(t04.inner_text().replace(".", "")) > 1000
    dashboard = page.url
    # An establishment the city team has not inspected in 2014.
    inspected = Inspection.objects.filter(team_level=1, inspected_on__year=2014).values("establishment")
    target = (
        Establishment.objects.filter(unit__path__startswith="01.002.", closed_on__isnull=True)
        .exclude(pk__in=inspected)
        .first()
    )
    page.goto(live_url(f"/co-so-kinh-doanh/{target.pk}/kiem-tra/"))
    page.select_option("#id_team", label="Đội Kiểm tra liên ngành 178 Thành phố")
    page.fill("#id_started_at", "2014-10-15T20:30")
    page.fill("#id_leader_name", "Trưởng đoàn Đội 178 Thành phố")
    page.select_option(
        "#id_agencies", label=["Công an Thành phố", "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế"]
    )
    page.get_by_role("button", name="Lưu cuộc kiểm tra").click()
    expect(page.locator("h1")).to_contain_text("Kiểm tra")
    page.goto(dashboard)
    expect(page.locator('tr[data-target="T08"] td').nth(3)).to_have_text(str(before + 1))


def test_the_chair_decides_the_licensing_agency_answers_and_the_lookup_shows_the_decision(
    page, live_url, login_as
):
    login_as(page, "doi178")
    place = karaoke()
    page.goto(live_url(f"/co-so-kinh-doanh/{place.pk}/de-nghi-xu-phat/"))
    from lanhmanh.premises.models import BusinessAct

    act = BusinessAct.objects.get(code="nd167-25-2-loi-dung-kinh-doanh")
    expect(page.locator(f'#id_act option[value="{act.pk}"]')).to_contain_text(
        "khoản 2 Điều 25 Nghị định 167/2013"
    )
    page.select_option("#id_act", str(act.pk))
    page.select_option("#id_offender_type", "individual")
    page.fill("#id_occurred_on", "2014-11-05")
    page.fill("#id_proposed_amount", "15000000")
    page.select_option("#id_proposed_measure", "revocation")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("[data-status]")).to_have_text("Đề nghị xử phạt")
    sanction_url = page.url
    page.context.clear_cookies()
    # The district labour office records the decision the district chair signed.
    sign_in(page, live_url(""), "phonglaodong", E2E_PASSWORD)
    page.goto(sanction_url)
    form = page.locator("form[data-decide]")
    form.locator("#id_authority").select_option(label="Ủy ban nhân dân Quận Hoàn Kiếm")
    form.locator("#id_decision_number").fill("120/QĐ-XPVPHC")
    form.locator("#id_decided_on").fill("2014-11-20")
    form.locator("#id_amount").fill("60000000")  # outside the individual range: refused, named
    form.get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator("[data-error-for=amount]")).to_contain_text("nằm ngoài khung phạt đối với cá nhân")
    page.locator("form[data-decide] #id_amount").fill("15000000")
    page.locator("form[data-decide]").get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator("[data-decision]")).to_contain_text("Số 120/QĐ-XPVPHC ngày 20/11/2014")
    expect(page.locator("[data-revocations]")).to_contain_text("Chờ trả lời")
    page.context.clear_cookies()
    # The culture department answers the revocation proposal, then looks the owner up.
    sign_in(page, live_url(""), "capphep", E2E_PASSWORD)
    proposal = RevocationProposal.objects.get(sanction__decision_number="120/QĐ-XPVPHC")
    page.goto(live_url("/co-so-kinh-doanh/thu-hoi-giay-phep/"))
    page.locator(f'a[href$="/thu-hoi-giay-phep/{proposal.pk}/"]').click()
    page.select_option("#id_answer", "revoked")
    page.fill("#id_answered_on", "2014-12-01")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("[data-revocations]")).to_contain_text("Đã thu hồi giấy phép")
    page.goto(live_url("/co-so-kinh-doanh/tra-cuu-cap-phep/"))
    page.select_option("#id_purpose", "new-licence")
    page.fill("#id_detail", "Hồ sơ đề nghị cấp phép số 45/2015")
    page.fill("#id_owner_name", "Trần Văn Chủ")
    page.fill("#id_owner_id_number", "001080012345")
    page.fill("#id_address", "25 phố Hàng Bài")
    page.get_by_role("button", name="Tra cứu").click()
    answer = page.locator("[data-answer]")
    expect(answer).to_have_attribute("data-answer", "no")
    expect(answer).to_contain_text("Số 120/QĐ-XPVPHC ngày 20/11/2014")
    expect(answer).to_contain_text("không đủ điều kiện cấp phép")
    # The licensing officer sees nothing else of the register.
    assert page.goto(live_url(f"/co-so-kinh-doanh/{proposal.sanction.establishment_id}/")).status == 404


def test_a_commune_officer_of_another_district_gets_404_on_the_establishment(page, live_url, login_as):
    from lanhmanh.org.models import Agency
    from tests.conftest import make_user

    officer = make_user(
        "canbo_donganh",
        Agency.objects.filter(kind="commune-social", unit__path__startswith="01.017.").first(),
        "commune-officer",
    )
    officer.set_password(E2E_PASSWORD)
    officer.save()
    login_as(page, "canboxa")
    own = page.goto(live_url(f"/co-so-kinh-doanh/{karaoke().pk}/"))
    assert own.status == 200
    expect(page.locator("h1")).to_have_text("Karaoke Ánh Sao")
    page.context.clear_cookies()
    sign_in(page, live_url(""), "canbo_donganh", E2E_PASSWORD)
    response = page.goto(live_url(f"/co-so-kinh-doanh/{karaoke().pk}/"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy hoặc không được phép xem")


def test_the_police_check_on_a_phone_and_the_health_check_of_a_massage_place(page, live_url, login_as):
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, "congan", next_path="/co-so-kinh-doanh/kiem-tra-hanh-chinh/")
    page.fill("#q", "ánh sao")
    page.get_by_role("button", name="Tìm").click()
    page.locator("[data-matches] a").first.click()
    expect(page.locator("[data-chosen]")).to_contain_text("Karaoke Ánh Sao")
    page.fill("#id_checked_on", "2014-12-10")
    page.get_by_label("Phát hiện vi phạm", exact=True).check()
    page.fill("#id_people_checked", "6")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert, [role=alert]").first).to_contain_text("Đã ghi nhận kiểm tra hành chính")
    page.context.clear_cookies()
    sign_in(page, live_url(""), "yte", E2E_PASSWORD)
    place = Establishment.objects.filter(
        kind__code="xoa-bop", unit__path__startswith="01.002.", closed_on__isnull=True
    ).first()
    page.goto(live_url(f"/co-so-kinh-doanh/{place.pk}/"))
    page.get_by_role("link", name="Kiểm tra y tế").click()
    page.fill("#id_checked_on", "2014-12-11")
    page.get_by_label("Đạt quy định chuyên môn y tế").check()
    page.fill("#id_condoms_supplied", "300")
    page.get_by_label("Tham gia chương trình 100% bao cao su").check()
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("dl")).to_contain_text("Có tham gia")
    # Health staff see massage places only.
    assert page.goto(live_url(f"/co-so-kinh-doanh/{karaoke().pk}/")).status == 404


def test_an_inspector_attaches_a_photo_to_an_inspection_and_sees_it_listed(
    page, live_url, login_as, settings, tmp_path
):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    login_as(page, "doi178")
    inspection = (
        Inspection.objects.filter(establishment__unit_path__startswith="01.002.").order_by("pk").first()
    )
    page.goto(live_url(f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/"))
    expect(page.locator("[data-attachments]")).to_contain_text("Chưa có tệp đính kèm.")
    page.get_by_text("Đính kèm ảnh hoặc bản chụp biên bản").click()
    fake = tmp_path / "anh-gia.jpg"
    fake.write_text("<html>không phải ảnh</html>")
    form = page.locator("form[data-attach]")
    form.locator("#id_attach-file").set_input_files(str(fake))
    form.get_by_role("button", name="Đính kèm").click()
    expect(page.locator("[data-error-for=file]")).to_contain_text(
        "Tệp “anh-gia.jpg” không thuộc loại được phép (JPEG, PDF, PNG, WebP)."
    )
    photo = tmp_path / "phong-hat-3.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    form = page.locator("form[data-attach]")
    form.locator("#id_attach-file").set_input_files(str(photo))
    form.locator("#id_attach-kind").select_option("photo")
    form.locator("#id_attach-caption").fill("Phòng hát số 3")
    form.get_by_role("button", name="Đính kèm").click()
    listed = page.locator("[data-attachments] li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("phong-hat-3.jpg")
    expect(listed).to_contain_text("Phòng hát số 3")
    with page.expect_download() as download:
        listed.get_by_role("link", name="phong-hat-3.jpg").click()
    assert download.value.suggested_filename == "phong-hat-3.jpg"


def test_the_police_of_today_s_ward_check_the_old_ward_s_establishment_and_another_ward_gets_404(
    page, live_url, login_as
):
    """Karaoke Ánh Sao was registered in Phường Tràng Tiền (2014 map); since 1/7/2025 Tràng Tiền is part of
    Phường Hoàn Kiếm, whose police (``conganphuong``) find it marked with the ward it is in today."""
    import datetime as dt

    from lanhmanh.org.models import Agency
    from lanhmanh.org.successions import successor_on
    from lanhmanh.premises.models import PoliceCheck
    from tests.conftest import make_user

    place = karaoke()
    today = successor_on(place.unit, dt.date(2026, 1, 1)).full_name
    login_as(page, "conganphuong")
    page.goto(live_url("/co-so-kinh-doanh/?q=Karaoke+Ánh+Sao"))  # the ward reaches four pages of the register
    row = page.locator("tr", has_text="Karaoke Ánh Sao").first
    expect(row.locator("[data-now-part-of]")).to_have_text(f"(nay thuộc {today})")
    row.get_by_role("link", name="Karaoke Ánh Sao").click()
    expect(page.locator("h1")).to_have_text("Karaoke Ánh Sao")
    expect(page.locator("dl [data-now-part-of]")).to_have_text(f"(nay thuộc {today})")
    page.get_by_role("link", name="Kiểm tra hành chính").click()
    expect(page.locator("[data-chosen]")).to_contain_text("Karaoke Ánh Sao")
    page.fill("#id_checked_on", "2026-03-02")
    page.get_by_label("Không phát hiện vi phạm", exact=True).check()
    page.fill("#id_people_checked", "4")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert, [role=alert]").first).to_contain_text("Đã ghi nhận kiểm tra hành chính")
    assert PoliceCheck.objects.filter(establishment=place, created_by__username="conganphuong").count() == 1

    other = make_user("congan_badinh", Agency.objects.get(unit__path="01.00004", kind="police"), "police")
    other.set_password(E2E_PASSWORD)
    other.save()
    page.context.clear_cookies()
    sign_in(page, live_url(""), "congan_badinh", E2E_PASSWORD)
    assert page.goto(live_url(f"/co-so-kinh-doanh/{place.pk}/")).status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy hoặc không được phép xem")
