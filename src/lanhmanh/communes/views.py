"""Pages of the healthy-commune assessment: the list of the year, one assessment (self-assessment,
review, approval, reopening), a commune's history, the transformation table, templates, model
communes, the statistics form (Word, Excel) and the map. Every record comes through a selector."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lanhmanh.communes import documents, rules, selectors, services
from lanhmanh.communes.forms import (
    ActivitiesForm,
    DesignateForm,
    EndDesignationForm,
    EvaluationForm,
    EvidenceFileForm,
    ItemForm,
    ReasonForm,
    ReviewForm,
    SelfAssessmentForm,
    StatisticsLayoutForm,
)
from lanhmanh.communes.models import AssessmentStatus, CriteriaGroup, StatisticsLayout
from lanhmanh.communes.proposals import proposals_for
from lanhmanh.core.scoping import in_subtree, path_q
from lanhmanh.org.levels import is_top
from lanhmanh.org.maps import district_map
from lanhmanh.org.models import AdministrativeUnit


def _require_viewer(user) -> None:
    if not rules.can_see_assessments(user):
        raise Http404


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _year(request, default: int | None = None) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    try:
        year = int(raw)
        if 2000 <= year <= 2100:
            return year
    except (TypeError, ValueError):
        pass
    if default is not None:
        return default
    latest = selectors.assessments_for(request.user).aggregate(y=Max("year"))["y"]
    return latest or dt.date.today().year


@login_required
def index(request):
    """The year's assessments of the user's area (or own commune), with counts by status."""
    user = request.user
    _require_viewer(user)
    year = _year(request)
    district = request.GET.get("district", "")
    if district and not in_subtree(district, user.jurisdiction_path):
        district = ""
    status = request.GET.get("status", "")
    qs = selectors.assessments_for(user, year=year, unit_path=district or None).filter(
        template__purpose="healthy"
    )
    counts = dict.fromkeys(AssessmentStatus.values, 0)
    for s in qs.values_list("status", flat=True):
        counts[s] += 1
    rows = qs.filter(status=status) if status in AssessmentStatus.values else qs
    communes = selectors.communes_in(user, district or user.jurisdiction_path, year)
    assessed = set(qs.values_list("unit_id", flat=True))
    missing = [u for u in communes if u.pk not in assessed] if not rules.is_assessor(user) else []
    own = None
    if rules.is_assessor(user):
        own = qs.filter(unit_path=user.jurisdiction_path).first()
    districts = (
        AdministrativeUnit.objects.districts()
        .filter(path_q(user.jurisdiction_path))
        .valid_on(dt.date(year, 12, 31))
        if is_top(user.unit.level)
        else []
    )
    return render(
        request,
        "communes/index.html",
        {
            "year": year,
            "rows": rows.order_by("unit_path")[:1000],
            "counts": [(s, AssessmentStatus(s).label, counts[s]) for s in AssessmentStatus.values],
            "total": sum(counts.values()),
            "communes_count": communes.count(),
            "missing": missing[:200],
            "missing_count": len(missing),
            "own": own,
            "own_unit": user.unit if rules.is_assessor(user) else None,
            "districts": districts,
            "district": district,
            "status": status,
            "years": range(year - 3, year + 2),
            "is_assessor": rules.is_assessor(user),
            "is_city": rules.is_city_coordinator(user),
        },
    )


@login_required
@require_POST
def open_assessment(request):
    user = request.user
    _require_viewer(user)
    year = _year(request, default=dt.date.today().year)
    unit = selectors.unit_get(user, request.POST.get("unit"))
    try:
        assessment = services.assessment_open(actor=user, unit=unit, year=year)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect(f"{_index_url()}?year={year}")
    messages.success(
        request,
        _("Đã lập phiếu đánh giá năm %(year)s cho %(unit)s.") % {"year": year, "unit": unit.full_name},
    )
    return redirect("communes:detail", pk=assessment.pk)


def _index_url() -> str:
    return reverse("communes:index")


def _detail_context(
    request, assessment, *, self_form=None, review_form=None, reopen_form=None, file_form=None
) -> dict:
    user = request.user
    answers = selectors.assessment_answers(assessment)
    items = [a.item for a in answers]
    files = selectors.assessment_files(assessment)
    files_by_item: dict = {}
    for f in files:
        f.removable = rules.can_remove_file(user, f)
        files_by_item.setdefault(f.item_id, []).append(f)
    can_attach = rules.can_attach_files(user, assessment)
    if can_attach and file_form is None:
        file_form = EvidenceFileForm(items=items)
    proposals = proposals_for(assessment, items, user=user)
    groups = {g.pk: g for g in CriteriaGroup.objects.filter(template=assessment.template_id)}
    can_self = rules.can_self_assess(user, assessment)
    can_review = rules.can_review(user, assessment)
    if can_self and self_form is None:
        self_form = SelfAssessmentForm(answers=answers, initial={"summary": assessment.summary})
    if can_review and review_form is None:
        review_form = ReviewForm(answers=answers)
    sections = []
    for group_id in sorted(groups, key=lambda g: groups[g].order):
        rows = []
        for a in answers:
            if a.item.group_id != group_id:
                continue
            row = {
                "answer": a,
                "proposal": proposals.get(a.item_id),
                "files": files_by_item.get(a.item_id, []),
            }
            if self_form is not None:
                row["score"] = self_form[f"score_{a.item_id}"]
                row["evidence"] = self_form[f"evidence_{a.item_id}"]
                row["links"] = self_form[f"links_{a.item_id}"]
            if review_form is not None:
                row["review_score"] = review_form[f"score_{a.item_id}"]
                row["review_reason"] = review_form[f"reason_{a.item_id}"]
            rows.append(row)
        sections.append((groups[group_id], rows))
    return {
        "assessment": assessment,
        "sections": sections,
        "max_score": sum((a.item.points for a in answers), 0),
        "self_form": self_form,
        "review_form": review_form,
        "reopen_form": reopen_form or (ReasonForm() if rules.can_reopen(user, assessment) else None),
        "can_self": can_self,
        "can_review": can_review,
        "can_approve": rules.can_approve(user, assessment),
        "can_reopen": rules.can_reopen(user, assessment),
        "changed": [a for a in answers if a.changed_by_district],
        "general_files": files_by_item.get(None, []),
        "files_count": len(files),
        "file_form": file_form if can_attach else None,
        "unverified": sum(1 for i in items if not i.verified),
    }


@login_required
def detail(request, pk: int):
    assessment = selectors.assessment_get(request.user, pk)
    return render(request, "communes/detail.html", _detail_context(request, assessment))


@login_required
@require_POST
def self_assess(request, pk: int):
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    answers = selectors.assessment_answers(assessment)
    form = SelfAssessmentForm(request.POST, answers=answers)
    if not rules.can_self_assess(user, assessment):
        messages.error(request, _("Phiếu không còn ở bước xã tự chấm."))
        return redirect("communes:detail", pk=pk)
    if form.is_valid():
        try:
            services.assessment_save_self(
                actor=user,
                assessment=assessment,
                answers=form.answers_data(),
                summary=form.cleaned_data["summary"],
            )
            if request.POST.get("action") == "submit":
                services.assessment_submit(actor=user, assessment=assessment)
                messages.success(request, _("Đã gửi phiếu tự đánh giá lên huyện phúc tra."))
            else:
                messages.success(request, _("Đã lưu điểm tự chấm."))
            return redirect("communes:detail", pk=pk)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for m in _errors(exc):
                form.add_error(None, m)
    context = _detail_context(request, assessment, self_form=form)
    return render(request, "communes/detail.html", context, status=400)


@login_required
@require_POST
def file_add(request, pk: int):
    """Attach a file of evidence (minutes, photos, decisions) to the assessment or one of its items."""
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    answers = selectors.assessment_answers(assessment)
    form = EvidenceFileForm(request.POST, request.FILES, items=[a.item for a in answers])
    if form.is_valid():
        try:
            attachment = services.assessment_file_add(
                actor=user,
                assessment=assessment,
                checked=form.cleaned_data["file"],
                item=form.chosen_item(),
                description=form.cleaned_data["description"],
            )
            messages.success(
                request,
                _("Đã tải lên tệp minh chứng “%(name)s”.") % {"name": attachment.upload.original_name},
            )
            return redirect(f"{reverse('communes:detail', args=[pk])}#tep-minh-chung")
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for m in _errors(exc):
                form.add_error(None, m)
    context = _detail_context(request, assessment, file_form=form)
    context["file_errors"] = [e for errors in form.errors.values() for e in errors]
    return render(request, "communes/detail.html", context, status=400)


@login_required
@require_POST
def file_remove(request, pk: int, file_pk: int):
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    attachment = selectors.assessment_file_get(user, assessment, file_pk)
    try:
        services.assessment_file_remove(actor=user, attachment=attachment)
        messages.success(request, _("Đã gỡ tệp minh chứng khỏi phiếu."))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect(f"{reverse('communes:detail', args=[pk])}#tep-minh-chung")


@login_required
@require_POST
def review(request, pk: int):
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    answers = selectors.assessment_answers(assessment)
    form = ReviewForm(request.POST, answers=answers)
    if not rules.can_review(user, assessment):
        messages.error(request, _("Phiếu không ở bước huyện phúc tra."))
        return redirect("communes:detail", pk=pk)
    if form.is_valid():
        try:
            services.assessment_review(
                actor=user, assessment=assessment, changes=form.changes(), note=form.cleaned_data["note"]
            )
            messages.success(request, _("Đã hoàn thành phúc tra, chuyển thành phố duyệt."))
            return redirect("communes:detail", pk=pk)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for m in _errors(exc):
                form.add_error(None, m)
    return render(
        request, "communes/detail.html", _detail_context(request, assessment, review_form=form), status=400
    )


@login_required
@require_POST
def approve(request, pk: int):
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    try:
        services.assessment_approve(actor=user, assessment=assessment)
        messages.success(request, _("Đã duyệt và khoá kết quả đánh giá."))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("communes:detail", pk=pk)


@login_required
@require_POST
def reopen(request, pk: int):
    user = request.user
    assessment = selectors.assessment_get(user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(actor=user, assessment=assessment, reason=form.cleaned_data["reason"])
            messages.success(request, _("Đã mở lại kết quả: huyện phúc tra lại."))
            return redirect("communes:detail", pk=pk)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for m in _errors(exc):
                form.add_error(None, m)
    return render(
        request, "communes/detail.html", _detail_context(request, assessment, reopen_form=form), status=400
    )


@login_required
def unit_history(request, pk: int):
    unit = selectors.unit_get(request.user, pk)
    return render(
        request, "communes/history.html", {"unit": unit, "rows": selectors.unit_history(request.user, unit)}
    )


@login_required
def transformation(request):
    user = request.user
    _require_viewer(user)
    year = _year(request)
    rows = selectors.transformation(user, year)
    totals = {
        "communes": sum(r.communes for r in rows),
        "assessed": sum(r.assessed for r in rows),
        "healthy": sum(r.healthy for r in rows),
        "previous_healthy": sum(r.previous_healthy for r in rows),
        "became_clean": sum(len(r.became_clean) for r in rows),
        "became_affected": sum(len(r.became_affected) for r in rows),
    }
    totals["share"] = round(totals["healthy"] * 100 / totals["communes"], 1) if totals["communes"] else None
    return render(
        request,
        "communes/transformation.html",
        {"year": year, "rows": rows, "totals": totals, "years": range(year - 3, year + 2)},
    )


# Templates --------------------------------------------------------------------------------------


@login_required
def templates(request):
    _require_viewer(request.user)
    return render(
        request,
        "communes/templates.html",
        {
            "templates": selectors.templates_for(request.user).prefetch_related("groups__items", "classes"),
            "can_edit": rules.can_edit_templates(request.user),
        },
    )


@login_required
def item_edit(request, pk: int):
    user = request.user
    item = selectors.item_get(user, pk)
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        fresh = type(item).objects.get(pk=item.pk)
        try:
            services.criterion_item_update(
                actor=user, item=fresh, **{f: form.cleaned_data[f] for f in services.ITEM_FIELDS}
            )
            messages.success(request, _("Đã cập nhật tiêu chí %(code)s.") % {"code": item.code})
            return redirect("communes:templates")
        except ValidationError as exc:
            for m in _errors(exc):
                form.add_error(None, m)
    return render(
        request, "communes/item_form.html", {"item": item, "form": form}, status=400 if form.errors else 200
    )


# Model communes ---------------------------------------------------------------------------------


@login_required
def models_list(request):
    user = request.user
    _require_viewer(user)
    plan = selectors.plan_for(user)
    if plan is None:
        raise Http404
    form = None
    if rules.can_designate_models(user):
        units = selectors.communes_in(user, plan.scope_unit.path, plan.year).exclude(
            model_designations__plan=plan
        )
        form = DesignateForm(request.POST or None, units=units)
        if request.method == "POST" and form.is_valid():
            try:
                mc = services.model_commune_designate(actor=user, plan=plan, **form.cleaned_data)
                messages.success(
                    request, _("Đã chỉ định %(unit)s xây dựng mô hình.") % {"unit": mc.unit.full_name}
                )
                return redirect("communes:models")
            except ValidationError as exc:
                for m in _errors(exc):
                    form.add_error(None, m)
    rows = list(selectors.model_communes_for(user, plan).prefetch_related("evaluations"))
    year = plan.year
    kept = sum(
        1
        for m in rows
        if m.designated_on <= dt.date(year, 12, 31)
        and (m.ended_on is None or m.ended_on >= dt.date(year, 12, 31))
        and not any(e.year == year and not e.kept for e in m.evaluations.all())
    )
    return render(
        request,
        "communes/models.html",
        {"plan": plan, "rows": rows, "form": form, "kept": kept, "year": year},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def model_detail(request, pk: int):
    user = request.user
    mc = selectors.model_commune_get(user, pk)
    candidates = (
        apps.get_model("plans", "Activity")
        .objects.filter(plan=mc.plan)
        .filter(path_q(mc.unit_path, "unit_path"))
        .order_by("held_on")
    )
    can_edit = rules.can_evaluate_model(user, mc)
    activities_form = ActivitiesForm(initial={"activities": list(mc.activities.all())}, activities=candidates)
    evaluation_form = EvaluationForm(initial={"year": mc.plan.year})
    can_end = rules.can_designate_models(user) and mc.ended_on is None
    end_form = EndDesignationForm() if can_end else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            if request.POST.get("action") == "end" and can_end:
                end_form = EndDesignationForm(request.POST)
                if end_form.is_valid():
                    if end_form.cleaned_data["ended_on"] < mc.designated_on:
                        raise ValidationError(_("Ngày thôi phải bằng hoặc sau ngày chỉ định."))
                    services.model_commune_end(actor=user, model_commune=mc, **end_form.cleaned_data)
                    messages.success(request, _("Đã ghi ngày thôi chỉ định."))
                    return redirect("communes:model", pk=pk)
            elif request.POST.get("action") == "activities":
                activities_form = ActivitiesForm(request.POST, activities=candidates)
                if activities_form.is_valid():
                    services.model_commune_link_activities(
                        actor=user, model_commune=mc, activities=activities_form.cleaned_data["activities"]
                    )
                    messages.success(request, _("Đã cập nhật hoạt động của mô hình."))
                    return redirect("communes:model", pk=pk)
            elif request.POST.get("action") == "evaluation":
                evaluation_form = EvaluationForm(request.POST)
                if evaluation_form.is_valid():
                    services.model_evaluation_record(
                        actor=user, model_commune=mc, **evaluation_form.cleaned_data
                    )
                    messages.success(request, _("Đã ghi kết quả đánh giá mô hình."))
                    return redirect("communes:model", pk=pk)
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        status = 400
    return render(
        request,
        "communes/model_detail.html",
        {
            "mc": mc,
            "activities": mc.activities.order_by("held_on"),
            "evaluations": mc.evaluations.select_related("evaluated_by"),
            "activities_form": activities_form if can_edit else None,
            "evaluation_form": evaluation_form if can_edit else None,
            "end_form": end_form,
        },
        status=status,
    )


# Documents ---------------------------------------------------------------------------------------


@login_required
def statistics(request, fmt: str):
    user = request.user
    _require_viewer(user)
    year = _year(request)
    unit_path = request.GET.get("unit") or user.jurisdiction_path
    if not in_subtree(unit_path, user.jurisdiction_path):
        raise Http404
    form = documents.statistics_form(user, year, unit_path)
    if form is None:
        raise Http404
    if fmt == "docx":
        data, mime = (
            documents.to_docx(form),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    elif fmt == "xlsx":
        data, mime = (
            documents.to_xlsx(form),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="xa-lanh-manh-{year}-{unit_path}.{fmt}"'
    return response


@login_required
def layouts(request):
    """The statistics form's layouts (city, district): read by every assessment role, corrected by the
    city coordinator (headings, order, title, form number; ``verified`` once matched to the annex)."""
    user = request.user
    _require_viewer(user)
    can_edit = rules.can_edit_templates(user)
    forms_by_level = {}
    status = 200
    for layout in documents.layouts():
        measures = documents.MEASURES[layout.level]
        bound = request.method == "POST" and can_edit and request.POST.get("level") == layout.level
        form = StatisticsLayoutForm(request.POST if bound else None, instance=layout, measures=measures)
        if bound:
            if form.is_valid():
                fresh = StatisticsLayout.objects.get(pk=layout.pk)
                data = {f: form.cleaned_data[f] for f in services.LAYOUT_FIELDS if f != "columns"}
                services.statistics_layout_update(
                    actor=user, layout=fresh, columns=form.cleaned_data["columns_text"], **data
                )
                messages.success(request, _("Đã cập nhật mẫu biểu thống kê."))
                return redirect("communes:layouts")
            status = 400
        forms_by_level[layout.level] = (layout, form, measures)
    if request.method == "POST" and not can_edit:
        raise Http404
    return render(
        request,
        "communes/layouts.html",
        {"layouts": list(forms_by_level.values()), "can_edit": can_edit, "year": _year(request)},
        status=status,
    )


@login_required
def map_page(request):
    """The share of healthy communes per district on the district map, with the table beside it."""
    user = request.user
    _require_viewer(user)
    year = _year(request)
    rows = selectors.transformation(user, year)
    index = reverse("communes:index")
    the_map = district_map(
        element_id="healthy-communes-map",
        title=_("Tỷ lệ xã, phường, thị trấn lành mạnh năm %(year)s") % {"year": year},
        values={r.district.code: r.share for r in rows if r.assessed},
        value_suffix=" %",
        links={r.district.code: f"{index}?year={year}&district={r.district.path}" for r in rows},
        province_code=user.jurisdiction_path.split(".")[0],
    )
    return render(
        request,
        "communes/map.html",
        {"year": year, "rows": rows, "map": the_map, "years": range(year - 3, year + 2)},
    )
