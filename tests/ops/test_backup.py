"""Backups: encrypted to the IT office's key, a manifest with checksums, no field key inside, tampered
files refused, retention; and the restore drill (PostgreSQL): the demo backed up, restored into a fresh
database and compared, with a pseudonymisation done after the backup replayed."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lanhmanh.ops import backup as backups
from lanhmanh.ops.backup import BackupError, backup_create, backup_prune, backup_verify, generate_key_pair

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return generate_key_pair(tmp_path_factory.mktemp("it-office"))


@pytest.fixture
def media(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "media"
    settings.ERASURE_LEDGER = tmp_path / "ledger" / "erasures.jsonl"
    (settings.UPLOAD_ROOT / "evidence" / "2014").mkdir(parents=True)
    (settings.UPLOAD_ROOT / "evidence" / "2014" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 bien ban kiem tra")
    return settings.UPLOAD_ROOT


@pytest.fixture
def fake_dump(monkeypatch):
    """SQLite's test database lives in memory: stand in for its dump (PostgreSQL dumps for real)."""
    if connection.vendor != "postgresql":
        monkeypatch.setattr(
            backups, "dump_database", lambda target: Path(target).write_bytes(b"SQLite format 3\0...")
        )


def members(path: Path, private: Path) -> dict[str, bytes]:
    with open(path, "rb") as source:
        reader = io.BufferedReader(
            backups.DecryptingReader(backups.decrypt_chunks(source, backups.load_private_key(private)))
        )
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            return {m.name: archive.extractfile(m).read() for m in archive if m.isfile()}


@pytest.mark.django_db
def test_a_backup_is_encrypted_with_a_manifest_and_checksums_and_never_holds_the_field_keys(
    keys, media, fake_dump, tmp_path
):
    private, public = keys
    result = backup_create(directory=tmp_path / "backups", public_key_file=str(public))
    raw = result.path.read_bytes()
    assert raw.startswith(b"LMBAK1\n")
    assert b"bien ban kiem tra" not in raw and b"manifest" not in raw
    assert (
        tmp_path / "backups" / (result.path.name + ".sha256")
    ).read_text() == f"{result.sha256}  {result.path.name}\n"
    assert oct(result.path.stat().st_mode & 0o777) == "0o640"

    content = members(result.path, private)
    assert sorted(content) == ["database.dump", "manifest.json", "media/evidence/2014/bien-ban.pdf"]
    manifest = json.loads(content["manifest.json"])
    assert manifest["database"] == connection.vendor
    assert set(manifest["counts"]) == {
        "people.person",
        "people.violation",
        "core.changerecord",
        "core.accessrecord",
        "org.user",
    }
    assert manifest["files"]["media/evidence/2014/bien-ban.pdf"]["size"] == 26
    assert "ops.0001_initial" in manifest["migrations"]
    everything = b"".join(content.values())
    for secret in [*settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY, settings.SECRET_KEY]:
        assert secret.encode() not in everything
    assert backup_verify(result.path, private)["counts"] == manifest["counts"]


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["flip a byte", "cut the end", "append", "other key"])
def test_a_tampered_or_foreign_backup_is_refused_before_anything_is_restored(
    keys, media, fake_dump, tmp_path, damage
):
    private, public = keys
    path = backup_create(directory=tmp_path / "backups", public_key_file=str(public)).path
    raw = bytearray(path.read_bytes())
    if damage == "flip a byte":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "cut the end":
        raw = raw[:-40]
    elif damage == "append":
        raw += b"\x00" * 10
    path.write_bytes(bytes(raw))
    if damage == "other key":
        private = generate_key_pair(tmp_path / "someone-else")[0]
    with pytest.raises(BackupError) as refused:
        backups.backup_restore(path=path, private_key_file=private)
    expected = {
        "flip a byte": "Bản sao lưu đã bị thay đổi",
        "cut the end": "Bản sao lưu",
        "append": "Bản sao lưu có dữ liệu lạ sau phần cuối",
        "other key": "Bản sao lưu được mã hóa bằng một khóa khác",
    }[damage]
    assert expected in str(refused.value)


