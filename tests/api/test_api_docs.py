"""The OpenAPI schema and the offline docs page (Swagger UI from the sidecar, no inline script or style)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

from lanhmanh.api.services import api_token_create
from lanhmanh.core.navigation import items_for

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


class PageParts(HTMLParser):
    """Collects scripts, styles, style attributes, inline handlers and headings of a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.stylesheets: list[str] = []
        self.style_elements = 0
        self.style_attributes = 0
        self.handlers = 0
        self.h1 = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.style_attributes += "style" in attributes
        self.handlers += any(name.startswith("on") for name in attributes)
        if tag == "script":
            self.scripts.append({"src": attributes.get("src"), "body": ""})
            self._in_script = True
        elif tag == "style":
            self.style_elements += 1
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"])
        elif tag == "h1":
            self.h1 += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["body"] += data


def parse(html: str) -> PageParts:
    parts = PageParts()
    parts.feed(html)
    return parts


def static_file_exists(url: str) -> bool:
    assert url.startswith("/static/"), url
    return finders.find(url.removeprefix("/static/").split("?")[0]) is not None


# --- Schema -------------------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_with_our_paths(district_officer):
    _, raw = api_token_create(user=district_officer, name="Kiểm thử", scope="read", days=1)

    response = Client().get(SCHEMA, {"format": "json"}, headers={"authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Lành Mạnh API"
    assert sorted(schema["paths"]) == [
        "/api/v1/agencies/",
        "/api/v1/agencies/{code}/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/stages/",
        "/api/v1/communes/assessments/",
        "/api/v1/communes/assessments/{id}/",
        "/api/v1/communes/assessments/{id}/review/",
        "/api/v1/communes/assessments/{id}/self/",
        "/api/v1/establishments/",
        "/api/v1/establishments/{id}/",
        "/api/v1/hotspots/",
        "/api/v1/hotspots/{id}/",
        "/api/v1/indicators/",
        "/api/v1/indicators/{code}/values/",
        "/api/v1/inspections/",
        "/api/v1/licence-eligibility/",
        "/api/v1/me/",
        "/api/v1/patrols/",
        "/api/v1/people/",
        "/api/v1/people/violations/",
        "/api/v1/people/{id}/violations/",
        "/api/v1/plans/",
        "/api/v1/plans/{id}/progress/",
        "/api/v1/police-checks/",
        "/api/v1/reports/expected/",
        "/api/v1/reports/forms/",
        "/api/v1/reports/submissions/",
        "/api/v1/reports/submissions/{id}/",
        "/api/v1/tips/",
        "/api/v1/tips/{id}/",
        "/api/v1/units/",
        "/api/v1/units/{path}/",
    ]
    assert schema["components"]["securitySchemes"]["agencyToken"]["scheme"] == "bearer"
    unit_list = schema["paths"]["/api/v1/units/"]["get"]
    assert {p["name"] for p in unit_list["parameters"]} == {
        "level",
        "parent",
        "q",
        "valid_on",
        "limit",
        "offset",
    }
    # Only reads, except (write tokens only) recording a violation in the registry, a patrol of a hotspot,
    # submitting a report, opening a criminal case and recording its stages, the steps of a commune's
    # assessment, adding establishments, inspections and police checks; and the licence look-up (POST: no
    # identities in URLs).
    assert {(p, m) for p, methods in schema["paths"].items() for m in methods if m != "get"} == {
        ("/api/v1/cases/", "post"),
        ("/api/v1/cases/{id}/stages/", "post"),
        ("/api/v1/communes/assessments/", "post"),
        ("/api/v1/communes/assessments/{id}/review/", "post"),
        ("/api/v1/communes/assessments/{id}/self/", "post"),
        ("/api/v1/patrols/", "post"),
        ("/api/v1/people/violations/", "post"),
        ("/api/v1/establishments/", "post"),
        ("/api/v1/inspections/", "post"),
        ("/api/v1/police-checks/", "post"),
        ("/api/v1/licence-eligibility/", "post"),
        ("/api/v1/reports/submissions/", "post"),
    }


def test_the_schema_needs_authentication(db):
    response = Client().get(SCHEMA, {"format": "json"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_is_served_to_a_signed_in_session(sysadmin, client_for):
    response = client_for(sysadmin).get(SCHEMA)
    assert response.status_code == 200
    assert b"/api/v1/units/" in response.content


# --- Docs page ----------------------------------------------------------------------------------


def test_the_docs_page_renders_without_inline_script_or_style(sysadmin, client_for):
    response = client_for(sysadmin).get(DOCS)

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = parse(response.content.decode())
    assert page.scripts, "Swagger UI needs its scripts"
    assert all(script["src"] and not script["body"].strip() for script in page.scripts)
    assert page.style_elements == 0
    assert page.style_attributes == 0
    assert page.handlers == 0
    assert page.h1 == 1
    assert "Lành Mạnh — tài liệu API" in response.content.decode()


def test_the_docs_page_works_offline_from_our_static_files(sysadmin, client_for):
    page = parse(client_for(sysadmin).get(DOCS).content.decode())

    sources = [script["src"] for script in page.scripts]
    assert sources[0].startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert sources[1].startswith(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js"
    )
    assert all(static_file_exists(src) for src in sources[:2])
    assert all(static_file_exists(href) for href in page.stylesheets)
    assert "/static/api/swagger-page.css" in page.stylesheets


def test_the_start_up_script_is_a_separate_file_pointing_at_our_schema(sysadmin, client_for):
    client = client_for(sysadmin)
    page = parse(client.get(DOCS).content.decode())
    script_url = page.scripts[-1]["src"]
    assert script_url.startswith(DOCS)
    assert "script=" in script_url

    response = client.get(script_url)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "SwaggerUIBundle(" in body
    assert 'url: "/api/schema/"' in body


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    response = Client().get(DOCS)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dang-nhap/?next=/api/docs/"


def test_a_session_waiting_for_the_second_factor_is_sent_to_it(commune_officer, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    client.force_login(commune_officer)

    response = client.get(DOCS)

    assert response.status_code == 302
    assert response.headers["Location"] == "/xac-thuc-hai-buoc/?next=%2Fapi%2Fdocs%2F"


@pytest.mark.parametrize("persona", ["district_officer", "commune_officer", "police"])
def test_any_signed_in_user_may_read_the_docs(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(DOCS).status_code == 200


# --- Navigation ---------------------------------------------------------------------------------


def test_system_administrators_see_the_docs_in_the_menu(sysadmin, client_for):
    assert "api-docs" in {item.key for item in items_for(sysadmin)}
    assert [item.url() for item in items_for(sysadmin) if item.key == "api-docs"] == [DOCS]
    home = client_for(sysadmin).get("/")
    assert b'data-nav="api-docs"' in home.content


@pytest.mark.parametrize("persona", ["district_officer", "commune_officer", "coordinator", "dpo", "police"])
def test_other_roles_do_not_see_the_docs_in_the_menu(persona, request):
    assert "api-docs" not in {item.key for item in items_for(request.getfixturevalue(persona))}


def test_every_operation_documents_the_error_envelope_and_lists_are_arrays(db):
    """Issue #21 item 15: the schema matches the API — 400/404 documented with the envelope on every operation,
    the bare lists as arrays, an empty ?unit= documented (the user's own area)."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema, (method, path, status)
    for path in ("/api/v1/plans/", "/api/v1/reports/forms/", "/api/v1/communes/assessments/"):
        assert (
            document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
                "type"
            ]
            == "array"
        )
    unit = next(
        p
        for p in document["paths"]["/api/v1/communes/assessments/"]["get"]["parameters"]
        if p["name"] == "unit"
    )
    assert "?unit= rỗng" in unit["description"]


def test_an_api_address_with_a_newline_answers_in_the_envelope(db):
    """Schemathesis found /api/v1/units/<path>/ with a newline in <path> answered Django's HTML 404."""
    from django.test import Client

    response = Client().get("/api/v1/units/a%0Ab/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
