"""``/healthz``: is this server able to serve, for the load balancer and the IT office's monitoring.

Answers 200 when the database answers, every migration is applied and the upload disk has room; 503
otherwise. The worker's heartbeat and the queue depth are reported (``status: degraded`` when no worker
beat recently) without failing the web server: pages still work without the worker. It reveals nothing
sensitive (no versions, hosts, paths or names), needs no sign-in and takes a few milliseconds: a
``SELECT 1``, two indexed counts and a ``statvfs``; the migration check is done once per process.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from lanhmanh.ops.models import WorkerHeartbeat

# A worker beats every HEARTBEAT_SECONDS; missing for this long it counts as gone.
HEARTBEAT_SECONDS = 10
WORKER_STALE_AFTER = dt.timedelta(seconds=60)
_migrations_ok = False


def migrations_applied() -> bool:
    """Every migration of the code is applied; remembered once true (new code means a new process)."""
    global _migrations_ok
    if not _migrations_ok:
        executor = MigrationExecutor(connection)
        _migrations_ok = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_ok


def upload_free_mb() -> int:
    media = settings.UPLOAD_ROOT
    media.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(media).free // (1024 * 1024)


def check() -> tuple[bool, dict]:
    checks: dict = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        return False, {"database": "fail"}
    try:
        checks["migrations"] = "ok" if migrations_applied() else "pending"
        healthy &= checks["migrations"] == "ok"
        fresh = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - WORKER_STALE_AFTER).count()
        checks["workers"] = fresh
        checks["queue"] = DBTaskResult.objects.ready().count()
    except DatabaseError:
        return False, {"database": "fail"}
    free = upload_free_mb()
    checks["upload_disk"] = "ok" if free >= settings.UPLOAD_MIN_FREE_MB else "full"
    healthy &= checks["upload_disk"] == "ok"
    return healthy, checks


@never_cache
@require_GET
def healthz(request):
    started = time.perf_counter()
    healthy, checks = check()
    status = "fail" if not healthy else ("ok" if checks.get("workers") else "degraded")
    body = {"status": status, **checks, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse(body, status=200 if healthy else 503)
