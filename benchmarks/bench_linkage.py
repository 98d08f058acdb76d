"""Record linkage on a synthetic Vietnamese registry with known truth, against two baselines.

Generates ``BENCH_LINKAGE_RECORDS`` records (default 10,000; e.g. 1000000 for the full-size run, or
``python benchmarks/bench_linkage.py 1000000``), writes them to a CSV file, and runs the real
``lanhmanh link`` command on it in a child process (EM training, prediction, clustering, CSV out),
timing it and reading its peak memory. Then prints pairwise precision, recall and F1 and the share
of people recovered exactly, for the engine and for two baselines in the same run: exact ID number,
and exact folded name + birth date.

``BENCH_LINKAGE_THRESHOLD`` sets the match probability at which pairs are linked (default: the
engine's batch-linking threshold ``LINK_THRESHOLD``; the web app merges without review only at the
stricter ``UPPER_THRESHOLD``).

Budgets (issue 6): F1 ≥ 0.97 with precision ≥ 0.99; 10k records in < 10 s; 1M in < 300 s and < 4 GB.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from lanhmanh.core.text import fold_name  # noqa: E402
from lanhmanh.linkage import engine, evaluation, synthetic  # noqa: E402

DEFAULT_RECORDS = 10_000
COLUMNS = "id=id,name=full_name,birth_date=birth_date,id_number=id_number,sex=sex,residence_unit=residence_unit,hometown_unit=hometown_unit"


@dataclass(frozen=True)
class Figure:
    """One printed figure; ``at_least`` for figures where higher is better (precision, F1…)."""

    name: str
    value: float
    unit: str
    budget: float | None = None
    at_least: bool = False

    @property
    def within_budget(self) -> bool:
        if self.budget is None:
            return True
        return self.value >= self.budget if self.at_least else self.value <= self.budget

    def line(self) -> str:
        value = f"{self.value:.4f}" if self.unit == "ratio" else f"{self.value:.1f}"
        if self.budget is None:
            budget = "none"
        else:
            budget = f"{'≥' if self.at_least else '≤'}{self.budget:g} {self.unit}"
        flag = "" if self.within_budget else "  OVER BUDGET"
        return f"BENCH {self.name} {value} {self.unit} (budget {budget}){flag}"


def records_requested(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else []
    if argv and argv[0].isdigit():
        return int(argv[0])
    return int(os.environ.get("BENCH_LINKAGE_RECORDS", DEFAULT_RECORDS))


def _scores(prefix: str, s: evaluation.Scores, *, budgets: bool) -> list[Figure]:
    return [
        Figure(f"{prefix}.precision", s.precision, "ratio", 0.99 if budgets else None, at_least=True),
        Figure(f"{prefix}.recall", s.recall, "ratio"),
        Figure(f"{prefix}.f1", s.f1, "ratio", 0.97 if budgets else None, at_least=True),
        Figure(f"{prefix}.people_exact", s.cluster_accuracy, "ratio"),
        Figure(f"{prefix}.clusters", s.clusters, "clusters"),
    ]


def run(records: int | None = None) -> list[Figure]:
    records = records or records_requested()
    threshold = float(os.environ.get("BENCH_LINKAGE_THRESHOLD", engine.LINK_THRESHOLD))
    size = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}M"
    data = synthetic.generate(records)
    truth = data.pop("person")
    ids = data["id"]
    workdir = Path(tempfile.mkdtemp(prefix="lanhmanh-linkage-"))
    source, output = workdir / "registry.csv", workdir / "clusters.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(data))
        writer.writerows(zip(*data.values(), strict=True))

    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [
            sys.executable,
            "-c",
            "import sys; from lanhmanh.linkage.cli import main; sys.exit(main(sys.argv[1:]))",
            str(source),
            "--columns",
            COLUMNS,
            "--output",
            str(output),
            "--problems",
            str(workdir / "problems.csv"),
            "--threshold",
            str(threshold),
        ],
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode:
        raise RuntimeError(f"lanhmanh link failed:\n{completed.stderr[-3000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with output.open(encoding="utf-8") as handle:
        clusters = {row["id"]: row["cluster_id"] for row in csv.DictReader(handle)}

    id_keys = [engine.parse_id_number(v)[0] for v in data["id_number"]]
    name_birth_keys = []
    for name, birth in zip(data["full_name"], data["birth_date"], strict=True):
        born, _, _ = engine.parse_birth(birth)
        folded = fold_name(name)
        name_birth_keys.append(f"{folded}|{born.isoformat()}" if folded and born else None)

    figures = [
        Figure(f"linkage.{size}.records", records, "records"),
        Figure(f"linkage.{size}.threshold", threshold, "ratio"),
        Figure(f"linkage.{size}.true_pairs", evaluation.score(ids, truth, {}).true_pairs, "pairs"),
        Figure(f"linkage.{size}.runtime", seconds, "s", 10 if records <= 10_000 else 300),
        Figure(f"linkage.{size}.peak_memory", peak_mb, "MB", 4096),
    ]
    figures += _scores(f"linkage.{size}.splink", evaluation.score(ids, truth, clusters), budgets=True)
    figures += _scores(
        f"linkage.{size}.baseline_id",
        evaluation.score(ids, truth, evaluation.exact_key_clusters(ids, id_keys)),
        budgets=False,
    )
    figures += _scores(
        f"linkage.{size}.baseline_name_birth",
        evaluation.score(ids, truth, evaluation.exact_key_clusters(ids, name_birth_keys)),
        budgets=False,
    )
    return figures


if __name__ == "__main__":
    over = 0
    for figure in run(records_requested(sys.argv[1:])):
        print(figure.line(), flush=True)
        over += not figure.within_budget
    sys.exit(1 if over else 0)
