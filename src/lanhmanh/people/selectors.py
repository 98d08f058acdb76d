"""Reads of the registry scoped to a user: outsiders get nothing (views turn that into 404).

A person is within a user's reach when the user's roles grant the identity class and one of the
person's units lies in the user's subtree: permanent or temporary residence, the place of one of
their violations, the unit of the agency that recorded one, or the unit of the agency that created
the record. A person under 18 today also needs the child class. Violations need the enforcement
class, health and support flags their own classes.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import Purpose, record_access
from lanhmanh.core.models import AccessRecord
from lanhmanh.core.scoping import DataClass, can, path_q
from lanhmanh.org.successions import reach_q
from lanhmanh.people.counting import CountedViolation, count_violations
from lanhmanh.people.models import (
    Person,
    PersonHealth,
    PersonImport,
    PersonSupport,
    SanctionDecision,
    Violation,
)


def _scope_q(user) -> Q:
    root = getattr(user, "jurisdiction_path", None)
    if not root:
        return Q(pk__in=[])
    # Correlated EXISTS, not IN (subquery): a look-up narrows to a few persons by blind index first and
    # then checks each one's violations through the (person, occurred_at) index.
    # A unit of the two-level map (since 1/7/2025) also reaches the violations made before the reform in
    # the communes it was made from (``org.successions.reach_q``): a new ward's officer sees its people's history.
    where = reach_q(root, "place_unit__path") | path_q(root, "recording_agency__unit__path")
    via_violations = Violation.objects.filter(where, person=OuterRef("pk"))
    return (
        path_q(root, "permanent_unit__path")
        | path_q(root, "temporary_unit__path")
        | path_q(root, "created_by__agency__unit__path")
        | Q(Exists(via_violations))
    )


def persons_visible(user, *, today: dt.date | None = None) -> QuerySet[Person]:
    """Persons whose identity this user may see."""
    if not can(user, DataClass.IDENTITY):
        return Person.objects.none()
    queryset = Person.objects.filter(_scope_q(user))
    if not can(user, DataClass.CHILD):
        queryset = queryset.adults_on(today or timezone.localdate())
    return queryset.select_related("permanent_unit", "temporary_unit", "hometown_unit")


def person_get(user, pk) -> Person:
    """One person this user may see, or Http404 (missing and out of reach look the same)."""
    try:
        return persons_visible(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def identities_shown(user, persons, *, purpose: str, detail: str = "", path: str = "") -> None:
    """Log that these persons' identities are shown to ``user`` (one ``AccessRecord`` each, with the
    purpose the user stated). The one place the registry writes its access log, for pages and API alike.
    One INSERT for the lot (a confirmed import's page shows hundreds of names)."""
    persons = list(persons)
    if len(persons) == 1:
        record_access(
            actor=user,
            instance=persons[0],
            data_class=DataClass.IDENTITY,
            purpose=purpose,
            detail=detail,
            path=path,
        )
        return
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}")
    AccessRecord.objects.bulk_create(
        AccessRecord(
            actor=user,
            model=person._meta.label_lower,
            object_id=str(person.pk),
            data_class=DataClass.IDENTITY,
            purpose=purpose,
            detail=str(detail)[:300],
            path=path[:300],
        )
        for person in persons
    )


def person_identity_get(user, pk, *, purpose: str, detail: str = "", path: str = "") -> Person:
    """``person_get`` for a page or answer that shows the identity: the read is logged (``identities_shown``)."""
    person = person_get(user, pk)
    identities_shown(user, [person], purpose=purpose, detail=detail, path=path)
    return person


def person_imports_of(user) -> QuerySet[PersonImport]:
    """The lists this user uploaded, newest first (a list is seen by its owner only)."""
    return PersonImport.objects.filter(owner=user).order_by("-created_at")


def person_import_get(user, pk) -> PersonImport:
    """One list this user uploaded, or Http404 (another's list and a missing one look the same)."""
    try:
        return PersonImport.objects.get(owner=user, pk=pk)
    except (PersonImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_pseudonymous_get(pk) -> Person:
    """A person by id, its id only (no identity field is read): for the data-protection pages, which
    show a pseudonym. Callers check the data-protection role first. Http404 when missing."""
    person = Person.objects.filter(pk=pk).only("pk").first() if str(pk).isdigit() else None
    if person is None:
        raise Http404
    return person


def without_merged(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """Without the persons merged into another (linkage): their records now live under the survivor."""

    if not apps.is_installed("lanhmanh.linkage"):
        return queryset
    merges = apps.get_model("linkage", "Merge").objects.filter(merged=OuterRef("pk"), undone_at__isnull=True)
    return queryset.exclude(Exists(merges))


def persons_search(
    user, *, id_number: str = "", full_name: str = "", birth: dt.date | int | None = None
) -> QuerySet[Person]:
    """Exact look-up through the blind indexes: by ID number, or by folded full name + birth date/year."""
    visible = without_merged(persons_visible(user))
    if id_number:
        return visible.by_id_number(id_number)
    if full_name and birth is not None:
        return visible.by_name_birth(full_name, birth)
    return visible.none()


def violations_of(user, person: Person) -> QuerySet[Violation]:
    """All violations of a person the user may see (the whole history, for counting), or none."""
    if not can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT}):
        return Violation.objects.none()
    return (
        Violation.objects.filter(person=person)
        .select_related("act", "place_unit", "recording_agency", "sanction", "sanction__authority")
        .order_by("occurred_at", "pk")
    )


def counted_violations(user, person: Person, *, today: dt.date | None = None) -> list[CountedViolation]:
    return count_violations(list(violations_of(user, person)), today=today or timezone.localdate())


def health_of(user, person: Person) -> PersonHealth | None:
    if not can(user, DataClass.HEALTH):
        return None
    return PersonHealth.objects.filter(person=person).first()


def support_of(user, person: Person) -> PersonSupport | None:
    if not can(user, DataClass.SUPPORT):
        return None
    return PersonSupport.objects.filter(person=person).first()


def sanction_get(user, pk) -> SanctionDecision:
    """A sanction decision of a person this user may see, when the user may see enforcement data; else 404."""
    if not can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT}):
        raise Http404
    try:
        return SanctionDecision.objects.select_related(
            "violation__act", "violation__person", "authority"
        ).get(pk=pk, violation__person__in=persons_visible(user))
    except (SanctionDecision.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
