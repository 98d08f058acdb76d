"""Reads of the core app: the audit trail for the data-protection officer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, JSONField, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import diff
from lanhmanh.core.models import AccessRecord, ChangeRecord

DATA_PROTECTION_ROLE = "data-protection"
KIND_CHANGE = "change"
KIND_ACCESS = "access"
ACTION_ACCESS = "access"


def may_audit(user) -> bool:
    """Only the data-protection role reads the audit trail (not the system administrator)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(DATA_PROTECTION_ROLE)


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    model: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    action: str = ""
    purpose: str = ""


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _common_filters(queryset: QuerySet, filters: AuditFilters) -> QuerySet:
    if filters.actor:
        queryset = queryset.filter(actor__username__iexact=filters.actor.strip())
    if filters.model:
        queryset = queryset.filter(model=filters.model)
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id.strip())
    if filters.date_from:
        queryset = queryset.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return queryset


def _columns(**literals):
    """The columns both logs share, in one order, so that the two can be combined with UNION ALL."""
    return {
        "kind": literals["kind"],
        "row_id": F("id"),
        "when": F("at"),
        "username": F("actor__username"),
        "first_name": F("actor__first_name"),
        "last_name": F("actor__last_name"),
        "record_model": F("model"),
        "record_id": F("object_id"),
        "act": literals["act"],
        "why": literals["why"],
        "data_class_code": literals["data_class_code"],
        "note": literals["note"],
        "before_json": literals["before_json"],
        "after_json": literals["after_json"],
    }


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _no_json() -> Value:
    return Value(None, output_field=JSONField())


def audit_entries(user, filters: AuditFilters) -> QuerySet:
    """Change-history and access-log rows matching ``filters``, newest first, as dicts.

    Only the data-protection role may call it; anyone else gets Http404. No side effects.
    Rows carry who, when, which record (model and id), the action or purpose, and for changes the
    JSON snapshots (the page shows changed field names only, never the values).
    """
    if not may_audit(user):
        raise Http404
    parts: list[QuerySet] = []
    if not filters.purpose and filters.action != ACTION_ACCESS:
        changes = _common_filters(ChangeRecord.objects.all(), filters)
        if filters.action:
            changes = changes.filter(action=filters.action)
        parts.append(
            changes.order_by().values(
                **_columns(
                    kind=_text(KIND_CHANGE),
                    act=F("action"),
                    why=_text(""),
                    data_class_code=_text(""),
                    note=F("reason"),
                    before_json=F("before"),
                    after_json=F("after"),
                )
            )
        )
    if not filters.action or filters.action == ACTION_ACCESS:
        accesses = _common_filters(AccessRecord.objects.all(), filters)
        if filters.purpose:
            accesses = accesses.filter(purpose=filters.purpose)
        parts.append(
            accesses.order_by().values(
                **_columns(
                    kind=_text(KIND_ACCESS),
                    act=_text(ACTION_ACCESS),
                    why=F("purpose"),
                    data_class_code=F("data_class"),
                    note=F("detail"),
                    before_json=_no_json(),
                    after_json=_no_json(),
                )
            )
        )
    if not parts:
        return ChangeRecord.objects.none()
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-when", "kind", "-row_id")


def audited_models() -> list[tuple[str, str]]:
    """(label, name) of every model that appears in either log, for the search form. One query."""
    labels = (
        ChangeRecord.objects.order_by()
        .values_list("model", flat=True)
        .union(AccessRecord.objects.order_by().values_list("model", flat=True))
    )
    return sorted(((label, model_name(label)) for label in labels), key=lambda pair: str(pair[1]).lower())


def model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def changed_fields(entry: dict) -> list[str]:
    """Names of the fields a change touched (values stay out of the page: they may be personal data)."""
    if entry["kind"] != KIND_CHANGE:
        return []
    names = list(diff(entry["before_json"], entry["after_json"]))
    try:
        meta = apps.get_model(entry["record_model"])._meta
    except (LookupError, ValueError):
        return names
    labels = []
    for name in names:
        try:
            labels.append(str(meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return labels
