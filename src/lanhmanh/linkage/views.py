"""Review queue, pair decisions, merge history with unmerge, and deduplication runs with progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lanhmanh.core.jobs import progress_page
from lanhmanh.core.listing import Sort, listing
from lanhmanh.linkage import engine, selectors, services
from lanhmanh.linkage.forms import ClusterForm, DecisionForm, QueueFilterForm, RunStartForm
from lanhmanh.linkage.models import CandidatePair
from lanhmanh.linkage.rules import can_manage_runs
from lanhmanh.people.forms import PurposeForm
from lanhmanh.people.selectors import identities_shown, support_of, violations_of

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


SESSION_REVIEW_PURPOSE = "linkage_review_purpose"
QUEUE_SORTS = {
    "uu-tien": Sort(gettext_lazy("Ưu tiên"), key=lambda c: (not c.in_jurisdiction, -c.value, c.anchor)),
    "cum": Sort(gettext_lazy("Cụm"), key=lambda c: c.anchor),
    "so-ho-so": Sort(gettext_lazy("Số hồ sơ"), key=lambda c: (c.size, c.anchor), descending_first=True),
    "lien-ket-yeu": Sort(
        gettext_lazy("Liên kết yếu"), key=lambda c: (c.weak_links, c.anchor), descending_first=True
    ),
    "gia-tri": Sort(gettext_lazy("Giá trị"), key=lambda c: (c.value, c.anchor), descending_first=True),
    "dia-ban": Sort(gettext_lazy("Địa bàn"), key=lambda c: (not c.in_jurisdiction, c.anchor)),
}


@login_required
def queue(request):
    """Candidate clusters, the reviewer's jurisdiction first, then by value; filter, sort, pages."""
    every = selectors.review_queue(request.user)
    districts = selectors.district_names({d for c in every for d in c.districts})
    filters = QueueFilterForm(request.GET, districts=districts)
    clusters = listing(request.GET, filters.apply(every), sorts=QUEUE_SORTS, default="uu-tien")
    return render(
        request,
        "linkage/queue.html",
        {
            "clusters": list(clusters.page),
            "listing": clusters,
            "filters": filters,
            "reviews": selectors.reviews_recent(request.user),
            "version": selectors.model_latest(),
            "can_run": can_manage_runs(request.user),
            "nav_current": "linkage:queue",
        },
    )


def _review_purpose(request, anchor: int):
    """The purpose stated for reviewing duplicates in this session (asked once), or the page asking it."""
    chosen = request.session.get(SESSION_REVIEW_PURPOSE)
    if chosen is not None:
        return chosen, None
    if request.method == "POST" and "purpose" in request.POST:
        form = PurposeForm(request.POST)
        if form.is_valid():
            request.session[SESSION_REVIEW_PURPOSE] = {
                "purpose": form.cleaned_data["purpose"],
                "detail": form.cleaned_data["detail"],
            }
            return None, redirect("linkage:cluster_detail", pk=anchor)
    else:
        form = PurposeForm()  # no purpose chosen in advance (issue 17)
    return None, render(request, "linkage/cluster_purpose.html", {"anchor": anchor, "form": form})


