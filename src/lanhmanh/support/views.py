"""Outreach and support pages: caseload, outreach tasks, case page, referral inbox, printable summary."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lanhmanh.core.audit import Purpose
from lanhmanh.core.listing import Sort, listing
from lanhmanh.core.scoping import DataClass, in_subtree, path_q
from lanhmanh.org.models import Agency
from lanhmanh.people import services as people_services
from lanhmanh.people.forms import PurposeForm
from lanhmanh.people.rules import can_use_registry
from lanhmanh.people.selectors import person_get
from lanhmanh.support import forms, selectors, services
from lanhmanh.support.models import (
    CaseKind,
    ConsentPurpose,
    Enrolment,
    FollowUp,
    Goal,
    Programme,
    Referral,
    ServiceKind,
)
from lanhmanh.support.rules import can_do_casework, can_open_child_case, can_receive_referrals


def _require(predicate, user) -> None:
    # Same answer as a missing page: the support records' existence is not confirmed to outsiders.
    if not predicate(user):
        raise Http404


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


CASELOAD_PURPOSE = "support_caseload_purpose"

# The orders the lists offer. Never by name: names are encrypted, and hidden until a purpose is stated.
CASE_SORTS = {
    "theo-doi": Sort(
        gettext_lazy("Theo dõi tiếp theo"), fields=(F("next_due").asc(nulls_last=True), "opened_on", "pk")
    ),
    "so": Sort(gettext_lazy("Hồ sơ"), fields=("pk",)),
    "loai": Sort(gettext_lazy("Loại"), fields=("kind", "pk")),
    "mo": Sort(gettext_lazy("Ngày mở"), fields=("opened_on", "pk"), descending_first=True),
}
OUTREACH_TASK_SORTS = {
    "han": Sort(gettext_lazy("Hạn"), fields=("due_on", "pk")),
    "so": Sort(gettext_lazy("Nhiệm vụ"), fields=("pk",)),
    "nguon": Sort(gettext_lazy("Nguồn"), fields=("source", "due_on", "pk")),
    "dia-ban": Sort(gettext_lazy("Địa bàn"), fields=("unit__path", "due_on", "pk")),
}
REFERRAL_SORTS = {
    "so": Sort(gettext_lazy("Số"), fields=("pk",)),
    "gui": Sort(gettext_lazy("Ngày gửi"), fields=("sent_on", "pk"), descending_first=True),
    "co-quan": Sort(gettext_lazy("Cơ quan chuyển"), fields=("from_agency__name", "pk")),
    "muc-dich": Sort(gettext_lazy("Mục đích"), fields=("purpose", "pk")),
    "han": Sort(gettext_lazy("Hạn"), fields=("due_on", "pk")),
    "trang-thai": Sort(gettext_lazy("Trạng thái"), fields=("status", "due_on", "pk")),
}


@login_required
def caseload(request):
    """The caseworker's list: own open cases with the earliest follow-up due first, open outreach tasks,
    and for supervisors the caseload of each worker in their area. Names only after a stated purpose
    (once per session); each listing that shows them is logged, one row per person shown."""
    user = request.user
    _require(can_do_casework, user)
    today = timezone.localdate()
    purpose_form = PurposeForm(request.POST or None)
    if request.method == "POST":
        if purpose_form.is_valid():
            request.session[CASELOAD_PURPOSE] = {
                "purpose": purpose_form.cleaned_data["purpose"],
                "detail": purpose_form.cleaned_data["detail"],
            }
            return redirect("support:caseload")
    elif request.GET.get("an-ten"):
        request.session.pop(CASELOAD_PURPOSE, None)
        return redirect("support:caseload")
    chosen = request.session.get(CASELOAD_PURPOSE)
    filters = forms.CaseloadFilterForm(request.GET)
    case_list = listing(
        request.GET,
        filters.apply(selectors.caseload(user), today=today),
        sorts=CASE_SORTS,
        default="theo-doi",
    )
    task_list = listing(
        request.GET, selectors.open_tasks_for(user), sorts=OUTREACH_TASK_SORTS, default="han", prefix="nv-"
    )
    cases, tasks = list(case_list.page), list(task_list.page)
    if chosen:  # only the names on the pages shown are read, and logged
        selectors.caseload_names_shown(
            user, cases, tasks, purpose=chosen["purpose"], detail=chosen["detail"], path=request.path
        )
    return render(
        request,
        "support/caseload.html",
        {
            "cases": cases,
            "tasks": tasks,
            "case_list": case_list,
            "task_list": task_list,
            "filters": filters,
            "names_shown": bool(chosen),
            "purpose_label": Purpose(chosen["purpose"]).label if chosen else "",
            "purpose_form": purpose_form,
            "supervised": selectors.caseloads_supervised(user, today=today),
            "is_supervisor": selectors.is_supervisor(user),
            "today": today,
            "nav_current": "support:caseload",
        },
    )


@login_required
def task_create(request):
    """An outreach task created by hand from community work, for a person not (yet) in the registry."""
    user = request.user
    _require(can_do_casework, user)
    form = forms.ManualTaskForm(request.POST or None, root_path=user.jurisdiction_path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = people_services.person_create(
                    actor=user,
                    full_name=data["full_name"],
                    sex=data["sex"],
                    birth_year=data["birth_year"],
                    phone=data["phone"],
                    permanent_unit=data["unit"],
                )
                task = services.outreach_task_create(
                    actor=user,
                    person=person,
                    unit=data["unit"],
                    agency=user.agency,
                    worker=user,
                    due_on=data["due_on"],
                    notes=data["notes"],
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo nhiệm vụ tiếp cận."))
            return redirect("support:task_detail", pk=task.pk)
    return render(request, "support/task_form.html", {"form": form, "nav_current": "support:caseload"})


@login_required
def task_detail(request, pk: int):
    """An outreach task: contact attempts, then open a case with consent or record that the person declines."""
    user = request.user
    _require(can_do_casework, user)
    task = selectors.task_get(user, pk, path=request.path)
    agencies = selectors.agencies_for_case(task).exclude(pk=user.agency_id)
    action = request.POST.get("action") if request.method == "POST" else None
    attempt_form = forms.ContactAttemptForm(request.POST if action == "attempt" else None)
    decline_form = forms.DeclineForm(request.POST if action == "decline" else None)
    open_form = forms.CaseOpenForm(request.POST if action == "open" else None, agencies=agencies)
    if action and not task.is_open:
        raise Http404
    if action == "attempt" and attempt_form.is_valid():
        try:
            services.contact_attempt_record(actor=user, task=task, **attempt_form.cleaned_data)
        except ValidationError as exc:
            _add_errors(attempt_form, exc)
        else:
            messages.success(request, _("Đã ghi lần tiếp cận."))
            return redirect("support:task_detail", pk=task.pk)
    elif action == "decline" and decline_form.is_valid():
        services.outreach_decline(
            actor=user,
            task=task,
            on=decline_form.cleaned_data["declined_on"],
            notes=decline_form.cleaned_data["notes"],
        )
        messages.success(
            request, _("Đã ghi nhận: người được tiếp cận không muốn nhận hỗ trợ. Nhiệm vụ đã kết thúc.")
        )
        return redirect("support:caseload")
    elif action == "open" and open_form.is_valid():
        data = open_form.cleaned_data
        consent_agencies = [user.agency, *data["agencies"]]
        consents = [(p, a) for a in consent_agencies for p in data["purposes"]]
        try:
            case = services.case_open(
                actor=user,
                person=task.person,
                unit=task.unit,
                opened_on=data["opened_on"],
                consents=consents,
                kind=data["kind"],
                assessment=data["assessment"],
                outreach_task=task,
                returned_from=data["returned_from"],
                receiving_agency=data["receiving_agency"],
            )
        except ValidationError as exc:
            _add_errors(open_form, exc)
        else:
            messages.success(request, _("Đã mở hồ sơ hỗ trợ."))
            return redirect("support:case_detail", pk=case.pk)
    return render(
        request,
        "support/task_detail.html",
        {
            "task": task,
            "siblings": list(selectors.sibling_tasks(user, task)),
            "attempts": list(task.attempts.select_related("worker")),
            "attempt_form": attempt_form,
            "decline_form": decline_form,
            "open_form": open_form,
            "nav_current": "support:caseload",
        },
    )


CHILD_CASE_OPEN = gettext_lazy(
    "Người này đã có hồ sơ bảo vệ trẻ em đang mở (#%(pk)s): tiếp tục trên hồ sơ đó."
)


# The earliest date the system keeps records for (the 2014 plan): a child case may be dated from then.
CHILD_RECORDS_FROM = dt.date(2014, 1, 1)


@login_required
def child_case_open(request, person_pk: int):
    """Open a child protection case for a person under 18, e.g. from the registry's refusal of a violation.
    Needs the identity, support and child classes; the person must be in reach (else 404)."""

    user = request.user
    _require(can_open_child_case, user)
    person = person_get(user, person_pk)
    if person.is_adult_on(CHILD_RECORDS_FROM) and person.is_adult_today:
        # The child-case page shows only persons who were children in the years the system records
        # (cases are dated, the 2014 plan onwards): an adult's name and birth year stay hidden.
        raise Http404
    selectors.identity_shown(
        user,
        person,
        data_class=DataClass.CHILD,
        purpose=Purpose.SUPPORT,
        detail="Mở hồ sơ bảo vệ trẻ em",
        path=request.path,
    )
    home = person.permanent_unit or person.temporary_unit
    initial = {"unit": home.pk} if home and in_subtree(home.path, user.jurisdiction_path) else {}
    district = ".".join(user.jurisdiction_path.split(".")[:2])
    agencies = (
        Agency.objects.filter(active=True)
        .filter(Q(unit__path="01") | path_q(district, "unit__path"))
        .exclude(kind__in=selectors.NO_SHARING_KINDS)
        .exclude(pk=user.agency_id)
        .order_by("unit__path", "name")
    )
    form = forms.ChildCaseOpenForm(
        request.POST or None, root_path=user.jurisdiction_path, agencies=agencies, initial=initial
    )
    existing = selectors.open_child_case_of(person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if existing is not None:
            form.add_error(None, CHILD_CASE_OPEN % {"pk": existing.pk})
        else:
            consents = [(p, a) for a in [user.agency, *data["agencies"]] for p in data["purposes"]]
            try:
                case = services.case_open(
                    actor=user,
                    person=person,
                    unit=data["unit"],
                    opened_on=data["opened_on"],
                    consents=consents,
                    kind=CaseKind.CHILD,
                    assessment=data["assessment"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Đã mở hồ sơ bảo vệ trẻ em."))
                return redirect("support:case_detail", pk=case.pk)
    return render(
        request,
        "support/child_case_open.html",
        {"person": person, "form": form, "existing": existing, "nav_current": "support:caseload"},
    )


def _consent_grid(case) -> tuple[list, list[dict]]:
    """Rows (agency, cells) for the consent table: every agency that was ever given consent, plus the lead."""
    consents = list(case.consents.select_related("agency").order_by("given_on", "pk"))
    agencies = {case.lead_agency_id: case.lead_agency}
    for consent in consents:
        agencies.setdefault(consent.agency_id, consent.agency)
    active = {(c.agency_id, c.purpose): c for c in consents if c.withdrawn_on is None}
    withdrawn = {(c.agency_id, c.purpose): c for c in consents if c.withdrawn_on is not None}
    rows = []
    for agency in agencies.values():
        cells = []
        for purpose in ConsentPurpose:
            key = (agency.pk, purpose.value)
            cells.append(
                {
                    "name": f"c-{agency.pk}-{purpose.value}",
                    "purpose": purpose,
                    "active": active.get(key),
                    "withdrawn": withdrawn.get(key),
                }
            )
        rows.append({"agency": agency, "cells": cells})
    return list(ConsentPurpose), rows


def _save_consent_grid(user, case, post) -> int:
    """Withdraw every active consent whose box is now unticked. Returns the number withdrawn."""
    withdrawn = 0
    for consent in case.consents.active():
        if f"c-{consent.agency_id}-{consent.purpose}" not in post:
            services.consent_withdraw(actor=user, consent=consent)
            withdrawn += 1
    return withdrawn


# The case page and one small view per case action. Each action posts to its own URL; a refused one
# shows the case page again with its form's errors, on its tab (app.js shows one tab at a time).

CASE_ACTION_TABS = {
    "assessment": "tom-tat",
    "goal": "tom-tat",
    "goal_done": "tom-tat",
    "consents": "dong-y",
    "consent_add": "dong-y",
    "service": "dich-vu",
    "referral": "chuyen-gui",
    "referral_cancel": "chuyen-gui",
    "followup": "theo-doi",
    "followup_done": "theo-doi",
    "enrol": "chuong-trinh",
    "progress": "chuong-trinh",
    "close": "dong-ho-so",
}


def _case_forms(user, case, agencies, data=None, action: str = "") -> dict:
    """The forms of the case page: unbound, except the one of ``action`` bound to ``data``."""

    def bound(name):
        return data if action == name else None

    return {
        "assessment_form": forms.AssessmentForm(bound("assessment"), initial={"assessment": case.assessment}),
        "goal_form": forms.GoalForm(bound("goal")),
        "service_form": forms.ServiceForm(bound("service"), agencies=agencies),
        "referral_form": forms.ReferralForm(bound("referral"), agencies=agencies.exclude(pk=user.agency_id)),
        "followup_form": forms.FollowUpForm(bound("followup")),
        "done_form": forms.FollowUpDoneForm(bound("followup_done")),
        "consent_form": forms.ConsentAddForm(bound("consent_add"), agencies=agencies),
        "enrol_form": forms.EnrolmentForm(bound("enrol")),
        "progress_form": forms.EnrolmentProgressForm(bound("progress")),
        "close_form": forms.CloseForm(bound("close")),
    }


def _case_page(request, case, context_forms: dict | None = None, action: str = "", errors=()):
    user = request.user
    if context_forms is None:
        context_forms = _case_forms(user, case, selectors.agencies_for_case(case))
    purposes, grid = _consent_grid(case)
    today = timezone.localdate()
    referrals = list(case.referrals.select_related("to_agency", "from_agency"))
    follow_ups = list(case.follow_ups.all())
    return render(
        request,
        "support/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "purposes": purposes,
            "grid": grid,
            "services": selectors.services_of(user, case),
            "referrals": referrals,
            "follow_ups": follow_ups,
            "open_referrals": sum(1 for r in referrals if r.is_open),
            "next_follow_up": next((f for f in follow_ups if f.done_on is None), None),
            # A form refused on re-render opens on its own tab.
            "active_tab": CASE_ACTION_TABS.get(action, ""),
            "goals": list(case.goals.all()),
            "enrolments": list(case.enrolments.select_related("programme")),
            "team": list(case.workers.order_by("last_name", "first_name", "pk")),
            "may_manage_team": selectors.may_manage_team(user, case),
            "today": today,
            "errors": list(errors),
            "nav_current": "support:caseload",
            **context_forms,
        },
    )


@login_required
@require_GET
def case_detail(request, pk: int):
    """A case: needs, goals, consent per purpose and agency, services, referrals, follow-ups, closure.
    Only the case's workers and their supervisors reach it; each read is logged (purpose: support)."""
    _require(can_do_casework, request.user)
    return _case_page(request, selectors.case_get(request.user, pk, path=request.path))


