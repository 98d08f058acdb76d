"""Issue 17, item 21, in the browser: the coordinator opens the 2014 plan's dashboard on the plan's year,
chooses a quarter with the period picker, and reads each target in the quarter and since January against
the annual target with the share of the year gone by at the quarter's end; the table by district and the
district map count the quarter, and a district opened from the table keeps it."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from lanhmanh.plans.models import Plan

pytestmark = pytest.mark.browser


def map_values(page) -> dict[str, float | None]:
    config_id = page.locator("#plan-district-map").get_attribute("data-district-map")
    config = json.loads(page.locator(f"#{config_id}").text_content())
    return {region["code"]: region["value"] for region in config["regions"]}


def test_the_coordinator_reads_the_dashboard_for_a_quarter_of_the_plans_year(page, live_url, login_as):
    login_as(page, "dieuphoi")
    plan = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    picker = page.locator("[data-dashboard-period] [data-period-picker]")
    expect(picker).to_have_value("2014")  # the plan's year by default
    expect(page.locator("[data-period-shown]")).to_have_text("Năm 2014")
    expect(page.locator("[data-in-period-header]")).to_have_count(0)
    year_map = map_values(page)

    picker.select_option(label="Quý 2/2014")
    page.locator("[data-dashboard-period]").get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"ky=2014Q2"))
    expect(page.locator("[data-period-shown]")).to_have_text("Quý 2/2014")
    expect(picker).to_have_value("2014Q2")
    expect(page.locator("[data-in-period-header]")).to_have_text("Trong kỳ (Quý 2/2014)")
    expect(page.locator("[data-targets] thead")).to_contain_text("Lũy kế từ đầu năm đến 30/06/2014")
    expect(page.locator("[data-part-rule]")).to_contain_text("Chỉ tiêu là của cả năm 2014")
    # Time elapsed: 181 of 365 days by 30/06/2014, on every target; a progress bar each.
    elapsed = page.locator("[data-progress-elapsed]")
    assert elapsed.count() >= 5
    assert {elapsed.nth(i).get_attribute("value") for i in range(elapsed.count())} == {"49.6"}
    rows = page.locator("[data-targets] tbody tr")
    for i in range(rows.count()):  # a target with a data source shows both values, one without neither
        in_period = rows.nth(i).locator("[data-in-period]").inner_text()
        assert in_period == "—" or re.fullmatch(r"[\d.,<x ]+", in_period), in_period

    # The map and the table by district count the quarter: they agree, and differ from the year's.
    quarter_map = map_values(page)
    expect(page.locator("#plan-district-map canvas")).to_have_count(1)
    assert quarter_map != year_map
    table = page.locator("[data-by-unit] tbody tr")
    activities_column = page.locator("[data-by-unit] thead th.num").count()  # the last figure column
    activities = {}
    for i in range(table.count()):
        row = table.nth(i)
        code = row.get_attribute("data-unit").split(".")[1]
        activities[code] = row.locator("td").nth(activities_column).inner_text().replace(".", "")
    assert {code: f"{v:.0f}" for code, v in quarter_map.items() if v is not None} == {
        code: activities[code] for code, v in quarter_map.items() if v is not None
    }
    expect(page.locator("[data-goal-annual]")).to_be_visible()
    expect(page.locator("[data-export]")).to_have_attribute("href", re.compile(r"ky=2014Q2"))

    page.locator("[data-by-unit]").get_by_role("link", name="Quận Hoàn Kiếm").click()
    expect(page).to_have_url(re.compile(r"\?unit=01\.002&ky=2014Q2$"))
    expect(page.locator("[data-period-shown]")).to_have_text("Quý 2/2014")
    expect(page.locator(".breadcrumb")).to_contain_text("Quận Hoàn Kiếm")
