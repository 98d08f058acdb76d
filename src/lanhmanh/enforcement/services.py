"""Every write of the enforcement app: hotspots and their status history, patrols, re-emergence
proposals, target lists, tips and their triage. Each service is atomic, validates with ``full_clean``
and writes its audit row in the same transaction; nothing is half-saved on a ValidationError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import (
    Action,
    audited_change,
    audited_create,
    audited_insert,
    audited_update,
    record_change,
)
from lanhmanh.core.uploads import CheckedUpload, upload_store
from lanhmanh.enforcement import links
from lanhmanh.enforcement.kinds import KINDS
from lanhmanh.enforcement.models import (
    INITIAL_STATUSES,
    Hotspot,
    HotspotEvent,
    HotspotKind,
    HotspotStatus,
    HotspotViolation,
    Patrol,
    PatrolFinding,
    ProposalSource,
    ProposalStatus,
    ReemergenceProposal,
    TargetHotspot,
    Tip,
    TipAction,
    TipAddition,
    TipAttachment,
    TipChannel,
    TipEvent,
    TipLink,
    TipOutcome,
    TipStatus,
)
from lanhmanh.enforcement.public import receipt_hash, receipt_new

STATUS_JUMP_MESSAGE = gettext_lazy(
    "Không thể chuyển tụ điểm từ “%(old)s” sang “%(new)s”. Bước tiếp theo hợp lệ: %(allowed)s."
)
# plans.TargetKind values of the targets that name hotspots (the plans app is a sibling, not imported).
ELIMINATE, KEEP_CLEAN = "eliminate", "keep-clean"
EMPTY_TEXT_MESSAGE = gettext_lazy("Nội dung tin báo không được để trống.")


def _today() -> dt.date:
    return timezone.localdate()


def _check_not_future(day: dt.date, field: str) -> None:
    if day > _today():
        raise ValidationError({field: _("Ngày không được sau hôm nay.")})


# Hotspots ----------------------------------------------------------------------------------------------


def hotspot_kinds_ensure() -> int:
    """The shipped kinds of place (``kinds.KINDS``; seeded by migration 0002, which a flushed test
    database has lost). Existing kinds, and an administrator's edits of them, are kept. Returns how many were added."""
    added = 0
    for order, (code, name, name_en) in enumerate(KINDS, start=1):
        _kind, created = HotspotKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        added += created
    return added