@pytest.mark.django_db
def test_backups_older_than_the_retention_are_pruned_keeping_the_newest_three(tmp_path, settings):
    settings.BACKUP_RETENTION_DAYS = 30
    now = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)
    for days in (100, 90, 40, 35, 31, 2, 1):
        stamp = now - dt.timedelta(days=days)
        (tmp_path / f"lanhmanh-{stamp:%Y%m%dT%H%M%S}Z.lmbak").write_bytes(b"x")
    removed = backup_prune(directory=tmp_path, now=now)
    assert [p.name for p in removed] == [
        "lanhmanh-20260828T010000Z.lmbak",
        "lanhmanh-20260907T010000Z.lmbak",
        "lanhmanh-20261027T010000Z.lmbak",
        "lanhmanh-20261101T010000Z.lmbak",
    ]
    assert sorted(p.name for p in tmp_path.glob("*.lmbak")) == [
        "lanhmanh-20261105T010000Z.lmbak",
        "lanhmanh-20261204T010000Z.lmbak",
        "lanhmanh-20261205T010000Z.lmbak",
    ]


def test_the_backup_command_without_a_public_key_says_so(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Chưa đặt BACKUP_PUBLIC_KEY_FILE"):
        call_command("backup", "--output-dir", str(tmp_path), "--public-key", "")


# The restore drill ------------------------------------------------------------------------------

DRILL_QUERY = """
import json, hashlib
from lanhmanh.core.models import ChangeRecord
from lanhmanh.people.models import Person
from lanhmanh.ops.backup import record_counts
chain = hashlib.sha256()
for row in ChangeRecord.objects.order_by("pk").values_list("pk", "model", "object_id", "action", "after"):
    chain.update(json.dumps(row, sort_keys=True, default=str).encode())
people = {p.pk: [p.full_name, p.id_number, str(p.birth_date)] for p in Person.objects.order_by("pk")}
print(json.dumps({"counts": record_counts(), "chain": chain.hexdigest(), "people": people}))
"""


def snapshot(database_url: str | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(  # noqa: S603 - our manage.py, fixed code
        [sys.executable, "manage.py", "shell", "-c", DRILL_QUERY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the drill restores a PostgreSQL dump",
)
@pytest.mark.django_db(transaction=True)
def test_restore_drill_the_demo_comes_back_whole_and_a_later_pseudonymisation_stays(
    keys, media, tmp_path, settings, demo_registry
):
    """The demo's accounts and registry (``demo_registry``: restored from the session's snapshot) backed up,
    then restored into a new database."""
    import psycopg

    from lanhmanh.people.models import Person
    from lanhmanh.people.privacy import PSEUDONYMISED_NAME, person_pseudonymise

    private, public = keys
    test_url = f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    before = snapshot(test_url)
    assert before["counts"]["people.person"] >= 100

    result = backup_create(directory=tmp_path / "backups", public_key_file=str(public), now=timezone.now())
    # After the backup, retention pseudonymises a person: the ledger remembers it outside the database.
    forgotten = Person.objects.exclude(id_number="").order_by("pk").first()
    person_pseudonymise(actor=None, person=forgotten)
    assert json.loads(settings.ERASURE_LEDGER.read_text().splitlines()[-1])["pk"] == forgotten.pk

    drill = f"{connection.settings_dict['NAME']}_drill"
    base = test_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{drill}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{drill}"')
    try:
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT / "src"),
            DATABASE_URL=f"{base}/{drill}",
            UPLOAD_ROOT=str(tmp_path / "restored-media"),
            LANHMANH_ERASURE_LEDGER=str(settings.ERASURE_LEDGER),
        )
        restored = subprocess.run(  # noqa: S603 - our manage.py
            [sys.executable, "manage.py", "restore", str(result.path), "--key", str(private)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr[-3000:]
        assert "ẩn danh lại 1 hồ sơ" in restored.stdout

        after = snapshot(f"{base}/{drill}")
        assert after["counts"]["people.person"] == before["counts"]["people.person"]
        assert after["counts"]["people.violation"] == before["counts"]["people.violation"]
        assert after["counts"]["org.user"] == before["counts"]["org.user"]
        # The audit chain as it was, plus the replayed pseudonymisation's own change record.
        assert after["counts"]["core.changerecord"] == before["counts"]["core.changerecord"] + 1
        # Every identity decrypts to what it was, except the person pseudonymised after the backup.
        wiped = after["people"].pop(str(forgotten.pk))
        assert wiped == [PSEUDONYMISED_NAME, "", "None"]
        original = before["people"].pop(str(forgotten.pk))
        assert original[1] != ""
        assert after["people"] == before["people"]
        assert (
            tmp_path / "restored-media" / "evidence" / "2014" / "bien-ban.pdf"
        ).read_bytes() == b"%PDF-1.4 bien ban kiem tra"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{drill}" WITH (FORCE)')
