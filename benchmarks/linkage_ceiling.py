"""How far is the linkage engine from the best any scorer of the same comparisons could do?

``python benchmarks/linkage_ceiling.py [RECORDS] [SEED]`` (default 1,000,000 records, seed 2014) generates
the synthetic registry, trains the engine as ``lanhmanh link`` does and scores every candidate pair
of its blocking rules. Then, knowing the truth, it builds an *oracle*: pairs are grouped in cells by
the level each comparison fell in (name, birth date, ID number, residence, hometown, sex) and by
the name's frequency (powers of two), and the cells are taken in order of their true precision.
No scorer that only sees these comparison levels and the name frequency can do better than that
order at a given precision. Both are pairwise over all true pairs (not clusters, so without the
records that clustering links through a third one), at precision 0.99 and 0.995:

    BENCH linkage_ceiling.<size>.engine.recall_at_p0.99 …
    BENCH linkage_ceiling.<size>.oracle.recall_at_p0.99 …
    BENCH linkage_ceiling.<size>.blocked_share …   (true pairs the blocking rules offer for scoring)

Not part of ``make bench`` (it prints no budget): it explains the F1 of ``bench_linkage``.
``BENCH_LINKAGE_CORRELATED=0`` uses the registry with every error drawn independently per record.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import pyarrow as pa  # noqa: E402

from lanhmanh.linkage import engine, synthetic  # noqa: E402

PRECISIONS = (0.99, 0.995)
GAMMAS = ("name", "birth", "id_number", "residence", "hometown", "sex")


def _recall_at(rows: list[tuple[int, int]], total_true: int, precision: float) -> float:
    """``rows`` are (true, false) counts in the order a scorer ranks them: the best recall reached
    with cumulative precision ≥ ``precision``."""
    tp = fp = 0
    best = 0.0
    for true, false in rows:
        tp += true
        fp += false
        if tp and tp / (tp + fp) >= precision:
            best = tp / total_true
    return best


def run(records: int = 1_000_000, seed: int = 2014) -> list[str]:
    rates = synthetic.Rates(correlated=os.environ.get("BENCH_LINKAGE_CORRELATED", "1") != "0")
    data = synthetic.generate(records, seed=seed, rates=rates)
    truth = data.pop("person")
    prepared = engine.prepare(data)
    model = engine.build_model(prepared)
    try:
        predictions = model.predict(threshold=0.0)
        con = model.connection
        con.register(
            "truth", pa.table({"uid": prepared.table.column("unique_id"), "person": pa.array(truth)})
        )
        scored = predictions.as_duckdbpyrelation()  # noqa: F841 - read by name in the SQL below
        gammas = ", ".join(f"p.gamma_{g}" for g in GAMMAS)
        con.execute(
            f"""CREATE TEMP TABLE judged AS
            SELECT p.match_weight AS weight, (a.person = b.person) AS same, {gammas},
                   round(log2(greatest(coalesce(p.tf_name_concat_l, 1e-9), 1e-9))) AS name_tf
            FROM scored p JOIN truth a ON a.uid = p.unique_id_l JOIN truth b ON b.uid = p.unique_id_r"""  # noqa: S608 - fixed names
        )
        true_pairs = con.execute(
            "SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM truth GROUP BY person)"
        ).fetchall()[0][0]
        blocked_true = con.execute("SELECT count(*) FROM judged WHERE same").fetchall()[0][0]
        engine_rows = con.execute(
            "SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same)"
            " FROM judged GROUP BY weight ORDER BY weight DESC"
        ).fetchall()
        cells = ", ".join(f"gamma_{g}" for g in GAMMAS) + ", name_tf"
        oracle_rows = con.execute(
            f"""SELECT count(*) FILTER (WHERE same) AS t, count(*) FILTER (WHERE NOT same) AS f
            FROM judged GROUP BY {cells} ORDER BY t / (t + f) DESC, t DESC"""  # noqa: S608 - fixed names
        ).fetchall()
    finally:
        model.close()
    size = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}M"
    lines = [
        f"BENCH linkage_ceiling.{size}.true_pairs {true_pairs} pairs (budget none)",
        f"BENCH linkage_ceiling.{size}.blocked_share {blocked_true / true_pairs:.4f} ratio (budget none)",
    ]
    for precision in PRECISIONS:
        for name, rows in (("engine", engine_rows), ("oracle", oracle_rows)):
            recall = _recall_at(rows, true_pairs, precision)
            lines.append(
                f"BENCH linkage_ceiling.{size}.{name}.recall_at_p{precision:g} {recall:.4f} ratio (budget none)"
            )
    return lines


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    for line in run(*args):
        print(line, flush=True)