@transaction.atomic
def hotspot_create(
    *,
    actor,
    name: str,
    kind: HotspotKind,
    unit,
    address: str,
    first_found_on: dt.date,
    police_agency,
    description: str = "",
    latitude=None,
    longitude=None,
    status: str = HotspotStatus.ACTIVE,
    status_on: dt.date | None = None,
    note: str = "",
) -> Hotspot:
    """Register a hotspot, active (found now) or already eliminated (found and eliminated before).

    Side effects: the hotspot, its first status event(s) (an eliminated one also gets its "active"
    event on the day it was found) and audit rows."""
    if status not in INITIAL_STATUSES:
        raise ValidationError(
            {"status": _("Tụ điểm mới chỉ có thể ở trạng thái “Đang hoạt động” hoặc “Đã triệt xóa”.")}
        )
    status_on = status_on or first_found_on
    _check_not_future(first_found_on, "first_found_on")
    _check_not_future(status_on, "status_on")
    if status_on < first_found_on:
        raise ValidationError({"status_on": _("Ngày triệt xóa không được trước ngày phát hiện.")})
    hotspot = Hotspot(
        name=name.strip(),
        kind=kind,
        unit=unit,
        address=address.strip(),
        description=description.strip(),
        latitude=latitude,
        longitude=longitude,
        first_found_on=first_found_on,
        police_agency=police_agency,
        status=status,
        status_on=status_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    hotspot.full_clean()
    audited_insert(actor=actor, instance=hotspot)
    user = hotspot.created_by
    HotspotEvent.objects.create(
        hotspot=hotspot, status=HotspotStatus.ACTIVE, happened_on=first_found_on, actor=user
    )
    if status == HotspotStatus.ELIMINATED:
        HotspotEvent.objects.create(
            hotspot=hotspot, status=status, happened_on=status_on, note=note, actor=user
        )
    return hotspot


@transaction.atomic
def hotspot_transition(
    *,
    actor,
    hotspot: Hotspot,
    status: str,
    happened_on: dt.date,
    how_found: str = "",
    tasks: str = "",
    note: str = "",
) -> HotspotEvent:
    """Move a hotspot one step along its status machine (``models.TRANSITIONS``).

    A plan to dismantle needs its tasks; a re-emergence needs how it was found. The date may not be in
    the future nor before the current status's date. Side effects: the event, the hotspot's current
    status, an audit row."""
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if status not in hotspot.allowed_next():
        allowed = ", ".join(f"“{HotspotStatus(s).label}”" for s in hotspot.allowed_next()) or "—"
        raise ValidationError(
            {
                "status": STATUS_JUMP_MESSAGE
                % {
                    "old": hotspot.get_status_display(),
                    "new": HotspotStatus(status).label,
                    "allowed": allowed,
                }
            }
        )
    _check_not_future(happened_on, "happened_on")
    if happened_on < hotspot.status_on:
        raise ValidationError(
            {
                "happened_on": _("Ngày này trước ngày của trạng thái hiện tại (%(day)s).")
                % {"day": f"{hotspot.status_on:%d/%m/%Y}"}
            }
        )
    if status == HotspotStatus.PLANNED and not tasks.strip():
        raise ValidationError(
            {"tasks": _("Phương án triệt xóa cần ít nhất một nhiệm vụ (mỗi dòng một nhiệm vụ).")}
        )
    if status == HotspotStatus.REEMERGED and not how_found.strip():
        raise ValidationError({"how_found": _("Ghi rõ tái hoạt động được phát hiện qua đâu.")})
    event = HotspotEvent(
        hotspot=hotspot,
        status=status,
        happened_on=happened_on,
        how_found=how_found.strip(),
        tasks=tasks.strip(),
        note=note.strip(),
        actor=actor,
    )
    event.full_clean()
    event.save()
    audited_update(actor=actor, instance=hotspot, action=Action.STATUS, status=status, status_on=happened_on)
    return event


def _propose(*, hotspot: Hotspot, source: str, observed_on: dt.date, **link) -> ReemergenceProposal | None:
    """An open proposal when an eliminated hotspot shows activity again (one open proposal at a time)."""
    if not hotspot.is_eliminated:
        return None
    if hotspot.proposals.filter(status=ProposalStatus.OPEN).exists():
        return None
    return ReemergenceProposal.objects.create(hotspot=hotspot, source=source, observed_on=observed_on, **link)


@transaction.atomic
def patrol_record(
    *,
    actor,
    hotspot: Hotspot,
    patrolled_on: dt.date,
    agency,
    finding: str,
    people_sanctioned: int = 0,
    note: str = "",
) -> Patrol:
    """Record a patrol. Activity seen at an eliminated hotspot proposes a re-emergence.

    Side effects: the patrol, maybe a proposal, an audit row."""
    _check_not_future(patrolled_on, "patrolled_on")
    if patrolled_on < hotspot.first_found_on:
        raise ValidationError(
            {
                "patrolled_on": _("Ngày tuần tra trước ngày phát hiện tụ điểm (%(day)s).")
                % {"day": f"{hotspot.first_found_on:%d/%m/%Y}"}
            }
        )
    if finding == PatrolFinding.SANCTIONED and people_sanctioned < 1:
        raise ValidationError({"people_sanctioned": _("Ghi số người bị xử lý (ít nhất 1).")})
    if finding != PatrolFinding.SANCTIONED and people_sanctioned:
        raise ValidationError(
            {"people_sanctioned": _("Chỉ ghi số người bị xử lý khi kết quả là “Có người bị xử lý”.")}
        )
    patrol = audited_create(
        actor=actor,
        model=Patrol,
        hotspot=hotspot,
        patrolled_on=patrolled_on,
        agency=agency,
        finding=finding,
        people_sanctioned=people_sanctioned,
        note=note.strip(),
        recorded_by=actor,
    )
    if finding != PatrolFinding.CLEAN:
        _propose(hotspot=hotspot, source=ProposalSource.PATROL, observed_on=patrolled_on, patrol=patrol)
    return patrol


@transaction.atomic
def violation_link(*, actor, hotspot: Hotspot, violation) -> HotspotViolation:
    """Say that a violation (people app) took place at this hotspot. At an eliminated hotspot, a
    violation after the elimination proposes a re-emergence. Side effects: the link, maybe a proposal, audit."""
    if HotspotViolation.objects.filter(violation=violation).exists():
        raise ValidationError({"violation": _("Vi phạm này đã được gắn với một tụ điểm.")})
    link = audited_create(
        actor=actor, model=HotspotViolation, hotspot=hotspot, violation=violation, linked_by=actor
    )
    if violation.occurred_on >= hotspot.status_on:
        _propose(
            hotspot=hotspot,
            source=ProposalSource.VIOLATION,
            observed_on=violation.occurred_on,
            violation=violation,
        )
    return link


@transaction.atomic
def proposal_decide(
    *, actor, proposal: ReemergenceProposal, confirm: bool, note: str = ""
) -> ReemergenceProposal:
    """The police confirm (the hotspot becomes re-emerged on the observed date) or reject a proposal.

    Side effects: the proposal's decision, on confirmation a status event, audit rows."""
    proposal = ReemergenceProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("Đề xuất này đã được xử lý."))
    if not confirm and not note.strip():
        raise ValidationError({"note": _("Ghi lý do không xác nhận tái hoạt động.")})
    with audited_change(actor=actor, instance=proposal):
        if confirm:
            hotspot_transition(
                actor=actor,
                hotspot=proposal.hotspot,
                status=HotspotStatus.REEMERGED,
                happened_on=max(proposal.observed_on, proposal.hotspot.status_on),
                how_found=proposal.how_found,
                note=note,
            )
        proposal.status = ProposalStatus.CONFIRMED if confirm else ProposalStatus.REJECTED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_note = note.strip()
        proposal.save()
    return proposal


