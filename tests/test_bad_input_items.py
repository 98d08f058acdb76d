"""Issue #21 items 6 and 9: bad input that gave 500, and data that was saved inconsistent (ASVS V5.1.3/V5.1.4
input validation, V13.1.1/V13.2.5 API payloads, V12.1.1 request size)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.people.models import Person, SanctionDecision, Violation
from lanhmanh.people.services import person_create
from lanhmanh.reporting.validation import parse_number
from tests.conftest import TRANG_TIEN, unit

pytestmark = pytest.mark.django_db

RECORD = "/api/v1/people/violations/"


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="Hệ thống nghiệp vụ", scope="write", days=1)
    return Client(headers={"authorization": f"Bearer {raw}"})


def body(**overrides):
    data = {
        "purpose": "sanction",
        "occurred_at": "2014-05-10T21:30:00+07:00",
        "place_unit": TRANG_TIEN,
        "act": "167-2013-23-1",
        "role": "seller",
        "person": {"full_name": "Nguyễn Thị Đào", "sex": "female", "birth_year": 1990},
        "sanction": {"number": "15/QĐ-XPHC", "decided_on": "2014-05-11", "kind": "fine", "amount": "300.000"},
    }
    data.update(overrides)
    return data


def post(client, data, **extra):
    return client.post(RECORD, data, content_type="application/json", **extra)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"occurred_at": 20140510},
            "occurred_at",
            "Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải số.",
        ),
        (
            {"occurred_at": ["2014-05-10"]},
            "occurred_at",
            "Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải danh sách.",
        ),
        ({"role": True}, "role", "Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải true/false."),
        ({"sanction": "15/QĐ"}, "sanction", "Phải là một đối tượng JSON {…}, không phải str."),
        ({"sanction": [1]}, "sanction", "Phải là một đối tượng JSON {…}, không phải danh sách."),
        (
            {"person": {"full_name": True, "sex": "female", "birth_year": 1990}},
            "person.full_name",
            "Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải true/false.",
        ),
        (
            {"person": {"full_name": "Nguyễn Thị Đào", "sex": "female", "birth_year": 1990.5}},
            "person.birth_year",
            "Phải là số nguyên (hoặc chuỗi chữ số), không phải số thập phân.",
        ),
        (
            {"person": {"full_name": ["Nguyễn"], "sex": "female", "birth_year": 1990}},
            "person.full_name",
            "Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải danh sách.",
        ),
    ],
)
def test_wrong_json_types_are_refused_naming_the_field_and_nothing_is_saved(
    police, overrides, field, message
):
    response = post(api(police), body(**overrides))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"][field] == [message]
    assert (Person.objects.count(), Violation.objects.count(), SanctionDecision.objects.count()) == (0, 0, 0)


def test_a_deeply_nested_body_is_a_400_in_the_envelope(police):
    deep = '{"purpose": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = post(api(police), deep)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "JSON lồng nhau quá sâu (tối đa 20 cấp).",
        "fields": {},
    }


def test_a_number_of_5000_digits_and_nan_are_400(police):
    response = post(api(police), '{"purpose": "sanction", "person_id": ' + "9" * 5000 + "}")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "parse_error")
    response = post(api(police), '{"purpose": NaN}')
    assert (response.status_code, response.json()["error"]["code"]) == (400, "parse_error")


def test_a_20_mb_body_is_refused_in_the_envelope(police):
    response = post(api(police), '{"notes": "' + "a" * (20 * 1024 * 1024) + '"}')
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "Nội dung gửi lên lớn hơn giới hạn 10 MB.",
        "fields": {},
    }


def test_report_values_of_thousands_of_digits_are_a_field_error():
    assert parse_number("9" * 5000, "Số người") == (None, "“Số người”: số quá lớn.")
    assert (
        parse_number("١٢", "Số người")[1]
        == "“Số người”: “١٢” không phải là số; nhập số nguyên, ví dụ 1500000."
    )


def test_a_page_number_of_5000_digits_is_page_one(coordinator, client_for):
    client = client_for(coordinator)
    for url in ("/ke-hoach/cong-viec/", "/ke-hoach/hoat-dong/", "/bao-cao/tien-do/"):
        assert client.get(url, {"trang": "9" * 5000}).status_code in (200, 404), url


def test_a_buyer_with_a_selling_act_is_refused(police):
    response = post(api(police), body(role="buyer"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["role"] == [
        "Vai trò “Người mua dâm” không khớp với hành vi “Bán dâm”: hành vi này chỉ của người bán dâm."
    ]
    assert Violation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1234567", "Họ và tên không được chứa chữ số."),
        ("Nguyễn Thị 2", "Họ và tên không được chứa chữ số."),
        ("Nguyễn \u202eĐào", "Họ và tên chứa ký tự điều khiển ẩn (ví dụ ký tự đảo chiều chữ): hãy gõ lại."),
    ],
)
def test_names_of_digits_or_with_a_right_to_left_override_are_refused(police, name, message):
    response = post(api(police), body(person={"full_name": name, "sex": "female", "birth_year": 1990}))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["person.full_name"] == [message]


def test_the_same_cccd_twice_through_the_form_makes_one_person(police, client_for):
    data = {
        "full_name": "Nguyễn Thị Đào",
        "sex": "female",
        "birth_date": "04/03/1990",
        "id_number": "001190012345",
        "permanent_unit": unit(TRANG_TIEN).pk,
    }
    client = client_for(police)
    first = client.post("/nguoi-vi-pham/them/", data)
    assert first.status_code == 302
    second = client.post("/nguoi-vi-pham/them/", data)
    assert second.status_code == 200
    assert "Số CMND/CCCD này đã có hồ sơ trong cơ sở dữ liệu" in second.content.decode()
    assert Person.objects.count() == 1


def test_the_service_refuses_a_second_person_with_the_same_id_number(police):
    person_create(
        actor=police, full_name="Trần Thị Mai", sex="female", birth_year=1985, id_number="001185000001"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        person_create(
            actor=police, full_name="Tran Mai", sex="female", birth_year=1985, id_number="001185000001"
        )
    assert list(refused.value.message_dict) == ["id_number"]


def test_dates_far_outside_plausible_years_are_refused_in_forms(district_officer, client_for):
    response = client_for(district_officer).post(
        "/ke-hoach/hoat-dong/moi/",
        {"kind": "training", "title": "Tập huấn", "held_on": "9999-12-31", "participants": "10"},
    )
    assert "ngày 31/12/9999 không hợp lý (chỉ nhận từ năm 1900 đến năm" in response.content.decode()
    assert dt.date.today().year + 30 == int(response.content.decode().split("đến năm ")[1][:4])
