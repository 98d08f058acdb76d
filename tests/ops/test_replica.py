"""The read-replica router: read-only analytics go to the replica, everything else to the primary.

A second database on the same PostgreSQL server stands in for the replica. Both are copies of the test
database (units and agencies); a separate process runs with ``DATABASE_URL`` on the one and
``DATABASE_REPLICA_URL`` on the other, changes a row on the primary and shows which database answered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
import json
from lanhmanh.core.replica import analytics_reads
from lanhmanh.org.models import AdministrativeUnit
def unit():
    return AdministrativeUnit.objects.filter(path="01.002")
unit().update(name="Quận Hoàn Kiếm (trên máy chính)")
out = {"primary_read": unit().get().name}
with analytics_reads():
    out["analytics_read"] = unit().get().name
    unit().update(name="Quận Hoàn Kiếm (ghi)")
out["write_inside_analytics"] = AdministrativeUnit.objects.using("default").get(path="01.002").name
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from lanhmanh.core.replica import ReplicaMiddleware
middleware = ReplicaMiddleware(lambda request: None)
def probe(request):
    return HttpResponse(AdministrativeUnit.objects.get(path="01.002").name)
for method, path in (("get", "/chi-so/"), ("get", "/bao-cao/"), ("post", "/chi-so/")):
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(path)
    answered = middleware.process_view(request, probe, (), {})
    out[f"{method} {path}"] = (answered or probe(request)).content.decode()
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="a PostgreSQL replica"
)
@pytest.mark.django_db
def test_analytics_read_from_the_replica_and_writes_and_other_pages_use_the_primary(tmp_path):
    import psycopg

    settings_dict = connection.settings_dict
    base = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}"
    names = {role: f"{settings_dict['NAME']}_{role}" for role in ("primary", "replica")}
    dump = subprocess.run(  # noqa: S603 - pg_dump of the test database (units and agencies, committed)
        [shutil.which("pg_dump") or "/usr/bin/pg_dump", "--no-owner", f"{base}/{settings_dict['NAME']}"],
        capture_output=True,
        check=True,
    ).stdout
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        for name in names.values():
            subprocess.run(  # noqa: S603 - psql with fixed arguments
                [shutil.which("psql") or "/usr/bin/psql", "-q", f"{base}/{name}"],
                input=dump,
                capture_output=True,
                check=True,
            )
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT / "src"),
            DATABASE_URL=f"{base}/{names['primary']}",
            DATABASE_REPLICA_URL=f"{base}/{names['replica']}",
            LANHMANH_REQUIRE_2FA="false",
        )
        result = subprocess.run(  # noqa: S603 - our manage.py, fixed code
            [sys.executable, "manage.py", "shell", "-c", SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        out = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert out["primary_read"] == "Quận Hoàn Kiếm (trên máy chính)"
    assert out["analytics_read"] == "Hoàn Kiếm"  # the replica, not yet changed
    assert out["write_inside_analytics"] == "Quận Hoàn Kiếm (ghi)"  # writes always go to the primary
    # The middleware: a GET of an analytics view reads the replica; other pages and any POST the primary.
    assert out["get /chi-so/"] == "Hoàn Kiếm"
    assert out["get /bao-cao/"] == "Quận Hoàn Kiếm (ghi)"
    assert out["post /chi-so/"] == "Quận Hoàn Kiếm (ghi)"
