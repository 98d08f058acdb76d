"""Likely matches at entry (issue 6, item 5): ``linkage.services.likely_matches`` at 1,000,000 persons.

Fills the database with the demo accounts and ``N`` persons of a synthetic registry (default
1,000,000; ``--persons 100000`` or ``BENCH_PERSONS``) drawn by ``linkage.synthetic`` (real name
frequencies, Hanoi communes, the usual spelling and date errors, 20 % of people recorded more than
once), inserted in batches with their blind indexes and blocking keys. A few hundred records of
people who are already in the database are held back and "typed" one by one as the city coordinator
(who sees the whole city: the largest candidate sets). Prints the median and p95 time of
``likely_matches`` (budget 200 ms) and how often the person already recorded is among the
suggestions.

``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_link .venv/bin/python benchmarks/bench_linkage_entry.py``
(the database is dropped and recreated when its name starts with ``bench``; ``BENCH_KEEP=1`` keeps
it), or without DATABASE_URL on a fresh SQLite file (``benchmarks/run.py``'s set-up).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from benchlib import Result

BUDGET_MS = 200
QUERIES = int(os.environ.get("BENCH_QUERIES", 300))


def persons_wanted() -> int:
    if "--persons" in sys.argv:
        return int(sys.argv[sys.argv.index("--persons") + 1])
    return int(os.environ.get("BENCH_PERSONS", 1_000_000))


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def _typed(data: dict, i: int, units: dict[str, int]) -> dict:
    from lanhmanh.linkage import engine

    born, year, _ = engine.parse_birth(data["birth_date"][i])
    number, _ = engine.parse_id_number(data["id_number"][i])
    return {
        "full_name": data["full_name"][i],
        "birth_date": born,
        "birth_year": year,
        "id_number": number or "",
        "sex": data["sex"][i] or "unknown",
        "permanent_unit_id": units.get(data["residence_unit"][i]),
        "hometown_unit_id": units.get(data["hometown_unit"][i]),
    }


def ensure_data(n_persons: int) -> tuple[object, list[tuple[dict, str]], dict[str, str]]:
    """The coordinator, the held-back typed records with their true person, and pk → true person."""
    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.linkage import synthetic
    from lanhmanh.org.models import AdministrativeUnit, Role
    from lanhmanh.people.bulk import persons_create
    from lanhmanh.people.models import Person

    context = load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - throwaway database
    coordinator = context.accounts[Role.CITY_COORDINATOR]
    units = dict(AdministrativeUnit.objects.filter(path__startswith="01.").values_list("path", "pk"))
    data = synthetic.generate(n_persons + QUERIES * 4, seed=2014)
    truth = data.pop("person")
    seen: dict[str, int] = {}
    held: list[int] = []
    keep: list[int] = []
    for i, who in enumerate(truth):
        usable = data["full_name"][i].strip() and _typed(data, i, {})["birth_year"]
        if who in seen and usable and len(held) < QUERIES:
            held.append(i)  # a later record of someone already in the database: typed at entry
        elif len(keep) < n_persons:
            keep.append(i)
        seen[who] = seen.get(who, 0) + 1
    have = Person.objects.count()
    person_of: dict[str, str] = {}
    if have < len(keep):
        start = time.perf_counter()
        batch: list[Person] = []
        fresh = [i for i in keep if _typed(data, i, {})["birth_year"] and data["full_name"][i].strip()]
        for n, i in enumerate(fresh[have:], start=have):
            batch.append(Person(**_typed(data, i, units)))
            if len(batch) == 10_000 or n == len(fresh) - 1:
                persons_create(batch, batch_size=5_000)
                batch = []
                log(f"{n + 1:,} persons inserted ({time.perf_counter() - start:.0f} s)")
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE people_person")
    fresh = [i for i in keep if _typed(data, i, {})["birth_year"] and data["full_name"][i].strip()]
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True)[: len(fresh)])
    person_of = {str(pk): truth[i] for pk, i in zip(pks, fresh, strict=False)}
    queries = [(_typed(data, i, units), truth[i]) for i in held]
    return coordinator, queries, person_of


def run() -> list[Result]:
    from django.db import connection

    from lanhmanh.linkage.services import likely_matches
    from lanhmanh.org.models import AdministrativeUnit
    from lanhmanh.people.models import Person

    coordinator, queries, person_of = ensure_data(persons_wanted())
    vendor = connection.vendor
    log(f"{Person.objects.count():,} persons on {vendor}; {len(queries)} records typed")
    unit_of = {pk: unit for unit in AdministrativeUnit.objects.filter(level=3) for pk in [unit.pk]}
    for typed, _ in queries[:5]:  # warm-up: model, connection, caches
        likely_matches(coordinator, typed)
    timings, found, candidates = [], 0, []
    for typed, who in queries:
        record = dict(typed)
        record["permanent_unit"] = unit_of.get(record.pop("permanent_unit_id"))
        record["hometown_unit"] = unit_of.get(record.pop("hometown_unit_id"))
        start = time.perf_counter()
        matches = likely_matches(coordinator, record)
        timings.append((time.perf_counter() - start) * 1000)
        found += any(person_of.get(str(m.person.pk)) == who for m in matches)
        candidates.append(len(matches))
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    log(
        f"the person already recorded is among the suggestions for {found} of {len(queries)} typed records "
        f"({found / len(queries):.1%}); {statistics.mean(candidates):.1f} suggestions on average"
    )
    size = Person.objects.count()
    label = f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"
    return [
        Result(f"linkage_entry.{vendor}.{label}.median", statistics.median(timings), "ms", BUDGET_MS),
        Result(f"linkage_entry.{vendor}.{label}.p95", p95, "ms", BUDGET_MS),
        Result(f"linkage_entry.{vendor}.{label}.found", 100 * found / len(queries), "%", 100),
    ]


def _standalone_setup() -> None:
    """Django on DATABASE_URL (a PostgreSQL database named bench… is recreated) or a fresh SQLite file."""
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
        if name.startswith("bench"):  # recreated, or with BENCH_KEEP=1 kept (created if missing)
            import psycopg

            admin = url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                if os.environ.get("BENCH_KEEP") != "1":
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{name}"')
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)


def _standalone() -> int:
    _standalone_setup()
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(_standalone())
