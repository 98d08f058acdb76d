"""Every write of the communes app: templates, assessments and their workflow, model communes.

Each service is keyword-only, atomic, validates fully before writing (a Vietnamese message naming
the field or item; nothing half-saved) and writes its audit rows in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from importlib import resources

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.communes import rules
from lanhmanh.communes.models import (
    Answer,
    Assessment,
    AssessmentFile,
    AssessmentStatus,
    AssessmentTemplate,
    Classification,
    CriteriaGroup,
    CriterionItem,
    ModelCommune,
    ModelEvaluation,
    StatisticsLayout,
    TemplatePurpose,
)
from lanhmanh.core.audit import (
    Action,
    audited_change,
    audited_delete,
    audited_insert,
    record_change,
)
from lanhmanh.core.scoping import in_subtree
from lanhmanh.core.uploads import CheckedUpload, upload_store
from lanhmanh.org.models import AdministrativeUnit, UnitLevel

SCORE_TOO_HIGH = gettext_lazy("Tiêu chí %(code)s: điểm %(score)s vượt quá điểm tối đa %(points)s.")
SCORE_NEGATIVE = gettext_lazy("Tiêu chí %(code)s: điểm không được âm.")
SCORE_NOT_NUMBER = gettext_lazy("Tiêu chí %(code)s: “%(value)s” không phải là số điểm.")
MANDATORY_MISSING = gettext_lazy("Chưa chấm tiêu chí bắt buộc: %(codes)s.")
REASON_MISSING = gettext_lazy("Tiêu chí %(code)s: huyện thay đổi điểm thì phải ghi lý do.")
NOT_A_COMMUNE = gettext_lazy("“%(unit)s” không phải là đơn vị hành chính cấp xã.")
UNIT_NOT_VALID = gettext_lazy(
    "%(unit)s không còn hiệu lực vào ngày 31/12/%(year)s: không lập phiếu đánh giá năm này."
)
ALREADY_ASSESSED = gettext_lazy("%(unit)s đã có phiếu đánh giá năm %(year)s theo bộ tiêu chí này.")
NO_TEMPLATE = gettext_lazy("Chưa có bộ tiêu chí xã lành mạnh áp dụng cho năm %(year)s.")
YEAR_OUT_OF_RANGE = gettext_lazy("Năm đánh giá phải từ 2000 đến %(max)s.")
WRONG_STATUS = gettext_lazy("Phiếu đang ở trạng thái “%(status)s”: không thực hiện được thao tác này.")
REOPEN_REASON_MISSING = gettext_lazy("Phải ghi lý do mở lại kết quả đã duyệt.")
UNKNOWN_ITEM = gettext_lazy("Tiêu chí số %(id)s không thuộc bộ tiêu chí của phiếu này.")
MODEL_OUTSIDE_PLAN = gettext_lazy("%(unit)s không thuộc địa bàn của kế hoạch.")
MODEL_UNIT_NOT_VALID = gettext_lazy("%(unit)s không còn hiệu lực vào ngày chỉ định %(day)s.")
MODEL_ALREADY = gettext_lazy("%(unit)s đã được chỉ định xây dựng mô hình trong kế hoạch này.")
MODEL_DATE_OUT = gettext_lazy("Ngày chỉ định phải nằm trong năm của kế hoạch (%(year)s).")
MODEL_EVAL_ALREADY = gettext_lazy("Mô hình tại %(unit)s đã được đánh giá năm %(year)s.")
ACTIVITY_ELSEWHERE = gettext_lazy(
    "Hoạt động “%(title)s” không tổ chức tại %(unit)s hoặc không thuộc kế hoạch này."
)
ITEM_POINTS_INVALID = gettext_lazy("Điểm tối đa phải lớn hơn 0.")
FILES_LOCKED = gettext_lazy(
    "Phiếu đã được thành phố duyệt và khoá: không thêm, không xoá tệp minh chứng. "
    "Cần sửa thì đề nghị thành phố mở lại kết quả."
)
FILES_NOT_YOUR_STEP = gettext_lazy(
    "Phiếu đang ở trạng thái “%(status)s”: chỉ xã (khi tự chấm) hoặc huyện (khi phúc tra) "
    "thêm, xoá tệp minh chứng."
)
FILE_ITEM_ELSEWHERE = gettext_lazy("Tiêu chí đã chọn không thuộc bộ tiêu chí của phiếu này.")
FILES_TOO_MANY = gettext_lazy("Phiếu đã có %(count)s tệp minh chứng, tối đa %(max)s tệp.")
MAX_FILES_PER_ASSESSMENT = 200


def _score(item: CriterionItem, raw) -> Decimal | None:
    """A score typed for ``item``: None when blank; ValidationError (naming the item) when wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(SCORE_NOT_NUMBER % {"code": item.code, "value": str(raw)[:20]}) from None
    if not value.is_finite():
        raise ValidationError(SCORE_NOT_NUMBER % {"code": item.code, "value": str(raw)[:20]})
    if value < 0:
        raise ValidationError(SCORE_NEGATIVE % {"code": item.code})
    if value > item.points:
        raise ValidationError(
            SCORE_TOO_HIGH % {"code": item.code, "score": _fmt(value), "points": _fmt(item.points)}
        )
    return value.quantize(Decimal("0.1"))


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _check_status(assessment: Assessment, *allowed: str) -> None:
    if assessment.status not in allowed:
        raise ValidationError(WRONG_STATUS % {"status": assessment.get_status_display()})


