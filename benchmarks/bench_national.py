"""National scale (issue 20): registry search, indicators (the dashboards' figures and the API) and report
completeness on the national data set of ``national.py``, on PostgreSQL.

``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national make bench BENCH=national``: when the
database holds no person yet, ``national.generate(BENCH_NATIONAL_SCALE)`` writes the data set first
(default scale 1: 34 provinces, 3,321 communes, 1,000,000 persons, 3,000,000 violations, 100,000
establishments, five years; ``BENCH_NATIONAL_SCALE=0.1`` for a tenth). Then, BENCH_N runs each (default
30), the median server time of:

* ``lookup_id_number`` / ``lookup_name_birth``: a province's police looking a person up through the blind
  indexes (``people.selectors.persons_search``), budget 100 ms as in ``bench_people``;
* ``indicator_province_by_commune`` / ``indicator_province_by_month``: ``people.sanctions`` for Hà Nội in
  2025 by commune and by month (what the plan dashboard and the indicator page compute: read from the
  source's rollup rows, generated with the data set), and ``indicator_api``: the same through
  ``/api/v1/indicators/…/values/`` with a token; budget 300 ms (the dashboard's);
* ``persons_province_by_commune``: ``people.persons_sanctioned`` (distinct persons) the same way, read
  from its member rows (one per commune, month and person); budget 300 ms;
* ``indicator_province_by_sex``: ``people.sanctions`` by sex, a breakdown the rollup does not keep (the
  records are read, beside the rollup's tree): printed, no budget;
* ``dashboard_sections_province``: the plan dashboard's sections (every indicator registered for them)
  for Hà Nội in the second half of 2025 by commune, as the dashboard builds them; budget 300 ms;
* ``indicator_national_by_province``: the ministry's view, the 34 provinces summed one by one;
* ``completeness_province`` / ``completeness_national_month``: the completeness of the two-level monthly
  form for Hà Nội's communes and for every province, one month; budget 500 ms (the page's).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from benchlib import Result, cpu_ms, median_ms, repetitions

LOOKUP_BUDGET_MS = 100
INDICATOR_BUDGET_MS = 300
COMPLETENESS_BUDGET_MS = 500


def log(message: str) -> None:
    print(f"# national: {message}", flush=True)


def users() -> dict:
    """A province police officer and a province coordinator (Hà Nội), created once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lanhmanh.org.models import Agency, Role, User

    made = {}
    for username, agency_code, role in (
        ("qg-congan-01", "n-01-police", Role.POLICE),
        ("qg-dieuphoi-01", "n-01-dolisa", Role.CITY_COORDINATOR),
    ):
        user, _created = User.objects.get_or_create(
            username=username, defaults={"agency": Agency.objects.get(code=agency_code)}
        )
        user.roles.add(Role.objects.get(code=role))
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        made[role] = user
    return made


