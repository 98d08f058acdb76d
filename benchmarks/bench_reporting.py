"""Month-end load: every commune submits its monthly report to a real server while the city watches completeness.

What it does (``benchmarks/run.py reporting``):

1. prepares the database run.py chose (a fresh SQLite file, or ``BENCH_DATABASE_URL``, e.g.
   ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rep``): Hanoi's 2014 units and
   agencies, the shipped forms, one officer and one write API token per commune (all 584 unless
   ``BENCH_COMMUNES`` says fewer), and a city coordinator with a TOTP device; reports of an earlier
   run for the same period are deleted first, so the run can be repeated on a kept database;
2. starts a real server process, gunicorn from the venv (``BENCH_WORKERS`` sync workers, default 4),
   bound to 127.0.0.1 on a free port, on that database;
3. signs the coordinator in over HTTP (password, then the TOTP code, as a person does);
4. drives the server in three load shapes, one after the other, each commune reporting in one only
   (``BENCH_SHAPES``, default ``hour,peak,stress``):

   * ``hour``: the issue's own figure, every commune within one hour (584 / 3600 s = 0.16/s);
   * ``peak``: a month-end peak, half of the communes in the last ten minutes (292 / 600 s = 0.49/s);
   * ``stress``: the communes left, as fast as ``BENCH_CLIENTS`` threads go (default 8), or paced at
     ``BENCH_RATE`` per second.

   The paced shapes run a window of ``BENCH_SHAPE_SECONDS`` (default 240) at their steady rate. Each
   commune POSTs its October 2014 report to ``/api/v1/reports/submissions/`` (opened, filled and
   sent in one call), then sends the same request again (a double submit: must change nothing);
   every tenth commune's first request is also sent by a second client at the same instant (two
   officers at once). Meanwhile one more thread opens the city's completeness page every 2 s in the
   paced shapes (people watching), every ``BENCH_PAGE_PAUSE`` seconds (default 0.5) in the stress
   run. Requests not started after ``BENCH_TIME_LIMIT`` seconds (default 900) count as errors.
   Before the run and after each shape the bench ANALYZEs the tables (PostgreSQL), what autovacuum
   does on a default server; the shared server here runs with ``autovacuum = off``;
5. stops the server and counts in the database: one report per commune, each sent once.

Prints ``BENCH`` lines per shape: p50/p95 latency of a submission (first request of each commune)
and of the completeness page, each against the 500 ms budget, the error count (any answer other than 200/201, or no answer), conflicts
(409, the clear answer to a race; not errors), and lost and duplicated reports.

Measured on 2026-11-28, after the query work (PostgreSQL 15, 4 gunicorn workers, two cores shared
with other engineers' runs, load average 4–7), 0 errors, 0 lost, 0 duplicated in every run:
hour (39 communes at 0.16/s, a page every 2 s): submit p50 87 / p95 209 ms, completeness p50 59 /
p95 123 ms; peak (117 at 0.49/s): submit 102 / 259 ms, completeness 64 / 193 ms; stress, 428 as
fast as 8 clients go (9.3 communes/s, about 20 requests/s): submit 522 / 688 ms, completeness
416 / 585 ms (over budget: saturated by design). ``BENCH_SHAPES=stress BENCH_RATE=2`` (all 584 at
2/s, a page every 0.5 s): submit 69 / 134 ms, completeness 46 / 89 ms. Before (same machine, no
ANALYZE, 45 queries a report): 2/s gave 505 / 996 ms p95, 8 clients 1,696 / 1,772 ms at about 9
requests/s.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchlib import Result

BUDGET_MS = 500
PERIOD = "201410"
ROOT = Path(__file__).resolve().parent.parent
VALUES = {
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
    "assessment": "Tình hình ổn định.",
}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _env_int(name: str, default: int) -> int:
    return max(1, int(os.environ.get(name, default)))


# Data --------------------------------------------------------------------------------------------


def prepare(limit: int | None) -> tuple[list[tuple[str, str]], str, bytes]:
    """(commune code, raw write token) per commune; the coordinator's username and TOTP key."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lanhmanh.api.models import ApiToken
    from lanhmanh.api.services import api_token_create
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
    from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014
    from lanhmanh.reporting import services
    from lanhmanh.reporting.models import ReportForm, Submission

    if not AdministrativeUnit.objects.filter(path="01").exists():
        units_load_hanoi_2014()
    agencies_seed(province=AdministrativeUnit.objects.get(path="01", valid_from__isnull=True))
    services.report_forms_load()
    form = ReportForm.objects.get(code="xa-thang")
    agencies = list(Agency.objects.filter(kind="commune-social").select_related("unit").order_by("code"))
    agencies = agencies[: limit or len(agencies)]
    # A kept database (PostgreSQL) is reused: earlier runs' reports and tokens go first.
    Submission.objects.filter(form=form, period_id=PERIOD, agency__in=agencies).delete()
    existing = set(User.objects.filter(username__startswith="xa-").values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"xa-{a.unit.code}", agency=a, password=password)
            for a in agencies
            if f"xa-{a.unit.code}" not in existing
        ],
        batch_size=500,
    )
    users = list(
        User.objects.filter(username__in=[f"xa-{a.unit.code}" for a in agencies]).select_related(
            "agency__unit"
        )
    )
    Role.objects.get(code=Role.COMMUNE_OFFICER).users.add(*users)
    ApiToken.objects.filter(user__in=users).delete()
    tokens = [
        (user.agency.unit.path, api_token_create(user=user, name="Tải cuối tháng", scope="write", days=1)[1])
        for user in users
    ]
    coordinator, _ = User.objects.get_or_create(
        username="dieuphoi-bench", defaults={"agency": Agency.objects.get(code="01-dolisa-pctnxh")}
    )
    coordinator.set_password("tai-cuoi-thang")
    coordinator.save()
    coordinator.roles.add(Role.objects.get(code=Role.CITY_COORDINATOR))
    TOTPDevice.objects.filter(user=coordinator).delete()
    device = TOTPDevice.objects.create(user=coordinator, name="bench", confirmed=True)
    return tokens, coordinator.username, device.bin_key


