"""Browser test of issue 7's journey: from a sanction to a case with consent, referrals, and T07."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.org.models import AdministrativeUnit, User
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct
from lanhmanh.plans.models import Plan
from lanhmanh.support.models import OutreachTask, Referral, SupportCase

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"
NOTE = "Muốn học nghề may, sợ gia đình biết"
SCHOOL = "Trường Trung cấp nghề Quận Hoàn Kiếm"
CLINIC = "Trung tâm Y tế Quận Hoàn Kiếm"


def t07_achieved(page, live_url, plan) -> str:
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    return page.locator('[data-target="T07"] td.num').nth(1).inner_text().strip()


def test_from_a_sanction_to_a_case_a_referral_within_consent_and_t07(browser, page, live_url, login_as, demo):
    # The police officer records a violation and a sanction; an outreach task follows for her commune.
    police = User.objects.get(username="congan")
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN, valid_from__isnull=True)
    person = people_services.person_create(
        actor=police,
        full_name="Quách Thị Diệu Linh",
        sex="female",
        birth_date=dt.date(1992, 3, 4),
        birth_year=1992,
        permanent_unit=tien,
    )
    violation = people_services.violation_record(
        actor=police,
        person=person,
        occurred_at=timezone.make_aware(dt.datetime(2014, 1, 1, 22, 0)),
        place_unit=tien,
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role="seller",
        sanction={"number": "1/QĐ-XPHC-E2E", "decided_on": dt.date(2014, 1, 2), "kind": "warning"},
    )
    task = OutreachTask.objects.get(source_sanction=violation.sanction, agency__kind="commune-social")
    plan = Plan.objects.get(year=2014, scope_unit__path="01")
    coordinator_page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    login_as(coordinator_page, "dieuphoi")
    before = int(t07_achieved(coordinator_page, live_url, plan))

    # The commune social worker takes the task from her list and records the contact.
    login_as(page, "canboxa")
    page.goto(live_url("/ho-tro/"))
    page.locator(f'[data-task="{task.pk}"] a').click()
    expect(page.locator("[data-person-name]")).to_contain_text("Quách Thị Diệu Linh")
    page.fill("#id_attempt-made_on", "2014-01-08")
    page.select_option("#id_attempt-method", "visit")
    page.select_option("#id_attempt-result", "interested")
    page.get_by_role("button", name="Ghi lần tiếp cận").click()
    expect(page.locator("[data-attempt]")).to_have_count(1)

    # She opens a case with consent for training and jobs with the school, not health.
    page.select_option("#id_case-kind", "adult")
    page.fill("#id_case-opened_on", "2014-01-10")
    page.fill("#id_case-assessment", NOTE)
    page.check('input[name="case-purposes"][value="training"]')
    page.check('input[name="case-purposes"][value="jobs"]')
    page.select_option("#id_case-agencies", label=SCHOOL)
    page.get_by_role("button", name="Mở hồ sơ").click()
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "open")
    case = SupportCase.objects.get(person=person)
    case_url = live_url(f"/ho-tro/ho-so/{case.pk}/")

    # The case page opens on a short summary and tabs (issue #17 item 17), not nine forms in a row.
    expect(page.locator("[data-case-summary]")).to_contain_text("0 chuyển gửi đang chờ")
    expect(page.locator("#referrals-title")).to_be_hidden()
    page.get_by_role("tab", name="Chuyển gửi").click()
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.select_option("#id_referral-to_agency", label=SCHOOL)
    page.select_option("#id_referral-purpose", "training")
    page.fill("#id_referral-due_on", due)
    page.get_by_role("button", name="Chuyển gửi", exact=True).click()
    expect(page.locator("[data-referral]")).to_have_attribute("data-status", "pending")

    # A referral to the health centre is stopped: she did not consent to health.
    page.select_option("#id_referral-to_agency", label=CLINIC)
    page.select_option("#id_referral-purpose", "health")
    page.fill("#id_referral-due_on", due)
    page.get_by_role("button", name="Chuyển gửi", exact=True).click()
    expect(page.locator('[data-error-for="to_agency"]')).to_have_text(
        f"Không thể chuyển gửi: người được hỗ trợ chưa đồng ý chia sẻ thông tin với “{CLINIC}” cho mục đích "
        "“Y tế”. Hãy hỏi ý kiến và ghi nhận sự đồng ý trước khi chuyển gửi."
    )
    assert Referral.objects.filter(case=case).count() == 1

    # The vocational school's account accepts the referral; the sender sees the result.
    school_page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    login_as(school_page, "truongnghe")
    referral = Referral.objects.get(case=case)
    school_page.goto(live_url(f"/ho-tro/chuyen-gui/{referral.pk}/"))
    school_page.get_by_role("button", name=re.compile("^Tiếp nhận")).click()
    school_page.wait_for_load_state()
    school_page.context.close()
    page.goto(case_url)
    expect(page.locator(f'[data-referral="{referral.pk}"]')).to_have_attribute("data-status", "accepted")

    # The police officer who recorded the sanction cannot read the case notes.
    police_page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    login_as(police_page, "congan")
    response = police_page.goto(case_url)
    assert response.status == 404
    assert NOTE not in police_page.content()
    police_page.context.close()

    # Enrolment in Programme 1993, training completed and a job: T07 moves on the plan dashboard.
    page.get_by_role("tab", name="Chương trình").click()
    page.select_option(
        "#id_enrol-programme", label="Chương trình 1993/CTr-SLĐTBXH ngày 11/10/2012 của Sở LĐTBXH"
    )
    page.fill("#id_enrol-enrolled_on", "2014-01-20")
    page.get_by_role("button", name="Ghi nhận tham gia").click()
    expect(page.locator("[data-enrolment]")).to_have_count(1)
    page.fill("#id_progress-training_completed_on", "2014-06-30")
    page.fill("#id_progress-employed_on", "2014-07-15")
    page.fill("#id_progress-employer", "Công ty may Thăng Long")
    page.locator('[data-form="progress"]').get_by_role("button", name="Cập nhật").click()
    expect(page.locator("[data-enrolment]")).to_contain_text("15/07/2014")
    assert int(t07_achieved(coordinator_page, live_url, plan)) == before + 1
    coordinator_page.context.close()
