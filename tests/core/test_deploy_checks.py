"""Issue #21 item 14: ``check --deploy`` refuses bad field keys, short blind-index keys and short SECRET_KEYs."""

from __future__ import annotations

from cryptography.fernet import Fernet

from lanhmanh.core.checks import check_secrets

GOOD_SECRET = "k" * 30 + "abcdefghijklmnopqrstuvwxyz"
GOOD_BLIND = "b" * 32


def ids(settings, **overrides) -> list[str]:
    settings.SECRET_KEY = overrides.get("secret", GOOD_SECRET)
    settings.FIELD_ENCRYPTION_KEYS = overrides.get("keys", [Fernet.generate_key().decode()])
    settings.BLIND_INDEX_KEY = overrides.get("blind", GOOD_BLIND)
    return [message.id for message in check_secrets()]


def test_good_secrets_pass(settings):
    assert ids(settings) == []


def test_an_invalid_field_key_is_an_error(settings):
    assert ids(settings, keys=[Fernet.generate_key().decode(), "not-a-key"]) == ["lanhmanh.E002"]
    assert ids(settings, keys=[]) == ["lanhmanh.E001"]


def test_a_blind_index_key_shorter_than_32_bytes_is_an_error(settings):
    assert ids(settings, blind="short-key") == ["lanhmanh.E003"]


def test_a_short_or_repetitive_secret_key_is_an_error(settings):
    assert ids(settings, secret="django-insecure-short") == ["lanhmanh.E004"]
    assert ids(settings, secret="a" * 80) == ["lanhmanh.E004"]


def test_the_checks_only_run_with_deploy():
    from django.core import checks

    assert check_secrets in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert check_secrets not in checks.registry.registry.get_checks(include_deployment_checks=False)