@transaction.atomic
def target_hotspot_add(*, actor, target, hotspot: Hotspot):
    """Put a register entry on a target's named list (T02's to eliminate, T06's to keep clean).

    Side effects: a ``plans.TargetItem`` named after the hotspot, its link, an audit row."""
    # The plans app is a sibling: reached through the app registry, by its target kinds' values.
    TargetItem = apps.get_model("plans", "TargetItem")
    if target.kind not in (ELIMINATE, KEEP_CLEAN):
        raise ValidationError(_("Chỉ tiêu này không có danh sách tụ điểm."))
    if TargetHotspot.objects.filter(target_item__target=target, hotspot=hotspot).exists():
        raise ValidationError({"hotspot": _("Tụ điểm này đã có trong danh sách của chỉ tiêu.")})
    if target.kind == KEEP_CLEAN and not hotspot.is_eliminated and hotspot.status != HotspotStatus.REEMERGED:
        raise ValidationError({"hotspot": _("Chỉ đưa vào danh sách duy trì các tụ điểm đã triệt xóa.")})
    order = target.items.count() + 1
    item = TargetItem(target=target, name=hotspot.name[:300], unit=hotspot.unit, order=order)
    item.full_clean()
    item.save()
    return audited_insert(actor=actor, instance=TargetHotspot(target_item=item, hotspot=hotspot))


@transaction.atomic
def target_item_link(*, actor, target_item, hotspot: Hotspot) -> TargetHotspot:
    """Point an existing named item (e.g. T02's text from the plan) at its register entry."""
    link, _created = TargetHotspot.objects.update_or_create(
        target_item=target_item, defaults={"hotspot": hotspot}
    )
    # Not an audited_* helper: an upsert whose history row has never carried the values before.
    record_change(actor=actor, instance=link, action=Action.UPDATE)
    return link


# Tips --------------------------------------------------------------------------------------------------


def _store_images(
    tip: Tip, images: Iterable[CheckedUpload], actor=None, addition: TipAddition | None = None
) -> None:
    """Write each checked image through ``core.uploads`` (its own audit row) and attach it to the tip."""
    for image in images:
        stored = upload_store(checked=image, actor=actor)
        TipAttachment.objects.create(tip=tip, addition=addition, file=stored)


