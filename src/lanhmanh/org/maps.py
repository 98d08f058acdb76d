"""District maps drawn from local boundary files: a choropleth with optional point markers.

Government intranets are often offline, so maps use no tile server and nothing from the internet:
boundaries are GeoJSON files shipped in ``org/static/org/geo/`` and drawn by ECharts
(``static/lanhmanh/district-map.js``). One file per province, named ``<province code>-districts.geojson``,
one Feature per district-level unit with the properties ``code`` (GSO code, as in the unit tree) and
``name``. Hanoi's file holds the 30 districts as they were before the 1/7/2025 reform (source in the
file's ``source`` property); on the two-level map (no districts) there is no such file and
``district_map`` returns ``None`` — pages then show their table alone.

Use from a view::

    from lanhmanh.org.maps import MapPoint, district_map

    context["map"] = district_map(
        element_id="establishments-map",
        title=_("Cơ sở kinh doanh theo quận, huyện"),
        values={"001": 120, "002": 95, ...},           # district code → number, None when hidden/no data
        links={"001": "/co-so/?don-vi=…", ...},         # optional: where a click on a district goes
        points=[MapPoint(label="…", lng=105.85, lat=21.03, category="active", url="/tu-diem/7/")],
        categories={"active": (_("Đang hoạt động"), "#c0392b")},  # legend label and colour per category
    )

and in the template::

    {% block head %}{% include "org/_district_map_assets.html" %}{% endblock %}
    ...
    {% include "org/_district_map.html" with map=map %}

A point without coordinates can be placed at its unit's district centre with ``unit_centre(unit)``.
Links and point URLs must be paths on this site (they are refused otherwise); labels are escaped by
the script. The caller decides what a user may see: pass only values and points the user may see.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

GEO_DIR = Path(__file__).resolve().parent / "static" / "org" / "geo"
STATIC_PREFIX = "org/geo/"

Coordinates = tuple[float, float]


@dataclass(frozen=True)
class MapPoint:
    """A marker: ``category`` picks its colour and legend entry; ``url`` (a site path) is opened on click."""

    label: str
    lng: float
    lat: float
    category: str = ""
    url: str = ""


@dataclass(frozen=True)
class DistrictMap:
    element_id: str
    title: str
    geojson_static: str  # path for {% static %}
    config: dict = field(default_factory=dict)

    @property
    def config_id(self) -> str:
        return f"{self.element_id}-config"


def boundary_file(province_code: str) -> Path | None:
    path = GEO_DIR / f"{province_code}-districts.geojson"
    return path if path.is_file() else None


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """(signed area, x, y) of a closed ring by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return area / 2, cx, cy


def _centre(geometry: dict) -> Coordinates:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    total = sx = sy = 0.0
    for polygon in polygons:
        area, cx, cy = _ring_centroid(polygon[0])  # outer ring; holes are small for districts
        total += area
        sx += cx
        sy += cy
    if not total:
        x, y = polygons[0][0][0]
        return round(x, 5), round(y, 5)
    return round(sx / (6 * total), 5), round(sy / (6 * total), 5)


@lru_cache(maxsize=8)
def districts(province_code: str) -> dict[str, tuple[str, Coordinates]]:
    """District code → (name, centre) from the province's boundary file (empty when there is none)."""
    path = boundary_file(province_code)
    if path is None:
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        feature["properties"]["code"]: (feature["properties"]["name"], _centre(feature["geometry"]))
        for feature in data["features"]
    }


def district_centre(province_code: str, district_code: str) -> Coordinates | None:
    found = districts(province_code).get(district_code)
    return found[1] if found else None


def unit_centre(unit) -> Coordinates | None:
    """The centre of the district a unit lies in (the unit itself for a district); None without a map."""
    parts = unit.path.split(".")
    if len(parts) < 2:
        return None
    return district_centre(parts[0], parts[1])


def _site_path(url: str) -> str:
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"Map links must be paths on this site: {url!r}")
    return url


def district_map(
    *,
    element_id: str,
    title: str,
    values: Mapping[str, float | int | None],
    province_code: str = "01",
    value_suffix: str = "",
    links: Mapping[str, str] | None = None,
    points: Iterable[MapPoint] = (),
    categories: Mapping[str, tuple[str, str]] | None = None,
) -> DistrictMap | None:
    """The context for ``org/_district_map.html``, or None when the province has no boundary file.

    ``values`` maps district codes to numbers; a district missing from it or mapped to None is drawn
    grey and labelled "chưa có số liệu" (a hidden small count must be passed as None, never 0).
    ``value_suffix`` follows each number in tooltips (e.g. " %"). ``categories`` maps a point category
    to (legend label, colour).
    """
    known = districts(province_code)
    if not known:
        return None
    links = links or {}
    categories = categories or {}
    regions = [
        {
            "code": code,
            "label": name,
            "value": values.get(code),
            "url": _site_path(links.get(code, "")),
        }
        for code, (name, _centre_) in known.items()
    ]
    config = {
        "map_key": province_code,
        "title": title,
        "suffix": value_suffix,
        "regions": regions,
        "categories": [
            {"key": key, "label": label, "colour": colour} for key, (label, colour) in categories.items()
        ],
        "points": [
            {
                "label": point.label,
                "lng": point.lng,
                "lat": point.lat,
                "category": point.category,
                "url": _site_path(point.url),
            }
            for point in points
        ],
        "text": {"no_data": _("chưa có số liệu"), "unavailable": _("Không tải được bản đồ.")},
    }
    return DistrictMap(
        element_id=element_id,
        title=title,
        geojson_static=f"{STATIC_PREFIX}{province_code}-districts.geojson",
        config=config,
    )
