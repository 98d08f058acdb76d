"""Review by cluster at size (issue #19 items 4 and 7): the cluster page's time, and a simulated reviewer.

Fills the database with the demo accounts and ``N`` persons of a synthetic registry (default 6,000 —
this shared machine; ``--records 1000000`` or ``BENCH_RECORDS`` for the issue's scale), keeps the truth,
runs one deduplication run (blocking plan, EM, automatic merges, the review queue), then:

* times the cluster page (``GET /ho-so-trung/cum/<id>/`` through the test client as the city
  coordinator, purpose stated, every identity logged): median and p95, budget 200 ms;
* simulates a reviewer who knows the truth, from the run's state, on this queue (one decision = one
  cluster, split by the truth) and on the old pair queue ordered by probability (one decision = one
  pair), and prints the pairwise F1 of the registry after 500, 2,000 and 10,000 decisions (or as many as
  the queue holds: ``BENCH_CHECKPOINTS``) and the F1 gained per decision over the first 2,000;
* prints the run's estimated precision and recall at its automatic-merge threshold against the truth.

The simulation decides in memory (the services' writes are timed by the page, not here) and does not
re-estimate the model between decisions.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from benchlib import Result

BUDGET_MS = 200


def records_wanted() -> int:
    if "--records" in sys.argv:
        return int(sys.argv[sys.argv.index("--records") + 1])
    return int(os.environ.get("BENCH_RECORDS", 6_000))


def checkpoints() -> list[int]:
    return [int(x) for x in os.environ.get("BENCH_CHECKPOINTS", "500,2000,10000").split(",")]


def log(message: str) -> None:
    print(f"# {message}", flush=True)


class Partition:
    """Union-find over records with the pairwise F1 against a truth, kept incrementally."""

    def __init__(self, truth: dict[int, str]):
        self.truth = truth
        self.parent = {pk: pk for pk in truth}
        self.members = {pk: {truth[pk]: 1} for pk in truth}  # root → truth label → count
        self.size = dict.fromkeys(truth, 1)
        counts: dict[str, int] = {}
        for label in truth.values():
            counts[label] = counts.get(label, 0) + 1
        self.true_pairs = sum(c * (c - 1) // 2 for c in counts.values())
        self.predicted = 0
        self.hits = 0

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.predicted += self.size[ra] * self.size[rb]
        small, big = self.members[rb], self.members[ra]
        for label, count in small.items():
            self.hits += count * big.get(label, 0)
            big[label] = big.get(label, 0) + count
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        del self.members[rb]

    def f1(self) -> float:
        precision = self.hits / self.predicted if self.predicted else 1.0
        recall = self.hits / self.true_pairs if self.true_pairs else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def ensure_data(n: int):
    from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
    from lanhmanh.linkage import engine, synthetic
    from lanhmanh.org.models import AdministrativeUnit, Role
    from lanhmanh.people.bulk import persons_create
    from lanhmanh.people.models import Person

    context = load_demo(password="benchmark-2014", only=ACCOUNT_STEPS)  # noqa: S106 - throwaway database
    coordinator = context.accounts[Role.CITY_COORDINATOR]
    units = dict(AdministrativeUnit.objects.filter(path__startswith="01.").values_list("path", "pk"))
    data = synthetic.generate(n, seed=2026)
    people = data.pop("person")
    rows, labels = [], []
    for i in range(n):
        born, year, _ = engine.parse_birth(data["birth_date"][i])
        number, _ = engine.parse_id_number(data["id_number"][i])
        if not data["full_name"][i].strip() or not year:
            continue
        rows.append(
            Person(
                full_name=data["full_name"][i],
                birth_date=born,
                birth_year=year,
                id_number=number or "",
                sex=data["sex"][i] or "unknown",
                permanent_unit_id=units.get(data["residence_unit"][i]),
                hometown_unit_id=units.get(data["hometown_unit"][i]),
            )
        )
        labels.append(people[i])
    start = time.perf_counter()
    persons_create(rows, batch_size=5_000)
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    log(f"{len(pks):,} persons inserted in {time.perf_counter() - start:.0f} s")
    return coordinator, dict(zip(pks, labels, strict=True))


def simulate(truth, merged_into, clusters, pairs, marks) -> tuple[dict[int, float], dict[int, float], float]:
    """F1 at each mark for the cluster queue and the pair queue, from the run's state; and F1 before."""

    def start() -> Partition:
        partition = Partition(truth)
        for merged, survivor in merged_into.items():
            partition.union(merged, survivor)
        return partition

    by_cluster, state = {}, start()
    before = state.f1()
    for done, members in enumerate(clusters, start=1):
        groups: dict[str, list[int]] = {}
        for member in members:
            groups.setdefault(truth[member], []).append(member)
        for group in groups.values():
            for other in group[1:]:
                state.union(group[0], other)
        if done in marks:
            by_cluster[done] = state.f1()
    for mark in marks:  # the queue emptied before the mark: its final F1
        by_cluster.setdefault(mark, state.f1())
    by_pair, state = {}, start()
    for done, (a, b) in enumerate(pairs, start=1):
        if truth[a] == truth[b]:
            state.union(a, b)
        if done in marks:
            by_pair[done] = state.f1()
    for mark in marks:  # the queue emptied before the mark: its final F1
        by_pair.setdefault(mark, state.f1())
    return by_cluster, by_pair, before


