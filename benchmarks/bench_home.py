"""Home page: median server-side render time per demo role through Django's test client.

Loads the demo (Hanoi 2014 units, agencies, one login per role) into the fresh database, then for each
role renders ``/`` BENCH_N times (default 30) after a warm-up. Budget: 100 ms per role; the query
count per page is reported too (budget 15 queries), since it is what grows with data.
"""

from __future__ import annotations

import statistics

from benchlib import Result, median_ms, repetitions
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

BUDGET_MS = 100
BUDGET_QUERIES = 15


def run() -> list[Result]:
    from lanhmanh.demo.loader import load_demo
    from lanhmanh.demo.steps.org import ACCOUNTS

    context = load_demo(password="benchmark-2014")  # noqa: S106 - a throwaway benchmark database
    runs = repetitions()
    results: list[Result] = []
    medians: list[float] = []
    most_queries = 0
    # Time the page, not the second factor: the session counts as verified.
    with override_settings(REQUIRE_2FA=False):
        for account in ACCOUNTS:
            client = Client()
            client.force_login(context.accounts[account.role])

            def get_home(client=client, username=account.username):
                response = client.get("/")
                if response.status_code != 200:
                    raise RuntimeError(f"/ as {username}: HTTP {response.status_code}")
                return response

            median = median_ms(get_home, runs=runs)
            medians.append(median)
            results.append(Result(f"home.{account.username}", median, "ms", BUDGET_MS))
            with CaptureQueriesContext(connection) as queries:
                get_home()
            most_queries = max(most_queries, len(queries))
    results.append(Result("home", statistics.median(medians), "ms", BUDGET_MS))
    results.append(Result("home.queries", most_queries, "queries", BUDGET_QUERIES))
    return results
