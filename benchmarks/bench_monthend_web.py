"""Month-end as officers do it: through nginx and gunicorn (production settings), signed in with TOTP,
opening the monthly report, saving its sections with htmx, submitting it, and the district approving.

What it does (``BENCH_DATABASE_URL=postgres://… benchmarks/run.py monthend_web``; PostgreSQL only):

1. prepares Hanoi's 2014 units and agencies, the shipped forms, one officer per commune (all 584 unless
   ``BENCH_COMMUNES`` says fewer) and one per district, each with a password and a confirmed TOTP
   device; reports of an earlier run for the same period are deleted first;
2. starts the production stack of ``make prod-check`` (``deploy/``: gunicorn with ``BENCH_WORKERS`` gthread
   workers, default 3, of ``BENCH_THREADS`` threads, default 8, the worker, Debian's nginx with TLS) with
   ``LANHMANH_ENV=production`` on that database;
3. **hour**: the communes arrive evenly over ``BENCH_SHAPE_SECONDS`` (default 600: the month-end hour
   compressed six times) and each officer does what a person does: sign-in page, password, TOTP code, the
   inbox, open the October 2014 report, each of its five sections opened and saved with htmx, the report
   page, submit; then the district's officer opens the report and approves it. Between two requests a
   person thinks 20–60 s; compressed by ``BENCH_THINK_COMPRESSION`` (default 60) that is 0.3–1 s;
4. **burst**: the deadline, ``BENCH_BURST`` officers (default 20) who all start in the same second (20
   sign-ins at once, then the same steps side by side) and think between requests as the hour's officers do:
   twenty people at their screens at the same moment (the issue's "20 concurrent users");
5. **saturation**: another ``BENCH_BURST`` officers at once with no thinking at all — robots, not people: a
   capacity figure (requests per second the two cores serve, and the latency when they are overrun), printed
   with no budget;
6. counts in the database: one report per commune, each submitted once and approved.

The officers are simulated by ``BENCH_PROCESSES`` load processes (default 20: one per officer of the burst), each
officer a thread of its process, so that the load generator's own work (TLS, HTML parsing) does not queue the
officers behind one GIL and the clients' times are mostly the server's; the counts are exact across the processes.

Prints per shape the p50/p95/p99 of every request as the officers' browsers see it (budget 500 ms p95 for
the hour and the burst; none for saturation) but the password check (argon2, slow by design: its own p95, no budget), the same measured inside the
application (its JSON request lines: what the server does, apart from a machine shared with other work),
the load average before and after and its mean and maximum while the shape ran (sampled every 5 s), the
CPU seconds the application spent in all, the errors (an answer that is not the expected page), and lost and
duplicated reports.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path

from benchlib import Result

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

import prod_check  # noqa: E402
from browser import Browser, totp  # noqa: E402
from smoke import fill_section  # noqa: E402

BUDGET_MS = 500
PERIOD = "201410"
PASSWORD = "mat-khau-cuoi-thang-2014"  # noqa: S105 - the benchmark officers' password


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def prepare(limit: int | None) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """[(commune officer, TOTP secret, district officer)], {district officer: TOTP secret}."""
    import base64

    from django.contrib.auth.hashers import make_password

    from lanhmanh.core.maintenance import analyze
    from lanhmanh.org.models import AdministrativeUnit, Agency, AuthenticatorDevice, Role, User
    from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014
    from lanhmanh.reporting import services
    from lanhmanh.reporting.models import ReportForm, Submission

    if not AdministrativeUnit.objects.filter(path="01").exists():
        units_load_hanoi_2014()
    agencies_seed(province=AdministrativeUnit.objects.get(path="01", valid_from__isnull=True))
    services.report_forms_load()
    form = ReportForm.objects.get(code="xa-thang")
    communes = list(Agency.objects.filter(kind="commune-social").select_related("unit").order_by("code"))
    communes = communes[: limit or len(communes)]
    Submission.objects.filter(form=form, period_id=PERIOD, agency__in=communes).delete()
    districts = {a.unit.path: a for a in Agency.objects.filter(kind="district-labour").select_related("unit")}
    password = make_password(PASSWORD, hasher="argon2")  # the production server knows no test hasher
    wanted = {f"web-{a.unit.code}": a for a in communes}
    wanted.update({f"web-q-{a.unit.code}": a for a in districts.values()})
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=name, agency=a, password=password)
            for name, a in wanted.items()
            if name not in existing
        ],
        batch_size=500,
    )
    User.objects.filter(username__in=wanted).update(password=password)
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    Role.objects.get(code=Role.COMMUNE_OFFICER).users.add(
        *[u for n, u in users.items() if not n.startswith("web-q-")]
    )
    Role.objects.get(code=Role.DISTRICT_LABOUR).users.add(
        *[u for n, u in users.items() if n.startswith("web-q-")]
    )
    AuthenticatorDevice.objects.filter(user__in=users.values()).delete()
    AuthenticatorDevice.objects.bulk_create(
        [AuthenticatorDevice(user=u, name="bench", confirmed=True) for u in users.values()], batch_size=500
    )
    secrets = {
        d.user.username: base64.b32encode(d.bin_key).decode()
        for d in AuthenticatorDevice.objects.filter(user__in=users.values()).select_related("user")
    }
    analyze()
    plan = []
    for agency in communes:
        district = districts[agency.unit.path.rsplit(".", 1)[0]]
        plan.append(
            (f"web-{agency.unit.code}", secrets[f"web-{agency.unit.code}"], f"web-q-{district.unit.code}")
        )
    return plan, {n: s for n, s in secrets.items() if n.startswith("web-q-")}


class Load:
    """The officers that one load process simulates (each officer in a thread of its own)."""

    def __init__(self, base: str, cafile: str, think: tuple[float, float], shared: Shared):
        self.base, self.cafile, self.think = base, cafile, think
        self.times: list[float] = []
        self.sign_in_times: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.shared = shared

    def pause(self) -> None:
        if self.think[1]:
            time.sleep(random.uniform(*self.think))  # noqa: S311 - think time

    def record(self, page) -> None:
        with self.lock:
            self.times.append(page.elapsed)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def sign_in(self, browser: Browser, username: str, secret: str) -> None:
        page = browser.get("/dang-nhap/")
        self.record(page)
        self.pause()
        page = browser.submit(page, page.form(containing="username"), username=username, password=PASSWORD)
        with self.lock:  # argon2 by design: timed apart from the report's requests
            self.sign_in_times.append(page.elapsed)
        if "/xac-thuc-hai-buoc/" in page.url:
            self.pause()
            page = browser.submit(page, page.form(containing="token"), token=totp(secret))
            self.record(page)
        if page.status != 200 or "/dang-nhap/" in page.url or "/xac-thuc-hai-buoc/" in page.url:
            raise AssertionError(f"{username}: sign-in {page.status} {page.url}")

    def commune(self, username: str, secret: str, district: str, district_secret: str) -> None:
        try:
            browser = Browser(self.base, cafile=self.cafile)
            self.sign_in(browser, username, secret)
            self.pause()
            inbox = browser.get("/bao-cao/")
            self.record(inbox)
            self.pause()
            csrf = dict(inbox.forms()[0].fields)["csrfmiddlewaretoken"]
            detail = browser.post(
                "/bao-cao/mo/", {"csrfmiddlewaretoken": csrf, "form": "xa-thang", "period_id": PERIOD}
            )
            self.record(detail)
            found = re.search(r"/bao-cao/(\d+)/$", detail.url)
            if detail.status != 200 or not found:
                raise AssertionError(f"{username}: open {detail.status} {detail.url}")
            pk = int(found.group(1))
            for slug in sorted(set(re.findall(rf"/bao-cao/{pk}/muc/([a-z0-9-]+)/", detail.text))):
                self.pause()
                saved = fill_section(browser, detail, f"/bao-cao/{pk}/muc/{slug}/")
                self.record(saved)
            self.pause()
            page = browser.get(f"/bao-cao/{pk}/")
            self.record(page)
            self.pause()
            sent = browser.submit(page, page.form(action=f"/bao-cao/{pk}/gui/"))
            self.record(sent)
            if "Đã gửi báo cáo lên cấp trên." not in sent.text:
                raise AssertionError(f"{username}: submit {sent.status}")
            # The district's officer, signed in once and kept signed in, approves (one person: one at a time).
            with self.shared.locks[district]:
                approver = Browser(self.base, cafile=self.cafile)
                cookies = self.shared.cookies.get(district)
                if cookies is None:
                    self.sign_in(approver, district, district_secret)
                else:
                    for cookie in cookies:
                        approver.cookies.set_cookie(cookie)
                try:
                    page = approver.get(f"/bao-cao/{pk}/")
                    self.record(page)
                    self.pause()
                    approved = approver.submit(
                        page, page.form(button=f"/bao-cao/{pk}/duyet/"), button="approve"
                    )
                    self.record(approved)
                finally:  # the session as the district's browser keeps it, for the next report
                    self.shared.cookies[district] = list(approver.cookies)
                if "Đã duyệt báo cáo" not in approved.text:
                    raise AssertionError(f"{district}: approve {approved.status}")
        except Exception as exc:  # noqa: BLE001 - counted as an error of the run
            self.fail(f"{username}: {exc}"[:300])


class Shared:
    """What the load processes share: one lock per district officer (a person approves one report at a time)
    and the district officers' session cookies (signed in once, kept across shapes: a TOTP code is accepted
    once). Made before the processes are forked."""

    def __init__(self, districts: set[str]):
        context = multiprocessing.get_context("fork")
        self.manager = context.Manager()
        self.cookies = self.manager.dict()
        self.locks = {district: context.Lock() for district in districts}


_SHARED: Shared | None = (
    None  # set before the load processes are forked: locks are shared by inheritance only
)


def _load_process(base, cafile, think, users, started, start_gap, secrets) -> tuple:
    """One load process: its officers, each in its own thread, each starting at its time in the shape.
    Returns (request times, password-check times, errors, officers done)."""
    random.seed()  # a forked process would otherwise think exactly as its siblings do
    load = Load(base, cafile, think, _SHARED)
    done = []

    def job(index_item):
        index, (user, secret, district) = index_item
        delay = started + index * start_gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        load.commune(user, secret, district, secrets[district])
        done.append(user)

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        list(pool.map(job, users))
    return load.times, load.sign_in_times, load.errors, done


def count(usernames: list[str]) -> tuple[int, int, int, int]:
    """(reports, submitted, approved, submitted more than once) for these officers' agencies."""
    from lanhmanh.core.models import ChangeRecord
    from lanhmanh.reporting.models import Submission

    rows = Submission.objects.filter(
        form__code="xa-thang", period_id=PERIOD, agency__users__username__in=usernames
    ).distinct()
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    submitted: dict[str, int] = {}
    for object_id in ChangeRecord.objects.filter(
        model="reporting.submission", object_id__in=ids, action="status", after__status="submitted"
    ).values_list("object_id", flat=True):
        submitted[object_id] = submitted.get(object_id, 0) + 1
    return (
        rows.count(),
        rows.filter(first_submitted_at__isnull=False).count(),
        rows.filter(status="approved").count(),
        sum(1 for n in submitted.values() if n > 1),
    )


