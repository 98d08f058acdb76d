"""Reads of hotspots, patrols and tips scoped to a user: outsiders get nothing (views turn that into 404).

A hotspot is within reach when the user has the enforcement class and the hotspot's unit lies in the
user's subtree, or, for a unit of the two-level map (since 1/7/2025), in one of the pre-reform communes it
was made from (``org.successions.predecessor_paths``, the rule the people registry follows): a hotspot
keeps the unit of its discovery, and today's ward police patrol it. A tip is within reach when the user is
an intake officer (``rules.can_take_tips``) and the tip's unit or the unit of the agency it was assigned to
lies in the subtree, or the tip's unit is one of those pre-reform communes (a tip sent before 1/7/2025 about
an old ward is triaged by the police of the ward it became). Reading a tip shows the sender's contact:
``tip_get`` writes an access-log row.
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import Purpose, record_access
from lanhmanh.core.scoping import DataClass, can, path_q
from lanhmanh.enforcement import links, rules
from lanhmanh.enforcement.models import Hotspot, Patrol, ReemergenceProposal, Tip, TipAttachment
from lanhmanh.enforcement.public import receipt_hash
from lanhmanh.org.successions import predecessor_paths, reach_q, units_now_part_of
from lanhmanh.people.models import Violation
from lanhmanh.people.selectors import persons_visible
from lanhmanh.premises import selectors as premises_selectors


def _in_reach(queryset: QuerySet, user, via: tuple[str, ...] = ("unit",)) -> QuerySet:
    """``queryset`` narrowed to the records with a unit of ``via`` in the user's subtree or whose own unit
    (``unit``) is one of the pre-reform communes a two-level unit of the subtree was made from
    (enforcement class needed)."""
    if not can(user, DataClass.ENFORCEMENT):
        return queryset.none()
    root = getattr(user, "jurisdiction_path", None)
    if not root:
        return queryset.none()
    earlier = predecessor_paths(root)
    where = Q(pk__in=[])
    for lookup in via:
        # the predecessor rule applies to the record's own unit only
        where |= reach_q(root, f"{lookup}__path", earlier=earlier if lookup == "unit" else [])
    return queryset.filter(where)


def hotspots_visible(user) -> QuerySet[Hotspot]:
    """Hotspots in the user's reach: their unit in the user's subtree, or one of the pre-reform communes
    a two-level unit of the subtree was made from (enforcement class needed)."""
    return _in_reach(Hotspot.objects.select_related("kind", "unit", "police_agency"), user)


def hotspot_map_rows(user) -> list[tuple]:
    """(pk, name, status, latitude, longitude, unit path) of every hotspot in reach, as plain tuples
    straight from the cursor: the map draws thousands, and model instances or per-row converters would
    cost more than the query."""
    queryset = (
        _in_reach(Hotspot.objects.all(), user)
        .order_by()
        .values_list("pk", "name", "status", "latitude", "longitude", "unit__path")
    )
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def hotspot_get(user, pk) -> Hotspot:
    """One hotspot the user may see, or Http404 (missing and out of reach look the same)."""
    try:
        return hotspots_visible(user).get(pk=pk)
    except (Hotspot.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def patrols_visible(user) -> QuerySet[Patrol]:
    return Patrol.objects.filter(hotspot__in=hotspots_visible(user)).select_related("hotspot", "agency")


def proposals_open(user) -> QuerySet[ReemergenceProposal]:
    """Open re-emergence proposals of hotspots in reach (what the police are asked to confirm)."""
    return (
        ReemergenceProposal.objects.filter(hotspot__in=hotspots_visible(user), status="open")
        .select_related("hotspot")
        .order_by("created_at")
    )


def proposal_get(user, pk) -> ReemergenceProposal:
    try:
        return ReemergenceProposal.objects.select_related("hotspot").get(
            pk=pk, hotspot__in=hotspots_visible(user)
        )
    except (ReemergenceProposal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def tips_visible(user) -> QuerySet[Tip]:
    """Tips an intake officer of this jurisdiction may read (nobody else reads tips): the tip's unit or
    its assigned agency's unit in the subtree, or the tip's unit one of the pre-reform communes a
    two-level unit of the subtree was made from."""
    if not rules.can_take_tips(user):
        return Tip.objects.none()
    queryset = Tip.objects.select_related("unit", "assigned_agency", "hotspot")
    return _in_reach(queryset, user, ("unit", "assigned_agency__unit")).distinct()


def tips_mark_now_part_of(tips, *, today: dt.date | None = None) -> None:
    """Set ``now_part_of`` on each tip about a pre-reform commune: the commune of today's map it became
    (its default part), shown "nay thuộc …" as on the people pages. One query for the lot."""
    tips = list(tips)
    now = units_now_part_of([t.unit for t in tips], today or timezone.localdate())
    for tip in tips:
        tip.now_part_of = now.get(tip.unit_id)


def tip_get(user, pk, *, path: str = "") -> Tip:
    """One tip the user may read, or Http404. Side effect: an access-log row (the contact is shown)."""
    try:
        tip = tips_visible(user).get(pk=pk)
    except (Tip.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    record_access(
        actor=user, instance=tip, data_class=DataClass.ENFORCEMENT, purpose=Purpose.CASE_WORK, path=path
    )
    return tip


def violations_linkable(user, hotspot: Hotspot):
    """Violations the register keeper may say took place at this hotspot: in the hotspot's unit, of
    persons the user may see, not yet linked to a hotspot; newest first (at most 50). The list shows the
    date, address and act only, never the person."""
    if not (rules.can_keep_register(user) and can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})):
        return Violation.objects.none()
    return (
        Violation.objects.filter(
            place_unit=hotspot.unit, person__in=persons_visible(user), hotspot_link__isnull=True
        )
        .select_related("act")
        .order_by("-occurred_at", "-pk")[:50]
    )


LINKED_TIPS = 20


def tips_linked(user, *, kind: str, object_id: int) -> list[Tip] | None:
    """The tips linked (``TipLink`` of ``kind``: ``links.ESTABLISHMENT``, ``INSPECTION``, ``CASE``) to one
    record of another app, newest first (at most 20), as this user may read tips; None for a user who may
    not read tips at all (the record's page then shows no section). The pages list number, date, channel,
    status and outcome: never the sender's contact, so no access-log row is written here (``tip_get``
    writes one when the tip itself is opened)."""
    if not rules.can_take_tips(user):
        return None
    return list(
        tips_visible(user)
        .filter(links__kind=kind, links__object_id=object_id)
        .order_by("-received_at", "-pk")[:LINKED_TIPS]
    )


def tip_attachment_get(user, pk) -> TipAttachment:
    """An image of a tip the user may read, or Http404."""
    attachment = (
        TipAttachment.objects.select_related("file").filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if attachment is None or not tips_visible(user).filter(pk=attachment.tip_id).exists():
        raise Http404
    return attachment


def tip_file_readable(user, stored) -> bool:
    """``core.uploads``' reading rule for tip images: the user may read a tip the file is attached to."""
    return tips_visible(user).filter(attachments__file=stored).exists()


