"""A reviewer who knows the truth, working the review queue as the product does, in memory (issue #19
item 7: ``benchmarks/bench_linkage_review.py``).

At a million records one pass of the product's loop — ``selectors.review_clusters``, then
``services.cluster_decide``, then ``services.model_relearn`` (which re-scores every undecided pair in
the database) — takes seconds, so ten thousand simulated decisions would take a day. This replays the
same loop on arrays, from the database's state at the start:

* the queue is the connected components of the pending and unsure pairs scored at least
  ``selectors.QUEUE_FLOOR``, over persons as they are now, pairs already settled left out (both records
  one person, or the two persons decided different), every person visible to the reviewer; ordered as
  ``review_clusters`` orders it (jurisdiction first, then ``Cluster.value``: the pairs of records the
  cluster would join × the mean probability of its links, halved when every link is unsure, then the
  anchor);
* a decision is ``cluster_decide``'s: one decision per link (same when both records are in one truth
  group, else different), each group merged into its oldest record;
* after each decision the model learns as ``model_relearn`` does, with its own functions
  (``services.label_corrections``, ``relearned``; a pair's weight moves by log2(m new / m old) of its
  levels) and the undecided pairs are re-scored;
* a batch (``batch``) is the pattern page's: the pending links of the queue whose two records fit one
  of ``selectors.PATTERNS`` (``pattern_pairs``), the first ``BATCH_PREVIEW`` shown to the reviewer, who
  approves them when the pairs shown are all right by the truth; then every fitting link is confirmed
  same as ``services.batch_confirm`` does (errors included), and the model learns once.

Nothing is written. ``tests/linkage/test_simulation.py`` runs the product's loop and this one side by
side and checks they decide the same clusters in the same order and re-score to the same probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, ModelVersion, PairStatus
from lanhmanh.people.models import Person
from lanhmanh.people.selectors import persons_visible

PENDING, UNSURE, DECIDED = 0, 1, 2


class Partition:
    """Union-find over records with the pairwise F1 against a truth (record → person), kept incrementally."""

    def __init__(self, truth: Mapping[int, str]):
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

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.true_pairs if self.true_pairs else 1.0

    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Batch:
    pattern: str
    shown: int  # pairs the reviewer read on the pattern's page before approving (or not)
    approved: bool
    confirmed: int = 0
    wrong: int = 0  # confirmed pairs that are not one person by the truth
    merges: list[tuple[int, int]] | None = None


@dataclass
class Decision:
    anchor: int
    members: list[int]  # persons (ids) as they were in the queue
    merges: list[tuple[int, int]]  # (survivor, merged)
    same: int
    different: int


class ReviewSimulation:
    """The review queue of ``user`` and the model's learning, replayed in memory (see the module)."""

    def __init__(
        self,
        user,
        truth: Mapping[int, str],
        *,
        prior: float | None = None,
        patterns: bool = True,
    ):
        current = services.model_current()
        base = services.relearn_base(current)
        self.prior = services.relearn_prior(base) if prior is None else prior
        self.base = base.parameters
        versions = {v.pk: v.parameters for v in ModelVersion.objects.all()}
        first = ModelVersion.objects.order_by("number").values_list("pk", flat=True).first()
        rows = list(
            CandidatePair.objects.filter(status__in=[PairStatus.PENDING, PairStatus.UNSURE])
            .order_by("pk")
            .values_list(
                "pk",
                "person_a_id",
                "person_b_id",
                "match_weight",
                "status",
                "explanation",
                "model_version_id",
                "match_probability",
            )
        )
        roots = selectors.merged_roots()
        root = lambda pk: roots.get(pk, pk)  # noqa: E731
        pks = sorted({x for row in rows for x in (row[1], row[2], root(row[1]), root(row[2]))})
        self.node_of = {pk: i for i, pk in enumerate(pks)}
        self.node_pk = np.array(pks, dtype=np.int64)
        n = len(pks)
        labels: dict[str, int] = {}
        self.node_truth = np.array([labels.setdefault(truth[pk], len(labels)) for pk in pks], dtype=np.int64)
        jurisdiction = getattr(user, "jurisdiction_path", "") or ""
        held: dict[int, int] = {}
        for survivor in roots.values():
            held[survivor] = held.get(survivor, 0) + 1
        self.node_records = np.array([1 + held.get(pk, 0) for pk in pks], dtype=np.int64)
        self.node_visible = np.zeros(n, dtype=bool)
        self.node_inj = np.zeros(n, dtype=bool)
        for start in range(0, n, 20_000):
            chunk = pks[start : start + 20_000]
            for pk, temporary, permanent in (
                persons_visible(user)
                .filter(pk__in=chunk)
                .values_list("pk", "temporary_unit__path", "permanent_unit__path")
            ):
                place = temporary or permanent or ""
                i = self.node_of[pk]
                self.node_visible[i] = True
                self.node_inj[i] = bool(jurisdiction) and (
                    place == jurisdiction or place.startswith(jurisdiction + ".")
                )
        m = len(rows)
        self.pk = np.array([row[0] for row in rows], dtype=np.int64)
        # The records each pair was scored on (a pattern reads them, not the persons they became).
        self.oa = np.array([self.node_of[row[1]] for row in rows], dtype=np.int64)
        self.ob = np.array([self.node_of[row[2]] for row in rows], dtype=np.int64)
        self.fits = self._fits([(row[1], row[2]) for row in rows]) if patterns else {}
        self.ea = np.array([self.node_of[root(row[1])] for row in rows], dtype=np.int64)
        self.eb = np.array([self.node_of[root(row[2])] for row in rows], dtype=np.int64)
        self.weight0 = np.array([row[3] for row in rows], dtype=np.float64)
        self.status = np.array(
            [UNSURE if row[4] == PairStatus.UNSURE else PENDING for row in rows], dtype=np.int8
        )
        self.explanation = [row[5] for row in rows]
        # Each (field, level) of the base model is a column of log2 m; a link's levels index into it.
        self.keys = [(f, level) for f, levels in self.base.items() for level in levels]
        key_index = {key: k for k, key in enumerate(self.keys)}
        width = max((len(e) for e in self.explanation), default=0)
        self.columns = np.full((m, max(width, 1)), -1, dtype=np.int64)
        self.log_old = np.zeros((m, max(width, 1)), dtype=np.float64)
        for i, (explanation, version) in enumerate(
            zip(self.explanation, (row[6] for row in rows), strict=True)
        ):
            old = versions.get(version or first, {})
            for j, item in enumerate(explanation):
                k = key_index.get((item["field"], item["level"]))
                m_old = old.get(item["field"], {}).get(item["level"])
                if k is not None and m_old:
                    self.columns[i, j] = k
                    self.log_old[i, j] = np.log2(m_old)
        self.adjacent: list[list[int]] = [[] for _ in range(n)]
        for i in range(m):
            self.adjacent[self.ea[i]].append(i)
            self.adjacent[self.eb[i]].append(i)
        self.apart: dict[int, set[int]] = {}
        for pair in selectors.apart_roots(roots):
            if len(pair) == 2 and all(pk in self.node_of for pk in pair):
                x, y = (self.node_of[pk] for pk in pair)
                self.apart.setdefault(x, set()).add(y)
                self.apart.setdefault(y, set()).add(x)
        self.settled = np.array([self._settled(i) for i in range(m)], dtype=bool)
        self.counts = services.label_corrections(services._labelled(), self.base)
        # Each link's probability under the base model (its weight moved back from its version's m):
        # what a decision on it is weighed against (``services.label_corrections``).
        log_base = np.array([np.log2(self.base[f][level]) for f, level in self.keys] + [0.0])
        valid = self.columns >= 0
        shift = np.where(valid, self.log_old - log_base[self.columns], 0.0).sum(axis=1)
        self.p_base = 1.0 / (1.0 + np.exp2(-(self.weight0 - shift)))
        self.relearns = 0
        # As the database holds them until the next decision (the engine's probabilities).
        self.weight = self.weight0.copy()
        self.probability = np.array([row[7] for row in rows], dtype=np.float64)

    # State -----------------------------------------------------------------------------------------

    def _fits(self, pairs: list[tuple[int, int]]) -> dict[str, np.ndarray]:
        """{pattern key: does each link's pair of records fit it} (``selectors.PATTERNS``' own tests on
        the records as stored; merging changes no record's fields)."""
        wanted = sorted({pk for pair in pairs for pk in pair})
        records = {}
        for start in range(0, len(wanted), 20_000):
            records.update(
                Person.objects.filter(pk__in=wanted[start : start + 20_000])
                .only("pk", "full_name", "birth_date", "id_number", "temporary_unit_id", "permanent_unit_id")
                .in_bulk()
            )
        return {
            key: np.array([bool(pattern.test(records[a], records[b])) for a, b in pairs], dtype=bool)
            for key, pattern in selectors.PATTERNS.items()
        }

    def _settled(self, i: int) -> bool:
        a, b = self.ea[i], self.eb[i]
        return bool(a == b or b in self.apart.get(a, ()))

    def _rescore(self) -> None:
        """Weights and probabilities of every link under the model learned from the decisions so far."""
        parameters = services.relearned(self.base, self.counts, self.prior)
        log_new = np.array([np.log2(parameters[f][level]) for f, level in self.keys] + [0.0])
        valid = self.columns >= 0
        delta = np.where(valid, log_new[self.columns] - self.log_old, 0.0).sum(axis=1)
        self.weight = self.weight0 + delta
        self.probability = 1.0 / (1.0 + np.exp2(-self.weight))

    def _components(self):
        """(links in the queue, their component, per-component arrays) as ``review_clusters`` groups them."""
        mask = (
            (self.status != DECIDED)
            & ~self.settled
            & (self.probability >= selectors.QUEUE_FLOOR)
            & self.node_visible[self.ea]
            & self.node_visible[self.eb]
        )
        q = np.nonzero(mask)[0]
        a, b = self.ea[q], self.eb[q]
        label = np.arange(len(self.node_pk))
        while True:  # minimum-label propagation: clusters are small, a few rounds
            low = np.minimum(label[a], label[b])
            new = label.copy()
            np.minimum.at(new, a, low)
            np.minimum.at(new, b, low)
            new = new[new]
            if np.array_equal(new, label):
                break
            label = new
        return q, label

    def queue(self) -> list[tuple[int, list[int]]]:
        """(anchor, persons) of every candidate cluster, in the queue's order."""
        q, label = self._components()
        order, comps = self._order(q, label)
        comp = label[self.ea[q]]
        by_comp = np.argsort(comp, kind="stable")
        bounds = np.searchsorted(comp[by_comp], comps)
        ends = np.append(bounds[1:], len(q))
        found = []
        for i in order:
            links = q[by_comp[bounds[i] : ends[i]]]
            members = set(self.ea[links].tolist()) | set(self.eb[links].tolist())
            found.append((int(self.pk[links].min()), sorted(int(self.node_pk[x]) for x in members)))
        return found

    def _order(self, q, label):
        n = len(self.node_pk)
        comp = label[self.ea[q]]
        p = self.probability[q]
        certainty = np.bincount(comp, weights=p, minlength=n)
        links = np.bincount(comp, minlength=n)
        unsure = np.bincount(comp, weights=self.status[q] == UNSURE, minlength=n)
        nodes = np.unique(np.concatenate([self.ea[q], self.eb[q]]))
        records = self.node_records[nodes]
        total = np.bincount(label[nodes], weights=records, minlength=n).astype(np.int64)
        squares = np.bincount(label[nodes], weights=records * records, minlength=n).astype(np.int64)
        inj = np.bincount(label[nodes], weights=self.node_inj[nodes], minlength=n) > 0
        anchor = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(anchor, comp, self.pk[q])
        comps = np.nonzero(links)[0]
        record_pairs = (total[comps] ** 2 - squares[comps]) // 2
        value = (
            record_pairs
            * (certainty[comps] / links[comps])
            * np.where(unsure[comps] == links[comps], selectors.UNSURE_DISCOUNT, 1.0)
        )
        order = np.lexsort((anchor[comps], -value, ~inj[comps]))
        return order, comps

    # The reviewer ------------------------------------------------------------------------------------

    def step(self) -> Decision | None:
        """Decide the first cluster of the queue by the truth, then learn; None when the queue is empty."""
        q, label = self._components()
        if not len(q):
            return None
        order, comps = self._order(q, label)
        top = comps[order[0]]
        links = q[label[self.ea[q]] == top]
        members = sorted(
            set(self.ea[links].tolist()) | set(self.eb[links].tolist()), key=lambda x: self.node_pk[x]
        )
        decision = Decision(
            anchor=int(self.pk[links].min()),
            members=[int(self.node_pk[x]) for x in members],
            merges=[],
            same=0,
            different=0,
        )
        different = []
        for i in links.tolist():
            self.status[i] = DECIDED
            same = bool(self.node_truth[self.ea[i]] == self.node_truth[self.eb[i]])
            self._learn(i, same)
            if same:
                decision.same += 1
            else:
                decision.different += 1
                different.append(i)
        groups: dict[int, list[int]] = {}
        for x in members:  # in id order: the first of a group is its oldest record, the survivor
            groups.setdefault(int(self.node_truth[x]), []).append(x)
        touched = set(members)
        for group in groups.values():
            survivor = group[0]
            for merged in group[1:]:
                self._merge(survivor, merged)
                decision.merges.append((int(self.node_pk[survivor]), int(self.node_pk[merged])))
        for i in different:
            a, b = int(self.ea[i]), int(self.eb[i])
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)
        for x in touched:
            for i in self.adjacent[x]:
                self.settled[i] = self._settled(i)
        self._rescore()  # model_relearn after every review: a new version, every undecided pair re-scored
        self.relearns += 1
        return decision

    def pattern_links(self, key: str) -> np.ndarray:
        """The links ``selectors.pattern_pairs`` lists for this pattern: pending (not unsure) links of the
        queue's clusters whose records fit it, by pair id."""
        q, _label = self._components()
        q = q[(self.status[q] == PENDING) & self.fits[key][q]]
        return q[np.argsort(self.pk[q], kind="stable")]

    def batch(self, key: str, *, preview: int = selectors.BATCH_PREVIEW) -> Batch | None:
        """The reviewer opens the pattern's page, reads the first ``preview`` pairs and approves the batch
        when every one of them is one person by the truth; an approved batch confirms every fitting link
        as ``services.batch_confirm`` does (a link already one person, or joining two persons decided
        different, skipped), then the model learns once. None when no link fits."""
        links = self.pattern_links(key)
        if not len(links):
            return None
        shown = links[:preview]
        approved = bool(np.all(self.node_truth[self.oa[shown]] == self.node_truth[self.ob[shown]]))
        batch = Batch(pattern=key, shown=len(shown), approved=approved, merges=[])
        if not approved:
            return batch
        touched = set()
        for i in links.tolist():
            a, b = int(self.ea[i]), int(self.eb[i])
            if a == b or b in self.apart.get(a, ()):
                continue
            self.status[i] = DECIDED
            batch.confirmed += 1
            batch.wrong += int(self.node_truth[self.oa[i]] != self.node_truth[self.ob[i]])
            self._learn(i, True)
            survivor, merged = (a, b) if self.node_pk[a] < self.node_pk[b] else (b, a)
            self._merge(survivor, merged)
            batch.merges.append((int(self.node_pk[survivor]), int(self.node_pk[merged])))
            touched.add(survivor)
        for x in touched:
            for i in self.adjacent[x]:
                self.settled[i] = self._settled(i)
        if batch.confirmed:  # the page re-learns the model after an approved batch
            self._rescore()
            self.relearns += 1
        return batch

    def _learn(self, i: int, same: bool) -> None:
        """The link's decision added to what m is learned from, as ``services.label_corrections``."""
        moved = (1.0 if same else 0.0) - float(self.p_base[i])
        for row in self.explanation[i]:
            field_corrections = self.counts.setdefault(row["field"], {})
            field_corrections[row["level"]] = field_corrections.get(row["level"], 0.0) + moved

    def _merge(self, survivor: int, merged: int) -> None:
        self.node_records[survivor] += self.node_records[merged]
        for i in self.adjacent[merged]:
            if self.ea[i] == merged:
                self.ea[i] = survivor
            if self.eb[i] == merged:
                self.eb[i] = survivor
        self.adjacent[survivor].extend(self.adjacent[merged])
        self.adjacent[merged] = []
        for other in self.apart.pop(merged, set()):
            self.apart[other].discard(merged)
            self.apart[other].add(survivor)
            self.apart.setdefault(survivor, set()).add(other)

    def probabilities(self) -> dict[int, float]:
        """{pair id: match probability now} of the undecided pairs."""
        undecided = self.status != DECIDED
        return dict(zip(self.pk[undecided].tolist(), self.probability[undecided].tolist(), strict=True))
