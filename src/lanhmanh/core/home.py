"""Home-page panels: each app registers the panels it adds to role home pages.

A panel has a template and a function that builds its context for a user; the home page shows
every panel whose ``allowed`` predicate accepts the user, in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    allowed: Callable[[object], bool]
    context: Callable[[object], dict]
    order: int = 100


_panels: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def panels_for(user) -> list[tuple[HomePanel, dict]]:
    chosen = sorted((p for p in _panels.values() if p.allowed(user)), key=lambda p: (p.order, p.key))
    return [(p, p.context(user)) for p in chosen]
