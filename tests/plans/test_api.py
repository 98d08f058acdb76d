import datetime as dt

import pytest

from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import activity_create
from tests.conftest import HOAN_KIEM, TRANG_TIEN

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.plans.api_test_urls")]


def club(female):
    place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    activity_create(
        actor=None,
        kind="club-meeting",
        title="Sinh hoạt CLB",
        held_on=dt.date(2014, 4, 1),
        unit=place,
        organiser=Agency.objects.filter(unit=place).first(),
        participants_female=female,
    )


def test_the_registry_lists_indicators_with_their_source(police, client_for):
    data = client_for(police).get("/api/v1/indicators/").json()
    rows = {row["code"]: row for row in data}
    assert rows["plans.activities_held"]["has_source"] is True
    assert rows["plans.budget_execution"]["kind"] == "formula"


def test_values_are_the_ones_the_ui_shows_with_suppression(police, social_worker, client_for):
    club(3)
    url = f"/api/v1/indicators/plans.club_participants/values?unit={HOAN_KIEM}&period=2014&by=month"
    hidden = client_for(police).get(url).json()
    assert hidden["total"] == {"value": None, "display": "< 5", "suppressed": True}
    assert hidden["values"] == [{"month": "201404", "value": None, "display": "< 5", "suppressed": True}]
    shown = client_for(social_worker).get(url.replace(HOAN_KIEM, TRANG_TIEN)).json()
    assert shown["values"] == [{"month": "201404", "value": 3.0, "display": "3", "suppressed": False}]


def test_bad_parameters_answer_400_and_other_units_404(police, client_for):
    client = client_for(police)
    response = client.get("/api/v1/indicators/org.communes/values?period=2014Q9")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["period"][0].startswith("Mã kỳ “2014Q9” không hợp lệ")
    assert client.get("/api/v1/indicators/org.communes/values?period=2014&unit=01.017").status_code == 404


def test_plan_progress_lists_every_target_with_value_goal_and_status(coordinator, client_for):
    plan = load_plan_2014()
    client = client_for(coordinator)
    assert [p["id"] for p in client.get("/api/v1/plans/").json()] == [plan.pk]
    data = client.get(f"/api/v1/plans/{plan.pk}/progress").json()
    assert [t["code"] for t in data["targets"]] == [f"T{i:02d}" for i in range(1, 11)]
    t05 = data["targets"][4]
    # Counted from the criminal cases: none yet.
    assert (t05["goal"], t05["second_goal"], t05["status"]) == (150.0, 180.0, "off-track")
