"""Pages of the reporting app: inbox, entry by section (htmx), approval, completeness, documents."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lanhmanh.core.audit import history
from lanhmanh.core.documents import download_name
from lanhmanh.core.periods import Period, parse
from lanhmanh.core.pickers import default_year, period_picker
from lanhmanh.org.levels import is_top
from lanhmanh.org.models import Role
from lanhmanh.plans.selectors import plan_year_for
from lanhmanh.reporting import documents, services
from lanhmanh.reporting.aggregation import consolidate
from lanhmanh.reporting.completeness import completeness
from lanhmanh.reporting.forms import (
    AdHocRequestForm,
    DecisionForm,
    OpenReportForm,
    SectionForm,
    SubmitForm,
    UpwardRequestForm,
)
from lanhmanh.reporting.models import AdHocRequest, Notification, ReportForm, Status, Submission
from lanhmanh.reporting.rules import can_approve, can_enter, is_approver, is_submitter
from lanhmanh.reporting.selectors import (
    approval_queue_for,
    consolidation_unit,
    forms_for_agency,
    forms_visible_for_completeness,
    inbox_for,
    notifications_for,
    reports_by_unit,
    sanctioned_sellers,
    sanctioned_sellers_of_consolidation,
    submission_for,
)

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_STATUS_LABELS = dict(Status.choices)  # the history says "→ Đã duyệt", never the stored code
RENDERERS = {"docx": documents.to_docx, "xlsx": documents.to_xlsx, "pdf": documents.to_pdf}


def _errors(exc: ValidationError) -> list[str]:
    """The messages of ``exc``, each once (a rule between fields names every field it involves)."""
    if hasattr(exc, "message_dict"):
        return list(dict.fromkeys(m for messages_ in exc.message_dict.values() for m in messages_))
    return list(exc.messages)


def _invalid_decision(request, form, pk: int):
    """A note or comment refused (too long, a NUL byte): its message on the report page, nothing done.

    A post without a valid version was not sent by our page: 404 as before.
    """
    if "version" in form.errors:
        raise Http404
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("reporting:detail", pk=pk)


def _require_reporting_user(user) -> None:
    if not (is_submitter(user) or is_approver(user)):
        raise Http404


@login_required
def inbox(request):
    """What the officer's agency has to report (due periods, open work, ad hoc requests)."""
    _require_reporting_user(request.user)
    context = inbox_for(request.user)
    forms_qs = ReportForm.objects.filter(pk__in=[f.pk for f in context["forms"]])
    context["open_form"] = OpenReportForm(forms_qs=forms_qs, year=default_year(request.user))
    context["approves"] = is_approver(request.user)
    context["records_upward"] = request.user.has_role(Role.CITY_COORDINATOR) and is_top(
        request.user.jurisdiction_path
    )
    context["queue_count"] = len(approval_queue_for(request.user)) if context["approves"] else 0
    context["unread"] = notifications_for(request.user).filter(read_at__isnull=True).count()
    return render(request, "reporting/inbox.html", context)


@login_required
@require_POST
def open_report(request):
    """Open (or create) the agency's report for a form and period; ad hoc ones by request."""
    _require_reporting_user(request.user)
    request_id = request.POST.get("request")
    try:
        if request_id:
            ad_hoc = get_object_or_404(AdHocRequest, pk=request_id)
            submission = services.submission_open(actor=request.user, form=ad_hoc.form, request=ad_hoc)
        else:
            allowed = ReportForm.objects.filter(pk__in=[f.pk for f in forms_for_agency(request.user.agency)])
            form = OpenReportForm(request.POST, forms_qs=allowed)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("reporting:inbox")
            submission = services.submission_open(
                actor=request.user, form=form.cleaned_data["form"], period_id=form.cleaned_data["period_id"]
            )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("reporting:inbox")
    return redirect("reporting:detail", pk=submission.pk)


