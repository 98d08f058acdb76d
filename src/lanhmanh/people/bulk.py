"""Bulk writes of persons, violations and sanction decisions, for the demo population and benchmarks.

Identity fields are encrypted and blind indexes computed in Python (``Person.refresh_indexes``), then
rows are inserted in batches with ``bulk_create``. Nothing here validates or audits: callers build
rows that the services would accept (fines inside the act's range, dates in order, adults only). The
repeat flags are recomputed afterwards for the persons touched (``repeat_flags_refresh``).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation

BATCH = 2_000

# Sent once after a bulk write of sanction decisions (the Excel import), with ``decisions``: the saved
# decisions, their violations and persons attached. Bulk inserts send no ``post_save``; receivers that
# act on each new decision (outreach) listen here and work on the whole list at once.
sanctions_bulk_created = Signal()

SURNAMES = {
    "Nguyễn": 38.4,
    "Trần": 12.1,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 5.1,
    "Phan": 4.5,
    "Vũ": 3.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đinh": 0.5,
    "Trịnh": 0.4,
    "Đào": 0.4,
    "Mai": 0.3,
}
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Phương")
MIDDLE_MALE = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Tuấn")
GIVEN_FEMALE = (
    "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Hà", "Thảo", "Ngọc", "Huyền", "Nhung", "Yến",
    "Phương", "Thủy", "Hằng", "Dung", "Loan", "Nga", "Oanh", "Quyên", "Thu", "Vân", "Anh", "Giang",
)  # fmt: skip
GIVEN_MALE = (
    "Hùng", "Dũng", "Nam", "Long", "Tuấn", "Minh", "Hải", "Sơn", "Thắng", "Trung", "Quân", "Khánh",
)  # fmt: skip


def strip_marks(text: str) -> str:
    """'Nguyễn Thị Hương' → 'Nguyen Thi Huong' (how names arrive from systems without diacritics)."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def spelling_variant(name: str, rng: random.Random) -> str:
    """The same person's name as another officer wrote it: no diacritics, a dropped middle name,
    a swapped tone mark or a typo in the given name."""
    parts = name.split()
    choice = rng.randrange(4)
    if choice == 0:
        return strip_marks(name)
    if choice == 1 and len(parts) > 2:
        return " ".join([parts[0], *parts[2:]])
    if choice == 2:
        swaps = {"ỳ": "ỷ", "ã": "ả", "ạ": "ả", "ộ": "ổ", "ỗ": "ổ", "ũ": "ủ", "ị": "ỉ", "ế": "ề", "ơ": "ờ"}
        text = "".join(swaps.get(ch, ch) for ch in name)
        return text if text != name else strip_marks(name)
    given = parts[-1]
    if len(given) > 2:
        i = rng.randrange(1, len(given))
        given = given[:i] + given[i - 1] + given[i:]
    return " ".join([*parts[:-1], given])


def full_name(rng: random.Random, *, female: bool) -> str:
    family = rng.choices(list(SURNAMES), list(SURNAMES.values()))[0]
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{family} {middle} {given}"


def id_number(rng: random.Random, *, female: bool, birth_year: int) -> str:
    if rng.random() < 0.4:
        return f"0{rng.randint(10, 38):02d}{rng.randint(0, 999_999):06d}"[:9]
    century = (0 if birth_year < 2000 else 2) + (1 if female else 0)
    return f"0{rng.randint(1, 96):02d}{century}{birth_year % 100:02d}{rng.randint(0, 999_999):06d}"


@dataclass
class Officer:
    user_id: int | None
    agency_id: int
    name: str


def persons_create(persons: list[Person], *, batch_size: int = BATCH) -> list[Person]:
    """Insert persons (ids set on the objects); identity encrypted, blind indexes computed here."""
    now = timezone.now()
    for person in persons:
        if person.birth_date:
            person.birth_year = person.birth_date.year
        person.refresh_indexes()
        person.created_at = person.created_at or now
        person.updated_at = person.updated_at or now
    return Person.objects.bulk_create(persons, batch_size=batch_size)


