"""Issue 17, item 21: the city dashboard's district map, coloured by a chosen target or the activities,
with click-through to the district; values exactly as the table shows them to the reader."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import HANG_BAC, TRANG_TIEN
from tests.plans.test_dashboard_budget import held, plan  # noqa: F401

pytestmark = pytest.mark.django_db


def map_config(page: str) -> dict:
    match = re.search(
        r'<script id="plan-district-map-config" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, "no map on the page"
    return json.loads(match.group(1))


def test_the_city_dashboard_colours_the_districts_by_activities_and_links_each_district(
    plan,  # noqa: F811
    coordinator,
    client_for,
):
    held(TRANG_TIEN)
    held(HANG_BAC)
    page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "data-dashboard-map" in page and "lanhmanh/district-map.js" in page
    config = map_config(page)
    regions = {r["code"]: r for r in config["regions"]}
    assert len(regions) == 30
    assert regions["002"]["value"] == 2  # Hoàn Kiếm: the two activities, as in the table
    assert regions["001"]["value"] == 0  # Ba Đình: nothing recorded is 0, not "no data"
    assert regions["002"]["url"] == f"/ke-hoach/{plan.pk}/?unit=01.002&ban-do=activities"
    assert '<option value="activities" selected>' in page


def test_the_map_follows_the_chosen_target_and_an_unknown_choice_falls_back(
    plan,  # noqa: F811
    coordinator,
    client_for,
):
    client = client_for(coordinator)
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    codes = re.findall(r'<option value="(T\d\d)"', page)
    assert codes, "the sourced targets are offered"
    chosen = client.get(f"/ke-hoach/{plan.pk}/", {"ban-do": codes[0]}).content.decode()
    config = map_config(chosen)
    assert config["title"].startswith(f"{codes[0]}: ")
    assert all(r["url"].endswith(f"&ban-do={codes[0]}") for r in config["regions"])
    odd = client.get(f"/ke-hoach/{plan.pk}/", {"ban-do": "<script>"})
    assert odd.status_code == 200
    assert map_config(odd.content.decode())["regions"][0]["url"].endswith("&ban-do=activities")


def test_a_district_dashboard_has_no_district_map(plan, district_officer, client_for):  # noqa: F811
    page = client_for(district_officer).get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "data-dashboard-map" not in page and "district-map.js" not in page
