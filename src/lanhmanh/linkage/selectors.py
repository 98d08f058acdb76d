"""Scoped reads of the linkage app.

The review queue, pair pages and merge histories need the registry's own classes (identity +
enforcement, ``people.apps.can_use_registry``: the roles that record identities, hence the only ones
that may decide a pair or undo a merge) and show a pair only when both persons are within the user's
reach (``people.selectors.persons_visible``). Everyone else gets 404, as for a missing page: a health
worker or a social worker holds identities of their own clients, not the registry's.
Runs are for city coordinators with the same classes.
"""

from __future__ import annotations

import base64
import gc
import json
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.jobs import jobs_latest
from lanhmanh.core.text import fold, split_name
from lanhmanh.linkage import engine
from lanhmanh.linkage.models import (
    DEDUP_RUN_JOB,
    CandidatePair,
    DedupRun,
    Merge,
    ModelVersion,
    PairStatus,
    QueueChange,
    QueueChangeKind,
    QueueState,
    Review,
)
from lanhmanh.linkage.rules import require_reviewer, require_run_manager  # noqa: F401 - views use them from here
from lanhmanh.org.models import AdministrativeUnit
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
        return CandidatePair.objects.select_related(
            "person_a", "person_b", "model_version", "explanation_version"
        ).get(pk=pk, person_a__in=visible, person_b__in=visible)
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


# The run's page lists this many of its weakest automatic merges.
MERGES_TO_CHECK_SHOWN = 50


def run_merges_to_check(user, run: DedupRun) -> tuple[list[Merge], int]:
    """(the run's active automatic merges below ``engine.UPPER_THRESHOLD``, weakest first, at most
    ``MERGES_TO_CHECK_SHOWN``; how many there are): the merges a run asked for a lower precision than
    the most cautious made, for a second look (each undone from the person's merge history). Ids and
    probabilities only: the identities are read on the person's page, with its purpose."""
    require_run_manager(user)
    found = Merge.objects.filter(
        run=run, automatic=True, undone_at__isnull=True, probability__lt=engine.UPPER_THRESHOLD
    ).order_by("probability", "pk")
    return list(found[:MERGES_TO_CHECK_SHOWN]), found.count()


def runs(user) -> list[DedupRun]:
    """The latest 20 runs, each with its job (two queries)."""
    require_run_manager(user)
    latest = list(DedupRun.objects.all()[:20])
    found = jobs_latest(DEDUP_RUN_JOB, [run.pk for run in latest])
    for run in latest:
        run.job = found.get(run.pk)
    return latest


# Review by cluster (issue #19) ---------------------------------------------------------------------

# A pending pair is in the queue from this probability up (the model finds it likelier one person than
# two) and leaves it when (re-)scored below. Was 0.8: at 977,011 records the queue then held none of the
# 11,808 pairs scored 0.5-0.8, 68 % of them one person, and every queued pair decided right stopped at
# F1 0.9682 (``benchmarks/linkage_queue_offline.py``).
QUEUE_FLOOR = 0.5
# A link of a candidate cluster below this probability is marked weak: where a split is likeliest.
WEAK_LINK = 0.9
# Clusters whose every link a reviewer marked "unsure" come after fresh ones of the same value.
UNSURE_DISCOUNT = 0.5


@dataclass
class Link:
    pair: CandidatePair
    a: int  # the two persons as they are now (after merges)
    b: int

    @property
    def weak(self) -> bool:
        return self.pair.match_probability < WEAK_LINK


@dataclass
class Cluster:
    """Records the model would join into one person, with the pending links between them. What is
    derived from the links is computed once (the queue page sorts tens of thousands of kept clusters);
    the probability-derived figures (``certainty``, ``value``, ``weak_links``) are computed again on the
    first read after a re-scoring of the kept queue (``epoch``, shared by the clusters of one
    ``ReachQueue``, counts the re-scorings), nothing else of it changes."""

    members: list[int]
    links: list[Link]
    districts: set[str] = field(default_factory=set)
    in_jurisdiction: bool = False
    records: dict[int, int] = field(
        default_factory=dict
    )  # member → its records (itself and those merged into it)
    epoch: list[int] = field(default_factory=lambda: [0], repr=False, compare=False)

    @cached_property
    def anchor(self) -> int:
        """The cluster's address: its first pending pair."""
        return min(link.pair.id for link in self.links)

    @property
    def size(self) -> int:
        return len(self.members)

    @cached_property
    def unsure(self) -> bool:
        return all(link.pair.status == PairStatus.UNSURE for link in self.links)

    @cached_property
    def record_pairs(self) -> int:
        """Pairs of records that are not one person yet and would be if the cluster is confirmed whole."""
        counts = [self.records.get(member, 1) for member in self.members]
        return (sum(counts) ** 2 - sum(n * n for n in counts)) // 2

    def _figures(self) -> tuple[int, float, float, int]:
        figures = self.__dict__.get("_figures_kept")
        if figures is None or figures[0] != self.epoch[0]:
            total = 0.0  # added left to right, as ``ReachQueue._resort`` adds them (the same floats)
            for link in self.links:
                total += link.pair.match_probability
            certainty = total / len(self.links)
            value = self.record_pairs * certainty * (UNSURE_DISCOUNT if self.unsure else 1.0)
            figures = (self.epoch[0], certainty, value, sum(link.weak for link in self.links))
            self.__dict__["_figures_kept"] = figures
        return figures

    @property
    def certainty(self) -> float:
        """Mean match probability of the links."""
        return self._figures()[1]

    @property
    def value(self) -> float:
        """How much a decision is expected to change the registry: the pairs of records it would join
        × the mean probability that they are one person (halved when every link is unsure). Nothing
        in the queue is joined until a reviewer says so, so a decision changes the registry by the
        records it joins; a split leaves the registry as it is."""
        return self._figures()[2]

    @property
    def weak_links(self) -> int:
        return self._figures()[3]

    @property
    def seen(self) -> str:
        """What the reviewer saw: each pair with its number of decisions (a later decision changes it)."""
        return ",".join(f"{link.pair.pk}.{link.pair.decision_count}" for link in self.links)


