"""Registry pages: search, person page (identity after a stated purpose), entry of persons and violations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import Purpose, readers
from lanhmanh.core.scoping import DataClass, can
from lanhmanh.core.selectors import may_audit
from lanhmanh.org.successions import units_now_part_of
from lanhmanh.people import job_views as background  # long lists are written by a background task
from lanhmanh.people import privacy, selectors, services
from lanhmanh.people.forms import (
    ImportUploadForm,
    PaymentForm,
    PersonForm,
    PurposeForm,
    SearchForm,
    ViolationForm,
)
from lanhmanh.people.hooks import hooks
from lanhmanh.people.imports import ImportFileError, rejected_workbook, summarise, template_workbook
from lanhmanh.people.imports import (
    reading as import_reading,  # MAX_FILE_BYTES read when used (tests lower it)
)
from lanhmanh.people.models import Person, PersonImport, format_vnd
from lanhmanh.people.privacy import access_log as log_of
from lanhmanh.people.privacy import pseudonym
from lanhmanh.people.purposes import SESSION_PURPOSES
from lanhmanh.people.rules import can_edit_registry, can_use_registry

CHILD_SAVED = gettext_lazy(
    "Đã lưu hồ sơ. Người này chưa đủ 18 tuổi: đây là trẻ em cần bảo vệ, không lập hồ sơ vi phạm; hồ sơ chỉ "
    "cán bộ bảo vệ trẻ em, hỗ trợ xem được. Hãy báo cho họ để mở hồ sơ bảo vệ trẻ em."
)


def _require_registry(user) -> None:
    # Same answer as a missing page: the registry's existence is not confirmed to outsiders.
    if not can_use_registry(user):
        raise Http404


def _require_registry_writer(user) -> None:
    """Recording, editing and importing: roles that may change the registry's classes; a reader (the
    court's clerk) gets the same 404 as a missing page."""
    if not can_edit_registry(user):
        raise Http404


def _purpose_for(request, person: Person) -> str | None:
    return request.session.get(SESSION_PURPOSES, {}).get(str(person.pk))


def _remember_purpose(request, person: Person, purpose: str, detail: str) -> None:
    purposes = dict(request.session.get(SESSION_PURPOSES, {}))
    purposes[str(person.pk)] = {"purpose": purpose, "detail": detail}
    request.session[SESSION_PURPOSES] = purposes


@login_required
def person_list(request):
    """Exact search through the blind indexes; results show identity, each shown row is logged."""
    _require_registry(request.user)
    form = SearchForm(request.GET or None)
    purpose_form = PurposeForm(request.GET or None)
    results = None
    if request.GET and form.is_valid() and purpose_form.is_valid():
        data = form.cleaned_data
        results = list(
            selectors.persons_search(
                request.user, id_number=data["id_number"], full_name=data["full_name"], birth=data["birth"]
            )[:50]
        )
        selectors.identities_shown(
            request.user,
            results,
            purpose=purpose_form.cleaned_data["purpose"],
            detail=_("Tra cứu: ") + purpose_form.cleaned_data["detail"],
            path=request.path,
        )
        for person in results:
            _remember_purpose(
                request, person, purpose_form.cleaned_data["purpose"], purpose_form.cleaned_data["detail"]
            )
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "purpose_form": purpose_form,
            "results": results,
            "can_edit": can_edit_registry(request.user),
            "nav_current": "people:person_list",
        },
    )


WARD_PAGE_SIZE = 50


@login_required
def person_ward(request):
    """The persons on the user's own area (“người trên địa bàn của tôi”), newest first, 50 a page, only
    after a stated purpose; every page shown is logged, one access row per person."""
    user = request.user
    _require_registry(user)
    purpose_form = PurposeForm(request.GET if "purpose" in request.GET else None)
    page = None
    if purpose_form.is_bound and purpose_form.is_valid():
        purpose, detail = purpose_form.cleaned_data["purpose"], purpose_form.cleaned_data["detail"]
        paginator = Paginator(selectors.persons_visible(user).order_by("-pk"), WARD_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("trang"))
        selectors.identities_shown(
            user,
            list(page.object_list),
            purpose=purpose,
            detail=(_("Người trên địa bàn: ") + detail).strip(),
            path=request.path,
        )
        for person in page.object_list:
            _remember_purpose(request, person, purpose, detail)
    return render(
        request,
        "people/person_ward.html",
        {"purpose_form": purpose_form, "page": page, "unit": user.unit, "nav_current": "people:person_list"},
    )


