"""The extension point for linking a tip to another app's records (establishment, inspection, case).

An app that owns such records registers a ``LinkKind`` in its ``AppConfig.ready``; the tip's triage
page then offers it. ``lookup(user, object_id)`` must return ``(object_id, label)`` for a record the
user may see, or raise Http404 — the same scoping as that app's own selector. Nothing is registered
by this app: the hotspot link is the tip's own field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkKind:
    code: str
    label: str  # a lazy translation, e.g. _("Vụ án hình sự")
    lookup: Callable[[object, int], tuple[int, str]]


_kinds: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> None:
    _kinds[kind.code] = kind


def kinds() -> list[LinkKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)


def kind_for(code: str) -> LinkKind | None:
    return _kinds.get(code)