def _items(template: AssessmentTemplate) -> list[CriterionItem]:
    return list(CriterionItem.objects.filter(group__template=template).select_related("group"))


# Templates --------------------------------------------------------------------------------------


def template_data() -> dict:
    raw = resources.files("lanhmanh.communes").joinpath("data", "templates.json").read_text("utf-8")
    return json.loads(raw)


@transaction.atomic
def templates_load(*, data: dict | None = None) -> int:
    """Create the shipped templates (``data/templates.json``) that do not exist yet; returns how many.

    Every item is created unverified (``verified`` False) with the template's legal text as its
    source, unless the data says otherwise. Side effects: template, group, item and class rows, one
    audit row per template."""
    data = data or template_data()
    created = 0
    for spec in data["templates"]:
        if AssessmentTemplate.objects.filter(code=spec["code"]).exists():
            continue
        template = AssessmentTemplate(
            code=spec["code"],
            title=spec["title"],
            purpose=spec["purpose"],
            legal_text=spec["legal_text"],
            year_from=spec["year_from"],
            year_to=spec.get("year_to"),
            pass_note=spec.get("pass_note", ""),
            note=data.get("note", ""),
        )
        template.full_clean()
        audited_insert(actor=None, instance=template, reason="Bộ tiêu chí nạp sẵn")
        for order, cls in enumerate(spec["classes"], start=1):
            Classification.objects.create(
                template=template,
                order=order,
                code=cls["code"],
                name=cls["name"],
                min_score=Decimal(str(cls["min_score"])),
                needs_mandatory=cls["needs_mandatory"],
                healthy=cls["healthy"],
            )
        for g_order, g in enumerate(spec["groups"], start=1):
            group = CriteriaGroup.objects.create(template=template, order=g_order, title=g["title"])
            for i_order, it in enumerate(g["items"], start=1):
                item = CriterionItem(
                    group=group,
                    order=i_order,
                    code=it["code"],
                    text=it["text"],
                    points=Decimal(str(it["points"])),
                    mandatory=it.get("mandatory", False),
                    source=it.get("source") or f"{spec['legal_text']} (cần đối chiếu văn bản gốc)",
                    verified=it.get("verified", False),
                    indicator_code=it.get("indicator_code", ""),
                    rule=it.get("rule", ""),
                    threshold=it.get("threshold"),
                )
                item.full_clean()
                item.save()
        created += 1
    statistics_layouts_load()
    return created


@transaction.atomic
def statistics_layouts_load() -> int:
    """Create the shipped statistics layouts (``data/statistics_layouts.json``, unverified) that do not
    exist yet (also done by migration ``0004``; this refills a flushed database). Returns how many."""
    raw = resources.files("lanhmanh.communes").joinpath("data", "statistics_layouts.json").read_text("utf-8")
    data = json.loads(raw)
    created = 0
    for spec in data["layouts"]:
        if StatisticsLayout.objects.filter(level=spec["level"]).exists():
            continue
        layout = StatisticsLayout(**spec, verified=False, note=data["note"])
        layout.full_clean()
        audited_insert(actor=None, instance=layout, reason="Mẫu biểu nạp sẵn")
        created += 1
    return created


def template_for_year(year: int, purpose: str = TemplatePurpose.HEALTHY) -> AssessmentTemplate | None:
    for template in AssessmentTemplate.objects.filter(purpose=purpose):
        if template.applies_to(year):
            return template
    return None


