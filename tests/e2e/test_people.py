"""Browser tests of the registry: entry of a person, violation and fine; the Excel import; scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
from lanhmanh.people import services
from lanhmanh.people.imports import COLUMNS
from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation

from .conftest import E2E_PASSWORD

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"


def test_police_records_a_person_a_violation_and_a_fine_fixing_an_out_of_range_amount(
    page, live_url, login_as
):
    login_as(page, "congan")
    page.goto(live_url("/nguoi-vi-pham/"))
    page.get_by_role("link", name="Thêm hồ sơ").click()
    page.fill("#id_full_name", "Đinh Thị Thu Trang")
    page.select_option("#id_sex", "female")
    page.fill("#id_birth_date", "1993-07-15")
    page.fill("#id_id_number", "001193009876")
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    page.select_option("#id_permanent_unit", str(tien.pk))
    page.fill("#id_permanent_address", "Số 12 phố Tràng Tiền")
    page.get_by_role("button", name="Lưu hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhập vi phạm cho hồ sơ #")
    person = Person.objects.by_id_number("001193009876").get()

    page.fill("#id_occurred_at", "2014-06-14T22:30")
    page.select_option("#id_place_unit", str(tien.pk))
    page.fill("#id_place_address", "Nhà nghỉ Sao Mai")
    page.select_option("#id_role", "seller")
    page.select_option("#id_act", str(LegalAct.objects.get(code="167-2013-23-1").pk))
    page.check("#id_with_sanction")
    page.fill("#id_number", "9001/QĐ-XPHC")
    page.fill("#id_decided_on", "2014-06-15")
    page.select_option("#id_kind", "fine")
    page.fill("#id_amount", "1.000.000")
    page.get_by_role("button", name="Lưu vi phạm").click()
    expect(page.locator('[data-error-for="amount"]')).to_contain_text(
        "Số tiền phạt 1.000.000 đồng nằm ngoài khung phạt của hành vi này: từ 100.000 đến 300.000 đồng"
    )
    assert not Violation.objects.filter(person=person).exists()

    page.fill("#id_amount", "300.000")
    page.get_by_role("button", name="Lưu vi phạm").click()
    expect(page.locator("[data-person-name]")).to_have_text("Đinh Thị Thu Trang")
    row = page.locator("[data-violation]")
    expect(row).to_contain_text("9001/QĐ-XPHC (15/06/2014)")
    expect(row).to_contain_text("Phạt tiền")
    expect(page.locator("[data-counts]")).to_contain_text("Toàn bộ lịch sử: 1 lần vi phạm.")
    assert SanctionDecision.objects.get(number="9001/QĐ-XPHC").amount == 300_000


def _fill(sheet, values: dict) -> None:
    sheet.append([values.get(c.key, "") for c in COLUMNS])


GOOD = {
    "full_name": "Vương Thị Hồng Nhung",
    "sex": "Nữ",
    "birth": "03/02/1994",
    "id_number": "001194005555",
    "residence_unit": "Tràng Tiền, Hoàn Kiếm",
    "occurred_at": "18/08/2014 23:00",
    "place_unit": "00079",
    "decree": "167/2013/NĐ-CP",
    "article": "23",
    "clause": "1",
    "number": "9101/QĐ-XPHC",
    "decided_on": "19/08/2014",
    "kind": "Cảnh cáo",
}


def test_an_excel_import_shows_the_bad_row_writes_nothing_until_fixed_then_confirms(
    page, live_url, login_as, tmp_path
):
    login_as(page, "congan")
    page.goto(live_url("/nguoi-vi-pham/nhap-excel/"))
    with page.expect_download() as download:
        page.click("[data-import-template]")
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)

    bad_row = {**GOOD, "full_name": "Tạ Thị Yến", "birth": "1995", "id_number": "", "number": "9102/QĐ-XPHC"}
    workbook = load_workbook(template)
    sheet = workbook["Danh sách"]
    _fill(sheet, GOOD)
    _fill(sheet, {**bad_row, "birth": "31/13/1995"})
    broken = tmp_path / "danh-sach.xlsx"
    workbook.save(broken)
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("[data-import-errors]")).to_contain_text(
        "Dòng 3, cột C (Ngày sinh hoặc năm sinh): “31/13/1995” không phải ngày hợp lệ (dd/mm/yyyy)."
    )
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    before = Person.objects.count()

    workbook = load_workbook(template)
    sheet = workbook["Danh sách"]
    _fill(sheet, GOOD)
    _fill(sheet, bad_row)
    fixed = tmp_path / "danh-sach-da-sua.xlsx"
    workbook.save(fixed)
    page.get_by_role("link", name="Tải lên tệp đã sửa").click()
    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("[data-import-summary]")).to_contain_text(
        "2 dòng: 2 quyết định mới, 0 quyết định đã có (bỏ qua), 0 dòng lỗi."
    )
    assert Person.objects.count() == before
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("[data-import-done]")).to_contain_text("Đã nhập 2 quyết định")
    persons = page.locator("[data-import-persons]")
    expect(persons).to_contain_text("Vương Thị Hồng Nhung")
    expect(persons).to_contain_text("Tạ Thị Yến")
    assert Person.objects.count() == before + 2
    persons.get_by_role("link").first.click()
    expect(page.locator("[data-violation]")).to_contain_text("Cảnh cáo")


def test_an_officer_of_another_district_gets_not_found_for_the_person(page, live_url, login_as, demo):
    police = demo.accounts["police"]
    person = services.person_create(
        actor=police,
        full_name="Kiều Thị Ngân",
        sex="female",
        birth_date=dt.date(1991, 1, 9),
        birth_year=1991,
        permanent_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
    )
    outsider = User.objects.create_user(
        username="dongan-laodong",
        password=E2E_PASSWORD,
        agency=Agency.objects.get(unit__path="01.017", kind="district-labour"),
        first_name="Ngọc",
        last_name="Phan",
    )
    outsider.roles.set([Role.objects.get(code="district-labour")])
    login_as(page, "dongan-laodong")
    response = page.goto(live_url(f"/nguoi-vi-pham/{person.pk}/"))
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Kiều Thị Ngân")
    # The police of the district sees the same person (after stating the purpose).
    page.context.clear_cookies()
    login_as(page, "congan", next_path=f"/nguoi-vi-pham/{person.pk}/")
    page.select_option("#id_purpose", "sanction")
    page.get_by_role("button", name="Xem hồ sơ").click()
    expect(page.locator("[data-person-name]")).to_have_text("Kiều Thị Ngân")
    assert re.search(rf"/nguoi-vi-pham/{person.pk}/$", page.url)
