"""Over-long text and NUL bytes when entering a person or a violation: a Vietnamese message under the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lanhmanh.people.models import Person, Violation
from tests.bad_text import BAD_TEXTS, refusal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_person_with_a_bad_name_address_or_note_is_refused(client_for, police, trang_tien, kind):
    bad = BAD_TEXTS[kind]
    response = client_for(police).post(
        reverse("people:person_create"),
        {
            "full_name": bad,
            "sex": "female",
            "birth_year": "1991",
            "permanent_unit": trang_tien.pk,
            "permanent_address": bad,
            "notes": bad,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    for label in ("Họ và tên", "Địa chỉ thường trú", "Ghi chú"):
        assert refusal(kind, label) in body, label
    assert not Person.objects.exists()


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_violation_with_a_bad_place_or_note_is_refused(
    client_for, police, resident, trang_tien, selling_2014, kind
):
    bad = BAD_TEXTS[kind]
    response = client_for(police).post(
        reverse("people:violation_create", args=[resident.pk]),
        {
            "occurred_at": "2014-05-10T21:30",
            "place_unit": trang_tien.pk,
            "role": "seller",
            "act": selling_2014.pk,
            "place_address": bad,
            "notes": bad,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert refusal(kind, "Địa chỉ nơi vi phạm", limit="300") in body
    assert refusal(kind, "Ghi chú") in body
    assert not Violation.objects.exists()
