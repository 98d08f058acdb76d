import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from lanhmanh.org.enrolment import enrolment_code_issue
from lanhmanh.org.forms import INVALID_MESSAGE
from lanhmanh.org.models import AuthenticatorDevice, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def current_code(device: AuthenticatorDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters_outside_tests():
    assert "lanhmanh.org.passwords.Argon2Hasher" in settings.PASSWORD_HASHERS
    encoded = make_password("mot-mat-khau-dai", hasher="argon2")
    # ASVS 5.0 V11.4 / OWASP Password Storage Cheat Sheet: argon2id, at least 19 MiB, 2 passes, 1 lane.
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("mot-mat-khau-dai", encoded)
    assert not check_password("mot-mat-khau-khac", encoded)


def test_a_wrong_password_gives_one_message_for_unknown_and_known_users(police):
    client = Client()
    for name in ("police", "nobody-here"):
        response = login(client, name, "wrong-password")
        assert response.status_code == 200
        assert str(INVALID_MESSAGE) in response.content.decode()


def test_it_locks_the_account_after_repeated_failures(police, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        login(client, "police", "wrong-password")
    police.refresh_from_db()
    assert police.locked_until is not None
    response = login(client, "police")  # even the right password is refused while locked
    assert str(INVALID_MESSAGE) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count(police):
    client = Client()
    login(client, "police", "wrong-password")
    police.refresh_from_db()
    assert police.failed_logins == 1
    login(client, "police")
    police.refresh_from_db()
    assert police.failed_logins == 0


def test_roles_that_read_identity_must_enrol_totp_before_any_page(police, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    response = login(client, "police")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("two_factor"))
    page = client.get(reverse("two_factor"))
    assert "data-totp-secret" not in page.content.decode()  # a password alone shows no secret
    assert "data-enrolment-code-form" in page.content.decode()
    code = enrolment_code_issue(actor=None, user=police)
    client.post(reverse("two_factor"), {"enrolment_code": code.lower().replace("-", " ")})
    page = client.get(reverse("two_factor"))
    assert "data-totp-secret" in page.content.decode()
    device = AuthenticatorDevice.objects.get(user=police, confirmed=False)
    bad = client.post(
        reverse("two_factor"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "Mã xác thực không đúng" in bad.content.decode()
    device.refresh_from_db()
    # django-otp throttles after a failure; wait out the first back-off window
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("two_factor"), {"token": current_code(device)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_roles_without_identity_sign_in_without_a_second_factor(licensing, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    login(client, "licensing")
    assert client.get(reverse("home")).status_code == 200


def test_the_second_factor_page_refuses_letters(police, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    login(client, "police")
    AuthenticatorDevice.objects.create(user=police, name="x", confirmed=False)
    AuthenticatorDevice.objects.filter(user=police).update(confirmed=True)
    response = client.post(reverse("two_factor"), {"token": "abcdef"})
    assert "Mã xác thực không đúng" in response.content.decode()
    assert AuthenticatorDevice.objects.get(user=police).last_t == -1  # nothing verified


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert "lanhmanh.core.middleware.SessionActivityMiddleware" in settings.MIDDLEWARE


def test_activity_pushes_the_session_expiry_forward(police, settings):
    from django.contrib.sessions.models import Session

    settings.SESSION_REFRESH_SECONDS = 0
    client = Client()
    login(client, "police")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    client.get(reverse("home"))
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left > dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)


def test_a_request_that_changed_nothing_never_writes_back_a_stale_session(police, settings):
    """A suggestion request that loaded the session before a form saved a purpose must not erase it."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from lanhmanh.core.middleware import SessionActivityMiddleware

    settings.SESSION_REFRESH_SECONDS = 0
    client = Client()
    login(client, "police")
    key = client.session.session_key
    slow = RequestFactory().get("/nguoi-vi-pham/goi-y/")
    slow.session = SessionStore(session_key=key)
    slow.session.get("anything")  # loaded now, before the concurrent write
    concurrent = SessionStore(session_key=key)
    concurrent["purposes"] = {"7": "sanction"}
    concurrent.save()
    response = SessionActivityMiddleware(lambda request: HttpResponse("ok"))(slow)
    if slow.session.modified:  # what SessionMiddleware does next
        slow.session.save()
    assert response.status_code == 200
    assert SessionStore(session_key=key).load()["purposes"] == {"7": "sanction"}


def test_every_response_carries_a_strict_content_security_policy():
    response = Client().get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_admin_is_for_system_administrators_only(client_for, sysadmin, coordinator):
    assert client_for(sysadmin).get("/quan-tri/").status_code == 200
    coordinator.is_staff = True
    coordinator.save()
    response = client_for(coordinator).get("/quan-tri/")
    assert response.status_code == 302  # sent to the admin login, never shown the admin


def test_a_user_without_an_agency_is_refused():
    user = User(username="no-agency")
    user.set_password(PASSWORD)
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()
    assert "agency" in excinfo.value.message_dict
    assert not User.objects.filter(username="no-agency").exists()


def test_the_next_parameter_cannot_send_users_to_another_site(police, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    login(client, "police")
    device = AuthenticatorDevice.objects.create(user=police, name="x", confirmed=True)
    response = client.post(
        reverse("two_factor"), {"token": current_code(device), "next": "https://evil.example/steal"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_lockout_expires(police, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 1
    client = Client()
    login(client, "police", "wrong-password")
    police.refresh_from_db()
    User.objects.filter(pk=police.pk).update(locked_until=police.locked_until.replace(year=2000))
    login(client, "police")
    assert "_auth_user_id" in client.session


def test_pages_are_vietnamese_whatever_the_browser_asks_for():
    response = Client().get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


def test_the_language_switch_still_gives_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "en"
