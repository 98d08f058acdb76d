"""Estimated against true precision and recall (issue #19 items 5 and 7), without Django.

For each registry of a small set made with other seeds and error rates than the default model's
training registry (``Rates(correlated=False)`` among them, and one with hometowns as provinces),
``N`` records (default 20,000; ``--records 1000000`` or ``BENCH_RECORDS`` for the issue's scale) are
linked as ``lanhmanh link`` does: blocking plan, EM, one prediction; then

* the precision and recall the engine estimates from the match probabilities at 0.75 and at the
  threshold ``--precision 0.99`` would choose, against the true pairwise figures over the scored pairs
  (the synthetic truth): budget |estimated − true| ≤ 0.005;
* the true precision at the chosen threshold: budget ≥ 0.99 (printed as 1 − precision ≤ 0.01);
* the pair counts of the blocking plan, and what linking a fresh file costs (prepare, blocking plan,
  EM, prediction, estimates, clustering at the chosen threshold: what ``lanhmanh link`` does with no
  saved model): wall time (budget 5 minutes), peak resident memory of the process (VmHWM, reset
  before each registry; budget 4 GB) and peak size of DuckDB's temporary files (sampled every
  0.2 s in a temporary directory of the benchmark's own; budget 10 GB).

``.venv/bin/python benchmarks/bench_linkage_estimates.py [--records N]`` or ``make bench BENCH=linkage_estimates``;
``BENCH_REGISTRIES=provinces,noisy`` runs only those registries.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
from benchlib import Result

ESTIMATE_BUDGET = 0.005
PRECISION_TARGET = 0.99
LINK_SECONDS = 300
LINK_MEMORY_MB = 4096
LINK_TEMP_MB = 10240


def records_wanted() -> int:
    if "--records" in sys.argv:
        return int(sys.argv[sys.argv.index("--records") + 1])
    return int(os.environ.get("BENCH_RECORDS", 20_000))


def log(message: str) -> None:
    print(f"# {message}", flush=True)


class Peaks:
    """Peak resident memory of this process and peak disk use under ``directory`` while in the block.

    The kernel's high-water mark (VmHWM) is reset on entry (``/proc/self/clear_refs``), so the memory
    is this block's and what the process already held; the directory is sampled by a thread."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.memory_mb = self.temp_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _used(self) -> int:
        total = 0
        for root, _dirs, files in os.walk(self.directory):
            for name in files:
                with contextlib.suppress(OSError):  # removed meanwhile
                    total += os.stat(os.path.join(root, name)).st_blocks * 512  # allocated, not sparse size
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.temp_mb = max(self.temp_mb, self._used() / 2**20)

    def __enter__(self) -> Peaks:
        Path("/proc/self/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.temp_mb = max(self.temp_mb, self._used() / 2**20)
        status = Path("/proc/self/status").read_text()
        self.memory_mb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def registries(n: int):
    wanted = set(filter(None, os.environ.get("BENCH_REGISTRIES", "").split(",")))
    for name, data in _registries(n):
        if not wanted or name in wanted:
            yield name, data


def _registries(n: int):
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
    """True pairwise precision and recall over the scored pairs at or above ``threshold`` (in DuckDB)."""
    model.connection.register("bench_truth", pa.table({"uid": list(truth), "person": list(truth.values())}))
    try:
        found, hits, scored_true = model.connection.execute(
            f"""SELECT count(*) FILTER (WHERE p >= {threshold}), count(*) FILTER (WHERE p >= {threshold} AND same),
                count(*) FILTER (WHERE same)
            FROM (SELECT pr.match_probability AS p, a.person = b.person AS same FROM {predictions.physical_name} pr
                  JOIN bench_truth a ON a.uid = CAST(pr.unique_id_l AS VARCHAR)
                  JOIN bench_truth b ON b.uid = CAST(pr.unique_id_r AS VARCHAR))"""  # noqa: S608 — our own figures
        ).fetchall()[0]
    finally:
        model.connection.unregister("bench_truth")
    return (hits / found if found else 1.0), (hits / scored_true if scored_true else 1.0)


def run() -> list[Result]:
    from lanhmanh.linkage import engine

    n = records_wanted()
    label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
    results: list[Result] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-linkage-"))
    tempfile.tempdir = str(scratch)  # the models' DuckDB temporary directories go here, to be measured
    try:
        for name, data in registries(n):
            results += registry(engine, label, name, data)
    finally:
        tempfile.tempdir = None
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def registry(engine, label: str, name: str, data: dict[str, list]) -> list[Result]:
    results: list[Result] = []
    people = data.pop("person")
    truth = dict(zip(data["id"], people, strict=True))
    with Peaks(Path(tempfile.gettempdir())) as peaks:
        start = time.perf_counter()
        prepared = engine.prepare(data)
        plan = engine.blocking_plan(prepared)
        model = engine.build_model(prepared, blocking_rules=plan.rules)
        predictions = model.predict(threshold=0.0)
        found = engine.estimates_of(model, predictions)
        chosen = engine.choose_threshold(found, PRECISION_TARGET)
        model.cluster(predictions, threshold=chosen.threshold if chosen else max(engine.THRESHOLD_GRID))
        seconds = time.perf_counter() - start
    log(
        f"{name}: {plan.total:,} pairs by the blocking rules (upper bound), {predictions_count(predictions):,} scored"
    )
    prefix = f"linkage_estimates.{label}.{name}"
    results += [
        Result(f"{prefix}.link_seconds", seconds, "s", LINK_SECONDS),
        Result(f"{prefix}.peak_memory", peaks.memory_mb, "MB", LINK_MEMORY_MB),
        Result(f"{prefix}.peak_temp_disk", peaks.temp_mb, "MB", LINK_TEMP_MB),
    ]
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
    return results


def predictions_count(predictions) -> int:
    return int(predictions.as_duckdbpyrelation().count("*").fetchall()[0][0])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    sys.exit(1 if over else 0)
