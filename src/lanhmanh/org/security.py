"""Sign-in lockout: after LOGIN_LOCKOUT_ATTEMPTS failures in a row an account is locked for a while."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from lanhmanh.org.models import User


def is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


def register_failure(username: str) -> None:
    """Count one failed sign-in; lock the account when the limit is reached. Unknown names do nothing."""
    updated = User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
    if not updated:
        return
    user = User.objects.get(username=username)
    if user.failed_logins >= settings.LOGIN_LOCKOUT_ATTEMPTS:
        User.objects.filter(pk=user.pk).update(
            locked_until=timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
            failed_logins=0,
        )


def register_success(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