def _detail_context(
    request, submission: Submission, section_code: str | None = None, section_form=None, *, partial=False
):
    """The report page's context; ``partial``: only what the htmx section partial shows (the report, the
    section, its form and the values), without the history, the changes since approval and the workflow
    forms the full page adds (their queries and the decoding of twenty audit rows at every section save)."""
    sections = list(submission.form.sections.all())
    section = next((s for s in sections if s.code == section_code), sections[0] if sections else None)
    values = {v.field.code: v for v in submission.values.select_related("field")}
    # The form's fields, read once per form object (the records' refresh and the save read them too).
    fields = [f for f in services.form_fields(submission.form) if section and f.section_id == section.pk]
    editable = can_enter(request.user, submission) and submission.status in ("draft", "returned", "approved")
    if section is not None and section_form is None and editable:
        section_form = SectionForm(
            initial={"version": submission.version},
            fields=fields,
            values=values,
            needs_reopen=submission.status == "approved",
        )
    if partial:
        return {"submission": submission, "section": section, "values": values, "section_form": section_form}
    return {
        "submission": submission,
        "sections": sections,
        "section": section,
        "section_fields": fields,
        "values": values,
        "section_form": section_form,
        "editable": editable,
        "can_submit": can_enter(request.user, submission) and submission.is_editable,
        "can_decide": can_approve(request.user, submission) and submission.status == "submitted",
        "changes": services.changes_since_approval(submission),
        "history": [
            (row, _STATUS_LABELS.get((row.after or {}).get("status"), ""))
            for row in history(submission).select_related("actor")[:20]
        ],
        "submit_form": SubmitForm(initial={"version": submission.version}),
        "decision_form": DecisionForm(initial={"version": submission.version}),
    }


@login_required
def detail(request, pk: int):
    """One report: its sections (the chosen one editable), workflow actions, history, downloads."""
    submission = submission_for(request.user, pk)
    if can_enter(request.user, submission):
        services.submission_refresh_computed(submission)
    context = _detail_context(request, submission, request.GET.get("muc"))
    context["sellers"] = sanctioned_sellers(request.user, submission, path=request.path)
    return render(request, "reporting/detail.html", context)


@login_required
def section_edit(request, pk: int, section: str):
    """GET: one section's form (htmx partial or full page). POST: save it (ConflictError → message)."""
    submission = submission_for(request.user, pk)
    if not can_enter(request.user, submission):
        raise Http404
    section_obj = get_object_or_404(submission.form.sections, code=section)
    if request.method != "POST":
        context = _detail_context(request, submission, section, partial=bool(request.htmx))
        template = "reporting/detail.html#section" if request.htmx else "reporting/detail.html"
        return render(request, template, context)
    values = {v.field.code: v for v in submission.values.select_related("field")}
    fields = [f for f in services.form_fields(submission.form) if f.section_id == section_obj.pk]
    form = SectionForm(
        request.POST, fields=fields, values=values, needs_reopen=submission.status == "approved"
    )
    status = 200
    saved = ""
    if form.is_valid():
        payload, reasons, confirmed = form.payload()
        try:
            services.submission_save(
                actor=request.user,
                submission=submission,
                values=payload,
                version=form.cleaned_data["version"],
                reasons=reasons,
                confirmed=confirmed,
                reopen_reason=form.cleaned_data.get("reopen_reason", ""),
            )
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            for code, errors in exc.message_dict.items():
                target = code if code in form.fields else None
                for error in errors:
                    form.add_error(target, error)
            status = 422 if not request.htmx else 200
        else:
            saved = _("Đã lưu mục “%s”.") % section_obj.title
            if not request.htmx:
                messages.success(request, saved)
                return redirect(f"{submission_url(submission)}?muc={section}")
            services.submission_reload(submission)  # keeps its form and fields, agency and unit
            form = None
    context = _detail_context(request, submission, section, section_form=form, partial=bool(request.htmx))
    context["saved"] = saved
    if request.htmx:
        return render(request, "reporting/detail.html#section", context)
    return render(request, "reporting/detail.html", context, status=status)


def submission_url(submission: Submission) -> str:

    return reverse("reporting:detail", args=[submission.pk])


@login_required
@require_POST
def submit(request, pk: int):
    submission = submission_for(request.user, pk)
    form = SubmitForm(request.POST)
    if not can_enter(request.user, submission):
        raise Http404
    if not form.is_valid():
        return _invalid_decision(request, form, pk)
    try:
        services.submission_submit(
            actor=request.user,
            submission=submission,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
    except services.ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("reporting:detail", pk=pk)


@login_required
@require_POST
def approve(request, pk: int):
    submission = submission_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not can_approve(request.user, submission):
        raise Http404
    if not form.is_valid():
        return _invalid_decision(request, form, pk)
    try:
        services.submission_approve(
            actor=request.user, submission=submission, version=form.cleaned_data["version"]
        )
        messages.success(request, _("Đã duyệt báo cáo của %s.") % submission.agency.name)
    except (services.ConflictError, ValidationError) as exc:
        for message in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, message)
        return redirect("reporting:detail", pk=pk)
    return redirect("reporting:queue")


