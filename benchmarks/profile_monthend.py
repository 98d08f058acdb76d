#!/usr/bin/env python
"""The CPU cost of each step of the month-end journey, in one process, with the production settings.

``DATABASE_URL=postgres://… .venv/bin/python benchmarks/profile_monthend.py [N] [--profile STEP]``

Runs the journey of ``bench_monthend_web`` (sign-in page, password, TOTP code and the home page it leads to,
the inbox, open, the report page, each section opened and saved with htmx, submit, the district's
officer opening and approving) for N communes (default 10) through Django's test client, with
``LANHMANH_ENV=production`` (secrets generated for the run, static files collected into a temporary
folder), and prints per step the mean CPU milliseconds of this process (``time.process_time``: the
server's work without the network, nginx and a busy machine's waits) and the mean number of queries.
The first commune is a warm-up and is not counted (imports, template compilation, connection). The test client
checks no CSRF token (a few microseconds a post) and every step's redirect is followed, as a browser does.
``--profile STEP`` prints a sampling profile of that step (e.g. ``detail``; the functions on the stack while it
computes, the samples where it waits for PostgreSQL counted apart); ``PROFILE_SQL=STEP`` prints each query of the
step's first request with the frames of our code that asked for it; ``PROFILE_SRC`` runs another checkout's ``src/``
(a before/after on the same machine at the same time: run both in turn, a shared machine's load moves the figures).
The password check (argon2, slow by design) is counted apart. The database must hold the reference data
(a run of ``benchmarks/run.py monthend_web`` on it leaves them); reports of the period are deleted first.
"""

from __future__ import annotations

import collections
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def setup(var_dir: Path) -> None:
    from cryptography.fernet import Fernet

    os.environ.update(
        LANHMANH_ENV="production",
        LANHMANH_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        LANHMANH_FIELD_KEYS=Fernet.generate_key().decode(),
        LANHMANH_BLIND_INDEX_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver",
        TASKS_BACKEND="database",
        LOG_FORMAT="json",
        LOG_LEVEL="WARNING",  # the access lines are still formatted (their logger is at INFO), then dropped
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DJANGO_SETTINGS_MODULE="lanhmanh.config.settings",
    )
    # PROFILE_SRC: another checkout's src/ (an earlier commit's, for a before/after on the same machine).
    sys.path[:0] = [os.environ.get("PROFILE_SRC", str(ROOT / "src")), str(HERE), str(ROOT / "deploy")]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)


class Sampler(threading.Thread):
    """A sampling profiler of the main thread while a step runs (every millisecond): which functions are on
    the stack when it is computing, leaving out the samples where it waits for PostgreSQL."""

    def __init__(self):
        super().__init__(daemon=True)
        self.active = False
        self.main = threading.main_thread().ident
        self.stacks: collections.Counter = collections.Counter()
        self.waiting = 0
        # The sampler waits for the GIL: a short switch interval makes the main thread hand it over within
        # 0.1 ms at any bytecode, not only where it releases it (I/O), so the samples are not biased to those.
        sys.setswitchinterval(0.0001)
        self.start()

    def run(self):
        while True:
            time.sleep(0.001)
            if not self.active:
                continue
            frame = sys._current_frames().get(self.main)
            stack = []
            while frame is not None:
                code = frame.f_code
                stack.append(
                    f"{Path(code.co_filename).parent.name}/{Path(code.co_filename).name}:{code.co_name}"
                )
                frame = frame.f_back
            if stack and (
                "psycopg" in stack[0] or "waiting.py" in stack[0] or "wait" in stack[0].rsplit(":", 1)[-1]
            ):
                self.waiting += 1
                continue
            self.stacks[tuple(reversed(stack))] += 1

    def report(self, top: int = 60) -> None:
        total = sum(self.stacks.values())
        inclusive: collections.Counter = collections.Counter()
        own: collections.Counter = collections.Counter()
        for stack, n in self.stacks.items():
            for name in set(stack):
                inclusive[name] += n
            own[stack[-1]] += n
        print(f"# samples computing {total}, waiting for the database {self.waiting}")
        print("# inclusive (share of computing samples with the function on the stack):")
        for name, n in inclusive.most_common(top):
            print(f"{100 * n / total:5.1f}% {name}")
        print("# own (leaf):")
        for name, n in own.most_common(25):
            print(f"{100 * n / total:5.1f}% {name}")


