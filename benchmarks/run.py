#!/usr/bin/env python
"""Run the benchmarks: ``benchmarks/run.py`` runs every ``bench_*.py``; ``benchmarks/run.py home`` runs one.

Each benchmark module has ``run() -> list[Result]``; every result prints one line
``BENCH <name> <value> <unit> (budget <x> <unit>) [load <1>/<5>/<15 min>]``. The exit status is 1 when a result is over budget.

The benchmarks run on a fresh SQLite database (``$LANHMANH_VAR_DIR/bench.sqlite3``, recreated and
migrated on every run), or on ``BENCH_DATABASE_URL`` when set (e.g. a PostgreSQL database kept for
benchmarks: migrated, not recreated), with LANHMANH_ENV=test settings unless told otherwise. Benchmarks are never
timing assertions in the test suite: they print figures for people to read.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def setup_django() -> Path | str:
    """Point Django at a new, empty SQLite file (or at BENCH_DATABASE_URL, e.g. PostgreSQL), then migrate it."""
    os.environ.setdefault("LANHMANH_ENV", "test")
    var_dir = Path(os.environ.get("LANHMANH_VAR_DIR") or tempfile.mkdtemp(prefix="lanhmanh-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LANHMANH_VAR_DIR"] = str(var_dir)
    database: Path | str
    if os.environ.get("BENCH_DATABASE_URL"):
        # An explicit database the caller gave for benchmarks (never the default DATABASE_URL, which
        # may be a real one): migrated, not recreated.
        database = os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        database = var_dir / "bench.sqlite3"
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")
    sys.path.insert(0, str(ROOT))  # LANHMANH_ENV=test installs tests.testapp
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(HERE))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return database


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = [n for n in names if n.removeprefix("bench_") not in available()]
    if unknown:
        print(f"Không có benchmark: {', '.join(unknown)}. Có: {', '.join(available())}", file=sys.stderr)
        return 2
    database = setup_django()
    print(f"# database: {database}")
    over = 0
    for name in names:
        module = importlib.import_module(f"bench_{name.removeprefix('bench_')}")
        for result in module.run():
            print(result.line(), flush=True)
            over += not result.within_budget
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
