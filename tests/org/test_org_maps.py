"""The district map helper: boundaries from the local file, centres, configuration, safe links."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from lanhmanh.org.maps import MapPoint, district_centre, district_map, districts, unit_centre


def test_hanoi_has_thirty_districts_with_names_and_centres():
    found = districts("01")
    assert len(found) == 30
    name, (lng, lat) = found["002"]
    assert name == "Quận Hoàn Kiếm"
    # Hoàn Kiếm's centre lies near the lake (105.85 E, 21.03 N)
    assert 105.83 < lng < 105.87 and 21.01 < lat < 21.04


def test_a_province_without_a_boundary_file_has_no_map():
    assert districts("79") == {}
    assert district_map(element_id="m", title="t", values={}, province_code="79") is None


def test_a_commune_is_placed_at_its_districts_centre():
    class Unit:
        path = "01.002.00079"

    assert unit_centre(Unit()) == district_centre("01", "002")


def test_the_configuration_keeps_hidden_values_as_none_and_links_as_paths():
    built = district_map(
        element_id="demo-map",
        title="Cơ sở",
        values={"001": 12, "002": None},
        links={"001": "/co-so/?don-vi=1"},
        points=[MapPoint(label="Tụ điểm A", lng=105.85, lat=21.03, category="active", url="/tu-diem/1/")],
        categories={"active": ("Đang hoạt động", "#c0392b")},
    )
    regions = {r["code"]: r for r in built.config["regions"]}
    assert regions["001"]["value"] == 12 and regions["001"]["url"] == "/co-so/?don-vi=1"
    assert regions["002"]["value"] is None
    assert regions["003"]["value"] is None  # not given: no data, never 0
    assert built.config["points"][0]["category"] == "active"
    assert built.config["categories"] == [{"key": "active", "label": "Đang hoạt động", "colour": "#c0392b"}]


@pytest.mark.parametrize("url", ["https://example.org/", "//example.org/x", "javascript:alert(1)"])
def test_links_to_other_sites_are_refused(url):
    with pytest.raises(ValueError):
        district_map(element_id="m", title="t", values={}, links={"001": url})


def test_the_partial_renders_the_element_and_its_configuration():
    built = district_map(element_id="demo-map", title="Cơ sở <b>", values={"001": 3})
    html = render_to_string("org/_district_map.html", {"map": built})
    assert 'id="demo-map"' in html and 'data-district-map="demo-map-config"' in html
    assert "org/geo/01-districts.geojson" in html
    assert '<script id="demo-map-config" type="application/json">' in html
    assert "Cơ sở <b>" not in html  # escaped in the aria label and the JSON


def test_the_partial_says_so_when_there_is_no_map():
    html = render_to_string("org/_district_map.html", {"map": None})
    assert "Chưa có bản đồ ranh giới" in html
