"""gunicorn configuration for Lành Mạnh (``gunicorn -c deploy/gunicorn.conf.py lanhmanh.config.wsgi``).

Every value can be overridden by the environment (the systemd unit's EnvironmentFile). The access log is
off: the application writes one JSON line per request with its request id and route pattern (never the
query string, where search terms travel; see ``lanhmanh.ops.logs``); nginx writes its own without the URI.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The source tree next to this file comes first (a checkout in /opt/lanhmanh, or a developer's worktree).
pythonpath = str(Path(__file__).resolve().parent.parent / "src")
sys.path.insert(0, pythonpath)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers (gthread): most requests are short database round trips, but a sign-in spends about
# 0.1 s in argon2 (see lanhmanh.org.passwords). With sync workers a burst of sign-ins at the month-end
# deadline held every worker and the other requests queued behind them (p95 12 s); with threads the other
# requests are answered meanwhile (argon2 runs outside the GIL, one at a time per process). Long work goes
# to the background worker. Each thread keeps its own database connection (DB_CONN_MAX_AGE): PostgreSQL's
# max_connections must exceed workers x threads + the worker + the daily jobs (100, the default, does).
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # the longest page (an Excel export) is well below
graceful_timeout = 30
# nginx keeps idle connections to gunicorn open (upstream keepalive, 60 s): gunicorn must wait longer than
# nginx before closing one, or nginx sends a request on a connection gunicorn is closing and answers 502
# (seen at month-end with threads: 28 resets out of 7,000 requests with 5 s here).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then (memory of large exports), not all at once.
max_requests = 2000
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same host terminates TLS and sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "lanhmanh"
# gunicorn's own lines (start, worker boot, timeouts) in the same JSON format as the application's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "lanhmanh.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}


def post_worker_init(worker):
    """Read the migration graph once at boot, so the first /healthz of each worker is as quick as the rest."""
    try:
        from django.db import connection

        from lanhmanh.ops.health import migrations_applied

        migrations_applied()
        connection.close()
    except Exception:  # noqa: BLE001 - the health check reports the database itself
        worker.log.warning("Migration state not read at boot (database unavailable?)")
