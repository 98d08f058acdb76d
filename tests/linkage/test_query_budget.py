"""The review queue reads a fixed number of queries whatever the number of candidate clusters and recent
reviews it lists (issue #18, item 5). It shows no names: no access-log row is written."""

from __future__ import annotations

import math
import re

import pytest
from django.test.utils import CaptureQueriesContext

from lanhmanh.core.models import AccessRecord
from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, Review
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

QUEUE = "/ho-so-trung/"

# Measured: 15 queries for 3 clusters and 3 reviews and for 9 of each (the session, the user, its roles, the
# pending pairs, the merges, the pairs decided apart, the reviewer's agency, unit and its successions, the
# places of the clusters' persons, the district names, the recent reviews, the model version, the menu's
# roles); 2 spare.
QUEUE_BUDGET = 17

# The levels of the shipped model a candidate pair falls in (tests/linkage/test_clusters.py).
EXPLANATION = [
    {"field": "Họ và tên", "level": "trùng họ tên", "weight": 5.0},
    {"field": "Ngày sinh", "level": "trùng ngày sinh", "weight": 8.0},
    {"field": "Nơi ở", "level": "cùng xã/phường", "weight": 4.0},
]


def candidate(probability: float = 0.9) -> CandidatePair:
    """Two records of the same woman in Tràng Tiền, one candidate pair: a cluster of its own."""
    a, b = (PersonFactory(full_name="Nguyễn Thị Đào") for _ in range(2))
    return CandidatePair.objects.create(
        person_a=a,
        person_b=b,
        match_probability=probability,
        match_weight=math.log2(probability / (1 - probability)),
        explanation=EXPLANATION,
    )


def queue_and_reviews(count: int, reviewer) -> None:
    """``count`` clusters waiting in the queue and ``count`` the reviewer settled (two different women)."""
    for _ in range(count):
        candidate()
        settled = candidate(0.8)
        cluster = selectors.cluster_get(reviewer, settled.pk)
        a, b = cluster.members
        services.cluster_decide(actor=reviewer, cluster=cluster, groups={a: "1", b: "2"}, seen=cluster.seen)


def queue(client, clusters: int, assert_max) -> CaptureQueriesContext:
    with assert_max(QUEUE_BUDGET) as queries:
        body = client.get(QUEUE).content.decode()
    assert len(re.findall(r'data-cluster="\d+"', body)) == clusters
    assert body.count("Hoàn tác") == Review.objects.count()
    return queries


def test_the_review_queue_reads_the_same_queries_for_3_and_9_clusters(
    district_officer, client_for, django_assert_max_num_queries
):
    client = client_for(district_officer)
    queue_and_reviews(3, district_officer)
    few = queue(client, 3, django_assert_max_num_queries)
    queue_and_reviews(6, district_officer)
    many = queue(client, 9, django_assert_max_num_queries)
    assert len(many) == len(few)
    assert not AccessRecord.objects.filter(actor=district_officer, path=QUEUE).exists()
