"""The monthly report in a browser: a ward fills and submits it, the district returns it with a comment,
the ward corrects and resubmits, the district approves, and the city sees it on time."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.core.periods import MONTH, Period
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.reporting.models import Status, Submission

from .report_sections import open_section, save_section

pytestmark = pytest.mark.browser


@pytest.fixture
def second_page(browser):
    """Another signed-in person at once: each user signs in once (a TOTP code is accepted only once)."""
    contexts = []

    def build():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def test_a_monthly_report_goes_up_is_returned_corrected_and_approved(page, login_as, second_page):
    # The demo's 2014 ward kept alive, so that this month's report is due now, before its deadline.
    AdministrativeUnit.objects.filter(path__in=["01.002", "01.002.00079"]).update(valid_to=None)
    month = Period.containing(timezone.localdate(), MONTH)

    login_as(page, "canboxa", next_path="/bao-cao/")
    row = page.locator("tr", has_text=month.label).filter(has_text="Báo cáo tháng cấp xã")
    row.get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("h1")).to_have_text(f"Báo cáo tháng cấp xã – {month.label}")
    expect(page.get_by_test_id("status")).to_have_text("Đang soạn")

    save_section(
        page,
        "I. Tình hình tệ nạn mại dâm trên địa bàn",
        {"sellers_known": "12", "suspect_establishments": "2", "hotspots_found": "0"},
    )
    open_section(page, "II. Kiểm tra, xử lý vi phạm hành chính")
    sanctioned = int(page.input_value("#id_sellers_sanctioned") or "0")
    save_section(
        page,
        "II. Kiểm tra, xử lý vi phạm hành chính",
        {"people_checked": str(sanctioned + 5)},  # the sanctions and fines come prefilled from the records
    )
    save_section(
        page,
        "III. Tiếp cận, tư vấn, hỗ trợ người bán dâm",
        {"health_referrals": "4"},
    )
    save_section(
        page, "IV. Tụ điểm mại dâm công cộng", {"hotspots_kept_clean": "1", "hotspots_reemerged": "0"}
    )
    page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi báo cáo lên cấp trên.")
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")
    base = page.url.split("/bao-cao/")[0]

    district = second_page()
    login_as(district, "phonglaodong", next_path="/bao-cao/cho-duyet/")
    queue_row = district.get_by_test_id("queue").locator("tr", has_text=month.label)
    queue_row.get_by_role("link", name="Xem, duyệt").click()
    district.fill("#id_comment", "Số lượt tiếp cận chưa khớp sổ theo dõi, đề nghị kiểm tra lại.")
    district.get_by_test_id("return").click()
    expect(district.locator(".alert-success")).to_contain_text(
        "Đã trả lại báo cáo của Công chức LĐTBXH Phường Tràng Tiền."
    )

    page.goto(base + "/bao-cao/")
    page.get_by_test_id("open-work").get_by_role("link", name=f"Báo cáo tháng cấp xã – {month.label}").click()
    expect(page.get_by_test_id("return-comment")).to_contain_text("Số lượt tiếp cận chưa khớp sổ theo dõi")
    save_section(
        page,
        "III. Tiếp cận, tư vấn, hỗ trợ người bán dâm",
        {"health_referrals": "6"},
    )
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")

    district.goto(base + "/bao-cao/cho-duyet/")
    district.get_by_test_id("queue").locator("tr", has_text=month.label).get_by_role(
        "link", name="Xem, duyệt"
    ).click()
    district.get_by_test_id("approve").click()
    expect(district.locator(".alert-success")).to_contain_text(
        "Đã duyệt báo cáo của Công chức LĐTBXH Phường Tràng Tiền."
    )

    submission = Submission.objects.get(agency__code="01-002-00079-social", period_id=month.id)
    assert (submission.status, submission.on_time) == (Status.APPROVED, True)
    assert submission.values.get(field__code="health_referrals").number == 6
    assert submission.due_date == month.next().start.replace(day=15)

    city = second_page()
    login_as(city, "dieuphoi", next_path=f"/bao-cao/tien-do/?bieu-mau=xa-thang&ky={month.id}")
    hoan_kiem = city.get_by_test_id("completeness-table").locator('tr[data-unit="01.002"]')
    expect(hoan_kiem.locator("td")).to_have_text(["Quận Hoàn Kiếm", "1", "1", "1", "1", "100%"])
    expect(city.get_by_test_id("late")).to_have_text("Không có đơn vị nào chậm.")
