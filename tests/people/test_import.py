"""Excel import of police lists: template, preview with per-row errors, one-transaction confirm, idempotence."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lanhmanh.core.models import ChangeRecord
from lanhmanh.people import services
from lanhmanh.people.imports import COLUMNS, ImportFileError, read_workbook
from lanhmanh.people.models import Person, PersonImport, SanctionDecision, Violation
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def row(**overrides) -> dict:
    values = {
        "full_name": "Trần Thị Mai",
        "sex": "Nữ",
        "birth": "12/05/1992",
        "id_number": "001192000111",
        "residence_unit": "00079",
        "residence_address": "Số 3 phố Tràng Tiền",
        "occurred_at": "10/05/2014 22:15",
        "place_unit": "Tràng Tiền, Hoàn Kiếm",
        "place_address": "Nhà nghỉ Hoa Hồng",
        "role": "Người bán dâm",
        "decree": "167/2013/NĐ-CP",
        "article": "23",
        "clause": "1",
        "number": "101/QĐ-XPHC",
        "decided_on": "11/05/2014",
        "authority": "",
        "kind": "Phạt tiền",
        "amount": "200.000",
        "paid_on": "",
    }
    values.update(overrides)
    return values


def workbook_bytes(rows: list[dict], headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for values in rows:
        sheet.append([values.get(c.key, "") for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "danh-sach.xlsx"):
    return client.post(reverse("people:import_upload"), {"file": SimpleUploadedFile(name, data)})


def preview(client, rows: list[dict]):
    response = upload(client, workbook_bytes(rows))
    assert response.status_code == 302, response.content.decode()
    return response.url, client.get(response.url).content.decode()


def test_the_template_downloads_with_vietnamese_headers_and_reads_back_empty(client_for, police):
    response = client_for(police).get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    assert [c.value for c in workbook["Danh sách"][1]] == HEADERS
    # No empty cells below the header: rows typed or appended start at row 2.
    assert workbook["Danh sách"].max_row == 1
    assert workbook["Danh sách"].column_dimensions["D"].number_format == "@"
    guide = [r[3] for r in workbook["Hướng dẫn"].iter_rows(values_only=True)]
    assert "Bán dâm: 100.000–300.000 đồng (được cảnh cáo); từ 28/11/2013 đến 31/12/2021" in guide
    with pytest.raises(ImportFileError, match="Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."):
        read_workbook(response.content, file_name="mau.xlsx")


def test_a_good_file_is_previewed_without_writing_then_confirmed_in_one_go(client_for, police):
    client = client_for(police)
    rows = [
        row(),
        row(number="102/QĐ-XPHC", occurred_at="20/06/2014 21:00", decided_on="20/06/2014", amount="300,000"),
        row(
            full_name="Lê Văn Hùng",
            sex="Nam",
            birth="1980",
            id_number="",
            role="",
            article="22",
            number="103/QĐ-XPHC",
            amount="500000",
        ),
    ]
    url, body = preview(client, rows)
    assert "3 dòng: 3 quyết định mới, 0 quyết định đã có (bỏ qua), 0 dòng lỗi." in body
    assert "Người mới: 2; người đã có trong cơ sở dữ liệu: 0." in body
    assert (Person.objects.count(), Violation.objects.count()) == (0, 0)
    batch = PersonImport.objects.get()
    # The cells between preview and confirmation are encrypted like every identity.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cells FROM people_personimport")
        assert "Trần Thị Mai" not in cursor.fetchone()[0]

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert Person.objects.count() == 2
    # Issue #21 item 11: the page of a confirmed import shows the names: each is logged.
    from lanhmanh.core.models import AccessRecord

    logged_before = AccessRecord.objects.count()
    client.get(url)
    logged = AccessRecord.objects.order_by("id")[logged_before:]
    assert sorted(int(r.object_id) for r in logged) == sorted(Person.objects.values_list("pk", flat=True))
    assert {(r.purpose, r.detail) for r in logged} == {
        ("sanction", f"Kết quả nhập danh sách Excel #{batch.pk}")
    }
    mai = Person.objects.by_id_number("001192000111").get()
    assert (mai.full_name, mai.birth_date, mai.permanent_unit.name) == (
        "Trần Thị Mai",
        dt.date(1992, 5, 12),
        "Tràng Tiền",
    )
    assert mai.violations.count() == 2
    hung = Person.objects.by_name_birth("Lê Văn Hùng", 1980).get()
    buyer = hung.violations.get()
    assert (buyer.role, buyer.act.code, buyer.sanction.amount) == ("buyer", "167-2013-22-1", 500_000)
    assert SanctionDecision.objects.get(number="102/QĐ-XPHC").amount == 300_000
    assert {d.authority.code for d in SanctionDecision.objects.all()} == {"01-002-police"}
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.skipped_count, batch.cells) == ("confirmed", 3, 0, "")
    assert sorted(batch.person_ids) == sorted([mai.pk, hung.pk])
    body = client.get(url).content.decode()
    assert "Đã nhập 3 quyết định; 0 quyết định đã có được bỏ qua." in body
    assert "Trần Thị Mai" in body and "Lê Văn Hùng" in body
    # The imported persons open without asking the purpose again (it was stated as the import).
    assert "Trần Thị Mai" in client.get(reverse("people:person_detail", args=[mai.pk])).content.decode()


def test_reimporting_the_same_file_changes_nothing(client_for, police):
    client = client_for(police)
    url, _ = preview(
        client, [row(), row(number="102/QĐ-XPHC", occurred_at="20/06/2014 21:00", decided_on="21/06/2014")]
    )
    client.post(url, {"confirm": "1"})
    counts = (Person.objects.count(), Violation.objects.count(), SanctionDecision.objects.count())
    changes = ChangeRecord.objects.exclude(model="people.personimport").count()
    url, body = preview(
        client, [row(), row(number="102/QĐ-XPHC", occurred_at="20/06/2014 21:00", decided_on="21/06/2014")]
    )
    assert "2 dòng: 0 quyết định mới, 2 quyết định đã có (bỏ qua), 0 dòng lỗi." in body
    client.post(url, {"confirm": "1"})
    assert (Person.objects.count(), Violation.objects.count(), SanctionDecision.objects.count()) == counts
    assert ChangeRecord.objects.exclude(model="people.personimport").count() == changes
    assert PersonImport.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1]).skipped_count == 2


def test_an_existing_person_is_reused_by_id_number_or_by_name_and_birth_date(client_for, police, resident):
    client = client_for(police)
    url, body = preview(
        client,
        [
            # Same ID number (typed with spaces), different spelling of the name.
            row(full_name="Nguyen Thi Dao", birth="04/03/1990", id_number="0011 9001 2345"),
            # No ID number: the folded name and birth date find the same person.
            row(
                full_name="NGUYỄN THỊ ĐÀO",
                birth="04/03/1990",
                id_number="",
                number="102/QĐ-XPHC",
                occurred_at="20/06/2014 21:00",
                decided_on="21/06/2014",
            ),
        ],
    )
    assert "Người mới: 0; người đã có trong cơ sở dữ liệu: 1." in body
    client.post(url, {"confirm": "1"})
    assert Person.objects.count() == 1
    assert resident.violations.count() == 2


def test_each_bad_row_is_named_with_its_column_and_nothing_is_written(client_for, police):
    client = client_for(police)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    rows = [
        row(),  # row 2: good
        row(full_name='=HYPERLINK("http://x","Bấm")', number="2"),  # row 3
        row(full_name="<b>Lan</b>", number="3"),  # row 4
        row(birth="31/02/1990", number="4"),  # row 5
        row(birth=tomorrow, number="5"),  # row 6
        row(id_number="12345", number="6"),  # row 7
        row(residence_unit="99999", number="7"),  # row 8
        row(place_unit="Hải Bối, Đông Anh", number="8"),  # row 9
        row(birth="01/01/2000", id_number="", number="9"),  # row 10: 14 years old in 2014
        row(amount="1.000.000", number="10"),  # row 11
        row(),  # row 12: the same decision as row 2
        row(occurred_at=tomorrow + " 10:00", number="12"),  # row 13
        row(kind="Phạt tù", number="13"),  # row 14
        row(decree="999/2099", number="14"),  # row 15
    ]
    url, body = preview(client, rows)
    expected = [
        "Dòng 3, cột A (Họ và tên): “=HYPERLINK(&quot;http://x&quot;,&quot;Bấm&quot;)” chứa ký tự không hợp lệ",
        "Dòng 4, cột A (Họ và tên): “&lt;b&gt;Lan&lt;/b&gt;” chứa ký tự không hợp lệ",
        "Dòng 5, cột C (Ngày sinh hoặc năm sinh): “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy).",
        f"Dòng 6, cột C (Ngày sinh hoặc năm sinh): ngày {tomorrow} ở tương lai.",
        "Dòng 7, cột D (Số CMND/CCCD): “12345” không hợp lệ: CMND gồm 9 chữ số, CCCD gồm 12 chữ số.",
        "Dòng 8, cột E (Nơi cư trú (mã hoặc tên xã, phường)): không tìm thấy xã, phường “99999”",
        # The rules of a violation are the form's (people.validation): the same messages, under the row's column.
        "Dòng 9, cột H (Nơi vi phạm (mã hoặc tên xã, phường)): Nơi vi phạm phải thuộc địa bàn của cơ quan anh/chị "
        "(Quận Hoàn Kiếm).",
        "Dòng 10, cột C (Ngày sinh hoặc năm sinh): Người này chưa đủ 18 tuổi vào ngày vi phạm (10/05/2014): "
        "không lập hồ sơ vi phạm hành chính đối với trẻ em. Hãy mở hồ sơ bảo vệ trẻ em",
        "Dòng 11, cột R (Số tiền phạt (đồng)): Số tiền phạt 1.000.000 đồng nằm ngoài khung phạt của hành vi "
        "này: từ 100.000 đến 300.000 đồng",
        "Dòng 12, cột N (Số quyết định): quyết định 101/QĐ-XPHC của Công an Quận Hoàn Kiếm trùng với dòng 2 "
        "của tệp.",
        "Dòng 13, cột G (Thời gian vi phạm): Thời gian vi phạm không được ở tương lai.",
        "Dòng 14, cột Q (Hình thức xử phạt): “Phạt tù” không hợp lệ: ghi Cảnh cáo hoặc Phạt tiền.",
        "Dòng 15, cột K (Nghị định): danh mục pháp lý không có hành vi theo Điều 23 khoản 1 Nghị định 999/2099.",
    ]
    for text in expected:
        assert text in body
    assert "14 dòng: 1 quyết định mới, 0 quyết định đã có (bỏ qua), 13 dòng lỗi." in body
    assert 'name="confirm"' not in body
    # Even a forced confirmation writes nothing.
    body = client.post(url, {"confirm": "1"}).content.decode()
    assert "Chưa ghi gì vào cơ sở dữ liệu:" in body
    assert (Person.objects.count(), Violation.objects.count(), SanctionDecision.objects.count()) == (0, 0, 0)


def test_a_row_is_refused_by_the_forms_own_rule_in_the_forms_own_words(
    police, resident, selling_2014, trang_tien
):
    """One validation of a violation: the import runs ``people.validation.violation_errors`` as the form does."""
    with pytest.raises(ValidationError) as form:
        services.violation_record(
            actor=police,
            person=resident,
            occurred_at=at("2023-05-10", 22),
            place_unit=trang_tien,
            act=selling_2014,
            role="seller",
        )
    (message,) = form.value.message_dict["act"]
    assert "không có hiệu lực vào ngày vi phạm 10/05/2023" in message
    data = workbook_bytes([row(occurred_at="10/05/2023 22:00", decided_on="11/05/2023")])
    batch = services.person_import_prepare(actor=police, file_name="a.xlsx", data=data)
    (parsed,) = services.person_import_rows(actor=police, batch=batch)
    assert parsed.error_texts() == [f"Dòng 2, cột K (Nghị định): {message}"]


def test_a_decision_number_reused_with_different_content_is_refused(
    police, resident, selling_2014, trang_tien
):
    services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-05-10", 22),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={
            "number": "101/QĐ-XPHC",
            "decided_on": dt.date(2014, 5, 11),
            "kind": "fine",
            "amount": 100_000,
        },
    )
    batch = services.person_import_prepare(actor=police, file_name="a.xlsx", data=workbook_bytes([row()]))
    (parsed,) = services.person_import_rows(actor=police, batch=batch)
    assert parsed.error_texts() == [
        "Dòng 2, cột N (Số quyết định): quyết định 101/QĐ-XPHC của Công an Quận Hoàn Kiếm đã có trong cơ sở "
        "dữ liệu với nội dung khác (người, thời gian vi phạm, hành vi, ngày, hình thức hoặc số tiền): kiểm tra "
        "lại số quyết định."
    ]


def test_a_failure_while_writing_rolls_back_every_row(police, resident, selling_2014, trang_tien):
    batch = services.person_import_prepare(
        actor=police,
        file_name="a.xlsx",
        data=workbook_bytes([row(), row(full_name="Phạm Thị Hạnh", id_number="", number="555/QĐ")]),
    )
    # Between preview and confirmation another officer records decision 555/QĐ elsewhere.
    services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-04-01"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "555/QĐ", "decided_on": dt.date(2014, 4, 2), "kind": "warning"},
    )
    with pytest.raises(Exception) as caught:
        services.person_import_confirm(actor=police, batch=batch)
    assert "Dòng 3, cột N (Số quyết định): quyết định 555/QĐ" in " ".join(caught.value.messages)
    assert Person.objects.count() == 1
    assert Violation.objects.count() == 1
    assert PersonImport.objects.get().status == "preview"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ds.csv", b"ho ten,ngay sinh\nA,1990\n", "không phải tệp Excel .xlsx"),
        ("ds.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "là Excel 97–2003 (.xls)"),
        ("ds.xlsx", b"PK\x03\x04 not really a zip", "tệp hỏng hoặc không phải bảng tính Excel .xlsx"),
        ("ds.xlsx", b"", "Tệp rỗng: chọn tệp Excel (.xlsx) theo mẫu."),
    ],
)
def test_files_that_are_not_xlsx_are_refused_with_a_message(client_for, police, name, data, message):
    body = upload(client_for(police), data, name).content.decode()
    assert message in body
    assert not PersonImport.objects.exists()


def test_wrong_columns_are_named():
    data = workbook_bytes([row()], headers=[*HEADERS[:13], "Ghi chú lạ", *HEADERS[14:]])
    with pytest.raises(ImportFileError, match="Cột N “Ghi chú lạ” không có trong mẫu"):
        read_workbook(data, file_name="ds.xlsx")
    data = workbook_bytes([row()], headers=HEADERS[:13])
    with pytest.raises(ImportFileError, match="Thiếu cột bắt buộc: “Số quyết định”, “Ngày quyết định”"):
        read_workbook(data, file_name="ds.xlsx")


def test_too_many_rows_are_refused(monkeypatch):
    from lanhmanh.people.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    data = workbook_bytes([row(number=str(i)) for i in range(4)])
    with pytest.raises(ImportFileError, match="Tệp có hơn 3 dòng dữ liệu"):
        read_workbook(data, file_name="ds.xlsx")


def test_a_huge_file_is_refused_before_reading(client_for, police, monkeypatch):
    from lanhmanh.people.imports import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1000)
    body = upload(client_for(police), workbook_bytes([row()] * 5)).content.decode()
    assert "Tệp quá lớn: tối đa 0 MB. Hãy chia danh sách thành nhiều tệp." in body
    assert not PersonImport.objects.exists()


def test_numeric_and_date_cells_are_read_like_typed_text(police):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = row()
    values.update(
        {
            "birth": dt.datetime(1992, 5, 12),
            "id_number": 1192000111,  # a numeric cell lost the leading zero
            "occurred_at": dt.datetime(2014, 5, 10, 22, 15),
            "decided_on": dt.datetime(2014, 5, 11),
            "amount": 200000,
            "article": 23,
            "clause": 1,
            "residence_unit": 79,
        }
    )
    sheet.append([values[c.key] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = services.person_import_prepare(actor=police, file_name="so.xlsx", data=buffer.getvalue())
    (parsed,) = services.person_import_rows(actor=police, batch=batch)
    assert parsed.errors == []
    assert parsed.person.id_number == "001192000111"
    assert parsed.person.birth_date == dt.date(1992, 5, 12)
    assert parsed.sanction["amount"] == 200_000


def test_mixed_nfc_nfd_names_match_the_same_person(police, resident):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Đào")
    batch = services.person_import_prepare(
        actor=police,
        file_name="a.xlsx",
        data=workbook_bytes([row(full_name=nfd, birth="04/03/1990", id_number="")]),
    )
    (parsed,) = services.person_import_rows(actor=police, batch=batch)
    assert parsed.errors == []
    assert parsed.person.pk == resident.pk


def test_previews_belong_to_their_officer(client_for, police, inspector):
    url, _ = preview(client_for(police), [row()])
    assert client_for(inspector).get(url).status_code == 404
    assert client_for(inspector).post(url, {"confirm": "1"}).status_code == 404
    assert Person.objects.count() == 0


@pytest.mark.parametrize("persona", ["sysadmin", "licensing", "dpo", "social_worker", "health_worker"])
def test_roles_without_the_registry_cannot_import(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("people:import_upload")).status_code == 404
    assert client.get(reverse("people:import_template")).status_code == 404
    assert upload(client, workbook_bytes([row()])).status_code == 404


def test_cancelling_wipes_the_cells(client_for, police):
    client = client_for(police)
    url, _ = preview(client, [row()])
    assert client.post(url, {"cancel": "1"}).status_code == 302
    batch = PersonImport.objects.get()
    assert (batch.status, batch.cells) == ("cancelled", "")
    assert Person.objects.count() == 0


def test_a_confirmed_import_audits_flags_repeats_and_makes_outreach_tasks_for_sellers_only(
    client_for, police
):
    from lanhmanh.core.models import ChangeRecord
    from lanhmanh.support.models import OutreachTask

    client = client_for(police)
    rows = [
        row(occurred_at="10/03/2014 21:00", decided_on="10/03/2014", kind="Cảnh cáo", amount=""),
        row(number="102/QĐ-XPHC", occurred_at="20/06/2014 21:00", decided_on="20/06/2014", amount="300,000"),
        row(
            full_name="Lê Văn Hùng",
            sex="Nam",
            birth="1980",
            id_number="",
            role="",
            article="22",
            number="103/QĐ-XPHC",
            amount="500000",
        ),
    ]
    url, _body = preview(client, rows)
    assert client.post(url, {"confirm": "1"}).status_code == 302
    mai = Person.objects.by_id_number("001192000111").get()
    first, second = mai.violations.order_by("occurred_at")
    assert (first.repeat_of_id, second.repeat_of_id) == (None, first.pk)
    # Two decisions of a seller: a task each for the commune's social-affairs officer and Women's Union.
    assert sorted(OutreachTask.objects.filter(person=mai).values_list("agency__code", flat=True)) == [
        "01-002-00079-social",
        "01-002-00079-social",
        "01-002-00079-womens-union",
        "01-002-00079-womens-union",
    ]
    assert OutreachTask.objects.count() == 4  # none for the buyer
    for model, count in (("people.person", 2), ("people.violation", 3), ("people.sanctiondecision", 3)):
        assert ChangeRecord.objects.filter(model=model, action="create").count() == count
    assert "Trần Thị Mai" not in str(list(ChangeRecord.objects.values_list("after", flat=True)))
