"""Data protection of the registry: pseudonymous ids, a person's access log, and retention.

The data-protection role reads no personal data: it sees a person only through ``pseudonym(pk)``, a
keyed hash of the record id (stable, not reversible without the blind-index key, and never the name
or ID number). Retention (issue 5, item 10) pseudonymises a person whose violations no longer count
and who has had no activity for ``settings.RETENTION_YEARS`` years: identity wiped, blind indexes
removed; the violations and sanctions stay, so every aggregate number is unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import audited_change, readers
from lanhmanh.core.crypto import blind_index
from lanhmanh.core.erasure import erasure_recorded
from lanhmanh.core.models import ChangeRecord
from lanhmanh.people.counting import count_violations
from lanhmanh.people.models import Person, PersonHealth, PersonSupport, Violation, add_years
from lanhmanh.people.services import person_import_leftovers_wipe

PSEUDONYMISED_NAME = "(đã ẩn danh)"
RETENTION_REASON = "retention"


def pseudonym(pk: int | str) -> str:
    """A stable pseudonymous id of a person record, e.g. ``NV-7F3A9C21D4``."""
    return "NV-" + blind_index(str(pk), purpose="person-pseudonym")[:10].upper()


def access_log(person: Person):
    """Access rows of one person (who read it, when, why), newest first."""
    return readers(person).select_related("actor", "actor__agency")


# Retention -------------------------------------------------------------------------------------------


def retention_years() -> int:
    return int(getattr(settings, "RETENTION_YEARS", 5))


@dataclass(frozen=True)
class Due:
    person_id: int
    pseudonym: str
    last_activity: dt.date
    counted_until: dt.date | None


def _last_activity(person_ids: list[int]) -> dict[int, dt.date]:
    """Latest of: record created/updated, a violation, a change to the record, per person."""
    last: dict[int, dt.datetime] = {}

    def bump(pk, when):
        if when is not None and (pk not in last or when > last[pk]):
            last[pk] = when

    for pk, created, updated in Person.objects.filter(pk__in=person_ids).values_list(
        "pk", "created_at", "updated_at"
    ):
        bump(pk, created)
        bump(pk, updated)
    for row in (
        Violation.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(latest=Max("occurred_at"), recorded=Max("created_at"))
    ):
        bump(row["person_id"], row["latest"])
        bump(row["person_id"], row["recorded"])
    return {pk: timezone.localdate(when) for pk, when in last.items()}


def retention_due(*, today: dt.date | None = None, limit: int | None = None) -> list[Due]:
    """Persons due for pseudonymisation today, oldest activity first."""
    today = today or timezone.localdate()
    cutoff = add_years(today, -retention_years())
    candidates = (
        Person.objects.exclude(name_year_index="")  # already pseudonymised
        .filter(updated_at__date__lte=cutoff)
        .exclude(violations__occurred_at__date__gt=cutoff)
        .exclude(violations__created_at__date__gt=cutoff)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    if apps.is_installed("lanhmanh.support"):
        # Someone still working with the person (an open outreach task or support case) is activity.
        candidates = candidates.exclude(outreach_tasks__status="open").exclude(support_cases__status="open")
    due: list[Due] = []
    ids = list(candidates)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        activity = _last_activity(chunk)
        violations: dict[int, list[Violation]] = {}
        for violation in (
            Violation.objects.filter(person_id__in=chunk)
            .select_related("act", "sanction")
            .order_by("occurred_at", "pk")
        ):
            violations.setdefault(violation.person_id, []).append(violation)
        for pk in chunk:
            rows = count_violations(violations.get(pk, []), today=today)
            if any(row.counts_today for row in rows):
                continue
            if activity.get(pk, today) > cutoff:
                continue
            counted_until = max((row.counts_until for row in rows), default=None)
            due.append(Due(pk, pseudonym(pk), activity[pk], counted_until))
    due.sort(key=lambda d: (d.last_activity, d.person_id))
    return due[:limit] if limit else due


@transaction.atomic
def person_pseudonymise(*, actor, person: Person) -> Person:
    """Wipe a person's identity and blind indexes; keep sex, birth year and the residence units (aggregates)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    with audited_change(actor=actor, instance=person, reason=RETENTION_REASON):
        person.full_name = PSEUDONYMISED_NAME
        person.other_names = ""
        person.birth_date = None
        person.id_number = ""
        person.phone = ""
        person.hometown_address = ""
        person.permanent_address = ""
        person.temporary_address = ""
        person.notes = ""
        # save() recomputes the indexes from the fields: clear them after, in the same UPDATE.
        Person.objects.filter(pk=person.pk).update(
            full_name=person.full_name,
            other_names="",
            birth_date=None,
            id_number="",
            phone="",
            hometown_address="",
            permanent_address="",
            temporary_address="",
            notes="",
            id_number_index="",
            name_birth_index="",
            name_year_index="",
            link_sgy_index="",
            link_gdob_index="",
            link_sdob_index="",
        )
        PersonHealth.objects.filter(person=person).update(referrals="")
        PersonSupport.objects.filter(person=person).update(notes="")
        person.refresh_from_db()
    # Outside the database too, so that restoring an older backup wipes the person again (core.erasure).
    erasure_recorded(
        model="people.person", pk=person.pk, reapply="lanhmanh.people.privacy.pseudonymise_again"
    )
    return person


def pseudonymise_again(pk: int) -> None:
    """Replay of a pseudonymisation after a restore (``core.erasure``): a person already wiped or gone stays so."""
    person = Person.objects.filter(pk=pk).first()
    if person is not None and (
        person.name_year_index or person.id_number or person.full_name != PSEUDONYMISED_NAME
    ):
        person_pseudonymise(actor=None, person=person)


@dataclass
class RetentionRun:
    due: list[Due]
    done: int
    dry_run: bool
    imports_wiped: int = 0


def retention_run(*, dry_run: bool = False, today: dt.date | None = None, actor=None) -> RetentionRun:
    """Pseudonymise every person due today (one transaction per person), and wipe the cells of Excel
    imports kept longer than a day (unconfirmed previews, the rejected rows of partial imports) even when
    their officer never uploads again. ``dry_run`` only lists the persons."""
    due = retention_due(today=today)
    done = 0
    wiped = 0
    if not dry_run:
        for item in due:
            person_pseudonymise(actor=actor, person=Person(pk=item.person_id))
            done += 1
        with transaction.atomic():
            wiped = person_import_leftovers_wipe()
    return RetentionRun(due=due, done=done, dry_run=dry_run, imports_wiped=wiped)


def retention_done(limit: int = 200):
    """Change rows of the pseudonymisations done (newest first): when, which pseudonymous id."""
    rows = ChangeRecord.objects.filter(model="people.person", reason=RETENTION_REASON).order_by("-at", "-pk")
    return [
        {"at": row.at, "pseudonym": pseudonym(row.object_id), "actor": row.actor}
        for row in rows.select_related("actor")[:limit]
    ]


def retention_explanation() -> str:
    return _(
        "Hồ sơ được ẩn danh khi mọi vi phạm đã không còn được tính (Điều 7 Luật Xử lý vi phạm hành chính) và "
        "không có hoạt động nào trong %(years)s năm: xóa họ tên, số giấy tờ, điện thoại, địa chỉ chi tiết và chỉ "
        "mục tra cứu; giữ giới tính, năm sinh, địa bàn và các vi phạm để số liệu thống kê không thay đổi."
    ) % {"years": retention_years()}
