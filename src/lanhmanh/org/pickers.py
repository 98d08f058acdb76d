"""The unit picker: one form field for choosing an administrative unit from cached choices.

Hanoi has about 600 communes. A ``ModelChoiceField`` over them runs its query and builds a label (with
the parent's name, sometimes a query per unit) on every page that shows the form. ``UnitPickerField``
keeps the ready ``(pk, label)`` list per process instead, keyed by the picker's scope (root path, levels,
in force only, label style) and by the **unit tree's version**: one aggregate query over the unit table
(how many units, the largest id, the latest validity dates) that changes whenever units are added,
removed or given an end date — so an import of a new tree or a reform recorded by another process is
seen on the next request. A unit saved or deleted in this process clears the cache at once; an entry
older than ``MAX_AGE_SECONDS`` is rebuilt anyway (a renamed unit saved by another process).

The field renders a plain ``<select>`` in one string join (Tom Select enhances it in the browser, as
every long select) and cleans to the ``AdministrativeUnit``; a value outside the choices is refused in
Vietnamese naming the field.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.scoping import path_q
from lanhmanh.org.models import AdministrativeUnit, UnitLevel

MAX_AGE_SECONDS = 600
INVALID = _("Địa bàn đã chọn không hợp lệ.")

# (scope, version) -> (built at, choices, the pks among them)
_CACHE: dict[tuple, tuple[float, list[tuple[int, str]], frozenset[int]]] = {}


def unit_tree_version() -> tuple:
    """What changes when the unit tree changes (one aggregate query over a table of a few thousand rows)."""
    row = AdministrativeUnit.objects.aggregate(
        n=Count("pk"), last=Max("pk"), since=Max("valid_from"), until=Max("valid_to")
    )
    return (row["n"], row["last"], row["since"], row["until"])


def clear_cache(*_args, **_kwargs) -> None:
    _CACHE.clear()


post_save.connect(clear_cache, sender=AdministrativeUnit, dispatch_uid="org-pickers-unit-saved")
post_delete.connect(clear_cache, sender=AdministrativeUnit, dispatch_uid="org-pickers-unit-deleted")


def short_label(unit: AdministrativeUnit) -> str:
    """'Phường Tràng Tiền (Quận Hoàn Kiếm)' for a commune, the unit's own name above."""
    if unit.parent_id and unit.level == UnitLevel.COMMUNE:
        return f"{unit.full_name} ({unit.parent.full_name})"
    return unit.full_name


def long_label(unit: AdministrativeUnit) -> str:
    """'Phường Tràng Tiền, Quận Hoàn Kiếm, Thành phố Hà Nội'."""
    return unit.long_name


def _units(root_path: str | None, levels: tuple[int, ...], in_force_only: bool):
    units = (
        AdministrativeUnit.objects.filter(level__in=levels)
        .select_related("parent__parent")
        .order_by("path", "valid_from")
    )
    if root_path:
        units = units.filter(path_q(root_path))
    if in_force_only:
        # A database holding only an older tree (the 2014 demo before the 2025 tree is imported) offers
        # that tree rather than nothing.
        current = units.valid_on(timezone.localdate())
        return current if current.exists() else units
    return units


def unit_choices(
    root_path: str | None = None,
    *,
    levels: Iterable[int] = (UnitLevel.DISTRICT, UnitLevel.COMMUNE),
    in_force_only: bool = False,
    long_labels: bool = False,
) -> tuple[list[tuple[int, str]], frozenset[int]]:
    """The ``(pk, label)`` choices of the units at ``levels`` under ``root_path`` (all of them when
    None), in path order, and their pks; cached per process and unit-tree version."""
    levels = tuple(sorted(levels))
    scope = (root_path or "", levels, in_force_only, long_labels)
    if in_force_only:
        scope += (timezone.localdate(),)
    key = (scope, unit_tree_version())
    now = time.monotonic()
    cached = _CACHE.get(key)
    if cached is None or now - cached[0] > MAX_AGE_SECONDS:
        label = long_label if long_labels else short_label
        choices = [(u.pk, label(u)) for u in _units(root_path, levels, in_force_only)]
        for stale in [k for k in _CACHE if k[0] == scope]:
            _CACHE.pop(stale, None)
        cached = (now, choices, frozenset(pk for pk, _label in choices))
        _CACHE[key] = cached
    return cached[1], cached[2]


class UnitSelect(forms.Select):
    """A ``<select>`` rendered in Python from ready (value, label) pairs: no template per option (still a
    ``Select`` for styling helpers)."""

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs, choices=())
        self.options = options

    def format_value(self, value):
        if value is None:
            return ""
        return str(getattr(value, "pk", value))

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = self.format_value(value)
        parts = [format_html('<option value="">{}</option>', "—")]
        for option_value, label in self.options:
            selected = " selected" if str(option_value) == chosen else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', option_value, selected, label))
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(attrs), SafeString("".join(parts))
        )


class UnitPickerField(forms.Field):
    """Choose a unit from cached choices (``unit_choices``); cleans to the ``AdministrativeUnit``.

    ``root_path`` limits the choices to a subtree (a user's jurisdiction), ``levels`` to districts and/or
    communes, ``in_force_only`` to the units valid today, ``long_labels`` names the whole chain."""

    def __init__(
        self,
        *,
        root_path: str | None = None,
        levels: Iterable[int] = (UnitLevel.DISTRICT, UnitLevel.COMMUNE),
        in_force_only: bool = False,
        long_labels: bool = False,
        **kwargs,
    ):
        self.choices, self.allowed = unit_choices(
            root_path, levels=levels, in_force_only=in_force_only, long_labels=long_labels
        )
        kwargs.setdefault("widget", UnitSelect(self.choices, attrs={"class": "form-select"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, AdministrativeUnit):
            return value
        text = str(value).strip()
        # A unit id has a few digits: a huge number is refused before it reaches int() or the database.
        if not (text.isdigit() and len(text) <= 18) or int(text) not in self.allowed:
            raise ValidationError(INVALID, code="invalid_choice")
        unit = AdministrativeUnit.objects.filter(pk=int(text)).select_related("parent").first()
        if unit is None:
            raise ValidationError(INVALID, code="invalid_choice")
        return unit

    def validate(self, value):
        super().validate(value)
        if value is not None and value.pk not in self.allowed:
            raise ValidationError(INVALID, code="invalid_choice")

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(self.prepare_value(data) or "")
