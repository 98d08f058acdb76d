"""The city's plan dashboard on 1,000,000 activity rows: median server time of the page for the
coordinator, and for a court clerk (for whom small counts of the sections are hidden).

Uses the data of ``bench_indicators`` (the demo, the 2014 plan and 1,000,000 activities, rollup
rebuilt). Renders ``/ke-hoach/<plan>/`` (targets, table by district, monthly trend) through Django's
test client BENCH_N times (default 30) after a warm-up. Budget: 300 ms; queries per page reported
too (budget 40). On PostgreSQL: ``DATABASE_URL=postgres://…/bench_ind .venv/bin/python
benchmarks/bench_indicators.py --with-dashboard``.
"""

from __future__ import annotations

from bench_indicators import ensure_data
from benchlib import Result, median_ms, repetitions
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

BUDGET_MS = 300
# Fixed by the registrations, not the data: 2 queries per target and per dashboard-section indicator
# (total + grouped), 2 per breakdown. The issue budgets time (300 ms), not queries; this guards growth.
BUDGET_QUERIES = 60


def run() -> list[Result]:
    from lanhmanh.org.models import Role, User

    data = ensure_data()
    vendor = connection.vendor
    results = _page(data["coordinator"], data["plan"], f"dashboard.{vendor}.city")
    # A user from outside the agencies that own the people and support counts: every small count of
    # the sections is hidden for them, with one protection over the whole unit tree.
    clerk = User.objects.filter(roles__code=Role.COURT_CLERK, is_active=True).first()
    if clerk is not None:
        results += _page(clerk, data["plan"], f"dashboard.{vendor}.city.court_clerk")
    return results


def _page(user, plan, name: str) -> list[Result]:
    client = Client()
    client.force_login(user)
    url = f"/ke-hoach/{plan.pk}/"

    def get_page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        if response.content.count(b"<tr data-target=") != 10:
            raise RuntimeError(f"{url}: not every target is on the page")
        return response

    with override_settings(REQUIRE_2FA=False):
        median = median_ms(get_page, runs=repetitions())
        with CaptureQueriesContext(connection) as queries:
            get_page()
    return [
        Result(name, median, "ms", BUDGET_MS),
        Result(f"{name}.queries", len(queries), "queries", BUDGET_QUERIES),
    ]