def run() -> list[Result]:
    from django.test import Client

    from lanhmanh.linkage import selectors, services
    from lanhmanh.linkage.models import CandidatePair, PairStatus

    n = records_wanted()
    label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    coordinator, truth = ensure_data(n)
    start = time.perf_counter()
    run = services.run_execute(services.run_create())
    log(
        f"run: {run.job.status}, {run.records:,} records, {run.auto_merged:,} merged, {run.queued:,} pairs queued, "
        f"{time.perf_counter() - start:.0f} s; estimated P {run.estimated_precision} R {run.estimated_recall}"
    )
    log(run.blocking)
    clusters = selectors.review_clusters(coordinator)
    log(f"{len(clusters):,} candidate clusters; sizes {sorted({c.size for c in clusters})}")
    from django.conf import settings

    settings.REQUIRE_2FA = False  # the page's own cost, not the second factor's (as the tests' client_for)
    client = Client()
    client.force_login(coordinator)
    results: list[Result] = []
    if clusters:
        first = clusters[0].anchor
        client.post(f"/ho-so-trung/cum/{first}/", {"purpose": "linkage", "detail": "benchmark"})
        timings = []
        for cluster in clusters[: int(os.environ.get("BENCH_N", 30))]:
            t0 = time.perf_counter()
            response = client.get(f"/ho-so-trung/cum/{cluster.anchor}/")
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        results += [
            Result(
                f"linkage_review.{label}.cluster_page.median", statistics.median(timings), "ms", BUDGET_MS
            ),
            Result(f"linkage_review.{label}.cluster_page.p95", p95, "ms", BUDGET_MS),
        ]
    merged_into = selectors.merged_roots()
    pairs = list(
        CandidatePair.objects.filter(status=PairStatus.PENDING)
        .order_by("-match_probability", "pk")
        .values_list("person_a_id", "person_b_id")
    )
    marks = checkpoints()
    by_cluster, by_pair, before = simulate(truth, merged_into, [c.members for c in clusters], pairs, marks)
    log(
        f"F1 after the run, before review: {before:.4f}; {len(clusters)} clusters, {len(pairs)} pairs in the queues"
    )
    for mark in marks:
        results += [
            Result(f"linkage_review.{label}.f1_after_{mark}.clusters", by_cluster[mark], "ratio", None),
            Result(f"linkage_review.{label}.f1_after_{mark}.pairs", by_pair[mark], "ratio", None),
        ]
    k = 2000 if 2000 in marks else marks[0]
    # Decisions actually made up to k (a queue shorter than k is used up with fewer decisions).
    gain_c = (by_cluster[k] - before) / max(1, min(k, len(clusters)))
    gain_p = (by_pair[k] - before) / max(1, min(k, len(pairs)))
    ratio = gain_c / gain_p if gain_p > 0 else float("inf") if gain_c > 0 else 1.0
    log(
        f"F1 gain per decision over the first {k}: clusters {gain_c:.2e}, pairs {gain_p:.2e} (ratio {ratio:.2f})"
    )
    results.append(Result(f"linkage_review.{label}.gain_ratio_over_2000", ratio, "ratio", None))
    return results


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    import run as runner

    runner.setup_django()
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    sys.exit(1 if over else 0)
