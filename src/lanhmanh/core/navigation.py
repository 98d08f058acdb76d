"""The navigation registry: each app registers its menu entries in ``AppConfig.ready``.

An entry is shown to a user when its ``allowed`` predicate accepts the user, so the menu is
role-aware without the shell knowing the apps. Every page reachable from the menu must render
for every role that sees the entry (a guard test walks them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 100
    section: str = "main"
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