def violations_create(
    rows: list[tuple[Violation, SanctionDecision | None]], *, batch_size: int = BATCH
) -> list[Violation]:
    """Insert violations and their decisions (``decision.violation`` is set after the insert)."""
    violations = Violation.objects.bulk_create([v for v, _ in rows], batch_size=batch_size)
    decisions = []
    for violation, decision in rows:
        if decision is not None:
            decision.violation = violation
            decisions.append(decision)
    SanctionDecision.objects.bulk_create(decisions, batch_size=batch_size)
    return violations


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sanction_draw(rng: random.Random, act: LegalAct, day: dt.date) -> dict:
    """The fields of a plausible sanction decision for ``act`` committed on ``day`` (a warning where the
    act allows one, else a fine within its bounds, seven in ten paid), as keyword arguments."""
    decided = day + dt.timedelta(days=rng.choice((0, 1, 1, 2, 3)))
    if act.warning_allowed and rng.random() < 0.4:
        return {
            "decided_on": decided,
            "kind": "warning",
            "amount": None,
            "payment_status": "n/a",
            "paid_on": None,
        }
    low, high = act.fine_min_individual, act.fine_max_individual
    amount = rng.randrange(low, high + 1, 50_000) if high > low else low
    paid = rng.random() < 0.7
    return {
        "decided_on": decided,
        "kind": "fine",
        "amount": amount,
        "payment_status": "paid" if paid else "unpaid",
        "paid_on": decided + dt.timedelta(days=rng.randint(0, 20)) if paid else None,
    }


def random_sanction(rng: random.Random, act: LegalAct, day: dt.date, *, authority_id: int, number: str):
    return SanctionDecision(number=number, authority_id=authority_id, **sanction_draw(rng, act, day))


@transaction.atomic
def repeat_flags_refresh_all(person_ids: list[int]) -> int:
    from lanhmanh.people.services import repeat_flags_refresh

    changed = 0
    for chunk in chunks(sorted(set(person_ids)), 1_000):
        changed += repeat_flags_refresh(person_ids=chunk)
    return changed


def import_write(*, actor, rows, progress=None) -> tuple[int, int, list[int]]:
    """Bulk-write checked import rows: persons, violations, decisions, one audit row per record.

    Returns (decisions written, rows skipped, person ids). The same rules as ``violation_record`` and
    ``sanction_record`` were applied by ``imports.check_rows`` (which runs them without the database);
    here each decision's ``clean()`` runs once more in memory. The repeat flags are recomputed for the
    persons touched, and the new decisions are announced once with ``sanctions_bulk_created`` (the
    outreach app makes its tasks for all of them in one pass). ``progress(step, done, total)``, when
    given, is called as the work advances. The caller holds the transaction.
    """
    from lanhmanh.core.audit import Action, snapshot
    from lanhmanh.core.models import ChangeRecord
    from lanhmanh.people.services import repeat_flags_refresh

    def report(step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(step, done, total)

    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
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
                    created_by=actor if actor_id else None,
                )
                new_persons.append(person)
            persons[row.person_key] = person
        pending.append((row, person))
    total = len(pending)
    for start in range(0, len(new_persons), 1_000):
        report("persons", start, len(new_persons))
        persons_create(new_persons[start : start + 1_000], batch_size=1_000)
    violations = []
    decisions = []
    for row, person in pending:
        violation = Violation(
            person=person,
            recording_agency=actor.agency,
            recording_officer=actor if actor_id else None,
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
    for start in range(0, total, 1_000):
        Violation.objects.bulk_create(violations[start : start + 1_000], batch_size=1_000)
        SanctionDecision.objects.bulk_create(decisions[start : start + 1_000], batch_size=1_000)
        report("decisions", min(start + 1_000, total), total)
    reason = _("Nhập từ tệp Excel")
    audit = [
        ChangeRecord(
            actor_id=actor_id,
            action=Action.CREATE,
            model=instance._meta.label_lower,
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            after=snapshot(instance),
            reason=reason,
        )
        for instance in [*new_persons, *violations, *decisions]
    ]
    report("audit", 0, total)
    ChangeRecord.objects.bulk_create(audit, batch_size=1_000)
    person_ids.extend(person.pk for _, person in pending)
    report("repeats", 0, total)
    repeat_flags_refresh(person_ids=sorted({p.pk for _, p in pending}))
    report("outreach", 0, total)
    sanctions_bulk_created.send(sender=SanctionDecision, decisions=decisions)
    report("outreach", total, total)
    return len(decisions), skipped, person_ids
