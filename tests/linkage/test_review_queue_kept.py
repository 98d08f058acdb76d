"""The review queue is read once per change, not once per page (issue #19 item 4: each page < 200 ms at 1M).

A reviewer's queue (``selectors.review_clusters``) is kept under the queue's token, which every change to
what the queue is made of replaces (pairs, decisions, reviews, merges, model versions). The cluster page
and the queue page read the kept queue: the same queries whatever the number of pending pairs, and the
queue is not rebuilt; after a change the next page shows the change.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from lanhmanh.core.models import AccessRecord
from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, PairStatus
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.models import Person
from tests.conftest import DONG_ANH
from tests.factories import PersonFactory
from tests.linkage.test_query_budget import EXPLANATION, candidate

pytestmark = pytest.mark.django_db

# Measured: 23 queries for a cluster of two records with 3 and with 9 clusters waiting (the session, the
# user and its roles, the pair in reach, the queue's token, the cluster's pairs as they are now and its
# persons in reach, the persons, the access log, each record's violations and support, the apart pairs,
# the model version, the menu); 2 spare.
CLUSTER_PAGE_BUDGET = 25
PURPOSE = {"purpose": "linkage", "detail": "rà soát"}


def cluster_url(pair: CandidatePair) -> str:
    return f"/ho-so-trung/cum/{pair.pk}/"


def page(client, pair: CandidatePair, assert_max) -> CaptureQueriesContext:
    with assert_max(CLUSTER_PAGE_BUDGET) as queries:
        response = client.get(cluster_url(pair))
    assert response.status_code == 200
    assert response.content.decode().count('name="group_') == 2
    return queries


def test_the_cluster_page_reads_the_kept_queue_the_same_queries_for_n_and_3n_pending_pairs(
    district_officer, client_for, django_assert_max_num_queries, rebuilds
):
    client = client_for(district_officer)
    first = candidate()
    for _ in range(2):
        candidate()
    client.post(cluster_url(first), PURPOSE)
    assert len(rebuilds) == 1  # the queue read once after the pairs were made
    client.get(cluster_url(first))
    few = page(client, first, django_assert_max_num_queries)
    assert len(rebuilds) == 1  # …and not again by the pages
    for _ in range(6):
        candidate()
    client.get(cluster_url(first))
    assert len(rebuilds) == 1  # the new pairs are read into the kept queue, not the whole queue again
    many = page(client, first, django_assert_max_num_queries)
    assert len(rebuilds) == 1
    assert len(many) == len(few)
    # Still purpose-logged: every page lists the identities it showed.
    logged = AccessRecord.objects.filter(actor=district_officer, object_id=str(first.person_a_id))
    assert logged.count() == 4


def test_the_queue_page_reads_the_kept_queue(district_officer, client_for, rebuilds):
    client = client_for(district_officer)
    for _ in range(3):
        candidate()
    assert client.get("/ho-so-trung/").content.decode().count("data-cluster=") == 3
    assert client.get("/ho-so-trung/?sap-xep=cum").content.decode().count("data-cluster=") == 3
    assert len(rebuilds) == 1
    candidate()
    assert client.get("/ho-so-trung/").content.decode().count("data-cluster=") == 4
    assert len(rebuilds) == 1  # the new pair read into the kept queue


def test_the_kept_queue_is_the_queue_review_clusters_builds(district_officer):
    pairs = [candidate(p) for p in (0.85, 0.95, 0.9)]
    kept = selectors.review_queue(district_officer)
    built = selectors.review_clusters(district_officer)
    assert [(c.anchor, c.members) for c in kept] == [(c.anchor, c.members) for c in built]
    assert [c.anchor for c in kept] == [pairs[1].pk, pairs[2].pk, pairs[0].pk]  # by value
    cluster, following = selectors.cluster_and_next(district_officer, pairs[2].pk)
    assert cluster.anchor == pairs[2].pk and following == pairs[0].pk
    _last, wrapped = selectors.cluster_and_next(district_officer, pairs[0].pk)
    assert wrapped == pairs[1].pk  # after the last, the first


def test_a_pair_written_directly_shows_on_the_next_page(district_officer, client_for):
    client = client_for(district_officer)
    first = candidate()
    client.post(cluster_url(first), PURPOSE)
    assert client.get(cluster_url(first)).content.decode().count('name="group_') == 2
    third = PersonFactory(full_name="Nguyễn Thị Đào")
    CandidatePair.objects.create(
        person_a_id=first.person_b_id,
        person_b=third,
        match_probability=0.95,
        match_weight=4.2,
        explanation=EXPLANATION,
    )
    assert client.get(cluster_url(first)).content.decode().count('name="group_') == 3


def test_a_decision_by_another_reviewer_settles_the_cluster_on_the_next_page(
    district_officer, commune_officer, client_for
):
    client = client_for(district_officer)
    first, second, third = candidate(0.95), candidate(0.9), candidate(0.85)
    client.post(cluster_url(first), PURPOSE)
    assert selectors.cluster_and_next(district_officer, first.pk)[1] == second.pk
    cluster = selectors.cluster_get(commune_officer, second.pk)
    a, b = cluster.members
    review = services.cluster_decide(
        actor=commune_officer, cluster=cluster, groups={a: "1", b: "1"}, seen=cluster.seen
    )
    assert client.get(cluster_url(second)).status_code == 404  # settled: gone from the queue
    assert selectors.cluster_and_next(district_officer, first.pk)[1] == third.pk
    services.review_undo(actor=commune_officer, review=review)
    assert client.get(cluster_url(second)).status_code == 200  # undone: back in the queue
    assert selectors.cluster_and_next(district_officer, first.pk)[1] == second.pk


def test_relearning_re_scores_the_kept_queue(district_officer):
    pair = candidate(0.85)
    assert selectors.cluster_get(district_officer, pair.pk).certainty == pytest.approx(0.85)
    CandidatePair.objects.filter(pk=pair.pk).update(match_probability=0.4)  # no signal: no new token
    selectors.queue_changed()  # as model_relearn does after re-scoring in bulk
    with pytest.raises(Http404):
        selectors.cluster_get(district_officer, pair.pk)  # now below the queue's floor


def test_a_person_moved_out_of_reach_without_a_new_token_is_not_shown(district_officer, client_for):
    client = client_for(district_officer)
    first = candidate()
    third = PersonFactory(full_name="Nguyễn Thị Đào")
    CandidatePair.objects.create(
        person_a_id=first.person_b_id,
        person_b=third,
        match_probability=0.95,
        match_weight=4.2,
        explanation=EXPLANATION,
    )
    client.post(cluster_url(first), PURPOSE)
    assert client.get(cluster_url(first)).content.decode().count('name="group_') == 3
    # An edit made elsewhere (no linkage change, no new token): the page checks the reach of what it shows
    # and reads the queue again.
    Person.objects.filter(pk=third.pk).update(
        permanent_unit=AdministrativeUnit.objects.filter(path__startswith=DONG_ANH + ".").first()
    )
    before = AccessRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client.get(cluster_url(first)).content.decode().count('name="group_') == 2
    assert set(AccessRecord.objects.filter(pk__gt=before).values_list("object_id", flat=True)) == {
        str(first.person_a_id),
        str(first.person_b_id),
    }


def test_a_settled_pair_address_is_404_without_rebuilding(district_officer, client_for, rebuilds):
    client = client_for(district_officer)
    first, decided = candidate(), candidate()
    CandidatePair.objects.filter(pk=decided.pk).update(status=PairStatus.DIFFERENT)
    selectors.queue_changed()
    client.post(cluster_url(first), PURPOSE)
    assert len(rebuilds) == 1
    assert client.get(cluster_url(decided)).status_code == 404
    assert len(rebuilds) == 1


def test_the_kept_queue_still_gives_the_explanations_it_does_not_keep(district_officer):
    pair = candidate()
    [kept] = selectors.review_queue(district_officer)
    assert kept.links[0].pair.explanation == EXPLANATION  # read again when asked
    cluster = selectors.cluster_get(district_officer, pair.pk)
    assert cluster.links[0].pair.explanation == EXPLANATION
