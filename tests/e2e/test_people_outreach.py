"""Browser tests of sanction → outreach and of an import with two bad rows (issue 5, items 7 and 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people import services
from lanhmanh.people.models import LegalAct, Person, SanctionDecision
from lanhmanh.support.models import OutreachTask

from .test_people import GOOD, _fill

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"


def _record(page, live_url, person, *, role, act, number, kind, amount=""):
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    page.goto(live_url(f"/nguoi-vi-pham/{person.pk}/vi-pham/them/"))
    page.fill("#id_occurred_at", "2014-01-03T22:30")
    page.select_option("#id_place_unit", str(tien.pk))
    page.select_option("#id_role", role)
    page.select_option("#id_act", str(LegalAct.objects.get(code=act).pk))
    page.check("#id_with_sanction")
    page.fill("#id_number", number)
    page.fill("#id_decided_on", "2014-01-03")
    page.select_option("#id_kind", kind)
    if amount:
        page.fill("#id_amount", amount)
    page.get_by_role("button", name="Lưu vi phạm").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã lưu vi phạm.")


def test_the_commune_social_worker_sees_the_outreach_task_of_a_fined_seller_and_none_for_a_buyer(
    page, live_url, login_as, demo
):
    police = demo.accounts["police"]
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    seller = services.person_create(
        actor=police,
        full_name="Khúc Thị Lan",
        sex="female",
        birth_date=dt.date(1990, 4, 5),
        birth_year=1990,
        permanent_unit=tien,
    )
    buyer = services.person_create(
        actor=police, full_name="Tôn Văn Khải", sex="male", birth_year=1975, permanent_unit=tien
    )
    login_as(page, "congan")
    _record(
        page,
        live_url,
        seller,
        role="seller",
        act="167-2013-23-1",
        number="9301/QĐ-XPHC",
        kind="fine",
        amount="200.000",
    )
    _record(
        page,
        live_url,
        buyer,
        role="buyer",
        act="167-2013-22-1",
        number="9302/QĐ-XPHC",
        kind="fine",
        amount="500.000",
    )
    assert SanctionDecision.objects.filter(number__in=["9301/QĐ-XPHC", "9302/QĐ-XPHC"]).count() == 2
    task = OutreachTask.objects.get(person=seller, agency__kind="womens-union")  # and one for the commune
    assert not OutreachTask.objects.filter(person=buyer).exists()

    page.context.clear_cookies()
    login_as(page, "congtacxahoi")
    item = page.locator(f'[data-outreach-task="{task.pk}"]')
    expect(item).to_contain_text("9301/QĐ-XPHC")
    expect(item).to_contain_text("hạn 17/01/2014")
    expect(page.locator("body")).not_to_contain_text("Khúc Thị Lan")
    item.get_by_role("link").click()
    expect(page.locator("body")).to_contain_text("Khúc Thị Lan")


def test_an_import_with_two_bad_rows_shows_both_and_writes_nothing_until_fixed(
    page, live_url, login_as, tmp_path
):
    login_as(page, "congan")
    page.goto(live_url("/nguoi-vi-pham/nhap-excel/"))
    with page.expect_download() as download:
        page.click("[data-import-template]")
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    second = {**GOOD, "full_name": "Tạ Thị Yến", "birth": "1995", "id_number": "", "number": "9402/QĐ-XPHC"}
    third = {**GOOD, "full_name": "Mạc Thị Hòa", "birth": "1993", "id_number": "", "number": "9403/QĐ-XPHC"}
    first = {**GOOD, "number": "9401/QĐ-XPHC"}

    workbook = load_workbook(template)
    sheet = workbook["Danh sách"]
    _fill(sheet, first)
    _fill(sheet, {**second, "id_number": "12AB"})
    _fill(sheet, {**third, "amount": "1.000.000", "kind": "Phạt tiền"})
    broken = tmp_path / "hai-dong-loi.xlsx"
    workbook.save(broken)
    before = (Person.objects.count(), SanctionDecision.objects.count())
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    errors = page.locator("[data-import-errors]")
    expect(errors).to_contain_text("Dòng 3, cột D (Số CMND/CCCD)")
    expect(errors).to_contain_text("Dòng 4")
    expect(errors).to_contain_text("nằm ngoài khung phạt")
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    assert (Person.objects.count(), SanctionDecision.objects.count()) == before

    workbook = load_workbook(template)
    sheet = workbook["Danh sách"]
    for row in (first, second, {**third, "amount": "300.000", "kind": "Phạt tiền"}):
        _fill(sheet, row)
    fixed = tmp_path / "da-sua.xlsx"
    workbook.save(fixed)
    page.get_by_role("link", name="Tải lên tệp đã sửa").click()
    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("[data-import-summary]")).to_contain_text("3 dòng: 3 quyết định mới")
    assert (Person.objects.count(), SanctionDecision.objects.count()) == before
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("[data-import-done]")).to_contain_text("Đã nhập 3 quyết định")
    assert SanctionDecision.objects.count() == before[1] + 3
