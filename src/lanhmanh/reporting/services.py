"""Every write of the reporting app: forms as data, ad hoc requests, the submission workflow, locking.

Each service is atomic and writes its audit row (``core.audit.record_change``, with the time) in the
same transaction. Concurrent saves are caught by the submission's ``version``: the second writer gets
``ConflictError`` and nothing of theirs is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lanhmanh.core.audit import Action, audited_change, audited_insert, record_change
from lanhmanh.core.periods import Period, parse
from lanhmanh.indicators.evaluation import evaluate, evaluate_own, has_source, shared_trees
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.services import indicator_create, indicator_ensure
from lanhmanh.org.levels import is_top
from lanhmanh.org.models import AdministrativeUnit, Agency, Role
from lanhmanh.reporting import catalogue, notifications
from lanhmanh.reporting.models import (
    FINAL,
    AdHocRequest,
    FormField,
    FormSection,
    PrefillScope,
    ReportForm,
    Status,
    Submission,
    SubmissionValue,
    ValidationRule,
)
from lanhmanh.reporting.rules import can_approve, can_enter
from lanhmanh.reporting.validation import check_values, missing_required, parse_number


class ConflictError(Exception):
    """Someone else saved the report since this user loaded it."""

    def __init__(self, submission: Submission):
        self.submission = submission
        super().__init__(
            _(
                "Báo cáo vừa được người khác lưu (phiên bản %(v)s). Số liệu của bạn chưa được ghi; hãy tải lại trang, xem số liệu mới và nhập lại phần cần sửa."
            )
            % {"v": submission.version}
        )


class ConfirmationRequired(ValidationError):
    """Values beyond a field's plausible bound: not refused, but the officer must confirm them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.codes = sorted(errors)


def _raise_for(checked) -> None:
    if checked.only_needs_confirmation:
        raise ConfirmationRequired(checked.errors)
    raise ValidationError(checked.errors)


# Forms as data ----------------------------------------------------------------------------------


class _Indicators:
    """The indicators the shipped forms point at, read once (a form load asks for hundreds of them)."""

    def __init__(self) -> None:
        self.by_code = {indicator.code: indicator for indicator in Indicator.objects.all()}

    def for_field(self, spec: catalogue.FieldSpec) -> Indicator | None:
        code = spec.indicator_code
        if code is None:
            return None
        if code not in self.by_code:
            if spec.source == catalogue.COMP and not spec.records:
                self.by_code[code] = indicator_ensure(code=code, name=spec.label, unit=spec.unit)
            else:
                self.by_code[code] = indicator_create(
                    code=code, name=spec.label, unit=spec.unit, kind=IndicatorKind.REPORTED
                )
        return self.by_code[code]

    def for_prefill(self, spec: catalogue.FieldSpec) -> Indicator | None:
        if not spec.records:
            return None
        if spec.records not in self.by_code:
            self.by_code[spec.records] = indicator_ensure(code=spec.records, name=spec.label, unit=spec.unit)
        return self.by_code[spec.records]


