"""Criminal cases at scale: 50,000 cases with 100,000 defendants (issue 13).

Prints the median time of T01 (cases busted) and T05 (cases tried, defendants tried) for the whole city
by district and by month of 2014, evaluated for the city coordinator (small counts hidden), budget
200 ms each; and of a case's page (defendants and victims shown, each identity read logged) for the
police of the case's district, budget 150 ms. The data is made once per database in bulk (persons
encrypted and indexed as the registry does). On PostgreSQL:
``BENCH_DATABASE_URL=postgres://…/name .venv/bin/python benchmarks/run.py cases``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from benchlib import Result, median_ms, repetitions
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

CASES = int(os.environ.get("BENCH_CASES", 50_000))
DEFENDANTS = 2 * CASES
BUDGET_INDICATOR_MS = 200
BUDGET_PAGE_MS = 150
MARK = "HS-BENCH-"


def ensure_data() -> dict:
    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.enforcement.cases.models import CriminalCase, Defendant, Offence
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role
    from lanhmanh.people.bulk import full_name, persons_create
    from lanhmanh.people.models import Person

    context = load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - throwaway database
    accounts = {
        "coordinator": context.accounts[Role.CITY_COORDINATOR],
        "court_clerk": context.accounts[Role.COURT_CLERK],
        "police": context.accounts[Role.POLICE],
    }
    have = CriminalCase.objects.filter(number__startswith=MARK).count()
    if have >= CASES and CriminalCase.objects.filter(number__startswith=MARK, defendant_count=2).exists():
        return accounts
    if have >= CASES:  # made before the rollup: count the defendants on the cases, rebuild the rollup
        from lanhmanh.enforcement.cases.indicators import ROLLUP_CODES
        from lanhmanh.indicators.rollup import rollup_rebuild

        CriminalCase.objects.filter(number__startswith=MARK).update(defendant_count=2)
        rollup_rebuild(codes=ROLLUP_CODES)
        return accounts
    start = time.perf_counter()
    rng = random.Random(2014)  # noqa: S311 - synthetic data
    offences = list(Offence.objects.filter(penal_code="1999"))
    communes = list(
        AdministrativeUnit.objects.communes().valid_on(dt.date(2014, 1, 1)).filter(path__startswith="01.")
    )
    police = {
        a.unit.path: a for a in Agency.objects.filter(kind="police", unit__level=2).select_related("unit")
    }
    procuracy = Agency.objects.get(code="01-procuracy")
    court = Agency.objects.get(code="01-court")
    batch = 5_000
    for first in range(have, CASES, batch):
        count = min(batch, CASES - first)
        cases = []
        for index in range(first, first + count):
            unit = rng.choice(communes)
            busted = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            case = CriminalCase(
                number=f"{MARK}{index:06d}",
                offence=rng.choice(offences),
                act_on=busted - dt.timedelta(days=3),
                unit=unit,
                investigating_body="district-police",
                investigating_agency=police.get(unit.path[:6]) or procuracy,
                detected_on=busted - dt.timedelta(days=1),
                busted_on=busted,
                prosecuted_on=busted + dt.timedelta(days=2),
            )
            if rng.random() < 0.8:
                case.procuracy, case.court = procuracy, court
                case.indicted_on = busted + dt.timedelta(days=60)
                case.tried_on = busted + dt.timedelta(days=rng.randint(70, 200))
                case.mobile_trial = rng.random() < 0.03
            case.stage = case.current_stage()
            case.defendant_count = 2
            cases.append(case)
        CriminalCase.objects.bulk_create(cases, batch_size=1_000)
        persons = [
            Person(
                full_name=full_name(rng, female=rng.random() < 0.4),
                sex="unknown",
                birth_date=dt.date(rng.randint(1960, 1994), rng.randint(1, 12), rng.randint(1, 28)),
                birth_year=1980,
                permanent_unit=rng.choice(communes),
            )
            for _ in range(2 * count)
        ]
        persons_create(persons)
        Defendant.objects.bulk_create(
            [
                Defendant(case=case, person=persons[2 * i + j], ring_role="broker", offence=case.offence)
                for i, case in enumerate(cases)
                for j in range(2)
            ],
            batch_size=2_000,
        )
    from lanhmanh.enforcement.cases.indicators import ROLLUP_CODES
    from lanhmanh.indicators.rollup import rollup_rebuild

    if have:  # made before the cases counted their defendants
        CriminalCase.objects.filter(number__startswith=MARK).update(defendant_count=2)
    rollup_rebuild(codes=ROLLUP_CODES)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"# made {CASES - have} cases and {DEFENDANTS - 2 * have} defendants in {time.perf_counter() - start:.0f} s"
    )
    return accounts


def run() -> list[Result]:
    from lanhmanh.enforcement.cases.models import CriminalCase
    from lanhmanh.indicators.evaluation import evaluate

    accounts = ensure_data()
    vendor = connection.vendor
    runs = repetitions()
    results = []
    # The court owns these records (every count shown); the coordinator gets small counts protected.
    for who in ("court_clerk", "coordinator"):
        user = accounts[who]
        for code in (
            "enforcement.criminal_cases_busted",
            "enforcement.trial_cases",
            "enforcement.trial_defendants",
        ):
            short = code.split(".")[1]
            for by in ("district", "month"):

                def evaluate_it(code=code, by=by, user=user):
                    evaluation = evaluate(code, "01", "2014", by=by, user=user)
                    if not evaluation.rows:
                        raise RuntimeError(f"{code} by {by}: no rows")

                results.append(
                    Result(
                        f"cases.{vendor}.{short}.city_by_{by}.{who}",
                        median_ms(evaluate_it, runs=runs),
                        "ms",
                        BUDGET_INDICATOR_MS,
                    )
                )
    police = accounts["police"]
    case = (
        CriminalCase.objects.filter(
            number__startswith=MARK, unit__path__startswith=police.jurisdiction_path + "."
        )
        .order_by("pk")
        .first()
    )
    client = Client()
    client.force_login(police)
    url = f"/vu-an/{case.pk}/"
    with override_settings(REQUIRE_2FA=False):
        client.post(url, {"purpose": "investigation", "detail": ""})

        def get_page():
            response = client.get(url)
            if response.status_code != 200 or b"data-defendant=" not in response.content:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        results.append(
            Result(f"cases.{vendor}.case_page", median_ms(get_page, runs=runs), "ms", BUDGET_PAGE_MS)
        )
        with CaptureQueriesContext(connection) as queries:
            get_page()
    results.append(Result(f"cases.{vendor}.case_page.queries", len(queries), "queries", None))
    return results
