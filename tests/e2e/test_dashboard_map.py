"""Issue 17, item 21, in the browser: the coordinator colours the city's district map by a target and
clicks a district to open its dashboard (same choice kept)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.org.maps import district_centre
from lanhmanh.plans.models import Plan

pytestmark = pytest.mark.browser


def test_the_coordinator_colours_the_map_by_a_target_and_opens_a_district_from_it(page, live_url, login_as):
    login_as(page, "dieuphoi")
    plan = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    figure = page.locator("[data-dashboard-map]")
    expect(figure.locator("#plan-district-map canvas")).to_have_count(1)
    options = figure.locator("#map-measure option")
    target = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if re.fullmatch(r"T\d\d", options.nth(i).get_attribute("value") or "")
    )
    figure.locator("#map-measure").select_option(target)  # submits by itself
    expect(page).to_have_url(re.compile(rf"ban-do={target}"))
    expect(page.locator("#plan-district-map canvas")).to_have_count(1)

    lng, lat = district_centre("01", "002")  # Hoàn Kiếm
    page.locator("#plan-district-map").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => window.echarts && window.echarts.getInstanceByDom(document.getElementById('plan-district-map'))"
    )
    x, y = page.evaluate(
        "([lng, lat]) => window.echarts.getInstanceByDom(document.getElementById('plan-district-map'))"
        ".convertToPixel({geoIndex: 0}, [lng, lat])",
        [lng, lat],
    )
    box = page.locator("#plan-district-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(rf"\?unit=01\.002&ban-do={target}$"))
    expect(page.locator(".breadcrumb")).to_contain_text("Quận Hoàn Kiếm")
    expect(page.locator("[data-dashboard-map]")).to_have_count(0)  # a district's page: its wards in the table
