"""The kept review queue follows each change in place (issue #19 item 4: each page < 200 ms at 1M).

A change to what the queue is made of is recorded as a ``QueueChange`` naming the pairs or persons it
touched (or a re-scoring with the whole band's probabilities). The queue kept in the process reads only
those pairs and merges again and recomputes only the clusters they touch; the user-independent part is
kept once and cut to each reviewer's reach. So a decision by reviewer A shows on B's next page without
reading the whole queue again, and the kept queue stays the queue ``review_clusters`` builds from scratch.
"""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, Merge, PairStatus, QueueChange, Review
from tests.factories import PersonFactory
from tests.linkage.test_query_budget import EXPLANATION, candidate
from tests.linkage.test_review_queue_kept import CLUSTER_PAGE_BUDGET, PURPOSE, cluster_url
from tests.linkage.test_simulation import registry

pytestmark = pytest.mark.django_db


def shape(clusters) -> list[tuple]:
    """Everything a reviewer sees of the queue: order, members, records, links, figures, places."""
    return [
        (
            c.anchor,
            c.members,
            c.records,
            [(link.pair.pk, link.a, link.b, link.pair.match_probability) for link in c.links],
            round(c.value, 12),
            c.in_jurisdiction,
            sorted(c.districts),
        )
        for c in clusters
    ]


def same_as_built(user) -> list:
    kept = selectors.review_queue(user)
    assert shape(kept) == shape(selectors.review_clusters(user))
    return kept


def decide(actor, anchor, groups=None) -> Review:
    cluster = selectors.cluster_get(actor, anchor)
    review = services.cluster_decide(
        actor=actor,
        cluster=cluster,
        groups=groups or dict.fromkeys(cluster.members, "1"),
        seen=cluster.seen,
    )
    services.model_relearn(actor=actor)
    return review


def test_a_decision_by_reviewer_a_shows_on_b_s_next_page_without_reading_the_whole_queue(
    district_officer, commune_officer, client_for, rebuilds
):
    b = client_for(district_officer)
    first, second, third = candidate(0.95), candidate(0.9), candidate(0.85)
    b.post(cluster_url(first), PURPOSE)
    assert b.get(cluster_url(first)).status_code == 200
    assert [c.anchor for c in selectors.review_queue(district_officer)] == [first.pk, second.pk, third.pk]
    assert len(rebuilds) == 1
    decide(commune_officer, second.pk)  # A: one person, then the model re-learns and re-scores
    assert selectors.review_queue(commune_officer)  # A's own queue: the same kept core, cut to A's reach
    assert b.get(cluster_url(second)).status_code == 404  # settled: gone from B's queue
    page = b.get(cluster_url(first))
    assert page.status_code == 200
    assert len(rebuilds) == 1  # B's page followed A's decision in place
    assert selectors.cluster_and_next(district_officer, first.pk)[1] == third.pk
    kept = same_as_built(district_officer)
    assert [c.anchor for c in kept] == [first.pk, third.pk]
    # A split: the two records decided different stay apart, and leave the queue too.
    decide(commune_officer, third.pk, groups={third.person_a_id: "1", third.person_b_id: "2"})
    assert b.get(cluster_url(third)).status_code == 404
    assert [c.anchor for c in same_as_built(district_officer)] == [first.pk]
    assert selectors.cluster_and_next(district_officer, first.pk)[1] is None
    assert len(rebuilds) == 3  # only the two review_clusters above read the whole queue


def test_a_merge_joins_two_clusters_and_its_undo_splits_them_in_b_s_kept_queue(
    district_officer, commune_officer, rebuilds
):
    left, right = candidate(0.9), candidate(0.95)
    assert len(selectors.review_queue(district_officer)) == 2
    # Reviewer A says a record of one cluster is a record of the other: the two clusters become one.
    survivor, merged = sorted((left.person_b, right.person_a), key=lambda p: p.pk)
    merge = services.merge_persons(actor=commune_officer, survivor=survivor, merged=merged)
    [joined] = same_as_built(district_officer)
    assert len(joined.members) == 3 and joined.records[survivor.pk] == 2
    services.merge_undo(actor=commune_officer, merge=merge)
    assert len(same_as_built(district_officer)) == 2
    assert len(rebuilds) == 3  # the first read and the two review_clusters


def test_the_page_after_another_reviewer_s_decision_reads_the_same_queries_for_3_and_9_clusters(
    district_officer, commune_officer, client_for, django_assert_max_num_queries, rebuilds
):
    b = client_for(district_officer)
    first = candidate(0.99)
    others = [candidate(0.9) for _ in range(3)]
    b.post(cluster_url(first), PURPOSE)
    b.get(cluster_url(first))

    def page_after_a_decision(pair) -> CaptureQueriesContext:
        decide(commune_officer, pair.pk)
        with django_assert_max_num_queries(CLUSTER_PAGE_BUDGET + 6) as queries:
            response = b.get(cluster_url(first))
        assert response.status_code == 200
        return queries

    few = page_after_a_decision(others[0])
    others += [candidate(0.9) for _ in range(6)]
    b.get(cluster_url(first))
    many = page_after_a_decision(others[1])
    assert len(many) == len(few)
    assert len(rebuilds) == 1


