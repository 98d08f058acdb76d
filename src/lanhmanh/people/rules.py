"""Who may do what with the registry: permission predicates, named for what they allow.

Predicates take the user and answer yes or no; they compose with ``and``/``or`` (they are plain
functions of ``core.scoping.can`` and the user's roles). Views and menus ask them; what a user may
*see* of a record is the selectors' business (``people/selectors.py``: scoped reads, 404 otherwise).
Importable before the models (``apps.py`` uses them), so only ``core.scoping`` is imported here.
"""

from __future__ import annotations

from lanhmanh.core.scoping import DataClass, can, can_write


def can_use_registry(user) -> bool:
    """Search, open and enter persons and violations: identity and enforcement classes (police, Team 178…)."""
    return can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})


def can_edit_registry(user) -> bool:
    """Record persons, violations and sanctions, edit them, import them from Excel: the roles that may
    change the identity and enforcement classes (not the court's or the procuracy's clerk, who read)."""
    return can_write(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})
