"""Excel import of establishment lists (district offices keep them in Excel).

The same shape as the person import (``people.imports``): a template, a preview that checks every row
against the database as it is then with errors naming the row and the column, a confirmation that
checks again and writes every row in one transaction (nothing when any row is wrong), and idempotence:
a row whose establishment is already registered (same normalised name, address and registration
number) is skipped, so importing the same file twice adds nothing. A row that repeats an earlier row of
the same file is an error. The cells are kept encrypted between preview and confirmation (owners'
identities) and wiped afterwards. A list of more than ``BACKGROUND_ROWS`` rows is confirmed by the
background worker on a job (``core.jobs``; kind ``ESTABLISHMENT_IMPORT_JOB``) whose page shows its progress:
the same one transaction, so a failure or a stopped worker writes nothing and the list can be confirmed
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core import jobs
from lanhmanh.core.audit import audited_create, audited_update
from lanhmanh.core.models import Job
from lanhmanh.core.scoping import in_subtree
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.core.text import fold
from lanhmanh.org.levels import COMMUNE_LEVEL
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.imports import cell_text, column_letter, parse_date
from lanhmanh.premises import services
from lanhmanh.premises.models import (
    ESTABLISHMENT_IMPORT_JOB,
    Establishment,
    EstablishmentImport,
    EstablishmentImportStep,
    EstablishmentKind,
    LicenceKind,
    OwnerType,
    duplicate_key,
    registration_key,
)
from lanhmanh.premises.tasks import import_confirm_task  # tasks imports this module: import when called

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
# Lists with more rows than this are confirmed by the background worker: each row is written by the register's
# service (about 10 ms a row), so 200 rows are a few seconds in the request.
BACKGROUND_ROWS = 200


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""


COLUMNS = [
    Column("kind", "Loại hình", True, "Tên loại hình như danh mục (ví dụ: Karaoke, Nhà nghỉ)"),
    Column("name", "Tên cơ sở", True),
    Column("address", "Địa chỉ", True, "Số nhà, đường phố"),
    Column("unit", "Mã xã, phường", True, "Mã đơn vị hành chính (GSO) của xã, phường, ví dụ 00079"),
    Column("registration_number", "Số đăng ký kinh doanh"),
    Column("owner_type", "Chủ cơ sở là", True, "Cá nhân hoặc Tổ chức"),
    Column("owner_name", "Họ tên chủ cơ sở", False, "Bắt buộc khi chủ cơ sở là cá nhân"),
    Column("owner_id_number", "Số CMND/CCCD chủ cơ sở"),
    Column("organisation_name", "Tên doanh nghiệp", False, "Bắt buộc khi chủ cơ sở là tổ chức"),
    Column("opening_hours", "Giờ hoạt động"),
    Column("rooms", "Số phòng"),
    Column("opened_on", "Ngày bắt đầu hoạt động", True, "dd/mm/yyyy"),
    Column("security_number", "Số GCN đủ điều kiện ANTT"),
    Column("security_issued_on", "Ngày cấp GCN ANTT", False, "dd/mm/yyyy"),
    Column("culture_number", "Số giấy phép kinh doanh dịch vụ văn hóa"),
    Column("culture_issued_on", "Ngày cấp giấy phép văn hóa", False, "dd/mm/yyyy"),
]
KEYS = [c.key for c in COLUMNS]
BY_KEY = {c.key: c for c in COLUMNS}


@dataclass
class Row:
    row: int
    cells: dict
    errors: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    licences: list[dict] = field(default_factory=list)
    existing: Establishment | None = None

    @property
    def skipped(self) -> bool:
        return self.existing is not None and not self.errors

    def add(self, key: str | None, message: str) -> None:
        if key is None:
            self.errors.append(_("Dòng %(row)s: %(message)s") % {"row": self.row, "message": message})
        else:
            self.errors.append(
                _("Dòng %(row)s, cột %(letter)s (%(header)s): %(message)s")
                % {
                    "row": self.row,
                    "letter": column_letter(KEYS.index(key)),
                    "header": BY_KEY[key].header,
                    "message": message,
                }
            )


def template_workbook() -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- heavy: loaded only when a file is written or read
    from openpyxl.styles import Font  # noqa: PLC0415 -- heavy: loaded only when a file is written or read

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for index, _column in enumerate(COLUMNS):
        sheet.cell(row=1, column=index + 1).font = Font(bold=True)
        sheet.column_dimensions[column_letter(index)].width = 22
        sheet.column_dimensions[column_letter(index)].number_format = "@"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Tên cột", "Bắt buộc", "Cách ghi"])
    for index, column in enumerate(COLUMNS):
        guide.append([column_letter(index), column.header, "Có" if column.required else "", column.hint])
    guide.append([])
    guide.append(["", "Loại hình"])
    for kind in EstablishmentKind.objects.filter(active=True):
        guide.append(["", kind.name])
    return workbook_bytes(workbook)


def read_workbook(data: bytes, *, file_name: str = "") -> list[dict]:
    from openpyxl import load_workbook  # noqa: PLC0415 -- heavy: loaded only when a file is written or read

    if not data:
        raise ImportFileError(_("Tệp rỗng: chọn tệp Excel (.xlsx) theo mẫu."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("Tệp quá lớn: tối đa %(max)s MB.") % {"max": MAX_FILE_BYTES // 1024 // 1024})
    if not file_name.lower().endswith(".xlsx") or data[:4] != b"PK\x03\x04":
        raise ImportFileError(
            _("Tệp “%(name)s” không phải tệp Excel .xlsx: hãy dùng mẫu tải về và lưu dạng .xlsx.")
            % {"name": file_name}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(_("Không đọc được tệp “%(name)s”: tệp hỏng.") % {"name": file_name}) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None) or ()
        by_header = {fold(c.header): c.key for c in COLUMNS}
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            text = cell_text(value).replace("*", "").strip()
            if not text:
                continue
            key = by_header.get(fold(text))
            if key is None:
                raise ImportFileError(
                    _("Cột %(letter)s “%(header)s” không có trong mẫu: hãy dùng đúng các cột của mẫu tải về.")
                    % {"letter": column_letter(index), "header": text}
                )
            positions[key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            raise ImportFileError(
                _("Thiếu cột bắt buộc: %(columns)s. Hãy dùng mẫu tải về.")
                % {"columns": ", ".join(f"“{m}”" for m in missing)}
            )
        parsed = []
        for offset, values in enumerate(rows):
            cells = {k: cell_text(values[i]) if i < len(values) else "" for k, i in positions.items()}
            if not any(cells.values()):
                continue
            if len(parsed) >= MAX_ROWS:
                raise ImportFileError(
                    _("Tệp có hơn %(max)s dòng dữ liệu: hãy chia thành nhiều tệp.") % {"max": MAX_ROWS}
                )
            parsed.append({"row": 2 + offset, "cells": cells})
    finally:
        workbook.close()
    if not parsed:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return parsed


def _date(row: Row, key: str, required: bool, today: dt.date) -> dt.date | None:
    text = row.cells.get(key, "")
    if not text:
        if required:
            row.add(key, _("chưa có ngày."))
        return None
    try:
        day = parse_date(text)
    except ValueError:
        row.add(key, _("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).") % {"value": text[:40]})
        return None
    if day > today:
        row.add(key, _("ngày %(value)s ở tương lai.") % {"value": text})
    return day


def check_rows(raw_rows: list[dict], *, actor, progress=None) -> list[Row]:
    """Every row checked: required cells, kind, unit in the actor's jurisdiction, dates, owner, duplicates
    in the file and in the register (skipped), licence numbers used elsewhere or twice in the file.
    ``progress("check", done, total)``, when given, hears every 50 rows."""
    today = timezone.localdate()
    kinds = {fold(k.name): k for k in EstablishmentKind.objects.filter(active=True)}
    kinds.update({fold(k.code): k for k in EstablishmentKind.objects.filter(active=True)})
    root = actor.jurisdiction_path
    codes = {r["cells"].get("unit", "").strip() for r in raw_rows}
    units: dict[str, AdministrativeUnit] = {}
    for unit in AdministrativeUnit.objects.filter(code__in=codes, level=COMMUNE_LEVEL).order_by("-valid_to"):
        units.setdefault(unit.code, unit)
    rows: list[Row] = []
    seen_keys: dict[str, int] = {}
    seen_licences: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(raw_rows):
        if progress is not None and index % 50 == 0:
            progress(EstablishmentImportStep.CHECK, index, len(raw_rows))
        row = Row(row=raw["row"], cells=raw["cells"])
        c = row.cells
        for column in COLUMNS:
            if column.required and not c.get(column.key) and column.key not in ("opened_on",):
                row.add(column.key, _("ô này bắt buộc."))
        kind = kinds.get(fold(c.get("kind", "")))
        if c.get("kind") and kind is None:
            row.add("kind", _("loại hình “%(value)s” không có trong danh mục.") % {"value": c["kind"][:60]})
        unit = units.get(c.get("unit", "").strip())
        if c.get("unit") and unit is None:
            row.add("unit", _("không có xã, phường mã “%(value)s”.") % {"value": c["unit"][:20]})
        elif unit is not None and not in_subtree(unit.path, root):
            row.add("unit", _("xã, phường này ngoài địa bàn của anh/chị."))
        owner = fold(c.get("owner_type", ""))
        owner_type = {"ca nhan": OwnerType.INDIVIDUAL, "to chuc": OwnerType.ORGANISATION}.get(owner)
        if c.get("owner_type") and owner_type is None:
            row.add("owner_type", _("ghi “Cá nhân” hoặc “Tổ chức”."))
        rooms = None
        if c.get("rooms"):
            if c["rooms"].isdigit():
                rooms = int(c["rooms"])
            else:
                row.add("rooms", _("số phòng phải là số nguyên."))
        opened_on = _date(row, "opened_on", True, today)
        row.fields = {
            "kind": kind,
            "name": c.get("name", "")[:200],
            "address": c.get("address", "")[:300],
            "unit": unit,
            "registration_number": c.get("registration_number", "")[:40],
            "owner_type": owner_type or OwnerType.INDIVIDUAL,
            "owner_name": c.get("owner_name", "")[:120],
            "owner_id_number": c.get("owner_id_number", "")[:20],
            "organisation_name": c.get("organisation_name", "")[:200],
            "opening_hours": c.get("opening_hours", "")[:80],
            "rooms": rooms,
            "opened_on": opened_on,
        }
        if not row.errors:
            candidate = Establishment(**row.fields)
            try:
                candidate.clean()
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        row.add(key if key in KEYS else None, message)
        key = duplicate_key(row.fields["name"], row.fields["address"], row.fields["registration_number"])
        if key in seen_keys:
            row.add(
                None,
                _("trùng với dòng %(other)s (cùng tên, địa chỉ, số đăng ký kinh doanh).")
                % {"other": seen_keys[key]},
            )
        else:
            seen_keys[key] = row.row
            row.existing = Establishment.objects.filter(duplicate_key=key).first()
        for prefix, kind_value in (("security", LicenceKind.SECURITY), ("culture", LicenceKind.CULTURE)):
            number = c.get(f"{prefix}_number", "")
            if not number:
                continue
            issued = _date(row, f"{prefix}_issued_on", True, today)
            number_key = registration_key(number)
            if (kind_value, number_key) in seen_licences:
                row.add(
                    f"{prefix}_number",
                    _("số giấy trùng với dòng %(other)s.")
                    % {"other": seen_licences[(kind_value, number_key)]},
                )
            seen_licences[(kind_value, number_key)] = row.row
            errors = services._licence_errors(kind_value, number, exclude_establishment=row.existing)
            if errors:
                row.add(f"{prefix}_number", errors["number"])
            row.licences.append(
                {"kind": kind_value, "number": number[:40], "issuer": "", "issued_on": issued}
            )
        rows.append(row)
    return rows


def import_start(*, actor, data: bytes, file_name: str) -> EstablishmentImport:
    raw = read_workbook(data, file_name=file_name)
    return audited_create(
        actor=actor,
        model=EstablishmentImport,
        clean=False,
        owner=actor,
        file_name=file_name[:200],
        digest=hashlib.sha256(data).hexdigest(),
        cells=json.dumps(raw, ensure_ascii=False),
        row_count=len(raw),
    )


def batch_rows(batch: EstablishmentImport) -> list[dict]:
    return json.loads(batch.cells or "[]")


@transaction.atomic
def import_confirm(*, actor, batch: EstablishmentImport, progress=None) -> EstablishmentImport:
    """Check every row again and write the new establishments (and licences) in one transaction; refused
    as a whole, with every row's errors, when any row is wrong. Already registered ones are skipped.
    ``progress(step, done, total)``, when given, hears how far the check and the writes are."""
    batch = EstablishmentImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != EstablishmentImport.Status.PREVIEW:
        raise ValidationError(_("Lượt nhập này đã được xử lý."))
    rows = check_rows(batch_rows(batch), actor=actor, progress=progress)
    errors = [e for r in rows for e in r.errors]
    if errors:
        raise ValidationError(errors)
    created = skipped = 0
    for index, row in enumerate(rows):
        if progress is not None:
            progress(EstablishmentImportStep.ESTABLISHMENTS, index, len(rows))
        if row.skipped:
            skipped += 1
            continue
        issuers = {
            LicenceKind.SECURITY: _("Công an"),
            LicenceKind.CULTURE: _("Sở Văn hóa, Thể thao và Du lịch"),
        }
        licences = [{**lic, "issuer": issuers[lic["kind"]]} for lic in row.licences]
        try:
            services.establishment_create(actor=actor, licences=licences, **row.fields)
        except ValidationError as exc:
            raise ValidationError(
                [_("Dòng %(row)s: %(message)s") % {"row": row.row, "message": m} for m in exc.messages]
            ) from None
        created += 1
    return audited_update(
        actor=actor,
        instance=batch,
        clean=False,
        status=EstablishmentImport.Status.CONFIRMED,
        created_count=created,
        skipped_count=skipped,
        cells="",
        confirmed_at=timezone.now(),
    )


@transaction.atomic
def import_cancel(*, actor, batch: EstablishmentImport) -> None:
    audited_update(
        actor=actor, instance=batch, clean=False, status=EstablishmentImport.Status.CANCELLED, cells=""
    )


# Large lists: confirmed by the background worker -------------------------------------------------------


def runs_in_background(batch: EstablishmentImport) -> bool:
    return batch.row_count > BACKGROUND_ROWS


def active_job(batch: EstablishmentImport) -> Job | None:
    """The job queued or running for this list, if any (not one whose worker died)."""
    return jobs.job_active(ESTABLISHMENT_IMPORT_JOB, batch.pk)


def latest_job(batch: EstablishmentImport) -> Job | None:
    return jobs.job_latest(ESTABLISHMENT_IMPORT_JOB, batch.pk)


def import_job_start(*, actor, batch: EstablishmentImport) -> Job:
    """Queue the confirmation of a previewed list (its owner only); the job already queued if any. Stale
    jobs of the list are failed first (their transaction died with their worker: nothing was written).

    Not one transaction on purpose: the job row commits before the task is queued (``core.jobs``), so the
    worker always finds it; a failure to queue marks the job failed.
    """
    if batch.status != EstablishmentImport.Status.PREVIEW or batch.owner_id != actor.pk:
        raise ValidationError(_("Lượt nhập này đã được xử lý."))
    existing = active_job(batch)
    if existing is not None:
        return existing
    jobs.jobs_fail_stale(ESTABLISHMENT_IMPORT_JOB, batch.pk)
    with transaction.atomic():
        job = jobs.job_create(kind=ESTABLISHMENT_IMPORT_JOB, subject_id=batch.pk, owner=actor)
    return jobs.job_enqueue(job, import_confirm_task)


def import_job_run(*, job_id: int) -> Job:
    """Write the list of a queued job in one transaction (``import_confirm``); on any failure nothing is
    written and the job is marked failed with the messages (row errors, or a general one). Runs once."""
    job = Job.objects.select_related("owner").get(pk=job_id, kind=ESTABLISHMENT_IMPORT_JOB.code)
    batch = EstablishmentImport.objects.get(pk=job.subject_id)
    return jobs.job_run_atomic(
        job,
        lambda progress: import_confirm(actor=job.owner, batch=batch, progress=progress),
        first_step=EstablishmentImportStep.CHECK,
    )
