"""Upgrades: a database made by the previous landed version, migrated to this one with its data intact.

The dumps under ``tests/ops/upgrade/`` were made by commit 6d92879 (see the README there) with the keys
below, which exist only for this test. Each is migrated by ``manage.py migrate`` in a separate process, as
an upgrade does, then read back: the same counts, identities that still decrypt, blind-index search that
still finds a person by ID number, and every migration of this version applied.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DUMPS = Path(__file__).resolve().parent / "upgrade"
# Test-only keys the dumps were made with (not secrets: they protect made-up demo data).
KEYS = {
    "SECRET_KEY": "upgrade-test",
    "LANHMANH_FIELD_KEYS": "dXBncmFkZS10ZXN0LWtleS1ub3QtYS1zZWNyZXQhISE=",
    "LANHMANH_BLIND_INDEX_KEY": "upgrade-test-blind-index-key-not-a-secret",
}
EXPECTED = {
    "counts": {
        "persons": 200,
        "violations": 215,
        "changes_at_least": 1031,
        "users": 16,
        "units": 615,
        "agencies": 2508,
    },
    "people": [
        [1, "Nguyễn Văn Trung", "021861171", "1978-12-10"],
        [2, "Trần Xuân Khoa", "037430525", "None"],
        [3, "Ngô Công Quang", "012073245514", "None"],
    ],
}
READ_BACK = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit, Agency, User
from lanhmanh.people.models import Person, Violation
executor = MigrationExecutor(connection)
print(json.dumps({
    "pending": len(executor.migration_plan(executor.loader.graph.leaf_nodes())),
    "counts": {"persons": Person.objects.count(), "violations": Violation.objects.count(),
               "changes": ChangeRecord.objects.count(), "users": User.objects.count(),
               "units": AdministrativeUnit.objects.count(), "agencies": Agency.objects.count()},
    "people": [[p.pk, p.full_name, p.id_number, str(p.birth_date)] for p in Person.objects.order_by("pk")[:3]],
    "search": list(Person.objects.by_id_number("012073245514").values_list("pk", flat=True)),
}))
"""


def run(arguments: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT / "src"),
        "LANHMANH_ENV": "dev",
        "DEBUG": "false",
        "LANHMANH_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "immediate",
        **KEYS,
    }
    return subprocess.run(  # noqa: S603 - our manage.py with fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def migrate_and_read_back(database_url: str, tmp_path: Path) -> dict:
    migrated = run(["migrate", "--no-input"], database_url, tmp_path)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    read = run(["shell", "-c", READ_BACK], database_url, tmp_path)
    assert read.returncode == 0, read.stderr[-3000:]
    return json.loads(read.stdout.strip().splitlines()[-1])


def assert_intact(state: dict) -> None:
    assert state["pending"] == 0
    counts = dict(state["counts"])
    assert counts.pop("changes") >= EXPECTED["counts"]["changes_at_least"]
    assert counts == {k: v for k, v in EXPECTED["counts"].items() if k != "changes_at_least"}
    assert state["people"] == EXPECTED["people"]
    assert state["search"] == [3]


def test_a_sqlite_database_of_the_previous_version_migrates_with_its_data_intact(tmp_path):
    database = tmp_path / "previous.sqlite3"
    with gzip.open(DUMPS / "6d92879.sqlite3.gz") as source, open(database, "wb") as target:
        shutil.copyfileobj(source, target)
    assert_intact(migrate_and_read_back(f"sqlite:///{database}", tmp_path))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL dump: on the PostgreSQL run",
)
@pytest.mark.postgresql
def test_a_postgresql_database_of_the_previous_version_migrates_with_its_data_intact(tmp_path):
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    upgrade = f"test_{name}_upgrade"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{upgrade}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{upgrade}"')
    try:
        with gzip.open(DUMPS / "6d92879.pg.sql.gz") as source:
            loaded = subprocess.run(  # noqa: S603 - psql with fixed arguments
                [
                    shutil.which("psql") or "/usr/bin/psql",
                    "--quiet",
                    "--set",
                    "ON_ERROR_STOP=1",
                    f"{base}/{upgrade}",
                ],
                input=source.read(),
                capture_output=True,
                check=False,
            )
        assert loaded.returncode == 0, loaded.stderr.decode()[-3000:]
        assert_intact(migrate_and_read_back(f"{base}/{upgrade}", tmp_path))
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{upgrade}" WITH (FORCE)')
