"""API of assessments: read in the caller's area; the commune's and district's write tokens do their step."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.communes.models import AssessmentStatus
from tests.conftest import TRANG_TIEN

pytestmark = pytest.mark.django_db
LIST = "/api/v1/communes/assessments/"


@pytest.fixture
def api_for(db):
    def build(user, scope: str = "read") -> Client:
        _, raw = api_token_create(user=user, name="Kiểm thử", scope=scope, days=30)
        return Client(headers={"authorization": f"Bearer {raw}"})

    return build


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_district_reads_its_communes_assessments(api_for, district_officer, draft):
    rows = api_for(district_officer).get(f"{LIST}?year=2014").json()
    assert [(r["unit"], r["status"]) for r in rows] == [(TRANG_TIEN, "draft")]


def test_another_district_sees_none_and_gets_404_on_the_record(api_for, other_district_officer, draft):
    client = api_for(other_district_officer)
    assert client.get(LIST).json() == []
    response = client.get(f"{LIST}{draft.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_police_get_404(api_for, police, draft):
    assert api_for(police).get(LIST).status_code == 404


def test_the_detail_carries_items_and_proposals(api_for, commune_officer, draft):
    data = api_for(commune_officer).get(f"{LIST}{draft.pk}/").json()
    sellers = next(i for i in data["items"] if i["item"] == "1.3")
    assert sellers["proposal"] == {
        "indicator": "people.sellers_sanctioned",
        "value": "0",
        "score": 15.0,
        "records": "/chi-so/people.sellers_sanctioned/?unit=01.002.00079&period=2014",
    }
    hotspots = next(i for i in data["items"] if i["item"] == "1.1")["proposal"]
    assert (hotspots["indicator"], hotspots["value"]) == ("enforcement.hotspots_active", "0")


def test_a_read_token_cannot_write(api_for, commune_officer, draft):
    response = _post(api_for(commune_officer), f"{LIST}{draft.pk}/self/", {"answers": []})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_read_only"


def test_the_commune_token_scores_and_submits(api_for, commune_officer, draft, items):
    client = api_for(commune_officer, "write")
    answers = [{"item": code, "score": float(i.points), "evidence": "Biên bản"} for code, i in items.items()]
    response = _post(client, f"{LIST}{draft.pk}/self/", {"answers": answers, "submit": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == AssessmentStatus.SUBMITTED
    assert response.json()["self_score"] == 100.0


def test_a_score_above_the_points_is_400_naming_the_item(api_for, commune_officer, draft):
    response = _post(
        api_for(commune_officer, "write"),
        f"{LIST}{draft.pk}/self/",
        {"answers": [{"item": "1.1", "score": 99}]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Tiêu chí 1.1: điểm 99 vượt quá điểm tối đa 15."


def test_an_unknown_item_is_400(api_for, commune_officer, draft):
    response = _post(
        api_for(commune_officer, "write"),
        f"{LIST}{draft.pk}/self/",
        {"answers": [{"item": "9.9", "score": 1}]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "answers": ["Không có tiêu chí “9.9” trong bộ tiêu chí của phiếu."]
    }


def test_the_district_token_reviews_and_needs_a_reason(api_for, district_officer, submitted):
    client = api_for(district_officer, "write")
    bad = _post(client, f"{LIST}{submitted.pk}/review/", {"changes": [{"item": "1.3", "score": 0}]})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Tiêu chí 1.3: huyện thay đổi điểm thì phải ghi lý do."
    ok = _post(
        client,
        f"{LIST}{submitted.pk}/review/",
        {"changes": [{"item": "1.3", "score": 0, "reason": "Có vi phạm"}]},
    )
    assert ok.status_code == 200
    assert ok.json()["classification"] == "co-te-nan"


def test_the_commune_token_cannot_review(api_for, commune_officer, submitted):
    response = _post(api_for(commune_officer, "write"), f"{LIST}{submitted.pk}/review/", {"changes": []})
    assert response.status_code == 403


def test_a_second_assessment_through_the_api_is_400(api_for, commune_officer, draft):
    response = _post(api_for(commune_officer, "write"), LIST, {"unit": TRANG_TIEN, "year": 2014})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "unit": ["Phường Tràng Tiền đã có phiếu đánh giá năm 2014 theo bộ tiêu chí này."]
    }


def test_a_year_that_is_not_a_number_is_400(api_for, commune_officer, template):
    response = _post(api_for(commune_officer, "write"), LIST, {"unit": TRANG_TIEN, "year": "năm nay"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"year": ["Năm phải là số nguyên, ví dụ 2014."]}