def _case_action(action: str, form_name: str | None = None):
    """A view for one action on an open case: ``view(request, case, form)`` validates nothing itself; it
    returns ``(write, message)``: ``write(data)`` calls the service, ``message(result)`` the text shown.
    A refused write (ValidationError) shows the case page again with the errors on the action's form."""

    def decorate(function):
        @login_required
        @require_POST
        @functools.wraps(function)
        def view(request, pk: int):
            user = request.user
            _require(can_do_casework, user)
            case = selectors.case_get(user, pk, path=request.path)
            if not case.is_open:
                raise Http404
            context_forms = _case_forms(user, case, selectors.agencies_for_case(case), request.POST, action)
            form = context_forms.get(form_name) if form_name else None
            errors: list[str] = []
            write, message = function(request, case)
            if form is None or form.is_valid():
                try:
                    result = write(form.cleaned_data if form is not None else {})
                except ValidationError as exc:
                    if form is not None:
                        _add_errors(form, exc)
                    else:
                        errors.extend(exc.messages)
                else:
                    messages.success(request, message(result))
                    return redirect("support:case_detail", pk=case.pk)
            return _case_page(request, case, context_forms, action, errors)

        return view

    return decorate


@_case_action("assessment", "assessment_form")
def case_assessment(request, case):
    return (
        lambda data: services.case_update(actor=request.user, case=case, assessment=data["assessment"]),
        lambda _r: _("Đã lưu đánh giá nhu cầu."),
    )