@login_required
@require_POST
def send_back(request, pk: int):
    submission = submission_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not can_approve(request.user, submission):
        raise Http404
    if not form.is_valid():
        return _invalid_decision(request, form, pk)
    try:
        services.submission_return(
            actor=request.user,
            submission=submission,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
        )
        messages.success(request, _("Đã trả lại báo cáo của %s.") % submission.agency.name)
    except (services.ConflictError, ValidationError) as exc:
        for message in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, message)
        return redirect("reporting:detail", pk=pk)
    return redirect("reporting:queue")


@login_required
def approval_queue(request):
    if not is_approver(request.user):
        raise Http404
    return render(request, "reporting/queue.html", {"queue": approval_queue_for(request.user)})


def _chosen_form_and_period(request, forms: list[ReportForm]):
    form = next((f for f in forms if f.code == request.GET.get("bieu-mau")), forms[0] if forms else None)
    period_id = request.GET.get("ky", "").strip()
    error = None
    period = None
    if form is not None and not form.is_ad_hoc:
        if period_id:
            try:
                period = parse(period_id)
            except ValueError as exc:
                error = str(exc)
        if period is None:
            latest = (
                Submission.objects.filter(form=form, request__isnull=True).order_by("-period_start").first()
            )
            period = latest.period if latest else _default_period(request.user, form)
        if form.period_kind and period.kind != form.period_kind:
            error = _("Biểu mẫu “%(form)s” lập theo kỳ %(kind)s.") % {
                "form": form.short_name,
                "kind": form.get_periodicity_display().lower(),
            }
            period = Period.containing(period.start, form.period_kind)
    return form, period, error


def _default_period(user, form: ReportForm) -> Period:
    """The last period of the form's kind that has ended, in the year of the plan the user works under
    (the 2014 demo opens on 2014)."""
    today = timezone.localdate()
    year = plan_year_for(user, today)
    if year < today.year:
        return Period.containing(dt.date(year, 12, 31), form.period_kind)
    return Period.containing(today, form.period_kind).previous()


def _picker(form, period) -> dict | None:
    if form is None or period is None or not form.period_kind:
        return None
    return period_picker(period, kinds=(form.period_kind,))


def _late_query(request, result) -> dict[str, str]:
    """The query strings of the previous and next pages of the late list (the other parameters kept)."""
    if result is None:
        return {}
    links = {}
    for name, page in (("previous", result.late_page - 1), ("next", result.late_page + 1)):
        if 1 <= page <= result.late_pages:
            query = request.GET.copy()
            query["trang"] = str(page)
            links[name] = query.urlencode()
    return links


def _page_number(raw: str | None) -> int:
    """A page number from the query string; anything else is page 1."""
    # Bound the length before int(): 5,000 digits would raise ValueError (Python's 4,300-digit limit).
    return int(raw) if raw and len(raw) <= 5 and raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


@login_required
def completeness_page(request):
    """Expected / received / on time by unit one level down, and the list of who is late."""
    if not is_approver(request.user):
        raise Http404
    forms = forms_visible_for_completeness(request.user)
    form, period, error = _chosen_form_and_period(request, forms)
    unit = consolidation_unit(request.user, request.GET.get("don-vi"))
    late_page = _page_number(request.GET.get("trang"))
    result = None
    requests = []
    if form is not None:
        if form.is_ad_hoc:
            requests = list(AdHocRequest.objects.filter(form=form).order_by("-created_at")[:20])
            chosen = next(
                (r for r in requests if str(r.pk) == request.GET.get("yeu-cau")),
                requests[0] if requests else None,
            )
            if chosen is not None:
                result = completeness(form, scope_path=unit.path, request=chosen, late_page=late_page)
        else:
            result = completeness(form, scope_path=unit.path, period_id=period.id, late_page=late_page)
    rows = []
    if result is not None:
        reports = (
            reports_by_unit(request.user, form, period.id, [r.path for r in result.rows])
            if not form.is_ad_hoc
            else {}
        )
        rows = [(row, reports.get(row.path)) for row in result.rows]
    context = {
        "forms": forms,
        "form": form,
        "period": period,
        "error": error,
        "unit": unit,
        "result": result,
        "rows": rows,
        "requests": requests,
        "late_query": _late_query(request, result),
        "picker": _picker(form, period),
        "picker_query": f"bieu-mau={form.code}&don-vi={unit.path}" if form else "",
    }
    template = "reporting/completeness.html#table" if request.htmx else "reporting/completeness.html"
    return render(request, template, context)


