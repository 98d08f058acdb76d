"""The 2026 plan on the two-level map in a browser: a ward reports straight to the city, the coordinator
copies the 2014 plan and places what has no successor, a person's violations on both sides of the
1/7/2025 reform on one page, and the dashboards of 2026 (communes under the city) and 2014 (districts)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.core.periods import MONTH, Period
from lanhmanh.people.models import Person
from lanhmanh.plans.models import Activity, CopyGap, Plan
from lanhmanh.reporting.models import Status, Submission

from .report_sections import open_section, save_section

pytestmark = pytest.mark.browser

WARD = "01.00070"


@pytest.fixture
def second_page(browser):
    contexts = []

    def build():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def test_a_2026_ward_submits_its_monthly_report_and_the_city_approves_it_without_a_district(
    page, login_as, second_page
):
    month = Period.containing(timezone.localdate(), MONTH).previous()
    login_as(page, "canbophuong", next_path="/bao-cao/")
    row = page.locator("tr", has_text=month.label).filter(has_text="Báo cáo tháng cấp xã")
    row.get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("h1")).to_have_text(f"Báo cáo tháng cấp xã – {month.label}")
    save_section(
        page,
        "I. Tình hình tệ nạn mại dâm trên địa bàn",
        {"sellers_known": "7", "suspect_establishments": "1", "hotspots_found": "0"},
    )
    open_section(page, "II. Kiểm tra, xử lý vi phạm hành chính")
    sanctioned = int(page.input_value("#id_sellers_sanctioned") or "0")
    save_section(page, "II. Kiểm tra, xử lý vi phạm hành chính", {"people_checked": str(sanctioned + 3)})
    save_section(page, "III. Tiếp cận, tư vấn, hỗ trợ người bán dâm", {"health_referrals": "2"})
    # Prefilled from the records, hotspots of the wards Phường Hoàn Kiếm was made from included: kept as computed.
    open_section(page, "IV. Tụ điểm mại dâm công cộng")
    kept = {
        code: page.input_value(f"#id_{code}") or "0" for code in ("hotspots_kept_clean", "hotspots_reemerged")
    }
    save_section(page, "IV. Tụ điểm mại dâm công cộng", kept)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")

    city = second_page()
    login_as(city, "dieuphoi", next_path="/bao-cao/cho-duyet/")
    queue_row = city.get_by_test_id("queue").locator("tr", has_text=month.label).filter(has_text="Hoàn Kiếm")
    queue_row.get_by_role("link", name="Xem, duyệt").click()
    city.get_by_test_id("approve").click()
    expect(city.locator(".alert-success")).to_contain_text(
        "Đã duyệt báo cáo của Phòng Văn hóa – Xã hội Phường Hoàn Kiếm."
    )
    submission = Submission.objects.get(agency__code="01-00070-social", period_id=month.id)
    assert submission.status == Status.APPROVED and submission.unit_path == WARD
    # Completeness by commune, directly under the city.
    city.goto(city.url.split("/bao-cao/")[0] + f"/bao-cao/tien-do/?bieu-mau=xa-thang&ky={month.id}")
    ward = city.get_by_test_id("completeness-table").locator(f'tr[data-unit="{WARD}"]')
    expect(ward.locator("td").first.get_by_role("link").first).to_have_text("Phường Hoàn Kiếm")


def test_the_coordinator_copies_2014_to_2026_and_places_an_unmapped_item(page, login_as, live_url):
    Activity.objects.filter(
        plan__year=2026
    ).delete()  # the demo's 2026 plan goes: the coordinator makes it here
    Plan.objects.filter(year=2026).delete()
    old = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)
    login_as(page, "dieuphoi", next_path=f"/ke-hoach/{old.pk}/sao-sang-nam-sau/")
    page.fill("#id_year", "2026")
    with page.expect_navigation(timeout=180_000):  # the copy moves hundreds of rows in one transaction
        page.get_by_role("button", name="Sao kế hoạch").click(no_wait_after=True)
    expect(page.locator("h1")).to_have_text("Mục chưa chuyển được sang đơn vị mới")
    new = Plan.objects.get(year=2026, scope_unit__path="01")
    first = int(page.locator('input[name="gap"]').first.get_attribute("value"))
    gap = CopyGap.objects.get(pk=first, plan=new)
    row = page.locator("tr", has=page.locator(f'input[name="gap"][value="{gap.pk}"]'))
    row.locator("select").select_option(index=1)  # the first unit (or body) of the 2026 map offered
    chosen = row.locator("select option:checked").inner_text()
    row.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text(f"→ {chosen}")
    gap.refresh_from_db()
    assert gap.resolved_at is not None and gap.resolution == chosen
    expect(page.locator(f'input[name="gap"][value="{gap.pk}"]')).to_have_count(0)
    # A second copy over 2026 is refused.
    page.goto(live_url(f"/ke-hoach/{old.pk}/sao-sang-nam-sau/"))
    page.fill("#id_year", "2026")
    page.get_by_role("button", name="Sao kế hoạch").click()
    expect(page.locator(".text-danger").first).to_contain_text("Kế hoạch này đã được sao sang năm 2026.")


def test_violations_before_and_after_the_reform_show_on_one_page_with_the_repeat(page, login_as, live_url):
    person = Person.objects.by_id_number("001195012345").get()
    login_as(page, "conganphuong", next_path=f"/nguoi-vi-pham/{person.pk}/")
    page.select_option("#id_purpose", "sanction")
    page.get_by_role("button", name="Xem hồ sơ").click()
    rows = page.locator("tr[data-violation]")
    expect(rows).to_have_count(2)
    expect(page.locator("[data-counts]")).to_contain_text("Toàn bộ lịch sử: 2 lần vi phạm.")
    expect(page.locator("[data-counts]")).to_contain_text("Tái phạm: 1 lần.")
    expect(page.locator("[data-now-part-of]")).to_have_text("(nay thuộc Phường Cửa Nam)")
    expect(page.locator("[data-reform-note]")).to_be_visible()


def test_the_2026_dashboard_lists_communes_under_the_city_and_the_2014_one_districts(
    page, login_as, live_url
):
    login_as(page, "dieuphoi")
    plan_2026 = Plan.objects.get(year=2026, scope_unit__path="01")
    plan_2014 = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)
    page.goto(live_url(f"/ke-hoach/{plan_2026.pk}/"))
    expect(page.locator(f'tr[data-unit="{WARD}"] td').first).to_have_text("Phường Hoàn Kiếm")
    expect(page.locator('tr[data-unit="01.002"]')).to_have_count(0)
    expect(page.locator("tr[data-unit]")).to_have_count(126)
    page.goto(live_url(f"/ke-hoach/{plan_2014.pk}/"))
    expect(page.locator('tr[data-unit="01.002"] td').first).to_have_text("Quận Hoàn Kiếm")
    expect(page.locator("tr[data-unit]")).to_have_count(30)
    # The home page switches the plan the coordinator works under.
    page.goto(live_url("/"))
    page.select_option("#plan-switch", str(plan_2026.pk))
    page.get_by_role("button", name="Chuyển").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Đang làm việc theo: Kế hoạch phòng, chống mại dâm"
    )
    expect(page.locator("#plan-switch")).to_have_value(str(plan_2026.pk))