def merged_roots() -> dict[int, int]:
    """Every merged person → the person its records live under now (active merges, followed)."""
    survivor_of = dict(Merge.objects.filter(undone_at__isnull=True).values_list("merged_id", "survivor_id"))
    roots: dict[int, int] = {}
    for merged in survivor_of:
        seen, current = {merged}, survivor_of[merged]
        while current in survivor_of and survivor_of[current] not in seen:
            seen.add(current)
            current = survivor_of[current]
        roots[merged] = current
    return roots


def apart_roots(roots: dict[int, int]) -> dict[frozenset[int], int]:
    """{the two persons now, as a set: the pair decided "different"} for every "different" decision."""
    rows = CandidatePair.objects.filter(status=PairStatus.DIFFERENT).values_list(
        "pk", "person_a_id", "person_b_id"
    )
    return {frozenset((roots.get(a, a), roots.get(b, b))): pk for pk, a, b in rows}


def _district(path: str) -> str:
    return ".".join(path.split(".")[:2]) if path else ""


def review_clusters(user, *, district: str = "") -> list[Cluster]:
    """The review queue: candidate clusters, the reviewer's jurisdiction first, then by value.

    Pairs an earlier decision already settles never appear: both records now one person (merged,
    possibly through others), or the two persons already decided different. Built whole from the
    database (``queue_build``); the pages read the queue kept in the process instead (``review_queue``),
    which is the same queue brought up to date change by change.
    """
    require_reviewer(user)
    reach = ReachQueue(_reach_key(user))
    reach.sync(user, queue_build(0))
    found = list(reach.order)
    if district:
        found = [c for c in found if district in c.districts]
    return found


def cluster_get(user, anchor) -> Cluster:
    """The candidate cluster holding pair ``anchor`` (Http404 when out of reach or already settled)."""
    return cluster_and_next(user, anchor)[0]


def cluster_persons(user, cluster: Cluster) -> list:
    """The cluster's persons (each visible to the user), in the cluster's order."""
    found = {p.pk: p for p in persons_visible(user).filter(pk__in=cluster.members)}
    if len(found) != len(cluster.members):
        raise Http404
    return [found[pk] for pk in cluster.members]


def cluster_apart(cluster: Cluster) -> list[tuple[int, int, int]]:
    """(person, person, pair) for the cluster's persons already decided different (they cannot be joined).

    Reads only the cluster's records (the members and the records merged into them, a query per level of
    merges) and the "different" pairs between them, not every merge and decision of the registry."""
    members = set(cluster.members)
    root_of = {member: member for member in members}
    frontier = set(members)
    while frontier:
        merged = dict(
            Merge.objects.filter(survivor_id__in=frontier, undone_at__isnull=True).values_list(
                "merged_id", "survivor_id"
            )
        )
        frontier = set()
        for person, survivor in merged.items():
            if person not in root_of:
                root_of[person] = root_of[survivor]
                frontier.add(person)
    rows = CandidatePair.objects.filter(
        status=PairStatus.DIFFERENT, person_a_id__in=root_of, person_b_id__in=root_of
    ).values_list("pk", "person_a_id", "person_b_id")
    apart = {frozenset((root_of[a], root_of[b])): pk for pk, a, b in rows}
    return sorted((min(pair), max(pair), pk) for pair, pk in apart.items() if len(pair) == 2)


def review_get(user, pk) -> Review:
    """A review whose decisions this user may see (every pair in reach), or Http404."""
    require_reviewer(user)
    try:
        review = Review.objects.get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    visible = persons_visible(user).values("pk")
    hidden = (
        CandidatePair.objects.filter(decisions__review=review)
        .exclude(person_a__in=visible, person_b__in=visible)
        .exists()
    )
    if hidden:
        raise Http404
    return review


def reviews_recent(user, limit: int = 10) -> list[Review]:
    """This reviewer's latest reviews (for undo)."""
    require_reviewer(user)
    return list(Review.objects.filter(reviewer=user).select_related("undone_by")[:limit])


def pending_pairs_with_persons(user) -> QuerySet[CandidatePair]:
    """Pending pairs in reach with both persons loaded (batch confirmation reads their fields)."""
    return pairs_for_review(user).filter(status=PairStatus.PENDING)


def cluster_and_next(user, anchor) -> tuple[Cluster, int | None]:
    """The cluster holding pair ``anchor`` and the address of the next one in the queue (None at the end).

    Read from the reviewer's queue as kept under the current token (``review_queue``): a page does not
    rebuild the queue. The cluster's pairs are read again (their status, probability and decisions as
    they are now); should they or its persons' reach differ from what was kept (a change that did not
    replace the token, such as a person moved out of the reviewer's area), the queue is rebuilt once.
    """
    try:
        anchor = int(anchor)
    except (TypeError, ValueError):
        raise Http404 from None
    pair_get(user, anchor)
    for rebuild in (False, True):
        reach = _queue_indexed(user, rebuild=rebuild)
        kept = reach.where.get(anchor)
        if kept is None:
            raise Http404  # settled, below the floor or out of reach (the kept queue is the current one)
        cluster = _cluster_now(user, kept)
        if cluster is None:
            continue
        with _kept_lock:
            following = reach.after(kept)
        return cluster, following
    raise Http404


