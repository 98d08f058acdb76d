"""What an officer sees on every page: a top bar on one line, Vietnamese error pages, no dead links."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .report_sections import open_section

pytestmark = pytest.mark.browser


def test_the_coordinators_top_bar_fits_one_line_at_1366_px_with_grouped_menus(page, demo_accounts, live_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_url(""), "dieuphoi")
    bar = page.locator("header.app-header")
    box = bar.bounding_box()
    assert box["height"] < 70, f"the top bar wraps: {box['height']} px high"
    plan = page.locator("[data-nav-group=plan]")
    expect(plan).to_have_text("Kế hoạch")
    plan.click()
    page.locator(".dropdown-menu.show").get_by_role("link", name="Chỉ số").click()
    expect(page).to_have_url(re.compile(r"/chi-so/$"))
    expect(page.locator("[data-nav-group=plan]")).to_have_class(re.compile(r"\bactive\b"))


def test_a_missing_record_is_a_vietnamese_page_with_the_menu_and_a_way_home(page, demo_accounts, live_url):
    sign_in(page, live_url(""), "canboxa")
    response = page.goto(live_url("/nguoi-vi-pham/999999999/"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy hoặc không được phép xem")
    expect(page.locator("header.app-header")).to_be_visible()
    page.locator("#main").get_by_role("link", name="trang chủ").click()
    expect(page).to_have_url(live_url("/"))


def test_a_commune_officer_who_approves_nothing_sees_no_approval_queue(page, demo_accounts, live_url):
    sign_in(page, live_url(""), "canboxa")
    page.goto(live_url("/bao-cao/"))
    expect(page.get_by_role("link", name="Thông báo")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Chờ duyệt"))).to_have_count(0)
    page.context.clear_cookies()
    sign_in(page, live_url(""), "phonglaodong")
    page.goto(live_url("/bao-cao/"))
    expect(page.get_by_role("link", name=re.compile("^Chờ duyệt"))).to_have_count(1)


def test_the_long_unit_list_is_searchable_by_typing_without_accents(page, demo_accounts, live_url):
    sign_in(page, live_url(""), "congan")
    page.goto(live_url("/nguoi-vi-pham/them/"))
    control = page.locator("[data-searchable-for=id_permanent_unit]")
    control.click()
    control.locator("input").fill("trang tien")
    options = page.locator(".ts-dropdown .option")
    expect(options.first).to_contain_text("Tràng Tiền")
    assert options.count() < 5  # 616 units narrowed to the ward(s) matching
    options.first.click()
    tien = page.locator("#id_permanent_unit").evaluate("select => select.options[select.selectedIndex].text")
    assert "Tràng Tiền" in tien


def test_dates_read_day_first_even_in_an_english_browser(browser, demo_accounts, live_url):
    context = browser.new_context(locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    try:
        sign_in(page, live_url(""), "congan")
        page.goto(live_url("/nguoi-vi-pham/them/"))
        birth = page.locator("#id_birth_date")
        assert birth.get_attribute("type") == "text"
        assert birth.get_attribute("placeholder") == "dd/mm/yyyy"
    finally:
        context.close()


def support_case_of(worker: str):
    from lanhmanh.support.models import SupportCase

    return (
        SupportCase.objects.filter(lead_worker__username=worker)
        .select_related("person")
        .order_by("pk")
        .first()
    )


def test_the_caseload_shows_names_only_after_a_stated_purpose_and_logs_the_listing(page, live_url, login_as):
    from lanhmanh.core.models import AccessRecord

    case = support_case_of("congtacxahoi")
    name = case.person.full_name
    login_as(page, "congtacxahoi")
    page.goto(live_url("/ho-tro/"))
    row = page.locator(f'[data-caseload] [data-case="{case.pk}"]')
    expect(row).to_contain_text("(đang ẩn)")
    expect(page.get_by_text(name)).to_have_count(0)
    purpose = page.get_by_label("Mục đích xem thông tin nhân thân")
    expect(purpose).to_have_value("")  # nothing preselected
    purpose.select_option(label="Tiếp cận, hỗ trợ, tư vấn")
    page.get_by_role("button", name="Hiện tên").click()
    expect(row).to_contain_text(name)
    expect(page.locator("[data-names-shown]")).to_contain_text("mục đích: Tiếp cận, hỗ trợ, tư vấn")
    assert AccessRecord.objects.filter(
        actor__username="congtacxahoi",
        model="people.person",
        object_id=str(case.person_id),
        purpose="support",
    ).exists()
    page.get_by_role("link", name="Ẩn tên").click()
    expect(row).to_contain_text("(đang ẩn)")


def test_the_person_page_shows_her_support_case_after_a_chosen_purpose(page, live_url, login_as):
    case = support_case_of("congtacxahoi")
    login_as(page, "phonglaodong")
    page.goto(live_url(f"/nguoi-vi-pham/{case.person_id}/"))
    purpose = page.get_by_label("Mục đích xem thông tin nhân thân")
    expect(purpose).to_have_value("")
    page.get_by_role("button", name="Xem hồ sơ").click()  # without choosing: still the purpose page
    expect(page.locator("[data-purpose-form]")).to_be_visible()
    purpose.select_option(label="Tiếp cận, hỗ trợ, tư vấn")
    page.get_by_role("button", name="Xem hồ sơ").click()
    support = page.locator("[data-support-cases]")
    expect(support).to_contain_text(f"Hồ sơ hỗ trợ #{case.pk}")
    expect(support).to_contain_text("Hội Liên hiệp Phụ nữ Phường Tràng Tiền chủ trì")
    expect(page.get_by_text("Chưa có hồ sơ hỗ trợ nào.")).to_have_count(0)
    support.get_by_role("link", name=f"Hồ sơ hỗ trợ #{case.pk}").click()
    expect(page).to_have_url(re.compile(rf"/ho-tro/ho-so/{case.pk}/$"))


def test_another_period_is_picked_from_a_list_and_its_sections_save_on_their_own(page, live_url, login_as):
    login_as(page, "canboxa")
    page.goto(live_url("/bao-cao/"))
    other = page.get_by_test_id("open-other")
    expect(other.get_by_text("Ví dụ: 201410")).to_have_count(0)
    other.get_by_label("Biểu mẫu").select_option("xa-thang")
    other.locator("#id_period_id").select_option(
        label="Tháng 11/2014", force=True
    )  # Tom Select wraps the long list
    other.get_by_role("button", name="Mở báo cáo").click()
    expect(page.locator("h1")).to_contain_text("Tháng 11/2014")

    # Sending it empty is refused with a banner; saving a section afterwards clears the banner.
    page.get_by_test_id("submit").click()
    banner = page.locator("#messages .alert-danger")
    expect(banner.first).to_contain_text("Chưa nhập:")
    section = page.locator("#section")
    open_section(page, "I. Tình hình tệ nạn mại dâm trên địa bàn")
    for name, value in {"sellers_known": "12", "suspect_establishments": "2", "hotspots_found": "0"}.items():
        page.fill(f"#id_{name}", value)
    with page.expect_response(re.compile(r"/bao-cao/\d+/muc/")):
        section.get_by_role("button", name="Lưu mục này").click()
    expect(section.locator(".alert-success")).to_contain_text("Đã lưu mục")
    expect(banner).to_have_count(0)

    # A rule between two fields is told once, not under each of its fields.
    open_section(page, "II. Kiểm tra, xử lý vi phạm hành chính")
    sanctioned = int(page.input_value("#id_sellers_sanctioned") or "0")
    page.fill("#id_warnings", str(sanctioned + 1))
    page.fill("#id_warnings__reason", "Theo sổ theo dõi của Công an phường")
    page.fill("#id_fined", "0")
    page.fill("#id_fined__reason", "Theo sổ theo dõi của Công an phường")
    with page.expect_response(re.compile(r"/bao-cao/\d+/muc/")):
        section.get_by_role("button", name="Lưu mục này").click()
    expect(section.get_by_text("phải bằng")).to_have_count(1)


def test_a_plain_form_has_the_common_look_and_marks_required_fields(page, demo_accounts, live_url):
    sign_in(page, live_url(""), "dieuphoi")
    page.goto(live_url("/bao-cao/dot-xuat/moi/"))
    title = page.locator("#id_title")
    expect(title).to_have_class(re.compile(r"\bform-control\b"))
    expect(page.locator("#id_form")).to_have_class(re.compile(r"\bform-select\b"))
    mark = page.locator('label[for="id_title"]').evaluate("l => getComputedStyle(l, '::after').content")
    assert "*" in mark


def test_people_in_my_ward_after_a_purpose(page, live_url, login_as):
    login_as(page, "canboxa")
    page.goto(live_url("/nguoi-vi-pham/"))
    page.get_by_role("link", name="Người trên địa bàn của tôi").click()
    expect(page.locator("[data-ward]")).to_have_count(0)
    page.get_by_label("Mục đích xem thông tin nhân thân").select_option(label="Tiếp cận, hỗ trợ, tư vấn")
    page.get_by_role("button", name="Xem danh sách").click()
    expect(page.locator("[data-ward-count]")).to_contain_text("người")
    first = page.locator("[data-ward] tbody tr").first
    first.get_by_role("link", name="Xem hồ sơ").click()
    expect(page.locator("[data-purpose-form]")).to_have_count(0)  # the purpose stated for the list holds
