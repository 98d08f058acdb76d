"""The simulated reviewer of the review benchmark (``linkage.simulation``) replays the product's loop:
the same clusters in the same order, the same merges, the same re-scored probabilities as
``review_clusters`` → ``cluster_decide`` → ``model_relearn`` on the database."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, Merge, PairStatus
from lanhmanh.linkage.simulation import Partition, ReviewSimulation
from lanhmanh.people.models import Person
from tests.conftest import DONG_ANH, TRANG_TIEN
from tests.linkage.test_clusters import person, violation

pytestmark = pytest.mark.django_db


def registry(rng: random.Random, actor):
    """Candidate clusters of 2–4 records (some true duplicates, some not), one outside the reviewer's
    jurisdiction. Links between duplicates fall mostly in each field's likeliest level, the others
    anywhere, and many are scored near the queue's floor: learning moves some of them out."""
    levels = services.model_current().parameters
    truth: dict[int, str] = {}
    for c in range(14):
        place = DONG_ANH if c == 3 else TRANG_TIEN
        records = [
            person(f"Nguyễn Thị Hoa {c} {i}", 1980 + c, place) for i in range(rng.choice((2, 2, 3, 4)))
        ]
        for i, record in enumerate(records):
            truth[record.pk] = f"{c}-{int(rng.random() < 0.3 and i > 0)}"
            if place == DONG_ANH:
                violation(record)  # seen by the district through a violation in its jurisdiction
        if c in (1, 5, 8):  # a person already holding two records (merged earlier)
            extra = person(f"Nguyen Thi Hoa {c}", 1980 + c, place)
            services.merge_persons(actor=actor, survivor=records[0], merged=extra)
            truth[extra.pk] = truth[records[0].pk]
        edges = [(records[i - 1], records[i]) for i in range(1, len(records))]
        if len(records) > 2:
            edges.append((records[0], records[-1]))
        for a, b in edges:
            explanation = []
            for field_label, field_levels in levels.items():
                if truth[a.pk] == truth[b.pk] and rng.random() < 0.8:
                    level = max(field_levels, key=field_levels.get)
                else:
                    level = rng.choice(sorted(field_levels))
                explanation.append(
                    {"field": field_label, "level": level, "weight": round(rng.uniform(-2, 6), 2)}
                )
            floor = math.log2(selectors.QUEUE_FLOOR / (1 - selectors.QUEUE_FLOOR))  # the floor's weight
            weight = rng.uniform(floor, floor + 0.4) if rng.random() < 0.4 else rng.uniform(floor + 0.4, 7.0)
            CandidatePair.objects.create(
                person_a_id=min(a.pk, b.pk),
                person_b_id=max(a.pk, b.pk),
                match_weight=weight,
                match_probability=services.probability_of(weight),
                explanation=explanation,
            )
    unsure = CandidatePair.objects.order_by("-pk").first()
    CandidatePair.objects.filter(pk=unsure.pk).update(status=PairStatus.UNSURE)
    return truth


def test_the_simulated_reviewer_replays_the_product(district_officer):
    truth = registry(random.Random(19), district_officer)
    simulation = ReviewSimulation(district_officer, truth)
    assert simulation.probabilities() == dict(CandidatePair.objects.values_list("pk", "match_probability"))
    first = selectors.review_clusters(district_officer)
    assert {max(c.records.values()) for c in first} == {1, 2}
    assert simulation.queue() == [(c.anchor, c.members) for c in first]
    assert [c.in_jurisdiction for c in first] == [True] * (len(first) - 1) + [False]
    start = dict(CandidatePair.objects.values_list("pk", "match_probability"))
    partition = Partition(truth)
    decided = 0
    while True:
        clusters = selectors.review_clusters(district_officer)
        decision = simulation.step()
        if not clusters:
            assert decision is None
            break
        cluster = clusters[0]
        assert (decision.anchor, decision.members) == (cluster.anchor, cluster.members)
        review = services.cluster_decide(
            actor=district_officer,
            cluster=cluster,
            groups={member: truth[member] for member in cluster.members},
            seen=cluster.seen,
        )
        services.model_relearn(actor=district_officer)
        merges = set(Merge.objects.filter(review=review).values_list("survivor_id", "merged_id"))
        assert set(decision.merges) == merges
        for survivor, merged in decision.merges:
            partition.union(survivor, merged)
        in_database = dict(
            CandidatePair.objects.filter(status__in=[PairStatus.PENDING, PairStatus.UNSURE]).values_list(
                "pk", "match_probability"
            )
        )
        replayed = simulation.probabilities()
        assert replayed.keys() == in_database.keys()
        assert all(abs(replayed[pk] - in_database[pk]) < 1e-9 for pk in in_database)
        assert simulation.queue() == [
            (c.anchor, c.members) for c in selectors.review_clusters(district_officer)
        ]
        decided += 1
    assert decided >= 8 and simulation.relearns >= 5
    # Learning moved links across the queue's floor (some left the queue undecided).
    left = CandidatePair.objects.filter(
        status=PairStatus.PENDING, match_probability__lt=selectors.QUEUE_FLOOR
    )
    assert any(start[pk] >= selectors.QUEUE_FLOOR for pk in left.values_list("pk", flat=True))
    assert partition.hits == partition.predicted > 0  # a reviewer who knows the truth merges only true pairs