@transaction.atomic
def tip_submit(
    *,
    what: str,
    unit,
    channel: str = TipChannel.WEB,
    address: str = "",
    place_name: str = "",
    when: str = "",
    contact: str = "",
    images: Iterable[CheckedUpload] = (),
    actor=None,
    with_receipt: bool = True,
) -> tuple[Tip, str]:
    """Record a tip (public page: no actor; hotline: the officer who typed it).

    Returns the tip and its receipt code (empty when ``with_receipt`` is False), which is not stored:
    only its keyed hash is. Nothing about the sender's device or address is stored. Side effects: the
    tip, its images (already stripped of metadata), an audit row (contact redacted)."""
    if not what.strip():
        raise ValidationError({"what": EMPTY_TEXT_MESSAGE})
    if channel == TipChannel.WEB and actor is not None:
        raise ValidationError(
            {"channel": _("Tin báo do cán bộ nhập phải ghi kênh tiếp nhận (điện thoại, hòm thư…).")}
        )
    now = timezone.now()
    code = receipt_new() if with_receipt else ""
    tip = Tip(
        channel=channel,
        receipt_hash=receipt_hash(code) if code else None,
        what=what.strip(),
        unit=unit,
        address=address.strip(),
        place_name=place_name.strip(),
        when=when.strip(),
        contact=contact.strip(),
        received_at=now,
        received_on=timezone.localdate(now),
        recorded_by=actor,
    )
    # The unit is an instance the form already checked, and the receipt's uniqueness is the database's
    # constraint (a 99-bit random code): two look-ups per tip saved on the busiest page.
    tip.full_clean(exclude=["unit"], validate_unique=False)
    with audited_change(actor=actor, instance=tip):
        tip.save()
        _store_images(tip, images, actor)
    return tip, code


@transaction.atomic
def tip_add_information(*, tip: Tip, text: str, images: Iterable[CheckedUpload] = ()) -> TipAddition:
    """The sender adds information through the receipt. Side effects: the addition, its images, audit."""
    images = list(images)
    if not text.strip() and not images:
        raise ValidationError({"text": _("Nhập thông tin bổ sung hoặc đính kèm ảnh.")})
    if tip.status == TipStatus.CLOSED:
        raise ValidationError(
            _("Tin báo đã xử lý xong, không nhận thêm thông tin. Vui lòng gửi tin báo mới.")
        )
    addition = TipAddition(tip=tip, text=text.strip(), added_at=timezone.now())
    with audited_change(actor=None, instance=addition):
        addition.save(force_insert=True)
        _store_images(tip, images, addition=addition)
    return addition


def _tip_event(tip: Tip, actor, action: str, note: str, now) -> None:
    TipEvent.objects.create(tip=tip, action=action, note=note, actor=actor, at=now)


