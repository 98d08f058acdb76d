"""Writes to the registry. Each service validates fully, writes in one transaction and audits in it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Action, audited_change, audited_create, audited_insert, audited_update
from lanhmanh.core.crypto import id_number_index
from lanhmanh.core.text import normalise
from lanhmanh.people.counting import repeat_flags_refresh
from lanhmanh.people.events import announce_sanctions_recorded
from lanhmanh.people.imports import check_rows, read_workbook, rejected_rows
from lanhmanh.people.imports.writing import import_write
from lanhmanh.people.models import (
    LegalAct,
    Person,
    PersonHealth,
    PersonImport,
    PersonSupport,
    SanctionDecision,
    Violation,
)
from lanhmanh.people.validation import (  # noqa: F401 - the messages, importable from the services too
    FUTURE_VIOLATION,
    MINOR_REFUSED,
    MINOR_UNSURE,
    NO_ACT_IN_FORCE,
    PLACE_OUTSIDE_JURISDICTION,
    violation_errors,
)

DUPLICATE_ID_NUMBER = gettext_lazy(
    "Số CMND/CCCD này đã có hồ sơ trong cơ sở dữ liệu: hãy tra cứu hồ sơ đó và ghi vi phạm vào hồ sơ ấy, không tạo hồ sơ mới."
)


def _refuse_duplicate_id_number(person: Person) -> None:
    """One person per ID number: the same CCCD submitted twice must not make two persons."""
    index = id_number_index(person.id_number) if person.id_number else ""
    if index and Person.objects.filter(id_number_index=index).exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": DUPLICATE_ID_NUMBER})


def person_create(*, actor, **fields) -> Person:
    """Create a person (identity fields encrypted, blind indexes computed). Audited with identity redacted."""
    with transaction.atomic():
        person = Person(created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
        person.full_clean()
        _refuse_duplicate_id_number(person)
        audited_insert(actor=actor, instance=person)
    return person


def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a person's fields. Audited: which fields changed; identity values stay redacted."""
    with transaction.atomic(), audited_change(actor=actor, instance=person, from_db=True):
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        _refuse_duplicate_id_number(person)
        person.save()
    return person


def person_health_set(*, actor, person: Person, drug_use: bool, referrals: str = "") -> PersonHealth:
    with transaction.atomic():
        health = PersonHealth.objects.filter(person=person).first()
        if health is None:
            return audited_create(
                actor=actor, model=PersonHealth, person=person, drug_use=drug_use, referrals=referrals
            )
        return audited_update(actor=actor, instance=health, drug_use=drug_use, referrals=referrals)


def person_support_set(*, actor, person: Person, trafficking_victim: bool, notes: str = "") -> PersonSupport:
    with transaction.atomic():
        support = PersonSupport.objects.filter(person=person).first()
        if support is None:
            return audited_create(
                actor=actor,
                model=PersonSupport,
                person=person,
                trafficking_victim=trafficking_victim,
                notes=notes,
            )
        return audited_update(
            actor=actor, instance=support, trafficking_victim=trafficking_victim, notes=notes
        )


@transaction.atomic
def violation_record(
    *,
    actor,
    person: Person,
    occurred_at: dt.datetime,
    place_unit,
    act: LegalAct,
    role: str,
    place_address: str = "",
    establishment_name: str = "",
    notes: str = "",
    recording_officer_name: str = "",
    sanction: dict | None = None,
) -> Violation:
    """Record a violation (and its sanction decision when given) for ``person``.

    Refused when the person was (or may have been) under 18 on that date, when the act was not in
    force on that date, or when the place is outside the actor's jurisdiction. The recording agency
    and officer are the actor's. Writes a change-history row for the violation and the sanction.
    """
    errors = violation_errors(
        actor=actor, person=person, occurred_at=occurred_at, act=act, place_unit=place_unit
    )
    fields = {
        "person": person,
        "occurred_at": occurred_at,
        "place_unit": place_unit,
        "place_address": place_address,
        "establishment_name": establishment_name,
        "act": act,
        "role": role,
        "recording_agency": actor.agency,
        "recording_officer": actor,
        "recording_officer_name": recording_officer_name or str(actor),
        "notes": notes,
    }
    if errors:
        # Every message at once: the model's own (missing fields, lengths) with the rules'.
        try:
            Violation(**fields).full_clean()
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        raise ValidationError(errors)
    violation = audited_create(actor=actor, model=Violation, **fields)
    if sanction is not None:
        sanction_record(actor=actor, violation=violation, **sanction)
    else:
        repeat_flags_refresh(person_ids=[person.pk])
    violation.refresh_from_db(fields=["repeat_of"])
    return violation


