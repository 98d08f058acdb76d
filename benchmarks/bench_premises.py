"""The establishment register at size (issue 11): the ranked proposal list, a licence look-up, the map page,
and a backtest of the ranking.

Fills the database (once; kept while it has enough rows) with the demo's accounts, ``BENCH_ESTABLISHMENTS``
establishments (default 100,000) over Hanoi's 2014 communes in the baseline's proportions by kind, and
``BENCH_INSPECTIONS`` inspections (default 1,000,000) over 2010–2014, with the sanctions that followed
some of them; everything written with ``bulk_create``. Then times:

* the ranked proposal list (``ranking.propose``) for one district team's plan, ~3,000 establishments
  when 100,000 are spread over the 30 districts (budget 500 ms);
* a licence-eligibility look-up by owner and address, with its log row (budget 100 ms);
* the register page with its district map, through the Django test client, as the city coordinator
  (budget 300 ms) and as the Hoàn Kiếm district officer (for information).

How the synthetic data is made, so that the ranking is not handed its own features: every establishment
gets a hidden propensity ``p`` = its kind's base rate (massage 15 %, karaoke 12 %, … lodging 2 %; a table
of the generator, not the ``risk_weight`` the ranking reads) × a log-normal individual factor (σ = 1),
capped at 0.9. Inspections pick establishments uniformly at random (two a year on average, city team 5 %),
and each finds a violation with probability ``p``; a third of the violations lead to a decided sanction.
The ranking sees only those records (and the kind's shipped weight), never ``p``. The backtest ranks one
district's establishments as of 1/1/Y (Y = the last year, records before Y only), draws each one's outcome
in Y from ``p`` (a fresh draw, not the recorded Y inspections), and prints the hit rate — the share of the
top k that violate in Y — beside the hit rate of k establishments drawn at random (the plan's random share)
and the district's base rate. It is a figure to read, not a budget.

Run through ``benchmarks/run.py premises`` or on PostgreSQL with
``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME benchmarks/run.py premises``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import statistics
import time

from benchlib import Result, median_ms, repetitions

PROPOSALS_BUDGET_MS = 500
LOOKUP_BUDGET_MS = 100
MAP_BUDGET_MS = 300
FIRST_YEAR, LAST_YEAR = 2010, 2014
BASE_RATE = {
    "khach-san": 0.05,
    "nha-nghi": 0.08,
    "vu-truong": 0.10,
    "karaoke": 0.12,
    "xoa-bop": 0.15,
    "goi-dau": 0.12,
    "cafe-den-mo": 0.10,
    "tam-nuoc-khoang": 0.08,
    "nha-tro": 0.02,
}
TOP_K = 100


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def propensity(pk: int, kind: str) -> float:
    """The hidden propensity of one establishment: reproducible from its id, never stored."""
    rng = random.Random(f"p-{pk}")  # noqa: S311 - synthetic data
    return min(0.9, BASE_RATE.get(kind, 0.05) * math.exp(rng.gauss(0, 1)))


def ensure_data(n_establishments: int, n_inspections: int) -> None:
    from django.db import connection, transaction

    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.org.models import AdministrativeUnit, Agency, User
    from lanhmanh.people.bulk import full_name, id_number
    from lanhmanh.premises import reference
    from lanhmanh.premises.models import (
        BusinessAct,
        BusinessSanction,
        Establishment,
        EstablishmentKind,
        Inspection,
        Licence,
    )

    load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - throwaway database
    reference.load()
    have = Establishment.objects.count()
    rng = random.Random(2014 + have)  # noqa: S311 - synthetic data
    creator = User.objects.get(username="doi178")
    start = time.perf_counter()
    if have < n_establishments:
        kinds = list(EstablishmentKind.objects.filter(baseline_count__isnull=False))
        kind_weights = [k.baseline_count for k in kinds]
        communes = list(
            AdministrativeUnit.objects.filter(level=3, path__startswith="01.", valid_from__isnull=True)
        )
        todo = n_establishments - have
        serial = have
        while todo > 0:
            batch = []
            for _ in range(min(10_000, todo)):
                serial += 1
                kind = rng.choices(kinds, kind_weights)[0]
                individual = rng.random() < 0.7
                female = rng.random() < 0.5
                e = Establishment(
                    kind=kind,
                    name=f"{kind.name} số {serial}",
                    address=f"{serial} đường Thử Nghiệm",
                    unit=rng.choice(communes),
                    registration_number=f"BENCH{serial:08d}",
                    owner_type="individual" if individual else "organisation",
                    owner_name=full_name(rng, female=female) if individual else "",
                    owner_id_number=id_number(rng, female=female, birth_year=rng.randint(1950, 1990))
                    if individual
                    else "",
                    organisation_name="" if individual else f"Công ty {serial}",
                    opened_on=dt.date(rng.randint(2000, 2009), rng.randint(1, 12), 1),
                )
                e.refresh_keys()
                batch.append(e)
            with transaction.atomic():
                Establishment.objects.bulk_create(batch, batch_size=2000)
            todo -= len(batch)
        log(f"{n_establishments - have} establishments in {time.perf_counter() - start:.0f} s")
    have_inspections = Inspection.objects.count()
    if have_inspections < n_inspections:
        start = time.perf_counter()
        places = list(Establishment.objects.values_list("pk", "kind__code", "unit__path"))
        p = {pk: propensity(pk, kind) for pk, kind, _path in places}
        paths = {pk: path for pk, _kind, path in places}
        teams = dict(Agency.objects.filter(kind="team-178", unit__level=2).values_list("unit__path", "pk"))
        city = Agency.objects.get(code="01-city-team-178").pk
        committees = dict(
            Agency.objects.filter(kind="committee", unit__level=2).values_list("unit__path", "pk")
        )
        act = BusinessAct.objects.get(code="nd167-25-2-loi-dung-kinh-doanh")
        todo = n_inspections - have_inspections
        days = (dt.date(LAST_YEAR, 12, 31) - dt.date(FIRST_YEAR, 1, 1)).days
        number = BusinessSanction.objects.count()
        while todo > 0:
            batch = []
            for _ in range(min(20_000, todo)):
                pk, _kind, path = rng.choice(places)
                day = dt.date(FIRST_YEAR, 1, 1) + dt.timedelta(days=rng.randrange(days))
                on_city = rng.random() < 0.05
                batch.append(
                    Inspection(
                        team_id=city if on_city else teams[path[:6]],
                        team_level=1 if on_city else 2,
                        establishment_id=pk,
                        started_at=dt.datetime(day.year, day.month, day.day, 14, tzinfo=dt.UTC),
                        inspected_on=day,
                        leader_name="Trưởng đoàn",
                        violation_found=rng.random() < p[pk],
                        created_by=creator,
                    )
                )
            with transaction.atomic():
                Inspection.objects.bulk_create(batch, batch_size=5000)
                sanctions = []
                for inspection in batch:
                    if inspection.violation_found and rng.random() < 1 / 3:
                        number += 1
                        district = paths[inspection.establishment_id][:6]
                        sanctions.append(
                            BusinessSanction(
                                establishment_id=inspection.establishment_id,
                                act=act,
                                offender_type="individual",
                                occurred_on=inspection.inspected_on,
                                proposed_amount=15_000_000,
                                proposed_by=creator,
                                proposed_on=inspection.inspected_on,
                                status="decided",
                                authority_id=committees[district],
                                decision_number=f"{number}/QĐ-BENCH",
                                decided_on=inspection.inspected_on + dt.timedelta(days=10),
                                amount=15_000_000,
                            )
                        )
                BusinessSanction.objects.bulk_create(sanctions, batch_size=5000)
            todo -= len(batch)
        log(f"{n_inspections - have_inspections} inspections in {time.perf_counter() - start:.0f} s")
    if (
        connection.vendor == "postgresql"
    ):  # statistics and visibility map after the bulk load, as autovacuum gives
        with connection.cursor() as cursor:
            for table in (
                "premises_establishment",
                "premises_inspection",
                "premises_businesssanction",
                "premises_licence",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
    if not Licence.objects.filter(number__startswith="BENCH").exists():
        Licence.objects.bulk_create(
            [
                Licence(
                    establishment_id=pk,
                    kind="culture",
                    number=f"BENCH{pk}",
                    number_key=f"BENCH{pk}",
                    issuer="Sở VHTTDL",
                    issued_on=dt.date(2009, 1, 1),
                )
                for pk in Establishment.objects.values_list("pk", flat=True)
            ],
            batch_size=5000,
        )


def backtest(district: str) -> list[Result]:
    from lanhmanh.premises import ranking
    from lanhmanh.premises.models import Establishment

    as_of = dt.date(LAST_YEAR, 1, 1)
    ranked = ranking.rank(district, as_of, explain=False)
    kinds = dict(
        Establishment.objects.filter(pk__in=[pk for pk, _s, _r in ranked]).values_list("pk", "kind__code")
    )
    rng = random.Random(f"outcome-{LAST_YEAR}")  # noqa: S311 - synthetic outcomes
    outcome = {pk: rng.random() < propensity(pk, kinds[pk]) for pk, _s, _r in ranked}
    top = [pk for pk, _s, _r in ranked[:TOP_K]]
    draws = random.Random(7)  # noqa: S311
    random_rates = [
        statistics.mean(outcome[pk] for pk in draws.sample(list(outcome), TOP_K)) for _ in range(200)
    ]
    return [
        Result(
            f"premises.backtest.top{TOP_K}_hit_rate",
            statistics.mean(outcome[pk] for pk in top),
            "ratio",
            None,
        ),
        Result(f"premises.backtest.random{TOP_K}_hit_rate", statistics.mean(random_rates), "ratio", None),
        Result("premises.backtest.base_rate", statistics.mean(outcome.values()), "ratio", None),
    ]


def run() -> list[Result]:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from lanhmanh.org.models import Agency, User
    from lanhmanh.premises import eligibility, ranking
    from lanhmanh.premises.models import Establishment, InspectionPlan

    n_establishments = int(os.environ.get("BENCH_ESTABLISHMENTS", 100_000))
    n_inspections = int(os.environ.get("BENCH_INSPECTIONS", 1_000_000))
    ensure_data(n_establishments, n_inspections)
    runs = repetitions(10)
    inspector = User.objects.get(username="doi178")
    team = Agency.objects.get(code="01-002-team-178")
    plan, _ = InspectionPlan.objects.get_or_create(
        team=team,
        period_id="2015Q1",
        defaults={
            "starts_on": dt.date(2015, 1, 1),
            "ends_on": dt.date(2015, 3, 31),
            "quota": 60,
            "random_share": 20,
            "created_by": inspector,
        },
    )
    size = Establishment.objects.filter(unit__path__startswith="01.002.").count()
    results = [Result("premises.district_establishments", size, "establishments", None)]
    results.append(
        Result(
            "premises.proposals",
            median_ms(lambda: ranking.propose(plan, limit=120), runs=runs),
            "ms",
            PROPOSALS_BUDGET_MS,
        )
    )
    licensing = User.objects.get(username="capphep")
    sample = Establishment.objects.filter(owner_type="individual").order_by("pk")[size // 2]

    def lookup():
        return eligibility.lookup(
            actor=licensing,
            purpose="new-licence",
            owner_name=sample.owner_name,
            owner_id_number=sample.owner_id_number,
            address=sample.address,
        )

    results.append(
        Result("premises.licence_lookup", median_ms(lookup, runs=runs * 3), "ms", LOOKUP_BUDGET_MS)
    )
    with override_settings(REQUIRE_2FA=False):
        for username, budget in (("dieuphoi", MAP_BUDGET_MS), ("phonglaodong", None)):
            client = Client()
            client.force_login(User.objects.get(username=username))

            def page(client=client):
                response = client.get("/co-so-kinh-doanh/")
                if response.status_code != 200:
                    raise RuntimeError(f"HTTP {response.status_code}")

            results.append(Result(f"premises.map_page.{username}", median_ms(page, runs=runs), "ms", budget))
            with CaptureQueriesContext(connection) as queries:
                page()
            results.append(Result(f"premises.map_page.{username}.queries", len(queries), "queries", None))
    results += backtest("01.002")
    return results
