"""Issue 15's journeys: the district sends its report without retyping a registry figure and the city's
consolidation equals the records; the coordinator points a target at a reported indicator and sees its
value with the reports behind it; the coordinator sets district quotas and sees progress by district; a
district issues its plan under the city plan, the coordinator edits it and its quotas (too much refused, nothing
saved) and the district edits a duty; the culture department submits its sector report; the coordinator records
a request from the Ministry and answers it from the consolidation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.demo.people import _ensure_catalogue
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.models import AdministrativeUnit, User
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.plans.models import Activity, Plan, TargetBreakdown, Task
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.reporting import services
from lanhmanh.reporting.models import ReportForm, Status, Submission
from lanhmanh.reporting.services import report_forms_load, values_of

from .conftest import sign_in
from .report_sections import save_section

pytestmark = pytest.mark.browser

HOAN_KIEM, TRANG_TIEN = "01.002", "01.002.00079"
DAY = dt.date(2014, 10, 8)
TYPED = {
    "sellers_known": "12",
    "suspect_establishments": "2",
    "hotspots_found": "0",
    "health_referrals": "4",
    "hotspots_kept_clean": "1",
    "hotspots_reemerged": "1",
}


def _sanction(police, unit, number: int, kind: str) -> None:
    person = Person(full_name=f"Nguyễn Thị Mẫu {number}", sex="female", birth_year=1991, permanent_unit=unit)
    person.save()
    sanction = {"number": f"{number}/QĐ", "decided_on": DAY, "kind": kind}
    if kind == "fine":
        sanction.update(amount=200_000, payment_status="paid", paid_on=DAY)
    people_services.violation_record(
        actor=police,
        person=person,
        occurred_at=timezone.make_aware(dt.datetime.combine(DAY, dt.time(21))),
        place_unit=unit,
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role="seller",
        sanction=sanction,
    )


def _send(user, form_code: str, period: str, **typed) -> Submission:
    form = ReportForm.objects.get(code=form_code)
    submission = services.submission_open(actor=user, form=form, period_id=period)
    computed = {f.code for f in form.fields.all() if f.is_computed}
    prefilled = values_of(submission)
    values = {code: value for code, value in typed.items() if code not in computed}
    missing = {code for code in computed if prefilled[code] is None}
    values.update(dict.fromkeys(missing, "0"))
    reasons = dict.fromkeys(missing, "Sổ theo dõi của đơn vị")
    if form_code == "cong-an-thang":
        values.setdefault("police_notes", "")
    services.submission_save(actor=user, submission=submission, values=values, reasons=reasons)
    return services.submission_submit(actor=user, submission=submission)


@pytest.fixture
def hoan_kiem(demo_accounts):
    """Sanctions in Tràng Tiền and at the district itself, an activity of the district, the ward's
    October report sent, the police's approved."""
    report_forms_load()
    _ensure_catalogue()  # a flushed live-server database has lost the migration's legal catalogue
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["congan", "canboxa", "phonglaodong", "dieuphoi"])
    }
    trang_tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    district = AdministrativeUnit.objects.get(path=HOAN_KIEM)
    _sanction(users["congan"], trang_tien, 1, "warning")
    _sanction(users["congan"], trang_tien, 2, "fine")
    _sanction(users["congan"], district, 3, "warning")
    Activity(
        kind="campaign",
        title="Tuyên truyền tại phố đi bộ",
        held_on=DAY,
        unit=district,
        organiser=users["phonglaodong"].agency,
        participants_male=20,
        participants_female=30,
    ).save()
    _send(users["canboxa"], "xa-thang", "201410", people_checked="5", **TYPED)
    police = _send(users["congan"], "cong-an-thang", "201410")
    services.submission_approve(actor=users["dieuphoi"], submission=police)
    return users


