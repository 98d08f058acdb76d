"""Who may do what with duplicate records: permission predicates, named for what they allow.

What a reviewer may *see* of a pair or a merge (both persons within reach) is the selectors' business.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from lanhmanh.core.scoping import DataClass, can


def can_review(user) -> bool:
    """Review candidate pairs, merge and unmerge: the identity class."""
    return can(user, DataClass.IDENTITY)


def can_manage_runs(user) -> bool:
    """Start and follow deduplication runs of the whole registry: the city coordinator."""
    return can(user, DataClass.IDENTITY) and user.has_role("city-coordinator")


def require_reviewer(user) -> None:
    if not can_review(user):
        raise PermissionDenied


def require_run_manager(user) -> None:
    if not can_manage_runs(user):
        raise PermissionDenied
