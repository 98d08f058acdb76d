"""Encrypted backups of the database and the uploaded files, and their restore.

A backup file (``lanhmanh-YYYYmmddTHHMMSSZ.lmbak``) is a tar archive — ``manifest.json`` (time, database
vendor, migration state, record counts, each member's size and SHA-256), ``database.dump`` (``pg_dump
--format=custom``, or a SQLite copy made with SQLite's backup API) and ``media/`` (uploaded files) —
encrypted to the IT office's RSA public key:

* a random 256-bit data key encrypts the archive with AES-256-GCM in 1 MiB chunks, each authenticated
  with the header, its number and whether it is the last one (nothing can be changed, reordered, cut or
  appended without the restore noticing); the data key is wrapped with RSA-OAEP (SHA-256);
* this server holds only the public key: it can write backups, never read them back. The private key is
  kept by the IT office (offline) and given to ``manage.py restore`` when restoring;
* the field-encryption and blind-index keys are never inside (they are not files under UPLOAD_ROOT nor
  rows of the database): a backup plus the backup key still shows no name without the field keys, which
  the IT office keeps separately.

A ``.sha256`` file next to each backup lets anyone check a copy (``sha256sum -c``) without the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from lanhmanh.core.erasure import reapply_since
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.org.models import User
from lanhmanh.people.models import Person, Violation

MAGIC = b"LMBAK1\n"
CHUNK = 1024 * 1024
SUFFIX = ".lmbak"
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class BackupError(Exception):
    """A backup that cannot be written, or a file that must not be restored (message in Vietnamese)."""


# Keys ---------------------------------------------------------------------------------------------


def generate_key_pair(directory: Path) -> tuple[Path, Path]:
    """RSA-4096 pair for the IT office: ``backup-private.pem`` (keep offline) and ``backup-public.pem``."""
    directory.mkdir(parents=True, exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    private_path, public_path = directory / "backup-private.pem", directory / "backup-public.pem"
    private_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path


def key_id(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def load_public_key(path: str | Path):
    if not path:
        raise BackupError(
            "Chưa đặt BACKUP_PUBLIC_KEY_FILE (khóa công khai của bộ phận CNTT để mã hóa bản sao lưu)."
        )
    try:
        return serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được khóa công khai sao lưu {path}: {exc}") from None


def load_private_key(path: str | Path):
    try:
        return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"Không đọc được khóa riêng để giải mã bản sao lưu {path}: {exc}") from None


# Encrypted stream --------------------------------------------------------------------------------


class EncryptingWriter(io.RawIOBase):
    """File-like sink: what is written is encrypted in authenticated chunks into ``target``."""

    def __init__(self, target, public_key, created_at: str):
        self.target = target
        self.data_key = AESGCM.generate_key(bit_length=256)
        self.prefix = os.urandom(8)
        header = {
            "format": 1,
            "created_at": created_at,
            "key_id": key_id(public_key),
            "wrapped_key": base64.b64encode(public_key.encrypt(self.data_key, OAEP)).decode(),
            "nonce_prefix": base64.b64encode(self.prefix).decode(),
            "chunk": CHUNK,
        }
        self.header = json.dumps(header, sort_keys=True).encode()
        target.write(MAGIC + struct.pack(">I", len(self.header)) + self.header)
        self.aead = AESGCM(self.data_key)
        self.buffer = bytearray()
        self.counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = self.prefix + struct.pack(">I", self.counter)
        aad = self.header + struct.pack(">I?", self.counter, last)
        sealed = self.aead.encrypt(nonce, plain, aad)
        self.target.write(struct.pack(">I?", len(sealed), last) + sealed)
        self.counter += 1

    def finish(self) -> None:
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()


def read_header(source) -> dict:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("Tệp này không phải bản sao lưu Lành Mạnh.")
    (length,) = struct.unpack(">I", source.read(4))
    if length > 65536:
        raise BackupError("Phần đầu của bản sao lưu bị hỏng.")
    raw = source.read(length)
    try:
        header = json.loads(raw)
    except ValueError:
        raise BackupError("Phần đầu của bản sao lưu bị hỏng.") from None
    header["_raw"] = raw
    return header


def decrypt_chunks(source, private_key):
    """Yield the plaintext chunks; raise BackupError at the first sign of tampering or truncation."""
    header = read_header(source)
    if header.get("key_id") != key_id(private_key.public_key()):
        raise BackupError(
            "Bản sao lưu được mã hóa bằng một khóa khác: hãy dùng đúng khóa riêng của bộ phận CNTT."
        )
    try:
        data_key = private_key.decrypt(base64.b64decode(header["wrapped_key"]), OAEP)
    except (ValueError, KeyError):
        raise BackupError("Không giải mã được khóa của bản sao lưu: tệp đã bị thay đổi.") from None
    aead = AESGCM(data_key)
    prefix = base64.b64decode(header["nonce_prefix"])
    counter = 0
    while True:
        head = source.read(5)
        if len(head) < 5:
            raise BackupError("Bản sao lưu bị cắt cụt (thiếu phần cuối): không khôi phục.")
        length, last = struct.unpack(">I?", head)
        if length > CHUNK + 16:
            raise BackupError("Bản sao lưu đã bị thay đổi: không khôi phục.")
        sealed = source.read(length)
        try:
            plain = aead.decrypt(
                prefix + struct.pack(">I", counter),
                sealed,
                header["_raw"] + struct.pack(">I?", counter, last),
            )
        except InvalidTag:
            raise BackupError(
                "Bản sao lưu đã bị thay đổi (kiểm tra toàn vẹn không khớp): không khôi phục."
            ) from None
        yield plain
        counter += 1
        if last:
            if source.read(1):
                raise BackupError("Bản sao lưu có dữ liệu lạ sau phần cuối: không khôi phục.")
            return


class DecryptingReader(io.RawIOBase):
    def __init__(self, chunks):
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self.pending))
        target[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


# Database dump and restore -----------------------------------------------------------------------


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return args


def dump_database(target: Path, settings_dict: dict | None = None) -> None:
    settings_dict = settings_dict or connection.settings_dict
    if connection.vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                shutil.which("pg_dump") or "/usr/bin/pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *_pg_args(settings_dict),
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump không chạy được: {result.stderr.strip()[-500:]}")
    else:
        source = sqlite3.connect(settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()


def restore_database(dump: Path, vendor: str, settings_dict: dict) -> None:
    if vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from the settings
            [
                shutil.which("pg_restore") or "/usr/bin/pg_restore",
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                "--single-transaction",
                *_pg_args(settings_dict),
                str(dump),
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore không chạy được: {result.stderr.strip()[-800:]}")
    else:
        name = str(settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise BackupError("Cơ sở dữ liệu đích nằm trong bộ nhớ: không khôi phục vào đó được.")
        connection.close()
        shutil.copyfile(dump, name)


# Manifest ----------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def record_counts(using: str = "default") -> dict[str, int]:
    return {
        "people.person": Person.objects.using(using).count(),
        "people.violation": Violation.objects.using(using).count(),
        "core.changerecord": ChangeRecord.objects.using(using).count(),
        "core.accessrecord": AccessRecord.objects.using(using).count(),
        "org.user": User.objects.using(using).count(),
    }


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


# Backup ------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    files: int
    removed: list[Path]


def backup_create(
    *, directory: Path | None = None, public_key_file: str | None = None, now: dt.datetime | None = None
) -> BackupResult:
    public_key = load_public_key(
        public_key_file if public_key_file is not None else settings.BACKUP_PUBLIC_KEY_FILE
    )
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    created_at = now.astimezone(dt.UTC)
    name = f"lanhmanh-{created_at:%Y%m%dT%H%M%S}Z{SUFFIX}"
    target = directory / name
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=directory))
    try:
        work.chmod(0o700)
        dump = work / "database.dump"
        dump_database(dump)
        media = Path(settings.UPLOAD_ROOT)
        media_files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        manifest = {
            "format": 1,
            "created_at": created_at.isoformat(),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "counts": record_counts(),
            "files": {"database.dump": {"size": dump.stat().st_size, "sha256": sha256_file(dump)}},
        }
        for path in media_files:
            manifest["files"][f"media/{path.relative_to(media).as_posix()}"] = {
                "size": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        partial = target.with_suffix(".partial")
        with open(partial, "wb") as sink:
            writer = EncryptingWriter(sink, public_key, created_at.isoformat())
            with tarfile.open(fileobj=writer, mode="w|") as archive:
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mtime = len(body), int(created_at.timestamp())
                archive.addfile(info, io.BytesIO(body))
                archive.add(dump, arcname="database.dump")
                for path in media_files:
                    archive.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
            writer.finish()
            sink.flush()
            os.fsync(sink.fileno())
        partial.chmod(0o640)
        partial.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    checksum = sha256_file(target)
    target.with_name(target.name + ".sha256").write_text(f"{checksum}  {target.name}\n", encoding="utf-8")
    removed = backup_prune(directory=directory, now=now)
    return BackupResult(target, target.stat().st_size, checksum, len(media_files), removed)


def backup_prune(*, directory: Path, now: dt.datetime, days: int | None = None) -> list[Path]:
    """Delete backups older than BACKUP_RETENTION_DAYS, always keeping the newest three."""
    days = days or settings.BACKUP_RETENTION_DAYS
    backups = sorted(directory.glob(f"lanhmanh-*{SUFFIX}"))
    limit = now - dt.timedelta(days=days)
    removed = []
    for path in backups[:-3]:
        try:
            stamp = dt.datetime.strptime(
                path.name[len("lanhmanh-") : -len(SUFFIX)], "%Y%m%dT%H%M%SZ"
            ).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if stamp < limit:
            path.unlink()
            path.with_name(path.name + ".sha256").unlink(missing_ok=True)
            removed.append(path)
    return removed


# Restore -----------------------------------------------------------------------------------------


def backup_verify(path: Path, private_key_file: str | Path) -> dict:
    """Decrypt the whole file without writing anything; return its manifest (BackupError if tampered)."""
    private_key = load_private_key(private_key_file)
    with open(path, "rb") as source:
        reader = io.BufferedReader(DecryptingReader(decrypt_chunks(source, private_key)), buffer_size=CHUNK)
        manifest = None
        digests = {}
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                digest = hashlib.sha256()
                size = 0
                for block in iter(lambda h=handle: h.read(CHUNK), b""):
                    digest.update(block)
                    size += len(block)
                    if member.name == "manifest.json":
                        manifest = json.loads(block) if manifest is None else manifest
                digests[member.name] = (size, digest.hexdigest())
        while reader.read(CHUNK):  # tar stops at its end marker: read on to the authenticated last chunk
            pass
    if manifest is None:
        raise BackupError("Bản sao lưu không có danh mục (manifest.json).")
    expected = {name: (item["size"], item["sha256"]) for name, item in manifest["files"].items()}
    digests.pop("manifest.json", None)
    if digests != expected:
        raise BackupError("Nội dung bản sao lưu không khớp danh mục (tổng kiểm tra): không khôi phục.")
    return manifest


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    erasures_replayed: int


def backup_restore(
    *,
    path: Path,
    private_key_file: str | Path,
    settings_dict: dict | None = None,
    media_root: Path | None = None,
) -> RestoreResult:
    """Verify the whole file, then restore the database and the uploaded files, then replay the identity
    wipes done since the backup was made (core.erasure)."""
    manifest = backup_verify(path, private_key_file)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"Bản sao lưu là của {manifest['database']}, cơ sở dữ liệu đích là {connection.vendor}."
        )
    settings_dict = settings_dict or connection.settings_dict
    media_root = Path(media_root or settings.UPLOAD_ROOT)
    private_key = load_private_key(private_key_file)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=path.parent))
    try:
        work.chmod(0o700)
        with open(path, "rb") as source:
            reader = io.BufferedReader(
                DecryptingReader(decrypt_chunks(source, private_key)), buffer_size=CHUNK
            )
            with tarfile.open(fileobj=reader, mode="r|") as archive:
                archive.extractall(work, filter="data")
            while reader.read(CHUNK):
                pass
        for name, item in manifest["files"].items():
            if sha256_file(work / name) != item["sha256"]:
                raise BackupError(f"Tệp {name} trong bản sao lưu không khớp tổng kiểm tra: không khôi phục.")
        restore_database(work / "database.dump", manifest["database"], settings_dict)
        files = 0
        if (work / "media").exists():
            for file in (work / "media").rglob("*"):
                if file.is_file():
                    destination = media_root / file.relative_to(work / "media")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(file, destination)
                    files += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    connection.close()
    replayed = reapply_since(dt.datetime.fromisoformat(manifest["created_at"]))
    return RestoreResult(manifest, files, replayed)
