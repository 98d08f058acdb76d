"""Issue #21 items 8, 10, 12, 13: one message for every refused sign-in, throttling per address and growing
account delays (ASVS V2.2.1), no-store on signed-in pages (V8.2.1), 12-character passwords (V2.1.1), self-service
password change (V2.1.5), absolute session lifetime (V3.3.2), API throttling (V11.1.4)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org import security
from lanhmanh.org.forms import INVALID_MESSAGE
from lanhmanh.org.middleware import SESSION_STARTED
from lanhmanh.org.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post("/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_locked_account_and_an_unknown_name_get_the_same_message(police, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 2
    client = Client()
    for _ in range(2):
        login(client, "police", "sai")
    locked = login(client, "police").content.decode()
    unknown = login(client, "khong-ton-tai", "sai").content.decode()
    assert str(INVALID_MESSAGE) in locked and str(INVALID_MESSAGE) in unknown
    assert "khoá" not in locked.replace(str(INVALID_MESSAGE), "")


def test_account_locks_grow_from_one_minute_and_are_capped(settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    assert [security.lock_minutes(n) for n in (4, 5, 6, 10, 15, 20, 25, 30)] == [0, 1, 0, 2, 4, 8, 15, 15]


def test_password_spraying_from_one_address_is_stopped(police, court_clerk, settings):
    settings.LOGIN_ADDRESS_ATTEMPTS = 3
    client = Client()
    for name in ("a", "b", "court_clerk"):
        login(client, name, "sai", address="203.0.113.9")
    # From that address even the right password no longer works, but from another it does.
    refused = login(client, "police", address="203.0.113.9")
    assert str(INVALID_MESSAGE) in refused.content.decode()
    assert "_auth_user_id" not in client.session
    police.refresh_from_db()
    assert police.failed_logins == 0  # the address was refused before the account was even tried
    other = Client()
    assert login(other, "police", address="198.51.100.7").status_code == 302


def test_signed_in_pages_are_not_stored_by_the_browser(police, client_for):
    response = client_for(police).get("/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_session_ends_after_its_absolute_lifetime_however_active(police, settings):
    settings.SESSION_ABSOLUTE_HOURS = 12
    settings.REQUIRE_2FA = False
    client = Client()
    login(client, "police")
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get("/nguoi-vi-pham/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert "_auth_user_id" not in client.session


def test_an_officer_changes_their_own_password_with_12_characters_at_least(police, client_for):
    client = client_for(police)
    page = client.get("/doi-mat-khau/")
    assert "Mật khẩu hiện tại" in page.content.decode()
    short = client.post(
        "/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "Hanoi-2014", "new_password2": "Hanoi-2014"},
    )
    assert "Mật khẩu quá ngắn: cần ít nhất 12 ký tự." in short.content.decode()
    wrong = client.post("/doi-mat-khau/", {"old_password": "sai", "new_password1": "x", "new_password2": "x"})
    assert "Mật khẩu hiện tại không đúng." in wrong.content.decode()
    new = "song-hong-chay-qua-ha-noi"
    done = client.post(
        "/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=police.pk).check_password(new)
    record = ChangeRecord.objects.get(model="org.user", object_id=str(police.pk))
    assert (record.actor, record.after, record.reason) == (
        police,
        {"password": "***"},
        "Người dùng tự đổi mật khẩu",
    )


def test_the_api_is_throttled_per_client(police, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    from lanhmanh.api.services import api_token_create

    cache.clear()
    rates = {"user": "3/minute", "anon": "2/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        _, raw = api_token_create(user=police, name="x", scope="read", days=1)
        client = Client(headers={"authorization": f"Bearer {raw}"})
        statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/api/v1/me/").json()["error"]["code"] == "throttled"
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert api_settings.DEFAULT_THROTTLE_CLASSES
