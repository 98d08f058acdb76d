"""Issue #21 item 12 (ASVS V2.7.x, V2.8.x, V6.4.1): the authenticator is enrolled only with a one-time code
handed out by the administrator, and TOTP seeds are encrypted at rest with the field keys."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lanhmanh.core.audit import ChangeRecord
from lanhmanh.core.crypto import decrypt
from lanhmanh.org.enrolment import ENROLMENT_CODE_TRIES, enrolment_code_issue, enrolment_code_redeem
from lanhmanh.org.models import AuthenticatorDevice, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("lanhmanh.org.migrations.0005_authenticator_encrypted_seed")


def _signed_in(username: str, settings) -> Client:
    settings.REQUIRE_2FA = True
    client = Client()
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return client


def _raw_key(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM org_authenticatordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_totp_seed_is_stored_encrypted_and_read_back_in_clear(police):
    device = AuthenticatorDevice.objects.create(user=police, name="x")
    stored = _raw_key(device)
    assert device.key not in stored and len(device.key) == 40
    assert decrypt(stored) == device.key
    assert AuthenticatorDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(device.key)


def test_the_data_migration_moves_plaintext_seeds_into_the_encrypted_table_and_back(police):
    old = TOTPDevice.objects.create(user=police, name="cũ", confirmed=True, drift=1, last_t=42)
    key = old.key
    MIGRATION.encrypt_seeds(apps, None)
    assert not TOTPDevice.objects.exists()
    moved = AuthenticatorDevice.objects.get(user=police)
    assert (moved.key, moved.confirmed, moved.drift, moved.last_t) == (key, True, 1, 42)
    assert key not in _raw_key(moved)
    MIGRATION.decrypt_seeds(apps, None)  # reversible
    assert TOTPDevice.objects.get(user=police).key == key
    assert not AuthenticatorDevice.objects.exists()


def test_a_password_alone_never_shows_a_secret_nor_creates_an_authenticator(police, settings):
    client = _signed_in("police", settings)
    page = client.get(reverse("two_factor"))
    assert "data-enrolment-code-form" in page.content.decode()
    assert "data-totp-secret" not in page.content.decode()
    wrong = client.post(reverse("two_factor"), {"enrolment_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert "Mã đăng ký không đúng hoặc đã hết hạn" in wrong.content.decode()
    assert not AuthenticatorDevice.objects.filter(user=police).exists()


def test_the_code_enrols_once_and_is_consumed(police, settings):
    code = enrolment_code_issue(actor=None, user=police)
    client = _signed_in("police", settings)
    response = client.post(reverse("two_factor"), {"enrolment_code": code})
    assert response.status_code == 302
    assert "data-totp-secret" in client.get(reverse("two_factor")).content.decode()
    police.refresh_from_db()
    assert police.enrolment_code_hash == ""
    # Another session (someone else with the password) cannot use the same code again.
    other = _signed_in("police", settings)
    again = other.post(reverse("two_factor"), {"enrolment_code": code})
    assert again.status_code == 400
    assert "data-totp-secret" not in other.get(reverse("two_factor")).content.decode()


def test_wrong_tries_void_the_code(police):
    code = enrolment_code_issue(actor=None, user=police)
    for _ in range(ENROLMENT_CODE_TRIES - 1):
        assert "không đúng" in enrolment_code_redeem(user=police, code="XXXX-XXXX-XXXX")
    assert "quá nhiều lần" in enrolment_code_redeem(user=police, code="XXXX-XXXX-XXXX")
    assert enrolment_code_redeem(user=police, code=code) is not None  # even the right code now


def test_an_expired_code_is_refused(police):
    code = enrolment_code_issue(actor=None, user=police)
    User.objects.filter(pk=police.pk).update(enrolment_code_expires=timezone.now() - dt.timedelta(minutes=1))
    assert enrolment_code_redeem(user=police, code=code) is not None


def test_a_new_code_removes_the_old_authenticator_and_is_recorded_for_the_dpo(police, sysadmin):
    AuthenticatorDevice.objects.create(user=police, name="điện thoại mất", confirmed=True)
    code = enrolment_code_issue(actor=sysadmin, user=police)
    assert len(code) == 14 and code.count("-") == 2
    assert not AuthenticatorDevice.objects.filter(user=police).exists()
    record = ChangeRecord.objects.filter(object_id=str(police.pk), actor=sysadmin).latest("pk")
    assert "enrolment_code" in str(record.after) and code not in str(record.after)


def test_the_administrator_issues_codes_from_the_user_list(client_for, sysadmin, police):
    response = client_for(sysadmin).post(
        "/quan-tri/org/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [police.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Mã đăng ký của police:" in response.content.decode()
    police.refresh_from_db()
    assert police.enrolment_code_hash and police.enrolment_code_expires > timezone.now()
