from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lanhmanh.core.models import AccessRecord
from lanhmanh.people import services
from lanhmanh.people.models import Person, SanctionDecision, Violation
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Đào"


@pytest.fixture
def with_violation(police, resident, selling_2014, trang_tien):
    services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-05-10"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "1/QĐ", "decided_on": dt.date(2014, 5, 10), "kind": "warning"},
    )
    services.person_support_set(
        actor=police, person=resident, trafficking_victim=True, notes="Cần học nghề may"
    )
    return resident


def open_person(client, person, purpose="sanction"):
    url = reverse("people:person_detail", args=[person.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert NAME not in first.content.decode()
    assert client.post(url, {"purpose": purpose, "detail": ""}).status_code == 302
    return client.get(url)


def test_the_person_page_asks_for_a_purpose_then_shows_identity_and_logs_it(
    client_for, police, with_violation
):
    client = client_for(police)
    response = open_person(client, with_violation)
    body = response.content.decode()
    assert NAME in body
    assert "001190012345" in body
    assert "Toàn bộ lịch sử: 1 lần vi phạm." in body
    access = AccessRecord.objects.get(actor=police)
    assert (access.purpose, access.object_id, access.data_class) == (
        "sanction",
        str(with_violation.pk),
        "identity",
    )
    # Police never read support notes.
    assert "Cần học nghề may" not in body
    # The purpose is asked once per session: the next visit shows identity directly and logs again.
    assert NAME in client.get(reverse("people:person_detail", args=[with_violation.pk])).content.decode()
    assert AccessRecord.objects.filter(actor=police).count() == 2


def test_the_district_officer_sees_support_notes(client_for, district_officer, with_violation):
    body = open_person(client_for(district_officer), with_violation, purpose="support").content.decode()
    assert "Cần học nghề may" in body


def test_the_commune_of_residence_sees_the_person(client_for, commune_officer, with_violation):
    assert NAME in open_person(client_for(commune_officer), with_violation).content.decode()


@pytest.mark.parametrize(
    "persona",
    ["other_district_officer", "other_commune_officer", "sysadmin", "licensing", "dpo", "health_worker"],
)
def test_outsiders_get_not_found_on_the_person_page(request, client_for, persona, with_violation):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("people:person_detail", args=[with_violation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"purpose": "sanction"}).status_code == 404
    assert client.get(reverse("people:violation_create", args=[with_violation.pk])).status_code == 404
    assert not AccessRecord.objects.exists()


@pytest.mark.parametrize("persona", ["sysadmin", "licensing", "dpo", "social_worker", "health_worker"])
def test_roles_without_identity_and_enforcement_cannot_use_the_registry(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for name in ("people:person_list", "people:person_create", "people:person_suggest"):
        assert client.get(reverse(name)).status_code == 404


def test_search_by_id_number_shows_only_visible_people_and_logs_each(
    client_for, police, other_district_officer, with_violation
):
    query = {"id_number": "0011-9001-2345", "purpose": "case_work"}
    body = client_for(police).get(reverse("people:person_list"), query).content.decode()
    assert NAME in body
    assert AccessRecord.objects.filter(actor=police, purpose="case_work").count() == 1
    body = client_for(other_district_officer).get(reverse("people:person_list"), query).content.decode()
    assert NAME not in body
    assert "Không tìm thấy hồ sơ nào" in body


def test_search_by_folded_name_and_birth_date(client_for, police, with_violation):
    query = {"full_name": "nguyen thi  DAO", "birth": "04/03/1990", "purpose": "case_work"}
    assert NAME in client_for(police).get(reverse("people:person_list"), query).content.decode()


def test_the_search_needs_an_id_number_or_name_with_birth(client_for, police):
    body = (
        client_for(police)
        .get(reverse("people:person_list"), {"full_name": "Đào", "purpose": "case_work"})
        .content
    )
    assert "Nhập số CMND/CCCD, hoặc họ và tên cùng ngày sinh (năm sinh)." in body.decode()


def test_suggestions_show_exact_matches_within_reach(
    client_for, police, other_district_officer, with_violation
):
    query = {"full_name": "NGUYEN THI DAO", "birth_year": "1990"}
    body = client_for(police).get(reverse("people:person_suggest"), query).content.decode()
    assert f"Hồ sơ #{with_violation.pk}" in body
    assert "Trùng họ tên và ngày/năm sinh" in body
    body = client_for(other_district_officer).get(reverse("people:person_suggest"), query).content.decode()
    assert "Hồ sơ #" not in body


def test_creating_a_person_then_a_violation_with_an_out_of_range_fine_then_fixing_it(
    client_for, police, trang_tien, selling_2014
):
    client = client_for(police)
    response = client.post(
        reverse("people:person_create"),
        {
            "full_name": "Lê Thị Hoa",
            "sex": "female",
            "birth_year": "1991",
            "id_number": "012345678",
            "permanent_unit": trang_tien.pk,
        },
    )
    person = Person.objects.get()
    assert response.url == reverse("people:violation_create", args=[person.pk])
    form = {
        "occurred_at": "2014-05-10T21:30",
        "place_unit": trang_tien.pk,
        "role": "seller",
        "act": selling_2014.pk,
        "with_sanction": "on",
        "number": "15/QĐ-XPHC",
        "decided_on": "2014-05-11",
        "kind": "fine",
        "amount": "1.000.000",
        "payment_status": "unpaid",
    }
    url = reverse("people:violation_create", args=[person.pk])
    body = client.post(url, form).content.decode()
    assert "nằm ngoài khung phạt của hành vi này: từ 100.000 đến 300.000 đồng" in body
    assert Violation.objects.count() == 0
    response = client.post(url, {**form, "amount": "300,000"})
    assert response.status_code == 302
    assert SanctionDecision.objects.get().amount == 300_000


def test_a_malformed_id_number_is_named_on_the_form(client_for, police):
    body = (
        client_for(police)
        .post(
            reverse("people:person_create"),
            {"full_name": "Lê Thị Hoa", "sex": "female", "birth_year": "1991", "id_number": "12345"},
        )
        .content.decode()
    )
    assert "CMND gồm 9 chữ số, CCCD gồm 12 chữ số" in body
    assert Person.objects.count() == 0


def test_the_registry_menu_item_shows_only_for_identity_and_enforcement(client_for, police, social_worker):
    assert 'data-nav="people"' in client_for(police).get(reverse("home")).content.decode()
    assert 'data-nav="people"' not in client_for(social_worker).get(reverse("home")).content.decode()


def test_suggestions_log_every_identity_they_show(client_for, police, with_violation):
    """Issue #21 item 11: whether an ID number belongs to someone in reach is a read of that person."""
    from lanhmanh.core.models import AccessRecord

    query = {"full_name": "NGUYEN THI DAO", "birth_year": "1990"}
    client_for(police).get(reverse("people:person_suggest"), query)
    row = AccessRecord.objects.get()
    assert (row.actor, row.object_id, row.purpose, row.detail, row.path) == (
        police,
        str(with_violation.pk),
        "sanction",
        "Gợi ý hồ sơ có thể trùng khi nhập",
        "/nguoi-vi-pham/goi-y/",
    )


def test_people_in_my_ward_only_after_a_purpose_each_page_logged(client_for, commune_officer, with_violation):
    client = client_for(commune_officer)
    url = reverse("people:person_ward")
    first = client.get(url).content.decode()
    assert NAME not in first and "data-purpose-form" in first
    refused = client.get(url, {"purpose": "", "detail": ""}).content.decode()
    assert NAME not in refused
    assert "Chọn mục đích xem trước khi xem thông tin nhân thân." in refused
    shown = client.get(url, {"purpose": "support", "detail": ""}).content.decode()
    assert NAME in shown and "data-ward" in shown
    reads = AccessRecord.objects.filter(
        actor=commune_officer, object_id=str(with_violation.pk), purpose="support"
    )
    assert reads.count() == 1
    assert "Người trên địa bàn:" in reads.get().detail
    # The person's page opens without asking again (the purpose was stated for the list).
    assert NAME in client.get(reverse("people:person_detail", args=[with_violation.pk])).content.decode()


def test_people_in_my_ward_is_not_found_for_roles_without_the_registry(client_for, social_worker):
    assert client_for(social_worker).get(reverse("people:person_ward")).status_code == 404


def unverified_notes(body: str) -> list[str]:
    """The markup of each 'source not yet checked' note on a page."""
    import re

    return re.findall(
        r'<span class="[^"]*"[^>]*data-testid="unverified-source"[^>]*>.*?</span>\s*[^<]*</span>', body
    )


@pytest.mark.parametrize("verified", [False, True])
def test_an_unchecked_act_is_a_quiet_source_note_not_a_warning(client_for, police, with_violation, verified):
    act = Violation.objects.get(person=with_violation).act
    act.verified = verified
    act.save(update_fields=["verified"])
    body = open_person(client_for(police), with_violation).content.decode()
    notes = unverified_notes(body)
    if verified:
        assert notes == []
        return
    assert len(notes) == 1
    (note,) = notes
    assert "nguồn: chưa đối chiếu văn bản gốc" in note
    assert "chưa được quản trị viên đối chiếu với Công báo" in note  # the explanation, as its tooltip
    assert "không phải là cảnh báo về hồ sơ" in note
    assert "text-body-secondary" in note
    assert "badge" not in note and "warning" not in note and "danger" not in note
