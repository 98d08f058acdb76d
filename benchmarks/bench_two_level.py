"""The national two-level tree (issue 16): load the 34 provinces and ~3,321 communes of 1/7/2025 with the
successor links of Hanoi's pre-reform communes, then the 2026 plan's dashboard on a year of records.

1. ``two_level.<db>.load``: ``units_import_2025()`` for the whole country, the successor links
   (``link_unit_successors``) and the bodies of Hanoi's 126 communes, timed together. Budget: 60 s.
2. ``two_level.<db>.dashboard``: the 2026 plan (``load_plan_2026``) with ``BENCH_ROWS`` activities
   (default 1,000,000, the scale of ``bench_indicators``) spread over the communes of the whole
   country in 2026, the rollup rebuilt; median server time of ``/ke-hoach/<plan>/`` for the city
   coordinator (communes directly under the city). Budget: 300 ms.
On PostgreSQL: ``BENCH_DATABASE_URL=postgres://…/bench_two make bench BENCH=two_level``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

from benchlib import Result, backend_cpu_seconds, cpu_ms, median_ms, repetitions

ROWS = int(os.environ.get("BENCH_ROWS", 1_000_000))
LOAD_BUDGET_S = 60
PAGE_BUDGET_MS = 300
KINDS = ("campaign", "training", "workshop", "club", "study-tour")


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _load() -> tuple[float, float]:
    from lanhmanh.demo.loader import load_demo
    from lanhmanh.org.models import AdministrativeUnit
    from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025
    from lanhmanh.org.successions import package_source, succession_rows, unit_successions_link

    load_demo(password="benchmark-2026", only=["org.roles", "org.units_and_agencies", "org.accounts"])  # noqa: S106
    start, cpu = time.perf_counter(), time.process_time() + backend_cpu_seconds()
    result = units_import_2025()
    links = unit_successions_link(rows=succession_rows(), source=package_source())
    province = AdministrativeUnit.objects.get(path="01", valid_to__isnull=True)
    bodies = agencies_seed_communes(province=province, day=REFORM_2025)
    seconds = time.perf_counter() - start
    cpu = time.process_time() + backend_cpu_seconds() - cpu
    log(
        f"{result.provinces} provinces, {result.communes} communes, {links.created} successor links, "
        f"{bodies} commune bodies in {seconds:.1f} s ({cpu:.1f} s of CPU)"
    )
    return seconds, cpu


def _records(plan) -> None:
    from django.core.management import call_command
    from django.db import connection

    from lanhmanh.org.models import AdministrativeUnit, Agency
    from lanhmanh.plans.models import Activity

    have = Activity.objects.filter(held_on__year=2026).count()
    todo = ROWS - have
    if todo <= 0:
        return
    start = time.perf_counter()
    day = dt.date(2026, 7, 1)
    communes = list(
        AdministrativeUnit.objects.filter(level=3, valid_from=dt.date(2025, 7, 1)).values_list("pk", "path")
    )
    organisers = dict(Agency.objects.filter(unit__path="01").values_list("unit__path", "pk")[:1])
    organiser = next(iter(organisers.values()))
    rng = random.Random(2026)
    days = [
        dt.date(2026, 1, 1) + dt.timedelta(days=i)
        for i in range(min(365, (day - dt.date(2026, 1, 1)).days + 150))
    ]
    now = dt.datetime.now(dt.UTC)
    table = Activity._meta.db_table
    columns = [
        "plan_id",
        "kind",
        "title",
        "held_on",
        "unit_id",
        "unit_path",
        "organiser_id",
        "audience",
        "participants_male",
        "participants_female",
        "materials",
        "materials_note",
        "created_at",
        "channel",
    ]

    def rows(count):
        for _ in range(count):
            unit_pk, path = rng.choice(communes)
            yield (
                plan.pk,
                rng.choice(KINDS),
                "Hoạt động mẫu",
                rng.choice(days),
                unit_pk,
                path,
                organiser,
                "",
                rng.randint(0, 40),
                rng.randint(0, 40),
                rng.randint(0, 100),
                "",
                now,
                "direct",
            )

    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows(todo):
                copy.write_row(row)
    else:
        per = 999 // len(columns)
        with connection.cursor() as cursor:
            batch: list = []
            for row in rows(todo):
                batch.append((*row[:3], row[3].isoformat(), *row[4:12], row[12].isoformat(), row[13]))
                if len(batch) == per or len(batch) == todo:
                    marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
                    cursor.execute(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}",  # noqa: S608
                        [v for r in batch for v in r],
                    )
                    todo -= len(batch)
                    batch = []
    log(f"{ROWS - have:,} activities of 2026 in {time.perf_counter() - start:.1f} s")
    call_command("indicators_rollup_rebuild", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run() -> list[Result]:
    from django.db import connection
    from django.test import Client, override_settings

    from lanhmanh.org.models import AdministrativeUnit, Role, User
    from lanhmanh.plans.plan_2026 import load_plan_2026

    vendor = connection.vendor
    results = []
    if not AdministrativeUnit.objects.filter(path="01.00070").exists():
        seconds, cpu = _load()
        results.append(Result(f"two_level.{vendor}.load", seconds, "s", LOAD_BUDGET_S))
        results.append(Result(f"two_level.{vendor}.load.cpu", round(cpu, 1), "s", None))
    plan = load_plan_2026()
    _records(plan)
    coordinator = User.objects.filter(roles__code=Role.CITY_COORDINATOR, agency__unit__path="01").first()
    client = Client()
    client.force_login(coordinator)
    url = f"/ke-hoach/{plan.pk}/"

    def get_page():
        response = client.get(url)
        if response.status_code != 200 or b'data-unit="01.00070"' not in response.content:
            raise RuntimeError(f"{url}: HTTP {response.status_code} or no commune row")
        return response

    with override_settings(REQUIRE_2FA=False):
        median = median_ms(get_page, runs=repetitions())
        cpu = cpu_ms(get_page, runs=min(repetitions(), 10))
    results.append(Result(f"two_level.{vendor}.dashboard", median, "ms", PAGE_BUDGET_MS))
    # CPU time (this process and its database backend): what the page costs whatever the machine's load.
    results.append(Result(f"two_level.{vendor}.dashboard.cpu", round(cpu, 1), "ms", None))
    return results
