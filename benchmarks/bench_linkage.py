"""Record linkage on a synthetic Vietnamese registry with known truth, against two baselines.

Generates ``BENCH_LINKAGE_RECORDS`` records (default 10,000; e.g. 1000000 for the full-size run, or
``python benchmarks/bench_linkage.py 1000000``), writes them to a CSV file, and runs the real
``lanhmanh link`` command on it in a child process (EM training, prediction, clustering, CSV out),
timing it and reading its peak memory. Then prints pairwise precision, recall and F1 and the share
of people recovered exactly, for the engine and for two baselines in the same run: exact ID number,
and exact folded name + birth date.

``BENCH_LINKAGE_THRESHOLD`` sets the match probability at which pairs are linked (default: the
engine's batch-linking threshold ``LINK_THRESHOLD``; the web app merges without review only at the
stricter ``UPPER_THRESHOLD``). ``BENCH_LINKAGE_SEED`` sets the generator's seed (default 2014);
``BENCH_LINKAGE_CORRELATED=0`` draws every error independently per record (the harsher registry of
the first runs, see ``synthetic``).

Threshold sweep. ``BENCH_LINKAGE_SWEEP=0.3,0.5,0.6,0.8,0.95`` scores the pairs ONCE and clusters at
each threshold (``lanhmanh link --sweep``), printing precision, recall and F1 at each. With
``BENCH_LINKAGE_SELECT_SEED=7`` as well, the sweep is first run on that seed's registry, the
threshold with the best F1 among those with precision ≥ 0.99 is chosen there (the most precise one
if none reaches it), and the main figures are then reported at that threshold on the
``BENCH_LINKAGE_SEED`` registry, so the threshold is never chosen on the data it is judged on.
A sweep's runtime includes the extra clusterings.

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


def _rates() -> synthetic.Rates:
    """The generator's error rates: correlated per person (default) or ``BENCH_LINKAGE_CORRELATED=0``."""
    return synthetic.Rates(correlated=os.environ.get("BENCH_LINKAGE_CORRELATED", "1") != "0")


def _sweep_requested() -> list[float]:
    text = os.environ.get("BENCH_LINKAGE_SWEEP", "")
    return [float(part) for part in text.split(",") if part.strip()]


@dataclass
class Linked:
    ids: list[str]
    truth: list[str]
    data: dict[str, list]
    clusterings: dict[float, dict[str, str]]  # threshold → record id → cluster id
    seconds: float


def _link(records: int, seed: int, thresholds: list[float]) -> Linked:
    """Generate a registry and run ``lanhmanh link`` on it once, clustering at every threshold."""
    data = synthetic.generate(records, seed=seed, rates=_rates())
    truth = data.pop("person")
    workdir = Path(tempfile.mkdtemp(prefix="lanhmanh-linkage-"))
    source, output = workdir / "registry.csv", workdir / "clusters.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(data))
        writer.writerows(zip(*data.values(), strict=True))
    main, *sweep = thresholds
    command = [
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
        str(main),
    ]
    if sweep:
        command += ["--sweep", ",".join(map(str, sweep))]
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        command,
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode:
        raise RuntimeError(f"lanhmanh link failed:\n{completed.stderr[-3000:]}")
    clusterings: dict[float, dict[str, str]] = {t: {} for t in thresholds}
    with output.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            clusterings[main][row["id"]] = row["cluster_id"]
            for t in sweep:
                clusterings[t][row["id"]] = row[f"cluster_id@{t:g}"]
    return Linked(data["id"], truth, data, clusterings, seconds)


def _sweep_figures(prefix: str, linked: Linked) -> list[Figure]:
    figures = []
    for t in sorted(linked.clusterings):
        s = evaluation.score(linked.ids, linked.truth, linked.clusterings[t])
        figures += [
            Figure(f"{prefix}.at_{t:g}.precision", s.precision, "ratio"),
            Figure(f"{prefix}.at_{t:g}.recall", s.recall, "ratio"),
            Figure(f"{prefix}.at_{t:g}.f1", s.f1, "ratio"),
        ]
    return figures


def choose_threshold(linked: Linked, *, min_precision: float = 0.99) -> float:
    """The threshold with the best F1 among those reaching ``min_precision`` (else the most precise)."""
    scores = {t: evaluation.score(linked.ids, linked.truth, c) for t, c in linked.clusterings.items()}
    good = [t for t, s in scores.items() if s.precision >= min_precision]
    if good:
        return max(good, key=lambda t: (scores[t].f1, t))
    return max(scores, key=lambda t: (scores[t].precision, t))


def run(records: int | None = None) -> list[Figure]:
    records = records or records_requested()
    threshold = float(os.environ.get("BENCH_LINKAGE_THRESHOLD", engine.LINK_THRESHOLD))
    seed = int(os.environ.get("BENCH_LINKAGE_SEED", 2014))
    sweep = _sweep_requested()
    select_seed = os.environ.get("BENCH_LINKAGE_SELECT_SEED")
    size = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}M"
    figures: list[Figure] = []
    if sweep and select_seed:
        selection = _link(records, int(select_seed), list(dict.fromkeys([threshold, *sweep])))
        figures += _sweep_figures(f"linkage.{size}.select_seed{select_seed}", selection)
        threshold = choose_threshold(selection)
    thresholds = list(dict.fromkeys([threshold, *sweep]))
    linked = _link(records, seed, thresholds)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ids, truth, data = linked.ids, linked.truth, linked.data
    clusters = linked.clusterings[threshold]
    if len(thresholds) > 1:
        figures += _sweep_figures(f"linkage.{size}.seed{seed}", linked)

    id_keys = [engine.parse_id_number(v)[0] for v in data["id_number"]]
    name_birth_keys = []
    for name, birth in zip(data["full_name"], data["birth_date"], strict=True):
        born, _, _ = engine.parse_birth(birth)
        folded = fold_name(name)
        name_birth_keys.append(f"{folded}|{born.isoformat()}" if folded and born else None)

    figures += [
        Figure(f"linkage.{size}.records", records, "records"),
        Figure(f"linkage.{size}.seed", seed, "seed"),
        Figure(f"linkage.{size}.correlated_errors", int(_rates().correlated), "flag"),
        Figure(f"linkage.{size}.threshold", threshold, "ratio"),
        Figure(f"linkage.{size}.true_pairs", evaluation.score(ids, truth, {}).true_pairs, "pairs"),
        Figure(f"linkage.{size}.runtime", linked.seconds, "s", 10 if records <= 10_000 else 300),
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
