"""Estimated against true precision and recall (issue #19 items 5 and 7), without Django.

For each registry of a small set made with other seeds and error rates than the default model's
training registry (``Rates(correlated=False)`` among them, and one with hometowns as provinces),
``N`` records (default 20,000; ``--records 1000000`` or ``BENCH_RECORDS`` for the issue's scale) are
linked as ``lanhmanh link`` does: blocking plan, EM, one prediction; then

* the precision and recall the engine estimates from the match probabilities at 0.75 and at the
  threshold ``--precision 0.99`` would choose, against the true pairwise figures over the scored pairs
  (the synthetic truth): budget |estimated − true| ≤ 0.005;
* the true precision at the chosen threshold: budget ≥ 0.99 (printed as 1 − precision ≤ 0.01);
* the pair counts of the blocking plan and the time.

``.venv/bin/python benchmarks/bench_linkage_estimates.py [--records N]`` or ``make bench BENCH=linkage_estimates``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from benchlib import Result

ESTIMATE_BUDGET = 0.005
PRECISION_TARGET = 0.99


def records_wanted() -> int:
    if "--records" in sys.argv:
        return int(sys.argv[sys.argv.index("--records") + 1])
    return int(os.environ.get("BENCH_RECORDS", 20_000))


def log(message: str) -> None:
    print(f"# {message}", flush=True)


def registries(n: int):
    from lanhmanh.linkage import synthetic

    base = synthetic.Rates()
    yield "seed7", synthetic.generate(n, seed=7)
    yield "independent", synthetic.generate(n, seed=31, rates=synthetic.Rates(correlated=False))
    noisy = replace(base, ascii_only=0.6, drop_thi=0.3, given_typo=0.05, date_typo=0.05, moved=0.5)
    yield "noisy", synthetic.generate(n, seed=57, rates=noisy)
    provinces = synthetic.generate(n, seed=83)
    provinces["hometown_unit"] = [h.split(".")[0] if h else "" for h in provinces["hometown_unit"]]
    yield "provinces", provinces


def true_figures(model, predictions, truth: dict[str, str], threshold: float) -> tuple[float, float]:
    """True pairwise precision and recall over the scored pairs at or above ``threshold``."""
    rows = (
        predictions.as_duckdbpyrelation()
        .select("CAST(unique_id_l AS VARCHAR), CAST(unique_id_r AS VARCHAR), match_probability")
        .fetchall()
    )
    scored_true = sum(1 for a, b, _p in rows if truth[a] == truth[b])
    found = [(a, b) for a, b, p in rows if p >= threshold]
    hits = sum(1 for a, b in found if truth[a] == truth[b])
    return (hits / len(found) if found else 1.0), (hits / scored_true if scored_true else 1.0)


def run() -> list[Result]:
    from lanhmanh.linkage import engine

    n = records_wanted()
    label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    results: list[Result] = []
    for name, data in registries(n):
        start = time.perf_counter()
        people = data.pop("person")
        truth = dict(zip(data["id"], people, strict=True))
        prepared = engine.prepare(data)
        plan = engine.blocking_plan(prepared)
        log(f"{name}: {plan.total:,} pairs by the blocking rules (upper bound)")
        model = engine.build_model(prepared, blocking_rules=plan.rules)
        predictions = model.predict(threshold=0.0)
        found = engine.estimates_of(model, predictions)
        chosen = engine.choose_threshold(found, PRECISION_TARGET)
        for tag, threshold in (
            ("t0.75", engine.LINK_THRESHOLD),
            ("chosen", chosen.threshold if chosen else 0.9995),
        ):
            [estimate] = engine.estimates_of(model, predictions, thresholds=[threshold])
            precision, recall = true_figures(model, predictions, truth, threshold)
            log(
                f"{name} {tag} threshold {threshold:g}: estimated P {estimate.precision:.4f} R {estimate.recall:.4f}; "
                f"true P {precision:.4f} R {recall:.4f} ({estimate.pairs:,} pairs)"
            )
            prefix = f"linkage_estimates.{label}.{name}.{tag}"
            results += [
                Result(
                    f"{prefix}.precision_error", abs(estimate.precision - precision), "ratio", ESTIMATE_BUDGET
                ),
                Result(f"{prefix}.recall_error", abs(estimate.recall - recall), "ratio", ESTIMATE_BUDGET),
            ]
            if tag == "chosen":
                results.append(
                    Result(f"{prefix}.one_minus_true_precision", 1 - precision, "ratio", 1 - PRECISION_TARGET)
                )
        model.close()
        results.append(
            Result(f"linkage_estimates.{label}.{name}.seconds", time.perf_counter() - start, "s", None)
        )
    return results


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    sys.exit(1 if over else 0)
