"""How far can review take the registry, for each automatic-merge threshold? (issue #19: F1 after 10,000
decisions at 1M.)

``python benchmarks/linkage_queue_offline.py [RECORDS] [SEED]`` (default 1,000,000 records, seed 2026 —
the registry of ``bench_linkage_review``) links the synthetic registry as a dedup run does (blocking plan,
EM, pairs from ``services.ESTIMATE_FLOOR``) in memory, without the database, and for the fixed threshold
0.995 and for the threshold each precision a coordinator may ask (``services.AUTO_PRECISIONS``, chosen by
``services.auto_threshold`` from the estimates) prints:

* the automatic merges: pairs, wrong pairs by the truth, and the registry's F1 after the run;
* the review queue a run leaves (the pairs from ``selectors.QUEUE_FLOOR`` up to the threshold, as
  connected components over the persons after the merges) and the F1 a reviewer who decides its
  clusters right reaches after 500, 2,000 and 10,000 decisions, in the queue's order (the pairs of
  records a cluster would join × its mean probability) and in the best order any queue could have
  (each cluster's true gain, known only to the truth: an upper bound), and with every cluster decided.

No learning between decisions (``bench_linkage_review`` replays it with the database); it shows what
the threshold alone allows:

    BENCH linkage_queue_offline.<size>.<setting>.f1_after_<k> …   (oracle order …)

Not part of ``make bench`` (it prints no budget).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent)]
os.environ.setdefault("LANHMANH_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")

import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()  # the models' modules are imported (linkage.simulation's Partition), no database is read

from lanhmanh.linkage import engine, selectors, services, synthetic  # noqa: E402
from lanhmanh.linkage.simulation import Partition  # noqa: E402

CHECKPOINTS = (500, 2_000, 10_000)


def components(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Each node's component label (its smallest node) over the edges (a, b)."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def review(truth: np.ndarray, a, b, p, threshold: float) -> dict[str, object]:
    """The run's merges at ``threshold``, then the queue decided right in its order and in the oracle's."""
    n = len(truth)
    labels = {i: int(t) for i, t in enumerate(truth)}
    out: dict[str, object] = {}
    for order_kind in ("queue", "oracle"):
        state = Partition(labels)
        auto = np.nonzero(p >= threshold)[0]
        for i in auto[np.argsort(-p[auto], kind="stable")]:
            state.union(int(a[i]), int(b[i]))
        out["merged_pairs"], out["wrong"] = len(auto), int((truth[a[auto]] != truth[b[auto]]).sum())
        out["after_run"] = state.f1()
        band = np.nonzero((p >= selectors.QUEUE_FLOOR) & (p < threshold))[0]
        ra = np.array([state.find(int(x)) for x in a[band]], dtype=np.int64)
        rb = np.array([state.find(int(x)) for x in b[band]], dtype=np.int64)
        keep = ra != rb
        band, ra, rb = band[keep], ra[keep], rb[keep]
        label = components(ra, rb, n)
        nodes = np.unique(np.concatenate([ra, rb]))
        records = np.array([state.size[x] for x in nodes], dtype=np.int64)
        comp_of_node = label[nodes]
        links = np.bincount(label[ra], minlength=n)
        certainty = np.bincount(label[ra], weights=p[band], minlength=n)
        total = np.bincount(comp_of_node, weights=records, minlength=n)
        squares = np.bincount(comp_of_node, weights=records * records, minlength=n)
        comps = np.nonzero(links)[0]
        by_comp = np.argsort(comp_of_node, kind="stable")
        starts = np.searchsorted(comp_of_node[by_comp], comps)
        ends = np.searchsorted(comp_of_node[by_comp], comps, side="right")
        members = [nodes[by_comp[s:e]] for s, e in zip(starts, ends, strict=True)]
        if order_kind == "queue":
            value = (total[comps] ** 2 - squares[comps]) / 2 * certainty[comps] / links[comps]
        else:
            value = np.zeros(len(comps))
            for j, group in enumerate(members):
                sizes: dict[int, list[int]] = {}
                for x in group:
                    sizes.setdefault(int(truth[x]), []).append(state.size[x])
                value[j] = sum((sum(s) ** 2 - sum(z * z for z in s)) / 2 for s in sizes.values())
        order = np.argsort(-value, kind="stable")
        out["clusters"], out["links"] = len(comps), len(band)
        done = 0
        for mark in (*CHECKPOINTS, len(comps)):
            while done < min(mark, len(comps)):
                groups: dict[int, list[int]] = {}
                for x in members[order[done]]:
                    groups.setdefault(int(truth[x]), []).append(int(x))
                for group in groups.values():
                    for x in group[1:]:
                        state.union(group[0], x)
                done += 1
            out[f"{order_kind}_{mark if mark in CHECKPOINTS else 'all'}"] = state.f1()
    return out


def run(records: int = 1_000_000, seed: int = 2026) -> list[str]:
    data = synthetic.generate(records, seed=seed)
    people = data.pop("person")
    keep = [
        i
        for i in range(records)
        if data["full_name"][i].strip() and engine.parse_birth(data["birth_date"][i])[1]
    ]
    columns = {key: [values[i] for i in keep] for key, values in data.items()}
    columns["id"] = [str(i) for i in range(len(keep))]
    names: dict[str, int] = {}
    truth = np.array([names.setdefault(people[k], len(names)) for k in keep], dtype=np.int64)
    prepared = engine.prepare(columns)
    plan = engine.blocking_plan(prepared)
    model = engine.build_model(prepared, blocking_rules=plan.rules)
    try:
        predictions = model.predict(threshold=services.ESTIMATE_FLOOR)
        found = engine.estimates_of(model, predictions)
        scored = predictions.as_duckdbpyrelation()  # noqa: F841 - read by name in the SQL below
        rows = model.connection.execute(
            "SELECT CAST(unique_id_l AS BIGINT), CAST(unique_id_r AS BIGINT), match_probability FROM scored"
        ).fetchnumpy()
    finally:
        model.close()
    a, b, p = (np.asarray(rows[k]) for k in rows)
    size = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}M"
    settings = [("fixed_0.995", engine.UPPER_THRESHOLD)] + [
        (f"precision_{level:g}", services.auto_threshold(found, level).threshold)
        for level in services.AUTO_PRECISIONS
    ]
    lines = [f"# {len(truth):,} records, {len(p):,} pairs scored from {services.ESTIMATE_FLOOR}"]
    for name, threshold in settings:
        r = review(truth, a, b, p, threshold)
        lines.append(
            f"# {name}: threshold {threshold:g}, {r['merged_pairs']:,} pairs merged automatically, "
            f"{r['wrong']:,} of them wrong; F1 after the run {r['after_run']:.4f}; "
            f"{r['clusters']:,} clusters ({r['links']:,} links) in the queue, all decided: {r['queue_all']:.4f}"
        )
        for mark in CHECKPOINTS:
            lines.append(
                f"BENCH linkage_queue_offline.{size}.{name}.f1_after_{mark} {r[f'queue_{mark}']:.4f} ratio "
                f"(budget none)  # oracle order {r[f'oracle_{mark}']:.4f}"
            )
    return lines


if __name__ == "__main__":
    args = [int(x) for x in sys.argv[1:3]]
    for line in run(*args):
        print(line, flush=True)
