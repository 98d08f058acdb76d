"""The registry API: record a violation with its sanction, exact look-ups, counted violations (item 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.people import services
from lanhmanh.people.models import Person, SanctionDecision, Violation
from tests.conftest import TRANG_TIEN
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Đào"
LOOKUP = "/api/v1/people/"
RECORD = "/api/v1/people/violations/"


def api(user, scope="read") -> Client:
    _, raw = api_token_create(user=user, name="Hệ thống nghiệp vụ", scope=scope, days=1)
    return Client(headers={"authorization": f"Bearer {raw}"})


def body(**overrides):
    data = {
        "purpose": "sanction",
        "occurred_at": "2014-05-10T21:30:00+07:00",
        "place_unit": TRANG_TIEN,
        "act": "167-2013-23-1",
        "role": "seller",
        "sanction": {"number": "15/QĐ-XPHC", "decided_on": "2014-05-11", "kind": "fine", "amount": "300.000"},
    }
    data.update(overrides)
    return data


# --- Recording ------------------------------------------------------------------------------------


def test_a_write_token_records_a_violation_and_its_fine(police, resident):
    response = api(police, "write").post(RECORD, body(person_id=resident.pk), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["person"]["id"] == resident.pk
    assert data["violation"]["sanction"]["amount"] == 300_000
    assert data["violation"]["sanction"]["payment_status"] == "unpaid"
    violation = Violation.objects.get()
    assert (violation.recording_agency_id, violation.recording_officer_id) == (police.agency_id, police.pk)
    assert ChangeRecord.objects.filter(model="people.sanctiondecision").count() == 1
    access = AccessRecord.objects.get(actor=police)
    assert (access.purpose, access.object_id) == ("sanction", str(resident.pk))


def test_an_out_of_range_fine_is_refused_with_the_ui_message_and_nothing_saved(police, resident):
    sanction = {"number": "15/QĐ-XPHC", "decided_on": "2014-05-11", "kind": "fine", "amount": "1,000,000"}
    response = api(police, "write").post(
        RECORD, body(person_id=resident.pk, sanction=sanction), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["sanction.amount"] == [
        "Số tiền phạt 1.000.000 đồng nằm ngoài khung phạt của hành vi này: từ 100.000 đến 300.000 đồng "
        "(khoản 1 Điều 23 Nghị định 167/2013/NĐ-CP, áp dụng cho vi phạm ngày 10/05/2014)."
    ]
    assert Violation.objects.count() == SanctionDecision.objects.count() == 0


def test_a_new_person_is_created_with_the_violation_and_a_minor_is_refused(police):
    person = {
        "full_name": "Trần Thị Mai",
        "sex": "female",
        "birth_date": "1992-01-02",
        "id_number": "001192000111",
    }
    response = api(police, "write").post(RECORD, body(person=person), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Person.objects.by_id_number("001192000111").count() == 1
    child = {"full_name": "Lê Thị Na", "sex": "female", "birth_date": "2000-01-02"}
    response = api(police, "write").post(
        RECORD,
        body(person=child, sanction={"number": "16/QĐ", "decided_on": "2014-05-11", "kind": "warning"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "chưa đủ 18 tuổi" in response.json()["error"]["fields"]["person"][0]
    # Nothing half-saved: the child's record was rolled back with the refused violation.
    assert Person.objects.count() == 1


def test_bad_identity_and_missing_person(police):
    response = api(police, "write").post(
        RECORD,
        body(person={"full_name": "A", "birth_year": 1990, "id_number": "12AB"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["person.id_number"][0].startswith("Số CMND/CCCD không hợp lệ")
    response = api(police, "write").post(RECORD, body(), content_type="application/json")
    assert response.status_code == 400
    assert "person_id" in response.json()["error"]["fields"]


def test_a_read_token_cannot_record(police, resident):
    response = api(police, "read").post(RECORD, body(person_id=resident.pk), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"
    assert Violation.objects.count() == 0


def test_recording_for_a_person_out_of_reach_is_404(other_district_officer, resident):
    response = api(other_district_officer, "write").post(
        RECORD, body(person_id=resident.pk), content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("purpose", "message"),
    [
        (None, "Thiếu tham số purpose (mục đích truy cập)"),
        ("curiosity", "Mục đích “curiosity” không hợp lệ"),
        ("other", "Chọn “Khác” thì phải ghi rõ mục đích xem."),
    ],
)
def test_the_purpose_is_required_and_checked(police, resident, purpose, message):
    params = {"id_number": "001190012345"} | ({"purpose": purpose} if purpose else {})
    response = api(police).get(LOOKUP, params)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    key = "detail" if purpose == "other" else "purpose"
    assert fields[key][0].startswith(message)
    assert AccessRecord.objects.count() == 0
    posted = api(police, "write").post(
        RECORD, body(person_id=resident.pk, purpose=purpose or ""), content_type="application/json"
    )
    assert posted.status_code == 400
    assert Violation.objects.count() == 0


# --- Look-ups and counted violations ---------------------------------------------------------------


def test_lookup_by_id_number_and_by_name_and_birth_date_is_logged(police, resident):
    client = api(police)
    by_id = client.get(LOOKUP, {"id_number": "0011 9001 2345", "purpose": "investigation"})
    assert by_id.status_code == 200
    assert [p["id"] for p in by_id.json()["results"]] == [resident.pk]
    assert by_id.json()["results"][0]["full_name"] == NAME
    by_name = client.get(
        LOOKUP, {"full_name": "nguyen thi  dao", "birth": "04/03/1990", "purpose": "other", "detail": "CV 5"}
    )
    assert [p["id"] for p in by_name.json()["results"]] == [resident.pk]
    assert (
        client.get(LOOKUP, {"full_name": NAME, "birth": "05/03/1990", "purpose": "sanction"}).json()["count"]
        == 0
    )
    assert list(AccessRecord.objects.order_by("pk").values_list("purpose", "detail")) == [
        ("investigation", "API tra cứu"),
        ("other", "API tra cứu: CV 5"),
    ]


def test_lookup_is_scoped_like_the_ui(other_district_officer, social_worker, health_worker, resident):
    assert (
        api(other_district_officer)
        .get(LOOKUP, {"id_number": "001190012345", "purpose": "sanction"})
        .json()["count"]
        == 0
    )
    # Roles without the registry get 404, as on the pages.
    assert (
        api(health_worker).get(LOOKUP, {"id_number": "001190012345", "purpose": "sanction"}).status_code
        == 404
    )


def test_counted_violations(police, resident, selling_2014, trang_tien, other_district_officer):
    for day, number in (("2014-03-01", "1/QĐ"), ("2014-05-01", "2/QĐ")):
        services.violation_record(
            actor=police,
            person=resident,
            occurred_at=at(day),
            place_unit=trang_tien,
            act=selling_2014,
            role="seller",
            sanction={"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"},
        )
    url = f"/api/v1/people/{resident.pk}/violations/"
    response = api(police).get(url, {"purpose": "sanction"})
    assert response.status_code == 200
    data = response.json()
    assert (data["total"], data["counting_today"]) == (2, 0)
    first, second = data["violations"]
    assert second["repeat_of"] == first["id"]
    assert second["reasons"][1].startswith("Tái phạm:")
    assert first["counts_until"] == "2014-11-01"
    assert AccessRecord.objects.filter(actor=police, detail="API xem vi phạm").count() == 1
    assert api(other_district_officer).get(url, {"purpose": "sanction"}).status_code == 404
    assert api(police).get(url).status_code == 400
