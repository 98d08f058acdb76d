"""Sign-in throttling (ASVS V2.2.1): per account with growing delays, and per client address.

* Per account: every ``LOGIN_LOCKOUT_ATTEMPTS`` failures in a row lock the account for 1, 2, 4, 8… minutes,
  at most ``LOGIN_LOCKOUT_MINUTES``; a success resets the count. A stranger who knows an officer's name
  can hold the account only by failing again and again, which the address throttle stops.
* Per client address: more than ``LOGIN_ADDRESS_ATTEMPTS`` failures from one address in
  ``LOGIN_ADDRESS_WINDOW_MINUTES`` (whatever names were tried: password spraying) refuse every attempt
  from that address until the window has passed.

The sign-in page gives one message for every refusal (unknown name, wrong password, locked account,
throttled address), so it does not tell which names exist.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from lanhmanh.org.models import FailedLogin, User


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (``LOGIN_CLIENT_IP_HEADER``)."""
    header = getattr(settings, "LOGIN_CLIENT_IP_HEADER", "")
    value = (request.META.get(header) if header else "") or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[0].strip()[:45]


def is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


def address_throttled(address: str, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    return (
        FailedLogin.objects.filter(address=address, at__gte=since).count() >= settings.LOGIN_ADDRESS_ATTEMPTS
    )


def lock_minutes(failures: int) -> int:
    """Minutes of lock after ``failures`` failures in a row (0 when it is not a multiple of the limit)."""
    attempts = settings.LOGIN_LOCKOUT_ATTEMPTS
    if failures < attempts or failures % attempts:
        return 0
    return min(2 ** (failures // attempts - 1), settings.LOGIN_LOCKOUT_MINUTES)


def register_failure(username: str, address: str = "") -> None:
    """Count one failed sign-in for the address and the account; lock the account when due."""
    FailedLogin.objects.create(address=address)
    updated = User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
    if not updated:
        return
    user = User.objects.get(username=username)
    minutes = lock_minutes(user.failed_logins)
    if minutes:
        User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=minutes))


def register_success(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
