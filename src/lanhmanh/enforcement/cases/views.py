"""Pages of criminal cases: the list and page of a case (identities after a stated purpose), its stages,
defendants, victims, sentences and press; the statistics by offence and stage for everyone with counts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Purpose
from lanhmanh.core.scoping import DataClass, path_q
from lanhmanh.enforcement import links
from lanhmanh.enforcement.cases import documents, forms, rules, selectors, services
from lanhmanh.enforcement.cases.models import CriminalCase, OffenceGroup, Stage, StageLimit
from lanhmanh.enforcement.selectors import tips_linked
from lanhmanh.indicators.evaluation import evaluate, suppresses_for
from lanhmanh.indicators.registry import source_for
from lanhmanh.people import selectors as people_selectors
from lanhmanh.people.forms import PurposeForm
from lanhmanh.people.hooks import hooks

SESSION_PURPOSES = "case_purposes"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(predicate, user) -> None:
    # The same answer as a missing page: the function's existence is not confirmed to outsiders.
    if not predicate(user):
        raise Http404


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _purpose(request, case: CriminalCase) -> dict | None:
    return request.session.get(SESSION_PURPOSES, {}).get(str(case.pk))


def _remember(request, case: CriminalCase, purpose: str, detail: str) -> None:
    purposes = dict(request.session.get(SESSION_PURPOSES, {}))
    purposes[str(case.pk)] = {"purpose": purpose, "detail": detail}
    request.session[SESSION_PURPOSES] = purposes


@login_required
def case_list(request):
    user = request.user
    _require(rules.handles_cases, user)
    cases = selectors.cases_visible(user).order_by("-detected_on", "-pk")
    stage = request.GET.get("giai-doan", "")
    if stage in Stage.values:
        cases = cases.filter(stage=stage)
    page = Paginator(cases, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "stages": Stage.choices,
            "stage": stage,
            "can_open": rules.opens_cases(user),
            "nav_current": "cases:case_list",
        },
    )


@login_required
def case_create(request):
    user = request.user
    _require(rules.opens_cases, user)
    form = forms.CaseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _remember(request, case, Purpose.INVESTIGATION, _("Mở hồ sơ vụ án"))
            messages.success(request, _("Đã mở hồ sơ vụ án #%(pk)s.") % {"pk": case.pk})
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "nav_current": "cases:case_list"})


STAGE_BUTTONS = ["busted", "prosecuted", "suspended", "indicted", "closed", "tried", "appealed", "final"]


@login_required
def case_detail(request, pk: int):
    """A case's page. Identities only after a purpose is chosen (once per session); every view is logged."""
    user = request.user
    case = selectors.case_get(user, pk)
    chosen = _purpose(request, case)
    if request.method == "POST":
        form = PurposeForm(request.POST)
        if form.is_valid():
            _remember(request, case, form.cleaned_data["purpose"], form.cleaned_data["detail"])
            return redirect("cases:case_detail", pk=case.pk)
    else:
        form = PurposeForm()
    if chosen is None:
        return render(request, "cases/case_purpose.html", {"case": case, "form": form})
    log = {"purpose": chosen["purpose"], "detail": chosen.get("detail", ""), "path": request.path}
    today = timezone.localdate()
    deadline = selectors.deadline_of(case, list(StageLimit.objects.all()))
    stages = [
        {
            "code": code,
            "label": Stage(code).label,
            "date": case.date_of(code),
            "mine": rules.may_record_stage(user, code),
        }
        for code in ["detected", *STAGE_BUTTONS]
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "purpose": Purpose(chosen["purpose"]).label,
            "defendants": selectors.defendants_of(user, case, **log),
            "victims": selectors.victims_of(user, case, **log),
            "press": list(case.press.all()),
            "place": selectors.place_of(user, case),
            "stages": stages,
            "deadline": deadline,
            "deadline_state": deadline.state(today) if deadline else None,
            "can_edit_people": rules.may_edit_people(user),
            "can_sentence": rules.may_sentence(user) and case.tried_on is not None,
            "can_press": rules.may_record_press(user) and case.tried_on is not None,
            "linked_tips": tips_linked(user, kind=links.CASE, object_id=case.pk),
            "nav_current": "cases:case_list",
        },
    )