def _cluster_now(user, kept: Cluster) -> Cluster | None:
    """``kept`` with its pairs as they are now (two queries), or None when it is no longer what the queue
    would show (a pair decided or moved below the floor, a person out of reach)."""
    pairs = {
        pair.pk: pair
        for pair in CandidatePair.objects.filter(
            pk__in=[link.pair.pk for link in kept.links],
            status__in=[PairStatus.PENDING, PairStatus.UNSURE],
            match_probability__gte=QUEUE_FLOOR,
        )
        .annotate(decision_count=Count("decisions"))
        .select_related("model_version", "explanation_version")
        .only(
            "pk",
            "person_a_id",
            "person_b_id",
            "match_probability",
            "status",
            "explanation",
            "model_version__parameters",
            "explanation_version__parameters",
        )
    }
    if len(pairs) != len(kept.links):
        return None
    if persons_visible(user).filter(pk__in=kept.members).count() != len(kept.members):
        return None
    links = [Link(pairs[link.pair.pk], link.a, link.b) for link in kept.links]
    links.sort(key=lambda link: (link.pair.match_probability, link.pair.pk))
    return replace(kept, links=links, members=list(kept.members), records=dict(kept.records))


# The review queue kept in the process ---------------------------------------------------------------

# A reach's kept queue reads its persons' reach again after this many seconds: the persons a reviewer may
# see also change with edits made elsewhere (an address, a violation), which are not queue changes.
QUEUE_KEPT_SECONDS = 300
QUEUE_KEPT_MAX = 16  # reaches kept in one process (the least recently used one goes first)
QUEUE_DELTAS_KEPT = 256  # updates of the core a reach may catch up with (older: derived again, no query)
QUEUE_CHANGES_KEPT = 5000  # changes kept in the database (a process further behind reads the queue whole)
# More clusters than this in or out of a reach's queue at once: sorted again whole, not one at a time.
QUEUE_RESORT_AT = 64
BAND = (PairStatus.PENDING, PairStatus.UNSURE)
QUEUE_FROZEN_AT = 10_000  # pairs in the band from which a queue read whole is kept out of full collections


def _band_rows(queryset) -> QuerySet[CandidatePair]:
    # The explanations are left out (about half the memory at 1M): read when asked (``_cluster_now``).
    return queryset.annotate(decision_count=Count("decisions")).only(
        "pk", "person_a_id", "person_b_id", "match_probability", "status"
    )


@dataclass
class Component:
    """A connected component of the unsettled links, whoever reads it (members: persons now)."""

    members: list[int]
    links: list[Link]