def run() -> list[Result]:
    from django.db import connection
    from django.test import Client, override_settings

    from lanhmanh.api.services import api_token_create
    from lanhmanh.core.periods import parse
    from lanhmanh.indicators.evaluation import evaluate, shared_trees
    from lanhmanh.org.models import AdministrativeUnit, Role
    from lanhmanh.org.services import REFORM_2025
    from lanhmanh.people import selectors
    from lanhmanh.people.models import Person, Violation
    from lanhmanh.plans.dashboard import build_sections
    from lanhmanh.premises.models import Establishment
    from lanhmanh.reporting.completeness import completeness
    from lanhmanh.reporting.models import ReportForm, Submission

    if connection.vendor != "postgresql":
        log("PostgreSQL only (BENCH_DATABASE_URL=postgres://…)")
        return []
    results = []
    if not Person.objects.exists():
        import national

        scale = float(os.environ.get("BENCH_NATIONAL_SCALE", "1"))
        started = time.perf_counter()
        counts = national.generate(scale)
        seconds = round(time.perf_counter() - started, 1)
        log(f"generated at scale {scale:g} in {seconds:.0f} s: {counts}")
        results.append(Result(f"national.{connection.vendor}.generate_scale_{scale:g}", seconds, "s", None))
    log(
        f"{AdministrativeUnit.objects.filter(valid_from=REFORM_2025).count():,} units, "
        f"{Person._base_manager.count():,} persons, {Violation.objects.count():,} violations, "
        f"{Establishment._base_manager.count():,} establishments, {Submission.objects.count():,} reports"
    )
    accounts = users()
    police, coordinator = accounts[Role.POLICE], accounts[Role.CITY_COORDINATOR]
    runs = repetitions()
    vendor = connection.vendor
    targets = list(selectors.persons_visible(police).exclude(id_number_index="").order_by("-pk")[:40])
    if not targets:
        raise RuntimeError("No person visible to Hà Nội's police")
    cycle = iter(range(10**9))

    def by_id():
        person = targets[next(cycle) % len(targets)]
        assert list(selectors.persons_search(police, id_number=person.id_number)), "nothing found by ID"

    def by_name():
        person = targets[next(cycle) % len(targets)]
        found = selectors.persons_search(police, full_name=person.full_name, birth=person.birth_date)
        assert list(found), "nothing found by name and birth date"

    results += [
        Result(f"national.{vendor}.lookup_id_number", median_ms(by_id, runs=runs), "ms", LOOKUP_BUDGET_MS),
        Result(f"national.{vendor}.lookup_name_birth", median_ms(by_name, runs=runs), "ms", LOOKUP_BUDGET_MS),
    ]

    code = "people.sanctions"
    for name, by in (("by_commune", "child"), ("by_month", "month")):
        median = median_ms(lambda by=by: evaluate(code, "01", "2025", by=by, user=coordinator), runs=runs)
        results.append(
            Result(f"national.{vendor}.indicator_province_{name}", median, "ms", INDICATOR_BUDGET_MS)
        )
        cpu = cpu_ms(lambda by=by: evaluate(code, "01", "2025", by=by, user=coordinator), runs=min(runs, 10))
        results.append(Result(f"national.{vendor}.indicator_province_{name}.cpu", round(cpu, 1), "ms", None))
    check = evaluate(code, "01", "2025", by="child", user=coordinator)
    log(f"{code} Hà Nội 2025: total {check.total.value}, {len(check.rows)} communes")
    direct = evaluate(code, "01", "2025", by="child", user=coordinator, use_rollup=False)
    log(f"rollup and records agree: {(check.total, check.rows) == (direct.total, direct.rows)}")

    persons = "people.persons_sanctioned"
    median = median_ms(lambda: evaluate(persons, "01", "2025", by="child", user=coordinator), runs=runs)
    results.append(
        Result(f"national.{vendor}.persons_province_by_commune", median, "ms", INDICATOR_BUDGET_MS)
    )
    by_sex = median_ms(lambda: evaluate(code, "01", "2025", by="sex", user=coordinator), runs=runs)
    results.append(Result(f"national.{vendor}.indicator_province_by_sex", by_sex, "ms", None))

    # The plan dashboard's sections (every indicator registered for them: sanctions by kind, fines
    # collected, support…) for Hà Nội by commune, as ``plans.dashboard.build`` computes them, over the
    # second half of 2025 (the communes of the two-level map exist from 1/7/2025).
    hanoi = AdministrativeUnit.objects.get(path="01", valid_to__isnull=True)
    year = parse("2025S2")

    def sections():
        with shared_trees():
            return build_sections(hanoi, year, user=coordinator)

    shown = sections()
    log(f"dashboard sections Hà Nội 2025S2: {sum(len(s.indicators) for s in shown)} indicators, "
        f"{max((len(s.child_rows) for s in shown), default=0)} communes")  # fmt: skip
    results.append(
        Result(
            f"national.{vendor}.dashboard_sections_province",
            median_ms(sections, runs=runs),
            "ms",
            INDICATOR_BUDGET_MS,
        )
    )
    cpu = cpu_ms(sections, runs=min(runs, 10))
    results.append(Result(f"national.{vendor}.dashboard_sections_province.cpu", round(cpu, 1), "ms", None))

    _row, raw = api_token_create(user=coordinator, name="bench-national", scope="read", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT="application/json")

    def api():
        response = client.get(
            f"/api/v1/indicators/{code}/values/", {"unit": "01", "period": "2025", "by": "child"}
        )
        assert response.status_code == 200, (response.status_code, response.content[:300])

    with override_settings(SECURE_SSL_REDIRECT=False):
        results.append(
            Result(f"national.{vendor}.indicator_api", median_ms(api, runs=runs), "ms", INDICATOR_BUDGET_MS)
        )

    provinces = list(
        AdministrativeUnit.objects.filter(valid_from=REFORM_2025, parent__isnull=True).values_list(
            "path", flat=True
        )
    )

    def national_total():
        return sum(evaluate(code, path, "2025", user=coordinator).total.value or 0 for path in provinces)

    started = time.perf_counter()
    total = national_total()
    once = (time.perf_counter() - started) * 1000
    log(f"{code} 2025, 34 provinces one by one: {total} in {once:.0f} ms (one run)")
    results.append(Result(f"national.{vendor}.indicator_national_by_province", round(once, 1), "ms", None))

    form = ReportForm.objects.get(code="xa-thang-2025")
    period = "202510"
    day = dt.date(2026, 1, 15)
    result = completeness(form, scope_path="01", period_id=period, today=day)
    log(f"completeness Hà Nội {period}: {result.total.received} of {result.total.expected} received")
    median = median_ms(lambda: completeness(form, scope_path="01", period_id=period, today=day), runs=runs)
    results.append(Result(f"national.{vendor}.completeness_province", median, "ms", COMPLETENESS_BUDGET_MS))

    def every_province():
        for path in provinces:
            completeness(form, scope_path=path, period_id=period, today=day)

    started = time.perf_counter()
    every_province()
    results.append(
        Result(
            f"national.{vendor}.completeness_national_month",
            round((time.perf_counter() - started) * 1000, 1),
            "ms",
            None,
        )
    )
    return results
