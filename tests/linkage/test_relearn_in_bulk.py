"""Re-learning re-scores the undecided pairs in bulk (issue #19 item 3; a decision's POST in seconds at 1M).

Only m changes, so a pair's new weight depends on its old weight, the version it was scored under and the
comparison levels it fell in: ``model_relearn`` computes one delta per (version, levels) and writes every
pair in one UPDATE. The result must be the pair-by-pair re-scoring, to the last bit, on both databases; the
explanation is no longer rewritten, so the weights shown are shifted to the pair's current version."""

from __future__ import annotations

import math
import random

import pytest

from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import (
    CandidatePair,
    ModelVersion,
    PairStatus,
    QueueChange,
    QueueChangeKind,
    levels_key,
)
from tests.linkage.test_clusters import person

pytestmark = pytest.mark.django_db


def random_pairs(rng: random.Random, count: int) -> list[CandidatePair]:
    """Pairs in random levels of the shipped model (a few levels the model has no m for), some under a
    later version, some unsure or decided, some written in bulk without their levels' key."""
    levels = services.model_current().parameters
    later = services.model_version_new(
        parameters={f: services._floored({k: rng.random() for k in ls}) for f, ls in levels.items()}
    )
    records = [person(f"Nguyễn Văn Hùng {i}", 1970 + i % 30) for i in range(count + 1)]
    pairs = []
    for i in range(count):
        explanation = [
            {
                "field": field,
                "level": rng.choice([*sorted(field_levels), "không có dữ liệu"]),
                "weight": round(rng.uniform(-3, 7), 2),
            }
            for field, field_levels in levels.items()
            if rng.random() < 0.9
        ]
        weight = rng.uniform(-2.0, 9.0)
        version = later if i % 3 == 0 else None
        pairs.append(
            CandidatePair(
                person_a=records[i],
                person_b=records[i + 1],
                match_weight=weight,
                match_probability=services.probability_of(weight),
                explanation=explanation,
                model_version=version,
                explanation_version=version,
                levels_key=levels_key(explanation) if i % 4 else "",
                status=rng.choice([PairStatus.PENDING] * 6 + [PairStatus.UNSURE, PairStatus.DIFFERENT]),
            )
        )
    return CandidatePair.objects.bulk_create(pairs)


def rescored_pair_by_pair(parameters) -> dict[int, tuple[float, float, list]]:
    """{pair: (weight, probability, explanation)} as re-learning wrote them before, one pair at a time."""
    versions = {v.pk: v.parameters for v in ModelVersion.objects.all()}
    first = ModelVersion.objects.order_by("number").first().pk
    found = {}
    undecided = CandidatePair.objects.filter(status__in=[PairStatus.PENDING, PairStatus.UNSURE])
    for pair in undecided.select_related("model_version", "explanation_version"):
        old = versions[pair.model_version_id or first]
        weight = pair.match_weight + services.rescore_delta(pair.explanation, old, parameters)
        explanation = [  # the explanation as shown now, each weight moved as the weight moves
            {**row, "weight": row["weight"] + services.rescore_delta([row], old, parameters)}
            for row in pair.explanation_now
        ]
        found[pair.pk] = (weight, services.probability_of(weight), explanation)
    return found


def shown(pk: int) -> list:
    return (
        CandidatePair.objects.select_related("model_version", "explanation_version")
        .get(pk=pk)
        .explanation_now
    )


@pytest.mark.parametrize("seed", [19, 2026])
def test_the_bulk_re_scoring_is_the_pair_by_pair_one(seed, district_officer):
    rng = random.Random(seed)
    pairs = random_pairs(rng, 40)
    decided = {p.pk: (p.match_weight, p.match_probability) for p in pairs if p.status == PairStatus.DIFFERENT}
    first = CandidatePair.objects.filter(status=PairStatus.PENDING).order_by("pk").first()
    services.pair_decide(actor=district_officer, pair=first, decision=PairStatus.SAME)
    for step in range(2):  # the second re-learning starts from pairs already under the first's version
        base = services.relearn_base(services.model_current())
        expected_parameters = services.relearned(
            base.parameters,
            services.label_corrections(services._labelled(), base.parameters),
            services.relearn_prior(base),
        )
        expected = rescored_pair_by_pair(expected_parameters)
        version = services.model_relearn(actor=district_officer)
        assert version.parameters == expected_parameters
        assert version.rescored == len(expected) > 25
        rows = CandidatePair.objects.filter(pk__in=expected)
        assert {p.pk: (p.match_weight, p.match_probability) for p in rows} == {
            pk: (weight, probability) for pk, (weight, probability, _e) in expected.items()
        }  # the same floats, not close ones
        assert set(rows.values_list("model_version", flat=True)) == {version.pk}
        assert {
            p.pk: (p.match_weight, p.match_probability) for p in CandidatePair.objects.filter(pk__in=decided)
        } == decided
        for pk, (_weight, _probability, explanation) in expected.items():
            now = shown(pk)
            assert [(r["field"], r["level"]) for r in now] == [(r["field"], r["level"]) for r in explanation]
            assert all(
                math.isclose(a["weight"], b["weight"], abs_tol=1e-9)
                for a, b in zip(now, explanation, strict=True)
            )
        change = QueueChange.objects.order_by("-number").first()
        assert change.kind == QueueChangeKind.RESCORED
        ids, values = selectors.rescored_arrays(change.ids, change.values)
        assert dict(zip(ids.tolist(), values.tolist(), strict=True)) == {
            pk: probability
            for pk, (_w, probability, _e) in expected.items()
            if probability >= selectors.QUEUE_FLOOR
        }
        other = (
            CandidatePair.objects.filter(status=PairStatus.PENDING).exclude(pk=first.pk).order_by("pk")[step]
        )
        services.pair_decide(actor=district_officer, pair=other, decision=PairStatus.DIFFERENT)