class QueueCore:
    """What the review queue is made of, the same for every reviewer: the pairs of the queue's band
    (pending or unsure, from ``QUEUE_FLOOR``), the active merges followed to the persons the records live
    under now, the pairs decided different, and the connected components of the links no decision
    settles. Built once per process (``queue_build``) and brought up to date by the changes after it
    (``apply``): only the pairs and persons a change names are read again, and only the components they
    touch are recomputed. Each update is kept as a delta (the components it removed or added, and
    whether the probabilities moved) for the reviewers' queues to follow (``ReachQueue``)."""

    def __init__(self, number: int) -> None:
        self.number = self.since = number
        self.pairs: dict[int, CandidatePair] = {}
        self.by_person: dict[int, set[int]] = defaultdict(set)  # a record → band pairs naming it
        self.survivor_of: dict[int, int] = {}
        self.merged_into: dict[int, set[int]] = defaultdict(set)
        self.root: dict[int, int] = {}  # a merged record → the person it lives under now
        self.held: Counter[int] = Counter()  # a person → the records merged into it
        self.different: dict[int, tuple[int, int]] = {}
        self.different_of: dict[int, set[int]] = defaultdict(set)
        self.apart_key: dict[int, frozenset[int]] = {}
        self.apart: Counter[frozenset[int]] = Counter()  # two persons now → "different" pairs between them
        self.pair_roots: dict[int, tuple[int, int]] = {}  # a band pair → its two persons now
        self.band_of: dict[int, set[int]] = defaultdict(set)  # a person now → band pairs ending there
        self.links: dict[int, Link] = {}
        self.links_of: dict[int, set[int]] = defaultdict(set)
        self.component_of: dict[int, int] = {}
        self.components: dict[int, Component] = {}
        self.next_component = 0
        self.deltas: list[tuple[int, set[int], bool]] = []
        # The latest re-scoring's (pair ids, sorted; their probabilities): every band pair's probability
        # but those read again since, whose components a later delta names.
        self.rescore = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def now(self, person: int) -> int:
        return self.root.get(person, person)

    def _follow(self, person: int) -> int:
        seen, current = {person}, self.survivor_of[person]
        while current in self.survivor_of and self.survivor_of[current] not in seen:
            seen.add(current)
            current = self.survivor_of[current]
        return current

    def _held_by(self, person: int) -> set[int]:
        """The person and every record merged into it, directly or through others."""
        found, stack = {person}, [person]
        while stack:
            for merged in self.merged_into.get(stack.pop(), ()):
                if merged not in found:
                    found.add(merged)
                    stack.append(merged)
        return found

    def _pair_set(self, pair: CandidatePair) -> None:
        self.pairs[pair.pk] = pair
        self.by_person[pair.person_a_id].add(pair.pk)
        self.by_person[pair.person_b_id].add(pair.pk)

    def _pair_drop(self, pk: int) -> None:
        pair = self.pairs.pop(pk, None)
        if pair is not None:
            self.by_person[pair.person_a_id].discard(pk)
            self.by_person[pair.person_b_id].discard(pk)

    def _rekey(self, pk: int) -> list[frozenset[int]]:
        """The "different" pair ``pk`` counted under its two persons as they are now; the keys changed."""
        changed = []
        old = self.apart_key.pop(pk, None)
        if old is not None:
            self.apart[old] -= 1
            if self.apart[old] <= 0:
                del self.apart[old]
        if pk in self.different:
            a, b = self.different[pk]
            key = frozenset((self.now(a), self.now(b)))
            self.apart_key[pk] = key
            self.apart[key] += 1
            if key != old:
                changed.append(key)
        if old is not None and old != self.apart_key.get(pk):
            changed.append(old)
        return changed

    def _between(self, key: frozenset[int]) -> set[int]:
        if len(key) != 2:
            return set()
        x, y = key
        return self.band_of.get(x, set()) & self.band_of.get(y, set())

    def _relink(self, dirty: set[int], roots: set[int]) -> set[int]:
        """Links of the ``dirty`` pairs as they are now, and the components around them and ``roots``
        recomputed; returns the components removed and added."""
        touched = set(roots)
        for pk in dirty:
            old = self.pair_roots.pop(pk, None)
            if old is not None:
                for person in old:
                    self.band_of[person].discard(pk)
                    self.links_of[person].discard(pk)
                touched.update(old)
            self.links.pop(pk, None)
            pair = self.pairs.get(pk)
            if pair is None:
                continue
            a, b = self.now(pair.person_a_id), self.now(pair.person_b_id)
            a, b = min(a, b), max(a, b)
            self.pair_roots[pk] = (a, b)
            self.band_of[a].add(pk)
            self.band_of[b].add(pk)
            touched.update((a, b))
            if a == b or frozenset((a, b)) in self.apart:
                continue  # settled by an earlier decision
            self.links[pk] = Link(pair, a, b)
            self.links_of[a].add(pk)
            self.links_of[b].add(pk)
        removed = {self.component_of[p] for p in touched if p in self.component_of}
        for index in removed:
            for member in self.components.pop(index).members:
                del self.component_of[member]
                touched.add(member)
        added = set()
        for seed in touched:
            if seed in self.component_of or not self.links_of.get(seed):
                continue
            members, links, stack = {seed}, set(), [seed]
            while stack:
                for pk in self.links_of[stack.pop()]:
                    links.add(pk)
                    for other in (self.links[pk].a, self.links[pk].b):
                        if other not in members:
                            members.add(other)
                            stack.append(other)
            index = self.next_component
            self.next_component += 1
            self.components[index] = Component(sorted(members), [self.links[pk] for pk in sorted(links)])
            for member in members:
                self.component_of[member] = index
            added.add(index)
        return removed | added

    def load(self) -> None:
        """Everything read from the database (four queries)."""
        for merged, survivor in Merge.objects.filter(undone_at__isnull=True).values_list(
            "merged_id", "survivor_id"
        ):
            self.survivor_of[merged] = survivor
            self.merged_into[survivor].add(merged)
        for merged in self.survivor_of:
            self.root[merged] = self._follow(merged)
        self.held = Counter(self.root.values())
        for pk, a, b in CandidatePair.objects.filter(status=PairStatus.DIFFERENT).values_list(
            "pk", "person_a_id", "person_b_id"
        ):
            self.different[pk] = (a, b)
            self.different_of[a].add(pk)
            self.different_of[b].add(pk)
            self._rekey(pk)
        for pair in _band_rows(
            CandidatePair.objects.filter(status__in=BAND, match_probability__gte=QUEUE_FLOOR)
        ):
            self._pair_set(pair)
        self._relink(set(self.pairs), set())

    def apply(self, changes: list[tuple[int, str, list, list]], number: int) -> bool:
        """Bring the core up to ``number`` with the changes after its own (False: one of them changes
        everything, read the queue whole). Reads the pairs and merges the changes name, nothing else."""
        pair_ids: set[int] = set()
        person_ids: set[int] = set()
        rescored = None
        for _number, kind, ids, values in changes:
            if kind == QueueChangeKind.ALL:
                return False
            if kind == QueueChangeKind.PAIRS:
                pair_ids.update(ids)
            elif kind == QueueChangeKind.PERSONS:
                person_ids.update(ids)
            elif kind == QueueChangeKind.RESCORED:
                rescored = (ids, values)  # the whole band as re-scored: the latest one holds
        dirty: set[int] = set()
        roots: set[int] = set()
        revalued = False
        if rescored is not None:
            ids, values = rescored_arrays(*rescored)
            order = np.argsort(ids, kind="stable")
            # The same probabilities in arrays, by pair id, for the reaches' re-sorting.
            self.rescore = (ids[order], values[order])
            ids, values = ids.tolist(), values.tolist()
            band = set(ids)
            for pk in self.pairs.keys() - band:
                self._pair_drop(pk)  # re-scored below the floor
                dirty.add(pk)
            pair_ids |= band - self.pairs.keys()  # lifted into the band: read below
            pairs = self.pairs
            for pk, probability in zip(ids, values, strict=True):
                pair = pairs.get(pk)
                if pair is not None and pair.match_probability != probability:
                    pair.match_probability = probability  # shared with the kept clusters: re-sorted after
                    revalued = True
        rekey: set[int] = set()
        if person_ids:
            survivors = dict(
                Merge.objects.filter(merged_id__in=person_ids, undone_at__isnull=True).values_list(
                    "merged_id", "survivor_id"
                )
            )
            affected = set().union(*(self._held_by(p) for p in person_ids))
            before = {person: self.now(person) for person in affected}
            for person in person_ids:
                old, new = self.survivor_of.get(person), survivors.get(person)
                if old == new:
                    continue
                if old is not None:
                    self.merged_into[old].discard(person)
                    del self.survivor_of[person]
                if new is not None:
                    self.survivor_of[person] = new
                    self.merged_into[new].add(person)
            for person in affected:
                if person in self.root:
                    held = self.root.pop(person)
                    self.held[held] -= 1
                    if self.held[held] <= 0:
                        del self.held[held]
                if person in self.survivor_of:
                    self.root[person] = self._follow(person)
                    self.held[self.root[person]] += 1
                roots.update((before[person], self.now(person)))
                dirty |= self.by_person.get(person, set())
                rekey |= self.different_of.get(person, set())
        if pair_ids:
            rows = {pair.pk: pair for pair in _band_rows(CandidatePair.objects.filter(pk__in=pair_ids))}
            for pk in pair_ids:
                row = rows.get(pk)
                if pk in self.different:
                    a, b = self.different.pop(pk)
                    self.different_of[a].discard(pk)
                    self.different_of[b].discard(pk)
                if row is not None and row.status == PairStatus.DIFFERENT:
                    self.different[pk] = (row.person_a_id, row.person_b_id)
                    self.different_of[row.person_a_id].add(pk)
                    self.different_of[row.person_b_id].add(pk)
                rekey.add(pk)
                self._pair_drop(pk)
                if row is not None and row.status in BAND and row.match_probability >= QUEUE_FLOOR:
                    self._pair_set(row)
                dirty.add(pk)
        for pk in rekey:
            for key in self._rekey(pk):
                dirty |= self._between(key)
        touched = self._relink(dirty, roots)
        self.number = number
        self.deltas.append((number, touched, revalued))
        if len(self.deltas) > QUEUE_DELTAS_KEPT:
            self.since = self.deltas.pop(0)[0]
        return True


