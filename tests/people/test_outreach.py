"""Sanction → outreach (item 8): commune of residence, the city coordinator for other provinces, no buyers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lanhmanh.people import services
from lanhmanh.people.models import Person
from lanhmanh.support.models import OutreachTask
from tests.people.conftest import at

pytestmark = pytest.mark.django_db


def _sanction(police, person, place, act, role="seller", number="5/QĐ-XPHC"):
    sanction = (
        {"number": number, "decided_on": dt.date(2014, 5, 12), "kind": "warning"}
        if role == "seller"
        else {"number": number, "decided_on": dt.date(2014, 5, 12), "kind": "fine", "amount": 500_000}
    )
    return services.violation_record(
        actor=police,
        person=person,
        occurred_at=at("2014-05-10"),
        place_unit=place,
        act=act,
        role=role,
        sanction=sanction,
    ).sanction


def test_a_seller_from_another_province_gets_a_task_for_the_city_coordinator(
    police, selling_2014, trang_tien
):
    person = Person(
        full_name="Lê Thị Hạnh",
        sex="female",
        birth_year=1990,
        permanent_address="Thôn 3, xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa",
    )
    person.save()
    _sanction(police, person, trang_tien, selling_2014)
    task = OutreachTask.objects.get()
    assert (task.unit.path, task.agency.kind) == ("01", "dolisa-pctnxh")
    assert task.due_on == dt.date(2014, 5, 26)


def test_the_home_pages_list_the_task_with_its_due_date(
    client_for,
    police,
    resident,
    selling_2014,
    trang_tien,
    social_worker,
    commune_officer,
    other_commune_officer,
):
    _sanction(police, resident, trang_tien, selling_2014)
    social, union = OutreachTask.objects.order_by("pk")
    assert (social.unit, social.agency.kind) == (trang_tien, "commune-social")
    assert (union.unit, union.agency.kind) == (trang_tien, "womens-union")
    # The commune's social-affairs officer and its Women's Union branch each see their own task.
    for user, mine, theirs in ((commune_officer, social, union), (social_worker, union, social)):
        body = client_for(user).get(reverse("home")).content.decode()
        assert f'data-outreach-task="{mine.pk}"' in body, user
        assert f'data-outreach-task="{theirs.pk}"' not in body, user
        assert "hạn 26/05/2014" in body
        # No identity on the home page.
        assert "Nguyễn Thị Đào" not in body
    body = client_for(other_commune_officer).get(reverse("home")).content.decode()
    assert "data-outreach-task" not in body
    body = client_for(police).get(reverse("home")).content.decode()
    assert "data-outreach-task" not in body


def test_the_task_page_shows_the_other_agencys_task_from_the_same_sanction(
    client_for, police, resident, selling_2014, trang_tien, social_worker, commune_officer
):
    _sanction(police, resident, trang_tien, selling_2014)
    social, union = OutreachTask.objects.order_by("pk")
    body = client_for(social_worker).get(reverse("support:task_detail", args=[union.pk])).content.decode()
    assert f'data-sibling-task="{social.pk}"' in body
    assert "Công chức LĐTBXH Phường Tràng Tiền" in body
    assert "quyết định 5/QĐ-XPHC" in body


def test_a_buyer_gets_no_outreach(police, buying_2014, trang_tien):
    buyer = Person(full_name="Lê Văn Nam", sex="male", birth_year=1980, permanent_unit=trang_tien)
    buyer.save()
    _sanction(police, buyer, trang_tien, buying_2014, role="buyer")
    assert OutreachTask.objects.count() == 0
