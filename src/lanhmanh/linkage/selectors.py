"""Scoped reads of the linkage app.

The review queue shows a pair only to users allowed to see both identities: the identity class and
jurisdiction over both persons (the registry's own rule, ``people.selectors.persons_visible``).
Runs are for city coordinators holding the identity class.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from lanhmanh.linkage.models import CandidatePair, DedupRun, Merge, PairStatus
from lanhmanh.linkage.rules import require_reviewer, require_run_manager  # noqa: F401 - views use them from here
from lanhmanh.people.selectors import persons_visible


def resolve_person_id(pk: int) -> int:
    """The id a person's records live under now: follows active merges (a former id → its survivor)."""
    seen = {pk}
    while True:
        survivor = (
            Merge.objects.filter(merged_id=pk, undone_at__isnull=True)
            .values_list("survivor_id", flat=True)
            .first()
        )
        if survivor is None or survivor in seen:
            return pk
        seen.add(survivor)
        pk = survivor


def pairs_for_review(user) -> QuerySet[CandidatePair]:
    """Pending and unsure pairs whose two persons this user may both see."""
    require_reviewer(user)
    visible = persons_visible(user).values("pk")
    return CandidatePair.objects.filter(
        Q(status=PairStatus.PENDING) | Q(status=PairStatus.UNSURE),
        person_a__in=visible,
        person_b__in=visible,
    ).select_related("person_a", "person_b")


def pair_get(user, pk) -> CandidatePair:
    require_reviewer(user)
    visible = persons_visible(user).values("pk")
    try:
        return CandidatePair.objects.select_related("person_a", "person_b").get(
            pk=pk, person_a__in=visible, person_b__in=visible
        )
    except (CandidatePair.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_merges(user, pk: int):
    """(person, merges where it survived or was merged): the person must be visible, else 404."""
    require_reviewer(user)
    try:
        person = persons_visible(user).get(pk=pk)
    except (ValueError, TypeError):
        raise Http404 from None
    except persons_visible(user).model.DoesNotExist:
        raise Http404 from None
    merges = Merge.objects.filter(Q(survivor=person) | Q(merged=person)).select_related(
        "survivor", "merged", "created_by", "undone_by", "pair"
    )
    return person, merges


def merge_get(user, pk) -> Merge:
    """A merge whose two persons this user may both see, or Http404 (missing and out of reach alike)."""
    try:
        merge = Merge.objects.get(pk=pk)
    except (Merge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    person_merges(user, merge.survivor_id)
    person_merges(user, merge.merged_id)
    return merge


def run_get(user, pk) -> DedupRun:
    require_run_manager(user)
    try:
        return DedupRun.objects.get(pk=pk)
    except (DedupRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def runs(user) -> QuerySet[DedupRun]:
    require_run_manager(user)
    return DedupRun.objects.all()[:20]
