"""The demo as a fixture for any test: loaded once per session, restored from a snapshot before each test.

- ``demo``: the whole demo (every app's demo step), every demo login's password set to ``E2E_PASSWORD``;
- ``demo_accounts``: only roles, units, agencies and the demo logins, for tests that bring their own records;
- ``demo_registry``: the accounts and the registry's ~200 persons written through the services
  (``people.registry``); ``demo_population``: that and the few thousand persons written in bulk
  (``people.population``), for the people demo's own tests and the deduplication run on it.

Loading the demo takes tens of seconds; restoring a snapshot of it a fraction of one (``tests/dbsnapshot.py``).
Both are transactional (a restored database cannot be rolled back under a test): the test may change the data
freely, the next one starts from the pristine demo. Browser tests need one of them because transactional tests
start from an emptied database; other tests that need the whole demo (the access matrix, the menu guard, the
demo's own tests) use them too, so the demo is built once per run instead of once per test.
"""

from __future__ import annotations

import time

import pytest

from tests.dbsnapshot import Snapshots

E2E_PASSWORD = "trinh-duyet-2014"

_session_snapshots: Snapshots | None = None  # this session's, for ``restores_a_snapshot``

# The fixtures that start a test from a snapshot, and the snapshot each restores (the first one a test asks for).
SNAPSHOT_OF = {
    "demo": "demo",
    "demo_population": "population",
    "demo_registry": "registry",
    "demo_accounts": "accounts",
}
REGISTRY_STEPS = ["org.roles", "org.units_and_agencies", "org.accounts", "people.registry"]
POPULATION_STEPS = [*REGISTRY_STEPS, "people.population"]


def starts_from_a_snapshot(item: pytest.Item) -> bool:
    return bool(SNAPSHOT_OF.keys() & set(getattr(item, "fixturenames", ())))


def snapshot_of(item: pytest.Item) -> str | None:
    """The snapshot a test starts from (the first its fixtures ask for), or None."""
    names = getattr(item, "fixturenames", ())
    return next((snapshot for fixture, snapshot in SNAPSHOT_OF.items() if fixture in names), None)


def restores_a_snapshot(item: pytest.Item | None) -> bool:
    """Whether ``item`` starts by replacing the whole database with a snapshot already taken.

    Then emptying the database after the test before it (pytest-django's flush of every table, 1–3 s on
    PostgreSQL) is work thrown away: ``tests/conftest.py`` skips it.
    """
    if item is None or _session_snapshots is None:
        return False
    name = snapshot_of(item)
    return name is not None and _session_snapshots.has(name)


@pytest.fixture(scope="session")
def demo_snapshots(django_db_setup, django_db_blocker):
    """The demo (and the accounts alone) loaded once per session, restored before each test that asks."""
    global _session_snapshots
    snapshots = _session_snapshots = Snapshots()
    yield snapshots
    _session_snapshots = None
    with django_db_blocker.unblock():
        snapshots.drop_all()


def _demo_context(recipe: dict):
    """A fresh ``DemoContext`` for a restored snapshot: the accounts read again from the database."""
    from lanhmanh.demo.loader import new_context
    from lanhmanh.org.models import User

    context = new_context(password=E2E_PASSWORD)
    users = User.objects.in_bulk(recipe["accounts"].values())
    context.accounts = {code: users[pk] for code, pk in recipe["accounts"].items()}
    context.notes = list(recipe["notes"])
    return context


def _loaded(only=None, *, timed: str | None = None):
    from lanhmanh.demo.loader import load_demo

    def build() -> dict:
        start = time.perf_counter()
        context = load_demo(password=E2E_PASSWORD, only=only)
        if timed:
            print(f"{timed}: {time.perf_counter() - start:.1f} s")  # a figure for people, not an assertion
        return {
            "accounts": {code: user.pk for code, user in context.accounts.items()},
            "notes": context.notes,
        }

    return build


@pytest.fixture
def demo_accounts(request, transactional_db, demo_snapshots):
    """Roles, units, agencies and one login per role (password E2E_PASSWORD) in the live-server database.

    A test that also asks for ``demo`` gets the whole demo (which includes the accounts).
    """
    if "demo" in request.fixturenames:
        return request.getfixturevalue("demo")
    from lanhmanh.demo.loader import ACCOUNT_STEPS

    return _demo_context(demo_snapshots.load("accounts", _loaded(only=ACCOUNT_STEPS)))


@pytest.fixture
def demo(transactional_db, demo_snapshots):
    """The whole demo in the live-server database, every demo login's password set to E2E_PASSWORD.

    Loaded once per session; each test starts from an exact copy of it (``tests/dbsnapshot.py``), so
    what one journey changes never reaches the next.
    """
    return _demo_context(demo_snapshots.load("demo", _loaded()))


@pytest.fixture
def demo_registry(transactional_db, demo_snapshots):
    """The demo's accounts and registry (``REGISTRY_STEPS``): 200 persons, 215 violations written through the
    services. Built once per session, restored before each test that asks."""
    return _demo_context(demo_snapshots.load("registry", _loaded(only=REGISTRY_STEPS)))


@pytest.fixture
def demo_population(transactional_db, demo_snapshots):
    """The registry above and the population written in bulk (``POPULATION_STEPS``): 3,200 persons, the last
    150 of them spelling variants of earlier ones. Built once per session on the registry's snapshot (its
    ``people.population`` step's time printed), restored before each test that asks."""

    def build() -> dict:
        demo_snapshots.load("registry", _loaded(only=REGISTRY_STEPS))
        return _loaded(only=POPULATION_STEPS, timed="people.population step")()

    return _demo_context(demo_snapshots.load("population", build))
