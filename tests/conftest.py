"""Shared fixtures: Hanoi's 2014 units, the agencies, and one persona per role and jurisdiction.

Personas (all in Hà Nội, 2014 units):
- ``coordinator`` — city coordinator at the Sub-department (whole city);
- ``district_officer`` — labour officer of Hoàn Kiếm; ``other_district_officer`` — of Đông Anh;
- ``commune_officer`` — Tràng Tiền ward (Hoàn Kiếm); ``other_commune_officer`` — Hàng Bạc ward (Hoàn Kiếm);
- ``police`` — police of Hoàn Kiếm; ``inspector`` — Team 178 of Hoàn Kiếm;
- ``social_worker`` — Women's Union of Tràng Tiền; ``health_worker`` — city health department;
- ``court_clerk``, ``licensing``, ``dpo`` (data protection) and ``sysadmin`` at city level.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client, TransactionTestCase
from django.test.testcases import LiveServerThread

from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.reporting.services import report_forms_load
from tests import testdb
from tests.dbsnapshot import end_other_sessions
from tests.demo_fixtures import (  # noqa: F401 - fixtures
    demo,
    demo_accounts,
    demo_population,
    demo_registry,
    demo_snapshots,
    restores_a_snapshot,
    snapshot_of,
    starts_from_a_snapshot,
)

PASSWORD = "mat-khau-thu-nghiem-2014"

HOAN_KIEM = "01.002"
TRANG_TIEN = "01.002.00079"
HANG_BAC = "01.002.00061"
DONG_ANH = "01.017"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """The test database is made from the models, not by replaying the migrations (``tests/testdb.py``)."""
    from django.conf import settings

    if testdb.from_the_models():
        settings.MIGRATION_MODULES = testdb.NoMigrations(settings.MIGRATION_MODULES)


@pytest.fixture(scope="session")
def django_db_setup(django_db_modify_db_settings, django_db_setup, django_db_blocker):
    """Load the reference data once per test database; every test sees it (rolled back per test).

    The units and agencies, the shipped report forms and the 2014 plan: loading the forms takes about half a
    second and the plan as long, and a few hundred tests need one of them (a fixture that loaded them per test
    spent a fifth of the suite's time doing it). The loaders are idempotent, so a test that calls one finds it
    done; a test that needs a database without them deletes them inside its own transaction.
    """
    from django.conf import settings

    if isinstance(settings.MIGRATION_MODULES, testdb.NoMigrations):
        # The migrations again, for the tests that read or run them.
        settings.MIGRATION_MODULES = settings.MIGRATION_MODULES.previous
        with django_db_blocker.unblock():
            testdb.finish(connection)
    with django_db_blocker.unblock():
        if not AdministrativeUnit.objects.exists():
            units_load_hanoi_2014()
            agencies_seed(province=AdministrativeUnit.objects.get(path="01", valid_from__isnull=True))
            report_forms_load()
            load_plan_2014()
            # The plan's creation history (its audit rows) is not reference data: the tests of the audit pages
            # and of breaches count the rows they write themselves. (Audit rows are append-only in the
            # application; a test database's setup is not the application.)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM core_changerecord")
                if connection.vendor == "postgresql":
                    # The planner's statistics of the tables just filled (autovacuum may be off, and would come
                    # a minute late): without them PostgreSQL guesses at the sizes of the units and agencies and
                    # picks nested loops over the whole city (the completeness page: 1.4 s, 0.6 s with them).
                    cursor.execute("ANALYZE")
    yield
    with django_db_blocker.unblock():
        end_other_sessions()


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server for the in-memory SQLite test database: each connection its own thread (a browser keeps
    several open), but one request at a time through the application.

    Django hands every request thread the test's one SQLite connection (an in-memory database is not shared
    otherwise). Two requests at once on it — an htmx suggestion while a form is saved — share its transaction
    and can block each other for good inside ``sqlite3`` (seen: a journey hung with both request threads
    waiting in ``execute``). PostgreSQL gives each thread its own connection and keeps Django's server.
    The response is read whole under the lock: a streamed one queries while it is read.
    """

    _one_at_a_time = threading.Lock()

    def get_app(self):
        application = super().get_app()

        def serially(environ, start_response):
            with self._one_at_a_time:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return serially


def pytest_configure(config: pytest.Config) -> None:
    if not connection_is_postgresql():
        LiveServerThread.server_class = OneRequestAtATimeServer


def unit(path: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(path=path)


def agency(unit_path: str, kind: str) -> Agency:
    return Agency.objects.filter(unit__path=unit_path, kind=kind).first()


def make_user(username: str, agency_obj: Agency, *role_codes: str, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        agency=agency_obj,
        first_name=extra.pop("first_name", username.title()),
        **extra,
    )
    user.roles.set(Role.objects.filter(code__in=role_codes))
    return user


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", agency("01", "dolisa-pctnxh"), "city-coordinator")


@pytest.fixture
def district_officer(db):
    return make_user("district_officer", agency(HOAN_KIEM, "district-labour"), "district-labour")


@pytest.fixture
def other_district_officer(db):
    return make_user("other_district_officer", agency(DONG_ANH, "district-labour"), "district-labour")


@pytest.fixture
def commune_officer(db):
    return make_user("commune_officer", agency(TRANG_TIEN, "commune-social"), "commune-officer")


@pytest.fixture
def other_commune_officer(db):
    return make_user("other_commune_officer", agency(HANG_BAC, "commune-social"), "commune-officer")


@pytest.fixture
def police(db):
    return make_user("police", agency(HOAN_KIEM, "police"), "police")


@pytest.fixture
def inspector(db):
    return make_user("inspector", agency(HOAN_KIEM, "team-178"), "inspector")


@pytest.fixture
def social_worker(db):
    return make_user("social_worker", agency(TRANG_TIEN, "womens-union"), "social-worker")


@pytest.fixture
def health_worker(db):
    return make_user("health_worker", agency("01", "health"), "health-worker")


@pytest.fixture
def court_clerk(db):
    return make_user("court_clerk", agency("01", "court"), "court-clerk")


@pytest.fixture
def licensing(db):
    return make_user("licensing", agency("01", "culture"), "licensing")


@pytest.fixture
def dpo(db):
    return make_user("dpo", agency("01", "dolisa-pctnxh"), "data-protection")


@pytest.fixture
def sysadmin(db):
    return make_user("sysadmin", agency("01", "dolisa-pctnxh"), "sysadmin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(settings):
    """A logged-in test client for a user, with the second factor considered done."""
    settings.REQUIRE_2FA = False

    def build(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return build


@pytest.fixture(autouse=True)
def _no_review_queue_kept_from_another_test():
    """Review queues are kept in the process under the database's queue token (linkage.selectors): a
    rolled-back test's token can come back, so none outlives its test."""
    from lanhmanh.linkage.selectors import queue_forget

    queue_forget()
    yield
    queue_forget()


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """LocaleMiddleware leaves the language of the last request active on the thread: reset it."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


_flush_is_useless = False


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Skip emptying the database after a transactional test when the next test replaces it anyway.

    pytest-django empties every table after a transactional test (``flush``: a TRUNCATE of 130 tables and
    the content types and permissions made again, 1–3 s on PostgreSQL). When the next test starts by
    restoring a snapshot (``demo``, ``demo_accounts``, …) that work is thrown away, so it is skipped then; a
    snapshot not taken yet is built on an emptied database, so the flush runs before its first test.
    """
    global _flush_is_useless
    _flush_is_useless = restores_a_snapshot(nextitem)
    try:
        yield
    finally:
        _flush_is_useless = False


def _fixture_teardown(self) -> None:
    if _flush_is_useless and list(self._databases_names(include_mirrors=False)) == ["default"]:
        return
    _django_fixture_teardown(self)


_django_fixture_teardown = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _fixture_teardown


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        "transactional_db" in fixtures
        or "live_server" in fixtures
        or bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "/e2e/" in str(getattr(item, "path", ""))
    )


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_setup"}


def _uses_the_database(item: pytest.Item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or item.get_closest_marker("postgresql")
        or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run every test that flushes the database last; on PostgreSQL, run only the tests that use a database.

    Transactional tests empty the tables, including the units and agencies loaded once per session;
    pytest-django puts tests it does not see using the database (e.g. a persona fetched with
    ``request.getfixturevalue``) after them. Keep its order otherwise (the sort is stable).

    ``make test`` runs the suite on SQLite and on PostgreSQL. A test that touches no database (parsing, text
    rules, settings, files, the lint guards) gives the same answer on both, so the PostgreSQL run leaves it
    to the SQLite run instead of running it twice; a test marked ``postgresql`` (one that opens its own
    PostgreSQL connection) stays. ``LANHMANH_TEST_ALL=1`` runs everything on either database. Within ``make
    test``, the browser journeys and the access matrix run on one of the two (``_share_between_the_two_runs``).
    """
    if connection_is_postgresql() and not os.environ.get("LANHMANH_TEST_ALL"):
        kept = [item for item in items if _uses_the_database(item)]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[item for item in items if not _uses_the_database(item)])
            items[:] = kept
    _share_between_the_two_runs(config, items)
    # Transactional tests last; among them, those that start from a snapshot together at the very end, so that
    # only the first of them needs the emptied database (``pytest_runtest_teardown`` above).
    # Those of one snapshot run one after another: restoring the snapshot restored last rewrites only the tables
    # the test before wrote (PostgreSQL, ``tests/dbsnapshot.py``).
    items.sort(
        key=lambda item: (
            _flushes_the_database(item),
            starts_from_a_snapshot(item),
            snapshot_of(item) or "",
        )
    )


# Tests that drive the whole site (each browser journey, the role × URL matrix, the menu pages) and check what people see and
# may open: the same templates, views and rules answer on either database, and the data and SQL under them
# are tested on both by the tests of each app. ``make test`` runs the two databases side by side on the two
# cores; it gives each of these tests to one of the two runs (``scripts/test_suites.sh`` sets
# LANHMANH_TEST_SHARED=1), so that the whole ``.ci/run`` stays within its 20 minutes. Run alone
# (``make test-sqlite``, ``make test-postgres``), each database runs them all.
MATRIX = (
    "tests/test_access_matrix.py::test_the_matrix_of_roles_urls_and_jurisdictions_then_the_bad_input_corpus"
)
# The same kind of test: every menu page rendered for every role that sees it (one <h1>, the CSP, Vietnamese).
MENU_PAGES = "tests/test_guards.py::test_every_menu_page_renders_for_every_role_that_sees_it"
# The phone pass over the detail pages: a journey of its own (by alternation it fell on PostgreSQL, which ended
# 22 s after SQLite).
DETAIL_PAGES_PHONE = (
    "tests/e2e/test_detail_pages_phone.py::test_detail_pages_fit_a_phone_for_the_roles_who_open_them"
)
ON_SQLITE = (MATRIX, DETAIL_PAGES_PHONE)
ON_POSTGRESQL = (MENU_PAGES,)


def shared_run_of(nodeid: str, browser_index: int) -> str:
    """Which run of ``make test`` takes a shared test: the matrix on SQLite and the menu pages on PostgreSQL (so
    that the two runs take about as long), the browser journeys alternately, in the order of their ids."""
    if nodeid in ON_SQLITE:
        return "sqlite"
    if nodeid in ON_POSTGRESQL:
        return "postgresql"
    return "sqlite" if browser_index % 2 == 0 else "postgresql"


def _share_between_the_two_runs(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("LANHMANH_TEST_SHARED") or os.environ.get("LANHMANH_TEST_ALL"):
        return
    this_run = "postgresql" if connection_is_postgresql() else "sqlite"
    browser = sorted(item.nodeid for item in items if item.get_closest_marker("browser"))
    index = {nodeid: i for i, nodeid in enumerate(browser)}
    shared = {
        nodeid: shared_run_of(nodeid, index.get(nodeid, 0))
        for nodeid in [*browser, *ON_SQLITE, *ON_POSTGRESQL]
    }
    elsewhere = [item for item in items if shared.get(item.nodeid, this_run) != this_run]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if shared.get(item.nodeid, this_run) == this_run]


def connection_is_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
