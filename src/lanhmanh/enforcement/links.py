"""The extension point for linking a tip to records: establishments, inspections, criminal cases, hotspots.

A ``LinkKind`` names a kind of record and how to find one for a user: ``lookup(user, object_id)`` returns
``(object_id, label)`` for a record the user may see, or raises Http404 — the same scoping as the owning
app's own selector, so a triager can link only what they may open. ``url_name`` (optional) is the record's
page, reversed with the id, for the link on the tip. The kinds shipped are registered by
``enforcement.link_kinds`` (through the owning apps' public selectors) in ``EnforcementConfig.ready``; another
app may register its own the same way. The hotspot kind is special: it sets the tip's own ``hotspot``
(which drives re-emergence proposals) rather than a ``TipLink`` row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

HOTSPOT = "hotspot"
ESTABLISHMENT = "establishment"
INSPECTION = "inspection"
CASE = "case"


@dataclass(frozen=True)
class LinkKind:
    code: str
    label: str  # a lazy translation, e.g. _("Vụ án hình sự")
    lookup: Callable[[object, int], tuple[int, str]]
    url_name: str = ""
    order: int = 0

    def url(self, object_id: int) -> str:
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name, args=[object_id])
        except NoReverseMatch:
            return ""


_kinds: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> None:
    _kinds[kind.code] = kind


def kinds() -> list[LinkKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.code))


def kind_for(code: str) -> LinkKind | None:
    return _kinds.get(code)
