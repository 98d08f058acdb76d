"""The hotspot map with 5,000 hotspots: median server time of ``/tu-diem/ban-do/`` for the city coordinator.

Loads the demo's units and agencies, bulk-creates ``BENCH_HOTSPOTS`` (default 5,000) hotspots across
Hanoi's communes (two thirds with coordinates, the rest placed at their district's centre; statuses
in the proportions of the register), then renders the page BENCH_N times (default 30). Budget 300 ms.
Also printed: the median CPU time of the process per page (what a loaded machine does not inflate).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from decimal import Decimal

from benchlib import Result, median_ms, repetitions
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

BUDGET_MS = 300


def run() -> list[Result]:
    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.enforcement.models import Hotspot, HotspotKind
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role

    context = load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - a throwaway benchmark database
    count = int(os.environ.get("BENCH_HOTSPOTS", 5000))
    Hotspot.objects.filter(name__startswith="Tụ điểm đo tải").delete()  # a database kept between runs
    rnd = random.Random(2014)
    communes = list(
        AdministrativeUnit.objects.filter(path__startswith="01.", level=3).valid_on(dt.date(2014, 1, 1))
    )
    police = {
        a.unit.path: a for a in Agency.objects.filter(kind="police", unit__level=2).select_related("unit")
    }
    kinds = list(HotspotKind.objects.all())
    statuses = ["active"] * 2 + ["planned"] + ["eliminated"] * 2 + ["kept-clean"] * 4 + ["reemerged"]
    rows = []
    for number in range(count):
        unit = rnd.choice(communes)
        coords = rnd.random() < 2 / 3
        rows.append(
            Hotspot(
                name=f"Tụ điểm đo tải {number}",
                kind=rnd.choice(kinds),
                unit=unit,
                address="Địa chỉ đo tải",
                latitude=Decimal(f"{20.95 + rnd.random() * 0.2:.6f}") if coords else None,
                longitude=Decimal(f"{105.70 + rnd.random() * 0.25:.6f}") if coords else None,
                first_found_on=dt.date(2012, 1, 1),
                police_agency=police[unit.path[:6]],
                status=rnd.choice(statuses),
                status_on=dt.date(2013, 1, 1),
            )
        )
    Hotspot.objects.bulk_create(rows, batch_size=1000)
    client = Client()
    client.force_login(context.accounts[Role.CITY_COORDINATOR])

    def get_map():
        response = client.get("/tu-diem/ban-do/")
        if response.status_code != 200 or response.content.count(b'"url": "/tu-diem/') < count:
            raise RuntimeError(f"/tu-diem/ban-do/: HTTP {response.status_code}")
        return response

    def cpu_ms() -> float:
        """Median CPU time of this process per page: what the page costs the server, which waiting for
        a core on a loaded machine does not inflate (the database's own time is not in it)."""
        timings = []
        for _ in range(repetitions()):
            start = time.process_time()
            get_map()
            timings.append((time.process_time() - start) * 1000)
        return statistics.median(timings)

    with override_settings(REQUIRE_2FA=False):
        median = median_ms(get_map, runs=repetitions())
        cpu = cpu_ms()
        with CaptureQueriesContext(connection) as queries:
            get_map()
        size = len(get_map().content)
    return [
        Result("hotspot_map.5000", median, "ms", BUDGET_MS),
        Result("hotspot_map.cpu", cpu, "ms", None),
        Result("hotspot_map.queries", len(queries), "queries", None),
        Result("hotspot_map.page_kb", size / 1024, "KiB", None),
    ]
