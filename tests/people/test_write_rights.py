"""Seeing and changing are two grants (issue #17, item 4): every shipped role × every write URL of the
registry (record, edit, import, pay, merge) and the API's write. A role that reads the registry but may not
change it (the court's and the procuracy's clerks) gets the same 404 as a missing page; the API says 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lanhmanh.core.scoping import DataClass, can, can_write
from lanhmanh.org.models import Role
from lanhmanh.org.roles import ROLES, WRITE_CLASSES
from lanhmanh.people import services
from lanhmanh.people.rules import can_edit_registry, can_use_registry
from tests.conftest import HOAN_KIEM, agency, make_user
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

REGISTRY = {DataClass.IDENTITY, DataClass.ENFORCEMENT}
READERS_ONLY = {"court-clerk", "prosecutor"}


def test_each_role_changes_only_what_it_may_see_and_the_clerks_only_read_the_registry():
    for code, _name, _en, seen, _description in ROLES:
        role = Role.objects.get(code=code)
        assert set(role.write_classes) == set(WRITE_CLASSES.get(code, [])) & set(seen), code
        assert set(role.write_classes) <= set(role.data_classes), code
    writers = {code for code, *_ in ROLES if set(WRITE_CLASSES.get(code, [])) >= REGISTRY}
    assert writers == {"city-coordinator", "district-labour", "commune-officer", "police", "inspector"}
    readers = {code for code, _n, _e, seen, _d in ROLES if set(seen) >= REGISTRY}
    assert readers - writers == READERS_ONLY


@pytest.fixture
def sanctioned(police, resident, selling_2014, trang_tien):
    violation = services.violation_record(
        actor=police,
        person=resident,
        occurred_at=at("2014-05-10"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "2/QĐ", "decided_on": dt.date(2014, 5, 10), "kind": "fine", "amount": 200_000},
    )
    return violation


def _write_urls(person, sanction) -> list[tuple[str, str]]:
    return [
        ("get", reverse("people:person_create")),
        ("post", reverse("people:person_create")),
        ("get", reverse("people:person_suggest") + "?full_name=Nguyễn"),
        ("get", reverse("people:person_edit", args=[person.pk])),
        ("post", reverse("people:person_edit", args=[person.pk])),
        ("get", reverse("people:violation_create", args=[person.pk])),
        ("post", reverse("people:violation_create", args=[person.pk])),
        ("get", reverse("people:sanction_payment", args=[sanction.pk])),
        ("post", reverse("people:sanction_payment", args=[sanction.pk])),
        ("get", reverse("people:import_upload")),
        ("post", reverse("people:import_upload")),
        ("get", reverse("people:import_template")),
        ("get", reverse("linkage:queue")),
    ]


@pytest.mark.parametrize("code", [code for code, *_ in ROLES])
def test_every_role_on_every_registry_write_url(client_for, code, resident, sanctioned):
    user = make_user(f"u-{code}", agency(HOAN_KIEM, "police"), code)
    client = client_for(user)
    writer = can_edit_registry(user)
    assert writer == can_write(user, REGISTRY) == (can(user, REGISTRY) and code not in READERS_ONLY)
    for method, url in _write_urls(resident, sanctioned.sanction):
        status = getattr(client, method)(url).status_code
        if writer:
            assert status in (200, 302), f"{code} {method} {url}: {status}"
        else:
            assert status == 404, f"{code} {method} {url}: {status}"
    if can_use_registry(user):  # readers still open the person's page
        assert client.get(reverse("people:person_detail", args=[resident.pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(user)
    answer = api.post("/api/v1/people/violations", {"purpose": "sanction"}, format="json").status_code
    assert answer in ((400,) if writer else (403, 404)), f"{code} API: {answer}"


def test_the_court_clerk_reads_a_person_without_buttons_to_change_it(client_for, court_clerk, resident):
    client = client_for(court_clerk)
    url = reverse("people:person_detail", args=[resident.pk])
    client.post(url, {"purpose": "investigation", "detail": ""})
    body = client.get(url).content.decode()
    assert resident.full_name in body
    assert "data-edit-person" not in body
    assert reverse("people:violation_create", args=[resident.pk]) not in body
    listing = client.get(reverse("people:person_list")).content.decode()
    assert "data-read-only" in listing
    assert reverse("people:person_create") not in listing