@login_required
def cluster_detail(request, pk: int):
    """A candidate cluster on one screen: its records and their histories side by side, the links with
    the weak ones marked; split and confirm in one act (keyboard: s, d, u, n, 1–9). Every view logged."""
    cluster, next_anchor = selectors.cluster_and_next(request.user, pk)
    chosen, purpose_page = _review_purpose(request, pk)
    if purpose_page is not None:
        return purpose_page
    form = ClusterForm(cluster.members, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.cluster_decide(
                actor=request.user,
                cluster=cluster,
                groups=form.groups,
                seen=request.POST.get("seen", ""),
                unsure=form.action == "unsure",
                note=form.note,
            )
        except ValidationError as error:
            form.errors.extend(error.messages)
        else:
            version = services.model_relearn(actor=request.user)
            text = _("Đã ghi kết luận cho cụm %(n)s hồ sơ (lần xem xét #%(review)s).") % {
                "n": cluster.size,
                "review": review.pk,
            }
            if version is not None:
                text += " " + _(
                    "Mô hình đã học lại (phiên bản %(v)s) và chấm lại %(k)s cặp chưa kết luận."
                ) % {
                    "v": version.number,
                    "k": version.rescored,
                }
            messages.success(request, text)
            upcoming = selectors.review_queue(request.user)
            if upcoming:
                return redirect("linkage:cluster_detail", pk=upcoming[0].anchor)
            return redirect("linkage:queue")
    persons = selectors.cluster_persons(request.user, cluster)
    identities_shown(
        request.user,
        persons,
        purpose=chosen["purpose"],
        detail=(_("Cụm hồ sơ nghi trùng (cặp #%(pair)s)") % {"pair": pk} + " " + chosen["detail"]).strip(),
        path=request.path,
    )
    posted = request.POST if request.method == "POST" else {}
    records = [
        {
            "index": index,
            "person": person,
            "violations": list(violations_of(request.user, person)),
            "support": support_of(request.user, person),
            "group": posted.get(f"group_{person.pk}", "1"),
        }
        for index, person in enumerate(persons, start=1)
    ]
    return render(
        request,
        "linkage/cluster_detail.html",
        {
            "cluster": cluster,
            "records": records,
            "choices": form.choices(),
            "errors": form.errors,
            "apart": selectors.cluster_apart(cluster),
            "next_anchor": next_anchor,
            "version": selectors.model_latest(),
            "nav_current": "linkage:queue",
        },
    )


@login_required
@require_POST
def review_undo(request, pk: int):
    review = selectors.review_get(request.user, pk)
    try:
        services.review_undo(actor=request.user, review=review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        services.model_relearn(actor=request.user)
        messages.success(
            request,
            _("Đã hoàn tác lần xem xét #%(review)s: các hồ sơ trở lại như trước.") % {"review": review.pk},
        )
    return redirect("linkage:queue")


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
                seen=request.POST.get("seen"),
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
    form = RunStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = services.run_start(actor=request.user, precision=form.cleaned_data["precision"])
        return redirect("linkage:run_detail", pk=run.pk)
    return render(request, "linkage/run_list.html", {"runs": runs, "form": form})


@login_required
def run_detail(request, pk: int):
    """A run's page: its job's progress (polled at ``run_progress`` until it is finished), then its results."""
    run = selectors.run_get(request.user, pk)
    if run.job is None:
        raise Http404
    return progress_page(
        request,
        run.job,
        poll_url=reverse("linkage:run_progress", args=[run.pk]),
        template="linkage/run_detail.html",
        context={
            "run": run,
            "details": "linkage/_run_results.html",
            "to_check": _merges_to_check(request, run),
        },
    )


def _merges_to_check(request, run):
    if run.job is None or not run.job.finished:
        return None
    merges, total = selectors.run_merges_to_check(request.user, run)
    return {"merges": merges, "total": total, "threshold": engine.UPPER_THRESHOLD}


run_progress = run_detail  # the poll: htmx gets the fragment only (core.jobs.progress_page)


@login_required
def batch(request):
    """Patterns a reviewer may approve once to confirm every pending pair that fits (each decision audited,
    the whole batch undoable). The pairs of the chosen pattern are shown (purpose-logged) before approval."""
    counts = selectors.pattern_counts(request.user)
    key = request.GET.get("mau") or request.POST.get("mau") or ""
    context = {"counts": counts, "key": key, "nav_current": "linkage:queue"}
    if not key:
        return render(request, "linkage/batch.html", context)
    pairs = selectors.pattern_pairs(request.user, key)
    if not pairs:
        messages.info(request, _("Không có cặp nào chờ xem xét khớp với mẫu này."))
        return redirect("linkage:batch")
    chosen = request.session.get(SESSION_REVIEW_PURPOSE)
    if chosen is None:
        return redirect("linkage:cluster_detail", pk=pairs[0].pk)  # states the session's purpose first
    if request.method == "POST" and request.POST.get("approve") == key:
        review, skipped = services.batch_confirm(actor=request.user, pattern=key, pairs=pairs)
        if review is None:
            messages.error(request, " ".join(str(s) for s in skipped))
            return redirect("linkage:batch")
        services.model_relearn(actor=request.user)
        done = review.decisions.count()
        text = _("Đã xác nhận %(n)s cặp theo mẫu (lần xem xét #%(review)s, có thể hoàn tác).") % {
            "n": done,
            "review": review.pk,
        }
        if skipped:
            text += " " + _("Bỏ qua %(k)s cặp: %(why)s") % {
                "k": len(skipped),
                "why": " ".join(map(str, skipped)),
            }
        messages.success(request, text)
        return redirect("linkage:queue")
    shown = pairs[: selectors.BATCH_PREVIEW]
    identities_shown(
        request.user,
        [p for pair in shown for p in (pair.person_a, pair.person_b)],
        purpose=chosen["purpose"],
        detail=(_("Xác nhận hàng loạt theo mẫu") + " " + chosen["detail"]).strip(),
        path=request.path,
    )
    context.update({"pattern": selectors.PATTERNS[key], "pairs": shown, "total": len(pairs)})
    return render(request, "linkage/batch.html", context)