@transaction.atomic
def sanction_record(
    *,
    actor,
    violation: Violation,
    number: str,
    decided_on: dt.date,
    kind: str,
    amount: int | None = None,
    authority=None,
    signer_title: str = "",
    payment_status: str = "",
    paid_on: dt.date | None = None,
    additional_measures: str = "",
) -> SanctionDecision:
    """Record the sanction decision of a violation, checked against the act's catalogue row.

    A fine outside the act's range, or a warning where the act allows none, is refused with the
    range in the message. The decision number must be new for the issuing authority.
    """
    fields = {
        "violation": violation,
        "number": normalise(number or ""),
        "decided_on": decided_on,
        "authority": authority or actor.agency,
        "signer_title": signer_title,
        "kind": kind,
        "amount": amount,
        "paid_on": paid_on,
        "additional_measures": additional_measures,
    }
    if payment_status:
        fields["payment_status"] = payment_status
    if SanctionDecision.objects.filter(authority=fields["authority"], number=fields["number"]).exists():
        raise ValidationError(
            {
                "number": _("Số quyết định %(number)s của %(authority)s đã có trong cơ sở dữ liệu.")
                % {"number": fields["number"], "authority": fields["authority"].name}
            }
        )
    decision = audited_create(actor=actor, model=SanctionDecision, **fields)
    repeat_flags_refresh(person_ids=[violation.person_id])
    announce_sanctions_recorded([decision])
    return decision


@transaction.atomic
def sanction_payment_set(*, actor, decision: SanctionDecision, paid_on: dt.date) -> SanctionDecision:
    """Mark a fine paid. Audited."""
    audited_update(
        actor=actor, instance=decision, action=Action.STATUS, payment_status="paid", paid_on=paid_on
    )
    repeat_flags_refresh(person_ids=[decision.violation.person_id])
    return decision


# Excel import of police lists -----------------------------------------------------------------------

IMPORT_PREVIEW_HOURS = 24
IMPORT_NOTHING_VALID = gettext_lazy(
    "Không có dòng hợp lệ nào để nhập: sửa các dòng lỗi trong tệp Excel rồi tải lên lại. Chưa ghi gì vào cơ sở dữ liệu."
)


def person_import_leftovers_wipe(*, owner=None, now: dt.datetime | None = None) -> int:
    """Wipe the kept cells of imports older than a day: previews never confirmed (cancelled) and the
    rejected rows of imports of the good rows only (kept a day for their download). ``owner`` limits it
    to one officer's imports (their next upload); without it every officer's (the daily retention run,
    ``people.privacy.retention_run``). Returns how many imports were wiped."""
    stale = (now or timezone.now()) - dt.timedelta(hours=IMPORT_PREVIEW_HOURS)
    imports = PersonImport.objects.exclude(cells="")
    if owner is not None:
        imports = imports.filter(owner=owner)
    previews = imports.filter(status=PersonImport.Status.PREVIEW, created_at__lt=stale).update(
        status=PersonImport.Status.CANCELLED, cells=""
    )
    rejected = imports.filter(status=PersonImport.Status.CONFIRMED, confirmed_at__lt=stale).update(cells="")
    return previews + rejected