@login_required
def person_detail(request, pk: int):
    """A person's page. Identity only after a purpose is chosen (once per session); every view is logged."""
    user = request.user
    _require_registry(user)
    if (survivor := hooks.resolve_person_id(pk)) != pk:  # merged: its records live under the survivor now
        return redirect("people:person_detail", pk=selectors.person_get(user, survivor).pk)
    person = selectors.person_get(user, pk)
    chosen = _purpose_for(request, person)
    if request.method == "POST":
        form = PurposeForm(request.POST)
        if form.is_valid():
            _remember_purpose(request, person, form.cleaned_data["purpose"], form.cleaned_data["detail"])
            return redirect("people:person_detail", pk=person.pk)
    else:
        form = PurposeForm()
    if chosen is None:
        return render(request, "people/person_purpose.html", {"person": person, "form": form})
    selectors.identities_shown(
        user, [person], purpose=chosen["purpose"], detail=chosen.get("detail", ""), path=request.path
    )
    today = timezone.localdate()
    counted = selectors.counted_violations(user, person, today=today)
    context = {
        "person": person,
        "purpose": Purpose(chosen["purpose"]).label,
        "counted": counted,
        "counting_now": [row for row in counted if row.counts_today],
        "repeats": [row for row in counted if row.is_repeat],
        "reform_notes": _reform_notes(counted, today),
        "health": selectors.health_of(user, person),
        "support": selectors.support_of(user, person),
        "support_cases": hooks.support_cases_of(user, person),
        "can_health": can(user, DataClass.HEALTH),
        "can_support": can(user, DataClass.SUPPORT),
        "can_edit": can_edit_registry(user),
        "today": today,
        "readers": list(readers(person).select_related("actor")[:50])
        if user.has_role("data-protection")
        else None,
    }
    return render(request, "people/person_detail.html", context)


def _reform_notes(counted, today) -> bool:
    """Violations made before the 1/7/2025 reform name their old ward; each gets ``now_part_of``, the
    ward of today's map it became (successor link). True when any has one (the page explains)."""
    now = units_now_part_of([row.violation.place_unit for row in counted], today)
    for row in counted:
        row.violation.now_part_of = now.get(row.violation.place_unit_id)
    return bool(now)