ITEM_FIELDS = ("text", "points", "mandatory", "source", "verified", "indicator_code", "rule", "threshold")


@transaction.atomic
def criterion_item_update(*, actor, item: CriterionItem, **changes) -> CriterionItem:
    """Correct one item of a template (city coordinator). Side effects: the item and an audit row."""
    if not rules.can_edit_templates(actor):
        raise PermissionDenied
    with audited_change(actor=actor, instance=item):
        for name, value in changes.items():
            if name not in ITEM_FIELDS:
                raise ValueError(f"Unknown field {name}")
            setattr(item, name, value)
        if item.points is None or item.points <= 0:
            raise ValidationError({"points": ITEM_POINTS_INVALID})
        item.full_clean()
        item.save()
    return item


@transaction.atomic
def classification_update(
    *, actor, classification: Classification, min_score, needs_mandatory: bool, name: str
):
    if not rules.can_edit_templates(actor):
        raise PermissionDenied
    with audited_change(actor=actor, instance=classification):
        classification.min_score = min_score
        classification.needs_mandatory = needs_mandatory
        classification.name = name
        classification.full_clean()
        classification.save()
    return classification


LAYOUT_FIELDS = ("title", "subtitle", "form_number", "signer", "source", "verified", "note", "columns")


@transaction.atomic
def statistics_layout_update(*, actor, layout: StatisticsLayout, **changes) -> StatisticsLayout:
    """Correct the statistics form's layout (city coordinator), e.g. to match the official annex.
    Side effects: the layout and a change record with before/after."""
    if not rules.can_edit_templates(actor):
        raise PermissionDenied
    with audited_change(actor=actor, instance=layout):
        for name, value in changes.items():
            if name not in LAYOUT_FIELDS:
                raise ValueError(f"Unknown field {name}")
            setattr(layout, name, value)
        layout.full_clean()
        layout.save()
    return layout


# Classification --------------------------------------------------------------------------------


def classify(template: AssessmentTemplate, answers: list[Answer], *, final: bool = True):
    """(total score, class) under the template's rule: the first class, in order, whose minimum score
    is reached and, when it needs them, whose mandatory items all have full points."""
    total = Decimal(0)
    mandatory_met = True
    for answer in answers:
        score = (answer.final_score if final else answer.self_score) or Decimal(0)
        total += score
        if answer.item.mandatory and score < answer.item.points:
            mandatory_met = False
    chosen = None
    for cls in template.classes.order_by("order"):
        if total >= cls.min_score and (mandatory_met or not cls.needs_mandatory):
            chosen = cls
            break
    return total, chosen


# Assessments -----------------------------------------------------------------------------------


@transaction.atomic
def assessment_open(
    *, actor, unit: AdministrativeUnit, year: int, template: AssessmentTemplate | None = None
) -> Assessment:
    """Open the assessment of ``unit`` for ``year`` (its commune officer, or the district or city for
    a commune of theirs). The commune must be valid on 31 December of the year (the units T10 counts);
    one assessment per commune, year and template. Side effects: the assessment, one blank answer per
    item, an audit row."""
    if not rules.can_view_unit(actor, unit.path):
        raise PermissionDenied
    if rules.is_assessor(actor) and actor.jurisdiction_path != unit.path:
        raise PermissionDenied
    max_year = timezone.localdate().year + 1
    if not 2000 <= int(year) <= max_year:
        raise ValidationError({"year": YEAR_OUT_OF_RANGE % {"max": max_year}})
    if unit.level != UnitLevel.COMMUNE:
        raise ValidationError({"unit": NOT_A_COMMUNE % {"unit": unit.full_name}})
    year_end = dt.date(int(year), 12, 31)
    if not unit.valid_on(year_end):
        raise ValidationError({"unit": UNIT_NOT_VALID % {"unit": unit.full_name, "year": year}})
    template = template or template_for_year(int(year))
    if template is None:
        raise ValidationError({"year": NO_TEMPLATE % {"year": year}})
    if Assessment.objects.filter(template=template, unit=unit, year=year).exists():
        raise ValidationError({"unit": ALREADY_ASSESSED % {"unit": unit.full_name, "year": year}})
    assessment = Assessment(
        template=template, unit=unit, unit_path=unit.path, year=int(year), period_end=year_end
    )
    assessment.full_clean(exclude=["unit_path", "period_end"])
    audited_insert(actor=actor, instance=assessment)
    Answer.objects.bulk_create([Answer(assessment=assessment, item=i) for i in _items(template)])
    return assessment


