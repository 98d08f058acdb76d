"""Change history and access log helpers.

Services call ``record_change`` inside the same transaction as the change they make, and views
call ``record_access`` when they show a person's identity. Both write append-only rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from lanhmanh.core.models import AccessRecord, ChangeRecord

Action = ChangeRecord.Action
Purpose = AccessRecord.Purpose

# Fields never copied into the history in clear: their encrypted form is noise, and the audit
# table must not become a second copy of identities.
REDACTED = "***"


def _jsonable(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return REDACTED
    return value


def snapshot(instance: models.Model, *, redact: Iterable[str] = ()) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON, with the named fields redacted."""
    redacted = set(redact) | set(getattr(instance, "audit_redact", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        data[field.attname] = (
            REDACTED if field.name in redacted and value not in (None, "") else _jsonable(value)
        )
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs between two snapshots."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def record_change(
    *,
    actor,
    instance: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> ChangeRecord:
    """Write one change-history row. Call it inside the transaction of the change."""
    if after is None and action != Action.DELETE:
        after = snapshot(instance)
    return ChangeRecord.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        reason=reason,
    )


def record_access(
    *, actor, instance: models.Model, data_class: str, purpose: str, detail: str = "", path: str = ""
) -> AccessRecord:
    """Write one access-log row for a read of personal data."""
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}")
    return AccessRecord.objects.create(
        actor=actor,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        data_class=data_class,
        purpose=purpose,
        detail=detail[:300],
        path=path[:300],
    )


def history(instance: models.Model):
    """Change rows of one record, newest first."""
    return ChangeRecord.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))


def readers(instance: models.Model):
    """Access rows of one record, newest first (who looked at it, and why)."""
    return AccessRecord.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))
