"""The register's API (read and write scopes, licence look-up logged) and its Excel import."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from lanhmanh.api.services import api_token_create
from lanhmanh.premises.imports import COLUMNS
from lanhmanh.premises.models import EligibilityLookup, Establishment, Inspection, Licence, PoliceCheck

pytestmark = pytest.mark.django_db


def api(user, scope="read") -> Client:
    _, raw = api_token_create(user=user, name="Hệ thống nghiệp vụ", scope=scope, days=1)
    return Client(headers={"authorization": f"Bearer {raw}"})


NEW = {
    "kind": "karaoke",
    "name": "Karaoke Hoa Mai",
    "address": "7 phố Hàng Khay",
    "unit": "01.002.00079",
    "owner_type": "organisation",
    "organisation_name": "Công ty TNHH Hoa Mai",
    "opened_on": "2012-06-01",
}


def test_a_write_token_adds_an_establishment_and_a_read_token_cannot(inspector):
    response = api(inspector, "write").post("/api/v1/establishments/", NEW, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == "01.002.00079"
    denied = api(inspector).post("/api/v1/establishments/", NEW, content_type="application/json")
    assert denied.status_code == 403
    assert Establishment.objects.count() == 1


def test_the_api_names_a_bad_field_in_vietnamese_and_saves_nothing(inspector, place):
    bad = {**NEW, "name": "KARAOKE ÁNH SAO", "address": "12 phố Tràng Tiền", "owner_type": "individual"}
    response = api(inspector, "write").post(
        "/api/v1/establishments/", {**bad, "opened_on": "01/06/2012"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "opened_on": ["“Ngày bắt đầu hoạt động” phải là ngày dạng YYYY-MM-DD."]
    }
    response = api(inspector, "write").post(
        "/api/v1/establishments/", {**NEW, "name": "x\x00"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert Establishment.objects.count() == 1


def test_the_api_is_scoped_like_the_pages(inspector, other_district_officer, place):
    assert api(inspector).get(f"/api/v1/establishments/{place.pk}/").json()["name"] == "Karaoke Ánh Sao"
    assert api(other_district_officer).get(f"/api/v1/establishments/{place.pk}/").status_code == 404
    assert api(other_district_officer).get("/api/v1/establishments/").json()["results"] == []
    assert "owner_name" not in api(inspector).get("/api/v1/establishments/").json()["results"][0]


def test_police_record_a_check_through_the_api(police, place):
    body = {"establishment": place.pk, "checked_on": "2014-02-03", "result": "ok", "people_checked": 2}
    response = api(police, "write").post("/api/v1/police-checks/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert PoliceCheck.objects.get().people_checked == 2


def test_a_licence_lookup_token_is_logged_with_its_purpose(licensing, place):
    body = {
        "purpose": "new-licence",
        "detail": "Hồ sơ 3/2014",
        "registration_number": "01A8012345",
        "address": "12 phố Tràng Tiền",
    }
    response = api(licensing).post("/api/v1/licence-eligibility/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["eligible"] is True
    log = EligibilityLookup.objects.get()
    assert (log.via_api, log.purpose, log.registration_number) == (True, "new-licence", "01A8012345")
    response = api(licensing).post(
        "/api/v1/licence-eligibility/", {"address": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert EligibilityLookup.objects.count() == 1


def test_a_licensing_token_reads_nothing_else_of_the_register(licensing, place):
    assert api(licensing).get("/api/v1/establishments/").status_code == 404
    assert api(licensing).get("/api/v1/inspections/").status_code == 404


# --- Excel import ------------------------------------------------------------------------------------


def workbook(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**overrides) -> dict:
    data = {
        "kind": "Karaoke",
        "name": "Karaoke Hoa Mai",
        "address": "7 phố Hàng Khay",
        "unit": "00079",
        "registration_number": "01B8000001",
        "owner_type": "Tổ chức",
        "organisation_name": "Công ty TNHH Hoa Mai",
        "opened_on": "01/06/2012",
        "culture_number": "77/GP-VHTTDL",
        "culture_issued_on": "01/05/2012",
    }
    data.update(overrides)
    return data


def upload(client, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("premises:import_upload"), {"file": SimpleUploadedFile("co-so.xlsx", data)})


def test_an_import_is_previewed_confirmed_once_and_idempotent(client_for, inspector):
    client = client_for(inspector)
    data = workbook(
        [
            row(),
            row(
                name="Nhà nghỉ Hoa Mai", kind="Nhà nghỉ", registration_number="01B8000002", culture_number=""
            ),
        ]
    )
    response = upload(client, data)
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Cơ sở mới" in preview and not Establishment.objects.exists()
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 302
    assert Establishment.objects.count() == 2 and Licence.objects.count() == 1
    again = upload(client, data)
    assert "Đã có, bỏ qua" in client.get(again["Location"]).content.decode()
    client.post(again["Location"], {"action": "confirm"})
    assert Establishment.objects.count() == 2


def test_each_bad_row_is_named_and_nothing_is_written(client_for, inspector, place):
    client = client_for(inspector)
    data = workbook(
        [
            row(),
            row(address="7 Phố Hàng Khay."),  # the same place again in the file
            row(
                name="Karaoke Khác", registration_number="X1", culture_number="125/GP-VHTTDL"
            ),  # licence of another place
            row(name="Karaoke Đông Anh", registration_number="X2", unit="00460", culture_number=""),
            row(
                name="Karaoke Lạ",
                registration_number="X3",
                kind="Sòng bạc",
                opened_on="31/02/2012",
                culture_number="",
            ),
        ]
    )
    location = upload(client, data)["Location"]
    body = client.get(location).content.decode()
    assert "Dòng 3: trùng với dòng 2 (cùng tên, địa chỉ, số đăng ký kinh doanh)." in body
    assert (
        "Dòng 4, cột O (Số giấy phép kinh doanh dịch vụ văn hóa): Số giấy 125/GP-VHTTDL đã được dùng cho cơ sở khác: “Karaoke Ánh Sao”."
        in body
    )
    assert "Dòng 5, cột D (Mã xã, phường): xã, phường này ngoài địa bàn của anh/chị." in body
    assert "Dòng 6, cột A (Loại hình): loại hình “Sòng bạc” không có trong danh mục." in body
    assert "Dòng 6, cột L (Ngày bắt đầu hoạt động): “31/02/2012” không phải ngày hợp lệ (dd/mm/yyyy)." in body
    client.post(location, {"action": "confirm"})
    assert Establishment.objects.count() == 1  # only the fixture's


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(client_for, inspector):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(inspector).post(
        reverse("premises:import_upload"), {"file": SimpleUploadedFile("co-so.csv", b"a,b")}
    )
    assert (
        "Tệp “co-so.csv” không phải tệp Excel .xlsx: hãy dùng mẫu tải về và lưu dạng .xlsx."
        in response.content.decode()
    )


@pytest.mark.parametrize("persona", ["police", "licensing", "health_worker", "social_worker"])
def test_roles_without_import_rights_get_404(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("premises:import_upload")).status_code == 404
    assert client.get(reverse("premises:import_template")).status_code == 404


def test_a_write_token_records_an_inspection_and_bad_fields_are_named(inspector, place, team, three_agencies):
    body = {
        "establishment": place.pk,
        "team": team.code,
        "agencies": [a.code for a in three_agencies],
        "started_at": "2014-03-10T21:00",
        "leader_name": "Nguyễn Văn Trưởng",
        "findings": "Không phát hiện vi phạm.",
    }
    client = api(inspector, "write")
    response = client.post("/api/v1/inspections/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (
        client.get(f"/api/v1/inspections/?establishment={place.pk}").json()["results"][0]["id"]
        == (response.json()["id"])
    )
    one_agency = client.post(
        "/api/v1/inspections/",
        {**body, "agencies": [three_agencies[0].code]},
        content_type="application/json",
    )
    assert one_agency.status_code == 400
    assert "ít nhất hai cơ quan" in str(one_agency.json()["error"]["fields"])
    for bad in ("30/02/2014 21:00", "2014-02-30T21:00"):
        refused = client.post(
            "/api/v1/inspections/", {**body, "started_at": bad}, content_type="application/json"
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"] == {
            "started_at": ["“Thời gian bắt đầu” phải có dạng YYYY-MM-DDTHH:MM."]
        }
    impossible_day = client.post(
        "/api/v1/establishments/", {**NEW, "opened_on": "2012-02-30"}, content_type="application/json"
    )
    assert impossible_day.status_code == 400
    denied = api(inspector).post("/api/v1/inspections/", body, content_type="application/json")
    assert denied.status_code == 403
    assert Inspection.objects.count() == 1
