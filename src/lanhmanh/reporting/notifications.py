"""In-app notifications and their e-mail copies. Each message goes once per (recipient, key).

E-mail is sent after the transaction commits (a rolled-back change sends nothing), through Django's
mail backend; users without an address get the in-app message only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from lanhmanh.org.levels import approver_path, path_level
from lanhmanh.org.models import Agency, User
from lanhmanh.reporting.models import Notification
from lanhmanh.reporting.rules import APPROVER_ROLE_AT_LEVEL

SUBJECT = "[Lành Mạnh] "


def notify_users(users: Iterable[User], *, key: str, message: str, url: str = "", email: bool = True) -> int:
    """Create the notification for each user who has not had ``key`` yet; e-mail them on commit."""
    users = list({u.pk: u for u in users}.values())
    if not users:
        return 0
    already = set(
        Notification.objects.filter(recipient__in=users, key=key).values_list("recipient_id", flat=True)
    )
    fresh = [u for u in users if u.pk not in already]
    Notification.objects.bulk_create(
        [Notification(recipient=u, key=key[:200], message=message[:500], url=url) for u in fresh],
        ignore_conflicts=True,
    )
    if email:
        mails = [
            (SUBJECT + message[:80], _mail_body(message, url), settings.DEFAULT_FROM_EMAIL, [u.email])
            for u in fresh
            if u.email
        ]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(fresh)


def _mail_body(message: str, url: str) -> str:
    lines = [message, ""]
    if url:
        lines.append(_("Xem trong hệ thống Lành Mạnh: %s") % url)
    lines.append(_("Đây là thư tự động, vui lòng không trả lời."))
    return "\n".join(lines)


def users_of(agencies: Iterable[Agency]):
    return User.objects.filter(agency__in=list(agencies), is_active=True)


def notify_agencies(agencies: Iterable[Agency], *, key: str, message: str, url: str = "") -> int:
    return notify_users(users_of(agencies), key=key, message=message, url=url)


def approvers_of(unit_path: str):
    """Active users who approve the reports of ``unit_path``: the approver role at the unit above it
    (a 2014 commune's district, a 2026 commune's city; the city for its own)."""
    where = approver_path(unit_path)
    role = APPROVER_ROLE_AT_LEVEL.get(path_level(where))
    return User.objects.filter(is_active=True, roles__code=role, agency__unit__path=where).distinct()


def notify_approvers(submission, *, key: str, message: str) -> int:
    return notify_users(
        approvers_of(submission.unit_path),
        key=key,
        message=message,
        url=reverse("reporting:detail", args=[submission.pk]),
    )
