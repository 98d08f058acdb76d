"""The plan in the browser: the coordinator's dashboard and drill-down, a task marked done, a campaign recorded
for a priority audience under a duty."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import User
from lanhmanh.plans.models import Plan, Task, TaskStatus

pytestmark = pytest.mark.browser


def plan_2014() -> Plan:
    return Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)


def test_the_coordinator_sees_all_ten_targets_with_status_and_drills_into_a_district(
    page, live_url, login_as
):
    login_as(page, "dieuphoi")
    page.goto(live_url("/ke-hoach/"))
    page.get_by_role("link", name=re.compile("Kế hoạch phòng, chống mại dâm .* năm 2014")).click()
    expect(page.locator("h1")).to_have_text(
        "Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2014"
    )
    rows = page.locator("table[data-targets] tbody tr")
    expect(rows).to_have_count(10)
    assert [rows.nth(i).get_attribute("data-target") for i in range(10)] == [
        f"T{i:02d}" for i in range(1, 11)
    ]
    for i in range(10):
        expect(rows.nth(i).locator("td").last.locator(".badge")).to_have_text(
            re.compile("^(Đúng tiến độ|Có nguy cơ chậm|Chậm tiến độ|Chưa có nguồn số liệu)$")
        )
    expect(page.locator("[data-status-rule]")).to_contain_text("Cách xếp trạng thái")
    expect(page.locator("table[data-by-unit] tbody tr")).to_have_count(30)
    # Outreach and support: its indicators live at the city, T07 among them, by district, services by kind.
    support = page.locator('section[data-section="tiep-can-ho-tro"]')
    expect(support.locator("h2")).to_have_text("Tiếp cận, hỗ trợ")
    expect(support.locator("tr[data-indicator]")).to_have_count(6)
    coordinator = User.objects.get(username="dieuphoi")
    for code in ("support.women_trained_employed", "support.cases_opened", "support.services_given"):
        shown = evaluate(code, "01", plan_2014().period, by="child", user=coordinator).total.display
        expect(support.locator(f'tr[data-indicator="{code}"] [data-value]')).to_have_text(shown)
    expect(
        support.locator('tr[data-indicator="support.women_trained_employed"] [data-target-code]')
    ).to_have_text("Chỉ tiêu T07")
    expect(support.locator("table[data-section-by-unit] tbody tr")).to_have_count(30)
    services = support.locator('[data-breakdown="support.services_given"]')
    expect(services.locator("tbody tr")).to_have_count(10)
    expect(services.locator(".chart canvas")).to_have_count(1)  # ECharts drew the bar chart
    expect(page.locator('section[data-section="xu-ly-vi-pham"] h2')).to_have_text("Xử lý vi phạm")
    # Drill down: the city → Hoàn Kiếm district → its wards.
    # Hoàn Kiếm's own plan under the city plan (the demo's): one of its two tasks done.
    expect(page.locator('tr[data-unit="01.002"] [data-district-plan]')).to_contain_text("1/2 việc xong")
    page.locator('tr[data-unit="01.002"]').get_by_role("link", name="Quận Hoàn Kiếm").click()
    expect(page).to_have_url(re.compile(r"\?unit=01\.002$"))
    expect(page.locator(".breadcrumb")).to_contain_text("Quận Hoàn Kiếm")
    expect(page.locator("table[data-by-unit] tbody tr")).to_have_count(18)
    expect(page.locator('tr[data-unit="01.002.00079"]')).to_contain_text("Phường Tràng Tiền")
    expect(page.locator("table[data-targets] tbody tr")).to_have_count(10)
    expect(support.locator("table[data-section-by-unit] tbody tr")).to_have_count(18)


def test_a_district_officer_marks_a_task_done_with_evidence_and_the_coordinator_sees_it(
    browser, page, live_url, login_as
):
    login_as(page, "phonglaodong")
    page.goto(live_url("/ke-hoach/cong-viec/"))
    expect(page.locator("h1")).to_have_text("Công việc của cơ quan")
    first = page.locator("tr[data-task]").first
    task_id = int(first.get_attribute("data-task"))
    assert Task.objects.get(pk=task_id).owner.code == "01-002-committee"  # prepared by the labour office
    first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Cập nhật công việc")
    page.select_option("#id_status", TaskStatus.DONE.value)
    page.fill("#id_evidence_note", "Đã tổ chức 3 đợt kiểm tra liên ngành, biên bản lưu tại Phòng.")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_have_text("Đã cập nhật công việc.")
    expect(page.locator(f'tr[data-task="{task_id}"]')).to_have_attribute("data-state", "done")

    coordinator_context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        other = coordinator_context.new_page()
        login_as(other, "dieuphoi")
        other.goto(live_url(f"/ke-hoach/cong-viec/{task_id}/"))
        expect(other.locator("#id_evidence_note")).to_have_value(
            "Đã tổ chức 3 đợt kiểm tra liên ngành, biên bản lưu tại Phòng."
        )
        expect(other.locator("#id_status")).to_have_value(TaskStatus.DONE.value)
        expect(other.locator("ul.small li").first).to_contain_text("Đổi trạng thái")  # in the history
        other.goto(live_url("/ke-hoach/cong-viec/"))
        expect(other.locator("h1")).to_have_text("Công việc của các cơ quan")
        # Overdue first: every other task of 2014 is past due, the done one is not among them.
        expect(other.locator(f'tr[data-task="{task_id}"]')).to_have_count(0)
        expect(other.locator("tr[data-task]").first).to_have_attribute("data-state", "overdue")
    finally:
        coordinator_context.close()


def test_a_commune_officer_records_a_campaign_for_a_priority_audience_under_a_duty(page, live_url, login_as):
    login_as(page, "canboxa")
    plan = plan_2014()
    duty = plan.duties.filter(group=16).order_by("order").first()
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    before = int(page.locator("[data-activities-total]").inner_text())
    page.goto(live_url("/ke-hoach/hoat-dong/moi/"))
    expect(page.locator("#id_plan")).to_have_value(str(plan.pk))  # the plan of the year opens selected
    page.select_option("#id_duty", str(duty.pk), force=True)  # a long list: Tom Select types ahead
    page.select_option("#id_kind", "campaign")
    page.fill("#id_title", "Tuyên truyền tại khu trọ sinh viên")
    page.fill("#id_held_on", "10/06/2014")
    page.get_by_label("Khu vực nhiều trường đại học, khu trọ của sinh viên (nhóm ưu tiên)").check()
    page.select_option("#id_channel", "print")
    page.fill("#id_participants_male", "17")
    page.fill("#id_participants_female", "21")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_have_text("Đã ghi nhận hoạt động.")
    row = page.locator("tr[data-activity]", has_text="Tuyên truyền tại khu trọ sinh viên")
    expect(row).to_contain_text("Khu vực nhiều trường đại học, khu trọ của sinh viên")
    expect(row).to_contain_text("Tài liệu, tờ rơi, pano, áp phích")
    expect(row).to_contain_text(f"16.{duty.order}")
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    expect(page.locator("[data-activities-total]")).to_have_text(str(before + 1))
