"""A deduplication run of the web app at registry scale (issue 6: under 5 minutes, under 4 GB).

Fills the database as ``bench_linkage_entry`` does (``BENCH_PERSONS``, default 1,000,000 persons of
the synthetic registry, encrypted, with their blind indexes and blocking keys), then runs the real
``manage.py dedup_registry`` in a child process: read and decrypt every person, train, score, merge
the certain pairs in bulk (audited, each undoable) and queue the uncertain ones for review. Prints
its wall time and peak memory, how many merges and queued pairs, and the pairwise precision and
recall of the automatic merges against the generator's truth (the queued pairs wait for a person), and
the threshold the run chose for the precision asked (``BENCH_PRECISION``, else the command's default).

``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_run .venv/bin/python benchmarks/bench_linkage_run.py``
(a database whose name starts with ``bench`` is recreated; a run changes it, so it is never
reused), or without DATABASE_URL on a fresh SQLite file (``benchmarks/run.py linkage_run``).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchlib import Result

HERE = Path(__file__).resolve().parent
BUDGET_SECONDS = 300
BUDGET_MB = 4096


def precision_asked() -> list[str]:
    """``BENCH_PRECISION``: the precision the run's automatic merges must reach (default: the command's)."""
    return ["--precision", os.environ["BENCH_PRECISION"]] if os.environ.get("BENCH_PRECISION") else []


def run() -> list[Result]:
    from bench_linkage_entry import ensure_data, log, persons_wanted
    from django.db import connection

    from lanhmanh.linkage import evaluation
    from lanhmanh.linkage.models import Merge
    from lanhmanh.people.models import Person

    _, _, person_of = ensure_data(persons_wanted())
    size = Person.objects.count()
    log(f"{size:,} persons on {connection.vendor}: deduplication run")
    connection.close()  # the child has the database to itself
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, str(HERE.parent / "manage.py"), "dedup_registry", *precision_asked()],
        env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if completed.returncode or "Lỗi" in completed.stderr:
        raise RuntimeError(f"dedup_registry failed:\n{completed.stderr[-3000:]}")
    lines = completed.stdout.strip().splitlines()
    summary = next(line for line in lines if "hồ sơ; tự động hợp nhất" in line).split("\r")[-1]
    log(summary)
    log(lines[-1])  # the threshold the precision asked chose, and what the run estimated
    merged, queued = (int(n) for n in re.findall(r"(\d+)", summary)[1:3])
    ids = list(person_of)
    survivor_of = dict(Merge.objects.filter(undone_at__isnull=True).values_list("merged_id", "survivor_id"))

    def resolved(pk: int) -> int:  # selectors.resolve_person_id, without a query per person
        while pk in survivor_of:
            pk = survivor_of[pk]
        return pk

    clusters = {pk: str(resolved(int(pk))) for pk in ids}
    scores = evaluation.score(ids, [person_of[pk] for pk in ids], clusters)
    label = f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"
    prefix = f"linkage_run.{connection.vendor}.{label}"
    return [
        Result(f"{prefix}.runtime", seconds, "s", BUDGET_SECONDS),
        Result(f"{prefix}.peak_memory", peak_mb, "MB", BUDGET_MB),
        Result(f"{prefix}.auto_merged", merged, "merges", None),
        Result(f"{prefix}.queued", queued, "pairs", None),
        Result(f"{prefix}.auto_precision", scores.precision, "ratio", None),
        Result(f"{prefix}.auto_recall", scores.recall, "ratio", None),
    ]


if __name__ == "__main__":
    from bench_linkage_entry import _standalone_setup

    os.environ.pop("BENCH_KEEP", None)  # a run changes the database: always a fresh one
    _standalone_setup()
    over = 0
    for result in run():
        print(result.line(), flush=True)
        over += not result.within_budget
    sys.exit(1 if over else 0)
