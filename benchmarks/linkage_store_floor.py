"""Where is the recall a reviewer can still reach? (issue #19: F1 after review at 1M.)

``python benchmarks/linkage_store_floor.py [RECORDS] [SEED]`` (default 1,000,000 records, seed 2026 —
the registry of ``bench_linkage_review``) links the synthetic registry as a dedup run does (blocking
plan, EM, automatic merges from ``engine.UPPER_THRESHOLD``) in memory, scores every pair the blocking
rules offer (probability ≥ 0) and, knowing the truth, prints the F1 a reviewer who decided every
stored pair right would reach (the run's merges, errors included, plus every true pair from the
floor up, closed transitively), for store floors from the queue's floor down to 0, the pairs a run
would store at each floor (between the floor and the automatic-merge threshold), and the F1 with
every true pair linked, scored or not (what blocking leaves out):

    BENCH linkage_store_floor.<size>.ceiling_from_<floor> …   (stored <pairs>)
    BENCH linkage_store_floor.<size>.ceiling_every_true_pair …

Not part of ``make bench`` (it prints no budget). Without the database: the run's input read from the
generator, records without a name or birth year left out as the review benchmark leaves them out.
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
import pyarrow as pa  # noqa: E402

django.setup()  # the models' modules are imported (linkage.simulation's Partition), no database is read

from lanhmanh.linkage import engine, synthetic  # noqa: E402
from lanhmanh.linkage.simulation import Partition  # noqa: E402

FLOORS = (0.8, 0.5, 0.3, 0.2, 0.1, 0.05, 0.01, 0.0)


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
    truth = {i: people[k] for i, k in enumerate(keep)}
    prepared = engine.prepare(columns)
    plan = engine.blocking_plan(prepared)
    model = engine.build_model(prepared, blocking_rules=plan.rules)
    try:
        predictions = model.predict(threshold=0.0)
        con = model.connection
        con.register(
            "truth", pa.table({"uid": [str(i) for i in truth], "person": pa.array(list(truth.values()))})
        )
        scored = predictions.as_duckdbpyrelation()  # noqa: F841 - read by name in the SQL below
        con.execute(
            """CREATE TEMP TABLE judged AS
            SELECT CAST(p.unique_id_l AS BIGINT) AS a, CAST(p.unique_id_r AS BIGINT) AS b,
                   p.match_probability AS p, (ta.person = tb.person) AS same
            FROM scored p JOIN truth ta ON ta.uid = p.unique_id_l JOIN truth tb ON tb.uid = p.unique_id_r"""
        )
        auto = con.execute(
            "SELECT a, b FROM judged WHERE p >= ? ORDER BY p DESC", [engine.UPPER_THRESHOLD]
        ).fetchall()
        true = con.execute("SELECT a, b, p FROM judged WHERE same ORDER BY p DESC").fetchall()
        stored = [
            con.execute(
                "SELECT count(*) FROM judged WHERE p >= ? AND p < ?", [floor, engine.UPPER_THRESHOLD]
            ).fetchall()[0][0]
            for floor in FLOORS
        ]
        scored_pairs = con.execute("SELECT count(*) FROM judged").fetchall()[0][0]
    finally:
        model.close()
    size = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}M"
    state = Partition(truth)
    for a, b in auto:
        state.union(a, b)
    lines = [
        f"# {len(truth):,} records, {scored_pairs:,} pairs scored, {len(true):,} of them true; "
        f"after the run P {state.precision:.4f} R {state.recall:.4f} F1 {state.f1():.4f}"
    ]
    at = 0
    for floor, count in zip(FLOORS, stored, strict=True):
        while at < len(true) and true[at][2] >= floor:
            state.union(true[at][0], true[at][1])
            at += 1
        lines.append(
            f"BENCH linkage_store_floor.{size}.ceiling_from_{floor:g} {state.f1():.4f} ratio (budget none)"
            f"  # P {state.precision:.4f} R {state.recall:.4f}, {count:,} pairs stored"
        )
    by_person: dict[str, int] = {}
    for record, person in truth.items():
        if (first := by_person.setdefault(person, record)) != record:
            state.union(first, record)
    lines.append(
        f"BENCH linkage_store_floor.{size}.ceiling_every_true_pair {state.f1():.4f} ratio (budget none)"
        f"  # P {state.precision:.4f} R {state.recall:.4f}"
    )
    return lines


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    for line in run(*args):
        print(line, flush=True)
