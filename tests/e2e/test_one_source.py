"""Issue 15's journeys: the district sends its report without retyping a registry figure and the city's
consolidation equals the records; the coordinator points a target at a reported indicator and sees its
value with the reports behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.demo.people import _ensure_catalogue
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.models import AdministrativeUnit, User
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.plans.models import Activity
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.reporting import services
from lanhmanh.reporting.models import ReportForm, Status, Submission
from lanhmanh.reporting.services import report_forms_load, values_of

from .conftest import sign_in

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
