"""``make test`` gives each browser journey and the access matrix to one of its two runs (tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import DETAIL_PAGES_PHONE, MATRIX, MENU_PAGES, ON_POSTGRESQL, ON_SQLITE, shared_run_of


def test_the_matrix_runs_on_sqlite_the_menu_pages_on_postgresql_and_the_journeys_alternate():
    journeys = [f"tests/e2e/test_x.py::test_{n}" for n in range(7)]
    runs = [shared_run_of(nodeid, index) for index, nodeid in enumerate(journeys)]
    assert shared_run_of(MATRIX, 1) == "sqlite"
    assert shared_run_of(DETAIL_PAGES_PHONE, 1) == "sqlite"
    assert shared_run_of(MENU_PAGES, 0) == "postgresql"
    assert runs.count("sqlite") == 4 and runs.count("postgresql") == 3
    assert set(runs) == {"sqlite", "postgresql"}


def test_the_tests_named_for_the_split_exist():
    from pathlib import Path

    for nodeid in (*ON_SQLITE, *ON_POSTGRESQL):
        path, name = nodeid.split("::")
        assert f"def {name}(" in (Path(__file__).parents[1] / path).read_text(), nodeid
