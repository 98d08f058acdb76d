"""Writing the checked rows of an import: persons, violations and decisions in bulk, each audited.

``services.person_import_confirm`` calls ``import_write`` in its transaction, with the rows that
``checks.check_rows`` found without errors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import AuditReason, audited_bulk_create
from lanhmanh.indicators.rollup import rollup_records_added
from lanhmanh.people.bulk import persons_prepare
from lanhmanh.people.counting import repeat_flags_refresh
from lanhmanh.people.events import announce_sanctions_recorded
from lanhmanh.people.models import Person, SanctionDecision, Violation

FROM_EXCEL = AuditReason("people.import-excel", gettext_lazy("Nhập từ tệp Excel"))
CHUNK = 1_000


def import_write(*, actor, rows, progress=None) -> tuple[int, int, list[int]]:
    """Bulk-write checked import rows: persons, violations, decisions, one audit row per record
    (``core.audit.audited_bulk_create``).

    Returns (decisions written, rows skipped, person ids). The rules of ``violation_record`` and
    ``sanction_record`` were applied by ``checks.check_rows`` (the same validators); here each
    decision's ``clean()`` runs once more in memory. The repeat flags are recomputed for the persons
    touched, and the new decisions are announced once with ``events.sanctions_recorded`` (the outreach
    app makes its tasks for all of them in one pass). ``progress(step, done, total)``, when given, is
    called as the work advances. The caller holds the transaction.
    """

    def report(step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(step, done, total)

    authenticated = getattr(actor, "is_authenticated", False)
    reason = FROM_EXCEL()
    persons: dict[str, Person] = {}
    new_persons: list[Person] = []
    pending = []
    person_ids: list[int] = []
    skipped = 0
    for row in rows:
        if row.skipped:
            skipped += 1
            person_ids.append(row.person.pk)
            continue
        person = persons.get(row.person_key)
        if person is None:
            if row.reuses_person:
                person = row.person
            else:
                source = row.person
                person = Person(
                    full_name=source.full_name,
                    sex=source.sex,
                    birth_date=source.birth_date,
                    birth_year=source.birth_year,
                    id_number=source.id_number,
                    permanent_unit=source.permanent_unit,
                    permanent_address=source.permanent_address,
                    created_by=actor if authenticated else None,
                )
                new_persons.append(person)
            persons[row.person_key] = person
        pending.append((row, person))
    total = len(pending)
    for start in range(0, len(new_persons), CHUNK):
        report("persons", start, len(new_persons))
        audited_bulk_create(
            actor=actor,
            model=Person,
            objs=persons_prepare(new_persons[start : start + CHUNK]),
            reason=reason,
            batch_size=CHUNK,
        )
    violations = []
    decisions = []
    for row, person in pending:
        violation = Violation(
            person=person,
            recording_agency=actor.agency,
            recording_officer=actor if authenticated else None,
            recording_officer_name=str(actor)[:120],
            place_address=row.violation.get("place_address", ""),
            **{k: row.violation[k] for k in ("occurred_at", "place_unit", "act", "role")},
        )
        sanction = dict(row.sanction)
        decision = SanctionDecision(
            violation=violation,
            number=sanction["number"],
            decided_on=sanction["decided_on"],
            authority=sanction.get("authority") or actor.agency,
            kind=sanction["kind"],
            amount=sanction.get("amount"),
            paid_on=sanction.get("paid_on"),
        )
        if sanction.get("payment_status"):
            decision.payment_status = sanction["payment_status"]
        try:
            decision.clean()
        except ValidationError as exc:
            raise ValidationError(
                [_("Dòng %(row)s: %(message)s") % {"row": row.row, "message": m} for m in exc.messages]
            ) from None
        violations.append(violation)
        decisions.append(decision)
    report("decisions", 0, total)
    for start in range(0, total, CHUNK):
        for model, objs in ((Violation, violations), (SanctionDecision, decisions)):
            audited_bulk_create(
                actor=actor, model=model, objs=objs[start : start + CHUNK], reason=reason, batch_size=CHUNK
            )
        report("decisions", min(start + CHUNK, total), total)
    rollup_records_added(SanctionDecision, [d.pk for d in decisions])  # bulk_create runs no save()
    person_ids.extend(person.pk for _, person in pending)
    report("repeats", 0, total)
    repeat_flags_refresh(person_ids=sorted({p.pk for _, p in pending}))
    report("outreach", 0, total)
    announce_sanctions_recorded(decisions)
    report("outreach", total, total)
    return len(decisions), skipped, person_ids
