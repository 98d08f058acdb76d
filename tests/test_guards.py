"""Site-wide guards: no pending migrations; every menu page renders for every role that sees it, with
exactly one <h1> and nothing the Content-Security-Policy would block; production settings pass
``check --deploy`` without a warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from lanhmanh.core.navigation import all_items, items_for
from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
from lanhmanh.demo.steps.org import ACCOUNTS

ROOT = Path(__file__).resolve().parents[1]
USERNAMES = [a.username for a in ACCOUNTS]


class PageAudit(HTMLParser):
    """Counts <h1> elements and collects what a strict CSP (no inline script or style) would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1 = 0
        self.problems: list[str] = []
        self._inline_script = False
        self._script_body = ""

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if tag == "style":
            self.problems.append("<style> element")
        # JSON data blocks are not executed, so CSP allows them (ECharts options may travel that way).
        is_data = names.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and not names.get("src") and not is_data:
            self._inline_script = True
            self._script_body = ""
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'style="{value}" on <{tag}>')
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_data(self, data):
        if self._inline_script:
            self._script_body += data

    def handle_endtag(self, tag):
        if tag == "script" and self._inline_script:
            if self._script_body.strip():
                self.problems.append(f"inline <script>: {self._script_body.strip()[:60]!r}")
            self._inline_script = False


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def assert_good_page(response, where: str) -> None:
    assert response.status_code == 200, f"{where}: HTTP {response.status_code}"
    result = audit(response.content.decode())
    assert result.h1 == 1, f"{where}: {result.h1} <h1> elements"
    assert result.problems == [], f"{where}: {result.problems}"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"], where


@pytest.fixture
def demo_users(db):
    context = load_demo(password="guard-mat-khau-2014", only=ACCOUNT_STEPS)
    return {user.username: user for user in context.accounts.values()}


@pytest.fixture
def full_demo_users(demo):
    """Every app's demo data, so the menu pages render with records in them (the session's snapshot)."""
    return {user.username: user for user in demo.accounts.values()}


def test_there_are_no_pending_migrations(db):
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")


def test_every_data_migration_is_classified(db):
    """The test database is made from the models (``tests/testdb.py``): a migration that writes data must say
    whether a new database needs it (``SEEDS``, run then) or it only rewrites old rows (``REWRITES``), and no
    migration may run SQL of its own (the models would not make it)."""
    from django.db import connection
    from django.db.migrations.operations.special import RunSQL

    from tests import testdb

    graph = testdb.migration_graph(connection)
    operations = testdb.data_operations(graph)
    assert operations, "the project's data migrations were found"
    assert [node for node, operation in operations if isinstance(operation, RunSQL)] == []
    unknown = sorted({node for node, _operation in operations} - testdb.SEEDS - testdb.REWRITES)
    assert unknown == [], f"add each to tests/testdb.py's SEEDS or REWRITES: {unknown}"
    assert not testdb.SEEDS & testdb.REWRITES
    assert set(testdb.migrations_in_order(graph)) >= testdb.SEEDS | testdb.REWRITES


def test_every_migration_is_recorded_as_applied_and_the_seeds_are_there(db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from lanhmanh.enforcement.models import HotspotKind
    from lanhmanh.org.models import Role
    from lanhmanh.org.roles import ROLES

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert set(Role.objects.values_list("code", flat=True)) >= {role[0] for role in ROLES}
    assert HotspotKind.objects.exists()


def test_the_page_audit_catches_inline_script_style_and_extra_h1():
    result = audit(
        '<h1>a</h1><h1 style="color:red">b</h1><script>alert(1)</script>'
        '<script src="/static/x.js"></script><style>p{}</style><a onclick="x()" href="javascript:void(0)">c</a>'
    )
    assert result.h1 == 2
    assert result.problems == [
        'style="color:red" on <h1>',
        "inline <script>: 'alert(1)'",
        "<style> element",
        "onclick= handler on <a>",
        "javascript: URL on <a>",
    ]


@pytest.mark.parametrize("username", USERNAMES)
def test_the_home_page_renders_for_every_role(username, demo_users, client_for):
    assert_good_page(client_for(demo_users[username]).get("/"), f"/ as {username}")


def test_the_login_and_two_factor_pages_are_good_pages(demo_users, client, settings):
    assert_good_page(client.get("/dang-nhap/"), "/dang-nhap/")
    settings.REQUIRE_2FA = True
    client.force_login(demo_users["congan"])
    assert_good_page(client.get("/xac-thuc-hai-buoc/"), "/xac-thuc-hai-buoc/")


def test_every_menu_page_renders_for_every_role_that_sees_it(full_demo_users, client_for):
    # One test over all roles, so the (slow) full demo loads once.
    failures = []
    for username in USERNAMES:
        user = full_demo_users[username]
        shown = items_for(user)
        assert [i.key for i in shown] == [i.key for i in all_items() if i.allowed(user)]
        client = client_for(user)
        for item in shown:
            try:
                assert_good_page(client.get(item.url()), f"{item.url()} ({item.key}) as {username}")
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
    assert failures == []


def test_every_menu_entry_is_shown_to_at_least_one_role(demo_users):
    unseen = [item.key for item in all_items() if not any(item.allowed(u) for u in demo_users.values())]
    assert unseen == []


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_FILE")}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the browser tests set the latter
        env.pop(name, None)
    env.update(
        LANHMANH_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        LANHMANH_FIELD_KEYS=Fernet.generate_key().decode(),
        LANHMANH_BLIND_INDEX_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="lanhmanh.example.vn",
        CSRF_TRUSTED_ORIGINS="https://lanhmanh.example.vn",
        LANHMANH_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues (0 silenced)." in output
