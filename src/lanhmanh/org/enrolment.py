"""Enrolling an authenticator needs a one-time code handed out by the administrator (ASVS V2.7, V2.8).

Without it, whoever first signs in with an officer's password (a leaked or guessed password, a
colleague at the same desk) could bind their own phone as the second factor. The administrator issues
a code for one account (admin action "Cấp mã đăng ký xác thực hai bước" or ``manage.py
issue_enrolment_code``); it is shown once, kept only as a keyed hash (``core.crypto.blind_index``),
valid for ``ENROLMENT_CODE_HOURS`` and for ``ENROLMENT_CODE_TRIES`` wrong tries, and consumed by the
enrolment. Issuing a code also removes the account's authenticators (a lost phone is re-enrolled
this way), so the next sign-in enrols again.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.audit import Action
from lanhmanh.core.crypto import blind_index
from lanhmanh.org.accounts import account_change_record
from lanhmanh.org.models import AuthenticatorDevice, User

ENROLMENT_CODE_HOURS = 72
ENROLMENT_CODE_TRIES = 5
# No 0/O, 1/I/L: the code is read aloud or copied from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # ~59 bits

CODE_WRONG = _("Mã đăng ký không đúng hoặc đã hết hạn. Hãy kiểm tra lại mã do quản trị viên cấp.")
CODE_SPENT = _("Mã đăng ký đã bị nhập sai quá nhiều lần hoặc đã hết hạn. Đề nghị quản trị viên cấp mã mới.")


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    return blind_index(_normalise(code), purpose="totp-enrolment-code")


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def enrolment_code_issue(*, actor, user: User, reason: str = "") -> str:
    """A new one-time enrolment code for ``user`` (returned once, never stored in clear).

    Side effects: the account's code hash and expiry, its authenticators removed, one change record."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    removed = AuthenticatorDevice.objects.filter(user=user).delete()[0]
    User.objects.filter(pk=user.pk).update(
        enrolment_code_hash=_hash(raw),
        enrolment_code_expires=timezone.now() + dt.timedelta(hours=ENROLMENT_CODE_HOURS),
        enrolment_code_failures=0,
    )
    account_change_record(
        actor=actor,
        instance=user,
        action=Action.UPDATE,
        before={"authenticators": removed},
        after={"enrolment_code": "cấp mới", "authenticators": 0},
        reason=reason or "Cấp mã đăng ký xác thực hai bước",
    )
    return format_code(raw)


def enrolment_code_pending(user: User) -> bool:
    return bool(
        user.enrolment_code_hash
        and user.enrolment_code_expires
        and user.enrolment_code_expires > timezone.now()
        and user.enrolment_code_failures < ENROLMENT_CODE_TRIES
    )


@transaction.atomic
def enrolment_code_redeem(*, user: User, code: str) -> str | None:
    """Consume ``user``'s enrolment code if ``code`` is it: None on success, else the message to show.

    A wrong try is counted; at ``ENROLMENT_CODE_TRIES`` the code is void."""
    fresh = User.objects.select_for_update().get(pk=user.pk)
    if not enrolment_code_pending(fresh):
        return str(CODE_SPENT) if fresh.enrolment_code_hash else str(CODE_WRONG)
    if not hmac.compare_digest(fresh.enrolment_code_hash, _hash(code)):
        fresh.enrolment_code_failures += 1
        fresh.save(update_fields=["enrolment_code_failures"])
        return str(CODE_SPENT if not enrolment_code_pending(fresh) else CODE_WRONG)
    fresh.enrolment_code_hash = ""
    fresh.enrolment_code_expires = None
    fresh.enrolment_code_failures = 0
    fresh.save(update_fields=["enrolment_code_hash", "enrolment_code_expires", "enrolment_code_failures"])
    return None
