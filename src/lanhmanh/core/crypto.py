"""Field encryption (MultiFernet, rotatable) and keyed blind indexes for exact look-ups.

Keys live outside the database: ``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, the
first encrypts and all decrypt, so a new key is put first, ``rotate_field_keys`` re-encrypts every
encrypted column, and the old key is then removed. ``settings.BLIND_INDEX_KEY`` keys the HMAC-SHA256
blind indexes: equal inputs give equal indexes, so a look-up is an indexed equality, while the
table alone reveals nothing about the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from lanhmanh.core.text import fold, normalise


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: at least one Fernet key is required.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode() if isinstance(key, str) else key))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def primary_fernet() -> MultiFernet:
    """The first configured key alone: what new values are encrypted with."""
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS)[:1])


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError("A stored value could not be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """The same plaintext encrypted with the current primary key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError("A stored value could not be decrypted with the configured keys.") from None


def is_encrypted_with_primary(token: str) -> bool:
    try:
        primary_fernet().decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and decrypted on load.

    Empty values stay empty (so "no phone" needs no key). Encrypted columns cannot be filtered or
    sorted on: use a blind index column next to them for exact look-ups.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


# Blind indexes ---------------------------------------------------------------------------------------


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` under the blind-index key, separated by ``purpose``.

    The purpose keeps indexes of different kinds apart: the same text as an ID number and as a
    name gives unrelated indexes.
    """
    key = settings.BLIND_INDEX_KEY
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


def id_number_digits(value: str | None) -> str:
    """An ID number as typed, reduced to its digits ('001 234-567 890' → '001234567890')."""
    return "".join(ch for ch in normalise(value) if ch.isdigit())


def id_number_index(value: str | None) -> str:
    digits = id_number_digits(value)
    return blind_index(digits, purpose="id-number") if digits else ""


def name_birth_index(full_name: str | None, birth: dt.date | int | None) -> str:
    """Index of the folded full name with a birth date (``YYYY-MM-DD``) or birth year (``YYYY``)."""
    folded = fold(full_name)
    if not folded or birth is None:
        return ""
    born = birth.isoformat() if isinstance(birth, dt.date) else f"{int(birth):04d}"
    return blind_index(f"{folded}|{born}", purpose="name-birth")
