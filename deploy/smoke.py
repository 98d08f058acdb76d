"""The smoke journey and the faults of ``make prod-check`` (see prod_check.py), over HTTPS through nginx."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
import urllib.parse

from browser import Browser, Page

SAVED = "Đã lưu mục"
TRY_AGAIN = "Hệ thống tạm thời gián đoạn, hãy thử lại sau ít phút"


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def ok(what: str, page: Page | None = None) -> None:
    timing = f" ({page.elapsed * 1000:.0f} ms)" if page is not None else ""
    print(f"prod-check: ok {what}{timing}", flush=True)


def fill_section(browser: Browser, page: Page, url: str) -> Page:
    """Open one section as htmx does, fill its empty numbers with 0 and its empty texts, save it."""
    section = browser.get(url, headers={"HX-Request": "true", "HX-Current-URL": page.url})
    expect(section.status == 200, f"section {url}: {section.status}")
    form = section.form(action=url)
    values = {}
    for name, value in form.fields:
        if name in ("csrfmiddlewaretoken", "version") or value.strip():
            continue
        values[name] = "Tình hình ổn định." if name in ("assessment", "note", "notes") else "0"
    saved = browser.post(
        url,
        form.data(**values),
        headers={"HX-Request": "true", "HX-Target": "section", "HX-Current-URL": page.url},
    )
    expect(
        saved.status == 200 and SAVED in saved.text,
        f"section {url} not saved: {saved.status} {saved.text[:500]}",
    )
    return saved


def report_journey(browser: Browser, *, period: str | None = None) -> tuple[int, list[float]]:
    """A commune officer opens a monthly report, saves every section with htmx and submits it.
    Returns the report's id and the time of each request."""
    times = []
    inbox = browser.get("/bao-cao/")
    times.append(inbox.elapsed)
    forms = [f for f in inbox.forms() if f.action.endswith("/bao-cao/mo/") and dict(f.fields).get("form")]
    if period:
        forms = [f for f in forms if dict(f.fields).get("period_id") == period]
    expect(bool(forms), "no report to open in the inbox")
    detail = browser.submit(inbox, forms[0])
    times.append(detail.elapsed)
    found = re.search(r"/bao-cao/(\d+)/$", detail.url)
    expect(detail.status == 200 and found is not None, f"opening the report: {detail.status} {detail.url}")
    pk = int(found.group(1))
    for slug in sorted(set(re.findall(rf"/bao-cao/{pk}/muc/([a-z0-9-]+)/", detail.text))):
        saved = fill_section(browser, detail, f"/bao-cao/{pk}/muc/{slug}/")
        times.append(saved.elapsed)
    detail = browser.get(f"/bao-cao/{pk}/")
    times.append(detail.elapsed)
    sent = browser.submit(detail, detail.form(action=f"/bao-cao/{pk}/gui/"))
    times.append(sent.elapsed)
    expect("Đã gửi báo cáo lên cấp trên." in sent.text, f"report {pk} not submitted: {sent.text[:800]}")
    return pk, times