@transaction.atomic
def tip_triage(
    *,
    actor,
    tip: Tip,
    assigned_agency=None,
    assigned_team: str = "",
    hotspot: Hotspot | None = None,
    status: str | None = None,
    outcome: str | None = None,
    outcome_note: str = "",
    note: str = "",
) -> Tip:
    """One triage step by the police: assign, link to a hotspot, move the status, record the outcome.

    Closing needs an outcome. A verified tip linked to an eliminated hotspot proposes a re-emergence.
    The first step sets ``first_action_at`` (the tip indicators' "days to first action"). Side effects:
    internal events (never shown to the sender), maybe a proposal, an audit row."""
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    with audited_change(actor=actor, instance=tip):
        now = timezone.now()
        changed = False
        if assigned_agency is not None and (
            assigned_agency != tip.assigned_agency or assigned_team != tip.assigned_team
        ):
            tip.assigned_agency = assigned_agency
            tip.assigned_team = assigned_team.strip()
            _tip_event(tip, actor, TipAction.ASSIGNED, f"{assigned_agency} {assigned_team}".strip(), now)
            changed = True
        if hotspot is not None and hotspot != tip.hotspot:
            tip.hotspot = hotspot
            _tip_event(tip, actor, TipAction.LINKED, str(hotspot), now)
            changed = True
        if outcome is not None and outcome != tip.outcome:
            if outcome not in TipOutcome.values or outcome == "":
                raise ValidationError({"outcome": _("Kết quả xác minh không hợp lệ.")})
            tip.outcome = outcome
            tip.outcome_note = outcome_note.strip()
            _tip_event(tip, actor, TipAction.OUTCOME, TipOutcome(outcome).label, now)
            changed = True
        if status is not None and status != tip.status:
            if status not in TipStatus.values:
                raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
            if status == TipStatus.CLOSED and not tip.outcome:
                raise ValidationError({"outcome": _("Ghi kết quả xác minh trước khi đóng tin báo.")})
            if status == TipStatus.RECEIVED:
                raise ValidationError({"status": _("Tin báo đã xử lý không thể trở lại “Đã tiếp nhận”.")})
            tip.status = status
            tip.closed_at = now if status == TipStatus.CLOSED else None
            _tip_event(tip, actor, TipAction.STATUS, TipStatus(status).label, now)
            changed = True
        if note.strip():
            _tip_event(tip, actor, TipAction.NOTE, note.strip(), now)
            changed = True
        if not changed:
            raise ValidationError(_("Chưa có thay đổi nào để lưu."))
        if tip.status == TipStatus.RECEIVED:
            tip.status = TipStatus.CHECKING  # any officer's step means the tip is being checked
        if tip.first_action_at is None:
            tip.first_action_at = now
        tip.full_clean()
        tip.save()
    if tip.verified and tip.hotspot is not None:
        _propose(hotspot=tip.hotspot, source=ProposalSource.TIP, observed_on=timezone.localdate(now), tip=tip)
    return tip


LINK_NOT_FOUND = gettext_lazy("Không tìm thấy %(kind)s số %(id)s, hoặc bạn không có quyền xem hồ sơ này.")


@transaction.atomic
def tip_link(*, actor, tip: Tip, kind: str, object_id) -> TipLink | Tip:
    """Link a tip to a record of a registered kind (``enforcement.links``) that the actor may open.

    The record is looked up through its owning app's selector with the actor's reach: an unknown id and
    a record out of reach get the same Vietnamese message. The hotspot kind sets the tip's hotspot (as
    triage does, with its re-emergence proposal); the others add a ``TipLink``. Side effects: the link,
    a triage event (internal), the first action time, an audit row."""
    link_kind = links.kind_for(kind)
    if link_kind is None:
        raise ValidationError({"kind": _("Chọn loại hồ sơ cần liên kết.")})
    text = str(object_id).strip()
    not_found = ValidationError(
        {"object_id": LINK_NOT_FOUND % {"kind": str(link_kind.label).lower(), "id": text[:20]}}
    )
    if not text.isdigit() or len(text) > 18:
        raise not_found
    try:
        pk, label = link_kind.lookup(actor, int(text))
    except Http404:
        raise not_found from None
    if kind == links.HOTSPOT:
        if tip.hotspot_id == pk:
            raise ValidationError({"object_id": _("Tin báo đã liên kết với tụ điểm này.")})
        return tip_triage(actor=actor, tip=tip, hotspot=Hotspot.objects.get(pk=pk))
    if TipLink.objects.filter(tip=tip, kind=kind, object_id=pk).exists():
        raise ValidationError({"object_id": _("Tin báo đã liên kết với hồ sơ này.")})
    now = timezone.now()
    link = TipLink(tip=tip, kind=kind, object_id=pk, label=label[:300], linked_by=actor)
    link.full_clean(validate_unique=False)
    audited_insert(actor=actor, instance=link)
    changes = {}
    if tip.first_action_at is None:
        changes["first_action_at"] = now
    if tip.status == TipStatus.RECEIVED:
        changes["status"] = TipStatus.CHECKING  # any officer's step means the tip is being checked
    if changes:
        audited_update(actor=actor, instance=tip, **changes)
    _tip_event(tip, actor, TipAction.LINKED, f"{link_kind.label}: {label[:280]}", now)
    return link