def start_stack(work: Path) -> tuple[object, str, str]:
    from django.conf import settings

    prod_check.WORK = work
    setup = prod_check.prepare_files()
    env, ports = setup["env"], setup["ports"]
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        SECRET_KEY=settings.SECRET_KEY,
        LANHMANH_FIELD_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        LANHMANH_BLIND_INDEX_KEY=settings.BLIND_INDEX_KEY,
        GUNICORN_WORKERS=os.environ.get("BENCH_WORKERS", "3"),
        GUNICORN_THREADS=os.environ.get("BENCH_THREADS", "8"),
        LOG_LEVEL="INFO",  # the application's request lines: the server-side timings
    )
    collected = subprocess.run(  # noqa: S603 - our manage.py
        [str(prod_check.VENV / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if collected.returncode:
        raise RuntimeError(collected.stderr[-2000:])
    stack = prod_check.Stack(env, ports)
    stack.start_all()
    base = f"https://localhost:{ports['https']}"
    prod_check.wait_healthy(stack, base)
    return stack, base, str(work / "tls.crt")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def server_times(log: Path, offset: int) -> tuple[list[float], list[float], list[float]]:
    """The application's own timings (its JSON request lines in gunicorn's log, written from ``offset``):
    (every request but the password check, the password checks, the CPU time of the former)."""
    import json

    requests, sign_ins, cpu = [], [], []
    with log.open("rb") as handle:
        handle.seek(offset)
        for raw in handle:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if line.get("message") != "request" or "duration_ms" not in line:
                continue
            if line.get("route") == "healthz":
                continue
            if line.get("method") == "POST" and line.get("route") == "dang-nhap/":
                sign_ins.append(line["duration_ms"])
            else:
                requests.append(line["duration_ms"])
                cpu.append(line.get("cpu_ms", 0.0))
    return requests, sign_ins, cpu


def shape(
    name,
    think: tuple[float, float],
    stack: tuple[str, str, Shared],
    plan,
    secrets,
    start_gap: float,
    log: Path,
    budget: int | None = BUDGET_MS,
) -> list[Result]:
    """Run one shape with the officers spread over ``BENCH_PROCESSES`` load processes (default 20: one per
    officer of the burst), each officer a thread of its process: one Python process simulating 20 officers
    queued them for its GIL (TLS and HTML parsing) and added about 140 ms to the clients' median."""
    global _SHARED  # noqa: PLW0603 - inherited by the forked load processes
    base, cafile, _SHARED = stack
    processes = max(1, min(len(plan), int(os.environ.get("BENCH_PROCESSES", "20"))))
    slices = [list(enumerate(plan))[i::processes] for i in range(processes)]
    offset = log.stat().st_size
    print(f"# {name}: load average before {load_average()}", flush=True)
    started = time.monotonic()
    samples: list[float] = []
    sampling = threading.Event()

    def sample() -> None:  # the 1-minute load average every 5 s while the shape runs
        while not sampling.wait(5):
            samples.append(float(load_average().split()[0]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    times, sign_in_times, errors, done = [], [], [], set()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = {
            pool.submit(_load_process, base, cafile, think, users, started, start_gap, secrets): users
            for users in slices
        }
        for future in as_completed(futures):
            try:
                got_times, got_sign_ins, got_errors, got_done = future.result()
            except Exception as exc:  # noqa: BLE001 - a load process that died: its officers are errors
                errors += [f"{user}: load process: {exc!r}"[:300] for _i, (user, _s, _d) in futures[future]]
                continue
            times += got_times
            sign_in_times += got_sign_ins
            errors += got_errors
            done.update(got_done)
    elapsed = time.monotonic() - started
    # Every officer is accounted for: done, or an error of its own (not both, not neither).
    failed = {message.split(":", 1)[0] for message in errors}
    missing = [user for user, _s, _d in plan if user not in done and user not in failed]
    errors += [f"{user}: no result from its load process" for user in missing]
    sampling.set()
    sampler.join()
    samples = samples or [float(load_average().split()[0])]
    reports, submitted, approved, twice = count([u for u, _s, _d in plan])
    ms = [t * 1000 for t in times]
    sign_in_ms = [t * 1000 for t in sign_in_times]
    server_ms, server_sign_in_ms, server_cpu_ms = server_times(log, offset)
    for message in errors[:5]:
        print(f"# {name} error: {message}", flush=True)
    print(
        f"# {name}: {len(plan)} communes in {processes} load processes, {len(ms)} requests in {elapsed:.0f} s "
        f"({len(ms) / max(elapsed, 1):.1f} req/s), median {statistics.median(ms) if ms else 0:.0f} ms; "
        f"load average after {load_average()}",
        flush=True,
    )
    return [
        Result(f"monthend_web_{name}_p50", round(_p(ms, 0.5), 1), "ms", None),
        Result(f"monthend_web_{name}_p95", round(_p(ms, 0.95), 1), "ms", budget),
        Result(f"monthend_web_{name}_p99", round(_p(ms, 0.99), 1), "ms", None),
        Result(f"monthend_web_{name}_max", round(max(ms, default=0), 1), "ms", None),
        Result(f"monthend_web_{name}_server_p95", round(_p(server_ms, 0.95), 1), "ms", None),
        Result(f"monthend_web_{name}_server_p99", round(_p(server_ms, 0.99), 1), "ms", None),
        Result(f"monthend_web_{name}_server_cpu_p95", round(_p(server_cpu_ms, 0.95), 1), "ms", None),
        Result(
            f"monthend_web_{name}_server_cpu_mean",
            round(statistics.fmean(server_cpu_ms or [0]), 1),
            "ms",
            None,
        ),
        Result(f"monthend_web_{name}_password_check_p95", round(_p(sign_in_ms, 0.95), 1), "ms", None),
        Result(
            f"monthend_web_{name}_password_check_server_p95",
            round(_p(server_sign_in_ms, 0.95), 1),
            "ms",
            None,
        ),
        Result(f"monthend_web_{name}_server_cpu_total", round(sum(server_cpu_ms) / 1000, 1), "s", None),
        Result(f"monthend_web_{name}_wall", round(elapsed, 1), "s", None),
        Result(f"monthend_web_{name}_throughput", round(len(ms) / max(elapsed, 1e-9), 1), "req/s", None),
        Result(f"monthend_web_{name}_load_mean", round(statistics.fmean(samples), 1), "load", None),
        Result(f"monthend_web_{name}_load_max", round(max(samples), 1), "load", None),
        Result(f"monthend_web_{name}_errors", len(errors), "count", 0),
        Result(f"monthend_web_{name}_lost", len(plan) - submitted, "reports", 0),
        Result(f"monthend_web_{name}_duplicated", twice + max(0, reports - len(plan)), "reports", 0),
        Result(f"monthend_web_{name}_not_approved", submitted - approved, "reports", 0),
    ]


def run() -> list[Result]:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("# monthend_web: PostgreSQL only (BENCH_DATABASE_URL=postgres://…)")
        return []
    limit = int(os.environ["BENCH_COMMUNES"]) if os.environ.get("BENCH_COMMUNES") else None
    plan, district_secrets = prepare(limit)
    burst_size = int(os.environ.get("BENCH_BURST", "20"))
    shapes = os.environ.get("BENCH_SHAPES", "hour,burst,saturation").split(",")
    # the last communes for the deadline shapes, each its own (a report is submitted once), the rest the hour's
    saturation = plan[-burst_size:] if "saturation" in shapes else []
    rest = plan[: len(plan) - len(saturation)]
    burst, hour = rest[-burst_size:], rest[:-burst_size]
    seconds = float(os.environ.get("BENCH_SHAPE_SECONDS", "600"))
    compression = float(os.environ.get("BENCH_THINK_COMPRESSION", "60"))
    think = (20 / compression, 60 / compression)
    work = Path(os.environ["LANHMANH_VAR_DIR"]) / "bench-monthend-web"
    stack, base, cafile = start_stack(work)
    log = work / "logs" / "gunicorn.log"
    shared = Shared({district for _u, _s, district in plan})
    load_stack = (base, cafile, shared)
    results: list[Result] = []
    print(
        f"# {len(hour)} communes over {seconds:.0f} s, think {think[0]:.1f}-{think[1]:.1f} s "
        f"(compressed {compression:g} times), then a burst of {len(burst)} at once with the same think times, "
        f"then {len(saturation)} with none (saturation); shapes: {', '.join(shapes)}",
        flush=True,
    )
    try:
        if "hour" in shapes:
            results += shape(  # one thread per officer: arrivals are never held back by the load generator
                "hour", think, load_stack, hour, district_secrets, seconds / max(len(hour), 1), log
            )
        if "burst" in shapes:
            results += shape("burst", think, load_stack, burst, district_secrets, 0, log)
        if "saturation" in shapes:
            results += shape(
                "saturation", (0, 0), load_stack, saturation, district_secrets, 0, log, budget=None
            )
    finally:
        stack.stop()
        shared.manager.shutdown()
    return results
