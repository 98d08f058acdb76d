"""Bulk writes of persons, violations and sanction decisions, for the demo population and benchmarks,
and the synthetic names and ID numbers they use.

Identity fields are encrypted and blind indexes computed in Python (``Person.refresh_indexes``), then
rows are inserted in batches with ``bulk_create``. Nothing here validates, audits or announces
(``events.sanctions_recorded``): callers build rows that the services would accept (fines inside the
act's range, dates in order, adults only). The repeat flags are recomputed afterwards for the persons
touched (``repeat_flags_refresh``). The Excel import, which does validate and audit, writes through
``imports.writing``. The decisions are added to the indicators' rollup rows (``rollup_records_added``).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lanhmanh.indicators.rollup import rollup_records_added
from lanhmanh.people.counting import repeat_flags_refresh
from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation

BATCH = 2_000

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


def persons_prepare(persons: list[Person]) -> list[Person]:
    """Make persons ready for ``bulk_create`` (which runs no ``save()``): birth year from the birth date,
    identity encrypted and blind indexes computed, timestamps set."""
    now = timezone.now()
    for person in persons:
        if person.birth_date:
            person.birth_year = person.birth_date.year
        person.refresh_indexes()
        person.created_at = person.created_at or now
        person.updated_at = person.updated_at or now
    return persons


def persons_create(persons: list[Person], *, batch_size: int = BATCH) -> list[Person]:
    """Insert persons (ids set on the objects); identity encrypted, blind indexes computed here."""
    return Person.objects.bulk_create(persons_prepare(persons), batch_size=batch_size)


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
    rollup_records_added(SanctionDecision, [d.pk for d in decisions])  # bulk_create runs no save()
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
    changed = 0
    for chunk in chunks(sorted(set(person_ids)), 1_000):
        changed += repeat_flags_refresh(person_ids=chunk)
    return changed
