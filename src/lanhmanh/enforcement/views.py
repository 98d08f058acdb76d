"""Pages of the hotspot register, patrols, and tips (the public page and the officers' intake and triage)."""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lanhmanh.core.uploads import download_response
from lanhmanh.enforcement import rules, selectors, services
from lanhmanh.enforcement.cases.selectors import cases_at
from lanhmanh.enforcement.forms import (
    DecisionForm,
    HotspotForm,
    PatrolForm,
    ReceiptForm,
    TargetHotspotForm,
    TipAddForm,
    TipForm,
    TipIntakeForm,
    TipLinkForm,
    TransitionForm,
    TriageForm,
    max_image_mb,
)
from lanhmanh.enforcement.models import (
    STATUS_COLOURS,
    HotspotStatus,
    TargetHotspot,
    TipStatus,
)
from lanhmanh.enforcement.public import (
    CHALLENGE_USED,
    challenge_check,
    challenge_new,
    client_key,
    throttle,
)
from lanhmanh.enforcement.services import ELIMINATE, KEEP_CLEAN
from lanhmanh.enforcement.stats import tip_statistics
from lanhmanh.org.maps import district_map, unit_centre

RATE_MESSAGE = gettext_lazy(
    "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút."
)
UNKNOWN_RECEIPT = gettext_lazy(
    "Không tìm thấy tin báo với mã tra cứu này. Kiểm tra lại mã (20 ký tự, không phân biệt chữ hoa, chữ thường)."
)
RECEIPT_ANSWER_SECONDS = 0.25  # every receipt look-up answers after the same time, found or not


def _targets():
    """Plan targets (the plans app is a sibling: reached through the app registry, never imported)."""
    return apps.get_model("plans", "Target").objects.all()


def _require(predicate, user) -> None:
    # The same answer as a missing page: outsiders learn nothing about the register.
    if not predicate(user):
        raise Http404


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Hotspot register --------------------------------------------------------------------------------------


@login_required
def hotspot_list(request):
    _require(rules.can_see_hotspots, request.user)
    hotspots = selectors.hotspots_visible(request.user)
    status = request.GET.get("trang-thai", "")
    if status in HotspotStatus.values:
        hotspots = hotspots.filter(status=status)
    page = Paginator(hotspots.order_by("unit__path", "name"), 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "enforcement/hotspot_list.html",
        {
            "page": page,
            "statuses": HotspotStatus.choices,
            "status": status,
            "proposals": selectors.proposals_open(request.user)[:20],
            "can_register": rules.can_keep_register(request.user),
            "can_confirm": rules.can_confirm_reemergence(request.user),
            "targets": _targets()
            .filter(kind__in=(ELIMINATE, KEEP_CLEAN))
            .select_related("plan")
            .order_by("-plan__year", "plan__scope_unit__path", "code")[:10],
            "nav_current": "enforcement:hotspot_list",
        },
    )


@login_required
def hotspot_create(request):
    _require(rules.can_keep_register, request.user)
    form = HotspotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            hotspot = services.hotspot_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm tụ điểm vào sổ theo dõi."))
            return redirect("enforcement:hotspot_detail", hotspot.pk)
    return render(request, "enforcement/hotspot_form.html", {"form": form})


@login_required
def hotspot_detail(request, pk):
    hotspot = selectors.hotspot_get(request.user, pk)
    user = request.user
    return render(
        request,
        "enforcement/hotspot_detail.html",
        {
            "hotspot": hotspot,
            "events": hotspot.events.select_related("actor"),
            "patrols": hotspot.patrols.select_related("agency")[:50],
            "proposals": hotspot.proposals.all()[:20],
            "violations": hotspot.violation_links.select_related("violation__act")[:50],
            "linkable": selectors.violations_linkable(user, hotspot),
            "inspections": selectors.inspections_nearby(user, hotspot),
            "cases_here": cases_at(user, hotspot=hotspot),
            "tips": selectors.tips_visible(user).filter(hotspot=hotspot)[:20]
            if rules.can_take_tips(user)
            else None,
            "targets": TargetHotspot.objects.filter(hotspot=hotspot).select_related(
                "target_item__target__plan"
            ),
            "transition_form": TransitionForm(hotspot=hotspot) if rules.can_keep_register(user) else None,
            "can_patrol": rules.can_record_patrol(user),
            "can_confirm": rules.can_confirm_reemergence(user),
            "decision_form": DecisionForm(),
            "colours": STATUS_COLOURS,
        },
    )


