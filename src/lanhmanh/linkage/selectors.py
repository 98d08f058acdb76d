"""Scoped reads of the linkage app.

The review queue, pair pages and merge histories need the registry's own classes (identity +
enforcement, ``people.apps.can_use_registry``: the roles that record identities, hence the only ones
that may decide a pair or undo a merge) and show a pair only when both persons are within the user's
reach (``people.selectors.persons_visible``). Everyone else gets 404, as for a missing page: a health
worker or a social worker holds identities of their own clients, not the registry's.
Runs are for city coordinators with the same classes.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.jobs import jobs_latest
from lanhmanh.core.text import fold, split_name
from lanhmanh.linkage.models import (
    DEDUP_RUN_JOB,
    CandidatePair,
    DedupRun,
    Merge,
    ModelVersion,
    PairStatus,
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


def runs(user) -> list[DedupRun]:
    """The latest 20 runs, each with its job (two queries)."""
    require_run_manager(user)
    latest = list(DedupRun.objects.all()[:20])
    found = jobs_latest(DEDUP_RUN_JOB, [run.pk for run in latest])
    for run in latest:
        run.job = found.get(run.pk)
    return latest


# Review by cluster (issue #19) ---------------------------------------------------------------------

# A pending pair leaves the queue when (re-)scored below this (the run's lower threshold).
QUEUE_FLOOR = 0.80
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
    derived from the links is computed once (the queue page sorts tens of thousands of kept clusters):
    a cluster is not changed once read."""

    members: list[int]
    links: list[Link]
    districts: set[str] = field(default_factory=set)
    in_jurisdiction: bool = False
    records: dict[int, int] = field(
        default_factory=dict
    )  # member → its records (itself and those merged into it)

    @cached_property
    def anchor(self) -> int:
        """The cluster's address: its first pending pair."""
        return min(link.pair.pk for link in self.links)

    @property
    def size(self) -> int:
        return len(self.members)

    @cached_property
    def unsure(self) -> bool:
        return all(link.pair.status == PairStatus.UNSURE for link in self.links)

    @cached_property
    def certainty(self) -> float:
        """Mean match probability of the links."""
        return sum(link.pair.match_probability for link in self.links) / len(self.links)

    @cached_property
    def record_pairs(self) -> int:
        """Pairs of records that are not one person yet and would be if the cluster is confirmed whole."""
        counts = [self.records.get(member, 1) for member in self.members]
        return (sum(counts) ** 2 - sum(n * n for n in counts)) // 2

    @cached_property
    def value(self) -> float:
        """How much a decision is expected to change the registry: the pairs of records it would join
        × the mean probability that they are one person (halved when every link is unsure). Nothing
        in the queue is joined until a reviewer says so, so a decision changes the registry by the
        records it joins; a split leaves the registry as it is."""
        return self.record_pairs * self.certainty * (UNSURE_DISCOUNT if self.unsure else 1.0)

    @cached_property
    def weak_links(self) -> int:
        return sum(link.weak for link in self.links)

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
    possibly through others), or the two persons already decided different.
    """
    require_reviewer(user)
    pairs = list(
        CandidatePair.objects.filter(
            Q(status=PairStatus.PENDING) | Q(status=PairStatus.UNSURE), match_probability__gte=QUEUE_FLOOR
        )
        .annotate(decision_count=Count("decisions"))
        .only("pk", "person_a_id", "person_b_id", "match_probability", "status", "explanation")
    )
    if not pairs:
        return []
    roots = merged_roots()
    apart = apart_roots(roots)
    held = Counter(roots.values())
    links = []
    for pair in pairs:
        a, b = roots.get(pair.person_a_id, pair.person_a_id), roots.get(pair.person_b_id, pair.person_b_id)
        if a == b or frozenset((a, b)) in apart:
            continue  # settled by an earlier decision
        links.append(Link(pair, min(a, b), max(a, b)))
    ids = {x for link in links for x in (link.a, link.b)}
    places = {
        pk: temporary or permanent or ""
        for pk, temporary, permanent in persons_visible(user)
        .filter(pk__in=ids)
        .values_list("pk", "temporary_unit__path", "permanent_unit__path")
    }
    links = [link for link in links if link.a in places and link.b in places]
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for link in links:
        ra, rb = find(link.a), find(link.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[int, Cluster] = {}
    for link in links:
        cluster = clusters.setdefault(find(link.a), Cluster(members=[], links=[]))
        cluster.links.append(link)
    jurisdiction = getattr(user, "jurisdiction_path", "") or ""
    for cluster in clusters.values():
        cluster.members = sorted({x for link in cluster.links for x in (link.a, link.b)})
        cluster.records = {m: 1 + held.get(m, 0) for m in cluster.members}
        cluster.links.sort(key=lambda link: (link.pair.match_probability, link.pair.pk))
        cluster.districts = {_district(places[m]) for m in cluster.members} - {""}
        cluster.in_jurisdiction = bool(jurisdiction) and any(
            places[m] == jurisdiction or places[m].startswith(jurisdiction + ".") for m in cluster.members
        )
    found = list(clusters.values())
    if district:
        found = [c for c in found if district in c.districts]
    found.sort(key=lambda c: (not c.in_jurisdiction, -c.value, c.anchor))
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
        clusters, where = _queue_indexed(user, rebuild=rebuild)
        index = where.get(anchor)
        if index is None:
            raise Http404  # settled, below the floor or out of reach (the kept queue is the current one)
        cluster = _cluster_now(user, clusters[index])
        if cluster is None:
            continue
        following = len(clusters) > 1
        return cluster, (clusters[(index + 1) % len(clusters)].anchor if following else None)
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
        .only("pk", "person_a_id", "person_b_id", "match_probability", "status", "explanation")
    }
    if len(pairs) != len(kept.links):
        return None
    if persons_visible(user).filter(pk__in=kept.members).count() != len(kept.members):
        return None
    links = [Link(pairs[link.pair.pk], link.a, link.b) for link in kept.links]
    links.sort(key=lambda link: (link.pair.match_probability, link.pair.pk))
    return replace(kept, links=links, members=list(kept.members), records=dict(kept.records))


# The review queue kept per reviewer ----------------------------------------------------------------

# A kept queue is read again after this many seconds even when no linkage change replaced the token:
# the persons a reviewer may see also change with edits made elsewhere (an address, a violation).
QUEUE_KEPT_SECONDS = 300
QUEUE_KEPT_MAX = 16  # reviewers' queues kept in one process (the least recently used one goes first)

_kept: OrderedDict[tuple, tuple[float, list[Cluster], dict[int, int]]] = OrderedDict()
_kept_lock = threading.Lock()


def queue_token() -> str:
    """The current token of the review queue (one query)."""
    return QueueState.objects.values_list("token", flat=True).first() or ""


def queue_changed() -> None:
    """Replace the queue's token: every reviewer's queue is read again on their next page. Called by
    every change to pending pairs, decisions, reviews, merges and model versions (services, and the
    models' save/delete signals for any other write), inside the change's transaction."""
    token = uuid.uuid4().hex
    if not QueueState.objects.update(token=token):
        QueueState.objects.create(token=token)


def queue_forget() -> None:
    """Drop every queue kept in this process (tests; the token makes this unnecessary otherwise)."""
    with _kept_lock:
        _kept.clear()


def _queue_key(user) -> tuple:
    return (
        user.pk,
        getattr(user, "jurisdiction_path", "") or "",
        tuple(sorted(getattr(user, "data_classes", ()))),
        timezone.localdate(),  # who counts as a child changes with the date
        queue_token(),
    )


def _queue_indexed(user, *, rebuild: bool = False) -> tuple[list[Cluster], dict[int, int]]:
    """The reviewer's queue (``review_clusters``' order) and {pair: its cluster's place}, kept under the
    queue's token; rebuilt when the token changed, after ``QUEUE_KEPT_SECONDS``, or when asked."""
    require_reviewer(user)
    key = _queue_key(user)
    now = time.monotonic()
    if not rebuild:
        with _kept_lock:
            found = _kept.get(key)
            if found is not None and now - found[0] < QUEUE_KEPT_SECONDS:
                _kept.move_to_end(key)
                return found[1], found[2]
    clusters = review_clusters(user)
    where = {}
    for index, cluster in enumerate(clusters):
        for link in cluster.links:
            where[link.pair.pk] = index
            # Kept without the explanations (about half the memory at 1M; read again with the pairs the
            # cluster page shows, ``_cluster_now``): reading one from the kept queue loads it (deferred).
            link.pair.__dict__.pop("explanation", None)
    with _kept_lock:
        for stale in [k for k in _kept if k[0] == user.pk]:
            del _kept[stale]
        _kept[key] = (now, clusters, where)
        while len(_kept) > QUEUE_KEPT_MAX:
            _kept.popitem(last=False)
    return clusters, where


def review_queue(user, *, district: str = "") -> list[Cluster]:
    """``review_clusters(user, district=...)`` as kept under the queue's token (a new list; the clusters
    are shared: read them, do not change them)."""
    clusters, _where = _queue_indexed(user)
    if district:
        return [c for c in clusters if district in c.districts]
    return list(clusters)


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
