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
import sqlite3
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
from lanhmanh.core.models import ChangeRecord, Job
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
    "jobs": [[j.pk, j.kind, j.subject_id, j.owner_id, j.status, j.step, j.percent, j.errors, j.task_id,
              j.created_at.isoformat(), j.finished_at.isoformat()] for j in Job.objects.order_by("pk")],
    "old_job_table": "importjobs_importjob" in connection.introspection.table_names(),
    "next_job": Job.objects.create(kind="people.import", subject_id=1).pk,
}))
"""
# Long work of the previous version (issue #18 item 4): a list written in the background (the removed
# importjobs app's row, its errors encrypted) and two deduplication runs with their state on the run. After
# the upgrade each is a core.Job row, the import's with its id, the old table gone.
ERROR = "Dòng 7, cột B (Họ và tên): Trần Thị Mai — quyết định đã có với nội dung khác."
SEED = [
    "INSERT INTO people_personimport (id, file_name, digest, cells, row_count, status, created_count, "
    "skipped_count, person_ids, created_at, confirmed_at, owner_id) VALUES "
    "(7, 'danh-sach.xlsx', %s, '', 600, 'preview', 0, 0, '[]', %s, NULL, %s)",
    "INSERT INTO importjobs_importjob (id, status, step, progress, errors, task_id, created_at, started_at, "
    "finished_at, batch_id, owner_id) VALUES (41, 'failed', 'decisions', 70, %s, 't-41', %s, %s, %s, 7, %s)",
    "INSERT INTO linkage_deduprun (id, status, progress, stage, records, auto_merged, queued, error, "
    "created_at, finished_at, started_by_id) VALUES (3, 'done', 100, 'Xong', 200, 4, 9, '', %s, %s, %s), "
    "(4, 'failed', 80, 'Hợp nhất 3/10', 200, 0, 0, 'ValueError: x', %s, %s, NULL)",
]


def seed_jobs(execute, time) -> int:
    """Write the SEED rows with ``execute(sql, params)``, times as the database keeps them (``time``: hh:mm
    on 5/12/2026 UTC); returns the owner's id."""
    from cryptography.fernet import Fernet

    owner = execute("SELECT MIN(id) FROM org_user", [])[0][0]
    token = Fernet(KEYS["LANHMANH_FIELD_KEYS"].encode()).encrypt(ERROR.encode()).decode()
    execute(SEED[0], ["0" * 64, time("10:00"), owner])
    execute(SEED[1], [token, time("10:01"), time("10:01"), time("10:02"), owner])
    execute(SEED[2], [time("11:00"), time("11:05"), owner, time("12:00"), time("12:03")])
    return owner


def assert_jobs_moved(state: dict, owner: int) -> None:
    day = "2026-12-05T{}:00+00:00".format
    assert state["jobs"] == [
        [41, "people.import", 7, owner, "failed", "decisions", 70, ERROR, "t-41", day("10:01"), day("10:02")],
        [42, "linkage.dedup", 3, owner, "done", "finished", 100, "", "", day("11:00"), day("11:05")],
        [
            43,
            "linkage.dedup",
            4,
            None,
            "failed",
            "merge",
            80,
            "ValueError: x",
            "",
            day("12:00"),
            day("12:03"),
        ],
    ]
    assert (state["old_job_table"], state["next_job"]) == (False, 44)


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
    with sqlite3.connect(database) as db:
        owner = seed_jobs(
            lambda sql, params: db.execute(sql.replace("%s", "?"), params).fetchall(),
            "2026-12-05 {}:00".format,
        )
    state = migrate_and_read_back(f"sqlite:///{database}", tmp_path)
    assert_intact(state)
    assert_jobs_moved(state, owner)


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
        with psycopg.connect(f"{base}/{upgrade}") as db:

            def execute(sql, params):
                cursor = db.execute(sql, params)
                return cursor.fetchall() if cursor.description else []

            owner = seed_jobs(execute, "2026-12-05 {}:00+00".format)
        state = migrate_and_read_back(f"{base}/{upgrade}", tmp_path)
        assert_intact(state)
        assert_jobs_moved(state, owner)
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{upgrade}" WITH (FORCE)')
