"""Who may do what with criminal cases.

* Identities (defendants, victims) and the case page: the case roles (police investigator, prosecutor,
  court clerk) holding the identity and enforcement classes, for a case their agency is on or whose
  place (or investigating agency) lies in their jurisdiction. Everyone else: 404.
* Counts: anyone with the aggregate class (small counts hidden outside the owning agencies).
* A stage: only its own agency's role (``Stage.owner_role``), for a case in reach.
"""

from __future__ import annotations

from django.db.models import Q

from lanhmanh.core.scoping import DataClass, can, path_q
from lanhmanh.enforcement.cases.models import CASE_ROLES, POLICE_ROLE, STAGE_OWNER

# Agency kinds that own case records: counts of 1–4 are shown in full only to them.
OWNER_AGENCY_KINDS = ("police", "procuracy", "court", "customs", "border-guard")


def handles_cases(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})
        and user.has_role(*CASE_ROLES)
    )


def sees_case_counts(user) -> bool:
    return can(user, DataClass.AGGREGATE)


def opens_cases(user) -> bool:
    """Police investigators open cases (detection is the first police stage)."""
    return handles_cases(user) and user.has_role(POLICE_ROLE)


def reach_q(user, prefix: str = "") -> Q:
    """Cases in the user's reach: their agency is on the case, or the place or investigating agency is in their subtree."""
    root = getattr(user, "jurisdiction_path", None)
    if not root or not handles_cases(user):
        return Q(pk__in=[])
    agency = user.agency_id
    return (
        Q(**{f"{prefix}investigating_agency_id": agency})
        | Q(**{f"{prefix}procuracy_id": agency})
        | Q(**{f"{prefix}court_id": agency})
        | path_q(root, f"{prefix}unit__path")
        | path_q(root, f"{prefix}investigating_agency__unit__path")
    )


def may_record_stage(user, stage: str) -> bool:
    """The stage's own agency's role (the case itself must already be in reach: selectors)."""
    return handles_cases(user) and user.has_role(STAGE_OWNER[stage])


def may_edit_people(user) -> bool:
    """Defendants and victims are entered by the investigating police."""
    return opens_cases(user)


def may_sentence(user) -> bool:
    return may_record_stage(user, "tried")


def may_record_press(user) -> bool:
    return handles_cases(user)
