"""``make prod-check``: start the production stack on this machine and check it over HTTP.

1. A fresh PostgreSQL database (``PROD_CHECK_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/lanhmanh_prodcheck``), a self-signed certificate and new keys in
   ``var/prod-check/``; ``LANHMANH_ENV=production`` for every command below.
2. The documented preparation: ``migrate``, ``collectstatic``, ``check --deploy``, then the demo.
3. gunicorn with ``deploy/gunicorn.conf.py``, the worker (``run_worker``) and Debian's nginx running
   ``deploy/nginx/lanhmanh.conf`` (ports and paths rewritten for the temporary directory).
4. Waits for ``/healthz``, then a smoke journey over HTTPS through nginx (see ``smoke``), and faults:
   the database refusing connections (503 "try again" page, nothing half-saved, recovery), the same under
   load (six officers saving one report's sections throughout: every answer saved / try-again / "someone
   saved first", each version with its audit row, the stored values those of the last audited save), an
   upload over nginx's limit, the worker killed (SIGKILL) in the middle of a 600-row import (nothing written, the
   restarted worker fails the job at once, a second confirm writes every row exactly once).
5. Greps every log line written (gunicorn, worker, nginx) for the demo's names and ID numbers and the
   imported list's ID numbers.
6. Stops everything it started, even on failure (``finally``); the database is left for inspection and
   recreated by the next run.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from browser import Browser  # noqa: E402

WORK = ROOT / "var" / "prod-check"
VENV = ROOT / ".venv" / "bin"
DATABASE_URL = os.environ.get(
    "PROD_CHECK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lanhmanh_prodcheck"
)
DEMO_PASSWORD = None  # read from load_demo's output


def step(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(*statements: str) -> None:
    """Run statements on the server's maintenance database (create/drop/allow connections)."""
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.replace("{db}", name))


def database_name() -> str:
    return DATABASE_URL.rsplit("/", 1)[1]


def prepare_files() -> dict:
    if WORK.exists():
        shutil.rmtree(WORK)
    (WORK / "logs").mkdir(parents=True)
    (WORK / "tmp").mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(WORK / "tls.key"), "-out", str(WORK / "tls.crt"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    from cryptography.fernet import Fernet

    ports = {"app": free_port(), "https": free_port(), "http": free_port()}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(WORK),
        "LANG": "C.UTF-8",
        "LANHMANH_ENV": "production",
        "LANHMANH_VAR_DIR": str(WORK / "var"),
        "UPLOAD_ROOT": str(WORK / "var" / "uploads"),
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LANHMANH_FIELD_KEYS": Fernet.generate_key().decode(),
        "LANHMANH_BLIND_INDEX_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://localhost:{ports['https']}",
        "TASKS_BACKEND": "database",
        "LOG_FORMAT": "json",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "GUNICORN_BIND": f"127.0.0.1:{ports['app']}",
        "GUNICORN_WORKERS": os.environ.get("PROD_CHECK_WORKERS", "3"),
    }
    return {"env": env, "ports": ports}


