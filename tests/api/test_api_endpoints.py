"""API v1 endpoints: units, agencies and ``me``, scoped to the caller's jurisdiction like the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework import serializers

from lanhmanh.api.services import api_token_create
from lanhmanh.org.models import AdministrativeUnit

UNITS = "/api/v1/units/"
AGENCIES = "/api/v1/agencies/"

HOAN_KIEM_WARDS = 18


@pytest.fixture
def api_for(db):
    """A client sending a read token of ``user`` with every request."""

    def build(user, scope: str = "read") -> Client:
        _, raw = api_token_create(user=user, name="Kiểm thử", scope=scope, days=30)
        return Client(headers={"authorization": f"Bearer {raw}"})

    return build


def paths(response) -> list[str]:
    return [row["path"] for row in response.json()["results"]]


# --- Units --------------------------------------------------------------------------------------


def test_the_district_officer_lists_exactly_the_units_of_hoan_kiem(district_officer, api_for):
    response = api_for(district_officer).get(UNITS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 + HOAN_KIEM_WARDS
    listed = paths(response)
    assert listed[0] == "01.002"
    assert all(p == "01.002" or p.startswith("01.002.") for p in listed)
    assert "01.002.00076" in listed
    assert not any(p.startswith("01.017") for p in listed)
    assert "01" not in listed


def test_a_unit_looks_like_this(district_officer, api_for):
    response = api_for(district_officer).get(f"{UNITS}01.002.00076/")

    assert response.status_code == 200
    assert response.json() == {
        "path": "01.002.00076",
        "code": "00076",
        "name": "Hàng Bông",
        "full_name": "Phường Hàng Bông",
        "kind": "phuong",
        "kind_label": "Phường",
        "level": 3,
        "parent": "01.002",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "successors": [],
    }


def test_the_city_level_unit_has_no_parent(coordinator, api_for):
    response = api_for(coordinator).get(f"{UNITS}01/")
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert response.json()["full_name"] == "Thành phố Hà Nội"


def test_units_outside_the_jurisdiction_are_404_in_the_envelope(district_officer, api_for):
    client = api_for(district_officer)

    for outside in ("01.017", "01.017.00478", "01", "99.999"):
        response = client.get(f"{UNITS}{outside}/")
        assert response.status_code == 404, outside
        assert response.json() == {"error": {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}}


def test_the_other_district_sees_dong_anh_and_not_hoan_kiem(other_district_officer, api_for):
    client = api_for(other_district_officer)

    listed = paths(client.get(UNITS, {"limit": 500}))
    assert listed[0] == "01.017"
    assert all(p == "01.017" or p.startswith("01.017.") for p in listed)
    assert client.get(f"{UNITS}01.002/").status_code == 404
    assert client.get(f"{UNITS}01.017/").status_code == 200


def test_a_commune_officer_sees_only_their_ward(commune_officer, api_for):
    client = api_for(commune_officer)
    assert paths(client.get(UNITS)) == ["01.002.00079"]
    assert client.get(f"{UNITS}01.002.00061/").status_code == 404


def test_the_coordinator_sees_the_whole_city(coordinator, api_for):
    response = api_for(coordinator).get(UNITS, {"limit": 1})
    assert response.json()["count"] == AdministrativeUnit.objects.count()


def test_filter_by_level(district_officer, api_for):
    client = api_for(district_officer)
    assert client.get(UNITS, {"level": 2}).json()["count"] == 1
    assert client.get(UNITS, {"level": 3}).json()["count"] == HOAN_KIEM_WARDS
    assert client.get(UNITS, {"level": 1}).json()["count"] == 0


def test_filter_by_parent_gives_the_direct_children(coordinator, api_for):
    client = api_for(coordinator)
    response = client.get(UNITS, {"parent": "01.002"})
    assert response.json()["count"] == HOAN_KIEM_WARDS
    assert all(p.startswith("01.002.") for p in paths(response))
    districts = client.get(UNITS, {"parent": "01", "limit": 500}).json()
    assert districts["count"] == 30
    assert {row["level"] for row in districts["results"]} == {2}


def test_a_parent_outside_the_jurisdiction_gives_nothing(district_officer, api_for):
    assert api_for(district_officer).get(UNITS, {"parent": "01.017"}).json()["count"] == 0


def test_filter_by_name(district_officer, api_for):
    response = api_for(district_officer).get(UNITS, {"q": "Tràng"})
    assert [(r["path"], r["name"]) for r in response.json()["results"]] == [("01.002.00079", "Tràng Tiền")]


def test_filter_by_validity_date(district_officer, api_for):
    client = api_for(district_officer)
    assert client.get(UNITS, {"valid_on": "2014-06-30"}).json()["count"] == 1 + HOAN_KIEM_WARDS
    # The 2014 tree ended with the 2025 reform.
    assert client.get(UNITS, {"valid_on": "2025-07-01"}).json()["count"] == 0
    assert client.get(f"{UNITS}01.002/", {"valid_on": "2025-07-01"}).status_code == 404
    assert client.get(f"{UNITS}01.002/", {"valid_on": "2020-01-01"}).json()["path"] == "01.002"


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        (
            UNITS,
            {"valid_on": "30/06/2014"},
            "valid_on",
            "Ngày không hợp lệ; dạng đúng: YYYY-MM-DD, ví dụ 2014-06-30.",
        ),
        (
            UNITS,
            {"valid_on": "2014-02-30"},
            "valid_on",
            "Ngày không hợp lệ; dạng đúng: YYYY-MM-DD, ví dụ 2014-06-30.",
        ),
        (UNITS, {"level": "4"}, "level", "Cấp đơn vị phải là 1, 2 hoặc 3 (nhận được: “4”)."),
        (
            UNITS,
            {"parent": "Hoàn Kiếm"},
            "parent",
            "Đường dẫn đơn vị không hợp lệ; dạng đúng: 01, 01.002 hoặc 01.002.00076.",
        ),
        (UNITS, {"q": "x" * 101}, "q", "Từ khoá tìm kiếm dài tối đa 100 ký tự."),
        (
            f"{UNITS}01.002/",
            {"valid_on": "hôm qua"},
            "valid_on",
            "Ngày không hợp lệ; dạng đúng: YYYY-MM-DD, ví dụ 2014-06-30.",
        ),
        (AGENCIES, {"kind": "bank"}, "kind", "Loại cơ quan “bank” không tồn tại."),
        (
            AGENCIES,
            {"unit": "1.2"},
            "unit",
            "Đường dẫn đơn vị không hợp lệ; dạng đúng: 01, 01.002 hoặc 01.002.00076.",
        ),
    ],
)
def test_bad_query_parameters_are_400_naming_the_field(
    district_officer, api_for, url, params, field, message
):
    response = api_for(district_officer).get(url, params)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": f"Dữ liệu không hợp lệ: {field}.",
            "fields": {field: [message]},
        }
    }


def test_the_slash_is_optional(district_officer, api_for):
    client = api_for(district_officer)
    assert client.get("/api/v1/units").status_code == 200
    assert client.get("/api/v1/units/01.002").json()["path"] == "01.002"


def test_an_unknown_api_address_is_404_in_the_envelope(district_officer, api_for):
    response = api_for(district_officer).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "Không có địa chỉ API này: /api/v1/nothing-here/",
            "fields": {},
        }
    }


def test_pages_follow_limit_and_offset(district_officer, api_for):
    client = api_for(district_officer)
    everything = paths(client.get(UNITS))
    first = client.get(UNITS, {"limit": 5}).json()
    second = client.get(UNITS, {"limit": 5, "offset": 5}).json()
    assert [r["path"] for r in first["results"] + second["results"]] == everything[:10]
    assert first["count"] == 1 + HOAN_KIEM_WARDS
    assert first["next"].endswith("/api/v1/units/?limit=5&offset=5")
    assert first["previous"] is None


def test_a_session_works_too(district_officer, client_for):
    response = client_for(district_officer).get(f"{UNITS}01.002/")
    assert response.status_code == 200


# --- Query budget -------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 3])
def test_the_unit_list_runs_a_fixed_number_of_queries(
    district_officer, api_for, django_assert_num_queries, limit
):
    client = api_for(district_officer)
    client.get(UNITS)  # records the token's first use (one UPDATE), which later requests skip
    # token + user + agency + unit (one join), count, page, successors
    with django_assert_num_queries(4):
        response = client.get(UNITS, {"limit": limit})
    assert len(response.json()["results"]) == limit


@pytest.mark.parametrize("offset", [0, 5, 10])
def test_every_page_of_units_costs_the_same(district_officer, api_for, django_assert_num_queries, offset):
    client = api_for(district_officer)
    client.get(UNITS)
    with django_assert_num_queries(4):
        client.get(UNITS, {"limit": 5, "offset": offset})


@pytest.mark.parametrize("limit", [1, 3])
def test_the_agency_list_runs_a_fixed_number_of_queries(
    district_officer, api_for, django_assert_num_queries, limit
):
    client = api_for(district_officer)
    client.get(AGENCIES)
    # token + user + agency + unit, count, page (unit and parent joined)
    with django_assert_num_queries(3):
        response = client.get(AGENCIES, {"limit": limit})
    assert len(response.json()["results"]) == limit


# --- Agencies -----------------------------------------------------------------------------------


def test_the_district_officer_lists_the_agencies_of_hoan_kiem(district_officer, api_for):
    response = api_for(district_officer).get(AGENCIES, {"limit": 500})

    body = response.json()
    assert body["count"] == 5 + 5 * HOAN_KIEM_WARDS  # committee, police, social, Women's Union, Team 178
    units = {row["unit"] for row in body["results"]}
    assert all(u == "01.002" or u.startswith("01.002.") for u in units)
    assert "01-017-labour" not in {row["code"] for row in body["results"]}


def test_an_agency_looks_like_this(commune_officer, api_for):
    response = api_for(commune_officer).get(f"{AGENCIES}01-002-00079-social/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "01-002-00079-social",
        "name": commune_officer.agency.name,
        "name_en": commune_officer.agency.name_en,
        "kind": "commune-social",
        "kind_label": "Công chức Lao động – Thương binh và Xã hội cấp xã",
        "unit": "01.002.00079",
        "unit_name": "Phường Tràng Tiền",
        "parent": None,
        "plan_group": commune_officer.agency.plan_group,
        "active": True,
    }


def test_agencies_outside_the_jurisdiction_are_404(district_officer, api_for):
    client = api_for(district_officer)
    assert client.get(f"{AGENCIES}01-017-labour/").status_code == 404
    assert client.get(f"{AGENCIES}no-such-agency/").status_code == 404
    assert client.get(f"{AGENCIES}01-002-labour/").status_code == 200


def test_agency_filters(district_officer, api_for):
    client = api_for(district_officer)
    assert client.get(AGENCIES, {"kind": "police"}).json()["count"] == 1 + HOAN_KIEM_WARDS
    tt = client.get(AGENCIES, {"unit": "01.002.00079"}).json()
    assert sorted(r["code"] for r in tt["results"]) == [
        "01-002-00079-committee",
        "01-002-00079-police",
        "01-002-00079-social",
        "01-002-00079-team-178",
        "01-002-00079-womens-union",
    ]
    assert client.get(AGENCIES, {"unit": "01.017"}).json()["count"] == 0


# --- Me -------------------------------------------------------------------------------------------


def test_me_describes_the_token_user(district_officer, api_for):
    client = api_for(district_officer)
    token = district_officer.api_tokens.get()

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "username": "district_officer",
        "full_name": "District_Officer",
        "agency": {
            "code": district_officer.agency.code,
            "name": district_officer.agency.name,
            "kind": "district-labour",
        },
        "unit": {"path": "01.002", "name": "Quận Hoàn Kiếm", "level": 2},
        "roles": [{"code": "district-labour", "label": "Cán bộ Phòng LĐTBXH cấp huyện"}],
        "data_classes": [
            {"code": "aggregate", "label": "Số liệu tổng hợp"},
            {"code": "establishment", "label": "Cơ sở kinh doanh"},
            {"code": "identity", "label": "Nhân thân"},
            {"code": "enforcement", "label": "Vi phạm, xử lý"},
            {"code": "support", "label": "Hỗ trợ, tư vấn"},
            {"code": "child", "label": "Trẻ em"},
        ],
        "token": {
            "prefix": token.prefix,
            "name": "Kiểm thử",
            "scope": "read",
            "expires_at": serializers.DateTimeField().to_representation(token.expires_at),
        },
    }


def test_me_through_a_session_has_no_token(sysadmin, client_for):
    body = client_for(sysadmin).get("/api/v1/me/").json()
    assert body["token"] is None
    assert body["roles"] == [{"code": "sysadmin", "label": "Quản trị hệ thống"}]
    assert body["data_classes"] == []
