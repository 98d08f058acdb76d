"""Editing a person (audited), recording a fine's payment, and the violations list with repeat flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.people import services
from lanhmanh.people.models import SanctionDecision
from tests.people.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def fined(police, resident, selling_2014, trang_tien):
    violation = services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-05-10"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "7/QĐ", "decided_on": dt.date(2014, 5, 12), "kind": "fine", "amount": 200_000},
    )
    return violation.sanction


def with_purpose(client, person):
    client.post(reverse("people:person_detail", args=[person.pk]), {"purpose": "sanction", "detail": ""})
    return client


def identity_form(person, **changes):
    data = {
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_year": person.birth_year,
        "id_number": person.id_number,
        "phone": person.phone,
        "permanent_unit": person.permanent_unit_id or "",
        "permanent_address": person.permanent_address,
    }
    data.update(changes)
    return data


def test_editing_identity_is_saved_audited_without_clear_values_and_logged(client_for, police, resident):
    client = with_purpose(client_for(police), resident)
    url = reverse("people:person_edit", args=[resident.pk])
    assert "Sửa nhân thân của hồ sơ" in client.get(url).content.decode()
    response = client.post(url, identity_form(resident, full_name="Nguyễn Thị Đào Hoa", phone="0987654321"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.full_name, resident.phone) == ("Nguyễn Thị Đào Hoa", "0987654321")
    change = ChangeRecord.objects.get(model="people.person", action="update")
    assert change.actor == police
    assert change.before["full_name"] == change.after["full_name"] == "***"
    assert "Đào" not in str(change.before) + str(change.after)
    assert AccessRecord.objects.filter(actor=police, detail="Sửa nhân thân").count() == 1
    # The blind index follows the new name.
    assert (
        client.get(
            reverse("people:person_list"),
            {"full_name": "nguyen thi dao hoa", "birth": "04/03/1990", "purpose": "case_work"},
        )
        .content.decode()
        .count("Nguyễn Thị Đào Hoa")
        == 1
    )


def test_a_bad_edit_names_the_field_and_changes_nothing(client_for, police, resident):
    client = with_purpose(client_for(police), resident)
    url = reverse("people:person_edit", args=[resident.pk])
    body = client.post(url, identity_form(resident, id_number="12AB")).content.decode()
    assert "CMND gồm 9 chữ số, CCCD gồm 12 chữ số" in body
    resident.refresh_from_db()
    assert resident.id_number == "001190012345"
    assert not ChangeRecord.objects.filter(model="people.person", action="update").exists()


def test_editing_needs_the_purpose_first(client_for, police, resident):
    response = client_for(police).get(reverse("people:person_edit", args=[resident.pk]))
    assert response.status_code == 302
    assert response.url == reverse("people:person_detail", args=[resident.pk])


@pytest.mark.parametrize("persona", ["other_district_officer", "other_commune_officer", "licensing", "dpo"])
def test_outsiders_cannot_edit_or_record_payments(request, client_for, persona, resident, fined):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("people:person_edit", args=[resident.pk])).status_code == 404
    assert (
        client.post(reverse("people:person_edit", args=[resident.pk]), identity_form(resident)).status_code
        == 404
    )
    url = reverse("people:sanction_payment", args=[fined.pk])
    assert client.post(url, {"paid_on": "2014-05-20"}).status_code == 404
    fined.refresh_from_db()
    assert fined.payment_status == "unpaid"


def test_recording_a_payment_changes_the_counting_dates(client_for, police, resident, fined):
    client = with_purpose(client_for(police), resident)
    detail = reverse("people:person_detail", args=[resident.pk])
    body = client.get(detail).content.decode()
    assert "chưa nộp phạt, hết thời hiệu thi hành quyết định ngày 12/05/2015" in body
    url = reverse("people:sanction_payment", args=[fined.pk])
    assert url in body
    assert "phạt tiền 200.000 đồng" in client.get(url).content.decode()
    # A payment before the decision is refused with the field named.
    body = client.post(url, {"paid_on": "2014-05-01"}).content.decode()
    assert "Ngày nộp phạt không được trước ngày ra quyết định." in body
    assert SanctionDecision.objects.get().payment_status == "unpaid"
    assert client.post(url, {"paid_on": "2014-05-20"}).status_code == 302
    fined.refresh_from_db()
    assert (fined.payment_status, fined.paid_on) == ("paid", dt.date(2014, 5, 20))
    assert ChangeRecord.objects.get(model="people.sanctiondecision", action="status").after["paid_on"] == (
        "2014-05-20"
    )
    body = client.get(detail).content.decode()
    assert "Phạt tiền theo quyết định 7/QĐ ngày 12/05/2014 (đã nộp phạt ngày 20/05/2014)" in body
    assert "tức sau ngày 20/05/2015" in body
    assert url not in body


def test_the_violations_list_flags_repeats_and_explains_the_dates(
    client_for, police, resident, fined, selling_2014, trang_tien
):
    services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-09-01"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "9/QĐ", "decided_on": dt.date(2014, 9, 2), "kind": "warning"},
    )
    body = (
        with_purpose(client_for(police), resident)
        .get(reverse("people:person_detail", args=[resident.pk]))
        .content.decode()
    )
    assert "Toàn bộ lịch sử: 2 lần vi phạm." in body
    assert "Tái phạm: 1 lần." in body
    assert body.count("data-repeat") == 1
    assert (
        "Tái phạm: cùng hành vi “Bán dâm” với vi phạm ngày 10/05/2014 (quyết định 7/QĐ), vi phạm đó còn được tính "
        "đến ngày " in body
    )
    assert "Cảnh cáo theo quyết định 9/QĐ ngày 02/09/2014" in body
