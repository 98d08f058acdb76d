"""Scoring a clustering against known truth: pairwise and cluster-level figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Scores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    people: int
    clusters: int
    exact_clusters: int  # people whose records form exactly one predicted cluster, with nothing else

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def cluster_accuracy(self) -> float:
        return self.exact_clusters / self.people if self.people else 1.0


def score(ids: Sequence[str], truth: Sequence[str], clusters: Mapping[str, str]) -> Scores:
    """``ids[i]`` is a record of person ``truth[i]``; ``clusters`` maps record id → predicted cluster
    (records missing from it are singletons)."""
    predicted = [clusters.get(i, f"single:{i}") for i in ids]
    by_truth = Counter(truth)
    by_cluster = Counter(predicted)
    by_both = Counter(zip(truth, predicted, strict=True))
    exact = sum(1 for (t, c), n in by_both.items() if n == by_truth[t] == by_cluster[c])
    return Scores(
        true_pairs=sum(_pairs(n) for n in by_truth.values()),
        predicted_pairs=sum(_pairs(n) for n in by_cluster.values()),
        correct_pairs=sum(_pairs(n) for n in by_both.values()),
        people=len(by_truth),
        clusters=len(by_cluster),
        exact_clusters=exact,
    )


def exact_key_clusters(ids: Sequence[str], keys: Sequence[str | None]) -> dict[str, str]:
    """Baseline clustering: records with the same non-empty key are one person."""
    return {i: (f"key:{k}" if k else f"single:{i}") for i, k in zip(ids, keys, strict=True)}