@login_required
@require_POST
def hotspot_transition(request, pk):
    _require(rules.can_keep_register, request.user)
    hotspot = selectors.hotspot_get(request.user, pk)
    form = TransitionForm(request.POST, hotspot=hotspot)
    if form.is_valid():
        try:
            services.hotspot_transition(actor=request.user, hotspot=hotspot, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã cập nhật trạng thái tụ điểm."))
            return redirect("enforcement:hotspot_detail", hotspot.pk)
    return render(request, "enforcement/transition_form.html", {"hotspot": hotspot, "form": form}, status=400)


@login_required
def patrol_create(request, pk):
    _require(rules.can_record_patrol, request.user)
    hotspot = selectors.hotspot_get(request.user, pk)
    form = PatrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patrol = services.patrol_record(
                actor=request.user,
                hotspot=hotspot,
                agency=request.user.agency,
                patrolled_on=data["patrolled_on"],
                finding=data["finding"],
                people_sanctioned=data.get("people_sanctioned") or 0,
                note=data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            proposed = hotspot.proposals.filter(patrol=patrol).exists()
            messages.success(
                request,
                _("Đã ghi lượt tuần tra. Sổ theo dõi đề xuất xác nhận tụ điểm tái hoạt động.")
                if proposed
                else _("Đã ghi lượt tuần tra."),
            )
            return redirect("enforcement:hotspot_detail", hotspot.pk)
    return render(request, "enforcement/patrol_form.html", {"hotspot": hotspot, "form": form})


@login_required
@require_POST
def proposal_decide(request, pk):
    _require(rules.can_confirm_reemergence, request.user)
    proposal = selectors.proposal_get(request.user, pk)
    form = DecisionForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    if form.is_valid():
        try:
            services.proposal_decide(
                actor=request.user, proposal=proposal, confirm=confirm, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Đã xác nhận tụ điểm tái hoạt động.")
                if confirm
                else _("Đã ghi: không xác nhận tái hoạt động."),
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("enforcement:hotspot_detail", proposal.hotspot_id)


@login_required
def target_hotspots(request, target_pk):
    """A plan target's list of hotspots (T02, T06): each item and its register entry; add one."""
    _require(rules.can_see_hotspots, request.user)
    try:
        target = _targets().select_related("plan").get(pk=target_pk, kind__in=(ELIMINATE, KEEP_CLEAN))
    except (ObjectDoesNotExist, ValueError):
        raise Http404 from None
    visible = selectors.hotspots_visible(request.user)
    can_edit = rules.can_keep_register(request.user)
    candidates = visible.exclude(target_links__target_item__target=target)
    if target.kind == KEEP_CLEAN:
        candidates = candidates.filter(status__in=(*HotspotStatus.clean_values(), HotspotStatus.REEMERGED))
    form = TargetHotspotForm(request.POST or None, hotspots=candidates)
    if request.method == "POST":
        _require(lambda u: can_edit, request.user)
        if form.is_valid():
            try:
                services.target_hotspot_add(
                    actor=request.user, target=target, hotspot=form.cleaned_data["hotspot"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Đã thêm tụ điểm vào danh sách của chỉ tiêu."))
                return redirect("enforcement:target_hotspots", target.pk)
    items = target.items.select_related("unit", "hotspot_link__hotspot").order_by("order", "name")
    visible_ids = set(visible.filter(target_links__target_item__target=target).values_list("pk", flat=True))
    return render(
        request,
        "enforcement/target_hotspots.html",
        {"target": target, "items": items, "visible_ids": visible_ids, "form": form if can_edit else None},
    )


# Public tip page ---------------------------------------------------------------------------------------


def _public_context(form, **extra):
    return {"form": form, "max_mb": max_image_mb(), "pow_bits": settings.TIP_POW_BITS, **extra}


@never_cache
def tip_public(request):
    """The one page anyone may use without an account. Stores no address or device of the sender."""
    if request.method != "POST":
        form = TipForm(initial={"challenge": challenge_new()})
        return render(request, "enforcement/tip_public.html", _public_context(form))
    form = TipForm(request.POST, request.FILES)
    if not throttle("tip", client_key(request), limit=settings.TIP_RATE_PER_CLIENT):
        return render(
            request, "enforcement/tip_public.html", _public_context(form, refused=RATE_MESSAGE), status=429
        )
    if request.POST.get("website"):
        # The honeypot (hidden from people) was filled in: nothing is stored.
        return render(
            request,
            "enforcement/tip_public.html",
            _public_context(
                TipForm(initial={"challenge": challenge_new()}),
                refused=_("Không gửi được tin báo. Vui lòng tải lại trang và thử lại."),
            ),
            status=400,
        )
    if form.is_valid():
        data = form.cleaned_data
        tip = None
        try:
            # The challenge is marked used in the tip's own transaction: one commit per tip, and a tip
            # refused below leaves nothing behind.
            with transaction.atomic():
                problem = challenge_check(data["challenge"], data["nonce"])
                if problem is None:
                    tip, code = services.tip_submit(
                        what=data["what"],
                        unit=data["unit"],
                        address=data["address"],
                        place_name=data["place_name"],
                        when=data["when"],
                        contact=data["contact"],
                        images=data["images"],
                    )
        except IntegrityError:  # the same challenge sent twice at once: the other request stored the tip
            problem = str(CHALLENGE_USED)
        except ValidationError as error:
            problem = None
            _apply_errors(form, error)
        if problem:
            form.add_error(None, problem)
        elif tip is not None:
            response = render(request, "enforcement/tip_receipt.html", {"receipt": code, "tip": tip})
            response["Cache-Control"] = "no-store"
            return response
    # A fresh challenge with the form shown again (a challenge is accepted once).
    data = form.data.copy()
    data["challenge"] = challenge_new()
    data["nonce"] = ""
    form.data = data
    return render(request, "enforcement/tip_public.html", _public_context(form), status=400)


def _tip_for_receipt(request, code: str):
    """The tip of a receipt, or None; every call takes the same time whatever the answer."""
    started = time.monotonic()
    tip = selectors.tip_by_receipt(code)
    time.sleep(max(0.0, RECEIPT_ANSWER_SECONDS - (time.monotonic() - started)))
    return tip


@never_cache
def tip_status(request):
    """Check a tip by its receipt (POST, so the code stays out of addresses and logs)."""
    form = ReceiptForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if not throttle("receipt-client", client_key(request), limit=settings.TIP_RATE_PER_RECEIPT):
            context["refused"] = RATE_MESSAGE
            return render(request, "enforcement/tip_status.html", context, status=429)
        if form.is_valid():
            code = form.cleaned_data["receipt"]
            tip = _tip_for_receipt(request, code)
            if tip is None or not throttle(
                "receipt", tip.receipt_hash[:40], limit=settings.TIP_RATE_PER_RECEIPT, window_seconds=3600
            ):
                context["unknown"] = UNKNOWN_RECEIPT
                context["form"] = ReceiptForm()  # the typed code is not echoed back
            else:
                context.update(
                    found=True,
                    status_label=TipStatus(tip.status).label,
                    received_on=tip.received_on,
                    closed=tip.status == TipStatus.CLOSED,
                    add_form=TipAddForm(initial={"receipt": code}),
                    max_mb=max_image_mb(),
                )
    return render(request, "enforcement/tip_status.html", context)


@never_cache
@require_POST
def tip_add(request):
    """The sender adds information through the receipt."""
    form = TipAddForm(request.POST, request.FILES)
    if not throttle("receipt-client", client_key(request), limit=settings.TIP_RATE_PER_RECEIPT):
        return render(
            request,
            "enforcement/tip_status.html",
            {"form": ReceiptForm(), "refused": RATE_MESSAGE},
            status=429,
        )
    code = request.POST.get("receipt", "")
    tip = _tip_for_receipt(request, code)
    if tip is None or not throttle(
        "receipt", tip.receipt_hash[:40], limit=settings.TIP_RATE_PER_RECEIPT, window_seconds=3600
    ):
        return render(
            request,
            "enforcement/tip_status.html",
            {"form": ReceiptForm(), "unknown": UNKNOWN_RECEIPT},
            status=404,
        )
    context = {
        "form": ReceiptForm(),
        "found": True,
        "status_label": TipStatus(tip.status).label,
        "received_on": tip.received_on,
        "closed": tip.status == TipStatus.CLOSED,
        "add_form": form,
        "max_mb": max_image_mb(),
    }
    if form.is_valid():
        try:
            services.tip_add_information(
                tip=tip, text=form.cleaned_data["text"], images=form.cleaned_data["images"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            context["added"] = True
            context["add_form"] = TipAddForm(initial={"receipt": code})
            return render(request, "enforcement/tip_status.html", context)
    return render(request, "enforcement/tip_status.html", context, status=400)


# Intake and triage -------------------------------------------------------------------------------------


@login_required
def tip_list(request):
    _require(rules.can_take_tips, request.user)
    tips = selectors.tips_visible(request.user)
    status = request.GET.get("trang-thai", "")
    if status in TipStatus.values:
        tips = tips.filter(status=status)
    page = Paginator(tips, 50).get_page(request.GET.get("trang"))
    selectors.tips_mark_now_part_of(page)
    return render(
        request,
        "enforcement/tip_list.html",
        {
            "page": page,
            "statuses": TipStatus.choices,
            "status": status,
            "nav_current": "enforcement:tip_list",
        },
    )


@login_required
def tip_intake(request):
    """Officers type a hotline or mailbox tip in the same structure as the public page."""
    _require(rules.can_take_tips, request.user)
    form = TipIntakeForm(
        request.POST or None, request.FILES or None, root_path=request.user.jurisdiction_path
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tip, code = services.tip_submit(
                actor=request.user,
                channel=data["channel"],
                what=data["what"],
                unit=data["unit"],
                address=data["address"],
                place_name=data["place_name"],
                when=data["when"],
                contact=data["contact"],
                images=data["images"],
                with_receipt=data["with_receipt"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if code:
                response = render(
                    request, "enforcement/tip_receipt.html", {"receipt": code, "tip": tip, "officer": True}
                )
                response["Cache-Control"] = "no-store"
                return response
            messages.success(request, _("Đã ghi tin báo."))
            return redirect("enforcement:tip_detail", tip.pk)
    return render(request, "enforcement/tip_intake.html", {"form": form, "max_mb": max_image_mb()})


@login_required
def tip_detail(request, pk, link_form=None):
    tip = selectors.tip_get(request.user, pk, path=request.path)
    selectors.tips_mark_now_part_of([tip])
    can_triage = rules.can_triage_tips(request.user)
    hotspots = selectors.hotspots_visible(request.user).order_by("name")
    form = (
        TriageForm(
            (request.POST or None) if link_form is None else None,
            user=request.user,
            hotspots=hotspots,
            tip=tip,
        )
        if can_triage
        else None
    )
    if request.method == "POST" and link_form is None:
        _require(lambda u: can_triage, request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.tip_triage(
                    actor=request.user,
                    tip=tip,
                    assigned_agency=data["assigned_agency"],
                    assigned_team=data["assigned_team"],
                    hotspot=data["hotspot"],
                    status=data["status"] or None,
                    outcome=data["outcome"] or None,
                    outcome_note=data["outcome_note"],
                    note=data["note"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Đã lưu xử lý tin báo."))
                return redirect("enforcement:tip_detail", tip.pk)
    return render(
        request,
        "enforcement/tip_detail.html",
        {
            "tip": tip,
            "form": form,
            "events": tip.events.select_related("actor"),
            "additions": tip.additions.all(),
            "attachments": tip.attachments.select_related("file"),
            "links": selectors.tip_links(tip),
            "link_form": link_form or TipLinkForm() if can_triage else None,
        },
        status=400 if link_form is not None else 200,
    )


@login_required
@require_POST
def tip_link_add(request, pk):
    """Link a tip to an establishment, an inspection, a criminal case or a hotspot the officer may open."""
    _require(rules.can_triage_tips, request.user)
    tip = selectors.tip_get(request.user, pk, path=request.path)
    form = TipLinkForm(request.POST)
    if form.is_valid():
        try:
            services.tip_link(
                actor=request.user,
                tip=tip,
                kind=form.cleaned_data["kind"],
                object_id=form.cleaned_data["object_id"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã liên kết tin báo với hồ sơ."))
            return redirect("enforcement:tip_detail", tip.pk)
    return tip_detail(request, pk, link_form=form)


@login_required
def tip_image(request, pk):
    """A tip's image, for the officers who may read the tip (``core.uploads`` sends it)."""
    return download_response(selectors.tip_attachment_get(request.user, pk).file)


@login_required
def tip_stats(request):
    """Tips received, verified and median days to first action, by channel and by district."""
    _require(rules.can_take_tips, request.user)
    return render(
        request,
        "enforcement/tip_stats.html",
        {
            "stats": tip_statistics(selectors.tips_visible(request.user)),
            "nav_current": "enforcement:tip_stats",
        },
    )


@login_required
def hotspot_map(request):
    """Hotspots in reach as points coloured by status over the district choropleth (active per district).

    A hotspot without coordinates sits at its district's centre; a click opens the hotspot."""
    _require(rules.can_see_hotspots, request.user)
    detail = reverse("enforcement:hotspot_list")  # "/tu-diem/": a hotspot is "/tu-diem/<pk>/"
    open_statuses = set(HotspotStatus.open_values())
    active: dict[str, int] = {}
    centres: dict[str, tuple[float, float] | None] = {}  # district path → its centre (one look-up each)
    points = []
    placed_at_centre = 0
    for pk, name, status, lat, lon, path in selectors.hotspot_map_rows(request.user):
        district_path = path[:6]
        if status in open_statuses and len(district_path) == 6:
            active[district_path[3:]] = active.get(district_path[3:], 0) + 1
        if lat is None:
            if district_path not in centres:
                centres[district_path] = unit_centre(_PathOnly(district_path))
            centre = centres[district_path]
            if centre is None:
                continue
            lon, lat = centre
            placed_at_centre += 1
        # The points as org.maps writes them (``MapPoint``), built here in one pass: 5,000 of them.
        points.append(
            {"label": name, "lng": float(lon), "lat": float(lat), "category": status, "url": f"{detail}{pk}/"}
        )
    the_map = district_map(
        element_id="hotspot-map",
        title=_("Tụ điểm mại dâm công cộng"),
        values=active,
        categories={s.value: (str(s.label), STATUS_COLOURS[s]) for s in HotspotStatus},
    )
    if the_map is not None:
        the_map.config["points"] = points
    return render(
        request,
        "enforcement/hotspot_map.html",
        {
            "map": the_map,
            "count": len(points),
            "placed_at_centre": placed_at_centre,
            "active": sum(active.values()),
        },
    )


class _PathOnly:
    """What ``org.maps.unit_centre`` reads of a unit: its path (no query for the unit row)."""

    def __init__(self, path: str):
        self.path = path


@login_required
@require_POST
def hotspot_violation_link(request, pk):
    """Say that one of the violations recorded in the hotspot's unit took place at the hotspot."""
    _require(rules.can_keep_register, request.user)
    hotspot = selectors.hotspot_get(request.user, pk)
    violation = next(
        (
            v
            for v in selectors.violations_linkable(request.user, hotspot)
            if str(v.pk) == request.POST.get("violation")
        ),
        None,
    )
    if violation is None:
        messages.error(request, _("Chọn một vi phạm trong danh sách."))
    else:
        try:
            services.violation_link(actor=request.user, hotspot=hotspot, violation=violation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã gắn vi phạm với tụ điểm."))
    return redirect("enforcement:hotspot_detail", hotspot.pk)
