"""The issue's journey, word for word: a commune officer opens this month's report, sees the prefilled values,
corrects one with a reason, submits; the district labour officer approves one commune and returns another with
a comment; the returned commune fixes and resubmits; the city coordinator sees completeness by district and
downloads the Word and Excel consolidated report, which the test opens to check the numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from lanhmanh.core.periods import MONTH, Period
from lanhmanh.org.models import AdministrativeUnit, User
from lanhmanh.plans.models import ActivityKind
from lanhmanh.plans.services import activity_create
from lanhmanh.reporting import services
from lanhmanh.reporting.models import ReportForm, Status, Submission
from lanhmanh.reporting.services import values_of

from .conftest import E2E_PASSWORD
from .report_sections import open_section, save_section

pytestmark = pytest.mark.browser

TRANG_TIEN, HANG_BAC = "01.002.00079", "01.002.00061"
SITUATION = "I. Tình hình tệ nạn mại dâm trên địa bàn"
SANCTIONS = "II. Kiểm tra, xử lý vi phạm hành chính"
SUPPORT = "III. Tiếp cận, tư vấn, hỗ trợ người bán dâm"
HOTSPOTS = "IV. Tụ điểm mại dâm công cộng"
ACTIVITIES = "V. Hoạt động tuyên truyền, tập huấn"
REASON = "Thêm buổi sinh hoạt tổ dân phố ngày cuối tháng, chưa nhập vào hệ thống"


@pytest.fixture
def new_page(browser):
    contexts = []

    def build():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def hang_bac_sends_its_report(month: Period) -> Submission:
    """Hàng Bạc's officer (a demo account given a password here) has filled in and sent this month's report."""
    officer = User.objects.get(agency__code="01-002-00061-social", username__startswith="bc-")
    officer.set_password(E2E_PASSWORD)
    officer.save()
    form = ReportForm.objects.get(code="xa-thang")
    submission = services.submission_open(actor=officer, form=form, period_id=month.id)
    prefilled = values_of(submission)
    sanctioned = prefilled["sellers_sanctioned"] or 0
    services.submission_save(
        actor=officer,
        submission=submission,
        values={
            "sellers_known": "7",
            "suspect_establishments": "1",
            "hotspots_found": "0",
            "people_checked": str(sanctioned + 3),
            "health_referrals": "2",
            "hotspots_kept_clean": "0",
            "hotspots_reemerged": "0",
        },
    )
    return services.submission_submit(actor=officer, submission=submission)


def test_the_month_end_journey_of_the_issue(page, login_as, new_page, tmp_path):
    # Two 2014 wards of Hoàn Kiếm kept alive, so that this month's report is due now, before its deadline.
    AdministrativeUnit.objects.filter(path__in=["01.002", TRANG_TIEN, HANG_BAC]).update(valid_to=None)
    month = Period.containing(timezone.localdate(), MONTH)
    canboxa = User.objects.get(username="canboxa")
    activity_create(
        actor=canboxa,
        kind=ActivityKind.TRAINING,
        title="Tập huấn kỹ năng tiếp cận cho tổ công tác xã hội",
        held_on=max(month.start, timezone.localdate() - dt.timedelta(days=1)),
        unit=canboxa.agency.unit,
        organiser=canboxa.agency,
        participants_male=10,
        participants_female=25,
    )
    records = services.computed_values(ReportForm.objects.get(code="xa-thang"), TRANG_TIEN, month)
    assert records["participants"] >= 35
    corrected = records["participants"] + 5
    hang_bac = hang_bac_sends_its_report(month)

    # The commune officer opens this month's report and sees the values prefilled from the records.
    login_as(page, "canboxa", next_path="/bao-cao/")
    row = page.locator("tr", has_text=month.label).filter(has_text="Báo cáo tháng cấp xã")
    row.get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("h1")).to_have_text(f"Báo cáo tháng cấp xã – {month.label}")
    open_section(page, ACTIVITIES)
    for code in ("activities_held", "trainings_held", "participants"):
        expect(page.locator(f"#id_{code}")).to_have_value(str(records[code]))
        expect(page.get_by_test_id(f"computed-{code}")).to_have_text(str(records[code]))

    # … corrects one of them with a reason, fills in the rest and submits.
    save_section(page, ACTIVITIES, {"participants": str(corrected), "participants__reason": REASON})
    save_section(
        page, SITUATION, {"sellers_known": "12", "suspect_establishments": "2", "hotspots_found": "0"}
    )
    open_section(page, SANCTIONS)
    sanctioned = int(page.input_value("#id_sellers_sanctioned") or "0")
    save_section(
        page,
        SANCTIONS,
        {"people_checked": str(sanctioned + 5)},  # the sanctions and fines come prefilled from the records
    )
    save_section(page, SUPPORT, {"health_referrals": "15"})
    save_section(page, HOTSPOTS, {"hotspots_kept_clean": "1", "hotspots_reemerged": "0"})
    page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi báo cáo lên cấp trên.")
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")

    # The district labour officer approves Tràng Tiền and returns Hàng Bạc with a comment.
    district = new_page()
    login_as(district, "phonglaodong", next_path="/bao-cao/cho-duyet/")
    queue = district.get_by_test_id("queue")
    queue.locator("tr", has_text="Phường Tràng Tiền").get_by_role("link", name="Xem, duyệt").click()
    district.get_by_test_id("approve").click()
    expect(district.locator(".alert-success")).to_contain_text(
        "Đã duyệt báo cáo của Công chức LĐTBXH Phường Tràng Tiền."
    )
    district.get_by_test_id("queue").locator("tr", has_text="Phường Hàng Bạc").get_by_role(
        "link", name="Xem, duyệt"
    ).click()
    district.fill("#id_comment", "Số lượt tiếp cận thấp hơn sổ theo dõi của Hội Phụ nữ, đề nghị rà soát.")
    district.get_by_test_id("return").click()
    expect(district.locator(".alert-success")).to_contain_text(
        "Đã trả lại báo cáo của Công chức LĐTBXH Phường Hàng Bạc."
    )

    # The returned commune reads the comment, fixes the figure and resubmits.
    ward = new_page()
    login_as(ward, hang_bac.submitted_by.username, next_path="/bao-cao/")
    ward.get_by_test_id("open-work").get_by_role("link", name=f"Báo cáo tháng cấp xã – {month.label}").click()
    expect(ward.get_by_test_id("return-comment")).to_contain_text("Số lượt tiếp cận thấp hơn sổ theo dõi")
    save_section(ward, SUPPORT, {"health_referrals": "14"})
    ward.get_by_test_id("submit").click()
    expect(ward.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")

    trang_tien = Submission.objects.get(agency__code="01-002-00079-social", period_id=month.id)
    hang_bac.refresh_from_db()
    assert (trang_tien.status, hang_bac.status) == (Status.APPROVED, Status.SUBMITTED)
    assert trang_tien.values.get(field__code="participants").correction_reason == REASON
    assert hang_bac.values.get(field__code="health_referrals").number == 14

    # The city coordinator sees completeness by district …
    city = new_page()
    login_as(city, "dieuphoi", next_path=f"/bao-cao/tien-do/?bieu-mau=xa-thang&ky={month.id}")
    hoan_kiem = city.get_by_test_id("completeness-table").locator('tr[data-unit="01.002"]')
    expect(hoan_kiem.locator("td")).to_have_text(["Quận Hoàn Kiếm", "2", "2", "2", "1", "100%"])
    expect(city.get_by_test_id("late")).to_have_text("Không có đơn vị nào chậm.")

    # … and downloads the consolidated report of Hoàn Kiếm as Word and Excel: approved figures only.
    hoan_kiem.get_by_role("link", name="Quận Hoàn Kiếm").click()
    city.get_by_role("link", name="Xem số liệu tổng hợp").click()
    expect(city.get_by_test_id("total-health_referrals")).to_have_text("15")
    with city.expect_download() as word:
        city.get_by_test_id("download-docx").click()
    with city.expect_download() as excel:
        city.get_by_test_id("download-xlsx").click()
    docx_path, xlsx_path = tmp_path / "bao-cao.docx", tmp_path / "bao-cao.xlsx"
    word.value.save_as(docx_path)
    excel.value.save_as(xlsx_path)

    document = Document(str(docx_path))
    table_rows = {
        row.cells[1].text: [c.text for c in row.cells]
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 7 and row.cells[0].text.isdigit()  # the numbered rows of the sections
    }
    assert table_rows["Số lượt người được hỗ trợ y tế (HIV/STI, methadone)"][4:6] == ["15", "15"]
    assert table_rows["Số lượt người tham dự"][4:6] == [str(corrected), str(corrected)]
    assert table_rows["Số người bán dâm nắm được trên địa bàn"][5] == "12"
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for table in document.tables for row in table.rows for c in row.cells)
    assert "Nơi nhận:" in cells
    assert table_rows and "Phường Tràng Tiền" in cells and "Phường Hàng Bạc" not in cells
    assert "Tổng hợp từ 1 báo cáo cấp dưới đã duyệt." in text

    workbook = load_workbook(xlsx_path)
    rows = {
        r[1]: r
        for sheet in workbook.worksheets
        for r in sheet.iter_rows(min_row=6, values_only=True)
        if len(r) >= 7 and isinstance(r[0], int) and isinstance(r[1], str)
    }
    assert rows["Số lượt người được hỗ trợ y tế (HIV/STI, methadone)"][4:6] == (15, 15)
    assert rows["Số lượt người tham dự"][4:6] == (corrected, corrected)
    assert rows["Số người bán dâm nắm được trên địa bàn"][5] == 12