@login_required
def person_create(request):
    user = request.user
    _require_registry_writer(user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        fields["birth_year"] = form.instance.birth_year or fields["birth_year"]
        try:
            person = services.person_create(actor=user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not can(user, DataClass.CHILD) and not person.is_adult_today:
                messages.warning(request, CHILD_SAVED)
                return redirect("people:person_list")
            _remember_purpose(request, person, Purpose.SANCTION, _("Nhập hồ sơ mới"))
            messages.success(request, _("Đã lưu hồ sơ. Có thể nhập vi phạm cho người này."))
            return redirect("people:violation_create", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "nav_current": "people:person_list"})


@login_required
def person_suggest(request):
    """htmx: persons the user may see with exactly the same ID number, or folded name + birth date/year."""
    user = request.user
    _require_registry_writer(user)
    form = PersonForm(request.GET)
    form.is_valid()  # only the cleaned identity fields are used
    data = getattr(form, "cleaned_data", {})
    matches: dict[int, tuple[Person, str]] = {}
    if data.get("id_number"):
        for person in selectors.persons_search(user, id_number=data["id_number"])[:10]:
            matches[person.pk] = (person, _("Trùng số CMND/CCCD"))
    birth = data.get("birth_date") or data.get("birth_year")
    if data.get("full_name") and birth:
        for person in selectors.persons_search(user, full_name=data["full_name"], birth=birth)[:10]:
            matches.setdefault(person.pk, (person, _("Trùng họ tên và ngày/năm sinh")))
    if data.get("full_name"):  # spelling variants, Thị left out, swapped dates: the linkage model's guesses
        for match in hooks.likely_matches(user, data):
            why = _("Khả năng trùng %(percent)d%%: %(fields)s") % {
                "percent": int(match.match_probability * 100),
                "fields": ", ".join(f"{f.label} ({f.level})" for f in match.agreeing[:3]),
            }
            matches.setdefault(match.person.pk, (match.person, why))
    selectors.identities_shown(
        request.user,
        [person for person, _why in matches.values()],
        purpose=Purpose.SANCTION,
        detail=_("Gợi ý hồ sơ có thể trùng khi nhập"),
        path=request.path,
    )
    return render(request, "people/_suggestions.html", {"matches": list(matches.values())})


@login_required
def violation_create(request, pk: int):
    user = request.user
    _require_registry_writer(user)
    person = selectors.person_get(user, pk)
    form = ViolationForm(request.POST or None, user=user)
    offer_child_case = False
    if request.method == "POST" and form.is_valid():
        try:
            services.violation_record(actor=user, person=person, **form.violation_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
            # Refused as (possibly) under 18: offer the child protection case to those who may open it.
            offer_child_case = "person" in exc.message_dict and hooks.can_open_child_case(user)
        else:
            messages.success(request, _("Đã lưu vi phạm."))
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/violation_form.html",
        {
            "form": form,
            "person": person,
            "offer_child_case": offer_child_case,
            "nav_current": "people:person_list",
        },
    )


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


# Excel import -----------------------------------------------------------------------------------------


@login_required
def import_template(request):
    """The .xlsx template of a police list."""
    _require_registry_writer(request.user)

    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-xu-phat.xlsx"'
    return response


@login_required
def import_upload(request):
    """Upload a filled template; the preview follows. Nothing is written to the registry here."""
    user = request.user
    _require_registry_writer(user)

    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > import_reading.MAX_FILE_BYTES:
            form.add_error(
                "file",
                _("Tệp quá lớn: tối đa %(max)s MB. Hãy chia danh sách thành nhiều tệp.")
                % {"max": import_reading.MAX_FILE_BYTES // 1024 // 1024},
            )
        else:
            try:
                batch = services.person_import_prepare(actor=user, file_name=upload.name, data=upload.read())
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("people:import_preview", pk=batch.pk)
    recent = selectors.person_imports_of(user)[:10]
    return render(
        request,
        "people/import_upload.html",
        {"form": form, "recent": recent, "nav_current": "people:person_list"},
    )


@login_required
def import_preview(request, pk: int):
    """The rows of an uploaded list with their errors; confirming writes them all in one transaction."""
    user = request.user
    _require_registry_writer(user)
    batch = selectors.person_import_get(user, pk)
    if (running := background.redirect_while_running(batch)) is not None:
        return running
    confirm_errors: list[str] = []
    if request.method == "POST" and batch.status == PersonImport.Status.PREVIEW:
        if "cancel" in request.POST:
            services.person_import_cancel(actor=user, batch=batch)
            messages.info(request, _("Đã hủy lượt nhập; không có dữ liệu nào được ghi."))
            return redirect("people:import_upload")
        skip_errors = "confirm_valid" in request.POST  # import the good rows, give back the others
        if background.jobs.runs_in_background(batch):
            return background.confirm_in_background(request, batch, skip_errors=skip_errors)
        try:
            batch = services.person_import_confirm(actor=user, batch=batch, skip_errors=skip_errors)
        except ValidationError as exc:
            confirm_errors = exc.messages
        else:
            for person_id in batch.person_ids:
                purposes = dict(request.session.get(SESSION_PURPOSES, {}))
                purposes[str(person_id)] = {"purpose": Purpose.SANCTION, "detail": _("Nhập từ tệp Excel")}
                request.session[SESSION_PURPOSES] = purposes
            messages.success(request, background.imported_message(batch))
            return redirect("people:import_preview", pk=batch.pk)
    context = {"batch": batch, "confirm_errors": confirm_errors, "nav_current": "people:person_list"}
    if batch.status == PersonImport.Status.PREVIEW:
        rows = services.person_import_rows(actor=user, batch=batch)
        context.update({"rows": rows, "summary": summarise(rows)})
    elif batch.status == PersonImport.Status.CONFIRMED:
        context["persons"] = list(
            selectors.persons_visible(user).filter(pk__in=batch.person_ids).order_by("pk")
        )
        selectors.identities_shown(
            request.user,
            context["persons"],
            purpose=Purpose.SANCTION,
            detail=_("Kết quả nhập danh sách Excel #%(batch)s") % {"batch": batch.pk},
            path=request.path,
        )
    return render(request, "people/import_preview.html", context)


@login_required
def import_rejected(request, pk: int):
    """The rows of the officer's list that have errors (before confirming) or were left out (after
    importing the good rows), as an .xlsx in the template's columns with a column of what to fix."""
    user = request.user
    _require_registry_writer(user)
    batch = selectors.person_import_get(user, pk)
    rejected = services.person_import_rejected(actor=user, batch=batch)
    if not rejected:
        raise Http404
    response = HttpResponse(
        rejected_workbook(rejected),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="Dong-loi-nhap-Excel-{batch.pk}.xlsx"'
    return response


# Editing ----------------------------------------------------------------------------------------------


@login_required
def person_edit(request, pk: int):
    """Edit a person's identity. Needs the purpose stated for this person in the session; audited."""
    user = request.user
    _require_registry_writer(user)
    person = selectors.person_get(user, pk)
    chosen = _purpose_for(request, person)
    if chosen is None:
        return redirect("people:person_detail", pk=person.pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        fields["birth_year"] = form.instance.birth_year or fields["birth_year"]
        try:
            services.person_update(actor=user, person=person, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi nhân thân."))
            return redirect("people:person_detail", pk=person.pk)
    selectors.identities_shown(
        user, [person], purpose=chosen["purpose"], detail=_("Sửa nhân thân"), path=request.path
    )
    return render(
        request,
        "people/person_edit.html",
        {"form": form, "person": person, "nav_current": "people:person_list"},
    )


@login_required
def sanction_payment(request, pk: int):
    """Record that a fine was paid (date of payment). Audited."""
    user = request.user
    _require_registry_writer(user)
    decision = selectors.sanction_get(user, pk)
    person = decision.violation.person
    if decision.kind != "fine" or decision.payment_status == "paid":
        messages.info(request, _("Quyết định này không có khoản tiền phạt chưa nộp."))
        return redirect("people:person_detail", pk=person.pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sanction_payment_set(actor=user, decision=decision, paid_on=form.cleaned_data["paid_on"])
        except ValidationError as exc:
            decision.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận nộp phạt."))
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/sanction_payment.html",
        {
            "form": form,
            "decision": decision,
            "amount": format_vnd(decision.amount),
            "person": person,
            "nav_current": "people:person_list",
        },
    )


# Data protection ----------------------------------------------------------------------------------------


def _require_data_protection(user) -> None:

    if not may_audit(user):
        raise Http404


@login_required
def access_log(request, pk: int):
    """Who read one person's data, when and why. Data-protection role only; the person shows as a pseudonym."""

    _require_data_protection(request.user)
    person = selectors.person_pseudonymous_get(pk)
    rows = list(log_of(person)[:500])
    return render(
        request,
        "people/access_log.html",
        {"pseudonym": pseudonym(person.pk), "rows": rows, "nav_current": "audit"},
    )


@login_required
def retention(request):
    """What retention will pseudonymise (due today) and what it has done. Data-protection role only."""

    _require_data_protection(request.user)
    return render(
        request,
        "people/retention.html",
        {
            "due": privacy.retention_due(limit=500),
            "done": privacy.retention_done(),
            "years": privacy.retention_years(),
            "explanation": privacy.retention_explanation(),
            "nav_current": "audit",
        },
    )