class Steps:
    def __init__(self, profile: str | None):
        self.cpu: dict[str, list[float]] = collections.defaultdict(list)
        self.queries: dict[str, list[int]] = collections.defaultdict(list)
        self.profile_step = profile
        self.sampler = Sampler()
        self.counting = True

    def run(self, name: str, call):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        profiling = name == self.profile_step and self.counting
        wrapper = _where if self.counting and name == os.environ.get("PROFILE_SQL") else _nothing
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(wrapper):
            started = time.process_time()
            if profiling:
                self.sampler.active = True
            response = call()
            if profiling:
                self.sampler.active = False
            spent = time.process_time() - started
        if self.counting and name == os.environ.get("PROFILE_SQL") and not self.queries[name]:
            for query in queries.captured_queries:
                print(f"SQL {name}: {query['sql'][:300]}")
        if self.counting:
            self.cpu[name].append(spent * 1000)
            self.queries[name].append(len(queries))
        return response


def _nothing(execute, sql, params, many, context):
    return execute(sql, params, many, context)


def _where(execute, sql, params, many, context):
    """Print where a query of the step asked for comes from (the innermost frames of our code)."""
    import traceback

    frames = [
        f for f in traceback.extract_stack() if "/lanhmanh/" in f.filename or "/templates/" in f.filename
    ]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-4:]))
    print(f"FROM {sql[:60]!r}: {where}")
    return execute(sql, params, many, context)


def journey(steps: Steps, commune: tuple[str, str, str], district_secret: str, approvers: dict) -> None:
    from bench_monthend_web import PASSWORD, PERIOD
    from browser import totp

    username, secret, district = commune
    client = _client()

    def check(response, what: str, status: int = 200):
        if response.status_code != status:
            raise AssertionError(f"{username}: {what} {response.status_code}")
        return response

    def sign_in(browser, user: str, code_secret: str) -> None:
        check(steps.run("sign-in page", lambda: browser.get("/dang-nhap/")), "sign-in page")
        started = time.process_time()
        page = browser.post("/dang-nhap/", {"username": user, "password": PASSWORD}, follow=True)
        steps.cpu["(password check)"].append((time.process_time() - started) * 1000)
        check(page, "password")
        page = steps.run(
            "TOTP + home",
            lambda: browser.post("/xac-thuc-hai-buoc/", {"token": totp(code_secret)}, follow=True),
        )
        if page.redirect_chain[-1][0] != "/":
            raise AssertionError(f"{user}: TOTP {page.redirect_chain}")

    sign_in(client, username, secret)
    check(steps.run("inbox", lambda: client.get("/bao-cao/")), "inbox")
    opened = steps.run(
        "open",
        lambda: client.post("/bao-cao/mo/", {"form": "xa-thang", "period_id": PERIOD}, follow=True),
    )
    url = opened.redirect_chain[-1][0]
    pk = int(re.search(r"/bao-cao/(\d+)/$", url).group(1))
    htmx = {"HX-Request": "true", "HX-Current-URL": f"https://testserver{url}"}
    for slug in sorted(set(re.findall(rf"/bao-cao/{pk}/muc/([a-z0-9-]+)/", opened.content.decode()))):
        section_url = f"/bao-cao/{pk}/muc/{slug}/"
        section = check(
            steps.run("section GET", lambda u=section_url: client.get(u, headers=htmx)), "section"
        )
        values = _section_values(section.content.decode(), section_url)
        saved = steps.run(
            "section save",
            lambda u=section_url, v=values: client.post(u, v, headers={**htmx, "HX-Target": "section"}),
        )
        if "Đã lưu mục" not in saved.content.decode():
            raise AssertionError(f"{username}: section {slug} not saved")
    detail = check(steps.run("detail", lambda: client.get(f"/bao-cao/{pk}/")), "detail")
    data = _page(detail, url).form(action=f"/bao-cao/{pk}/gui/").data()
    sent = steps.run("submit", lambda: client.post(f"/bao-cao/{pk}/gui/", data, follow=True))
    if "Đã gửi báo cáo lên cấp trên." not in sent.content.decode():
        raise AssertionError(f"{username}: not submitted")
    approver = approvers.get(district)
    if approver is None:
        approver = approvers[district] = _client()
        sign_in(approver, district, district_secret)
    page = check(steps.run("district detail", lambda: approver.get(f"/bao-cao/{pk}/")), "district detail")
    data = _page(page, url).form(button=f"/bao-cao/{pk}/duyet/").data()
    approved = steps.run("approve", lambda: approver.post(f"/bao-cao/{pk}/duyet/", data, follow=True))
    if "Đã duyệt báo cáo" not in approved.content.decode():
        raise AssertionError(f"{district}: not approved")


