"""The API docs page in a real browser: Swagger UI loads from our static files under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_csp_without_violations(page, live_url, login_as):
    login_as(page, "quantri")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "request",
        lambda r: problems.append(f"off-site {r.url}") if not r.url.startswith(live_url("")) else None,
    )

    page.locator('[data-nav-group="system"]').click()  # the "Hệ thống" menu holds the API docs
    page.locator('[data-nav="api-docs"]').click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lành Mạnh — tài liệu API")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    listed = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    # the foundation's endpoints (other modules add theirs to the same page)
    assert {text.replace("\u200b", "") for text in listed} >= {
        "/api/v1/agencies/",
        "/api/v1/agencies/{code}/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/units/{path}/",
    }
    assert problems == []


def test_try_it_out_calls_the_api_with_the_session(page, live_url, login_as):
    login_as(page, "quantri")
    page.goto(live_url("/api/docs/"))

    me = page.locator("#operations-v1-v1_me_retrieve")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()

    live = me.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description pre").first).to_contain_text('"username": "quantri"')
