"""Change history and access log helpers.

Services write through the audited helpers at the end of this module (``audited_create``,
``audited_insert``, ``audited_update``, ``audited_change``, ``audited_delete``, ``audited_bulk_create``),
which save the row and write its history row in the same transaction; ``record_change`` is for a change
those do not fit (values before and after that are not the row's fields). Selectors call
``record_access`` when they show a person's identity. Both write append-only rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
    """Write one access-log row for a read of personal data (``record_accesses`` with one read)."""
    (row,) = record_accesses(
        actor=actor, instances=[(instance, data_class)], purpose=purpose, detail=detail, path=path
    )
    return row


def record_accesses(
    *,
    actor,
    instances: Iterable[tuple[models.Model, str] | tuple[models.Model, str, str]],
    purpose: str,
    detail: str = "",
    path: str = "",
) -> list[AccessRecord]:
    """``record_access`` for several reads at once (``(instance, data_class)`` pairs, or triples whose third
    item is that row's own detail, e.g. the referral it was read through): one row each, in one INSERT from
    three rows on."""
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}")
    rows = [
        AccessRecord(
            actor=actor,
            model=instance._meta.label_lower,
            object_id=str(instance.pk),
            data_class=data_class,
            purpose=purpose,
            detail=str(own[0] if own else detail)[:300],
            path=path[:300],
        )
        for instance, data_class, *own in instances
    ]
    if len(rows) < 3:  # bulk_create runs in a transaction of its own: two statements more
        for row in rows:
            row.save()
        return rows
    return AccessRecord.objects.bulk_create(rows)


# --- Reasons stored language-neutral ---------------------------------------------------------------
# A reason the system writes (not one a user types) is stored as a code, ``@<code>`` and its parameters
# as JSON, and translated when shown (``reason_text``, used by the audit page): the history does not
# depend on the language of the request that wrote it.

_REASONS: dict[str, Any] = {}


class AuditReason:
    """A reason the system gives for a change: ``REASON(**params)`` is the text to store."""

    def __init__(self, code: str, label):
        if " " in code or _REASONS.get(code, label) != label:
            raise ValueError(f"Audit reason code {code!r} taken or not one word")
        self.code = code
        self.label = label
        _REASONS[code] = label

    def __call__(self, **params) -> str:
        if not params:
            return f"@{self.code}"
        return f"@{self.code} {json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)}"


def reason_text(stored: str) -> str:
    """The reason as the reader should see it: a stored code translated (with its parameters), any other
    text (typed by a user, or written before codes) as it is."""
    if not stored or not stored.startswith("@"):
        return stored or ""
    code, _sep, params = stored[1:].partition(" ")
    label = _REASONS.get(code)
    if label is None:
        return stored
    try:
        values = json.loads(params) if params else {}
    except ValueError:
        return stored
    return str(label) % values if values else str(label)


def history(instance: models.Model):
    """Change rows of one record, newest first."""
    return ChangeRecord.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))


def readers(instance: models.Model):
    """Access rows of one record, newest first (who looked at it, and why)."""
    return AccessRecord.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))


# --- One way to write audited data -----------------------------------------------------------------
# Call these inside the service's transaction (``@transaction.atomic``): the row and its history row
# commit together or not at all. ``audited_create`` and ``audited_update`` run ``full_clean()`` first
# unless told the caller validated; ``audited_insert``, ``audited_delete`` and ``audited_change`` leave
# validation to the caller. Nothing outside this module pairs ``snapshot`` with ``record_change`` by hand
# (``tests/core/test_audit_helpers.py`` keeps it so, with its list of the exceptions and their reasons).


class AuditedChange:
    """What ``audited_change`` yields: the values ``before`` (None for a new row), and the ``action``,
    ``reason`` and ``extra`` (values added to the "after" side, e.g. the codes of a many-to-many field)
    the block may still set once it knows them."""

    def __init__(self, *, before: dict[str, Any] | None, action: str, reason: str):
        self.before = before
        self.action = action
        self.reason = reason
        self.extra: dict[str, Any] = {}


@contextmanager
def audited_change(
    *, actor, instance: models.Model, action: str | None = None, reason: str = "", from_db: bool = False
) -> Iterator[AuditedChange]:
    """Write the history row of what the ``with`` block does to ``instance``; the block changes, checks
    and saves it (as it needs: ``update_fields``, a savepoint, related rows).

    The values before are read on entering: none for a row never saved (``action`` then defaults to
    CREATE, else UPDATE); ``from_db``: from the database row, locked (``select_for_update``) until the
    transaction ends, for an instance the caller already changed in memory (an admin form) or that
    another request may be changing. Leaving the block normally writes one row with the values after
    (``snapshot``, plus ``change.extra``); an exception leaves no row (the service's transaction undoes
    the save)."""
    if instance._state.adding:
        before = None
    elif from_db:
        before = snapshot(type(instance)._default_manager.select_for_update().get(pk=instance.pk))
    else:
        before = snapshot(instance)
    change = AuditedChange(
        before=before, action=action or (Action.CREATE if before is None else Action.UPDATE), reason=reason
    )
    yield change
    if instance.pk is None:
        raise RuntimeError(f"audited_change: the block did not save the new {instance._meta.label}")
    record_change(
        actor=actor,
        instance=instance,
        action=change.action,
        before=change.before,
        after={**snapshot(instance), **change.extra},
        reason=change.reason,
    )


def audited_insert(
    *, actor, instance: models.Model, action: str = Action.CREATE, reason: str = ""
) -> models.Model:
    """Save a new ``instance`` the caller built and validated (its own checks, a ``full_clean`` with
    exclusions) and write its history row (CREATE, or ``action``: MERGE for a merge's row); returns
    the instance."""
    with audited_change(actor=actor, instance=instance, action=action, reason=reason):
        instance.save(force_insert=True)
    return instance


def audited_create(
    *,
    actor,
    model: type[models.Model],
    reason: str = "",
    clean: bool = True,
    validate_constraints: bool = True,
    **fields,
):
    """Create a ``model`` row from ``fields`` and its CREATE history row; returns the instance.
    (``validate_constraints=False``: the database checks the constraints, e.g. a partial unique index
    whose message the service gave already.)"""
    instance = model(**fields)
    if clean:
        instance.full_clean(validate_constraints=validate_constraints)
    return audited_insert(actor=actor, instance=instance, reason=reason)


def audited_update(
    *,
    actor,
    instance: models.Model,
    action: str = Action.UPDATE,
    reason: str = "",
    clean: bool = True,
    validate_constraints: bool = True,
    **changes,
):
    """Set ``changes`` on ``instance``, save only those fields, and write the history row with the values
    before and after (``action`` e.g. ``Action.STATUS`` for a workflow step); returns the instance."""
    with audited_change(actor=actor, instance=instance, action=action, reason=reason):
        for name, value in changes.items():
            setattr(instance, name, value)
        if clean:
            instance.full_clean(validate_constraints=validate_constraints)
        instance.save(update_fields=list(changes) or None)
    return instance


def audited_delete(*, actor, instance: models.Model, reason: str = "") -> None:
    """Write the DELETE history row of ``instance`` (its values before) and delete it."""
    record_change(
        actor=actor, instance=instance, action=Action.DELETE, before=snapshot(instance), reason=reason
    )
    instance.delete()


def audited_bulk_create(
    *,
    actor,
    model: type[models.Model],
    objs: list,
    action: str = Action.CREATE,
    reason: str = "",
    batch_size: int = 1000,
):
    """Insert ``objs`` with ``bulk_create`` and one history row each (CREATE, or ``action``: MERGE), also in bulk (no signals,
    no ``full_clean``: callers validated the rows, as the bulk import does). Needs primary keys back
    from the database (PostgreSQL, SQLite ≥ 3.35). Returns the created instances."""
    created = model.objects.bulk_create(objs, batch_size=batch_size)
    user = actor if getattr(actor, "is_authenticated", False) else None
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                actor=user,
                action=action,
                model=instance._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                before=None,
                after=snapshot(instance),
                reason=reason,
            )
            for instance in created
        ],
        batch_size=batch_size,
    )
    return created