def manage(env: dict, *arguments: str, log: str | None = None) -> str:
    result = subprocess.run(
        [str(VENV / "python"), "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if log:
        (WORK / "logs" / log).write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(arguments)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def nginx_config(ports: dict) -> Path:
    site = (ROOT / "deploy" / "nginx" / "lanhmanh.conf").read_text(encoding="utf-8")
    replacements = [
        ("  listen [::]:80;\n", ""),
        ("  listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;"),
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{ports['app']}"),
        ("/etc/ssl/lanhmanh/lanhmanh.crt", str(WORK / "tls.crt")),
        ("/etc/ssl/lanhmanh/lanhmanh.key", str(WORK / "tls.key")),
        ("/var/log/nginx/", str(WORK / "logs") + "/nginx-"),
        ("/var/lib/lanhmanh/static/", str(WORK / "var" / "static") + "/"),
        ("/opt/lanhmanh/deploy/nginx", str(ROOT / "deploy" / "nginx")),
    ]
    for old, new in replacements:
        if old not in site:
            raise AssertionError(f"deploy/nginx/lanhmanh.conf no longer contains {old!r}")
        site = site.replace(old, new)
    tmp = WORK / "tmp"
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {WORK}/nginx.pid;
error_log {WORK}/logs/nginx-main-error.log warn;
events {{ worker_connections 512; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
{site}
}}
"""
    path = WORK / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


class Stack:
    """The processes this check started; ``stop`` ends each of them (by its own pid)."""

    def __init__(self, env: dict, ports: dict):
        self.env, self.ports = env, ports
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = []

    def start(self, name: str, command: list[str]) -> None:
        log = open(WORK / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_worker(self) -> None:
        self.start(
            "worker", [str(VENV / "python"), "manage.py", "run_worker", "--no-reload", "--interval", "0.5"]
        )

    def start_all(self) -> None:
        self.start(
            "gunicorn",
            [str(VENV / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "lanhmanh.config.wsgi"],
        )
        self.start_worker()
        conf = nginx_config(self.ports)
        test = subprocess.run(
            ["nginx", "-t", "-p", str(WORK), "-c", str(conf)], capture_output=True, text=True
        )
        if test.returncode != 0:
            raise AssertionError(f"nginx -t failed:\n{test.stderr}")
        self.start("nginx", ["nginx", "-p", str(WORK), "-c", str(conf)])

    def stop_one(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def stop(self) -> None:
        for name in ("nginx", "gunicorn", "worker"):
            self.stop_one(name, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for log in self.logs:
            log.close()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(
                    f"{name} exited with {process.returncode}; see {WORK / 'logs' / (name + '.log')}"
                )


def wait_healthy(stack: Stack, base: str, seconds: float = 60) -> dict:
    browser = Browser(base, cafile=str(WORK / "tls.crt"))
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            page = browser.get("/healthz")
            last = page
            if page.status == 200 and json.loads(page.text).get("workers", 0) >= 1:
                return json.loads(page.text)
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not healthy after {seconds} s: {last and last.status} {last and last.text}")


def demo_identities(env: dict) -> list[str]:
    """Every demo person's full name and ID number, decrypted (what must never appear in a log)."""
    code = (
        "import json; from lanhmanh.people.models import Person;"
        "print(json.dumps([[p.full_name, p.id_number or ''] for p in Person.objects.all()]))"
    )
    rows = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    values = {value for row in rows for value in row if value and len(value) >= 6}
    if len(values) < 20:
        raise AssertionError(f"the demo has too few identities to check the logs ({len(values)})")
    return sorted(values)


def grep_logs(identities: list[str]) -> int:
    lines = 0
    for log in sorted((WORK / "logs").glob("*.log")):
        if log.name in ("load_demo.log",):
            continue  # the demo loader's own console output (logins), not a service log
        text = log.read_text(encoding="utf-8", errors="replace")
        lines += text.count("\n")
        for value in identities:
            if value in text:
                raise AssertionError(f"{log.name} contains a demo identity ({value[:2]}…)")
    return lines


def main() -> int:
    started = time.monotonic()
    saved = WORK / "setup.json"
    if os.environ.get("PROD_CHECK_REUSE") and saved.exists():
        # A developer's shortcut: the same database, keys and ports as the last run.
        setup = json.loads(saved.read_text(encoding="utf-8"))
        env, ports, password = setup["env"], setup["ports"], setup["password"]
        for log in (WORK / "logs").glob("*.log"):
            log.unlink()
    else:
        setup = prepare_files()
        env, ports = setup["env"], setup["ports"]
        name = database_name()
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        step(f"database {name}, ports {ports}")
        # collectstatic needs no database: it runs while migrate does.
        collect = subprocess.Popen(
            [str(VENV / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        manage(env, "migrate", "--no-input", "-v0", log="migrate.log")
        if collect.wait(timeout=300) != 0:
            raise AssertionError(f"collectstatic failed: {collect.stderr.read().decode()[-2000:]}")
        manage(env, "check", "--deploy", "--fail-level", "WARNING")
        step(f"migrated, static files collected, check --deploy clean ({time.monotonic() - started:.0f} s)")
        output = manage(env, "load_demo", log="load_demo.log")
        password = re.search(r"^canboxa\s+(\S+)", output, re.M).group(1)
        codes = dict(re.findall(r"^(\S+)\s+\S+\s+([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)\s", output, re.M))
        (WORK / "enrolment.json").write_text(json.dumps(codes), encoding="utf-8")
        saved.write_text(json.dumps({**setup, "password": password}), encoding="utf-8")
        step(f"prepared in {time.monotonic() - started:.0f} s (migrate, collectstatic, check --deploy, demo)")

    from smoke import database_restart_under_load, faults, smoke, worker_killed_mid_import

    stack = Stack(env, ports)
    try:
        stack.start_all()
        base = f"https://localhost:{ports['https']}"
        health = wait_healthy(stack, base)
        step(f"healthy: {health}")
        smoke(stack, env, base, ports, password, WORK, manage)
        faults(stack, env, base, ports, password, WORK, manage, admin_sql)
        database_restart_under_load(stack, base, WORK, admin_sql, DATABASE_URL)
        worker_killed_mid_import(stack, env, base, WORK, DATABASE_URL)
        stack.check_alive()
    except BaseException:
        if os.environ.get("PROD_CHECK_HOLD"):  # a developer's shortcut: look at the failed stack
            (WORK / "hold").touch()
            print(
                f"prod-check: failed; the stack stays up at {base} until {WORK / 'hold'} is removed",
                flush=True,
            )
            while (WORK / "hold").exists():
                time.sleep(1)
        raise
    finally:
        stack.stop()
        try:
            admin_sql('ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
        except Exception as exc:  # noqa: BLE001 - report, the stack is already stopped
            print(f"prod-check: could not re-allow connections: {exc}", file=sys.stderr)
    lines = grep_logs(demo_identities(env) + smoke.state.get("imported_ids", []))
    step(f"{lines} log lines checked: no demo name or ID number in them")
    step(f"OK in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
