"""Issue 17, item 16: the officer imports the good rows of a list and gets the rejected rows back as an
Excel file with a column of what to fix; the good rows are written all or none."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lanhmanh.core.models import Job
from lanhmanh.people import services
from lanhmanh.people.imports import COLUMNS, ERROR_HEADER, read_workbook
from lanhmanh.people.models import Person, PersonImport, SanctionDecision, Violation
from tests.people.test_import import preview, row, workbook_bytes
from tests.people.test_import_background import decisions_fail, long_list, nothing_written, uploaded  # noqa: F401

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def mixed() -> list[dict]:
    return [
        row(),  # row 2: good
        row(birth="31/02/1990", number="4/QĐ"),  # row 3: bad date
        row(
            full_name="Lê Văn Hùng",
            sex="Nam",
            birth="1980",
            id_number="",
            article="22",
            number="5/QĐ",
            amount="500000",
        ),
        row(kind="Phạt tù", number="6/QĐ"),  # row 5: bad kind
    ]


def sheet_rows(content: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Dòng lỗi"]
    return [[c if c is not None else "" for c in r] for r in workbook["Dòng lỗi"].iter_rows(values_only=True)]


def test_the_preview_offers_the_good_rows_and_the_rejected_rows_as_excel(client_for, police):
    client = client_for(police)
    url, body = preview(client, mixed())
    assert "Nhập 2 dòng hợp lệ, bỏ qua 2 dòng lỗi" in body
    batch = PersonImport.objects.get()
    download = client.get(reverse("people:import_rejected", args=[batch.pk]))
    assert download["Content-Type"] == XLSX
    rows = sheet_rows(download.content)
    assert rows[0] == [*(c.header for c in COLUMNS), ERROR_HEADER]
    assert [r[0] for r in rows[1:]] == ["Trần Thị Mai", "Trần Thị Mai"]
    assert rows[1][2] == "31/02/1990" and rows[1][13] == "4/QĐ"
    assert (
        rows[1][-1]
        == "Dòng 3, cột C (Ngày sinh hoặc năm sinh): “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy)."
    )
    assert (
        rows[2][-1]
        == "Dòng 5, cột Q (Hình thức xử phạt): “Phạt tù” không hợp lệ: ghi Cảnh cáo hoặc Phạt tiền."
    )
    assert Person.objects.count() == 0  # a download writes nothing


def test_importing_the_good_rows_writes_them_and_keeps_the_rejected_for_download(client_for, police):
    client = client_for(police)
    url, _body = preview(client, mixed())
    response = client.post(url, {"confirm_valid": "1"})
    assert response.status_code == 302
    assert sorted(SanctionDecision.objects.values_list("number", flat=True)) == ["101/QĐ-XPHC", "5/QĐ"]
    assert Violation.objects.count() == 2
    batch = PersonImport.objects.get()
    assert (batch.status, batch.created_count, batch.skipped_count, batch.rejected_count) == (
        "confirmed",
        2,
        0,
        2,
    )
    page = client.get(url).content.decode()
    assert "2 dòng lỗi chưa nhập: tải tệp Excel các dòng lỗi, sửa rồi tải lên lại." in page
    assert "2 dòng lỗi chưa được nhập." in page and "data-rejected-download" in page
    rows = sheet_rows(client.get(reverse("people:import_rejected", args=[batch.pk])).content)
    assert [r[13] for r in rows[1:]] == ["4/QĐ", "6/QĐ"]


def test_the_rejected_file_fixed_in_place_is_uploaded_again_as_it_is(client_for, police):
    client = client_for(police)
    url, _body = preview(client, mixed())
    client.post(url, {"confirm_valid": "1"})
    batch = PersonImport.objects.get()
    content = client.get(reverse("people:import_rejected", args=[batch.pk])).content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Dòng lỗi"]
    sheet["C2"] = "28/02/1990"
    sheet["Q3"] = "Phạt tiền"
    fixed = io.BytesIO()
    workbook.save(fixed)
    parsed = read_workbook(fixed.getvalue(), file_name="Dong-loi.xlsx")
    assert [p["row"] for p in parsed] == [2, 3]
    assert ERROR_HEADER not in str(parsed)
    again = services.person_import_prepare(actor=police, file_name="Dong-loi.xlsx", data=fixed.getvalue())
    assert all(not r.errors for r in services.person_import_rows(actor=police, batch=again))
    services.person_import_confirm(actor=police, batch=again)
    assert SanctionDecision.objects.count() == 4


def test_a_plain_confirm_still_refuses_a_list_with_errors(client_for, police):
    client = client_for(police)
    url, _body = preview(client, mixed())
    body = client.post(url, {"confirm": "1"}).content.decode()
    assert "Chưa ghi gì vào cơ sở dữ liệu:" in body
    nothing_written()


def test_a_list_with_no_good_row_imports_nothing(police):
    batch = services.person_import_prepare(
        actor=police,
        file_name="a.xlsx",
        data=workbook_bytes([row(kind="Phạt tù"), row(birth="x", number="2")]),
    )
    with pytest.raises(Exception, match="Không có dòng hợp lệ nào để nhập"):
        services.person_import_confirm(actor=police, batch=batch, skip_errors=True)
    assert PersonImport.objects.get().status == "preview"
    nothing_written()


def test_the_good_rows_are_written_all_or_none(client_for, police, decisions_fail):  # noqa: F811
    client = client_for(police)
    url, _body = preview(client, mixed())
    with pytest.raises(Exception, match="refused by test"):
        client.post(url, {"confirm_valid": "1"})
    nothing_written()
    assert PersonImport.objects.get().status == "preview"


def test_a_long_list_imports_its_good_rows_in_the_background(client_for, police):
    client = client_for(police)
    rows = long_list()
    rows[3] = {**rows[3], "birth": "32/13/1990"}
    batch = uploaded(client, rows)
    response = client.post(reverse("people:import_preview", args=[batch.pk]), {"confirm_valid": "1"})
    assert response.url == reverse("people:import_progress", args=[batch.pk])
    assert Job.objects.get().status == "done"
    batch.refresh_from_db()
    assert (batch.created_count, batch.rejected_count) == (len(rows) - 1, 1)
    assert SanctionDecision.objects.count() == len(rows) - 1


def test_only_the_uploader_downloads_the_rejected_rows_and_only_while_there_are_some(
    client_for, police, inspector
):
    client = client_for(police)
    preview(client, mixed())
    batch = PersonImport.objects.get()
    url = reverse("people:import_rejected", args=[batch.pk])
    assert client_for(inspector).get(url).status_code == 404
    good, _body = preview(client, [row(number="77/QĐ")])
    clean = PersonImport.objects.order_by("-pk").first()
    assert client.get(reverse("people:import_rejected", args=[clean.pk])).status_code == 404


def test_the_rejected_rows_are_wiped_with_the_next_days_upload(client_for, police):
    client = client_for(police)
    url, _body = preview(client, mixed())
    client.post(url, {"confirm_valid": "1"})
    PersonImport.objects.update(confirmed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    services.person_import_prepare(
        actor=police, file_name="b.xlsx", data=workbook_bytes([row(number="9/QĐ")])
    )
    old = PersonImport.objects.order_by("pk").first()
    assert old.cells == "" and old.rejected_count == 2
    assert client.get(reverse("people:import_rejected", args=[old.pk])).status_code == 404
    assert "đã được xoá" in client.get(url).content.decode()


def test_the_daily_retention_run_wipes_rejected_rows_and_old_previews_of_every_officer(
    client_for, police, capsys
):
    from django.core.management import call_command

    client = client_for(police)
    url, _body = preview(client, mixed())
    client.post(url, {"confirm_valid": "1"})
    partial = PersonImport.objects.get()
    left_open = services.person_import_prepare(
        actor=police, file_name="b.xlsx", data=workbook_bytes([row(number="9/QĐ")])
    )
    fresh = services.person_import_prepare(
        actor=police, file_name="c.xlsx", data=workbook_bytes([row(number="10/QĐ")])
    )
    day_old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    PersonImport.objects.filter(pk=partial.pk).update(confirmed_at=day_old)
    PersonImport.objects.filter(pk=left_open.pk).update(created_at=day_old)
    # A dry run changes nothing.
    call_command("retention_run", "--dry-run")
    assert PersonImport.objects.get(pk=partial.pk).cells != ""
    call_command("retention_run")  # the officer uploads nothing more: the daily run wipes them
    assert "Đã xóa nội dung 2 lượt nhập Excel" in capsys.readouterr().out
    partial.refresh_from_db()
    left_open.refresh_from_db()
    fresh.refresh_from_db()
    assert partial.cells == "" and partial.rejected_count == 2
    assert (left_open.cells, left_open.status) == ("", PersonImport.Status.CANCELLED)
    assert fresh.cells != "" and fresh.status == PersonImport.Status.PREVIEW  # younger than a day: kept
    assert client.get(reverse("people:import_rejected", args=[partial.pk])).status_code == 404