@_case_action("goal", "goal_form")
def case_goal_add(request, case):
    return (
        lambda data: services.goal_add(actor=request.user, case=case, **data),
        lambda _r: _("Đã thêm mục tiêu."),
    )


@_case_action("goal_done")
def case_goal_done(request, case):
    goal = selectors.case_record_get(case, Goal, request.POST.get("goal"))
    return (
        lambda _data: services.goal_achieve(actor=request.user, goal=goal, on=timezone.localdate()),
        lambda _r: _("Đã ghi nhận mục tiêu đạt được."),
    )


@_case_action("service", "service_form")
def case_service(request, case):
    return (
        lambda data: services.service_record(actor=request.user, case=case, **data),
        lambda _r: _("Đã ghi dịch vụ."),
    )


@_case_action("referral", "referral_form")
def case_referral(request, case):
    return (
        lambda data: services.referral_send(actor=request.user, case=case, **data),
        lambda referral: _("Đã chuyển gửi đến %(agency)s.") % {"agency": referral.to_agency.name},
    )


@_case_action("referral_cancel")
def case_referral_cancel(request, case):
    referral = selectors.case_record_get(case, Referral, request.POST.get("referral"))
    return (
        lambda _data: services.referral_cancel(actor=request.user, referral=referral),
        lambda _r: _("Đã hủy chuyển gửi."),
    )


