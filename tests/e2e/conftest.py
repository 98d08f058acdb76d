"""Shared Playwright fixtures for browser tests (Debian's /usr/bin/chromium, headless, sync API).

Use them like this::

    pytestmark = pytest.mark.browser

    def test_something(page, live_url, login_as):
        login_as(page, "congan")          # a demo login; completes TOTP when the role needs it
        page.goto(live_url("/ho-so/"))

- ``browser`` (session): one headless Chromium for the whole run;
- ``page``: a fresh browser context per test (Vietnamese locale, Hanoi time zone), closed afterwards;
- ``demo``: the whole demo (every app's demo step) in the live-server database; a browser test needs
  it (or ``demo_accounts``) because transactional tests start from an emptied database. It is loaded
  once per session and restored from a snapshot before each test (``tests/dbsnapshot.py``): a test
  may change it freely, the next one starts from the pristine demo;
- ``demo_accounts``: only roles, units, agencies and the demo logins, for tests that bring their own
  records and sign in with ``sign_in`` (``login_as`` restores the whole demo);
- ``live_url(path)``: the live server's address for a path;
- ``login_as(page, username, password=E2E_PASSWORD)``: signs in through the login form and, when the
  role must use two factors, enrols or verifies TOTP with the code computed from the page's secret.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest

from tests.demo_fixtures import E2E_PASSWORD  # noqa: F401 - the browser tests import it from here

# Playwright's sync API runs an asyncio event loop in this thread; Django then refuses ORM calls
# from it unless told that the tests know what they do.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "lanhmanh" / "locale"


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def compiled_messages():
    """Compile the gettext catalogues when a .mo is missing or older than its .po (make does it too)."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    stale = [
        po
        for po in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command(
            "compilemessages",
            locale=[po.parents[1].name for po in stale],
            ignore_patterns=[".venv", "node_modules", "var"],
            verbosity=0,
        )
        trans_real._translations = {}
        trans_real._default = None


@pytest.fixture(scope="session")
def browser(compiled_messages):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs it (.ci/run): a missing browser must not pass silently
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def live_url(live_server):
    def build(path: str = "/") -> str:
        return live_server.url + path

    return build


def totp_code(secret_base32: str) -> str:
    """The current 6-digit TOTP code for a base32 secret (what an authenticator app shows)."""
    from django_otp.oath import totp

    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    return f"{totp(key):06d}"


def enter_enrolment_code(page, username: str) -> str:
    """Issue the account's one-time enrolment code (as the administrator would) and type it in."""
    from lanhmanh.org.enrolment import enrolment_code_issue
    from lanhmanh.org.models import User

    code = enrolment_code_issue(actor=None, user=User.objects.get(username=username))
    page.fill("#id_enrolment_code", code)
    page.get_by_role("button", name=re.compile("Tiếp tục|Continue")).click()
    page.wait_for_load_state()
    return code


def complete_two_factor(page, username: str) -> None:
    """On the two-factor page: when enrolling, the one-time enrolment code the administrator would hand out,
    then the secret shown (or the confirmed device's key), and send the 6-digit code."""
    if page.locator("#id_enrolment_code").count():
        enter_enrolment_code(page, username)
    secret = page.locator("[data-totp-secret]")
    if secret.count():
        code = totp_code(secret.inner_text().strip())
    else:
        from lanhmanh.org.models import AuthenticatorDevice

        device = AuthenticatorDevice.objects.get(user__username=username, confirmed=True)
        code = totp_code(base64.b32encode(device.bin_key).decode())
    page.fill("#id_token", code)
    page.get_by_role("button", name=re.compile("Xác nhận|Confirm")).click()
    page.wait_for_load_state()


def sign_in_with_the_form(
    page, base_url: str, username: str, password: str = E2E_PASSWORD, *, next_path: str = "/"
):
    """Sign in through the form, then through the TOTP step when the role needs it; returns the page.

    What an officer does each morning: ``tests/e2e/test_sign_in.py`` walks it for every demo role (the
    enrolment with the administrator's code, a wrong code, the lock after wrong passwords)."""
    page.goto(f"{base_url}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name=re.compile("^(Đăng nhập|Sign in)$")).click()
    page.wait_for_load_state()
    if "/xac-thuc-hai-buoc/" in page.url:
        complete_two_factor(page, username)
    return page


def signed_in_session(username: str, password: str = E2E_PASSWORD) -> str:
    """A session of ``username`` as the sign-in form and the two-factor step leave it (signed in with the
    password, the second factor verified with a confirmed authenticator for the roles that need one); returns
    its key. The sign-in signals run as they do then (sign-in time, activity, last login)."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp import login as otp_login

    from lanhmanh.org.models import AuthenticatorDevice, User

    user = User.objects.get(username=username)
    assert user.check_password(password), f"{username}: not the password of the account"
    request = HttpRequest()
    request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # What AuthenticationMiddleware sets (``login`` sets it only on a request that already has one).
    request.user = user
    if settings.REQUIRE_2FA and user.needs_two_factor:
        device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = AuthenticatorDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)
        otp_login(request, device)
    request.session.save()
    return request.session.session_key


def sign_in(page, base_url: str, username: str, password: str = E2E_PASSWORD, *, next_path: str = "/"):
    """Open ``next_path`` signed in as ``username``; returns the page.

    The journeys start signed in, as Playwright's guide advises (its "authentication" page: sign in once and
    reuse the state), instead of walking the sign-in pages each time: the browser gets the cookie of a session
    made as the form leaves it (``signed_in_session``). Each journey saves about five page loads (sign-in page,
    two-factor pages, redirects) that ``test_sign_in.py`` already walks for every role with
    ``sign_in_with_the_form``."""
    from django.conf import settings

    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": signed_in_session(username, password),
                "url": base_url,
            }
        ]
    )
    page.goto(f"{base_url}{next_path}")
    page.wait_for_load_state()
    return page


@pytest.fixture
def login_as(demo, live_server):
    """``login_as(page, username, password=E2E_PASSWORD, next_path="/")`` with the whole demo loaded."""

    def login(page, username: str, password: str = E2E_PASSWORD, *, next_path: str = "/"):
        return sign_in(page, live_server.url, username, password, next_path=next_path)

    return login
