"""API of periodic reporting (issue 4, item 8), so that an agency with its own system reports without typing.

* ``GET /api/v1/reports/forms/``: the active report forms, their sections, fields and rules, and whether
  the caller's agency submits each;
* ``GET /api/v1/reports/expected/``: what the caller's agency has to report (recent periods and ad hoc
  requests), with the report already opened for each, if any; for approvers (district labour, city
  coordinator) also ``area``: each agency of their area expected to report, its report and the
  completeness counts, like the completeness page (``?unit=`` within the jurisdiction, else 404;
  ``?form=``, ``?period=``);
* ``GET /api/v1/reports/submissions/{id}/``: one report the caller may see (404 otherwise);
* ``POST /api/v1/reports/submissions/``: values for a form, unit and period, saved and (unless
  ``submit`` is false) sent to the level above (write tokens only).

Scoped by the token's user and agency like the pages, through the same selectors and services: the
same checks, the same Vietnamese messages (in the API error envelope), the same workflow and audit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.errors import envelope
from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.api.schema import ARRAY_OF_OBJECTS
from lanhmanh.core.periods import Period, parse
from lanhmanh.core.scoping import path_q
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.reporting import services
from lanhmanh.reporting.completeness import completeness, expected_rows
from lanhmanh.reporting.models import AdHocRequest, ReportForm, Submission
from lanhmanh.reporting.rules import is_approver, is_submitter
from lanhmanh.reporting.selectors import (
    consolidation_unit,
    forms_for_agency,
    forms_visible_for_completeness,
    inbox_for,
    sanctioned_sellers,
    submission_for,
)

WRONG_UNIT = gettext_lazy(
    "Anh/chị không thuộc %(unit)s: tài khoản này chỉ báo cáo cho %(own)s (đơn vị của %(agency)s)."
)
UNKNOWN_UNIT = gettext_lazy("Không có đơn vị hành chính “%(path)s”.")
UNKNOWN_FORM = gettext_lazy("Không có biểu mẫu báo cáo “%(code)s”.")
WRONG_PERIOD = gettext_lazy("Biểu mẫu “%(form)s” lập theo kỳ %(kind)s.")
UNKNOWN_PERIOD = gettext_lazy("Không có biểu mẫu nào trên địa bàn lập theo kỳ “%(period)s”.")
UNKNOWN_REQUEST = gettext_lazy("Không có yêu cầu báo cáo đột xuất số %(id)s cho đơn vị của anh/chị.")
CONFIRM = gettext_lazy(
    "Có số liệu lớn hơn mức hợp lý: %(codes)s. Kiểm tra lại; nếu đúng, gửi lại kèm “confirmed”: [%(quoted)s]."
)


def _require_reporting_user(user) -> None:
    if not (is_submitter(user) or is_approver(user)):
        raise Http404


def _errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# Representations -------------------------------------------------------------------------------


def form_data(form: ReportForm, *, submits: bool) -> dict:
    sections = []
    fields_by_section: dict[int, list] = {}
    for f in form.fields.select_related("indicator").order_by("section__order", "order"):
        fields_by_section.setdefault(f.section_id, []).append(
            {
                "code": f.code,
                "label": f.label,
                "kind": f.kind,
                "source": f.source,
                "indicator": f.indicator.code if f.indicator_id else None,
                "required": f.required,
                "plausible_max": f.plausible_max,
            }
        )
    for section in form.sections.all():
        sections.append(
            {"code": section.code, "title": section.title, "fields": fields_by_section.get(section.pk, [])}
        )
    return {
        "code": form.code,
        "name": form.name,
        "short_name": form.short_name,
        "periodicity": form.periodicity,
        "submitter_level": form.submitter_level,
        "submitter_agency_kind": form.submitter_agency_kind,
        "deadline": str(form.deadline_text),
        "submits": submits,
        "lists_sanctioned_sellers": form.lists_sanctioned_sellers,
        "sections": sections,
        "rules": [str(rule) for rule in form.rules.all()],
    }


def submission_data(submission: Submission, *, user=None, path: str = "") -> dict:
    values = []
    for v in submission.values.select_related("field__section").order_by(
        "field__section__order", "field__order"
    ):
        f = v.field
        values.append(
            {
                "code": f.code,
                "label": f.label,
                "section": f.section.code,
                "kind": f.kind,
                "source": f.source,
                "value": v.number if f.is_number else v.text,
                "computed": v.computed,
                "correction_reason": v.correction_reason,
            }
        )
    data = {
        "id": submission.pk,
        "form": submission.form.code,
        "agency": submission.agency.code,
        "unit": submission.unit_path,
        "period": submission.period_id,
        "period_label": submission.period_label,
        "period_start": submission.period_start,
        "period_end": submission.period_end,
        "request": submission.request_id,
        "due_date": submission.due_date,
        "status": submission.status,
        "status_label": str(submission.get_status_display()),
        "version": submission.version,
        "first_submitted_at": submission.first_submitted_at,
        "on_time": submission.on_time,
        "submitted_at": submission.submitted_at,
        "decided_at": submission.decided_at,
        "comment": submission.comment,
        "values": values,
    }
    if submission.form.lists_sanctioned_sellers and user is not None:
        sellers = sanctioned_sellers(user, submission, path=path)
        data["sanctioned_sellers"] = (
            None
            if sellers is None
            else [
                {
                    "person_id": s.person_id,
                    "full_name": s.full_name,
                    "birth": s.birth,
                    "id_number": s.id_number,
                    "permanent_address": s.permanent_address,
                    "temporary_address": s.temporary_address,
                    "occurred_on": s.occurred_on,
                    "place": s.place,
                    "decision_number": s.decision_number,
                    "decided_on": s.decided_on,
                    "kind": s.kind,
                    "amount": s.amount,
                }
                for s in sellers
            ]
        )
    return data


# Views -----------------------------------------------------------------------------------------


class FormListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(summary=gettext_lazy("Danh sách biểu mẫu báo cáo"), responses={200: ARRAY_OF_OBJECTS})
    def get(self, request):
        _require_reporting_user(request.user)
        own = {f.pk for f in forms_for_agency(request.user.agency)} if is_submitter(request.user) else set()
        agency = request.user.agency
        forms = ReportForm.objects.filter(active=True).prefetch_related("sections", "rules")
        return Response(
            [
                form_data(
                    f,
                    submits=f.pk in own
                    or (
                        f.is_ad_hoc
                        and is_submitter(request.user)
                        and f.submitter_agency_kind == agency.kind
                        and f.submitter_level == agency.unit.level
                    ),
                )
                for f in forms
            ]
        )


AD_HOC_REQUESTS = 5  # the latest ad hoc requests of a form shown in the area's completeness


def _area_period(form: ReportForm, asked: str, as_of) -> Period:
    """The period asked for (``?period=``), checked against the form; else the last one ended."""
    if not asked:
        return Period.containing(as_of, form.period_kind).previous()
    try:
        period = parse(asked)
    except ValueError as exc:
        raise exceptions.ValidationError({"period": [str(exc)]}) from None
    if period.kind != form.period_kind:
        message = WRONG_PERIOD % {"form": form.short_name, "kind": form.get_periodicity_display().lower()}
        raise exceptions.ValidationError({"period": [str(message)]})
    return period


def _area_entry(form: ReportForm, period: Period, unit_path: str, request: AdHocRequest | None) -> dict:
    result = completeness(form, scope_path=unit_path, period_id=period.id, request=request)
    return {
        "form": form.code,
        "period": period.id,
        "period_label": period.label,
        "request": request.pk if request else None,
        "due_date": result.due_date,
        "overdue": result.overdue,
        "expected": result.total.expected,
        "received": result.total.received,
        "on_time": result.total.on_time,
        "approved": result.total.approved,
        "late": result.late_count,
        "by_unit": [
            {
                "unit": row.path,
                "name": row.name,
                "expected": row.expected,
                "received": row.received,
                "on_time": row.on_time,
                "approved": row.approved,
            }
            for row in result.rows
        ],
        "submissions": [
            {
                "agency": row.agency.code,
                "agency_name": row.agency.name,
                "unit": row.agency.unit.path,
                "submission": row.submission_id,
                "status": row.status,
                "first_submitted_at": row.first_submitted_at,
                "on_time": row.on_time,
            }
            for row in expected_rows(form, period, scope_path=unit_path, request=request)
        ],
    }


def area_data(user, unit, *, form_code: str = "", period_id: str = "", today=None) -> dict:
    """What the units of an approver's area (``unit``, within the jurisdiction) have to report, and
    who did: the forms the completeness page shows, each for one period (or its latest ad hoc requests)."""
    today = today or timezone.localdate()
    as_of = min(today, unit.valid_to) if unit.valid_to else today
    forms = [f for f in forms_visible_for_completeness(user) if f.submitter_level >= unit.level]
    if form_code:
        forms = [f for f in forms if f.code == form_code]
        if not forms:
            raise exceptions.ValidationError({"form": [str(UNKNOWN_FORM % {"code": form_code[:40]})]})
    elif period_id:
        # A period without a form: the forms reported for that kind of period (and ad hoc requests for it).
        try:
            kind = parse(period_id).kind
        except ValueError as exc:
            raise exceptions.ValidationError({"period": [str(exc)]}) from None
        forms = [f for f in forms if f.is_ad_hoc or f.period_kind == kind]
        if not forms:
            raise exceptions.ValidationError({"period": [str(UNKNOWN_PERIOD % {"period": period_id[:20]})]})
    entries = []
    for form in forms:
        if form.is_ad_hoc:
            requests = AdHocRequest.objects.filter(form=form).filter(path_q(unit.path, "units__path"))
            if period_id:
                requests = requests.filter(period_id=period_id)
            requests = requests.distinct().order_by("-created_at")[:AD_HOC_REQUESTS]
            entries.extend(_area_entry(form, parse(r.period_id), unit.path, r) for r in requests)
        else:
            period = _area_period(form, period_id, as_of)
            if not form_code and not form.applies_to(period):
                continue  # e.g. the commune police's form of the two-level map, for a 2014 period
            entries.append(_area_entry(form, period, unit.path, None))
    return {"unit": unit.path, "unit_name": unit.full_name, "forms": entries}


class ExpectedListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=gettext_lazy("Báo cáo cơ quan phải nộp; với cấp duyệt: báo cáo phải nộp trên địa bàn"),
        parameters=[
            OpenApiParameter(
                "unit",
                str,
                description=gettext_lazy(
                    "Cấp duyệt: đơn vị trong địa bàn, ví dụ 01.002 (mặc định: địa bàn của tài khoản)."
                ),
            ),
            OpenApiParameter(
                "form", str, description=gettext_lazy("Cấp duyệt: chỉ một biểu mẫu, ví dụ xa-thang.")
            ),
            OpenApiParameter(
                "period",
                str,
                description=gettext_lazy("Cấp duyệt: kỳ báo cáo, ví dụ 201410 (mặc định: kỳ vừa kết thúc)."),
            ),
        ],
        responses={200: dict},
    )
    def get(self, request):
        user = request.user
        _require_reporting_user(user)
        asked_unit = (request.query_params.get("unit") or "").strip()
        area = None
        if is_approver(user):
            area = area_data(
                user,
                consolidation_unit(user, asked_unit),
                form_code=(request.query_params.get("form") or "").strip(),
                period_id=(request.query_params.get("period") or "").strip(),
            )
        elif asked_unit and asked_unit != user.agency.unit.path:
            raise Http404
        inbox = inbox_for(user)
        rows = []
        for item in [*inbox["due"], *inbox["requests"]]:
            s = item.submission
            rows.append(
                {
                    "form": item.form.code,
                    "period": item.period.id,
                    "period_label": item.period.label,
                    "request": item.request.pk if item.request else None,
                    "due_date": item.due_date,
                    "overdue": item.overdue,
                    "submission": s.pk if s else None,
                    "status": s.status if s else None,
                    "version": s.version if s else None,
                }
            )
        return Response(
            {"agency": user.agency.code, "unit": user.agency.unit.path, "expected": rows, "area": area}
        )


class SubmissionDetailView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(summary=gettext_lazy("Một báo cáo"), responses={200: dict})
    def get(self, request, pk: int):
        submission = submission_for(request.user, pk)
        return Response(submission_data(submission, user=request.user, path=request.path))


class SubmitSerializer(serializers.Serializer):
    form = serializers.CharField(help_text=gettext_lazy("Mã biểu mẫu, ví dụ xa-thang."))
    unit = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "Đường dẫn đơn vị báo cáo, ví dụ 01.002.00076 (mặc định: đơn vị của cơ quan)."
        ),
    )
    period = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Kỳ báo cáo, ví dụ 201410, 2014Q3, 2014.")
    )
    request = serializers.IntegerField(
        required=False, help_text=gettext_lazy("Số yêu cầu báo cáo đột xuất (thay cho kỳ).")
    )
    values = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text=gettext_lazy("Mã chỉ tiêu → số liệu.")
    )
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=gettext_lazy("Mã chỉ tiêu tính từ dữ liệu → lý do điều chỉnh."),
    )
    confirmed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("Mã chỉ tiêu có số liệu lớn hơn mức hợp lý đã được kiểm tra lại."),
    )
    version = serializers.IntegerField(
        required=False, help_text=gettext_lazy("Phiên bản đã đọc (chống ghi đè khi hai người cùng sửa).")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reopen_reason = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(
        required=False, default=True, help_text=gettext_lazy("false: chỉ lưu, chưa gửi lên cấp trên.")
    )


class SubmissionCreateView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=gettext_lazy("Gửi số liệu báo cáo cho một biểu mẫu, đơn vị và kỳ"),
        request=SubmitSerializer,
        responses={200: dict, 201: dict},
    )
    def post(self, request):
        if not is_submitter(request.user):
            raise PermissionDenied
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = request.user
        form = ReportForm.objects.filter(code=data["form"], active=True).first()
        if form is None:
            raise exceptions.ValidationError({"form": [str(UNKNOWN_FORM % {"code": data["form"][:40]})]})
        own = user.agency.unit
        path = (data.get("unit") or "").strip()
        if path and path != own.path:
            unit = AdministrativeUnit.objects.filter(path=path).order_by("-valid_from").first()
            if unit is None:
                raise exceptions.ValidationError({"unit": [str(UNKNOWN_UNIT % {"path": path[:40]})]})
            raise exceptions.ValidationError(
                {
                    "unit": [
                        str(
                            WRONG_UNIT
                            % {"unit": unit.full_name, "own": own.full_name, "agency": user.agency.name}
                        )
                    ]
                }
            )
        ad_hoc = None
        if form.is_ad_hoc:
            ad_hoc = AdHocRequest.objects.filter(pk=data.get("request"), form=form, units=own).first()
            if ad_hoc is None:
                raise exceptions.ValidationError(
                    {"request": [str(UNKNOWN_REQUEST % {"id": data.get("request")})]}
                )
        try:
            submission, created = services.submission_report(
                actor=user,
                form=form,
                period_id=data.get("period", ""),
                request=ad_hoc,
                values=data.get("values", {}),
                reasons=data.get("reasons", {}),
                confirmed=data.get("confirmed", []),
                version=data.get("version"),
                note=data.get("note", ""),
                reopen_reason=data.get("reopen_reason", ""),
                submit=data["submit"],
            )
        except services.ConflictError as exc:
            raise Conflict(str(exc)) from None
        except services.ConfirmationRequired as exc:
            # Not refused: the client asks the officer to check the values and sends them again confirmed.
            codes = exc.codes
            message = CONFIRM % {"codes": ", ".join(codes), "quoted": ", ".join(f'"{c}"' for c in codes)}
            return Response(
                envelope("confirmation_required", str(message), _errors(exc)),
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(
            submission_data(submission, user=user, path=request.path),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