def _answers(assessment: Assessment) -> list[Answer]:
    return list(assessment.answers.select_related("item", "item__group"))


@transaction.atomic
def assessment_save_self(
    *, actor, assessment: Assessment, answers: dict[int, dict], summary: str | None = None
) -> Assessment:
    """The commune's scores and evidence, item by item (``answers``: item id → {score, evidence,
    links}), while the assessment is a draft. Every score is checked against its item's points before
    anything is written. Side effects: the answers, the assessment's self score, an audit row."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not rules.can_self_assess(actor, assessment):
        _check_status(assessment, AssessmentStatus.DRAFT)
        raise PermissionDenied
    rows = {a.item_id: a for a in _answers(assessment)}
    errors: list[str] = []
    pending = []
    for item_id, values in answers.items():
        answer = rows.get(int(item_id))
        if answer is None:
            errors.append(str(UNKNOWN_ITEM % {"id": item_id}))
            continue
        try:
            score = _score(answer.item, values.get("score"))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        pending.append((answer, score, values))
    if errors:
        raise ValidationError(errors)
    with audited_change(actor=actor, instance=assessment) as change:
        changed = []
        for answer, score, values in pending:
            answer.self_score = score
            if "evidence" in values:
                answer.evidence = (values.get("evidence") or "").strip()
            if "links" in values:
                answer.links = (values.get("links") or "").strip()
            answer.full_clean(exclude=["assessment", "item"])
            changed.append(answer)
        Answer.objects.bulk_update(changed, ["self_score", "evidence", "links"])
        if summary is not None:
            assessment.summary = summary.strip()
        all_rows = _answers(assessment)
        assessment.self_score = sum((a.self_score or Decimal(0) for a in all_rows), Decimal(0))
        assessment.full_clean(exclude=["unit_path", "period_end"])
        assessment.save()
        change.extra["answers"] = {str(a.item.code): str(a.self_score) for a in changed}
    return assessment


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    """Send the self-assessment to the district. Every mandatory item must be scored; unscored other
    items count as 0. Side effects: status, submitter and time, an audit row."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _check_status(assessment, AssessmentStatus.DRAFT)
    if not rules.can_self_assess(actor, assessment):
        raise PermissionDenied
    rows = _answers(assessment)
    missing = [a.item.code for a in rows if a.item.mandatory and a.self_score is None]
    if missing:
        raise ValidationError(MANDATORY_MISSING % {"codes": ", ".join(missing)})
    with audited_change(actor=actor, instance=assessment, reason="Gửi huyện phúc tra"):
        assessment.self_score, _cls = classify(assessment.template, rows, final=False)
        assessment.score = assessment.self_score
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = actor
        assessment.save()
    return assessment


@transaction.atomic
def assessment_review(
    *, actor, assessment: Assessment, changes: dict[int, dict], note: str = ""
) -> Assessment:
    """The district's review (phúc tra): ``changes`` maps item id → {score, reason}. A score that
    differs from the commune's needs a reason; the change is kept beside the commune's score. Ends
    the review: the assessment goes to the city with its provisional class. Side effects: answers,
    scores and class, an audit row per changed item and one for the assessment."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _check_status(assessment, AssessmentStatus.SUBMITTED)
    if not rules.can_review(actor, assessment):
        raise PermissionDenied
    rows = {a.item_id: a for a in _answers(assessment)}
    errors: list[str] = []
    pending = []
    for item_id, values in changes.items():
        answer = rows.get(int(item_id))
        if answer is None:
            errors.append(str(UNKNOWN_ITEM % {"id": item_id}))
            continue
        try:
            score = _score(answer.item, values.get("score"))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        reason = (values.get("reason") or "").strip()
        current = answer.final_score
        if score is None or score == current:
            continue
        if not reason:
            errors.append(str(REASON_MISSING % {"code": answer.item.code}))
            continue
        pending.append((answer, score, reason))
    if errors:
        raise ValidationError(errors)
    for answer, score, reason in pending:
        with audited_change(actor=actor, instance=answer, reason=reason):
            answer.district_score = score
            answer.district_reason = reason
            answer.full_clean(exclude=["assessment", "item"])
            answer.save()
    with audited_change(actor=actor, instance=assessment, reason="Phúc tra"):
        assessment.score, cls = classify(assessment.template, list(rows.values()))
        assessment.classification = cls
        assessment.review_note = note.strip()
        assessment.status = AssessmentStatus.REVIEWED
        assessment.reviewed_at = timezone.now()
        assessment.reviewed_by = actor
        assessment.full_clean(exclude=["unit_path", "period_end"])
        assessment.save()
    return assessment


@transaction.atomic
def assessment_approve(*, actor, assessment: Assessment) -> Assessment:
    """The city's approval: the class becomes final (and counts for T10 when healthy) and the
    assessment is locked. Side effects: class, healthy flag, status, an audit row."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _check_status(assessment, AssessmentStatus.REVIEWED)
    if not rules.can_approve(actor, assessment):
        raise PermissionDenied
    with audited_change(actor=actor, instance=assessment, reason="Phê duyệt"):
        assessment.score, cls = classify(assessment.template, _answers(assessment))
        assessment.classification = cls
        assessment.healthy = bool(cls and cls.healthy)
        assessment.status = AssessmentStatus.APPROVED
        assessment.approved_at = timezone.now()
        assessment.approved_by = actor
        assessment.save()
    return assessment