def tip_by_receipt(code: str) -> Tip | None:
    """The tip of a receipt code, or None (the public status page; the code is the sender's only key)."""
    if not code.strip():
        return None
    return Tip.objects.filter(receipt_hash=receipt_hash(code)).first()


NEARBY_INSPECTIONS = 20


def inspections_nearby(user, hotspot: Hotspot) -> list:
    """The latest inspections of establishments in the hotspot's unit (its commune, or every commune of
    its district when the hotspot spans wards) and, for a pre-reform commune, in the communes of the
    two-level map it became (part of) (``AdministrativeUnit.successors``): where the establishments
    around it are registered today. As the premises app lets this user read them
    (``premises.selectors.inspections_visible``: nothing for a role without the establishment class).

    "Nearby" is the unit: the establishment register records an address, not coordinates, so a radius
    around the hotspot's coordinates has nothing to measure against."""
    where = path_q(hotspot.unit.path, "establishment__unit_path")
    today = list(hotspot.unit.successors.values_list("path", flat=True))
    if today:
        where |= Q(establishment__unit_path__in=today)
    return list(
        premises_selectors.inspections_visible(user)
        .filter(where)
        .order_by("-inspected_on", "-pk")[:NEARBY_INSPECTIONS]
    )


def tip_links(tip: Tip) -> list[dict]:
    """The records a tip is linked to, with the page of each (the reader may not be allowed to open it:
    that page answers for itself)."""
    shown = []
    for link in tip.links.order_by("linked_at", "pk"):
        kind = links.kind_for(link.kind)
        shown.append(
            {
                "kind": kind.label if kind else link.kind,
                "label": link.label,
                "url": kind.url(link.object_id) if kind else "",
            }
        )
    return shown
