"""Month-end reporting: every commune submits its monthly report, then the city opens completeness.

On a fresh database with Hanoi's 2014 units and agencies and the shipped report forms, one officer per
commune (``BENCH_COMMUNES``, default all of them) has their October 2014 report filled in (through the
services, untimed); then each officer's *submission* is timed through Django's test client (the request
that piles up at month-end), and sent twice to check that a double submit adds nothing. Afterwards
the city's completeness page is timed ``BENCH_N`` times. Prints p50/p95 for both, the error count, and
the counts that show nothing was lost or duplicated.

This is a sequential, in-process measure of server time (no HTTP, no concurrency); a concurrent load
test against a running server is still to be written.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from benchlib import Result, repetitions
from django.test import Client, override_settings

BUDGET_MS = 500


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run() -> list[Result]:
    from django.contrib.auth.hashers import make_password

    from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
    from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014
    from lanhmanh.reporting import services
    from lanhmanh.reporting.models import ReportForm, Submission

    units_load_hanoi_2014()
    agencies_seed(province=AdministrativeUnit.objects.get(path="01", valid_from__isnull=True))
    services.report_forms_load()
    form = ReportForm.objects.get(code="xa-thang")
    role = Role.objects.get(code=Role.COMMUNE_OFFICER)
    agencies = list(Agency.objects.filter(kind="commune-social").select_related("unit").order_by("code"))
    limit = int(os.environ.get("BENCH_COMMUNES", len(agencies)))
    agencies = agencies[:limit]
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"xa-{a.unit.code}", agency=a, password=password) for a in agencies], batch_size=500
    )
    users = list(User.objects.filter(username__startswith="xa-").select_related("agency__unit"))
    role.users.add(*users)
    values = {
        "sellers_known": 4,
        "suspect_establishments": 1,
        "hotspots_found": 0,
        "people_checked": 6,
        "sellers_sanctioned": 0,
        "warnings": 0,
        "fined": 0,
        "fines_imposed": 0,
        "fines_collected": 0,
        "outreach": 5,
        "health_referrals": 1,
        "trained_employed": 0,
        "hotspots_kept_clean": 0,
        "hotspots_reemerged": 0,
        "activities_held": 0,
        "trainings_held": 0,
        "participants": 0,
    }
    submissions = []
    for user in users:
        submission = services.submission_open(
            actor=user, form=form, period_id="201410", today=dt.date(2014, 11, 10)
        )
        services.submission_save(actor=user, submission=submission, values=values)
        submissions.append((user, submission))

    timings: list[float] = []
    errors = 0
    with override_settings(REQUIRE_2FA=False):
        for user, submission in submissions:
            client = Client()
            client.force_login(user)
            for attempt in range(2):  # the second is a double submit: must change nothing
                start = time.perf_counter()
                response = client.post(f"/bao-cao/{submission.pk}/gui/", {"version": submission.version})
                if attempt == 0:
                    timings.append((time.perf_counter() - start) * 1000)
                if response.status_code != 302:
                    errors += 1
        coordinator = User.objects.create(
            username="dieuphoi-bench", agency=Agency.objects.get(code="01-dolisa-pctnxh"), password=password
        )
        coordinator.roles.add(Role.objects.get(code=Role.CITY_COORDINATOR))
        city = Client()
        city.force_login(coordinator)
        page_times = []
        for _ in range(repetitions(10)):
            start = time.perf_counter()
            response = city.get("/bao-cao/tien-do/?bieu-mau=xa-thang&ky=201410")
            page_times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                errors += 1

    received = Submission.objects.filter(
        form=form, period_id="201410", first_submitted_at__isnull=False
    ).count()
    rows = Submission.objects.filter(form=form, period_id="201410").count()
    return [
        Result("reporting.submit.p50", statistics.median(timings), "ms", BUDGET_MS),
        Result("reporting.submit.p95", _p95(timings), "ms", BUDGET_MS),
        Result("reporting.completeness.p50", statistics.median(page_times), "ms", BUDGET_MS),
        Result("reporting.completeness.p95", _p95(page_times), "ms", BUDGET_MS),
        Result("reporting.errors", errors, "errors", 0),
        Result("reporting.lost", len(users) - received, "reports", 0),
        Result("reporting.duplicated", rows - len(users), "reports", 0),
    ]