def _set_changed(instance, values: dict) -> bool:
    """Set ``values`` on ``instance``; whether any of them differed (then the caller saves it)."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def report_forms_load(*, specs: Iterable[catalogue.FormSpec] = catalogue.FORMS) -> int:
    """Create or update the shipped report forms (sections, fields, rules, roll-ups). Idempotent.

    Side effects: ``reporting.*`` reported indicators (and computed ones without a source yet) are
    created in the indicator registry. Fields and sections no longer in a spec are removed only when
    no submission holds a value for them. Returns the number of forms created.

    The rows already there are read once, new fields are inserted in bulk and only changed rows are
    written: a load into an empty database (each test of the reports, the demo) takes a few dozen
    queries instead of two thousand.
    """
    specs = list(specs)
    created = 0
    indicators = _Indicators()
    existing_forms = {form.code: form for form in ReportForm.objects.filter(code__in=[s.code for s in specs])}
    forms: dict[str, ReportForm] = {}
    for spec in specs:
        values = {
            "name": spec.name,
            "short_name": spec.short_name,
            "symbol": spec.symbol,
            "periodicity": spec.periodicity,
            "submitter_level": spec.level,
            "submitter_agency_kind": spec.agency_kind,
            "deadline_rule": spec.deadline_rule,
            "deadline_value": spec.deadline_value,
            "lock_after_days": spec.lock_after_days,
            "recipients": "\n".join(spec.recipients),
            "description": spec.description,
            "lists_sanctioned_sellers": spec.lists_sanctioned_sellers,
            "prefill_scope": spec.prefill_scope,
            "feeds_indicators": spec.feeds_indicators,
            "valid_from": spec.valid_from,
            "valid_to": spec.valid_to,
        }
        form = existing_forms.get(spec.code)
        if form is None:
            form = ReportForm(code=spec.code, **values)
            form.full_clean()
            form.save()
            created += 1
        elif _set_changed(form, values):
            form.full_clean()
            form.save()
        forms[spec.code] = form
        sections = {section.code: section for section in form.sections.all()}
        # With the rows the comparison below reads (a field's section and indicators), not one query each.
        fields = {
            field.code: field
            for field in form.fields.select_related("section", "indicator", "prefill_indicator")
        }
        new_fields = []
        keep_fields = []
        for s_order, section_spec in enumerate(spec.sections, start=1):
            section = sections.get(section_spec.code)
            if section is None:
                section = FormSection.objects.create(
                    form=form, code=section_spec.code, title=section_spec.title, order=s_order
                )
            elif _set_changed(section, {"title": section_spec.title, "order": s_order}):
                section.save(update_fields=["title", "order"])
            for f_order, field_spec in enumerate(section_spec.fields, start=1):
                values = {
                    "section": section,
                    "label": field_spec.label,
                    "order": f_order,
                    "kind": field_spec.kind,
                    "source": field_spec.source,
                    "indicator": indicators.for_field(field_spec),
                    "prefill_indicator": indicators.for_prefill(field_spec),
                    "plausible_max": field_spec.plausible_max,
                    "required": field_spec.required,
                    "help_text": field_spec.help_text,
                }
                field = fields.get(field_spec.code)
                if field is None:
                    new_fields.append(FormField(form=form, code=field_spec.code, **values))
                elif _set_changed(field, values):
                    field.save(update_fields=list(values))
                keep_fields.append(field_spec.code)
        FormField.objects.bulk_create(new_fields)
        if set(fields) - set(keep_fields):
            used = set(
                SubmissionValue.objects.filter(field__form=form)
                .values_list("field__code", flat=True)
                .distinct()
            )
            form.fields.exclude(code__in=keep_fields).exclude(code__in=used).delete()
        if set(sections) - {s.code for s in spec.sections}:
            form.sections.exclude(code__in=[s.code for s in spec.sections]).filter(
                fields__isnull=True
            ).delete()
        form.rules.all().delete()
        ValidationRule.objects.bulk_create(
            ValidationRule(form=form, left=list(left), operator=op, right=list(right), order=i)
            for i, (left, op, right) in enumerate(spec.rules)
        )
    for spec in specs:
        forms[spec.code].rollup_from.set(
            ReportForm.objects.filter(code__in=spec.rollup_from) if spec.rollup_from else []
        )
    return created


# Ad hoc requests --------------------------------------------------------------------------------


@transaction.atomic
def adhoc_request_create(
    *,
    actor,
    form: ReportForm,
    title: str,
    period_id: str,
    due_date: dt.date,
    units: Iterable[AdministrativeUnit],
    today: dt.date | None = None,
) -> AdHocRequest:
    """The city or a district asks chosen units of its jurisdiction for an ad hoc form by ``due_date``.

    Side effects: the request, its audit row, and a notification to the users of each asked agency.
    """
    today = today or timezone.localdate()
    units = list(units)
    errors: dict[str, str] = {}
    if not form.is_ad_hoc:
        errors["form"] = _("Biểu mẫu “%s” không phải báo cáo đột xuất.") % form.short_name
    try:
        parse(period_id)
    except ValueError as exc:
        errors["period_id"] = str(exc)
    if due_date < today:
        errors["due_date"] = _("Hạn nộp đã qua.")
    if not units:
        errors["units"] = _("Chọn ít nhất một đơn vị.")
    outside = [u.full_name for u in units if not u.path.startswith(actor.jurisdiction_path)]
    if outside:
        errors["units"] = _("Đơn vị ngoài địa bàn quản lý: %s.") % ", ".join(outside)
    wrong_level = [u.full_name for u in units if u.level != form.submitter_level]
    if wrong_level and "units" not in errors:
        errors["units"] = _("Biểu mẫu này do đơn vị cấp %(level)s báo cáo: %(names)s không phù hợp.") % {
            "level": form.submitter_level,
            "names": ", ".join(wrong_level),
        }
    if errors:
        raise ValidationError(errors)
    request = AdHocRequest(
        form=form,
        title=title.strip(),
        period_id=parse(period_id).id,
        due_date=due_date,
        requested_by=actor,
        requesting_unit=actor.unit,
    )
    request.full_clean()
    audited_insert(actor=actor, instance=request)
    request.units.set(units)
    agencies = Agency.objects.filter(unit__in=units, kind=form.submitter_agency_kind, active=True)
    notifications.notify_agencies(
        agencies,
        key=f"request:{request.pk}",
        message=_("Yêu cầu báo cáo đột xuất: %(title)s, hạn nộp %(due)s.")
        % {"title": request.title, "due": due_date.strftime("%d/%m/%Y")},
        url=reverse("reporting:inbox"),
    )
    return request


UPWARD_ISSUERS = (
    "Ban Chỉ đạo 138/CP Thành phố",
    "UBND Thành phố",
    "Thường trực Thành ủy, HĐND Thành phố",
    "Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)",
)


@transaction.atomic
def upward_request_record(
    *,
    actor,
    form: ReportForm,
    issuer: str,
    title: str,
    period_id: str,
    due_date: dt.date,
    reference: str = "",
    today: dt.date | None = None,
) -> AdHocRequest:
    """The city coordinator records an ad hoc request the city received from above (the steering committee,
    the city committee, the Ministry): the body, its document, the period and the due date it set, and the
    form whose fields answer it. The city's own agency is the one asked; its report is built from the
    consolidation. Refuses (ValidationError naming the field, nothing saved) a user who is not the city's
    coordinator, a form that is not the city's ad hoc form, no body, an unknown period, a past due date.
    Side effects: the request, its audit row, and a notification to the users of the city's agency."""
    today = today or timezone.localdate()
    unit = actor.unit
    if not (actor.has_role(Role.CITY_COORDINATOR) and unit is not None and is_top(unit.path)):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if (
        not form.is_ad_hoc
        or form.submitter_agency_kind != actor.agency.kind
        or form.submitter_level != unit.level
    ):
        errors["form"] = _("Biểu mẫu “%s” không phải báo cáo đột xuất của Thành phố.") % form.short_name
    if not issuer.strip():
        errors["issuer"] = _("Ghi cơ quan cấp trên yêu cầu báo cáo.")
    if not title.strip():
        errors["title"] = _("Ghi nội dung yêu cầu.")
    try:
        period = parse(period_id)
    except ValueError as exc:
        errors["period_id"] = str(exc)
    else:
        if period.start > today:
            errors["period_id"] = _("Kỳ %(label)s chưa bắt đầu; chưa thể báo cáo số liệu của kỳ này.") % {
                "label": period.label
            }
    if due_date < today:
        errors["due_date"] = _("Hạn nộp (%(day)s) đã qua.") % {"day": due_date.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    request = AdHocRequest(
        form=form,
        title=title.strip(),
        period_id=period.id,
        due_date=due_date,
        requested_by=actor,
        requesting_unit=unit,
        issuer=issuer.strip(),
        reference=reference.strip(),
    )
    request.full_clean()
    audited_insert(actor=actor, instance=request)
    request.units.set([unit])
    agencies = Agency.objects.filter(unit=unit, kind=form.submitter_agency_kind, active=True)
    notifications.notify_agencies(
        agencies,
        key=f"request:{request.pk}",
        message=_("%(issuer)s yêu cầu báo cáo đột xuất: %(title)s, hạn nộp %(due)s.")
        % {"issuer": request.issuer, "title": request.title, "due": due_date.strftime("%d/%m/%Y")},
        url=reverse("reporting:inbox"),
    )
    return request


# Opening a report -------------------------------------------------------------------------------


def form_fields(form: ReportForm) -> list[FormField]:
    """The form's fields in order (with their section and indicators), read once per form instance (a
    report's save, its records' refresh and its page read them several times)."""
    cached = getattr(form, "_report_fields", None)
    if cached is None:
        cached = list(
            form.fields.select_related("indicator", "section", "prefill_indicator").order_by(
                "section__order", "order"
            )
        )
        form._report_fields = cached
    return cached


def _rules(form: ReportForm) -> list[ValidationRule]:
    cached = getattr(form, "_report_rules", None)
    if cached is None:
        cached = form._report_rules = list(form.rules.all())
    return cached


def submission_reload(submission: Submission) -> None:
    """Re-read the report's row, keeping its form (and the fields read with it), agency and unit.

    None of the three ever changes for a report, so their cached objects stay valid (and the audit
    row's description does not read the agency again).
    """
    cached = {
        name: getattr(submission, name)
        for name in ("form", "agency", "unit")
        if Submission._meta.get_field(name).is_cached(submission)
    }
    submission.refresh_from_db()
    for name, value in cached.items():
        setattr(submission, name, value)


def computed_values(form: ReportForm, unit_path: str, period: Period, *, user=None) -> dict[str, int | None]:
    """Field code → the figure the records give (None: no source yet) for the unit's own work.

    A level reports its own work only: with the form's ``prefill_scope`` "own" the figure counts the
    records kept at the unit itself (the units below report theirs, and the consolidation adds every
    level once); with "subtree" the records of the unit's whole area (no report below rolls in).
    """
    result: dict[str, int | None] = {}
    own = form.prefill_scope == PrefillScope.OWN
    with shared_trees():  # one look-up of the unit's place on the map (and of each tree) for the report
        for f in form_fields(form):
            indicator = f.records_indicator
            if indicator is None or not has_source(indicator):
                continue
            cell = evaluate_own(indicator, unit_path, period, user=user) if own else None
            if cell is None:
                cell = evaluate(indicator, unit_path, period, user=user).total
            result[f.code] = None if cell.suppressed or cell.value is None else int(cell.value)
    return result


def _check_period(form: ReportForm, period: Period, unit: AdministrativeUnit, today: dt.date) -> None:
    if form.period_kind and period.kind != form.period_kind:
        raise ValidationError(
            {
                "period_id": _("Báo cáo “%(form)s” lập theo kỳ %(kind)s, không theo “%(period)s”.")
                % {
                    "form": form.short_name,
                    "kind": form.get_periodicity_display().lower(),
                    "period": period.id,
                }
            }
        )
    if period.start > today:
        raise ValidationError(
            {"period_id": _("Kỳ %(label)s chưa bắt đầu; chưa thể lập báo cáo.") % {"label": period.label}}
        )
    if not form.applies_to(period):
        raise ValidationError(
            {
                "period_id": _("Biểu “%(form)s” không áp dụng cho kỳ %(label)s.")
                % {"form": form.short_name, "label": period.label}
            }
        )
    if (unit.valid_from and unit.valid_from > period.end) or (unit.valid_to and unit.valid_to < period.start):
        raise ValidationError(
            {
                "period_id": _("%(unit)s không tồn tại trong kỳ %(label)s.")
                % {"unit": unit.full_name, "label": period.label}
            }
        )


@transaction.atomic
def submission_open(
    *,
    actor,
    form: ReportForm,
    period_id: str = "",
    request: AdHocRequest | None = None,
    today: dt.date | None = None,
) -> Submission:
    """The actor's agency's report on ``form`` for the period (or ad hoc request); a draft is created once.

    Refuses (ValidationError, Vietnamese) an agency that does not report this form, a period of the
    wrong kind or not yet begun, and a request that does not name the actor's unit. Side effects on
    creation: the draft, its values (computed ones prefilled from the records) and an audit row.
    """
    return _open(actor=actor, form=form, period_id=period_id, request=request, today=today)[0]


def _open(*, actor, form, period_id, request, today) -> tuple[Submission, bool]:
    """``submission_open``'s work inside the caller's transaction; also says whether the draft is new."""
    today = today or timezone.localdate()
    agency = actor.agency
    unit = agency.unit
    if agency.kind != form.submitter_agency_kind or unit.level != form.submitter_level:
        raise ValidationError(
            {
                "form": _("%(agency)s không thuộc diện lập báo cáo “%(form)s”.")
                % {"agency": agency.name, "form": form.short_name}
            }
        )
    if form.is_ad_hoc:
        if request is None or request.form_id != form.pk or not request.units.filter(pk=unit.pk).exists():
            raise ValidationError({"request": _("Không có yêu cầu báo cáo đột xuất này cho đơn vị của bạn.")})
        period = parse(request.period_id)
        due = request.due_date
        existing = Submission.objects.filter(request=request, agency=agency).first()
    else:
        try:
            period = parse(period_id)
        except ValueError as exc:
            raise ValidationError({"period_id": str(exc)}) from None
        _check_period(form, period, unit, today)
        due = form.deadline_for(period)
        existing = Submission.objects.filter(
            form=form, agency=agency, period_id=period.id, request=None
        ).first()
    if existing is not None:
        existing.form = form
        existing.agency = agency
        existing.unit = unit
        return existing, False
    submission = Submission(
        form=form,
        agency=agency,
        unit=unit,
        unit_path=unit.path,
        period_id=period.id,
        period_start=period.start,
        period_end=period.end,
        request=request,
        due_date=due,
    )
    # The form, agency, unit and request are objects in hand: no need to check that they exist.
    submission.full_clean(exclude=["form", "agency", "unit", "request"], validate_constraints=False)
    try:
        # Two requests opening the same report at once: the database's unique constraint lets one
        # insert win; the other takes the winner's draft (a savepoint keeps the outer transaction usable).
        with transaction.atomic():
            audited_insert(actor=actor, instance=submission)
    except IntegrityError:
        if form.is_ad_hoc:
            winner = Submission.objects.get(request=request, agency=agency)
        else:
            winner = Submission.objects.get(form=form, agency=agency, period_id=period.id, request=None)
        winner.form = form
        winner.agency = agency
        winner.unit = unit
        return winner, False
    computed = computed_values(form, unit.path, period)
    created = SubmissionValue.objects.bulk_create(
        SubmissionValue(
            submission=submission, field=f, computed=computed.get(f.code), number=computed.get(f.code)
        )
        for f in form_fields(form)
    )
    if connection.features.can_return_rows_from_bulk_insert:
        submission._report_values = created  # the rows just written, with their ids: no need to read them
    return submission, True


def submission_refresh_computed(submission: Submission) -> int:
    """Bring the computed figures of an editable report up to date with the records.

    A value the officer has not changed follows the records; a corrected one keeps the officer's
    figure (and its reason). Returns the number of values changed. Not audited: no user acts.
    """
    if not submission.is_editable:
        return 0
    computed = computed_values(submission.form, submission.unit_path, submission.period)
    changed = 0
    for value in submission.values.select_related("field").filter(field__code__in=list(computed)):
        new = computed[value.field.code]
        if value.computed == new:
            continue
        if value.number == value.computed or value.number is None:
            value.number = new
        value.computed = new
        value.save(update_fields=["number", "computed"])
        changed += 1
    return changed


# Saving values ----------------------------------------------------------------------------------


def values_of(submission: Submission, rows: Iterable[SubmissionValue] | None = None) -> dict[str, object]:
    """Field code → number or text: what a snapshot of the report's values holds.

    ``rows``: the report's value rows already in hand (read from the database otherwise).
    """
    fields = {f.pk: f for f in form_fields(submission.form)}
    result = {}
    for v in submission.values.all() if rows is None else rows:
        f = fields.get(v.field_id) or v.field
        result[f.code] = v.number if f.is_number else v.text
    return result


def _value_rows(submission: Submission) -> list[SubmissionValue]:
    """The report's value rows: those a service of this transaction just wrote, or read once."""
    rows = getattr(submission, "_report_values", None)
    if rows is None:
        rows = list(submission.values.all())
    return rows


def _bump(submission: Submission, version: int | None) -> None:
    """Claim the next version; ConflictError when another save got there first."""
    expected = submission.version if version is None else version
    claimed = Submission.objects.filter(pk=submission.pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        submission_reload(submission)
        raise ConflictError(submission)
    submission.version = expected + 1


@transaction.atomic
def submission_save(
    *,
    actor,
    submission: Submission,
    values: dict[str, object],
    version: int | None = None,
    reasons: dict[str, str] | None = None,
    confirmed: Iterable[str] = (),
    reopen_reason: str = "",
) -> Submission:
    """Save some or all of a report's values (the codes present in ``values``).

    Checks every value and every rule against the whole report (ValidationError: field code →
    Vietnamese messages; nothing saved). Editing an approved report reopens it as a draft and needs
    ``reopen_reason``; a locked or submitted report cannot be edited. Side effects: the values, the
    version, one audit row with the values before and after.
    """
    submission._report_values = None  # whatever rows it holds may be stale: read them again
    return _save(
        actor=actor,
        submission=submission,
        values=values,
        version=version,
        reasons=reasons,
        confirmed=confirmed,
        reopen_reason=reopen_reason,
        reload=True,
    )


def _save(*, actor, submission, values, version, reasons, confirmed, reopen_reason, reload) -> Submission:
    """``submission_save``'s work inside the caller's transaction.

    ``reload`` false: the caller read (or wrote) the report in this same transaction a moment ago.
    """
    reasons = {k: v.strip() for k, v in (reasons or {}).items() if v and v.strip()}
    if not can_enter(actor, submission):
        raise PermissionDenied
    if reload:
        submission_reload(submission)
    reopening = submission.status == Status.APPROVED
    if submission.status == Status.LOCKED:
        raise ValidationError({"__all__": _("Kỳ báo cáo đã đóng, báo cáo đã khoá: không sửa được nữa.")})
    if submission.status == Status.SUBMITTED:
        raise ValidationError(
            {"__all__": _("Báo cáo đang chờ cấp trên duyệt: không sửa được cho đến khi được trả lại.")}
        )
    if reopening and not reopen_reason.strip():
        raise ValidationError({"reopen_reason": _("Báo cáo đã duyệt: phải ghi lý do sửa.")})
    _bump(submission, version)
    fields = form_fields(submission.form)
    rows = _value_rows(submission)
    current = {v.field_id: v for v in rows}
    merged: dict[str, object] = {}
    computed: dict[str, int | None] = {}
    stored_reasons: dict[str, str] = {}
    for f in fields:
        value = current.get(f.pk)
        merged[f.code] = (value.number if f.is_number else value.text) if value else None
        computed[f.code] = value.computed if value else None
        stored_reasons[f.code] = value.correction_reason if value else ""
    merged.update({code: raw for code, raw in values.items() if code in merged})
    all_reasons = {**stored_reasons, **reasons}
    checked = check_values(
        fields,
        _rules(submission.form),
        merged,
        reasons=all_reasons,
        confirmed=set(confirmed) | _already_confirmed(fields, current, values),
        computed=computed,
        editing={code for code in values if code in merged},
    )
    if not checked.ok:
        _raise_for(checked)
    before = values_of(submission, rows)
    changed, created = [], []
    for f in fields:
        value = current.get(f.pk) or SubmissionValue(submission=submission, field=f)
        old = (value.number, value.text, value.correction_reason)
        if f.is_number:
            value.number = checked.numbers.get(f.code)
            differs = (
                value.computed is not None and value.number is not None and value.number != value.computed
            )
            value.correction_reason = all_reasons.get(f.code, "") if differs else ""
        else:
            value.text = checked.texts.get(f.code, "")
        if value.pk is None:
            created.append(value)
        elif old != (value.number, value.text, value.correction_reason):
            changed.append(value)
    SubmissionValue.objects.bulk_update(changed, ["number", "text", "correction_reason"])
    SubmissionValue.objects.bulk_create(created)
    if created and not connection.features.can_return_rows_from_bulk_insert:
        submission._report_values = None
    else:
        submission._report_values = [*rows, *created]
    after_values = values_of(submission, [*rows, *created])
    status_before = submission.status
    if reopening:
        submission.status = Status.DRAFT
        submission.reopen_reason = reopen_reason.strip()
    submission.save()
    record_change(
        actor=actor,
        instance=submission,
        action=Action.UPDATE,
        before={"report_values": before, "status": status_before},
        after={"report_values": after_values, "status": submission.status},
        reason=reopen_reason.strip() if reopening else "",
    )
    return submission


def _already_confirmed(fields, current, values) -> set[str]:
    """A large value saved before (and so confirmed then) need not be confirmed again if unchanged."""
    codes = set()
    for f in fields:
        value = current.get(f.pk)
        if value is None or not f.is_number or value.number is None:
            continue
        if f.code not in values or str(values[f.code]).replace(".", "").strip() == str(value.number):
            codes.add(f.code)
    return codes


UNKNOWN_FIELDS = _lazy("Biểu mẫu “%(form)s” không có chỉ tiêu: %(codes)s.")


def _same_values(submission: Submission, values: dict[str, object]) -> bool:
    """Whether ``values`` (raw input) say what the report already holds."""
    current = values_of(submission, _value_rows(submission))
    for f in form_fields(submission.form):
        if f.code not in values:
            continue
        if f.is_number:
            number, error = parse_number(values[f.code], f.label)
            if error or number != current.get(f.code):
                return False
        elif str(values[f.code] or "").strip() != (current.get(f.code) or ""):
            return False
    return True


@transaction.atomic
def submission_report(
    *,
    actor,
    form: ReportForm,
    period_id: str = "",
    request: AdHocRequest | None = None,
    values: dict[str, object],
    reasons: dict[str, str] | None = None,
    confirmed: Iterable[str] = (),
    version: int | None = None,
    note: str = "",
    reopen_reason: str = "",
    submit: bool = True,
    today: dt.date | None = None,
) -> tuple[Submission, bool]:
    """Open, fill and (unless ``submit`` is false) send a report in one step: how an agency's own system reports.

    The same checks and workflow as the pages (``submission_open``, ``submission_save``,
    ``submission_submit``), all or nothing. Idempotent: sending again what a report already sent or
    approved holds changes nothing. Refuses field codes the form does not have. Returns the report and
    whether it was created by this call. Side effects: those of the three services.
    """
    unknown = sorted(set(values) - {f.code for f in form_fields(form)})
    if unknown:
        raise ValidationError(
            {"values": UNKNOWN_FIELDS % {"form": form.short_name, "codes": ", ".join(unknown)}}
        )
    # One transaction, no savepoint per step, and the report read once: the steps below work on the
    # row this call just opened (or created) in the same transaction.
    submission, created = _open(actor=actor, form=form, period_id=period_id, request=request, today=today)
    if submission.status in (Status.SUBMITTED, *FINAL) and _same_values(submission, values):
        if version is not None and version != submission.version:
            raise ConflictError(submission)
        return submission, False
    if values or submission.status == Status.APPROVED:
        _save(
            actor=actor,
            submission=submission,
            values=values,
            version=version,
            reasons=reasons,
            confirmed=confirmed,
            reopen_reason=reopen_reason,
            reload=False,
        )
        version = None
    if submit:
        _submit(actor=actor, submission=submission, version=version, note=note, now=None, reload=False)
    return submission, created


# Workflow ---------------------------------------------------------------------------------------


@transaction.atomic
def submission_submit(
    *,
    actor,
    submission: Submission,
    version: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Submission:
    """Send the report to the level above. Idempotent: a report already sent is returned as it is.

    Refuses (ValidationError) empty required fields, values breaking a rule, and a returned report sent
    back unchanged without a note. The first submission fixes ``on_time`` against the due date.
    Side effects: status, times, audit row, notifications to the approvers.
    """
    submission._report_values = None  # whatever rows it holds may be stale: read them again
    return _submit(actor=actor, submission=submission, version=version, note=note, now=now, reload=True)


def _submit(*, actor, submission, version, note, now, reload) -> Submission:
    """``submission_submit``'s work inside the caller's transaction (``reload``: as in ``_save``)."""
    if not can_enter(actor, submission):
        raise PermissionDenied
    if reload:
        submission_reload(submission)
    if submission.status in (Status.SUBMITTED, *FINAL):
        return submission
    fields = form_fields(submission.form)
    by_pk = {f.pk: f for f in fields}
    rows = _value_rows(submission)
    current = {by_pk[v.field_id].code: v for v in rows if v.field_id in by_pk}
    raw = {code: (v.number if by_pk[v.field_id].is_number else v.text) for code, v in current.items()}
    checked = check_values(
        fields,
        _rules(submission.form),
        raw,
        reasons={c: v.correction_reason for c, v in current.items()},
        confirmed=set(raw),
        computed={c: v.computed for c, v in current.items()},
    )
    if not checked.ok:
        raise ValidationError(checked.errors)
    missing = missing_required(fields, checked.numbers, checked.texts)
    if missing:
        raise ValidationError({"__all__": _("Chưa nhập: %s.") % "; ".join(missing)})
    if (
        submission.status == Status.RETURNED
        and submission.values_at_return is not None
        and values_of(submission, rows) == submission.values_at_return
        and not note.strip()
    ):
        raise ValidationError(
            {
                "note": _(
                    "Báo cáo bị trả lại nhưng chưa có số liệu nào thay đổi. Hãy sửa theo ý kiến của cấp duyệt, hoặc ghi giải trình vì sao giữ nguyên."
                )
            }
        )
    _bump(submission, version)
    now = now or timezone.now()
    with audited_change(actor=actor, instance=submission, action=Action.STATUS, reason=note.strip()):
        submission.status = Status.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = actor
        if submission.first_submitted_at is None:
            submission.first_submitted_at = now
            submission.on_time = timezone.localtime(now).date() <= submission.due_date
        submission.save()
    notifications.notify_approvers(
        submission,
        key=f"submitted:{submission.pk}:{submission.version}",
        message=_("%(agency)s đã gửi %(form)s %(period)s, chờ duyệt.")
        % {
            "agency": submission.agency.name,
            "form": submission.form.short_name,
            "period": submission.period_label,
        },
    )
    return submission


@transaction.atomic
def submission_approve(*, actor, submission: Submission, version: int | None = None) -> Submission:
    """Approve a submitted report (the level above only). Keeps the values at approval for later diffs."""
    if not can_approve(actor, submission):
        raise PermissionDenied
    submission_reload(submission)
    if submission.status in FINAL:
        return submission
    if submission.status != Status.SUBMITTED:
        raise ValidationError({"__all__": _("Chỉ duyệt được báo cáo đã gửi.")})
    _bump(submission, version)
    with audited_change(actor=actor, instance=submission, action=Action.STATUS):
        submission.status = Status.APPROVED
        submission.decided_at = timezone.now()
        submission.decided_by = actor
        submission.approved_values = values_of(submission)
        submission.comment = ""
        submission.save()
    notifications.notify_agencies(
        [submission.agency],
        key=f"approved:{submission.pk}:{submission.version}",
        message=_("%(form)s %(period)s đã được duyệt.")
        % {"form": submission.form.short_name, "period": submission.period_label},
        url=reverse("reporting:detail", args=[submission.pk]),
    )
    return submission


@transaction.atomic
def submission_return(
    *, actor, submission: Submission, comment: str, version: int | None = None
) -> Submission:
    """Send a submitted report back with a required comment saying what to fix."""
    if not can_approve(actor, submission):
        raise PermissionDenied
    if not comment.strip():
        raise ValidationError({"comment": _("Phải ghi ý kiến: cần sửa gì trong báo cáo.")})
    submission_reload(submission)
    if submission.status != Status.SUBMITTED:
        raise ValidationError({"__all__": _("Chỉ trả lại được báo cáo đang chờ duyệt.")})
    _bump(submission, version)
    with audited_change(actor=actor, instance=submission, action=Action.STATUS, reason=comment.strip()):
        submission.status = Status.RETURNED
        submission.decided_at = timezone.now()
        submission.decided_by = actor
        submission.comment = comment.strip()
        submission.values_at_return = values_of(submission)
        submission.save()
    notifications.notify_agencies(
        [submission.agency],
        key=f"returned:{submission.pk}:{submission.version}",
        message=_("%(form)s %(period)s bị trả lại: %(comment)s")
        % {
            "form": submission.form.short_name,
            "period": submission.period_label,
            "comment": submission.comment[:300],
        },
        url=reverse("reporting:detail", args=[submission.pk]),
    )
    return submission


def changes_since_approval(submission: Submission) -> list[tuple[FormField, object, object]]:
    """(field, value at approval, value now) for every field changed after approval."""
    if not submission.approved_values:
        return []
    now = values_of(submission)
    fields = {f.code: f for f in form_fields(submission.form)}
    return [
        (fields[code], submission.approved_values.get(code), now.get(code))
        for code in fields
        if submission.approved_values.get(code) != now.get(code)
    ]


@transaction.atomic
def submissions_lock(*, today: dt.date | None = None) -> int:
    """Lock approved reports whose period has closed (due date + the form's lock delay). Returns the count."""
    today = today or timezone.localdate()
    locked = 0
    candidates = Submission.objects.filter(status=Status.APPROVED).select_related("form")
    now = timezone.now()
    for submission in candidates:
        if submission.due_date + dt.timedelta(days=submission.form.lock_after_days) >= today:
            continue
        with audited_change(
            actor=None, instance=submission, action=Action.STATUS, reason=_("Kỳ báo cáo đã đóng.")
        ):
            submission.status = Status.LOCKED
            submission.locked_at = now
            submission.version += 1
            submission.save(update_fields=["status", "locked_at", "version", "updated_at"])
        locked += 1
    return locked