def person_import_prepare(*, actor, file_name: str, data: bytes) -> PersonImport:
    """Read an uploaded list and keep its cells (encrypted) for the preview. Writes nothing else.

    Raises ImportFileError when the file as a whole cannot be used. Stale previews of the same
    officer (older than a day) are wiped on the way.
    """

    raw_rows = read_workbook(data, file_name=file_name)
    with transaction.atomic():
        person_import_leftovers_wipe(owner=actor)
        batch = audited_create(
            actor=actor,
            model=PersonImport,
            clean=False,
            owner=actor,
            file_name=normalise(file_name)[:200],
            digest=hashlib.sha256(data).hexdigest(),
            cells=json.dumps(raw_rows, ensure_ascii=False),
            row_count=len(raw_rows),
        )
    return batch


def person_import_rows(*, actor, batch: PersonImport, progress=None):
    """The rows of a previewed import, checked against the database now."""

    return check_rows(json.loads(batch.cells or "[]"), actor=actor, progress=progress)


@transaction.atomic
def person_import_confirm(
    *, actor, batch: PersonImport, progress=None, skip_errors: bool = False
) -> PersonImport:
    """Write the rows of a previewed import in one transaction, or nothing.

    Rows are checked again first. Any error refuses the whole import (ValidationError listing each
    row's messages) unless ``skip_errors``: then the rows with errors are left out, kept (encrypted,
    with their messages) for the Excel file of rows to fix (``person_import_rejected``), and the
    others are written, all or none. Decisions already in the registry with the same content are
    skipped, so importing the same file twice changes nothing. Persons found by exact blind index are
    reused; a person on several rows of the file is created once. The writes are bulk inserts
    (``_import_write``). ``progress(step, done, total)``, when given, hears how far the check and the
    writes are.
    """
    batch = PersonImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != PersonImport.Status.PREVIEW or batch.owner_id != actor.pk:
        raise ValidationError(_("Lượt nhập này đã được xác nhận hoặc đã hủy: hãy tải tệp lên lại."))
    rows = person_import_rows(actor=actor, batch=batch, progress=progress)
    rejected = rejected_rows(rows)
    if rejected and not skip_errors:
        raise ValidationError([text for entry in rejected for text in entry["errors"]])
    good = [row for row in rows if not row.errors]
    if not good:
        raise ValidationError(IMPORT_NOTHING_VALID)
    created, skipped, person_ids = _import_write(actor=actor, rows=good, progress=progress)
    return audited_update(
        actor=actor,
        instance=batch,
        action=Action.STATUS,
        clean=False,
        status=PersonImport.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        created_count=created,
        skipped_count=skipped,
        rejected_count=len(rejected),
        person_ids=list(dict.fromkeys(person_ids)),
        cells=json.dumps(rejected, ensure_ascii=False) if rejected else "",
    )


def person_import_rejected(*, batch: PersonImport, actor) -> list[dict]:
    """The rows of an import that are (preview) or were (confirmed with ``skip_errors``) left out for
    errors, each with its cells and messages. No side effects."""
    if batch.status == PersonImport.Status.PREVIEW:
        return rejected_rows(person_import_rows(actor=actor, batch=batch))
    if batch.status == PersonImport.Status.CONFIRMED and batch.cells:
        return json.loads(batch.cells)
    return []


@transaction.atomic
def person_import_cancel(*, actor, batch: PersonImport) -> PersonImport:
    return audited_update(
        actor=actor,
        instance=batch,
        action=Action.STATUS,
        clean=False,
        status=PersonImport.Status.CANCELLED,
        cells="",
    )


def _import_write(*, actor, rows, progress=None) -> tuple[int, int, list[int]]:
    """Bulk-write checked import rows (``imports.writing.import_write``)."""

    return import_write(actor=actor, rows=rows, progress=progress)