@_case_action("followup", "followup_form")
def case_follow_up(request, case):
    return (
        lambda data: services.follow_up_plan(actor=request.user, case=case, **data),
        lambda _r: _("Đã lên lịch theo dõi."),
    )


@_case_action("followup_done", "done_form")
def case_follow_up_done(request, case):
    follow_up = selectors.case_record_get(case, FollowUp, request.POST.get("follow_up"))
    return (
        lambda data: services.follow_up_done(actor=request.user, follow_up=follow_up, **data),
        lambda _r: _("Đã ghi lần theo dõi."),
    )


@_case_action("consents")
def case_consents(request, case):
    return (
        lambda _data: _save_consent_grid(request.user, case, request.POST),
        lambda count: (
            _("Đã rút lại %(count)s sự đồng ý; việc chia sẻ với các cơ quan đó đã dừng.") % {"count": count}
            if count
            else _("Không có thay đổi.")
        ),
    )


@_case_action("consent_add", "consent_form")
def case_consent_add(request, case):
    @transaction.atomic
    def write(data):
        for purpose in data["purposes"]:
            services.consent_give(
                actor=request.user,
                case=case,
                purpose=purpose,
                agency=data["agency"],
                given_on=data["given_on"],
            )

    return write, lambda _r: _("Đã ghi nhận sự đồng ý.")