def fitting(rng: random.Random, actor, truth: dict[int, str]) -> None:
    """Pairs that fit the batch patterns: a person with three records (the third link settled by the
    first two), three records with one ID number of which two were decided different (a link that
    would join them skipped), two persons sharing an ID number, birth date and name (a wrong fit, the
    last pair), and one person with two records, one without ID number (the other pattern)."""
    levels = services.model_current().parameters

    def record(name: str, label: str, number: str = "", born=dt.date(1985, 6, 7)) -> Person:
        p = person(name, born.year, TRANG_TIEN)
        Person.objects.filter(pk=p.pk).update(birth_date=born, id_number=number)
        truth[p.pk] = label
        return Person.objects.get(pk=p.pk)

    def link(a: Person, b: Person) -> CandidatePair:
        explanation = [
            {"field": f, "level": rng.choice(sorted(ls)), "weight": round(rng.uniform(-2, 6), 2)}
            for f, ls in levels.items()
        ]
        weight = rng.uniform(2.4, 6.0)
        return CandidatePair.objects.create(
            person_a_id=min(a.pk, b.pk),
            person_b_id=max(a.pk, b.pk),
            match_weight=weight,
            match_probability=services.probability_of(weight),
            explanation=explanation,
        )

    t = [record(f"Trần Văn Bình{' ' * i}", "t", "001085012345") for i in range(3)]
    link(t[0], t[1]), link(t[1], t[2]), link(t[0], t[2])
    x, y, z = (record("Lê Thị Mai", label, "001190054321") for label in ("x", "y", "x"))
    apart = link(x, y)
    link(x, z), link(y, z)
    services.pair_decide(actor=actor, pair=apart, decision=PairStatus.DIFFERENT)
    link(record("Phạm Minh Đức", "u", ""), record("Phạm Minh Đức", "u", "001092000111"))
    link(record("Đỗ Văn An", "w1", "001080000222"), record("Hoàng Văn An", "w2", "001080000222"))


def test_the_simulated_batch_replays_the_pattern_page(district_officer):
    """The pattern page's batch (``pattern_pairs`` → ``batch_confirm`` → ``model_relearn``) replayed: the
    same fitting pairs, a batch refused when a pair shown is wrong, the same merges and skips (errors
    included) when approved, then the same probabilities and queue."""
    rng = random.Random(61)
    truth = registry(rng, district_officer)
    fitting(rng, district_officer, truth)
    simulation = ReviewSimulation(district_officer, truth)
    key = "so-ngay-ten"
    listed = selectors.pattern_pairs(district_officer, key)
    assert len(listed) == 6  # three of one person, two of the three records, the wrong fit
    for pattern in selectors.PATTERNS:
        expected = [p.pk for p in selectors.pattern_pairs(district_officer, pattern)]
        assert simulation.pk[simulation.pattern_links(pattern)].tolist() == expected
    before = simulation.probabilities()
    refused = simulation.batch(key)  # every pair shown, the wrong fit among them: not approved
    assert (refused.shown, refused.approved, refused.merges) == (6, False, [])
    assert simulation.probabilities() == before and simulation.relearns == 0
    batch = simulation.batch(key, preview=2)  # the two shown are right: approved, errors included
    assert (batch.shown, batch.approved, batch.confirmed, batch.wrong) == (2, True, 4, 1)
    review, skipped = services.batch_confirm(actor=district_officer, pattern=key, pairs=listed)
    services.model_relearn(actor=district_officer)
    assert len(skipped) == 2  # one link already within one person, one joining persons decided different
    merges = set(Merge.objects.filter(review=review).values_list("survivor_id", "merged_id"))
    assert set(batch.merges) == merges and len(merges) == 4
    in_database = dict(
        CandidatePair.objects.filter(status__in=[PairStatus.PENDING, PairStatus.UNSURE]).values_list(
            "pk", "match_probability"
        )
    )
    replayed = simulation.probabilities()
    assert replayed.keys() == in_database.keys()
    assert all(abs(replayed[pk] - in_database[pk]) < 1e-9 for pk in in_database)
    assert simulation.queue() == [(c.anchor, c.members) for c in selectors.review_clusters(district_officer)]
    other = "ten-ngay-xa-mot-thieu-so"
    assert simulation.pk[simulation.pattern_links(other)].tolist() == [
        p.pk for p in selectors.pattern_pairs(district_officer, other)
    ]
    assert simulation.batch(key) is None  # nothing left fits


def test_partition_f1_counts_pairs():
    partition = Partition({1: "x", 2: "x", 3: "x", 4: "y"})
    assert (partition.true_pairs, partition.f1()) == (3, 0.0)
    partition.union(1, 2)
    partition.union(3, 4)
    assert (partition.hits, partition.predicted) == (1, 2)
    assert partition.precision == 0.5 and partition.recall == pytest.approx(1 / 3)
