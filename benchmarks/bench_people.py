"""The registry at size: look-ups, a person page, and an Excel import of 10,000 rows (issue 5, Speed).

Fills the database with the accounts of the demo and ``N`` persons with ``3N`` violations and their
sanction decisions (default N = 100,000; ``--persons 1000000`` or ``BENCH_PERSONS=1000000`` for the
full size), identity encrypted and indexed in Python and inserted in batches. Then times, as the demo
police officer of Hoàn Kiếm (scoped like the pages):

* look-up by ID number and by folded name + birth date through the blind indexes (budget 50 ms);
* a person page with the counting rules, through the Django test client (budget 150 ms);
* an import of 10,000 rows: upload + preview (every row checked), then confirm (budget 60 s in all),
  with the time of each step of the confirm (check again, persons, decisions — each with its history
  rows —, repeat flags,
  outreach tasks for the sellers: one bulk pass in ``support.services.outreach_tasks_for_sanctions``).

Run through ``benchmarks/run.py people`` (a fresh SQLite file), or on PostgreSQL with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_people .venv/bin/python benchmarks/bench_people.py``
(the database is dropped and recreated when its name starts with ``bench``; ``BENCH_KEEP=1`` keeps it
and its persons, so a second run only times). ``BENCH_PERSONS=100000`` is enough to time the import:
its cost hardly depends on the size of the registry.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

from benchlib import Result, median_ms, repetitions

LOOKUP_BUDGET_MS = 50
PAGE_BUDGET_MS = 150
IMPORT_BUDGET_S = 60
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))


def persons_wanted() -> int:
    if "--persons" in sys.argv:
        return int(sys.argv[sys.argv.index("--persons") + 1])
    return int(os.environ.get("BENCH_PERSONS", 100_000))


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def ensure_data(n_persons: int) -> dict:
    """Accounts, and n_persons persons with 3 violations each (once per database)."""
    from django.db import connection

    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role
    from lanhmanh.people.bulk import full_name, id_number, persons_create, random_sanction, violations_create
    from lanhmanh.people.models import LegalAct, Person, Violation

    context = load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - throwaway database
    police = context.accounts[Role.POLICE]
    have = Person.objects.count()
    rng = random.Random(2014 + have)
    communes: dict[str, list[int]] = {}
    for pk, path in AdministrativeUnit.objects.filter(level=3, path__startswith="01.").values_list(
        "pk", "path"
    ):
        communes.setdefault(path[:6], []).append(pk)
    agencies = dict(Agency.objects.filter(kind="police", unit__level=2).values_list("unit__path", "pk"))
    districts = sorted(d for d in communes if d in agencies)
    all_communes = [c for d in districts for c in communes[d]]
    acts = list(LegalAct.objects.filter(code__in=["167-2013-23-1", "167-2013-22-1"]))
    numbers: dict[int, int] = {}
    start = time.perf_counter()
    todo = n_persons - have
    batch = 20_000
    samples = []
    while todo > 0:
        size = min(batch, todo)
        persons = []
        for _ in range(size):
            female = rng.random() < 0.85
            birth = dt.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
            persons.append(
                Person(
                    full_name=full_name(rng, female=female),
                    sex="female" if female else "male",
                    birth_date=birth,
                    birth_year=birth.year,
                    id_number=id_number(rng, female=female, birth_year=birth.year),
                    permanent_unit_id=rng.choice(all_communes),
                    permanent_address=f"Số {rng.randint(1, 200)}",
                    phone=f"09{rng.randint(0, 99_999_999):08d}",
                )
            )
        persons_create(persons, batch_size=5_000)
        rows = []
        for person in persons:
            district = rng.choice(districts)
            authority = agencies[district]
            for k in range(3):
                day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
                act = acts[0] if person.sex == "female" else acts[1]
                numbers[authority] = numbers.get(authority, 0) + 1
                violation = Violation(
                    person_id=person.pk,
                    occurred_at=dt.datetime(day.year, day.month, day.day, 21, 0, tzinfo=dt.UTC),
                    place_unit_id=rng.choice(communes[district]),
                    act=act,
                    role="seller" if person.sex == "female" else "buyer",
                    recording_agency_id=authority,
                    recording_officer_name="Benchmark",
                )
                decision = random_sanction(
                    rng, act, day, authority_id=authority, number=f"B{have}-{numbers[authority]}-{k}"
                )
                rows.append((violation, decision))
        violations_create(rows, batch_size=5_000)
        samples.extend(persons[:: max(1, size // 50)])
        have += size
        todo -= size
        log(f"{have:,} persons inserted ({time.perf_counter() - start:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("people_person", "people_violation", "people_sanctiondecision"):
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    return {"police": police, "agencies": agencies}


def _targets(police, count: int = 40):
    """Persons the Hoàn Kiếm police may see (resident in the district), with their clear identity."""
    from lanhmanh.people.selectors import persons_visible

    return list(persons_visible(police).exclude(id_number_index="").order_by("-pk")[:count])


def import_workbook(rows: int, rng: random.Random) -> bytes:
    """A filled police list of ``rows`` new decisions in Hoàn Kiếm (valid rows)."""
    from openpyxl import load_workbook

    from lanhmanh.org.models import AdministrativeUnit
    from lanhmanh.people.bulk import full_name
    from lanhmanh.people.imports import COLUMNS, template_workbook

    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook["Danh sách"]
    names = list(
        AdministrativeUnit.objects.filter(path__startswith="01.002.", level=3).values_list("path", flat=True)
    )
    stamp = int(time.time())
    for i in range(rows):
        birth = dt.date(rng.randint(1965, 1994), rng.randint(1, 12), rng.randint(1, 28))
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        values = {
            "full_name": full_name(rng, female=True),
            "sex": "Nữ",
            "birth": birth.strftime("%d/%m/%Y"),
            "id_number": f"0{rng.randint(1, 96):02d}1{birth.year % 100:02d}{rng.randint(0, 999_999):06d}",
            "occurred_at": f"{day:%d/%m/%Y} 22:00",
            "place_unit": rng.choice(names).rsplit(".", 1)[1],
            "decree": "167/2013/NĐ-CP",
            "article": "23",
            "clause": "1",
            "number": f"IMP{stamp}-{i}/QĐ-XPHC",
            "decided_on": f"{day + dt.timedelta(days=1):%d/%m/%Y}",
            "kind": "Phạt tiền",
            "amount": "200.000",
        }
        sheet.append([values.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run() -> list[Result]:
    from django.db import connection
    from django.test import Client

    from lanhmanh.people import selectors, services
    from lanhmanh.people.imports import summarise
    from lanhmanh.people.models import Person, Violation

    n_persons = persons_wanted()
    data = ensure_data(n_persons)
    police = data["police"]
    vendor = connection.vendor
    log(f"{Person.objects.count():,} persons, {Violation.objects.count():,} violations on {vendor}")
    runs = repetitions()
    targets = _targets(police)
    if not targets:
        raise RuntimeError("No person visible to the Hoàn Kiếm police")
    cycle = iter(range(10**9))

    def by_id():
        person = targets[next(cycle) % len(targets)]
        found = list(selectors.persons_search(police, id_number=person.id_number))
        assert found, "look-up by ID number found nothing"

    def by_name():
        person = targets[next(cycle) % len(targets)]
        found = list(selectors.persons_search(police, full_name=person.full_name, birth=person.birth_date))
        assert found, "look-up by name and birth date found nothing"

    results = [
        Result(f"people.{vendor}.lookup_id_number", median_ms(by_id, runs=runs), "ms", LOOKUP_BUDGET_MS),
        Result(f"people.{vendor}.lookup_name_birth", median_ms(by_name, runs=runs), "ms", LOOKUP_BUDGET_MS),
    ]

    from django.conf import settings

    settings.REQUIRE_2FA = False
    client = Client()
    client.force_login(police)
    session = client.session
    session["people_purposes"] = {str(p.pk): {"purpose": "sanction", "detail": "benchmark"} for p in targets}
    session.save()

    def page():
        person = targets[next(cycle) % len(targets)]
        response = client.get(f"/nguoi-vi-pham/{person.pk}/")
        assert response.status_code == 200, response.status_code

    results.append(Result(f"people.{vendor}.person_page", median_ms(page, runs=runs), "ms", PAGE_BUDGET_MS))

    # New persons on every run (a database kept with BENCH_KEEP=1 already holds those of earlier runs).
    rng = random.Random(7 + Person.objects.count())
    data_bytes = import_workbook(IMPORT_ROWS, rng)
    start = time.perf_counter()
    batch = services.person_import_prepare(actor=police, file_name="bench.xlsx", data=data_bytes)
    rows = services.person_import_rows(actor=police, batch=batch)
    summary = summarise(rows)
    preview_s = time.perf_counter() - start
    if summary.errors:
        first = next(r for r in rows if r.errors)
        raise RuntimeError(f"{summary.errors} rows with errors, e.g. {first.error_texts()}")
    steps: dict[str, float] = {}
    mark = {"step": "", "at": time.perf_counter()}

    def progress(step: str, done: int, total: int) -> None:
        """The confirm's own progress hook (the background task's bar): time spent in each step."""
        now = time.perf_counter()
        if step != mark["step"]:
            if mark["step"]:
                steps[mark["step"]] = steps.get(mark["step"], 0) + now - mark["at"]
            mark.update(step=step, at=now)

    confirm_start = mark["at"] = time.perf_counter()
    batch = services.person_import_confirm(actor=police, batch=batch, progress=progress)
    confirm_s = time.perf_counter() - confirm_start
    progress("end", 0, 0)
    log(
        f"import of {IMPORT_ROWS:,} rows: upload + preview {preview_s:.1f} s, confirm {confirm_s:.1f} s "
        f"({batch.created_count:,} decisions written); confirm by step: "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items())
    )
    results.append(
        Result(f"people.{vendor}.import_{IMPORT_ROWS}_rows", preview_s + confirm_s, "s", IMPORT_BUDGET_S)
    )
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
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(_standalone())
