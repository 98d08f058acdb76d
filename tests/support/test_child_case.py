"""A child protection case opened from the registry's refusal of a violation for a person under 18."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.people.models import LegalAct, Violation
from lanhmanh.support.models import Consent, SupportCase

pytestmark = pytest.mark.django_db

LINK = "Mở hồ sơ bảo vệ trẻ em cho người này"


def violation_form(trang_tien):
    return {
        "occurred_at": "2014-05-10T21:30",
        "place_unit": trang_tien.pk,
        "role": "seller",
        "act": LegalAct.objects.get(code="167-2013-23-1").pk,
    }


def child_url(person):
    return reverse("support:child_case_open", args=[person.pk])


def test_the_refusal_offers_the_child_case_to_a_district_officer(
    client_for, district_officer, girl, trang_tien
):
    body = (
        client_for(district_officer)
        .post(reverse("people:violation_create", args=[girl.pk]), violation_form(trang_tien))
        .content.decode()
    )
    assert "chưa đủ 18 tuổi vào ngày vi phạm (10/05/2014)" in body
    assert LINK in body
    assert f'href="{child_url(girl)}"' in body
    assert Violation.objects.count() == 0


def test_the_refusal_offers_no_link_to_a_user_who_cannot_open_the_case(client_for, police, woman, trang_tien):
    # Police see only adults today; a refusal for a date when she was under 18 shows the message alone.
    woman.birth_date = woman.birth_date.replace(year=1998)
    woman.birth_year = 1998
    woman.save()
    body = (
        client_for(police)
        .post(reverse("people:violation_create", args=[woman.pk]), violation_form(trang_tien))
        .content.decode()
    )
    assert "chưa đủ 18 tuổi vào ngày vi phạm (10/05/2014)" in body
    assert LINK not in body


def test_the_district_officer_opens_a_child_case_with_consent(
    client_for, district_officer, girl, trang_tien, school
):
    response = client_for(district_officer).post(
        child_url(girl),
        {
            "child-unit": trang_tien.pk,
            "child-opened_on": "2014-05-12",
            "child-assessment": "Bỏ học, bị lôi kéo",
            "child-purposes": ["counselling", "training"],
            "child-agencies": [school.pk],
        },
    )
    case = SupportCase.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("support:case_detail", args=[case.pk])
    assert (case.kind, case.person, case.unit, case.lead_worker) == (
        "child",
        girl,
        trang_tien,
        district_officer,
    )
    assert sorted(Consent.objects.values_list("agency__code", "purpose")) == sorted(
        [
            (district_officer.agency.code, "counselling"),
            (district_officer.agency.code, "training"),
            (school.code, "counselling"),
            (school.code, "training"),
        ]
    )
    assert ChangeRecord.objects.filter(model="support.supportcase", action="create").count() == 1
    assert AccessRecord.objects.filter(
        actor=district_officer, data_class="child", model="people.person"
    ).exists()


def test_an_adult_on_the_opening_day_is_refused_and_nothing_is_saved(
    client_for, district_officer, girl, trang_tien
):
    body = (
        client_for(district_officer)
        .post(
            child_url(girl),
            {"child-unit": trang_tien.pk, "child-opened_on": "2019-05-12", "child-purposes": ["counselling"]},
        )
        .content.decode()
    )
    assert "Người này đã đủ 18 tuổi: không mở hồ sơ bảo vệ trẻ em." in body
    assert SupportCase.objects.count() == 0


def test_a_second_open_child_case_is_refused(client_for, district_officer, girl, trang_tien):
    data = {"child-unit": trang_tien.pk, "child-opened_on": "2014-05-12", "child-purposes": ["counselling"]}
    client = client_for(district_officer)
    client.post(child_url(girl), data)
    first = SupportCase.objects.get()
    body = client.post(child_url(girl), data).content.decode()
    assert f"Người này đã có hồ sơ bảo vệ trẻ em đang mở (#{first.pk}): tiếp tục trên hồ sơ đó." in body
    assert SupportCase.objects.count() == 1


@pytest.mark.parametrize(
    "persona",
    ["police", "inspector", "commune_officer", "other_district_officer", "health_worker", "sysadmin", "dpo"],
)
def test_others_get_not_found_on_the_child_case_page(request, client_for, persona, girl, trang_tien):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(child_url(girl)).status_code == 404
    data = {"child-unit": trang_tien.pk, "child-opened_on": "2014-05-12", "child-purposes": ["counselling"]}
    assert client.post(child_url(girl), data).status_code == 404
    assert SupportCase.objects.count() == 0
    assert not AccessRecord.objects.filter(model="people.person").exists()


def test_the_child_case_page_does_not_show_an_adult(client_for, district_officer, woman):
    """Issue #21 item 16: the page showed any person's name and birth year."""
    response = client_for(district_officer).get(child_url(woman))
    assert response.status_code == 404
    assert woman.full_name not in response.content.decode()
    assert not AccessRecord.objects.filter(object_id=str(woman.pk)).exists()
