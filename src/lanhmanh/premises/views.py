"""Pages of the establishment register: list and detail, entry, plans and proposals, inspections and their
minutes, sanctions, revocation answers, police and health checks, licence-eligibility look-ups, imports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import history
from lanhmanh.core.pickers import default_year
from lanhmanh.core.scoping import path_q
from lanhmanh.enforcement import links as tip_links
from lanhmanh.enforcement.cases.selectors import cases_at
from lanhmanh.enforcement.selectors import tips_linked
from lanhmanh.org.levels import DISTRICT_LEVEL
from lanhmanh.org.maps import district_map
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.people import selectors as people_selectors
from lanhmanh.people.forms import PurposeForm
from lanhmanh.people.services import person_create
from lanhmanh.premises import eligibility, imports, ranking, rules, selectors, services
from lanhmanh.premises import job_views as background  # long lists are confirmed by the background worker
from lanhmanh.premises.documents import minutes_docx
from lanhmanh.premises.forms import (
    AttachmentForm,
    EligibilityForm,
    EnforceForm,
    EstablishmentForm,
    FilterForm,
    HealthCheckForm,
    ImportUploadForm,
    InspectionForm,
    LicenceForm,
    PersonFoundForm,
    PlanForm,
    PoliceCheckForm,
    RevocationAnswerForm,
    SanctionDecisionForm,
    SanctionProposalForm,
)
from lanhmanh.premises.imports import template_workbook
from lanhmanh.premises.models import (
    ChecklistItem,
    EstablishmentImport,
    Inspection,
    InspectionAgency,
    SanctionStatus,
    Selection,
    name_key,
)

NAV = "premises:establishment_list"


def _require(allowed: bool) -> None:
    # Same answer as a missing page: the register's existence is not confirmed to outsiders.
    if not allowed:
        raise Http404


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in (
        exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    ).items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


# Register --------------------------------------------------------------------------------------------


@login_required
def establishment_list(request):
    user = request.user
    _require(rules.can_view_register(user))
    form = FilterForm(request.GET or None, user=user)
    queryset = selectors.establishments_visible(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            key = name_key(data["q"])
            queryset = queryset.filter(Q(name_key__contains=key) | Q(address_key__contains=key))
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["unit"]:
            queryset = queryset.filter(path_q(data["unit"].path, "unit_path"))
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
    filtered = form.is_valid() and any(form.cleaned_data.values())
    measure, year, district_map, total = _register_map(request, user, queryset, filtered=filtered)
    paginator = Paginator(queryset.order_by("unit_path", "name", "pk"), 50)
    if total is not None:  # the map counted the listed places by district: the list's count is their sum
        paginator.count = total
    page = paginator.get_page(request.GET.get("trang"))
    selectors.mark_now_part_of(page)
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "premises/establishment_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_edit": rules.can_edit_register(user),
            "can_import": rules.can_import(user),
            "map": district_map,
            "measure": measure,
            "measures": MAP_MEASURES,
            "year": year,
            "nav_current": NAV,
        },
    )


MAP_MEASURES = {
    "co-so": gettext_lazy("Cơ sở kinh doanh"),
    "kiem-tra": gettext_lazy("Lượt kiểm tra của Đội 178"),
    "vi-pham": gettext_lazy("Cơ sở phát hiện vi phạm"),
}


def _register_map(request, user, establishments, *, filtered: bool):
    """The district choropleth beside the list: establishments (as filtered), or the year's inspections or
    establishments found in violation, by district; only what the user may see is counted.

    Returns ``(measure, year, map, total)``: ``total`` is the number of listed establishments when the map
    counts them (the sum over districts of one grouped query, so the list need not count them again),
    else None."""

    measure = request.GET.get("ban_do", "co-so")
    if measure not in MAP_MEASURES:
        measure = "co-so"
    inspections = selectors.inspections_visible(user)
    if filtered:  # the list is narrowed: count the inspections of the listed establishments only
        inspections = inspections.filter(establishment__in=establishments.values("pk"))
    # The default year is that of the latest inspection anywhere (one indexed look-up; reveals only a year).
    latest = Inspection.objects.aggregate(last=Max("inspected_on"))["last"]
    year = request.GET.get("nam", "")
    year = (
        int(year)
        if year.isdigit() and 2000 <= int(year) <= 2100
        else (latest.year if latest else timezone.localdate().year)
    )
    # Unit paths are fixed-width codes (province 2, district 3): the district's code is characters 4–6.
    if measure == "co-so":
        # Grouped by the commune's path and summed by district here: PostgreSQL reads the path index alone
        # (COUNT(*), no expression per row), a few hundred rows come back.
        rows = establishments.values_list("unit_path").annotate(n=Count("*"))
    elif measure == "kiem-tra":
        rows = (
            inspections.filter(inspected_on__gte=dt.date(year, 1, 1), inspected_on__lte=dt.date(year, 12, 31))
            .annotate(d=Substr("establishment__unit_path", 4, 3))
            .values_list("d")
            .annotate(n=Count("pk"))
        )
    else:
        rows = (
            inspections.filter(
                inspected_on__gte=dt.date(year, 1, 1),
                inspected_on__lte=dt.date(year, 12, 31),
                violation_found=True,
            )
            .annotate(d=Substr("establishment__unit_path", 4, 3))
            .values_list("d")
            .annotate(n=Count("establishment", distinct=True))
        )
    if measure == "co-so":
        values: dict[str, int] = {}
        for path, n in rows.order_by():
            values[path[3:6]] = values.get(path[3:6], 0) + n
    else:
        values = dict(rows.order_by())
    total = sum(values.values()) if measure == "co-so" else None
    province = user.jurisdiction_path.split(".")[0]
    query = request.GET.copy()
    query.pop("trang", None)
    links = {}
    if "." not in user.jurisdiction_path:  # a city user: a click on a district filters the list by it
        for pk, code in AdministrativeUnit.objects.filter(
            level=DISTRICT_LEVEL, path__startswith=province + "."
        ).values_list("pk", "code"):
            query["unit"] = pk
            links[code] = f"{request.path}?{query.urlencode()}"
    title = MAP_MEASURES[measure] if measure == "co-so" else f"{MAP_MEASURES[measure]} ({year})"
    return (
        measure,
        year,
        district_map(
            element_id="establishments-map",
            title=str(title),
            values=values,
            province_code=province,
            links=links,
        ),
        total,
    )


@login_required
def establishment_detail(request, pk: int):
    """An establishment's page; the owner's identity only after a stated purpose, each view logged."""
    user = request.user
    _require(rules.can_view_register(user))
    establishment = selectors.establishment_get(user, pk)
    selectors.mark_now_part_of([establishment])
    purpose_form = PurposeForm(request.POST or None)
    owner_shown = False
    if request.method == "POST" and purpose_form.is_valid():
        owner_shown = selectors.owner_identity_shown(
            user,
            establishment,
            purpose=purpose_form.cleaned_data["purpose"],
            detail=purpose_form.cleaned_data["detail"],
            path=request.path,
        )
    see_enforcement = rules.can_see_sanctions(user)
    context = {
        "e": establishment,
        "licences": list(establishment.licences.all()),
        "inspections": list(selectors.inspections_visible(user).filter(establishment=establishment)[:50]),
        "police_checks": list(selectors.police_checks_visible(user).filter(establishment=establishment)[:50]),
        "sanctions": list(selectors.sanctions_visible(user).filter(establishment=establishment)),
        "health_checks": list(establishment.health_checks.select_related("agency")[:20]),
        "history": list(history(establishment).select_related("actor")[:30]),
        "cases_here": cases_at(user, establishment=establishment),
        "linked_tips": tips_linked(user, kind=tip_links.ESTABLISHMENT, object_id=establishment.pk),
        "purpose_form": purpose_form,
        "owner_shown": owner_shown,
        "can_see_owner": rules.can_see_owner_identity(user),
        "see_enforcement": see_enforcement,
        "can_edit": rules.can_edit_register(user),
        "can_inspect": rules.can_inspect(user),
        "can_police_check": rules.can_police_check(user),
        "can_health_check": rules.can_health_check(user) and establishment.kind.health_checks,
        "nav_current": NAV,
    }
    return render(request, "premises/establishment_detail.html", context)


def _establishment_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in EstablishmentForm.Meta.fields}


@login_required
def establishment_create(request):
    user = request.user
    _require(rules.can_edit_register(user))
    form = EstablishmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            establishment = services.establishment_create(actor=user, **_establishment_fields(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cơ sở. Có thể thêm giấy phép, giấy chứng nhận."))
            return redirect("premises:establishment_detail", pk=establishment.pk)
    return render(
        request, "premises/form.html", {"form": form, "title": _("Thêm cơ sở kinh doanh"), "nav_current": NAV}
    )


@login_required
def establishment_edit(request, pk: int):
    user = request.user
    _require(rules.can_edit_register(user))
    establishment = selectors.establishment_get(user, pk)
    selectors.mark_now_part_of([establishment])
    form = EstablishmentForm(request.POST or None, instance=establishment, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.establishment_update(
                actor=user, establishment=establishment, **_establishment_fields(form)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("premises:establishment_detail", pk=establishment.pk)
    return render(
        request,
        "premises/form.html",
        {"form": form, "title": _("Sửa thông tin cơ sở"), "e": establishment, "nav_current": NAV},
    )


@login_required
def licence_add(request, pk: int):
    user = request.user
    _require(rules.can_edit_register(user))
    establishment = selectors.establishment_get(user, pk)
    selectors.mark_now_part_of([establishment])
    form = LicenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.licence_add(actor=user, establishment=establishment, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm giấy phép."))
            return redirect("premises:establishment_detail", pk=establishment.pk)
    return render(
        request,
        "premises/form.html",
        {"form": form, "title": _("Thêm giấy phép, giấy chứng nhận"), "e": establishment, "nav_current": NAV},
    )


# Plans -----------------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    user = request.user
    _require(rules.can_plan(user))
    plans = selectors.plans_visible(user).annotate(
        chosen=Count("items", distinct=True), done=Count("inspections__establishment", distinct=True)
    )[:100]
    return render(request, "premises/plan_list.html", {"plans": plans, "nav_current": "premises:plan_list"})


@login_required
def plan_create(request):
    user = request.user
    _require(rules.can_plan(user))
    form = PlanForm(request.POST or None, teams=selectors.teams_for(user), year=default_year(user))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("premises:plan_detail", pk=plan.pk)
    return render(
        request,
        "premises/form.html",
        {"form": form, "title": _("Lập kế hoạch kiểm tra"), "nav_current": "premises:plan_list"},
    )


@login_required
def plan_detail(request, pk: int):
    """Progress against the quota, the chosen establishments, and the risk-ranked proposals to choose from."""
    user = request.user
    _require(rules.can_plan(user))
    plan = selectors.plan_get(user, pk)
    proposals = ranking.propose(plan, limit=max(plan.quota * 2, 50))
    if request.method == "POST":
        wanted = set(request.POST.getlist("chon"))
        chosen = [p for p in proposals if str(p.establishment_id) in wanted]
        added = services.plan_choose(actor=user, plan=plan, proposals=chosen)
        messages.success(request, _("Đã đưa %(n)s cơ sở vào kế hoạch.") % {"n": added})
        return redirect("premises:plan_detail", pk=plan.pk)
    items = list(plan.items.select_related("establishment", "establishment__kind", "establishment__unit"))
    inspected = set(plan.inspections.values_list("establishment_id", flat=True))
    return render(
        request,
        "premises/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "inspected": inspected,
            "done": len(inspected),
            "percent": round(100 * len(inspected) / plan.quota) if plan.quota else 0,
            "proposals": proposals,
            "quota_split": ranking.split_quota(max(plan.quota - len(items), 0), plan.random_share),
            "Selection": Selection,
            "nav_current": "premises:plan_list",
        },
    )


# Inspections -----------------------------------------------------------------------------------------


@login_required
def inspection_create(request, pk: int):
    user = request.user
    _require(rules.can_inspect(user))
    establishment = selectors.establishment_get(user, pk)
    selectors.mark_now_part_of([establishment])
    checklist = ChecklistItem.objects.filter(Q(kind=establishment.kind) | Q(kind__isnull=True), active=True)
    teams = selectors.teams_for(user) | _teams_above(user)
    form = InspectionForm(request.POST or None, teams=teams, establishment=establishment, checklist=checklist)
    plan = None
    if request.GET.get("ke_hoach"):
        plan = selectors.plan_get(user, request.GET["ke_hoach"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_record(
                actor=user,
                establishment=establishment,
                team=data["team"],
                started_at=data["started_at"],
                agencies=data["agencies"],
                leader_name=data["leader_name"],
                members=data["members"],
                checklist=form.checklist_values(),
                findings=data["findings"],
                violation_found=data["violation_found"],
                people_present=data["people_present"],
                follow_up=data["follow_up"],
                follow_up_due=data["follow_up_due"],
                plan=plan if plan and plan.team_id == data["team"].pk else None,
                confirm_few_agencies=data["confirm_few_agencies"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cuộc kiểm tra."))
            return redirect("premises:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "premises/inspection_form.html",
        {"form": form, "e": establishment, "plan": plan, "nav_current": NAV},
    )


def _teams_above(user):
    """The user's own agency when it is a team (a commune officer's commune team is below their unit)."""

    return Agency.objects.filter(pk=user.agency_id, kind=AgencyKind.TEAM_178)


@login_required
def inspection_detail(request, pk: int):
    user = request.user
    _require(rules.can_see_sanctions(user))
    inspection = selectors.inspection_get(user, pk)
    selectors.mark_now_part_of([inspection.establishment])
    items = {i.code: i.text for i in ChecklistItem.objects.all()}
    person_form = attach_form = None
    if rules.can_inspect(user):
        attaching = request.method == "POST" and "attach" in request.POST
        attach_form = AttachmentForm(
            request.POST if attaching else None, request.FILES if attaching else None, prefix="attach"
        )
        if attaching and attach_form.is_valid():
            data = attach_form.cleaned_data
            services.inspection_attach(
                actor=user,
                inspection=inspection,
                checked=data["file"],
                kind=data["kind"],
                caption=data["caption"],
            )
            messages.success(request, _("Đã đính kèm tệp vào cuộc kiểm tra."))
            return redirect("premises:inspection_detail", pk=inspection.pk)
        person_form = PersonFoundForm(
            None if attaching else (request.POST or None), day=inspection.inspected_on
        )
        if request.method == "POST" and not attaching and person_form.is_valid():
            try:
                _record_person_found(user, inspection, person_form.cleaned_data)
            except ValidationError as exc:
                _add_errors(person_form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận người vi phạm vào cơ sở dữ liệu, gắn với cuộc kiểm tra.")
                )
                return redirect("premises:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "premises/inspection_detail.html",
        {
            "i": inspection,
            "agencies": _inspection_agencies(inspection),
            "checklist": [(items.get(code, code), value) for code, value in inspection.checklist.items()],
            "violations": list(inspection.violations.select_related("violation__act")),
            "sanctions": list(inspection.sanctions.select_related("act")),
            "person_form": person_form,
            "attach_form": attach_form,
            "attachments": list(inspection.attachments.select_related("file")),
            "linked_tips": tips_linked(user, kind=tip_links.INSPECTION, object_id=inspection.pk),
            "can_inspect": rules.can_inspect(user),
            "nav_current": NAV,
        },
    )


def _inspection_agencies(inspection):

    ids = InspectionAgency.objects.filter(inspection=inspection).values("agency_id")
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def _record_person_found(user, inspection, data) -> None:

    with transaction.atomic():
        if data["person_id"]:
            person = people_selectors.person_get(user, data["person_id"])
        else:
            birth = data["birth_date"]
            person = person_create(
                actor=user,
                full_name=data["full_name"],
                birth_date=birth,
                birth_year=birth.year,
                sex=data["sex"] or "female",
                id_number=data["id_number"],
                permanent_unit=inspection.establishment.unit,
            )
        services.inspection_person_record(
            actor=user,
            inspection=inspection,
            person=person,
            act=data["act"],
            role=data["role"],
            notes=data["notes"],
        )


@login_required
def inspection_minutes(request, pk: int):
    """The minutes (biên bản kiểm tra) as a Word document, A4, Decree 30/2020 layout."""

    user = request.user
    _require(rules.can_see_sanctions(user))
    inspection = selectors.inspection_get(user, pk)
    items = {i.code: i.text for i in ChecklistItem.objects.all()}
    data = minutes_docx(inspection, agencies=_inspection_agencies(inspection), checklist_texts=items)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="bien-ban-kiem-tra-{inspection.pk}.docx"'
    return response


# Sanctions -------------------------------------------------------------------------------------------


@login_required
def sanction_propose(request, pk: int):
    user = request.user
    _require(rules.can_inspect(user))
    establishment = selectors.establishment_get(user, pk)
    selectors.mark_now_part_of([establishment])
    inspection = None
    if request.GET.get("kiem_tra"):
        inspection = selectors.inspection_get(user, request.GET["kiem_tra"])
    initial = {"offender_type": establishment.owner_type}
    if inspection:
        initial["occurred_on"] = inspection.inspected_on
    form = SanctionProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sanction = services.sanction_propose(
                actor=user, establishment=establishment, inspection=inspection, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi đề nghị xử phạt."))
            return redirect("premises:sanction_detail", pk=sanction.pk)
    return render(
        request,
        "premises/form.html",
        {"form": form, "title": _("Đề nghị xử phạt cơ sở"), "e": establishment, "nav_current": NAV},
    )


@login_required
def sanction_detail(request, pk: int):
    user = request.user
    _require(rules.can_see_sanctions(user))
    sanction = selectors.sanction_get(user, pk)
    selectors.mark_now_part_of([sanction.establishment])
    decide_form = enforce_form = None
    if rules.can_decide_sanction(user):
        action = request.POST.get("action")
        decide_form = SanctionDecisionForm(
            request.POST if action == "decide" else None,
            establishment=sanction.establishment,
            initial={
                "amount": sanction.proposed_amount,
                "measure": sanction.proposed_measure,
                "decided_on": timezone.localdate(),
            },
        )
        enforce_form = EnforceForm(
            request.POST if action == "enforce" else None, initial={"enforced_on": timezone.localdate()}
        )
        form, call = None, None
        if action == "decide" and decide_form.is_valid():
            form, call = (
                decide_form,
                lambda: services.sanction_decide(actor=user, sanction=sanction, **decide_form.cleaned_data),
            )
        elif action == "enforce" and enforce_form.is_valid():
            form, call = (
                enforce_form,
                lambda: services.sanction_enforce(actor=user, sanction=sanction, **enforce_form.cleaned_data),
            )
        if call is not None:
            try:
                call()
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect("premises:sanction_detail", pk=sanction.pk)
    return render(
        request,
        "premises/sanction_detail.html",
        {
            "s": sanction,
            "decide_form": decide_form if sanction.status == SanctionStatus.PROPOSED else None,
            "enforce_form": enforce_form if sanction.status == SanctionStatus.DECIDED else None,
            "revocations": list(sanction.revocations.select_related("licence", "licensing_agency")),
            "nav_current": NAV,
        },
    )


@login_required
def revocation_list(request):
    user = request.user
    _require(rules.can_answer_revocation(user) or rules.can_decide_sanction(user))
    proposals = list(selectors.revocations_visible(user)[:200])
    return render(
        request,
        "premises/revocation_list.html",
        {
            "proposals": proposals,
            "can_answer": rules.can_answer_revocation(user),
            "nav_current": "premises:revocation_list",
        },
    )


@login_required
def revocation_answer(request, pk: int):
    user = request.user
    _require(rules.can_answer_revocation(user))
    proposal = selectors.revocation_get(user, pk)
    form = RevocationAnswerForm(request.POST or None, initial={"answered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.revocation_answer(
                actor=user,
                proposal=proposal,
                answer=data["answer"],
                answered_on=data["answered_on"],
                note=data["answer_note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận trả lời."))
            return redirect("premises:revocation_list")
    return render(
        request,
        "premises/revocation_answer.html",
        {"p": proposal, "form": form, "nav_current": "premises:revocation_list"},
    )


# Police and health checks -------------------------------------------------------------------------------


@login_required
def police_check_create(request):
    """Quick entry for police officers on a phone: find the place by name or address, then three fields."""
    user = request.user
    _require(rules.can_police_check(user))
    q = (request.GET.get("q") or "").strip()[:100]
    matches = []
    if q:
        matches = list(
            selectors.establishments_visible(user)
            .filter(Q(name_key__contains=name_key(q)) | Q(address_key__contains=name_key(q)))
            .order_by("name")[:20]
        )
    initial = {"checked_on": timezone.localdate(), "result": "ok"}
    if request.GET.get("co_so"):
        initial["establishment"] = request.GET["co_so"]
    form = PoliceCheckForm(request.POST or None, initial=initial)
    chosen = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = selectors.establishments_visible(user).filter(pk=data["establishment"]).first()
        if chosen is None:
            form.add_error("establishment", _("Không có cơ sở mã này trong địa bàn của anh/chị."))
        else:
            try:
                services.police_check_record(
                    actor=user,
                    establishment=chosen,
                    checked_on=data["checked_on"],
                    result=data["result"],
                    people_checked=data["people_checked"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận kiểm tra hành chính tại “%(name)s”.") % {"name": chosen.name}
                )
                return redirect("premises:police_check_create")
    elif initial.get("establishment"):
        chosen = selectors.establishments_visible(user).filter(pk=initial["establishment"]).first()
    recent = list(selectors.police_checks_visible(user).filter(created_by=user)[:10])
    selectors.mark_now_part_of([*matches, *([chosen] if chosen else [])])
    return render(
        request,
        "premises/police_check.html",
        {
            "form": form,
            "q": q,
            "matches": matches,
            "chosen": chosen,
            "recent": recent,
            "nav_current": "premises:police_check_create",
        },
    )


@login_required
def health_check_create(request, pk: int):
    user = request.user
    _require(rules.can_health_check(user))
    establishment = selectors.establishment_get(user, pk)
    form = HealthCheckForm(
        request.POST or None,
        initial={
            "checked_on": timezone.localdate(),
            "in_condom_programme": establishment.in_condom_programme,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.health_check_record(actor=user, establishment=establishment, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu kết quả kiểm tra y tế."))
            return redirect("premises:establishment_detail", pk=establishment.pk)
    return render(
        request,
        "premises/form.html",
        {"form": form, "title": _("Kiểm tra y tế cơ sở xoa bóp"), "e": establishment, "nav_current": NAV},
    )


# Licence eligibility ---------------------------------------------------------------------------------


@login_required
def eligibility_view(request):
    """The culture department's look-up: yes/no and the decisions as basis, nothing else; logged with a purpose."""
    user = request.user
    _require(rules.can_lookup_eligibility(user))
    form = EligibilityForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        try:
            answer = eligibility.lookup(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    return render(
        request,
        "premises/eligibility.html",
        {"form": form, "answer": answer, "nav_current": "premises:eligibility"},
    )


# Excel import ----------------------------------------------------------------------------------------


@login_required
def import_template(request):

    _require(rules.can_import(request.user))
    response = HttpResponse(
        template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-co-so.xlsx"'
    return response


@login_required
def import_upload(request):

    user = request.user
    _require(rules.can_import(user))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_start(actor=user, data=upload.read(), file_name=upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("premises:import_preview", pk=batch.pk)
    return render(request, "premises/import_upload.html", {"form": form, "nav_current": NAV})


@login_required
def import_preview(request, pk: int):

    user = request.user
    _require(rules.can_import(user))
    batch = selectors.establishment_import_get(user, pk)
    if (running := background.redirect_while_running(batch)) is not None:
        return running
    if request.method == "POST" and batch.status == EstablishmentImport.Status.PREVIEW:
        if request.POST.get("action") == "cancel":
            imports.import_cancel(actor=user, batch=batch)
            messages.info(request, _("Đã hủy lượt nhập."))
            return redirect("premises:establishment_list")
        if imports.runs_in_background(batch):
            return background.confirm_in_background(request, batch)
        try:
            batch = imports.import_confirm(actor=user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, background.imported_message(batch))
            return redirect("premises:establishment_list")
    rows = (
        imports.check_rows(imports.batch_rows(batch), actor=user)
        if batch.status == EstablishmentImport.Status.PREVIEW
        else []
    )
    return render(
        request,
        "premises/import_preview.html",
        {"batch": batch, "rows": rows, "errors": sum(1 for r in rows if r.errors), "nav_current": NAV},
    )