def test_the_district_sends_its_report_without_retyping_and_the_city_consolidation_equals_the_records(
    hoan_kiem, page, browser, live_server
):
    sign_in(page, live_server.url, "phonglaodong", next_path="/bao-cao/cho-duyet/")
    page.get_by_test_id("queue").locator("tr", has_text="Phường Tràng Tiền").get_by_role(
        "link", name="Xem, duyệt"
    ).click()
    page.get_by_test_id("approve").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã duyệt báo cáo")

    district = services.submission_open(
        actor=hoan_kiem["phonglaodong"], form=ReportForm.objects.get(code="huyen-thang"), period_id="201410"
    )
    page.goto(f"{live_server.url}/bao-cao/{district.pk}/?muc=xu-ly")
    # The district's own work only: the warning decided at the district, not Tràng Tiền's two again.
    expect(page.locator("#id_sellers_sanctioned")).to_have_value("1")
    expect(page.locator("#id_warnings")).to_have_value("1")
    expect(page.locator('[data-prefill-source="warnings"]')).to_contain_text(
        "chỉ hồ sơ do chính Quận Hoàn Kiếm quản lý (phần của cấp dưới do cấp dưới báo cáo)"
    )
    page.fill("#id_people_checked", "3")
    page.get_by_role("button", name="Lưu mục này").click()
    expect(page.locator(".alert-success").first).to_contain_text("Đã lưu mục")
    for section, fields in (
        # The hotspot figures come from the hotspot register (enforcement): nothing to type there.
        ("tinh-hinh", ("sellers_known", "suspect_establishments")),
        ("ho-tro", ("health_referrals",)),
    ):
        page.goto(f"{live_server.url}/bao-cao/{district.pk}/?muc={section}")
        for code in fields:
            page.fill(f"#id_{code}", TYPED[code])
        page.get_by_role("button", name="Lưu mục này").click()
        expect(page.locator(".alert-success").first).to_contain_text("Đã lưu mục")
    page.goto(f"{live_server.url}/bao-cao/{district.pk}/")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")
    district.refresh_from_db()
    assert district.status == Status.SUBMITTED
    assert not district.values.exclude(correction_reason="").exists()  # no registry figure retyped

    city = browser.new_context(locale="vi-VN").new_page()
    sign_in(city, live_server.url, "dieuphoi", next_path="/bao-cao/cho-duyet/")
    city.get_by_test_id("queue").locator("tr", has_text="Hoàn Kiếm").filter(
        has_text="Báo cáo tháng cấp huyện"
    ).get_by_role("link", name="Xem, duyệt").click()
    city.get_by_test_id("approve").click()
    expect(city.locator(".alert-success")).to_contain_text("Đã duyệt báo cáo")
    city.goto(f"{live_server.url}/bao-cao/tong-hop/?bieu-mau=thanh-pho-nam&ky=2014&don-vi=01")
    for code, expected in (
        ("sellers_sanctioned", "3"),
        ("warnings", "2"),
        ("fined", "1"),
        ("fines_imposed", "200000"),
        ("activities_held", "1"),
        ("participants", "50"),
        ("police_warnings", "2"),
        ("persons_sanctioned", "3"),
    ):
        expect(city.get_by_test_id(f"total-{code}")).to_have_text(expected)
        expect(city.get_by_test_id(f"records-{code}")).to_have_text(expected)
    expect(city.locator("text=lệch")).to_have_count(0)


def test_the_coordinator_points_a_target_at_a_reported_indicator_and_sees_its_value_and_reports(
    hoan_kiem, page, live_server
):
    services.submission_approve(
        actor=hoan_kiem["phonglaodong"],
        submission=Submission.objects.get(form__code="xa-thang", period_id="201410"),
    )
    plan = load_plan_2014()
    # The hotspot figures are computed from the register now; "sellers known" is still only reported.
    indicator = Indicator.objects.get(code="reporting.sellers_known")
    target = plan.targets.get(code="T03")
    sign_in(page, live_server.url, "dieuphoi", next_path=f"/ke-hoach/chi-tieu/{target.pk}/sua/")
    page.select_option(
        "#id_indicator",
        label=f"{indicator.name} (reporting.sellers_known) — theo báo cáo",
        force=True,  # the long list is a type-ahead (Tom Select) over the hidden select
    )
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu chỉ tiêu T03.")
    page.goto(f"{live_server.url}/ke-hoach/{plan.pk}/")
    row = page.locator('tr[data-target="T03"]')
    expect(row.locator('[data-measured-by="reporting.sellers_known"]')).to_contain_text("theo báo cáo")
    expect(row.locator("td.num").nth(1)).to_have_text("12")  # Tràng Tiền's approved October report
    row.get_by_role("link", name=indicator.name).click()
    expect(page.locator("[data-total]")).to_have_text("12")
    expect(page.locator("[data-provenance]")).to_contain_text("Phường Tràng Tiền")
    expect(page.locator("[data-approved]")).to_have_text("1")


