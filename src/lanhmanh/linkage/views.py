"""Review queue, pair decisions, merge history with unmerge, and deduplication runs with progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.forms import DecisionForm
from lanhmanh.linkage.models import CandidatePair
from lanhmanh.linkage.rules import can_manage_runs
from lanhmanh.people.forms import PurposeForm
from lanhmanh.people.selectors import identities_shown

SESSION_PURPOSES = "linkage_purposes"


def _pair_purpose(request, pair: CandidatePair):
    """The purpose stated for this pair in this session, or the purpose page to state it (a response)."""
    key = str(pair.pk)
    chosen = request.session.get(SESSION_PURPOSES, {}).get(key)
    if chosen is not None:
        return chosen, None
    if request.method == "POST" and "purpose" in request.POST:
        form = PurposeForm(request.POST)
        if form.is_valid():
            purposes = dict(request.session.get(SESSION_PURPOSES, {}))
            purposes[key] = {"purpose": form.cleaned_data["purpose"], "detail": form.cleaned_data["detail"]}
            request.session[SESSION_PURPOSES] = purposes
            return None, redirect("linkage:pair_detail", pk=pair.pk)
    else:
        form = PurposeForm()
    return None, render(request, "linkage/pair_purpose.html", {"pair": pair, "form": form})


@login_required
def queue(request):
    pairs = list(selectors.pairs_for_review(request.user)[:100])
    return render(
        request,
        "linkage/queue.html",
        {"pairs": pairs, "can_run": can_manage_runs(request.user), "nav_current": "linkage:queue"},
    )


@login_required
def pair_detail(request, pk: int):
    """Both identities side by side, after a stated purpose (once per pair and session); each view logged."""
    pair = selectors.pair_get(request.user, pk)
    chosen, purpose_page = _pair_purpose(request, pair)
    if purpose_page is not None:
        return purpose_page
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_decide(
                actor=request.user,
                pair=pair,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã ghi kết luận cho cặp hồ sơ."))
            if form.cleaned_data["decision"] == "same":
                return redirect("linkage:person_history", pk=pair.person_a_id)
            return redirect("linkage:queue")
    identities_shown(
        request.user,
        [pair.person_a, pair.person_b],
        purpose=chosen["purpose"],
        detail=(_("Cặp hồ sơ nghi trùng #%(pair)s") % {"pair": pair.pk} + " " + chosen["detail"]).strip(),
        path=request.path,
    )
    return render(
        request,
        "linkage/pair_detail.html",
        {"pair": pair, "form": form, "decisions": pair.decisions.select_related("decided_by")},
    )


@login_required
def person_history(request, pk: int):
    """A person's merge history; a merged person's former id redirects to the survivor."""
    current = selectors.resolve_person_id(pk)
    if current != pk:
        selectors.person_merges(request.user, current)  # 404 unless the survivor is visible
        return redirect("linkage:person_history", pk=current)
    person, merges = selectors.person_merges(request.user, pk)
    return render(request, "linkage/person_history.html", {"person": person, "merges": merges})


@login_required
@require_POST
def merge_unmerge(request, pk: int):
    merge = selectors.merge_get(request.user, pk)
    try:
        services.merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã hoàn tác hợp nhất: hai hồ sơ đã tách lại như trước."))
    return redirect("linkage:person_history", pk=merge.survivor_id)


@login_required
def run_list(request):
    runs = selectors.runs(request.user)
    if request.method == "POST":
        run = services.run_start(actor=request.user)
        return redirect("linkage:run_detail", pk=run.pk)
    return render(request, "linkage/run_list.html", {"runs": runs})


@login_required
def run_detail(request, pk: int):
    run = selectors.run_get(request.user, pk)
    return render(request, "linkage/run_detail.html", {"run": run})


@login_required
def run_progress(request, pk: int):
    run = selectors.run_get(request.user, pk)
    return render(request, "linkage/run_progress.html", {"run": run})
