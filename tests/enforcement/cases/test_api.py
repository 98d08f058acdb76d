"""The criminal-case API: the agencies' systems open cases and record their own stages only."""

from __future__ import annotations

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.core.models import AccessRecord
from lanhmanh.enforcement.cases.models import CriminalCase
from tests.conftest import TRANG_TIEN
from tests.enforcement.cases.conftest import identity

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def api(user, scope="read") -> Client:
    _, raw = api_token_create(user=user, name="Hệ thống nghiệp vụ", scope=scope, days=1)
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_the_police_system_opens_a_case(police):
    response = api(police, "write").post(
        CASES,
        {
            "offence": "blhs1999-254-1",
            "act_on": "2014-04-01",
            "unit": TRANG_TIEN,
            "detected_on": "2014-04-02",
            "busted_on": "2014-04-02",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "busted"
    assert CriminalCase.objects.get().investigating_agency == police.agency


def test_a_bad_date_is_refused_naming_the_field(police):
    response = api(police, "write").post(
        CASES,
        {
            "offence": "blhs1999-254-1",
            "act_on": "32/13/2014",
            "unit": TRANG_TIEN,
            "detected_on": "2014-04-02",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["act_on"] == [
        "Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2014."
    ]
    assert not CriminalCase.objects.exists()


def test_the_prosecutor_system_indicts_but_cannot_touch_the_police_stage(case, police, prosecutor):
    api(police, "write").post(
        f"{CASES}{case.pk}/stages/",
        {"stage": "prosecuted", "on": "2014-03-06"},
        content_type="application/json",
    )
    client = api(prosecutor, "write")
    refused = client.post(
        f"{CASES}{case.pk}/stages/", {"stage": "busted", "on": "2014-03-04"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert (
        "Giai đoạn “Phá án” do cơ quan điều tra (cán bộ Công an) ghi nhận"
        in refused.json()["error"]["message"]
    )
    indicted = client.post(
        f"{CASES}{case.pk}/stages/",
        {"stage": "indicted", "on": "2014-05-20"},
        content_type="application/json",
    )
    assert indicted.status_code == 200, indicted.content
    assert indicted.json()["stage"] == "indicted"


def test_a_read_only_token_cannot_record_a_stage(case, court_clerk):
    response = api(court_clerk).post(
        f"{CASES}{case.pk}/stages/", {"stage": "tried", "on": "2014-06-01"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_the_case_with_names_needs_a_purpose_and_is_logged(case, police, brokering):
    from lanhmanh.enforcement.cases import services

    defendant = services.defendant_add(
        actor=police, case=case, ring_role="broker", offence=brokering, identity=identity()
    )
    client = api(police)
    assert client.get(f"{CASES}{case.pk}/").status_code == 400
    response = client.get(f"{CASES}{case.pk}/", {"purpose": "investigation"})
    assert response.json()["defendants"][0]["person"]["full_name"] == "Trần Văn Hùng"
    assert AccessRecord.objects.filter(actor=police, object_id=str(defendant.person_id)).count() == 1


@pytest.mark.parametrize("who", ["other_police", "coordinator"])
def test_outsiders_get_404(request, case, who):
    client = api(request.getfixturevalue(who))
    assert client.get(f"{CASES}{case.pk}/", {"purpose": "investigation"}).status_code == 404
