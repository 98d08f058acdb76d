"""Issue 17, item 16, in the browser: the police officer imports the good rows of a list, downloads the
rejected rows as Excel with a column of errors, fixes them in that file and uploads it as it is."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lanhmanh.people.imports import COLUMNS, ERROR_HEADER
from lanhmanh.people.models import SanctionDecision

from .test_people import GOOD, _fill

pytestmark = pytest.mark.browser


def test_the_officer_imports_the_good_rows_and_fixes_the_rejected_ones_from_excel(
    page, live_url, login_as, tmp_path
):
    login_as(page, "congan")
    page.goto(live_url("/nguoi-vi-pham/nhap-excel/"))
    with page.expect_download() as download:
        page.click("[data-import-template]")
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["Danh sách"]
    _fill(sheet, GOOD)  # row 2: good
    _fill(
        sheet,
        {**GOOD, "full_name": "Tạ Thị Yến", "birth": "31/13/1995", "id_number": "", "number": "9202/QĐ"},
    )
    _fill(sheet, {**GOOD, "full_name": "Hà Thị Nga", "birth": "1990", "id_number": "", "number": "9203/QĐ"})
    mixed = tmp_path / "danh-sach.xlsx"
    workbook.save(mixed)
    page.set_input_files("#id_file", str(mixed))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("[data-import-summary]")).to_contain_text("3 dòng: 2 quyết định mới")
    numbers_before = set(SanctionDecision.objects.values_list("number", flat=True))

    page.get_by_role("button", name="Nhập 2 dòng hợp lệ, bỏ qua 1 dòng lỗi").click()
    expect(page.locator("[data-import-done]")).to_contain_text("Đã nhập 2 quyết định")
    expect(page.locator("[data-import-rejected]")).to_contain_text("1 dòng lỗi chưa được nhập.")
    expect(page.locator("[data-import-persons]")).to_contain_text("Hà Thị Nga")
    expect(page.locator("[data-import-persons]")).not_to_contain_text("Tạ Thị Yến")
    added = set(SanctionDecision.objects.values_list("number", flat=True)) - numbers_before
    assert added == {GOOD["number"], "9203/QĐ"}

    with page.expect_download() as download:
        page.locator("[data-import-rejected] [data-rejected-download]").click()
    rejected = tmp_path / "dong-loi.xlsx"
    download.value.save_as(rejected)
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(rejected)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header == [*(c.header for c in COLUMNS), ERROR_HEADER]
    assert sheet.max_row == 2
    assert sheet["A2"].value == "Tạ Thị Yến"
    assert sheet.cell(row=2, column=len(header)).value == (
        "Dòng 3, cột C (Ngày sinh hoặc năm sinh): “31/13/1995” không phải ngày hợp lệ (dd/mm/yyyy)."
    )

    # Fixed in that file and uploaded as it is: the error column is ignored.
    sheet["C2"] = "31/12/1995"
    workbook.save(rejected)
    page.goto(live_url("/nguoi-vi-pham/nhap-excel/"))
    page.set_input_files("#id_file", str(rejected))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("[data-import-summary]")).to_contain_text(
        "1 dòng: 1 quyết định mới, 0 quyết định đã có (bỏ qua), 0 dòng lỗi."
    )
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("[data-import-done]")).to_contain_text("Đã nhập 1 quyết định")
    expect(page.locator("[data-import-rejected]")).to_have_count(0)
    assert SanctionDecision.objects.filter(number="9202/QĐ").exists()