@transaction.atomic
def assessment_reopen(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Reopen an approved assessment for a new review by the district (city coordinator, with a
    reason). It stops counting for T10 until approved again. Side effects: status, reason, audit row."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _check_status(assessment, AssessmentStatus.APPROVED)
    if not rules.can_reopen(actor, assessment):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": REOPEN_REASON_MISSING})
    with audited_change(actor=actor, instance=assessment, reason=reason.strip()):
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.healthy = False
        assessment.reopen_reason = reason.strip()
        assessment.full_clean(exclude=["unit_path", "period_end"])
        assessment.save()
    return assessment


# Evidence files ---------------------------------------------------------------------------------


def _check_files_step(actor, assessment: Assessment) -> None:
    if assessment.locked:
        raise ValidationError(FILES_LOCKED)
    if not rules.can_attach_files(actor, assessment):
        raise ValidationError(FILES_NOT_YOUR_STEP % {"status": assessment.get_status_display()})


@transaction.atomic
def assessment_file_add(
    *,
    actor,
    assessment: Assessment,
    checked: CheckedUpload,
    item: CriterionItem | None = None,
    description: str = "",
) -> AssessmentFile:
    """Attach a file of evidence (checked by ``core.uploads``, purpose ``communes.evidence``) to the
    assessment or to one of its items, by the step that holds it. Side effects: the stored file and
    its audit row, the attachment row and a change record; nothing when anything is refused."""
    if not rules.can_view_unit(actor, assessment.unit_path):
        raise PermissionDenied
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _check_files_step(actor, assessment)
    if item is not None and item.group.template_id != assessment.template_id:
        raise ValidationError({"item": FILE_ITEM_ELSEWHERE})
    count = assessment.files.count()
    if count >= MAX_FILES_PER_ASSESSMENT:
        raise ValidationError(FILES_TOO_MANY % {"count": count, "max": MAX_FILES_PER_ASSESSMENT})
    attachment = AssessmentFile(
        assessment=assessment, item=item, description=(description or "").strip(), added_by=actor
    )
    attachment.full_clean(exclude=["upload"])
    attachment.upload = upload_store(checked=checked, actor=actor)
    return audited_insert(actor=actor, instance=attachment)


@transaction.atomic
def assessment_file_remove(*, actor, attachment: AssessmentFile) -> None:
    """Detach a file while the assessment is open to the step that added it (the stored file stays,
    unreferenced, for the audit trail). Side effects: the attachment row deleted, a change record."""
    assessment = Assessment.objects.select_for_update().get(pk=attachment.assessment_id)
    attachment.assessment = assessment
    _check_files_step(actor, assessment)
    if not rules.can_remove_file(actor, attachment):
        raise ValidationError(FILES_NOT_YOUR_STEP % {"status": assessment.get_status_display()})
    audited_delete(actor=actor, instance=attachment)


# Model communes ---------------------------------------------------------------------------------


@transaction.atomic
def model_commune_designate(
    *, actor, plan, unit: AdministrativeUnit, designated_on: dt.date, decision: str = ""
) -> ModelCommune:
    """Designate a commune of the plan's area to build and keep the prevention model (T09)."""
    if not rules.can_designate_models(actor) or not in_subtree(unit.path, actor.jurisdiction_path):
        raise PermissionDenied
    if unit.level != UnitLevel.COMMUNE:
        raise ValidationError({"unit": NOT_A_COMMUNE % {"unit": unit.full_name}})
    if not in_subtree(unit.path, plan.scope_unit.path):
        raise ValidationError({"unit": MODEL_OUTSIDE_PLAN % {"unit": unit.full_name}})
    if designated_on.year > plan.year:
        raise ValidationError({"designated_on": MODEL_DATE_OUT % {"year": plan.year}})
    if not unit.valid_on(designated_on):
        raise ValidationError(
            {
                "unit": MODEL_UNIT_NOT_VALID
                % {"unit": unit.full_name, "day": designated_on.strftime("%d/%m/%Y")}
            }
        )
    if ModelCommune.objects.filter(plan=plan, unit=unit).exists():
        raise ValidationError({"unit": MODEL_ALREADY % {"unit": unit.full_name}})
    mc = ModelCommune(
        plan=plan, unit=unit, unit_path=unit.path, designated_on=designated_on, decision=decision.strip()
    )
    mc.full_clean(exclude=["unit_path"])
    audited_insert(actor=actor, instance=mc)
    _list_on_plan_target(actor=actor, plan=plan, unit=unit)
    return mc


MODEL_INDICATOR = "communes.model_communes"


def _list_on_plan_target(*, actor, plan, unit: AdministrativeUnit) -> None:
    """Put a newly designated commune on the list of the plan's target measured by model communes (T09),
    so that the list and the register stay one. The plans app is reached through the app registry (the
    domain apps do not import each other)."""
    target_model = apps.get_model("plans", "Target")
    item_model = apps.get_model("plans", "TargetItem")
    for target in target_model.objects.filter(
        plan=plan, indicator__code=MODEL_INDICATOR, kind="designated-units"
    ):
        if item_model.objects.filter(target=target, unit=unit).exists():
            continue
        last = (
            item_model.objects.filter(target=target)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        audited_insert(
            actor=actor,
            instance=item_model(target=target, name=unit.full_name, unit=unit, order=(last or 0) + 1),
        )


@transaction.atomic
def model_commune_end(*, actor, model_commune: ModelCommune, ended_on: dt.date, reason: str) -> ModelCommune:
    if not rules.can_designate_models(actor):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Phải ghi lý do thôi chỉ định.")})
    with audited_change(actor=actor, instance=model_commune, reason=reason.strip()):
        model_commune.ended_on = ended_on
        model_commune.full_clean(exclude=["unit_path"])
        model_commune.save()
    return model_commune


@transaction.atomic
def model_commune_link_activities(*, actor, model_commune: ModelCommune, activities) -> ModelCommune:
    """Link recorded plan activities held in the commune to its model."""
    if not rules.can_evaluate_model(actor, model_commune):
        raise PermissionDenied
    activities = list(activities)
    for activity in activities:
        if activity.plan_id != model_commune.plan_id or not in_subtree(
            activity.unit_path, model_commune.unit_path
        ):
            raise ValidationError(
                {
                    "activities": ACTIVITY_ELSEWHERE
                    % {"title": activity.title, "unit": model_commune.unit.full_name}
                }
            )
    before = sorted(model_commune.activities.values_list("pk", flat=True))
    model_commune.activities.set(activities)
    record_change(
        actor=actor,
        instance=model_commune,
        action=Action.UPDATE,
        before={"activities": before},
        after={"activities": sorted(a.pk for a in activities)},
    )
    return model_commune


@transaction.atomic
def model_evaluation_record(
    *, actor, model_commune: ModelCommune, year: int, kept: bool, note: str = ""
) -> ModelEvaluation:
    """The year's evaluation of a model commune (district or city): kept or not, with a note."""
    if not rules.can_evaluate_model(actor, model_commune):
        raise PermissionDenied
    if ModelEvaluation.objects.filter(model_commune=model_commune, year=year).exists():
        raise ValidationError(
            {"year": MODEL_EVAL_ALREADY % {"unit": model_commune.unit.full_name, "year": year}}
        )
    evaluation = ModelEvaluation(
        model_commune=model_commune, year=year, kept=kept, note=note.strip(), evaluated_by=actor
    )
    evaluation.full_clean()
    return audited_insert(actor=actor, instance=evaluation)
