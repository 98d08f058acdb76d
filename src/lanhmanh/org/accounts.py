"""Changes to accounts, roles and agencies as change records the data-protection officer reads.

The system administrator changes users, roles and agencies in the admin (``/quan-tri/``). Each save or
delete there goes through ``account_change_record`` (who, before/after, the reason typed in the form) in
the same transaction, so it reaches the audit trail at ``/kiem-tra-du-lieu/``, not only
``django_admin_log``. A change that gives someone personal-data classes they did not have (a user's
new roles, a role's new classes) is refused when an administrator grants it to themselves, and
otherwise writes a second record with action ``grant`` and mails every data-protection officer
(``alert_data_protection``): the DPO is the second person who sees every grant of identity access.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Action, record_change, snapshot
from lanhmanh.core.scoping import DataClass
from lanhmanh.org.models import Role, User

# Classes of personal data whose grant the DPO must see (everything but aggregates and establishments).
PERSONAL_CLASSES = frozenset(
    {DataClass.IDENTITY, DataClass.ENFORCEMENT, DataClass.SUPPORT, DataClass.HEALTH, DataClass.CHILD}
)
SELF_GRANT = gettext_lazy(
    "Không thể tự cấp cho chính mình quyền xem dữ liệu cá nhân (%(classes)s). Một quản trị viên khác phải thực hiện."
)
REASON_REQUIRED = gettext_lazy(
    "Ghi lý do thay đổi (được lưu vào lịch sử thay đổi cho cán bộ bảo vệ dữ liệu)."
)


def account_snapshot(instance) -> dict:
    """The record's fields (password hash redacted) and, for users, their role codes and classes."""
    data = snapshot(instance, redact=("password",))
    if isinstance(instance, User) and instance.pk:
        roles = list(instance.roles.order_by("code").values_list("code", "data_classes"))
        data["roles"] = [code for code, _ in roles]
        data["data_classes"] = sorted({c for _, classes in roles for c in classes or ()})
    return data


def granted_classes(before: dict | None, after: dict | None) -> set[str]:
    """Personal-data classes present after and absent before."""
    old = set((before or {}).get("data_classes") or ())
    new = set((after or {}).get("data_classes") or ())
    return (new - old) & PERSONAL_CLASSES


def class_labels(classes) -> str:
    labels = dict(DataClass.choices)
    return ", ".join(str(labels.get(c, c)) for c in sorted(classes))


def alert_data_protection(*, subject: str, body: str) -> None:
    """Mail every active data-protection officer, after the transaction commits."""
    recipients = list(
        User.objects.filter(roles__code=Role.DATA_PROTECTION, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


@transaction.atomic
def account_change_record(
    *, actor, instance, action: str, before: dict | None, after: dict | None, reason: str
):
    """Record one admin change to a user, role or agency; on a grant of personal-data classes, a
    ``grant`` record and a mail to the data-protection officers. Call it in the change's transaction."""
    record_change(actor=actor, instance=instance, action=action, before=before, after=after, reason=reason)
    granted = granted_classes(before, after)
    if not granted:
        return
    labels = class_labels(granted)
    record_change(
        actor=actor,
        instance=instance,
        action=Action.GRANT,
        before={"data_classes": sorted((before or {}).get("data_classes") or ())},
        after={"data_classes": sorted((after or {}).get("data_classes") or ())},
        reason=reason,
    )
    alert_data_protection(
        subject=_("[Lành Mạnh] Cấp quyền xem dữ liệu cá nhân: %(what)s") % {"what": instance},
        body=_(
            "%(actor)s đã cấp quyền xem %(classes)s cho %(what)s.\nLý do: %(reason)s\n"
            "Xem lịch sử thay đổi tại /kiem-tra-du-lieu/ (thao tác “Cấp quyền”)."
        )
        % {"actor": actor, "classes": labels, "what": instance, "reason": reason or "—"},
    )