def _among(queryset: QuerySet, pks) -> QuerySet:
    """``queryset`` cut to these ids, given as one parameter (tens of thousands of persons at 1M: an IN list of
    as many placeholders took longer to build in Python than the query took to run)."""
    if connection.vendor == "postgresql":
        array = "{" + ",".join(map(str, pks)) + "}"  # as text: the driver checks a list's items one by one
        return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (array,)))
    return queryset.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(pks)),)))


class ReachQueue:
    """The review queue of the reviewers with one reach (jurisdiction, data classes, the date): the
    core's components cut to the persons in reach, as ``Cluster``s in the queue's order, and {pair: its
    cluster}. Follows the core's deltas: only the clusters of the components a change touched are
    derived again (their new persons' reach read in one query); a re-scoring re-sorts the queue.

    Each cluster has a slot in arrays holding what orders it (anchor, pairs of records, discount,
    jurisdiction, value, place in the order) and its links' pair ids, so a re-scoring computes every
    value and sorts again in arrays without reading the clusters; each cluster's own figures are then
    computed again when read (``Cluster.epoch``)."""

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.jurisdiction = key[0]
        self.core: QueueCore | None = None
        self.number = -1
        self.read_at = time.monotonic()
        self.places: dict[int, str] = {}  # persons in reach → their place
        self.out: set[int] = set()  # persons known out of reach
        self.epoch = [0]
        self._clear()

    def _clear(self) -> None:
        self.of_component: dict[int, list[Cluster]] = {}
        self.order: list[Cluster] = []
        self.where: dict[int, Cluster] = {}
        self.slot_of: dict[int, int] = {}  # anchor → slot
        self.free: list[int] = []
        self.used = 0  # slots used (live or free)
        size = 1024
        self.clusters = np.empty(size, dtype=object)
        self.anchors = np.zeros(size, dtype=np.int64)
        self.pairs = np.zeros(size, dtype=np.float64)  # pairs of records it would join
        self.discount = np.ones(size, dtype=np.float64)
        self.outside = np.zeros(size, dtype=bool)  # not in the reviewer's jurisdiction
        self.alive = np.zeros(size, dtype=bool)
        self.values = np.zeros(size, dtype=np.float64)
        self.rank = np.zeros(size, dtype=np.int64)  # place in ``order``
        self.start = np.zeros(size, dtype=np.int64)  # its links in the link arrays
        self.count = np.zeros(size, dtype=np.int64)
        self.link_pk = np.zeros(4096, dtype=np.int64)
        self.link_slot = np.full(4096, -1, dtype=np.int64)  # -1: a link of a cluster taken out
        self.link_p = np.zeros(4096, dtype=np.float64)  # its probability
        self.links_used = 0

    def _grow(self) -> None:
        size = len(self.anchors) * 2
        for name in ("clusters", "anchors", "pairs", "discount", "outside", "alive", "values", "rank"):
            old = getattr(self, name)
            new = np.empty(size, dtype=old.dtype) if old.dtype == object else np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self.discount[self.used :] = 1.0
        for name in ("start", "count"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _slot_new(self, cluster: Cluster) -> int:
        if self.free:
            slot = self.free.pop()
        else:
            if self.used == len(self.anchors):
                self._grow()
            slot = self.used
            self.used += 1
        count = len(cluster.links)
        if self.links_used + count > len(self.link_pk):
            self._links_compact(extra=count)
        start = self.links_used
        self.link_pk[start : start + count] = [link.pair.id for link in cluster.links]
        self.link_p[start : start + count] = [link.pair.match_probability for link in cluster.links]
        self.link_slot[start : start + count] = slot
        self.links_used += count
        self.clusters[slot] = cluster
        self.anchors[slot] = cluster.anchor
        self.pairs[slot] = cluster.record_pairs
        self.discount[slot] = UNSURE_DISCOUNT if cluster.unsure else 1.0
        self.outside[slot] = not cluster.in_jurisdiction
        self.alive[slot] = True
        self.values[slot] = cluster.value
        self.start[slot], self.count[slot] = start, count
        self.slot_of[cluster.anchor] = slot
        return slot

    def _slot_free(self, slot: int) -> None:
        start = self.start[slot]
        self.link_slot[start : start + self.count[slot]] = -1
        del self.slot_of[int(self.anchors[slot])]
        self.clusters[slot] = None
        self.alive[slot] = False
        self.free.append(slot)

    def _links_compact(self, extra: int = 0) -> None:
        """The link arrays without the links of clusters taken out (and room for ``extra`` more)."""
        used = self.links_used
        keep = self.link_slot[:used] >= 0
        pks, slots, probabilities = (
            column[:used][keep] for column in (self.link_pk, self.link_slot, self.link_p)
        )
        size = max(4096, 2 * (len(pks) + extra))
        self.link_pk = np.zeros(size, dtype=np.int64)
        self.link_slot = np.full(size, -1, dtype=np.int64)
        self.link_p = np.zeros(size, dtype=np.float64)
        self.link_pk[: len(pks)], self.link_slot[: len(pks)] = pks, slots
        self.link_p[: len(pks)] = probabilities
        self.links_used = len(pks)
        # Each cluster's links are kept together, in its order.
        firsts = np.r_[True, slots[1:] != slots[:-1]] if len(slots) else np.zeros(0, dtype=bool)
        self.start[slots[firsts]] = np.flatnonzero(firsts)

    def sync(self, user, core: QueueCore) -> None:
        if self.core is core and self.number == core.number:
            return
        if self.core is not core or self.number < core.since:
            self._clear()
            touched, revalued = set(core.components), False
        else:
            touched, revalued = set(), False
            for number, changed, moved in core.deltas:
                if number > self.number:
                    touched |= changed
                    revalued |= moved
        if revalued:  # the kept links' probabilities as re-scored (those read again since are taken out)
            ids, values = core.rescore
            used = self.links_used
            if used and len(ids):
                pks = self.link_pk[:used]
                where = np.minimum(np.searchsorted(ids, pks), len(ids) - 1)
                found = ids[where] == pks
                self.link_p[:used][found] = values[where[found]]
        self._rederive(user, core, touched, revalued=revalued)
        self.core, self.number = core, core.number

    def reread(self, user, core: QueueCore) -> None:
        """The reach of the queue's persons read again (edits made elsewhere move persons in or out of
        reach, or to another place: not queue changes); only the clusters of the components holding a
        person whose reach or place changed are derived again. Call after ``sync`` with the same core."""
        persons = list(core.component_of)
        rows = _among(persons_visible(user), persons).values_list(
            "pk", "temporary_unit__path", "permanent_unit__path"
        )
        places = {pk: temporary or permanent or "" for pk, temporary, permanent in rows}
        moved = {person for person in persons if places.get(person) != self.places.get(person)}
        self.places, self.out = places, set(persons) - places.keys()
        self.read_at = time.monotonic()
        self._rederive(user, core, {core.component_of[person] for person in moved}, revalued=False)

    def _rederive(self, user, core: QueueCore, touched: set[int], *, revalued: bool) -> None:
        """The clusters of the ``touched`` components derived again, and the queue sorted again when many
        moved or ``revalued``."""
        live = [index for index in touched if index in core.components]
        resort = revalued or len(live) > QUEUE_RESORT_AT
        gone = [cluster for index in touched for cluster in self.of_component.pop(index, ())]
        if len(gone) > QUEUE_RESORT_AT:  # many at once (a re-scoring moved pairs across the floor): one pass
            for cluster in gone:
                self._take_out(cluster)
            resort = True
        else:
            for cluster in gone:
                resort |= not self._remove(cluster)
        unknown = {
            m
            for index in live
            for m in core.components[index].members
            if m not in self.places and m not in self.out
        }
        if unknown:
            rows = _among(persons_visible(user), unknown).values_list(
                "pk", "temporary_unit__path", "permanent_unit__path"
            )
            for pk, temporary, permanent in rows:
                self.places[pk] = temporary or permanent or ""
            self.out |= unknown - self.places.keys()
        for index in live:
            found = self._derive(core, index)
            self.of_component[index] = found
            for cluster in found:
                self._insert(cluster, sort=not resort)
        if resort:
            self._resort(revalued)

    def _derive(self, core: QueueCore, index: int) -> list[Cluster]:
        component = core.components[index]
        if all(m in self.places for m in component.members):
            groups = [component.links]
        else:
            parent: dict[int, int] = {}

            def find(x: int) -> int:
                root = x
                while parent.setdefault(root, root) != root:
                    root = parent[root]
                while parent[x] != root:
                    parent[x], x = root, parent[x]
                return root

            visible = [link for link in component.links if link.a in self.places and link.b in self.places]
            for link in visible:
                ra, rb = find(link.a), find(link.b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            by_root: dict[int, list[Link]] = {}
            for link in visible:
                by_root.setdefault(find(link.a), []).append(link)
            groups = list(by_root.values())
        jurisdiction = self.jurisdiction
        found = []
        for links in groups:
            members = sorted({x for link in links for x in (link.a, link.b)})
            places = [self.places[m] for m in members]
            found.append(
                Cluster(
                    members=members,
                    links=sorted(links, key=lambda link: (link.pair.match_probability, link.pair.pk)),
                    districts={_district(p) for p in places} - {""},
                    in_jurisdiction=bool(jurisdiction)
                    and any(p == jurisdiction or p.startswith(jurisdiction + ".") for p in places),
                    records={m: 1 + core.held.get(m, 0) for m in members},
                    epoch=self.epoch,
                )
            )
        return found

    def _insert(self, cluster: Cluster, *, sort: bool) -> None:
        for link in cluster.links:
            self.where[link.pair.pk] = cluster
        slot = self._slot_new(cluster)
        if not sort:
            self.order.append(cluster)  # sorted again whole after
            return
        # Its place: the live clusters before it in the order (jurisdiction first, then value, then anchor).
        used = self.used
        alive, outside, values = self.alive[:used], self.outside[:used], self.values[:used]
        o, v, a = self.outside[slot], self.values[slot], self.anchors[slot]
        before = alive & (
            (outside < o) | ((outside == o) & ((values > v) | ((values == v) & (self.anchors[:used] < a))))
        )
        index = int(np.count_nonzero(before))
        later = alive & (self.rank[:used] >= index)
        later[slot] = False
        self.rank[:used][later] += 1
        self.rank[slot] = index
        self.order.insert(index, cluster)

    def _take_out(self, cluster: Cluster) -> int | None:
        """``cluster`` out of {pair: cluster} and its slot freed; its place in the order (None: not kept)."""
        for link in cluster.links:
            if self.where.get(link.pair.pk) is cluster:
                del self.where[link.pair.pk]
        slot = self.slot_of.get(cluster.anchor)
        if slot is None or self.clusters[slot] is not cluster:
            return None
        index = int(self.rank[slot])
        self._slot_free(slot)
        return index

    def _remove(self, cluster: Cluster) -> bool:
        """Take ``cluster`` out of the queue (False: it was not where its place says, sort again)."""
        index = self._take_out(cluster)
        if index is not None and index < len(self.order) and self.order[index] is cluster:
            del self.order[index]
            used = self.used
            later = self.alive[:used] & (self.rank[:used] > index)
            self.rank[:used][later] -= 1
            return True
        self.order = [c for c in self.order if c is not cluster]
        return False

    def _resort(self, revalued: bool) -> None:
        """Sort the queue again, in the arrays; after a re-scoring (``revalued``) every cluster's value first, and the links of the clusters whose
        order by probability moved sorted again (tens of thousands of clusters at 1M, within a page's
        budget: no cluster is read but those)."""
        used = self.used
        live = np.flatnonzero(self.alive[:used])
        if revalued and len(live):
            self._links_compact()
            count = self.links_used
            pks, slots = self.link_pk[:count].copy(), self.link_slot[:count].copy()
            probabilities = self.link_p[:count].copy()
            # Each cluster's links by probability, then pair (as ``_derive`` sorts them), kept together.
            sequence = np.lexsort((pks, probabilities, slots))
            before = np.argsort(slots, kind="stable")  # the order they are in now, clusters by slot
            moved = np.unique(slots[sequence][pks[sequence] != pks[before]])
            for slot in moved.tolist():
                self.clusters[slot].links.sort(key=lambda link: (link.pair.match_probability, link.pair.pk))
            pks, slots, probabilities = pks[sequence], slots[sequence], probabilities[sequence]
            self.link_pk[:count], self.link_slot[:count], self.link_p[:count] = pks, slots, probabilities
            if count:
                firsts = np.r_[True, slots[1:] != slots[:-1]]
                self.start[slots[firsts]] = np.flatnonzero(firsts)
            # Σ p over each cluster's links, added in that order (as ``Cluster.value`` adds them: the same
            # floats, so the same order as ``review_clusters``).
            total = np.bincount(slots, weights=probabilities, minlength=used)[live]
            certainty = total / self.count[live]
            self.values[live] = self.pairs[live] * certainty * self.discount[live]
            self.epoch[0] += 1  # each cluster's figures computed again when read
        sequence = live[np.lexsort((self.anchors[live], -self.values[live], self.outside[live]))]
        self.order = self.clusters[sequence].tolist()
        self.rank[sequence] = np.arange(len(sequence))

    def after(self, cluster: Cluster) -> int | None:
        """The anchor of the cluster after ``cluster`` in the queue (after the last, the first)."""
        if len(self.order) < 2:
            return None
        slot = self.slot_of.get(cluster.anchor)
        index = int(self.rank[slot]) if slot is not None else -1
        if not (0 <= index < len(self.order) and self.order[index] is cluster):
            return self.order[0].anchor
        return self.order[(index + 1) % len(self.order)].anchor


_core: QueueCore | None = None
_kept: OrderedDict[tuple, ReachQueue] = OrderedDict()
_kept_lock = threading.Lock()


def queue_build(number: int) -> QueueCore:
    """The queue's core read whole from the database (the pages' one full read, once per process)."""
    core = QueueCore(number)
    core.load()
    return core


def queue_number() -> int:
    """The number of the latest change to the review queue (one query)."""
    return QueueState.objects.order_by("pk").values_list("number", flat=True).first() or 0


def queue_changed(*, pairs=None, persons=None, rescored=None) -> None:
    """Record a change to the review queue, inside the change's transaction: the ``pairs`` (ids) whose
    status, probability or decisions changed, or the ``persons`` (ids) merged or unmerged, or a
    re-scoring (``rescored``: {pair id: probability} of every pair of the queue's band after it); none
    given: everything may have changed (a run), every process reads the queue whole again. Called by the
    services that write in bulk, and by the models' save/delete signals for any other write."""
    if pairs is None and persons is None and rescored is None:
        kind, ids, values = QueueChangeKind.ALL, [], []
    elif rescored is not None:  # packed (tens of thousands of pairs at 1M: read on every process's next page)
        kind = QueueChangeKind.RESCORED
        ids = _packed(np.fromiter(rescored.keys(), dtype=np.int64, count=len(rescored)))
        values = _packed(np.fromiter(rescored.values(), dtype=np.float64, count=len(rescored)))
    elif pairs is not None:
        kind, ids, values = QueueChangeKind.PAIRS, sorted(set(pairs)), []
    else:
        kind, ids, values = QueueChangeKind.PERSONS, sorted(set(persons)), []
    # The row's lock orders the changes: a change's number is taken while its transaction holds it, so
    # the numbers commit in order and a reader never skips one still uncommitted.
    if not QueueState.objects.update(number=F("number") + 1):
        QueueState.objects.create(number=1)
    number = queue_number()
    QueueChange.objects.create(number=number, kind=kind, ids=ids, values=values)
    if kind == QueueChangeKind.ALL:
        QueueChange.objects.filter(number__lt=number).delete()
    elif kind == QueueChangeKind.RESCORED:  # the latest re-scoring holds the whole band
        QueueChange.objects.filter(number__lt=number, kind=QueueChangeKind.RESCORED).update(
            kind=QueueChangeKind.PAIRS, ids=[], values=[]
        )
    if number % 1000 == 0:
        QueueChange.objects.filter(number__lte=number - QUEUE_CHANGES_KEPT).delete()


def _packed(array: np.ndarray) -> str:
    return base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode("ascii")


def rescored_arrays(ids: str | list, values: str | list) -> tuple[np.ndarray, np.ndarray]:
    """(pair ids, probabilities) of a re-scoring as ``queue_changed`` records it (packed little-endian
    int64 and float64: the exact floats, read without parsing tens of thousands of numbers; lists as
    recorded before)."""
    if isinstance(ids, list):
        return np.asarray(ids, dtype=np.int64), np.asarray(values, dtype=np.float64)
    return (
        np.frombuffer(base64.b64decode(ids), dtype="<i8").astype(np.int64),
        np.frombuffer(base64.b64decode(values), dtype="<f8").astype(np.float64),
    )


def queue_forget() -> None:
    """Drop the queue kept in this process (tests: each test's database starts again)."""
    global _core
    with _kept_lock:
        _core = None
        _kept.clear()


def _reach_key(user) -> tuple:
    """Who sees which persons (``persons_visible``): the jurisdiction, the data classes, the date."""
    return (
        getattr(user, "jurisdiction_path", "") or "",
        tuple(sorted(getattr(user, "data_classes", ()))),
        timezone.localdate(),  # who counts as a child changes with the date
    )


def _core_now(number: int, *, rebuild: bool) -> QueueCore:
    global _core
    core = _core
    if core is not None and not rebuild and core.number != number:
        changes = list(
            QueueChange.objects.filter(number__gt=core.number, number__lte=number)
            .order_by("number")
            .values_list("number", "kind", "ids", "values")
        )
        if number < core.number or len(changes) != number - core.number or not core.apply(changes, number):
            core = None
    if core is None or rebuild:
        core = queue_build(number)
    _core = core
    return core


def _queue_indexed(user, *, rebuild: bool = False) -> ReachQueue:
    """The reviewer's queue (``review_clusters``' order) kept in the process, brought up to the latest
    change; read whole when asked or when a change says so, and its persons' reach read again after
    ``QUEUE_KEPT_SECONDS``."""
    require_reviewer(user)
    key = _reach_key(user)
    number = queue_number()
    with _kept_lock:
        kept = _core
        core = _core_now(number, rebuild=rebuild)
        reach = _kept.get(key)
        whole = core is not kept
        if reach is None or rebuild:
            reach = _kept[key] = ReachQueue(key)
            whole = True
        reach.sync(user, core)
        if time.monotonic() - reach.read_at >= QUEUE_KEPT_SECONDS:
            reach.reread(user, core)
        if whole and len(core.pairs) >= QUEUE_FROZEN_AT:
            # What was just read whole lives as long as the process: out of the garbage collector's
            # full passes, which would otherwise walk it (100–200 ms at 1M) on a later page.
            gc.freeze()
        _kept.move_to_end(key)
        while len(_kept) > QUEUE_KEPT_MAX:
            _kept.popitem(last=False)
    return reach


def review_queue(user, *, district: str = "") -> list[Cluster]:
    """``review_clusters(user, district=...)`` as kept in the process (a new list; the clusters are
    shared: read them, do not change them)."""
    reach = _queue_indexed(user)
    with _kept_lock:
        clusters = list(reach.order)
    if district:
        return [c for c in clusters if district in c.districts]
    return clusters


def district_names(paths: set[str]) -> list[tuple[str, str]]:
    """(path, name) of these districts, by name."""
    return sorted(
        AdministrativeUnit.objects.filter(path__in=paths).values_list("path", "name"), key=lambda row: row[1]
    )


def model_latest() -> ModelVersion | None:
    return ModelVersion.objects.order_by("-number").first()


# Batch confirmation of an approved pattern (issue #19 item 2) ------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str
    label: str
    test: object  # callable(Person, Person) -> bool


def _residence(person) -> int | None:
    return person.temporary_unit_id or person.permanent_unit_id


def _same_name_date_commune_one_without_id(a, b) -> bool:
    return (
        bool(a.full_name)
        and fold(a.full_name) == fold(b.full_name)
        and a.birth_date is not None
        and a.birth_date == b.birth_date
        and _residence(a) is not None
        and _residence(a) == _residence(b)
        and bool(a.id_number) != bool(b.id_number)
    )


def _same_id_number_and_birth(a, b) -> bool:
    return (
        bool(a.id_number)
        and a.id_number == b.id_number
        and a.birth_date is not None
        and a.birth_date == b.birth_date
        and bool(a.full_name)
        and split_name(a.full_name).folded_given == split_name(b.full_name).folded_given
    )


PATTERNS = {
    pattern.key: pattern
    for pattern in (
        Pattern(
            "ten-ngay-xa-mot-thieu-so",
            _(
                "Trùng họ tên đầy đủ, trùng ngày sinh đầy đủ, cùng xã/phường nơi ở, một hồ sơ không có số CMND/CCCD"
            ),
            _same_name_date_commune_one_without_id,
        ),
        Pattern(
            "so-ngay-ten",
            _("Trùng số CMND/CCCD, trùng ngày sinh đầy đủ và trùng tên (họ hoặc tên đệm có thể khác)"),
            _same_id_number_and_birth,
        ),
    )
}


# The pairs the pattern's page shows before the reviewer approves its batch.
BATCH_PREVIEW = 20


def pattern_pairs(user, key: str) -> list[CandidatePair]:
    """The pending pairs of the queue (not settled, both persons in reach) whose two records fit a pattern."""
    pattern = PATTERNS.get(key)
    if pattern is None:
        raise Http404
    in_queue = [
        link.pair.pk
        for cluster in review_queue(user)
        for link in cluster.links
        if link.pair.status == PairStatus.PENDING
    ]
    pairs = (
        CandidatePair.objects.filter(pk__in=in_queue).select_related("person_a", "person_b").order_by("pk")
    )
    return [pair for pair in pairs if pattern.test(pair.person_a, pair.person_b)]


def pattern_counts(user) -> list[tuple[Pattern, int]]:
    return [(pattern, len(pattern_pairs(user, key))) for key, pattern in PATTERNS.items()]