def test_the_cluster_page_shows_the_weights_of_the_re_learned_model(district_officer, client_for):
    """A pair's explanation is stored once; after re-learning, the page shows each field's weight moved by
    log2(m new / m old) of its level (the stored weight would be the old model's)."""
    a, b, c, d = (person(f"Trần Thị Lan {i}") for i in range(4))
    explanation = [
        {"field": "Họ và tên", "level": "trùng họ tên", "weight": 4.94},
        {"field": "Ngày sinh", "level": "trùng ngày sinh", "weight": 8.0},
    ]
    shown_pair = CandidatePair.objects.create(
        person_a=a, person_b=b, match_probability=0.95, match_weight=4.25, explanation=explanation
    )
    decided = CandidatePair.objects.create(  # one the model doubted: deciding it "same" teaches it
        person_a=c, person_b=d, match_probability=0.1, match_weight=-3.17, explanation=explanation
    )
    services.pair_decide(actor=district_officer, pair=decided, decision=PairStatus.SAME)
    old = services.model_current().parameters
    version = services.model_relearn(actor=district_officer)
    new = version.parameters
    name = 4.94 + math.log2(new["Họ và tên"]["trùng họ tên"] / old["Họ và tên"]["trùng họ tên"])
    born = 8.0 + math.log2(new["Ngày sinh"]["trùng ngày sinh"] / old["Ngày sinh"]["trùng ngày sinh"])
    assert CandidatePair.objects.get(pk=shown_pair.pk).explanation == explanation  # stored as scored
    client = client_for(district_officer)
    url = f"/ho-so-trung/cum/{shown_pair.pk}/"
    client.post(url, {"purpose": "linkage", "detail": "kiểm tra"})
    body = client.get(url).content.decode()
    shown_as = lambda w: f"{w:.1f}".replace(".", ",")  # noqa: E731 - Vietnamese decimal comma
    assert shown_as(name) != shown_as(4.94)  # learning from one "same" pair in these levels moved them
    assert f"Họ và tên: trùng họ tên ({shown_as(name)})" in body
    assert f"Ngày sinh: trùng ngày sinh ({shown_as(born)})" in body


def test_a_decision_teaches_the_model_by_how_much_it_surprised_it():
    """m is learned as EM would with the labels known: a decision moves its levels' expected matches by
    its label less the probability the unsupervised model gave the pair, against the matches that model
    expects (``relearn_prior``), so the pairs a reviewer is shown (chosen by their score) do not stand
    for every match."""
    base = {"Họ và tên": {"trùng họ tên": 0.5, "khác": 0.5}}
    levels = [{"field": "Họ và tên", "level": "trùng họ tên", "weight": 1.0}]

    def m_after(decision: str, weight: float) -> float:
        label = services.Label(1, 1, decision, levels, weight, None)
        moved = services.label_corrections([label], base)
        return services.relearned(base, moved, 10)["Họ và tên"]["trùng họ tên"]

    assert m_after(PairStatus.SAME, 12.0) == pytest.approx(0.5, abs=1e-3)  # expected: teaches nothing
    assert m_after(PairStatus.SAME, -3.17) == pytest.approx((5 + 0.9) / (10 + 0.9), abs=1e-3)
    assert m_after(PairStatus.DIFFERENT, 3.17) == pytest.approx((5 - 0.9) / (10 - 0.9), abs=1e-3)
    assert m_after(PairStatus.DIFFERENT, -12.0) == pytest.approx(0.5, abs=1e-3)