@login_required
def consolidated(request):
    """The consolidated figures of a form for a unit and period, with downloads."""
    _require_reporting_user(request.user)
    unit = consolidation_unit(request.user, request.GET.get("don-vi"))
    forms = [f for f in ReportForm.objects.filter(active=True, submitter_level=unit.level) if not f.is_ad_hoc]
    if not is_approver(request.user):
        forms = [f for f in forms if f.submitter_agency_kind == request.user.agency.kind]
    asked = request.GET.get("bieu-mau", "")
    if asked and asked not in {f.code for f in forms}:
        # From the completeness page of a lower level's form (xa-thang): the form of this level that
        # adds it up, for the same kind of period (huyen-thang).
        lower = ReportForm.objects.filter(code=asked).first()
        rolls_up = [
            f
            for f in forms
            if lower is not None
            and f.periodicity == lower.periodicity
            and f.rollup_from.filter(pk=lower.pk).exists()
        ]
        if rolls_up:
            request.GET = request.GET.copy()
            request.GET["bieu-mau"] = rolls_up[0].code
    form, period, error = _chosen_form_and_period(request, forms)
    result = consolidate(form, unit, period, user=request.user) if form and period else None
    return render(
        request,
        "reporting/consolidated.html",
        {
            "forms": forms,
            "form": form,
            "period": period,
            "error": error,
            "unit": unit,
            "result": result,
            "picker": _picker(form, period),
            "picker_query": f"bieu-mau={form.code}&don-vi={unit.path}" if form else "",
        },
    )


def _document(request, result, fmt: str, name: str) -> HttpResponse:
    """The printed report; the police report's annex of sellers sanctioned only for users whose roles
    grant identity + enforcement (each person printed is logged, purpose “reporting”)."""
    if fmt not in RENDERERS:
        raise Http404
    sellers = sanctioned_sellers_of_consolidation(request.user, result, path=request.path)
    response = HttpResponse(RENDERERS[fmt](result, sellers=sellers), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def consolidated_download(request, fmt: str):
    _require_reporting_user(request.user)
    unit = consolidation_unit(request.user, request.GET.get("don-vi"))
    form = get_object_or_404(ReportForm, code=request.GET.get("bieu-mau", ""), submitter_level=unit.level)
    if not is_approver(request.user) and form.submitter_agency_kind != request.user.agency.kind:
        raise Http404
    try:
        period = parse(request.GET.get("ky", ""))
    except ValueError:
        raise Http404 from None
    result = consolidate(form, unit, period, user=request.user)
    return _document(request, result, fmt, download_name(_("Báo cáo tổng hợp"), period.label, unit.full_name))


@login_required
def download(request, pk: int, fmt: str):
    """A unit's own report printed like the consolidated one."""
    submission = submission_for(request.user, pk)
    result = consolidate(
        submission.form,
        submission.unit,
        submission.period,
        user=request.user,
        submission=submission if submission.request_id else None,
    )
    return _document(
        request,
        result,
        fmt,
        download_name(submission.form.short_name, submission.period_label, submission.unit.full_name),
    )


@login_required
def request_create(request):
    """The city (or a district) asks chosen units for an ad hoc report by a date."""
    if not is_approver(request.user):
        raise Http404
    form = AdHocRequestForm(request.POST or None, user=request.user, year=default_year(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.adhoc_request_create(
                actor=request.user,
                form=data["form"],
                title=data["title"],
                period_id=data["period_id"],
                due_date=data["due_date"],
                units=data["units"],
            )
        except ValidationError as exc:
            for code, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(code if code in form.fields else None, error)
        else:
            messages.success(request, _("Đã gửi yêu cầu báo cáo đột xuất."))
            return redirect("reporting:completeness")
    return render(request, "reporting/request_form.html", {"form": form})


@login_required
def request_upward(request):
    """The city coordinator records a request for an ad hoc report received from above; the city's answer
    then waits in its inbox with the due date the request set."""
    if not (request.user.has_role(Role.CITY_COORDINATOR) and is_top(request.user.jurisdiction_path)):
        raise Http404
    form = UpwardRequestForm(
        request.POST or None,
        user=request.user,
        issuers=services.UPWARD_ISSUERS,
        year=default_year(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("starts_on", "ends_on")}
        try:
            services.upward_request_record(actor=request.user, **data)
        except ValidationError as exc:
            for code, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(code if code in form.fields else None, error)
        else:
            messages.success(
                request,
                _(
                    "Đã ghi nhận yêu cầu báo cáo của cấp trên; báo cáo trả lời ở mục “Yêu cầu báo cáo đột xuất”."
                ),
            )
            return redirect("reporting:inbox")
    return render(request, "reporting/request_form.html", {"form": form, "upward": True})


@login_required
def notification_list(request):
    items = notifications_for(request.user)[:100]
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("reporting:notifications")
    return render(request, "reporting/notifications.html", {"items": items})
