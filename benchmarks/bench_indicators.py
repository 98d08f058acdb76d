"""Indicator evaluation on 1,000,000 activity rows: one indicator, the city subtree, a year, by month and district.

Fills the database with the demo (units, agencies, logins, the 2014 plan) and 1,000,000 activities in
2014 spread over every commune of Hanoi (raw multi-row inserts; COPY on PostgreSQL), then rebuilds the
rollup (``indicators_rollup_rebuild``, as after any bulk load). Budget: 50 ms per evaluation, median of
BENCH_N runs (default 30). The direct GROUP BY over the records (no rollup) is printed as a comment.

Run through ``benchmarks/run.py indicators`` (a fresh SQLite file), or on any database with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ind .venv/bin/python benchmarks/bench_indicators.py``
(the database is dropped and recreated when its name starts with ``bench``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

from benchlib import Result, median_ms, repetitions

ROWS = int(os.environ.get("BENCH_ROWS", 1_000_000))
BUDGET_MS = 50
KINDS = ["campaign", "training", "workshop", "study-tour", "club-meeting"]
CODE = "plans.activities_held"
BATCH = 5_000


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def ensure_data() -> dict:
    """The demo and ROWS activities in 2014 (once per database). Returns the coordinator and the plan."""
    from django.core.management import call_command
    from django.db import connection

    from lanhmanh.demo.loader import load_demo
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role
    from lanhmanh.plans.models import Activity, Plan

    context = load_demo(password="benchmark-2014")  # noqa: S106 - a throwaway benchmark database
    coordinator = context.accounts[Role.CITY_COORDINATOR]
    plan = Plan.objects.get(year=2014, parent__isnull=True, scope_unit__path="01")
    have = Activity.objects.count()
    if have >= ROWS:
        return {"coordinator": coordinator, "plan": plan}
    start = time.perf_counter()
    communes = list(
        AdministrativeUnit.objects.communes().valid_on(dt.date(2014, 1, 1)).values_list("pk", "path")
    )
    agencies: dict[str, list[int]] = {}
    for pk, path in Agency.objects.values_list("pk", "unit__path"):
        agencies.setdefault(path, []).append(pk)
    rng = random.Random(2014)
    days = [dt.date(2014, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    now = dt.datetime.now(dt.UTC)
    table = Activity._meta.db_table
    columns = [
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
            organisers = agencies.get(path) or agencies[path[:6]]
            yield (
                rng.choice(KINDS),
                "Hoạt động mẫu",
                rng.choice(days),
                unit_pk,
                path,
                rng.choice(organisers),
                "",
                rng.randint(0, 40),
                rng.randint(0, 40),
                rng.randint(0, 100),
                "",
                now,
                "direct",
            )

    todo = ROWS - have
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows(todo):
                    copy.write_row(row)
    else:
        per_statement = 999 // len(columns)
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * per_statement)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
        with connection.cursor() as cursor:
            batch: list = []
            for row in rows(todo):
                batch.append((row[0], row[1], row[2].isoformat(), *row[3:11], row[11].isoformat(), row[12]))
                if len(batch) == per_statement:
                    cursor.execute(sql, [v for r in batch for v in r])
                    batch = []
            if batch:
                short = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES {short}",  # noqa: S608
                    [v for r in batch for v in r],
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    log(f"{todo:,} activity rows inserted in {time.perf_counter() - start:.1f} s ({connection.vendor})")
    start = time.perf_counter()
    call_command("indicators_rollup_rebuild", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE indicators_rollup")
    log(f"rollup rebuilt in {time.perf_counter() - start:.1f} s")
    return {"coordinator": coordinator, "plan": plan}


def run() -> list[Result]:
    from django.db import connection

    from lanhmanh.indicators.evaluation import evaluate
    from lanhmanh.indicators.models import Rollup
    from lanhmanh.org.models import AdministrativeUnit, Agency
    from lanhmanh.plans.models import Activity
    from lanhmanh.plans.services import activity_create

    data = ensure_data()
    user = data["coordinator"]
    runs = repetitions()
    vendor = connection.vendor
    log(f"{Activity.objects.count():,} activities, {Rollup.objects.count():,} rollup rows on {vendor}")
    results = []
    cases = {
        "by_district_month": ("district", "month"),
        "by_district": "district",
        "by_month": "month",
    }
    for name, by in cases.items():
        median = median_ms(lambda by=by: evaluate(CODE, "01", "2014", by=by, user=user), runs=runs)
        results.append(Result(f"indicators.{vendor}.{name}", median, "ms", BUDGET_MS))
    median = median_ms(
        lambda: evaluate("plans.participants", "01", "2014", by="district", user=user), runs=runs
    )
    results.append(Result(f"indicators.{vendor}.participants_formula_by_district", median, "ms", BUDGET_MS))
    check = evaluate(CODE, "01", "2014", by=("district", "month"), user=user)
    direct_start = time.perf_counter()
    direct = evaluate(CODE, "01", "2014", by=("district", "month"), user=user, use_rollup=False)
    direct_ms = (time.perf_counter() - direct_start) * 1000
    same = check.total == direct.total and check.rows == direct.rows
    log(f"direct GROUP BY over the records (no rollup): {direct_ms:.0f} ms; rollup result identical: {same}")
    if not same:
        raise RuntimeError("Rollup and direct evaluation disagree")
    place = AdministrativeUnit.objects.get(path="01.002.00079", valid_from__isnull=True)
    organiser = Agency.objects.filter(unit=place).first()
    write = median_ms(
        lambda: activity_create(
            actor=user,
            kind="training",
            title="Tập huấn (đo tốc độ ghi)",
            held_on=dt.date(2014, 6, 1),
            unit=place,
            organiser=organiser,
            participants_female=3,
        ),
        runs=min(runs, 20),
        warmup=1,
    )
    log(f"activity_create through the service, rollup maintained in the same transaction: {write:.1f} ms")
    return results


def _standalone() -> int:
    """Run on DATABASE_URL (default: the fresh SQLite file of run.py)."""
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        import run as runner

        runner.setup_django()
    else:
        os.environ.setdefault("LANHMANH_ENV", "test")
        os.environ.setdefault("LANHMANH_VAR_DIR", "/tmp/lanhmanh-bench")  # noqa: S108
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")
        sys.path.insert(0, str(here.parent))
        sys.path.insert(0, str(here.parent / "src"))
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if name.startswith("bench") and os.environ.get("BENCH_KEEP") != "1":
            import psycopg

            admin = url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
    modules = [sys.modules[__name__]]
    if "--with-dashboard" in sys.argv:
        import bench_dashboard

        modules.append(bench_dashboard)
    over = 0
    for module in modules:
        for result in module.run():
            print(result.line(), flush=True)
            over += not result.within_budget
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(_standalone())