@login_required
def stage_record(request, pk: int, stage: str):
    user = request.user
    case = selectors.case_get(user, pk)
    if stage not in Stage.values:
        raise Http404
    label = str(CriminalCase._meta.get_field(f"{stage}_on").verbose_name).capitalize()
    initial = {"on": case.date_of(stage), "mobile_trial": case.mobile_trial, "model_trial": case.model_trial}
    form = forms.StageForm(request.POST or None, stage=stage, label=label, initial=initial)
    refusal = None
    if not rules.may_record_stage(user, stage):
        refusal = services.STAGE_NOT_YOURS % {
            "stage": Stage(stage).label,
            "role": services.ROLE_NAMES[Stage(stage).owner_role],
        }
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_stage_record(
                actor=user,
                case=case,
                stage=stage,
                on=data["on"],
                mobile_trial=data.get("mobile_trial"),
                model_trial=data.get("model_trial"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi %(stage)s.") % {"stage": label.lower()})
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/stage_form.html",
        {"case": case, "form": form, "label": label, "refusal": refusal, "nav_current": "cases:case_list"},
        status=403 if refusal else 200,
    )


@login_required
def defendant_add(request, pk: int):
    user = request.user
    case = selectors.case_get(user, pk)
    _require(rules.may_edit_people, user)
    form = forms.DefendantForm(request.POST or None, user=user, form_id="person-form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.defendant_add(
                actor=user,
                case=case,
                ring_role=data["ring_role"],
                offence=data["offence"],
                measure=data["measure"],
                person=data["person"],
                identity=None if data["person"] else form.identity(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm bị can."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/person_form.html",
        {"case": case, "form": form, "title": _("Thêm bị can"), "nav_current": "cases:case_list"},
    )


@login_required
def victim_add(request, pk: int):
    user = request.user
    case = selectors.case_get(user, pk)
    _require(rules.may_edit_people, user)
    form = forms.VictimForm(request.POST or None, user=user, form_id="person-form")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            victim = services.victim_add(
                actor=user,
                case=case,
                kind=data["kind"],
                offer=data["offer"],
                person=data["person"],
                identity=None if data["person"] else form.identity(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if victim.minor:
                messages.success(
                    request,
                    _(
                        "Đã thêm bị hại. Bị hại chưa đủ 18 tuổi: đã chuyển %(agency)s để mở hồ sơ bảo vệ trẻ em."
                    )
                    % {"agency": victim.outreach_task.agency.name},
                )
            else:
                messages.success(request, _("Đã thêm bị hại."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/person_form.html",
        {"case": case, "form": form, "title": _("Thêm bị hại"), "nav_current": "cases:case_list"},
    )


@login_required
def person_suggest(request):
    """htmx: registry persons the user may see who may be the person typed (same rules as the registry's)."""
    user = request.user
    _require(rules.may_edit_people, user)
    form = forms.IdentityForm(request.GET, user=user, form_id="person-form")
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    matches: dict[int, tuple] = {}
    if data.get("id_number"):
        for person in people_selectors.persons_search(user, id_number=data["id_number"])[:10]:
            matches[person.pk] = (person, _("Trùng số CMND/CCCD"))
    birth = data.get("birth_date") or data.get("birth_year")
    if data.get("full_name") and birth:
        for person in people_selectors.persons_search(user, full_name=data["full_name"], birth=birth)[:10]:
            matches.setdefault(person.pk, (person, _("Trùng họ tên và ngày/năm sinh")))
    if data.get("full_name"):
        for match in hooks.likely_matches(user, {k: v for k, v in data.items() if k != "person"}):
            why = _("Khả năng trùng %(percent)d%%") % {"percent": int(match.match_probability * 100)}
            matches.setdefault(match.person.pk, (match.person, why))
    return render(request, "cases/_suggestions.html", {"matches": list(matches.values())})


@login_required
def sentence(request, pk: int, defendant_pk: int):
    user = request.user
    case = selectors.case_get(user, pk)
    _require(rules.may_sentence, user)
    defendant = selectors.defendant_get(user, case, defendant_pk)
    form = forms.SentenceForm(
        request.POST or None,
        initial={
            "sentence_kind": defendant.sentence_kind or "prison",
            "sentence_months": defendant.sentence_months,
            "probation_months": defendant.probation_months,
            "sentenced_on": defendant.sentenced_on or case.tried_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.defendant_sentence(actor=user, defendant=defendant, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi hình phạt."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/sentence_form.html",
        {"case": case, "defendant": defendant, "form": form, "nav_current": "cases:case_list"},
    )


@login_required
def press_add(request, pk: int):
    user = request.user
    case = selectors.case_get(user, pk)
    form = forms.PressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.press_record_add(actor=user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Đã ghi tin bài về phiên tòa."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request, "cases/press_form.html", {"case": case, "form": form, "nav_current": "cases:case_list"}
    )


@login_required
def case_summary(request, pk: int):
    """The case summary (Word) for the procuracy; its identities are logged like the page's."""
    user = request.user
    case = selectors.case_get(user, pk)
    chosen = _purpose(request, case)
    if chosen is None:
        return redirect("cases:case_detail", pk=case.pk)
    log = {"purpose": chosen["purpose"], "detail": _("Tải tóm tắt vụ án"), "path": request.path}
    content = documents.case_summary_docx(
        case,
        selectors.defendants_of(user, case, **log),
        selectors.victims_of(user, case, **log),
        agency_name=user.agency.name,
    )
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="tom-tat-vu-an-{case.pk}.docx"'
    return response


# Statistics (counts only) -----------------------------------------------------------------------------

COLUMNS = [
    ("enforcement.criminal_cases_busted", "Phá án"),
    ("enforcement.cases_prosecuted", "Khởi tố"),
    ("enforcement.cases_indicted", "Truy tố"),
    ("enforcement.trial_cases", "Xét xử sơ thẩm (vụ)"),
    ("enforcement.trial_defendants", "Bị cáo đã xét xử"),
    ("enforcement.cases_judged", "Bản án có hiệu lực"),
]


def statistics_table(user, year: int) -> documents.StatisticsTable:
    """Counts by offence group and stage for the user's unit over a year, protected like the dashboard."""
    unit_path = user.jurisdiction_path
    evaluations = [evaluate(code, unit_path, str(year), by="group", user=user) for code, _label in COLUMNS]
    rows = []
    for group, label in OffenceGroup.choices:
        cells = []
        for evaluation in evaluations:
            cell = evaluation.value(group)
            cells.append(cell.display if cell is not None else ("x" if evaluation.withheld else "0"))
        rows.append((str(label), cells))
    total = [evaluation.total.display for evaluation in evaluations]
    return documents.StatisticsTable(
        title=_("Thống kê vụ án theo nhóm tội và giai đoạn năm %(year)s") % {"year": year},
        unit_name=user.unit.long_name,
        columns=[_(label) for _code, label in COLUMNS],
        rows=rows,
        total=total,
    )


def _year(request) -> int:
    form = forms.StatisticsForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["year"]
    latest = CriminalCase.objects.aggregate(latest=Max("busted_on"))["latest"]
    return latest.year if latest else timezone.localdate().year


def _bust_to_judgment(user, year: int) -> tuple[int, float | None]:
    """(cases, average days from bust to final judgment) in the user's unit for judgments of the year."""
    days = [
        (final - busted).days
        for busted, final in CriminalCase.objects.filter(
            path_q(user.jurisdiction_path, "unit__path"),
            final_on__year=year,
            busted_on__isnull=False,
        ).values_list("busted_on", "final_on")
    ]
    return len(days), (sum(days) / len(days) if days else None)


@login_required
def statistics(request):
    user = request.user
    _require(rules.sees_case_counts, user)
    year = _year(request)
    table = statistics_table(user, year)
    fmt = request.GET.get("dinh-dang")
    if fmt == "docx":
        response = HttpResponse(
            documents.statistics_docx(table, agency_name=user.agency.name), content_type=DOCX
        )
        response["Content-Disposition"] = f'attachment; filename="thong-ke-vu-an-{year}.docx"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(documents.statistics_xlsx(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="thong-ke-vu-an-{year}.xlsx"'
        return response
    judged, average = _bust_to_judgment(user, year)
    # The average speaks of few people when few cases are behind it: only the owners see it then.
    hide_average = judged < 5 and suppresses_for(source_for("enforcement.cases_judged"), user)
    return render(
        request,
        "cases/statistics.html",
        {
            "table": table,
            "year": year,
            "judged": judged,
            "average": None if hide_average else average,
            "hide_average": hide_average,
            "identity_class": DataClass.IDENTITY,
            "nav_current": "cases:statistics",
        },
    )
