"""Who may do what with duplicate records: permission predicates, named for what they allow.

What a reviewer may *see* of a pair or a merge (both persons within reach) is the selectors' business.
Everyone else gets 404, as for a missing page (issue #21 item 2: a health worker once saw full
identities city-wide here and could merge and unmerge).
"""

from __future__ import annotations

from django.http import Http404

from lanhmanh.people.rules import can_edit_registry


def can_review(user) -> bool:
    """Review candidate pairs, decide them (merge), unmerge: the roles that may change the registry's own
    classes (identity + enforcement, ``people.rules.can_edit_registry``), i.e. the roles that record
    identities; the court's and the procuracy's clerks read the registry but merge nothing. A health or
    social worker holds identities of their own clients, not the registry's."""
    return can_edit_registry(user)


def can_manage_runs(user) -> bool:
    """Start and follow deduplication runs of the whole registry: the city coordinator."""
    return can_review(user) and user.has_role("city-coordinator")


def require_reviewer(user) -> None:
    if not can_review(user):
        raise Http404


def require_run_manager(user) -> None:
    if not can_manage_runs(user):
        raise Http404
