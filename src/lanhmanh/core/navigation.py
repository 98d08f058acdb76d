"""The navigation registry: each app registers its menu entries in ``AppConfig.ready``.

An entry is shown to a user when its ``allowed`` predicate accepts the user, so the menu is
role-aware without the shell knowing the apps. Every page reachable from the menu must render
for every role that sees the entry (a guard test walks them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 100
    section: str = "main"  # a menu group's key (see GROUPS); "main": a link of its own on the top bar
    url_kwargs: dict = field(default_factory=dict)

    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.url_kwargs or None)


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((i for i in _registry.values() if i.allowed(user)), key=lambda i: (i.order, i.key))


def all_items() -> list[NavItem]:
    return sorted(_registry.values(), key=lambda i: (i.order, i.key))


# Menu groups: items of one section share one drop-down on the top bar, so the bar fits one line at
# 1366 px however many apps register entries. A group with a single visible item is shown as that link.
GROUPS: dict[str, str] = {
    "plan": _("Kế hoạch"),
    "registers": _("Sổ theo dõi"),
    "support": _("Hỗ trợ"),
    "reports": _("Báo cáo"),
    "system": _("Hệ thống"),
}


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    items: tuple[NavItem, ...]

    @property
    def single(self) -> NavItem | None:
        return self.items[0] if len(self.items) == 1 else None

    def contains(self, view_name: str | None) -> bool:
        return any(item.url_name == view_name for item in self.items)


def menu_for(user, *, items: list[NavItem] | None = None) -> list[MenuEntry]:
    """The top bar: one entry per group with visible items (in the order of their first item).

    ``items``: ``items_for(user)`` when the caller has it already (each item's rule is asked once a page).
    """
    entries: dict[str, list[NavItem]] = {}
    for item in items_for(user) if items is None else items:
        key = item.section if item.section in GROUPS else f"item:{item.key}"
        entries.setdefault(key, []).append(item)
    return [
        MenuEntry(key=key, label=GROUPS.get(key, items[0].label), items=tuple(items))
        for key, items in entries.items()
    ]
