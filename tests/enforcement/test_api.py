"""The enforcement API for police tokens: scoped like the pages, same messages, contact only on one tip."""

from __future__ import annotations

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.core.models import AccessRecord
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import Patrol
from tests.conftest import TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def api(user, scope="read") -> Client:
    _, raw = api_token_create(user=user, name="Kiểm thử", scope=scope, days=30)
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_the_police_list_the_hotspots_of_their_district_only(police, hotspot, dong_anh_hotspot):
    body = api(police).get("/api/v1/hotspots/").json()
    assert [(h["name"], h["status"], h["unit"]) for h in body["results"]] == [
        ("Phố Phạm Ngũ Lão", "active", TRANG_TIEN)
    ]
    assert api(police).get(f"/api/v1/hotspots/{dong_anh_hotspot.pk}/").status_code == 404


def test_one_hotspot_comes_with_its_history(police, eliminated):
    body = api(police).get(f"/api/v1/hotspots/{eliminated.pk}/").json()
    assert [e["status"] for e in body["events"]] == ["active", "eliminated"]


def test_a_bad_status_filter_is_400_naming_it(police, hotspot):
    response = api(police).get("/api/v1/hotspots/?status=xyz")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_a_patrol_is_recorded_with_a_write_token_and_refused_before_the_hotspot_existed(police, eliminated):
    client = api(police, scope="write")
    response = client.post(
        "/api/v1/patrols/",
        {"hotspot": eliminated.pk, "patrolled_on": "2012-01-01", "finding": "clean"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["patrolled_on"] == [
        "Ngày tuần tra trước ngày phát hiện tụ điểm (01/05/2013)."
    ]
    response = client.post(
        "/api/v1/patrols/",
        {"hotspot": eliminated.pk, "patrolled_on": "2014-05-01", "finding": "activity"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Patrol.objects.get().finding == "activity"
    assert eliminated.proposals.count() == 1


def test_a_read_token_cannot_record_a_patrol(police, eliminated):
    response = api(police).post(
        "/api/v1/patrols/",
        {"hotspot": eliminated.pk, "patrolled_on": "2014-05-01", "finding": "clean"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Patrol.objects.count() == 0


def test_tips_are_for_intake_officers_and_the_contact_only_on_one_tip(police, commune_officer):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN), contact="0912 000 111")
    listed = api(police).get("/api/v1/tips/").json()["results"]
    assert [t["id"] for t in listed] == [tip.pk]
    assert "contact" not in listed[0]
    assert api(police).get(f"/api/v1/tips/{tip.pk}/").json()["contact"] == "0912 000 111"
    assert AccessRecord.objects.filter(model="enforcement.tip").count() == 1
    assert api(commune_officer).get("/api/v1/tips/").status_code == 404
    assert api(commune_officer).get(f"/api/v1/tips/{tip.pk}/").status_code == 404
