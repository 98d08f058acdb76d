"""Reads of the establishment register scoped to a user; outsiders get nothing (views turn it into 404).

An establishment is within reach when the user may read the register (``rules.can_view_register``)
and its commune lies in the user's subtree or, for a unit of the two-level map (since 1/7/2025), is one of
the pre-reform communes it was made from (``org.successions.predecessor_paths``, the rule the people
registry and the hotspots follow): an establishment keeps the commune it was registered in, and today's
ward officers inspect it. Health staff see massage places only. Inspections, checks and sanctions follow
their establishment; writes go through the same selectors, so they follow the same reach. Every ``*_get``
answers 404 for missing and not-allowed alike.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import record_access
from lanhmanh.core.scoping import DataClass, path_q
from lanhmanh.org import successions
from lanhmanh.org.models import Agency, AgencyKind
from lanhmanh.org.successions import units_now_part_of
from lanhmanh.premises import rules
from lanhmanh.premises.models import (
    BusinessSanction,
    Establishment,
    EstablishmentImport,
    HealthCheck,
    Inspection,
    InspectionPlan,
    PoliceCheck,
    RevocationProposal,
)


def _root(user) -> str | None:
    return getattr(user, "jurisdiction_path", None)


def reach_q(root: str, field: str = "unit_path", *, earlier: list[str] | None = None) -> Q:
    """``org.successions.reach_q`` on the establishment's denormalised commune path (``unit_path``)."""
    return successions.reach_q(root, field, earlier=earlier)


def mark_now_part_of(records, *, unit_of=lambda record: record.unit, today: dt.date | None = None) -> bool:
    """Set ``now_part_of`` on each record whose commune (``unit_of``) is a pre-reform one: the commune of
    today's map it became (its default part), shown "nay thuộc …" as on the people pages. One query for
    the lot; True when any record has one (the page then explains)."""
    records = list(records)
    now = units_now_part_of([unit_of(r) for r in records], today or timezone.localdate())
    for record in records:
        unit = unit_of(record)
        record.now_part_of = now.get(unit.pk) if unit is not None else None
    return bool(now)


def establishments_visible(user) -> QuerySet[Establishment]:
    """Establishments this user may read (register pages, API)."""
    root = _root(user)
    if not root or not rules.can_view_register(user):
        return Establishment.objects.none()
    queryset = Establishment.objects.filter(reach_q(root))
    if rules.sees_massage_only(user):
        queryset = queryset.filter(kind__health_checks=True)
    return queryset.select_related("kind", "unit")


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def establishment_get(user, pk) -> Establishment:
    return _get(establishments_visible(user), pk)


def inspections_visible(user) -> QuerySet[Inspection]:
    root = _root(user)
    if not root or not rules.can_see_sanctions(user):
        return Inspection.objects.none()
    return Inspection.objects.filter(reach_q(root, "establishment__unit_path")).select_related(
        "establishment", "establishment__kind", "establishment__unit", "team", "plan"
    )


def inspection_get(user, pk) -> Inspection:
    return _get(inspections_visible(user), pk)


def plans_visible(user) -> QuerySet[InspectionPlan]:
    root = _root(user)
    if not root or not rules.can_plan(user):
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.filter(path_q(root, "team__unit__path")).select_related(
        "team", "team__unit"
    )


def plan_get(user, pk) -> InspectionPlan:
    return _get(plans_visible(user), pk)


def teams_for(user):
    """The Team 178 teams this user may plan for: the teams at the user's unit and below."""

    root = _root(user)
    if not root or not rules.can_plan(user):
        return Agency.objects.none()
    return Agency.objects.filter(path_q(root, "unit__path"), kind=AgencyKind.TEAM_178).select_related("unit")


def sanctions_visible(user) -> QuerySet[BusinessSanction]:
    root = _root(user)
    if not root or not rules.can_see_sanctions(user):
        return BusinessSanction.objects.none()
    return BusinessSanction.objects.filter(reach_q(root, "establishment__unit_path")).select_related(
        "establishment", "establishment__unit", "act", "authority"
    )


def sanction_get(user, pk) -> BusinessSanction:
    return _get(sanctions_visible(user), pk)


def police_checks_visible(user) -> QuerySet[PoliceCheck]:
    root = _root(user)
    if not root or not rules.can_see_sanctions(user):
        return PoliceCheck.objects.none()
    return PoliceCheck.objects.filter(reach_q(root, "establishment__unit_path")).select_related(
        "establishment", "agency"
    )


def health_checks_visible(user) -> QuerySet[HealthCheck]:
    return HealthCheck.objects.filter(establishment__in=establishments_visible(user)).select_related("agency")


def revocations_addressed_to(user) -> QuerySet[RevocationProposal]:
    """Revocation proposals sent to the user's licensing agency (licensing officers)."""
    if not rules.can_answer_revocation(user):
        return RevocationProposal.objects.none()
    return RevocationProposal.objects.filter(licensing_agency=user.agency).select_related(
        "licence", "sanction", "sanction__establishment", "sanction__authority", "sanction__act"
    )


def revocations_visible(user) -> QuerySet[RevocationProposal]:
    """Proposals the user may read: addressed to their agency, or about establishments in their reach."""
    if rules.can_answer_revocation(user):
        return revocations_addressed_to(user)
    return RevocationProposal.objects.filter(sanction__in=sanctions_visible(user)).select_related(
        "licence", "sanction", "sanction__establishment", "sanction__authority", "sanction__act"
    )


def revocation_get(user, pk) -> RevocationProposal:
    return _get(revocations_visible(user), pk)


def establishment_import_get(user, pk) -> EstablishmentImport:
    """An Excel import of establishments, to the officer who uploaded it only (404 otherwise)."""
    if not rules.can_import(user):
        raise Http404
    return _get(EstablishmentImport.objects.filter(owner=user), pk)


def owner_identity_shown(user, establishment: Establishment, *, purpose: str, detail: str, path: str) -> bool:
    """Whether the owner's identity may be shown to this user for the stated purpose; when it may, the
    read is written to the access log (who, which establishment, the purpose)."""
    if not rules.can_see_owner_identity(user) or establishment.owner_type != "individual":
        return False
    record_access(
        actor=user,
        instance=establishment,
        data_class=DataClass.IDENTITY,
        purpose=purpose,
        detail=detail,
        path=path,
    )
    return True
