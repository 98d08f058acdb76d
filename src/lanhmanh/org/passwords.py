"""Password rules in Vietnamese (Django's Vietnamese catalogue has no text for the length rule) and the
password hasher's parameters."""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """ASVS V2.1.1: at least 12 characters."""

    def __init__(self, min_length: int = 12):
        super().__init__(min_length)

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}


class Argon2Hasher(Argon2PasswordHasher):
    """Argon2id at the OWASP Password Storage Cheat Sheet's first setting (m = 19 MiB, t = 2, p = 1), the
    one ASVS 5.0 V11.4 points to, with at most one hash computed at a time per server process.

    Django's default (m = 100 MiB, t = 2, p = 8) takes about 0.5 s of both cores on this class of server;
    a burst of sign-ins at the month-end deadline then starved every other request. This setting is about
    0.1 s of one core. The gate makes sign-ins queue among themselves (a few tenths of a second at a
    deadline burst) while the process's other threads keep answering. Hashes made with other parameters
    still verify and are re-hashed at the next sign-in (Django's ``must_update``)."""

    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
    _gate = threading.BoundedSemaphore(1)

    def encode(self, password, salt):
        with self._gate:
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with self._gate:
            return super().verify(password, encoded)
