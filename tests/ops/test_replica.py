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
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lanhmanh.core.replica import analytics_reads
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
def unit():
    return AdministrativeUnit.objects.filter(path="01.002")
unit().update(name="Quận Hoàn Kiếm (trên máy chính)")
out = {"primary_read": unit().get().name}
with analytics_reads():
    out["analytics_read"] = unit().get().name
    unit().update(name="Quận Hoàn Kiếm (ghi)")
out["write_inside_analytics"] = AdministrativeUnit.objects.using("default").get(path="01.002").name
user = User.objects.create_user(username="dieuphoi-replica", password="x" * 16, agency=Agency.objects.get(code="01-dolisa-pctnxh"))
user.roles.add(Role.objects.get(code=Role.CITY_COORDINATOR))
client = Client()
client.force_login(user)
with CaptureQueriesContext(connections["replica"]) as on_replica, CaptureQueriesContext(connection) as on_primary:
    out["indicators_status"] = client.get("/chi-so/").status_code
out["indicators_on_replica"] = len(on_replica)
out["session_on_primary"] = any("django_session" in q["sql"] for q in on_primary)
out["session_on_replica"] = any("django_session" in q["sql"] for q in on_replica)
with CaptureQueriesContext(connections["replica"]) as on_replica:
    out["reports_status"] = client.get("/bao-cao/").status_code
out["reports_on_replica"] = len(on_replica)
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="a PostgreSQL replica"
)
@pytest.mark.django_db
def test_analytics_read_from_the_replica_and_writes_sessions_and_other_pages_use_the_primary(tmp_path):
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
    assert (out["indicators_status"], out["reports_status"]) == (200, 200)
    assert out["indicators_on_replica"] > 0
    assert (out["session_on_primary"], out["session_on_replica"]) == (True, False)
    assert out["reports_on_replica"] == 0