@_case_action("enrol", "enrol_form")
def case_enrol(request, case):
    return (
        lambda data: services.enrolment_create(actor=request.user, case=case, **data),
        lambda _r: _("Đã ghi nhận tham gia chương trình."),
    )


@_case_action("progress", "progress_form")
def case_progress(request, case):
    enrolment = selectors.case_record_get(case, Enrolment, request.POST.get("enrolment"))
    return (
        lambda data: services.enrolment_progress(actor=request.user, enrolment=enrolment, **data),
        lambda _r: _("Đã cập nhật kết quả học nghề, việc làm."),
    )


@_case_action("close", "close_form")
def case_close(request, case):
    return (
        lambda data: services.case_close(
            actor=request.user,
            case=case,
            closed_on=data["closed_on"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        lambda _r: _("Đã đóng hồ sơ."),
    )


@login_required
def case_team(request, pk: int):
    """Add or remove workers on a case team: the lead worker or a supervisor who reads the case. Audited."""
    user = request.user
    _require(can_do_casework, user)
    case = selectors.case_get(user, pk, path=request.path, detail="Nhóm hỗ trợ")
    if not selectors.may_manage_team(user, case):
        raise Http404
    candidates = selectors.team_candidates(case)
    members = list(case.workers.select_related("agency").order_by("last_name", "first_name", "pk"))
    action = request.POST.get("action") if request.method == "POST" else None
    form = forms.TeamAddForm(request.POST if action == "add" else None, candidates=candidates)
    errors: list[str] = []
    if action and not case.is_open:
        raise Http404
    try:
        if action == "add" and form.is_valid():
            worker = form.cleaned_data["worker"]
            services.case_team_add(actor=user, case=case, worker=worker)
            messages.success(request, _("Đã thêm %(worker)s vào nhóm hỗ trợ.") % {"worker": worker})
            return redirect("support:case_team", pk=case.pk)
        if action == "remove":
            worker = next((m for m in members if str(m.pk) == request.POST.get("worker")), None)
            if worker is None:
                raise Http404
            services.case_team_remove(actor=user, case=case, worker=worker)
            messages.success(request, _("Đã bớt %(worker)s khỏi nhóm hỗ trợ.") % {"worker": worker})
            return redirect("support:case_team", pk=case.pk)
    except ValidationError as exc:
        if action == "add":
            _add_errors(form, exc)
        else:
            errors.extend(exc.messages)
    return render(
        request,
        "support/case_team.html",
        {
            "case": case,
            "members": members,
            "form": form,
            "errors": errors,
            "nav_current": "support:caseload",
        },
    )


@login_required
def case_summary(request, pk: int):
    """The person's own summary, to print and hand to her (data-subject access). Logged as such."""
    user = request.user
    _require(can_do_casework, user)
    case = selectors.case_get(
        user, pk, purpose=Purpose.DATA_SUBJECT, path=request.path, detail="In bản tóm tắt"
    )
    return render(
        request,
        "support/case_summary.html",
        {
            "case": case,
            "person": case.person,
            "services": selectors.services_of(user, case),
            "consents": list(case.consents.select_related("agency").order_by("given_on", "pk")),
            "referrals": list(case.referrals.select_related("to_agency")),
            "enrolments": list(case.enrolments.select_related("programme")),
            "printed_at": timezone.localtime(),
        },
    )


@login_required
def referral_inbox(request):
    """Referrals addressed to the user's agency; names shown only while the referral is live (consent stands)."""
    user = request.user
    _require(can_receive_referrals, user)
    today = timezone.localdate()
    filters = forms.ReferralFilterForm(request.GET)
    referral_list = listing(
        request.GET,
        filters.apply(selectors.referrals_received(user), today=today),
        sorts=REFERRAL_SORTS,
        default="-gui",
    )
    referrals = list(referral_list.page)
    selectors.inbox_names_shown(user, referrals, path=request.path)
    return render(
        request,
        "support/referral_inbox.html",
        {
            "referrals": referrals,
            "listing": referral_list,
            "filters": filters,
            "today": today,
            "nav_current": "support:referral_inbox",
        },
    )


@login_required
def referral_detail(request, pk: int):
    user = request.user
    _require(can_receive_referrals, user)
    referral = selectors.referral_received_get(user, pk, path=request.path)
    return render(
        request,
        "support/referral_detail.html",
        {
            "referral": referral,
            "form": forms.ReferralResponseForm(),
            "today": timezone.localdate(),
            "nav_current": "support:referral_inbox",
        },
    )


@login_required
@require_POST
def referral_respond(request, pk: int, decision: str):
    """Accept, decline or complete a referral; htmx gets the updated row back, a plain form a redirect."""
    user = request.user
    _require(can_receive_referrals, user)
    referral = selectors.referral_received_get(user, pk, path=request.path)
    form = forms.ReferralResponseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "accept":
            services.referral_respond(actor=user, referral=referral, accept=True, note=note)
        elif decision == "decline":
            services.referral_respond(actor=user, referral=referral, accept=False, note=note)
        elif decision == "complete":
            services.referral_complete(actor=user, referral=referral, note=note)
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    if request.htmx:
        return render(
            request, "support/_referral_row.html", {"referral": referral, "today": timezone.localdate()}
        )
    return redirect("support:referral_inbox")


@login_required
def case_exists(request, person_pk: int):
    """For police and inspectors: whether a person in their reach has an open support case — nothing more."""

    user = request.user
    _require(can_use_registry, user)
    person = person_get(user, person_pk)
    form = forms.ExistsPurposeForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = selectors.case_exists_for(
            user, person, purpose=form.cleaned_data["purpose"], path=request.path
        )
    return render(request, "support/case_exists.html", {"person": person, "form": form, "answer": answer})


# Programmes -----------------------------------------------------------------------------------------


def _may_see_programmes(user) -> bool:
    return can_do_casework(user) or selectors.may_manage_programmes(user)


def _programme(pk) -> Programme:
    try:
        return Programme.objects.get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def programme_list(request):
    """Programmes with budget, what their services cost and their results (figures, no names)."""
    user = request.user
    _require(_may_see_programmes, user)
    return render(
        request,
        "support/programme_list.html",
        {
            "rows": selectors.programmes_overview(),
            "may_manage": selectors.may_manage_programmes(user),
            "nav_current": "support:programme_list",
        },
    )


@login_required
def programme_detail(request, pk: int):
    """A programme: criteria, the services it pays for, and its budget against the services paid."""
    user = request.user
    _require(_may_see_programmes, user)
    programme = _programme(pk)
    table = selectors.programme_budget_table(programme)
    paid = sum(row["total"] for row in table)
    return render(
        request,
        "support/programme_detail.html",
        {
            "programme": programme,
            "table": table,
            "paid": paid,
            "left": None if programme.budget is None else programme.budget - paid,
            "service_kinds": [ServiceKind(k).label for k in programme.service_kinds],
            "case_kinds": [CaseKind(k).label for k in programme.case_kinds],
            "may_manage": selectors.may_manage_programmes(user),
            "nav_current": "support:programme_list",
        },
    )


@login_required
def programme_enrolments(request, pk: int):
    """Who takes part: names only for the cases the user may read (each read logged); the rest as a count."""
    user = request.user
    _require(_may_see_programmes, user)
    programme = _programme(pk)
    mine, others = selectors.enrolments_visible(user, programme)
    for enrolment in mine:
        selectors.identity_shown(
            user,
            enrolment.person,
            data_class=DataClass.CHILD if enrolment.case.kind == CaseKind.CHILD else DataClass.SUPPORT,
            purpose=Purpose.SUPPORT,
            detail=f"Người tham gia chương trình {programme.code}",
            path=request.path,
        )
    return render(
        request,
        "support/programme_enrolments.html",
        {
            "programme": programme,
            "enrolments": mine,
            "others": others,
            "nav_current": "support:programme_list",
        },
    )


def _programme_form_view(request, programme: Programme | None):
    user = request.user
    _require(selectors.may_manage_programmes, user)
    initial = forms.ProgrammeForm.initial_from(programme) if programme else None
    form = forms.ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if programme is None:
                programme = services.programme_create(actor=user, **data)
                messages.success(request, _("Đã tạo chương trình."))
            else:
                services.programme_update(actor=user, programme=programme, **data)
                messages.success(request, _("Đã lưu chương trình."))
        except ValidationError as exc:
            if programme is not None and programme.pk:
                programme.refresh_from_db()
            _add_errors(form, exc)
        else:
            return redirect("support:programme_detail", pk=programme.pk)
    return render(
        request,
        "support/programme_form.html",
        {"form": form, "programme": programme, "nav_current": "support:programme_list"},
    )


@login_required
def programme_create(request):
    return _programme_form_view(request, None)


@login_required
def programme_edit(request, pk: int):
    _require(selectors.may_manage_programmes, request.user)
    return _programme_form_view(request, _programme(pk))