_HANDLER = None


def _client():
    """A test client over HTTPS (as nginx says) sharing one handler: each new client would otherwise load
    the middleware again (WhiteNoise reads every static file's headers), which a server does once."""
    global _HANDLER  # noqa: PLW0603 - one handler for the run
    from django.test import Client
    from django.test.client import ClientHandler

    client = Client(headers={"x-forwarded-proto": "https"})
    _HANDLER = _HANDLER or ClientHandler(enforce_csrf_checks=False)
    client.handler = _HANDLER
    return client


def _page(response, url: str):
    from browser import Page

    return Page(response.status_code, "https://testserver" + url, response.content.decode(), {}, b"", 0)


def _section_values(text: str, url: str) -> dict:
    """The section form's fields as the load's browser fills them (empty numbers 0, empty texts a sentence)."""
    from browser import Page

    form = Page(200, "https://testserver" + url, text, {}, b"", 0).form(action=url)
    values = {}
    for name, value in form.fields:
        if name in ("csrfmiddlewaretoken", "version") or value.strip():
            continue
        values[name] = "Tình hình ổn định." if name in ("assessment", "note", "notes") else "0"
    return form.data(**values)


def main(argv: list[str]) -> int:
    profile = None
    if "--profile" in argv:
        at = argv.index("--profile")
        profile = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    count = int(argv[0]) if argv else 10
    setup(Path(tempfile.mkdtemp(prefix="lanhmanh-profile-")))
    from bench_monthend_web import prepare

    plan, district_secrets = prepare(count + 1)
    steps = Steps(profile)
    approvers: dict = {}
    for index, commune in enumerate(plan):
        steps.counting = index > 0
        if index == 1:
            approvers.clear()  # the districts' sign-ins are counted too (TOTP codes: the next window)
            time.sleep(31 - time.time() % 30)
        journey(steps, commune, district_secrets[commune[2]], approvers)
    print(f"# {count} communes (after one warm-up), LANHMANH_ENV=production, CPU of this process")
    print(f"{'step':<20} {'n':>4} {'CPU ms mean':>12} {'queries mean':>13}")
    for name, values in steps.cpu.items():
        queries = steps.queries.get(name)
        mean_queries = f"{sum(queries) / len(queries):13.1f}" if queries else f"{'-':>13}"
        print(f"{name:<20} {len(values):>4} {sum(values) / len(values):12.1f} {mean_queries}")
    journey_steps = [v for k, v in steps.cpu.items() if not k.startswith("(")]
    total = sum(sum(v) for v in journey_steps)
    print(
        f"{'all but password':<20} {sum(len(v) for v in journey_steps):>4} {total / sum(len(v) for v in journey_steps):12.1f}"
    )
    if profile:
        steps.sampler.report()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
