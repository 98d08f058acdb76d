"""Deployment checks of our own secrets (ASVS V6.4.1/V14.1): ``manage.py check --deploy`` fails with an
error, not a warning, when a field key is not a Fernet key, the blind-index key is shorter than 32 bytes, or
the SECRET_KEY is shorter than 50 characters or has fewer than 5 different characters."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks

MIN_BLIND_INDEX_BYTES = 32
MIN_SECRET_KEY_LENGTH = 50


@checks.register(checks.Tags.security, deploy=True)
def check_secrets(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    if not keys:
        errors.append(
            checks.Error(
                "LANHMANH_FIELD_KEYS is empty: at least one Fernet key is required.", id="lanhmanh.E001"
            )
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"LANHMANH_FIELD_KEYS: key {position} is not a valid Fernet key (32 url-safe base64-encoded bytes).",
                    id="lanhmanh.E002",
                )
            )
    blind = settings.BLIND_INDEX_KEY or ""
    blind_bytes = blind.encode("utf-8") if isinstance(blind, str) else blind
    if len(blind_bytes) < MIN_BLIND_INDEX_BYTES:
        errors.append(
            checks.Error(
                f"LANHMANH_BLIND_INDEX_KEY is {len(blind_bytes)} bytes: at least {MIN_BLIND_INDEX_BYTES} are required.",
                id="lanhmanh.E003",
            )
        )
    secret = settings.SECRET_KEY or ""
    if len(secret) < MIN_SECRET_KEY_LENGTH or len(set(secret)) < 5:
        errors.append(
            checks.Error(
                f"SECRET_KEY must have at least {MIN_SECRET_KEY_LENGTH} characters and 5 different ones.",
                id="lanhmanh.E004",
            )
        )
    return errors
