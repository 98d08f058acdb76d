"""Helpers shared by the benchmark modules (``bench_*.py``)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def load_average() -> tuple[float, float, float]:
    """The machine's 1, 5 and 15-minute load averages (zeros where the platform has none)."""
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    budget: float | None  # None: a figure printed for information
    # The load average when the figure was taken (the machine may be shared: read figures beside it).
    load: tuple[float, float, float] = field(default_factory=load_average, compare=False)
    # The budget is a floor the figure must reach (an accuracy), not a ceiling (a time, a size).
    at_least: bool = field(default=False, compare=False)

    @property
    def within_budget(self) -> bool:
        if self.budget is None:
            return True
        return self.value >= self.budget if self.at_least else self.value <= self.budget

    def line(self) -> str:
        if self.unit == "ratio":
            value = f"{self.value:.4f}"
        else:
            value = f"{self.value:.1f}" if isinstance(self.value, float) else str(self.value)
        budget = (
            "none" if self.budget is None else f"{'≥ ' if self.at_least else ''}{self.budget:g} {self.unit}"
        )
        flag = "" if self.within_budget else "  OVER BUDGET"
        load = "/".join(f"{x:.2f}" for x in self.load)
        return f"BENCH {self.name} {value} {self.unit} (budget {budget}) [load {load}]{flag}"


def repetitions(default: int = 30) -> int:
    """How many timed runs: ``BENCH_N`` from the environment, or the default."""
    return max(1, int(os.environ.get("BENCH_N", default)))


def median_ms(action: Callable[[], object], *, runs: int, warmup: int = 3) -> float:
    """Median wall time of ``action`` in milliseconds, after a few untimed warm-up runs."""
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def backend_cpu_seconds() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (on this machine), else 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere: its share is not counted
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(action: Callable[[], object], *, runs: int) -> float:
    """Mean CPU time of ``action`` in milliseconds: this process plus its PostgreSQL backend.

    On a shared machine the wall time grows with the load (runnable processes wait for a core); the
    CPU time does not, so it says what the action costs, and about what it takes on an idle machine
    (wall time there is CPU time plus waits for disk and the socket)."""
    action()
    process, backend = time.process_time(), backend_cpu_seconds()
    for _ in range(runs):
        action()
    used = (time.process_time() - process) + (backend_cpu_seconds() - backend)
    return used * 1000 / runs
