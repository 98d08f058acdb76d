"""What an officer sees on every page: a top bar on one line, Vietnamese error pages, no dead links."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

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