def test_the_coordinator_sets_district_quotas_and_sees_progress_by_district(hoan_kiem, page, live_server):
    plan = load_plan_2014()
    t03 = plan.targets.get(code="T03")  # 500 sanctions of sellers; Hoàn Kiếm has three in October
    hoan_kiem_unit = AdministrativeUnit.objects.get(path=HOAN_KIEM)
    ba_dinh = AdministrativeUnit.objects.filter(path="01.001").order_by("pk").first()
    sign_in(page, live_server.url, "dieuphoi", next_path=f"/ke-hoach/{plan.pk}/")
    page.locator('tr[data-target="T03"]').get_by_role("link", name="Giao cho các đơn vị").click()
    expect(page.locator("h1")).to_have_text("Giao chỉ tiêu T03 cho các đơn vị")
    # Too much for one district, then too much in all: refused with the reason, nothing saved.
    page.fill(f"#quota-{hoan_kiem_unit.pk}", "600")
    page.get_by_role("button", name="Lưu chỉ tiêu giao").click()
    expect(page.locator("[data-errors]")).to_contain_text(
        "Quận Hoàn Kiếm: chỉ tiêu giao 600 lớn hơn chỉ tiêu của cả thành phố (500)."
    )
    expect(page.locator("[data-errors]")).to_contain_text("Chưa lưu gì.")
    page.fill(f"#quota-{hoan_kiem_unit.pk}", "300")
    page.fill(f"#quota-{ba_dinh.pk}", "250")
    page.get_by_role("button", name="Lưu chỉ tiêu giao").click()
    expect(page.locator("[data-errors]")).to_contain_text(
        "Tổng chỉ tiêu giao cho các đơn vị (550) vượt chỉ tiêu T03 của thành phố (500)."
    )
    assert not TargetBreakdown.objects.filter(target=t03).exists()
    page.fill(f"#quota-{hoan_kiem_unit.pk}", "120")
    page.fill(f"#quota-{ba_dinh.pk}", "80")
    page.get_by_role("button", name="Lưu chỉ tiêu giao").click()
    expect(page.locator(".alert-success")).to_have_text("Đã giao chỉ tiêu T03 cho các đơn vị.")
    expect(page.locator("[data-quota-total]")).to_have_text("200")
    coordinator = hoan_kiem["dieuphoi"]
    cell = next(
        c
        for c in evaluate(t03.indicator, "01", plan.period, by="child", user=coordinator).rows
        if c.key[0] == HOAN_KIEM
    )
    expect(page.locator('tr[data-unit="01.002"] [data-achieved]')).to_have_text(cell.display)
    # The dashboard's table by district: each district's figure against what it was given.
    page.goto(f"{live_server.url}/ke-hoach/{plan.pk}/")
    columns = [
        page.locator("table[data-by-unit] thead th").nth(i).inner_text()
        for i in range(page.locator("table[data-by-unit] thead th").count())
    ]
    index = columns.index("T03")
    given = page.locator('table[data-by-unit] tr[data-unit="01.002"] td').nth(index)
    expect(given).to_have_attribute("data-goal", "120")
    expect(given).to_contain_text(f"{cell.display} / 120")
    expect(page.locator('table[data-by-unit] tr[data-unit="01.001"] td').nth(index)).to_have_attribute(
        "data-goal", "80"
    )
    expect(page.locator('table[data-by-unit] tr[data-unit="01.003"] td').nth(index)).not_to_have_attribute(
        "data-goal", re.compile(".*")
    )