def test_a_queue_older_than_the_changes_kept_or_a_run_reads_the_whole_queue_once(district_officer, rebuilds):
    first = candidate()
    selectors.review_queue(district_officer)
    second = candidate()
    QueueChange.objects.all().delete()  # the changes since this process's queue were pruned
    assert [c.anchor for c in same_as_built(district_officer)] == [first.pk, second.pk]
    assert len(rebuilds) == 3  # read whole (the kept queue cannot follow), and review_clusters
    selectors.queue_changed()  # a run: everything may have changed
    selectors.review_queue(district_officer)
    assert len(rebuilds) == 4


@pytest.mark.parametrize(("seed", "resort_at"), [(19, 64), (2026, 64), (7, 0)])
def test_the_kept_queue_stays_the_queue_review_clusters_builds_through_decisions_merges_and_undos(
    seed, resort_at, district_officer, commune_officer, rebuilds, monkeypatch
):
    """Random reviews (splits and joins) with re-learning that moves pairs across the floor, undos,
    unmerges and pairs written directly: after each, every reviewer's kept queue is the built one
    (clusters put in and taken out one at a time, and — ``resort_at`` 0 — all at once, as at 1M)."""
    monkeypatch.setattr(selectors, "QUEUE_RESORT_AT", resort_at)
    rng = random.Random(seed)
    registry(rng, district_officer)
    reviewers = [district_officer, commune_officer]
    for reviewer in reviewers:
        same_as_built(reviewer)
    kept_reads = len(rebuilds)
    reviews: list[Review] = []
    for step in range(14):
        queue = selectors.review_queue(district_officer)
        if not queue:
            break
        cluster = rng.choice(queue[:3])
        groups = {member: str(rng.randint(1, 2)) for member in cluster.members}
        reviews.append(decide(district_officer, cluster.anchor, groups))
        if step % 4 == 3:
            services.review_undo(actor=district_officer, review=reviews.pop(rng.randrange(len(reviews))))
            services.model_relearn(actor=district_officer)
        if step % 5 == 2 and (
            merge := Merge.objects.filter(undone_at__isnull=True, review__isnull=False).first()
        ):
            with contextlib.suppress(ValidationError):  # merged further since: refused, nothing changes
                services.merge_undo(actor=district_officer, merge=merge)
        if step % 6 == 1:  # a pair written directly, joining a new record to a cluster
            CandidatePair.objects.create(
                person_a_id=queue[-1].members[0],
                person_b=PersonFactory(full_name="Nguyễn Thị Hoa"),
                match_probability=0.93,
                match_weight=3.7,
                explanation=EXPLANATION,
                status=PairStatus.UNSURE if step % 2 else PairStatus.PENDING,
            )
        for reviewer in reviewers:
            before = len(rebuilds)
            kept = selectors.review_queue(reviewer)
            assert len(rebuilds) == before  # followed in place
            assert shape(kept) == shape(selectors.review_clusters(reviewer))
            for cluster in kept[:3]:
                assert selectors.cluster_and_next(reviewer, cluster.anchor)[0].anchor == cluster.anchor
    assert len(reviews) >= 5
    assert kept_reads == 3  # the first read of the kept queue, then the two review_clusters


def test_an_unmerge_brings_back_a_pair_that_the_merged_record_s_different_decision_settled(
    district_officer, commune_officer, rebuilds
):
    """p2 was merged into p3, p3 into p1, and p2 decided different from q, so p1–q is settled. Undoing
    p2's merge (written directly: the save signal records it) leaves p1–q undecided again, though neither
    p1 nor q is named by the change: the kept queue finds it by the persons the "different" pair joined."""
    p1, p2, p3, q = (PersonFactory(full_name="Nguyễn Thị Đào") for _ in range(4))
    first = services.merge_persons(actor=commune_officer, survivor=p3, merged=p2)
    services.merge_persons(actor=commune_officer, survivor=p1, merged=p3)
    CandidatePair.objects.create(
        person_a=p2,
        person_b=q,
        match_probability=0.9,
        match_weight=3.2,
        explanation=EXPLANATION,
        status=PairStatus.DIFFERENT,
    )
    settled = CandidatePair.objects.create(
        person_a=p1, person_b=q, match_probability=0.9, match_weight=3.2, explanation=EXPLANATION
    )
    assert same_as_built(district_officer) == []
    first.undone_at = timezone.now()
    first.save(update_fields=["undone_at"])
    assert [c.anchor for c in same_as_built(district_officer)] == [settled.pk]
    first.undone_at = None
    first.save(update_fields=["undone_at"])
    assert same_as_built(district_officer) == []
    assert len(rebuilds) == 4  # the first read, then the three review_clusters