def count_reports(paths: list[str]) -> tuple[int, int, int]:
    """(reports received, report rows, reports whose audit shows more than one first submission)."""
    from lanhmanh.core.models import ChangeRecord
    from lanhmanh.reporting.models import Submission

    rows = Submission.objects.filter(form__code="xa-thang", period_id=PERIOD, unit_path__in=paths)
    received = rows.filter(first_submitted_at__isnull=False).count()
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    sent_twice = 0
    submitted = {}
    for object_id in ChangeRecord.objects.filter(
        model="reporting.submission", object_id__in=ids, action="status", after__status="submitted"
    ).values_list("object_id", flat=True):
        submitted[object_id] = submitted.get(object_id, 0) + 1
    sent_twice = sum(1 for n in submitted.values() if n > 1)
    return received, rows.count(), sent_twice


# Server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "lanhmanh.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(_env_int("BENCH_WORKERS", 4)),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ]
    handle = log.open("wb")
    # A fixed command line: this venv's gunicorn, on 127.0.0.1 only.
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603


def wait_ready(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/dang-nhap/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# Clients -----------------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def sign_in(base: str, username: str, password: str, key: bytes) -> urllib.request.OpenerDirector:
    """The coordinator's browser: login form, then the TOTP step."""
    from django_otp.oath import totp

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/dang-nhap/").read().decode()
    form = {"username": username, "password": password, "csrfmiddlewaretoken": _csrf(page)}
    response = opener.open(f"{base}/dang-nhap/", urllib.parse.urlencode(form).encode())
    if "/xac-thuc-hai-buoc/" in response.url:
        page = response.read().decode()
        form = {"token": f"{totp(key):06d}", "csrfmiddlewaretoken": _csrf(page)}
        response = opener.open(response.url, urllib.parse.urlencode(form).encode())
    if "/dang-nhap/" in response.url or "/xac-thuc-hai-buoc/" in response.url:
        raise RuntimeError("the coordinator could not sign in")
    return opener


class Load:
    def __init__(self, port: int, deadline: float):
        self.port = port
        self.deadline = deadline
        self.lock = threading.Lock()
        self.submit_ms: list[float] = []
        self.page_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.conflicts = 0
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.local.connection

    def post(self, token: str, body: bytes) -> tuple[int, float]:
        start = time.perf_counter()
        try:
            connection = self._connection()
            connection.request(
                "POST",
                "/api/v1/reports/submissions/",
                body,
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.local.connection = None
            status = 0
        return status, (time.perf_counter() - start) * 1000

    def record(self, status: int, elapsed: float | None) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if elapsed is not None:
                self.submit_ms.append(elapsed)
            if status == 409:
                self.conflicts += 1
            elif status not in (200, 201):
                self.errors += 1

    def commune(self, path: str, token: str, twin: bool) -> None:
        if time.monotonic() > self.deadline:
            self.record(-1, None)  # never sent: the time limit passed
            return
        body = json.dumps({"form": "xa-thang", "unit": path, "period": PERIOD, "values": VALUES}).encode()
        if twin:  # a second officer sends the same report at the same instant
            other = threading.Thread(target=lambda: self.record(self.post(token, body)[0], None))
            other.start()
        status, elapsed = self.post(token, body)
        self.record(status, elapsed)
        if twin:
            other.join()
        self.record(self.post(token, body)[0], None)  # the double submit

    def watch(self, opener, base: str, done: threading.Event, limit: int, pause: float) -> None:
        url = f"{base}/bao-cao/tien-do/?bieu-mau=xa-thang&ky={PERIOD}"
        for _ in range(limit):
            if done.is_set() or time.monotonic() > self.deadline:
                return
            start = time.perf_counter()
            try:
                with opener.open(url, timeout=60) as response:
                    response.read()
                    ok = response.status == 200 and "/tien-do/" in response.url
            except OSError:
                ok = False
            with self.lock:
                self.page_ms.append((time.perf_counter() - start) * 1000)
                self.errors += not ok
            time.sleep(pause)


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does on a default PostgreSQL server.

    The shared server here runs with ``autovacuum = off``: without this the planner believes the
    freshly loaded units, agencies and reports are one row each and the completeness query takes a
    nested loop over every pair (measured: 1.5 s instead of 2 ms for the city page).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "org_administrativeunit",
            "org_agency",
            "reporting_submission",
            "reporting_submissionvalue",
        ):
            cursor.execute(f"ANALYZE {table}")  # fixed table names


@dataclass
class Shape:
    """One load shape: communes starting at ``rate`` per second (0: as fast as the clients go)."""

    name: str
    rate: float
    communes: int
    page_pause: float
    what: str


def shapes(total: int) -> list[Shape]:
    """The issue's hour, the month-end peak, then the stress run on the communes left.

    Each paced shape is a window of ``BENCH_SHAPE_SECONDS`` (default 240) at its steady rate:
    latency at a steady arrival rate does not depend on how long the rate lasts, so a window of
    four minutes stands for the hour. Every commune reports once, in one shape only.
    """
    seconds = _env_int("BENCH_SHAPE_SECONDS", 240)
    hour = total / 3600  # the issue: every commune's report within one hour (584 → 0.16/s)
    peak = (total / 2) / 600  # month-end: half of them in the last ten minutes (584 → 0.49/s)
    chosen = os.environ.get("BENCH_SHAPES", "hour,peak,stress").split(",")
    result = []
    left = total
    for name in chosen:
        if name == "hour":
            n = min(left, max(1, round(hour * seconds)))
            result.append(Shape("hour", hour, n, 2.0, f"{total} in one hour, {hour:.2f}/s"))
        elif name == "peak":
            n = min(left, max(1, round(peak * seconds)))
            result.append(Shape("peak", peak, n, 2.0, f"half of {total} in the last 10 min, {peak:.2f}/s"))
        elif name == "stress":
            rate = float(os.environ.get("BENCH_RATE") or 0)
            n = left
            clients = _env_int("BENCH_CLIENTS", 8)
            what = f"{rate:g}/s" if rate else f"as fast as {clients} clients go"
            result.append(Shape("stress", rate, n, float(os.environ.get("BENCH_PAGE_PAUSE", 0.5)), what))
        else:
            raise SystemExit(f"BENCH_SHAPES: unknown shape {name!r} (hour, peak, stress)")
        left -= result[-1].communes
    return [s for s in result if s.communes]


def drive(load: Load, opener, base: str, shape: Shape, tokens: list[tuple[str, str]], clients: int) -> float:
    done = threading.Event()
    watcher = threading.Thread(
        target=load.watch, args=(opener, base, done, _env_int("BENCH_PAGE_N", 600), shape.page_pause)
    )
    started = time.monotonic()
    watcher.start()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for i, (path, token) in enumerate(tokens):
            if shape.rate:  # paced arrivals: commune i starts at i / rate seconds
                time.sleep(max(0.0, started + i / shape.rate - time.monotonic()))
            pool.submit(load.commune, path, token, i % 10 == 0)
    done.set()
    watcher.join()
    return time.monotonic() - started


def run() -> list[Result]:
    from django.conf import settings
    from django.db import connections

    limit = int(os.environ["BENCH_COMMUNES"]) if os.environ.get("BENCH_COMMUNES") else None
    tokens, username, key = prepare(limit)
    analyze()
    connections.close_all()
    print(
        f"# reporting: {len(tokens)} communes, database {settings.DATABASES['default']['ENGINE']}", flush=True
    )
    port = free_port()
    log = Path(os.environ.get("LANHMANH_VAR_DIR") or tempfile.gettempdir()) / "bench-reporting-gunicorn.log"
    server = start_server(port, log)
    base = f"http://127.0.0.1:{port}"
    clients = _env_int("BENCH_CLIENTS", 8)
    results: list[Result] = []
    errors = 0
    try:
        wait_ready(port, server)
        opener = sign_in(base, username, "tai-cuoi-thang", key)
        deadline = time.monotonic() + _env_int("BENCH_TIME_LIMIT", 900)
        # Warm every worker up (imports, first connection) before timing.
        for _ in range(_env_int("BENCH_WORKERS", 4) * 2):
            opener.open(f"{base}/api/v1/reports/forms/").read()
        start = 0
        for shape in shapes(len(tokens)):
            part = tokens[start : start + shape.communes]
            start += shape.communes
            load = Load(port, deadline)
            elapsed = drive(load, opener, base, shape, part, clients)
            print(
                f"# reporting {shape.name} ({shape.what}): {len(part)} communes in {elapsed:.1f} s, "
                f"{len(load.page_ms)} completeness pages (one every {shape.page_pause:g} s), "
                f"answers {dict(sorted(load.statuses.items()))}",
                flush=True,
            )
            prefix = f"reporting.load.{shape.name}"
            results += [
                Result(f"{prefix}.submit.p50", statistics.median(load.submit_ms), "ms", BUDGET_MS),
                Result(f"{prefix}.submit.p95", _p95(load.submit_ms), "ms", BUDGET_MS),
                Result(f"{prefix}.completeness.p50", statistics.median(load.page_ms), "ms", BUDGET_MS),
                Result(f"{prefix}.completeness.p95", _p95(load.page_ms), "ms", BUDGET_MS),
                Result(f"{prefix}.errors", load.errors, "errors", 0),
                Result(f"{prefix}.conflicts", load.conflicts, "answers", len(part)),
            ]
            errors += load.errors
            analyze()  # autovacuum's analyze after a burst of new reports (see analyze())
    finally:
        stop_server(server)
    received, rows, sent_twice = count_reports([path for path, _ in tokens])
    print(f"# reporting: {rows} report rows for {len(tokens)} communes, server log {log}", flush=True)
    return [
        *results,
        Result("reporting.load.errors", errors, "errors", 0),
        Result("reporting.load.lost", len(tokens) - received, "reports", 0),
        Result("reporting.load.duplicated", rows - len(tokens) + sent_twice, "reports", 0),
    ]