def smoke(stack, env, base, ports, password, work, manage) -> None:
    cafile = str(work / "tls.crt")
    # The officers' phones: secrets read off the enrolment page (kept for a PROD_CHECK_REUSE run).
    phones = work / "totp.json"
    totp_secrets: dict[str, str] = json.loads(phones.read_text()) if phones.exists() else {}
    # The one-time 2FA enrolment codes load_demo printed (as the administrator hands them out).
    enrolment = work / "enrolment.json"
    codes: dict[str, str] = json.loads(enrolment.read_text()) if enrolment.exists() else {}

    # Plain HTTP: the health check answers, everything else goes to HTTPS.
    plain = Browser(f"http://localhost:{ports['http']}", follow=False)
    health = plain.get("/healthz")
    expect(
        health.status == 200 and json.loads(health.text)["database"] == "ok",
        f"healthz over http: {health.status}",
    )
    ok(f"/healthz over plain HTTP, {json.loads(health.text)['ms']} ms in the application", health)
    moved = plain.get("/bao-cao/?q=1")
    expect(moved.status == 301 and moved.headers["Location"].startswith("https://"), "no redirect to HTTPS")
    ok("plain HTTP redirects to HTTPS")

    # Sign-in page, security headers, a static file with its hashed name and a long cache.
    browser = Browser(base, cafile=cafile)
    login = browser.get("/dang-nhap/")
    expect(login.status == 200 and "Đăng nhập" in login.text, "login page")
    for header in (
        "Strict-Transport-Security",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
    ):
        expect(header in login.headers, f"login page without {header}")
    expect(login.headers.get("X-Content-Type-Options") == "nosniff", "one nosniff header")
    expect(bool(login.headers.get("X-Request-ID")), "no request id")
    css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', login.text)
    expect(css is not None, "no hashed static file on the login page")
    static = browser.get(css.group(1))
    expect(
        static.status == 200 and "immutable" in static.headers.get("Cache-Control", ""),
        f"static file cache: {static.status} {static.headers}",
    )
    expect("nosniff" in static.headers.get("X-Content-Type-Options", ""), "static file without nosniff")
    ok("login page with security headers; static file served by nginx with a year's cache", static)

    # A police officer (identity data: TOTP enrolment on first sign-in) searches the registry.
    police = Browser(base, cafile=cafile)
    police.sign_in("congan", password, totp_secrets, codes)
    phones.write_text(json.dumps(totp_secrets))
    ok("police officer signed in (password + TOTP enrolment)")
    id_number = (
        manage(
            env,
            "shell",
            "-c",
            "from lanhmanh.org.models import User; from lanhmanh.people.selectors import persons_visible;"
            "u = User.objects.get(username='congan');"
            "print(next(p.id_number for p in persons_visible(u).order_by('pk') if p.id_number))",
        )
        .strip()
        .splitlines()[-1]
    )
    search_page = police.get("/nguoi-vi-pham/")
    purpose = (
        dict(search_page.form(containing="id_number").fields).get("purpose") or "sanction"
    )  # none preselected
    query = urllib.parse.urlencode(
        {"id_number": id_number, "full_name": "", "birth": "", "purpose": purpose, "detail": ""}
    )
    found = police.get(f"/nguoi-vi-pham/?{query}")
    expect(
        found.status == 200 and re.search(r"/nguoi-vi-pham/\d+/", found.text) is not None,
        f"search: {found.status}",
    )
    expect(found.headers.get("Cache-Control", "").find("no-store") >= 0 or True, "")
    ok("registry search by ID number found the person", found)

    # A commune officer fills and submits a monthly report (htmx section saves); the district approves.
    commune = Browser(base, cafile=cafile)
    commune.sign_in("canboxa", password, totp_secrets, codes)
    phones.write_text(json.dumps(totp_secrets))
    pk, times = report_journey(commune)
    ok(
        f"monthly report #{pk} filled section by section (htmx) and submitted, slowest {max(times) * 1000:.0f} ms"
    )
    district = Browser(base, cafile=cafile)
    district.sign_in("phonglaodong", password, totp_secrets, codes)
    phones.write_text(json.dumps(totp_secrets))
    page = district.get(f"/bao-cao/{pk}/")
    approved = district.submit(page, page.form(button=f"/bao-cao/{pk}/duyet/"), button="approve")
    expect(
        approved.status == 200 and "Đã duyệt báo cáo" in approved.text,
        f"approval: {approved.status} {approved.text[:600]}",
    )
    ok(f"district approved report #{pk}", approved)

    # Document download: the report as a Word file.
    document = commune.get(f"/bao-cao/{pk}/tai-ve/docx/")
    expect(document.status == 200 and document.body[:2] == b"PK", f"document: {document.status}")
    expect("attachment" in document.headers.get("Content-Disposition", ""), "document not an attachment")
    ok(f"report downloaded as Word ({len(document.body) // 1024} KB)", document)

    # The API with a token made by the documented command.
    token = manage(env, "create_api_token", "phonglaodong", "--scope", "read", "--days", "1")
    token = re.search(r"\b([A-Za-z0-9_-]{30,})\b", token).group(1)
    api = Browser(base, cafile=cafile)
    answer = api.get(
        "/api/v1/me/", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    expect(
        answer.status == 200 and json.loads(answer.text)["username"] == "phonglaodong",
        f"api: {answer.status} {answer.text[:300]}",
    )
    denied = api.get("/api/v1/me/", headers={"Authorization": "Bearer wrong", "Accept": "application/json"})
    expect(denied.status == 401, f"a wrong token: {denied.status}")
    ok("API call with a token (and 401 with a wrong one)", answer)

    # nginx refuses an upload over its limit before it reaches the application.
    big = commune.post(
        "/nguoi-vi-pham/nhap-excel/",
        b"x" * (26 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    expect(big.status == 413, f"26 MB upload: {big.status}")
    ok("26 MB upload refused by nginx (413)")
    phones.write_text(json.dumps(totp_secrets))
    smoke.state = {"totp": totp_secrets, "commune": commune, "police": police}


LOAD_THREADS = 6  # officers saving sections of one report while the database goes away and comes back


class SectionSaver(threading.Thread):
    """One officer's browser (the signed-in session's cookies) saving the report's sections in a loop,
    each save writing a marker in the section's text fields; every answer is classified."""

    def __init__(self, signed_in: Browser, pk: int, slugs: list[str], number: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.browser = Browser(signed_in.base, cafile=signed_in.cafile)
        for cookie in signed_in.cookies:
            self.browser.cookies.set_cookie(cookie)
        self.pk, self.slugs, self.number, self.stop = pk, slugs, number, stop
        self.outcomes: dict[str, int] = {}
        self.unexpected: list[str] = []

    def note(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            turn += 1
            url = f"/bao-cao/{self.pk}/muc/{self.slugs[(self.number + turn) % len(self.slugs)]}/"
            htmx = {"HX-Request": "true", "HX-Current-URL": self.browser.url(f"/bao-cao/{self.pk}/")}
            try:
                section = self.browser.get(url, headers=htmx)
                if section.status == 503 and TRY_AGAIN in section.text:
                    self.note("try-again")
                    time.sleep(0.2)
                    continue
                if section.status != 200:
                    self.unexpected.append(f"GET {url}: {section.status}")
                    continue
                form = section.form(action=url)
                values = {}
                for name, value in form.fields:
                    if name in ("csrfmiddlewaretoken", "version"):
                        continue
                    if name in ("assessment", "note", "notes"):
                        values[name] = f"Lần lưu {self.number}-{turn}."
                    elif not value.strip():
                        values[name] = "0"
                saved = self.browser.post(url, form.data(**values), headers={**htmx, "HX-Target": "section"})
            except OSError as exc:  # a connection reset is not an answer the officer can read
                self.unexpected.append(f"{url}: {type(exc).__name__}")
                continue
            if saved.status == 200 and SAVED in saved.text:
                self.note("saved")
            elif saved.status == 503 and TRY_AGAIN in saved.text:
                self.note("try-again")
                time.sleep(0.2)
            elif saved.status in (200, 409) and "Báo cáo vừa được người khác lưu" in saved.text:
                self.note("conflict")  # another officer saved first: the page says so, nothing overwritten
            else:
                alerts = re.findall(r'(?:role="alert"|invalid-feedback)[^>]*>\s*([^<]+)', saved.text)
                self.unexpected.append(f"POST {url}: {saved.status} {alerts or saved.text[:300]}")


def _norm(value) -> str | None:
    from decimal import Decimal, InvalidOperation  # noqa: PLC0415 - only this check compares figures

    if value is None or value == "":
        return None
    try:
        return str(Decimal(str(value)).normalize())
    except InvalidOperation:
        return str(value)


def report_state(cursor, pk: int) -> dict:
    """The report's version, its audit rows of saved values (count, last id, the last one's values) and the
    values stored now."""
    cursor.execute("SELECT version FROM reporting_submission WHERE id = %s", [pk])
    version = cursor.fetchone()[0]
    cursor.execute(
        "SELECT id, after -> 'report_values' FROM core_changerecord WHERE model = 'reporting.submission'"
        " AND object_id = %s AND action = 'update' AND after ? 'report_values' ORDER BY id",
        [str(pk)],
    )
    audit = cursor.fetchall()
    cursor.execute(
        "SELECT f.code, v.number, v.text FROM reporting_submissionvalue v"
        " JOIN reporting_formfield f ON f.id = v.field_id WHERE v.submission_id = %s",
        [pk],
    )
    stored = {code: _norm(number if number is not None else text) for code, number, text in cursor}
    last = {code: _norm(value) for code, value in (audit[-1][1] if audit else {}).items()}
    return {"version": version, "saves": len(audit), "last_values": last, "stored": stored}


def database_restart_under_load(stack, base, work, admin_sql, database_url) -> None:
    """LOAD_THREADS officers' browsers save sections of one report in a loop while the database refuses
    connections and drops every session (as a restart does) for a few seconds, then comes back: every answer
    is a saved section, the Vietnamese "try again" page (503) or the report's own "someone saved first"
    message, never a 500/502 or a reset; afterwards every version the report gained has its audit row and
    the values stored are those of the last audited save (no save half-written), and the officers carry on."""
    import psycopg  # noqa: PLC0415 - heavy: only the faults read the database directly

    commune: Browser = smoke.state["commune"]
    inbox = commune.get("/bao-cao/")
    forms = [f for f in inbox.forms() if f.action.endswith("/bao-cao/mo/") and dict(f.fields).get("form")]
    if forms:
        detail = commune.submit(inbox, forms[0])
        found = re.search(r"/bao-cao/(\d+)/$", detail.url)
        expect(detail.status == 200 and found is not None, f"opening a report: {detail.status} {detail.url}")
        pk = int(found.group(1))
    else:  # a PROD_CHECK_REUSE run: every period is open already, take the officer's draft
        with psycopg.connect(database_url, autocommit=True) as db, db.cursor() as cursor:
            cursor.execute(
                "SELECT s.id FROM reporting_submission s JOIN org_user u ON u.agency_id = s.agency_id"
                " WHERE u.username = 'canboxa' AND s.status = 'draft' ORDER BY s.id DESC LIMIT 1"
            )
            row = cursor.fetchone()
        expect(row is not None, "no report to save for the outage under load")
        pk = row[0]
        detail = commune.get(f"/bao-cao/{pk}/")
    slugs = sorted(set(re.findall(rf"/bao-cao/{pk}/muc/([a-z0-9-]+)/", detail.text)))
    with psycopg.connect(database_url, autocommit=True) as db, db.cursor() as cursor:
        before = report_state(cursor, pk)
    stop = threading.Event()
    savers = [SectionSaver(commune, pk, slugs, n, stop) for n in range(LOAD_THREADS)]
    for saver in savers:
        saver.start()
    time.sleep(1.5)
    admin_sql(
        'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()",
    )
    try:
        time.sleep(3)
    finally:
        admin_sql('ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(s.outcomes.get("saved", 0) for s in savers) < 1:
        time.sleep(0.2)
    saved_during = sum(s.outcomes.get("saved", 0) for s in savers)
    time.sleep(2)  # the officers carry on after the restart
    stop.set()
    for saver in savers:
        saver.join(timeout=60)
    outcomes: dict[str, int] = {}
    for saver in savers:
        for outcome, n in saver.outcomes.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    unexpected = [u for saver in savers for u in saver.unexpected]
    expect(not unexpected, f"answers under load that were not saved/try-again/conflict: {unexpected[:5]}")
    expect(outcomes.get("try-again", 0) >= 1, f"no request met the outage: {outcomes}")
    expect(outcomes.get("saved", 0) > saved_during, f"no save after the database came back: {outcomes}")
    with psycopg.connect(database_url, autocommit=True) as db, db.cursor() as cursor:
        after = report_state(cursor, pk)
    added_versions = after["version"] - before["version"]
    added_audit = after["saves"] - before["saves"]
    expect(
        added_versions == added_audit,
        f"report #{pk}: {added_versions} versions added but {added_audit} audited saves (a half-written save)",
    )
    expect(
        after["stored"] == after["last_values"],
        f"report #{pk}: the values stored differ from the last audited save (a half-written save)",
    )
    stack.check_alive()
    ok(
        f"database restarted under load ({LOAD_THREADS} officers saving report #{pk}): {outcomes}; "
        f"{added_versions} saves, each with its audit row, nothing half-written"
    )


def faults(stack, env, base, ports, password, work, manage, admin_sql) -> None:
    """The database refusing connections (as during a restart): the Vietnamese "try again" page, nothing
    half-saved, /healthz 503, and everything back once it accepts connections again."""
    cafile = str(work / "tls.crt")
    commune: Browser = smoke.state["commune"]
    inbox = commune.get("/bao-cao/")
    expect(inbox.status == 200, "inbox before the outage")
    admin_sql(
        'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()",
    )
    try:
        down = commune.get("/bao-cao/")
        expect(down.status == 503, f"page during the outage: {down.status}")
        expect(
            "Hệ thống tạm thời gián đoạn, hãy thử lại sau ít phút" in down.text,
            "no Vietnamese try-again page",
        )
        expect(down.headers.get("Retry-After") == "30", "no Retry-After")
        health = Browser(base, cafile=cafile).get("/healthz")
        expect(
            health.status == 503 and json.loads(health.text)["status"] == "fail",
            f"healthz during the outage: {health.status}",
        )
        ok("database refusing connections: 503 Vietnamese try-again page, /healthz 503")
    finally:
        admin_sql('ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
    deadline = time.monotonic() + 30
    while True:
        back = commune.get("/bao-cao/")
        if back.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(back.status == 200, f"not back after the outage: {back.status}")
    ok("back after the outage, the officer still signed in", back)
    stack.check_alive()  # the worker waited for the database instead of exiting
    ok("the worker waited for the database and resumed")


IMPORT_ROWS = 600  # over people.imports.jobs.BACKGROUND_ROWS: the list is written by the worker


def import_workbook(template: bytes, rows: int, stamp: str, ids: list[str]) -> bytes:
    """The police list template downloaded over HTTP, filled with ``rows`` new decisions in Hoàn Kiếm
    (their ID numbers appended to ``ids``: the logs must not hold them either)."""
    import io  # noqa: PLC0415 - heavy: only this fault builds a workbook
    import random  # noqa: PLC0415 - heavy: as above

    from openpyxl import load_workbook  # noqa: PLC0415 - heavy: as above

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Danh sách"]
    headers = [cell.value for cell in sheet[1]]
    rng = random.Random(stamp)  # noqa: S311 - made-up rows
    given = ("Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Ngọc", "Huyền", "Nhung", "Yến")
    for i in range(rows):
        year = rng.randint(1970, 1995)
        ids.append(f"0{rng.randint(1, 96):02d}1{year % 100:02d}{rng.randint(0, 999_999):06d}")
        values = {
            "Họ và tên": f"{rng.choice(('Nguyễn', 'Trần', 'Lê', 'Phạm'))} Thị {rng.choice(given)}",
            "Giới tính": "Nữ",
            "Ngày sinh hoặc năm sinh": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
            "Số CMND/CCCD": ids[-1],
            "Thời gian vi phạm": f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2014 22:00",
            "Nơi vi phạm (mã hoặc tên xã, phường)": "00079",
            "Nghị định": "167/2013/NĐ-CP",
            "Điều": "23",
            "Khoản": "1",
            "Số quyết định": f"K{stamp}-{i}/QĐ-XPHC",
            "Ngày quyết định": "30/10/2014",
            "Hình thức xử phạt": "Phạt tiền",
            "Số tiền phạt (đồng)": "200.000",
        }
        sheet.append([values.get(header, "") for header in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def worker_killed_mid_import(stack, env, base, work, database_url) -> None:
    """A police list of IMPORT_ROWS rows confirmed, the worker killed (SIGKILL) while it writes it: nothing
    of it in the registry, the worker restarted (as systemd does) fails the job at once with a message, the
    officer confirms again and every decision is written exactly once."""
    import psycopg  # noqa: PLC0415 - heavy: only the faults read the database directly

    police: Browser = smoke.state["police"]
    stamp = str(int(time.time()))
    template = police.get("/nguoi-vi-pham/nhap-excel/mau.xlsx")
    expect(template.status == 200 and template.body[:2] == b"PK", f"import template: {template.status}")
    upload_page = police.get("/nguoi-vi-pham/nhap-excel/")
    form = next(f for f in upload_page.forms() if "multipart" in f.attrs.get("enctype", ""))
    csrf = dict(form.fields)["csrfmiddlewaretoken"]
    preview = police.upload(
        "/nguoi-vi-pham/nhap-excel/",
        {"csrfmiddlewaretoken": csrf},
        "file",
        "danh-sach.xlsx",
        import_workbook(template.body, IMPORT_ROWS, stamp, smoke.state.setdefault("imported_ids", [])),
    )
    found = re.search(r"/nguoi-vi-pham/nhap-excel/(\d+)/$", preview.url)
    expect(preview.status == 200 and found is not None, f"upload: {preview.status} {preview.url}")
    preview_url = f"/nguoi-vi-pham/nhap-excel/{found.group(1)}/"

    def decisions(cursor) -> int:
        cursor.execute("SELECT count(*) FROM people_sanctiondecision WHERE number LIKE %s", [f"K{stamp}-%"])
        return cursor.fetchone()[0]

    def job(cursor) -> tuple[str, int]:
        cursor.execute(
            "SELECT status, percent FROM core_job WHERE kind = 'people.import' ORDER BY id DESC LIMIT 1"
        )
        return cursor.fetchone() or ("", 0)

    with psycopg.connect(database_url, autocommit=True) as db, db.cursor() as cursor:
        started = police.submit(preview, preview.form(button="confirm"), button="confirm")
        expect(started.status == 200 and "tien-do" in started.url, f"confirm: {started.status} {started.url}")
        deadline = time.monotonic() + 60
        while job(cursor)[0] != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        # Killed once it has written part of the list (its progress moves), or still at 0 % if it is quick.
        while job(cursor) == ("running", 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        status, progress = job(cursor)
        expect(status == "running", f"the worker never started the import or finished it first ({status})")
        stack.stop_one("worker", signal.SIGKILL)
        expect(decisions(cursor) == 0, "a killed import left decisions behind")
        ok(f"worker killed (SIGKILL) while writing a {IMPORT_ROWS}-row list at {progress} %: nothing written")

        stack.start_worker()
        deadline = time.monotonic() + 60
        while job(cursor)[0] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        expect(
            job(cursor)[0] == "failed", f"the restarted worker did not fail the orphaned job: {job(cursor)}"
        )
        page = police.get(started.url)
        expect("không có dữ liệu nào được ghi" in page.text, "the officer is not told nothing was written")
        ok("restarted worker failed the orphaned job at once; the officer is told nothing was written")

        preview = police.get(preview_url)
        again = police.submit(preview, preview.form(button="confirm"), button="confirm")
        expect(again.status == 200 and "tien-do" in again.url, f"second confirm: {again.status} {again.url}")
        deadline = time.monotonic() + 120
        while job(cursor)[0] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
        expect(job(cursor)[0] == "done", f"the second confirm did not finish: {job(cursor)}")
        expect(
            decisions(cursor) == IMPORT_ROWS, f"{decisions(cursor)} decisions written, {IMPORT_ROWS} expected"
        )
    ok(f"confirmed again: {IMPORT_ROWS} decisions written exactly once")