def test_a_district_issues_its_plan_under_the_city_plan_and_the_coordinator_sees_its_tasks(
    demo_accounts, page, browser, live_server
):
    plan = load_plan_2014()
    sign_in(page, live_server.url, "phonglaodong", next_path=f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/")
    page.fill("#id_title", "Kế hoạch phòng, chống mại dâm quận Hoàn Kiếm năm 2014")
    page.fill("#id_number", "18/KH-UBND")
    page.fill("#id_issued_on", "10/02/2014")
    page.get_by_role("button", name="Lập kế hoạch").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lập kế hoạch")
    expect(page.locator("h1")).to_have_text("Kế hoạch phòng, chống mại dâm quận Hoàn Kiếm năm 2014")
    page.fill(
        "#id_text", "Kiểm tra các cơ sở lưu trú, karaoke trên các tuyến phố giáp ranh phường Tràng Tiền."
    )
    page.get_by_label("Công an Quận Hoàn Kiếm").check()
    page.fill("#id_due_on", "30/06/2015")  # outside the plan's year: refused, nothing saved
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator(".text-danger")).to_contain_text("Hạn hoàn thành (30/06/2015) phải thuộc năm 2014")
    sub = Plan.objects.get(parent=plan)
    assert not sub.duties.exists()
    page.fill("#id_due_on", "30/06/2014")
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator(".alert-success")).to_have_text("Đã thêm nhiệm vụ và giao việc cho các cơ quan.")
    expect(page.locator("table[data-district-duties] tbody tr")).to_have_count(1)
    assert Task.objects.get(duty__plan=sub).owner.code == "01-002-police"

    city = browser.new_context(locale="vi-VN").new_page()
    sign_in(city, live_server.url, "dieuphoi", next_path=f"/ke-hoach/{plan.pk}/")
    plans_cell = city.locator('table[data-by-unit] tr[data-unit="01.002"] [data-district-plan]')
    expect(plans_cell).to_contain_text("0/1 việc xong")
    expect(plans_cell).to_contain_text("1 quá hạn")
    plans_cell.get_by_role("link").click()
    expect(city.locator("h1")).to_have_text("Kế hoạch phòng, chống mại dâm quận Hoàn Kiếm năm 2014")


def test_the_culture_department_submits_its_sector_report(demo_accounts, page, browser, live_server):
    report_forms_load()
    load_plan_2014()  # the pages open on the plan's year
    sign_in(page, live_server.url, "vanhoa", next_path="/bao-cao/")
    opener = page.get_by_test_id("open-other")
    opener.locator("select").first.select_option("van-hoa-quy")
    opener.locator("select").nth(1).select_option("2014Q3")
    opener.get_by_role("button", name="Mở báo cáo").click()
    expect(page.locator("h1")).to_have_text("Báo cáo quý của Sở Văn hóa, Thể thao và Du lịch – Quý 3/2014")
    save_section(
        page,
        "I. Tuyên truyền, văn hóa, văn nghệ",
        {"culture_campaigns": "14", "culture_campaign_participants": "3200"},
    )
    save_section(
        page,
        "II. Phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa”",
        {"culture_residential_areas": "120", "culture_communes_assessed": "35"},
    )
    # The licences revoked come from the establishment register: prefilled, nothing to type.
    save_section(
        page,
        "III. Quản lý kinh doanh dịch vụ văn hóa, du lịch",
        {"culture_checks": "86", "culture_violations": "9", "culture_licences_refused": "2"},
    )
    expect(page.locator("#id_culture_licence_revocations")).to_have_value("0")
    save_section(
        page, "IV. Đánh giá, kiến nghị", {"culture_assessment": "Đã phối hợp kiểm tra các cơ sở karaoke."}
    )
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ duyệt")
    submission = Submission.objects.get(form__code="van-hoa-quy", period_id="2014Q3")
    assert submission.status == Status.SUBMITTED and submission.agency.code == "01-culture"
    assert not submission.values.exclude(correction_reason="").exists()

    city = browser.new_context(locale="vi-VN").new_page()
    sign_in(city, live_server.url, "dieuphoi", next_path="/bao-cao/cho-duyet/")
    city.get_by_test_id("queue").locator("tr", has_text="Sở Văn hóa").get_by_role(
        "link", name="Xem, duyệt"
    ).click()
    city.get_by_test_id("approve").click()
    expect(city.locator(".alert-success")).to_contain_text("Đã duyệt báo cáo")
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED


def test_the_coordinator_edits_a_district_plan_and_its_quotas_and_the_district_edits_a_duty(
    demo_accounts, page, browser, live_server
):
    plan = load_plan_2014()
    t03 = plan.targets.get(code="T03")  # 500 sellers sanctioned
    hoan_kiem_unit = AdministrativeUnit.objects.get(path=HOAN_KIEM)
    ba_dinh = AdministrativeUnit.objects.filter(path="01.001").order_by("pk").first()
    coordinator = User.objects.get(username="dieuphoi")
    from lanhmanh.plans import services as plan_services  # noqa: PLC0415 - the setup only

    plan_services.breakdowns_set(target=t03, actor=coordinator, values={ba_dinh: 450})
    sub = plan_services.district_plan_create(
        parent=plan, unit=hoan_kiem_unit, title="KH PCMD quận Hoàn Kiếm 2014", actor=coordinator
    )
    police = sub.scope_unit.agencies.get(kind="police")
    plan_services.district_duty_create(
        plan=sub,
        text="Kiểm tra cơ sở lưu trú.",
        agencies=[police],
        due_on=dt.date(2014, 6, 30),
        actor=coordinator,
    )
    sign_in(page, live_server.url, "dieuphoi", next_path=f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/")
    page.get_by_role("link", name="Sửa kế hoạch, chỉ tiêu giao").click()
    expect(page.locator("h1")).to_have_text("Sửa kế hoạch: Quận Hoàn Kiếm")
    page.fill("#id_number", "18/KH-UBND")
    page.fill(f"#quota-{t03.pk}", "100")  # with Ba Đình's 450: 550 > 500
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "Tổng chỉ tiêu giao cho các đơn vị (550) vượt chỉ tiêu T03 của thành phố (500)."
    )
    sub.refresh_from_db()
    assert sub.number == "" and not TargetBreakdown.objects.filter(target=t03, unit=hoan_kiem_unit).exists()
    page.fill(f"#quota-{t03.pk}", "50")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu thay đổi của kế hoạch")
    expect(page.locator('table[data-district-targets] tr[data-target="T03"] [data-given]')).to_have_text("50")
    expect(page.locator("p.text-muted").first).to_contain_text("Số 18/KH-UBND")

    district = browser.new_context(locale="vi-VN").new_page()
    sign_in(district, live_server.url, "phonglaodong", next_path=f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/")
    district.locator("table[data-district-duties] [data-edit-duty]").click()
    district.get_by_label("Đội Kiểm tra liên ngành 178", exact=False).check()
    district.fill("#id_due_on", "30/09/2014")
    district.get_by_role("button", name="Lưu nhiệm vụ").click()
    expect(district.locator(".alert-success")).to_have_text(
        "Đã lưu nhiệm vụ và cập nhật công việc của các cơ quan."
    )
    row = district.locator("table[data-district-duties] tbody tr").first
    expect(row).to_contain_text("30/09/2014")
    expect(row.locator("[data-task-state]")).to_have_count(2)
    assert set(Task.objects.filter(duty__plan=sub).values_list("due_on", flat=True)) == {dt.date(2014, 9, 30)}


def test_the_coordinator_answers_a_request_from_the_ministry_from_the_consolidation(
    demo_accounts, page, live_server
):
    report_forms_load()
    load_plan_2014()
    sign_in(page, live_server.url, "dieuphoi", next_path="/bao-cao/")
    page.get_by_role("link", name="Ghi nhận yêu cầu báo cáo của cấp trên").click()
    expect(page.locator("h1")).to_have_text("Yêu cầu báo cáo của cấp trên")
    page.select_option(
        "#id_issuer", label="Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)"
    )
    page.fill("#id_reference", "4321/LĐTBXH-PCTNXH")
    page.fill("#id_title", "Báo cáo nhanh kết quả tháng 10/2014")
    page.select_option("#id_period_id", value="201410")  # a picker, not a code typed
    page.fill("#id_due_date", "01/01/2000")  # past: refused, nothing saved
    page.get_by_role("button", name="Ghi nhận yêu cầu").click()
    expect(page.locator("[role=alert]").first).to_contain_text("Hạn nộp (01/01/2000) đã qua.")
    due = timezone.localdate() + dt.timedelta(days=7)
    page.fill("#id_due_date", due.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Ghi nhận yêu cầu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận yêu cầu báo cáo của cấp trên")
    item = page.locator("li", has_text="Báo cáo nhanh kết quả tháng 10/2014")
    expect(item).to_contain_text(
        "Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội) (4321/LĐTBXH-PCTNXH)"
    )
    expect(item).to_contain_text(due.strftime("%d/%m/%Y"))
    item.get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("h1")).to_contain_text("Báo cáo đột xuất của Thành phố")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
