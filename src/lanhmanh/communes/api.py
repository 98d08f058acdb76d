"""API of healthy-commune assessments (issue 14, item 9).

* ``GET /api/v1/communes/assessments/?year=&unit=``: the assessments of the caller's area;
* ``GET /api/v1/communes/assessments/{id}/``: one assessment with its items, scores, the district's
  changes and the proposals from records (404 outside the caller's area);
* ``POST /api/v1/communes/assessments/`` ``{"unit": "01.002.00079", "year": 2014}``: open one;
* ``POST /api/v1/communes/assessments/{id}/self/`` ``{"answers": [{"item": "1.1", "score": 15,
  "evidence": "…", "links": "…"}], "summary": "…", "submit": true}``: the commune's step;
* ``POST /api/v1/communes/assessments/{id}/review/`` ``{"changes": [{"item": "1.3", "score": 0,
  "reason": "…"}], "note": "…"}``: the district's step.

Writes need a write token of a user who may take that step (commune officer, district labour
office); the same services as the pages, so the same Vietnamese messages and the same audit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.api.schema import ARRAY_OF_OBJECTS, UNIT_PARAMETER
from lanhmanh.communes import rules, selectors, services
from lanhmanh.communes.proposals import proposals_for
from lanhmanh.org.models import AdministrativeUnit

UNKNOWN_UNIT = _("Không có đơn vị hành chính “%(path)s” trong địa bàn của anh/chị.")
UNKNOWN_ITEM = _("Không có tiêu chí “%(code)s” trong bộ tiêu chí của phiếu.")
BAD_YEAR = _("Năm phải là số nguyên, ví dụ 2014.")
NOT_A_LIST = _("Phải là một danh sách.")


def _number(value):
    return None if value is None else float(value)


def _errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _require(user) -> None:
    if not rules.can_see_assessments(user):
        raise Http404


def _summary(a) -> dict:
    return {
        "id": a.pk,
        "unit": a.unit_path,
        "unit_name": a.unit.full_name,
        "year": a.year,
        "template": a.template.code,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "self_score": _number(a.self_score),
        "score": _number(a.score),
        "classification": a.classification.code if a.classification else None,
        "healthy": a.healthy if a.status == "approved" else None,
    }


def _detail(a, user) -> dict:
    answers = selectors.assessment_answers(a)
    proposals = proposals_for(a, [x.item for x in answers], user=user)
    data = _summary(a)
    data["summary"] = a.summary
    data["review_note"] = a.review_note
    data["items"] = []
    for x in answers:
        p = proposals.get(x.item_id)
        data["items"].append(
            {
                "item": x.item.code,
                "text": x.item.text,
                "points": _number(x.item.points),
                "mandatory": x.item.mandatory,
                "verified": x.item.verified,
                "self_score": _number(x.self_score),
                "evidence": x.evidence,
                "links": [line for line in x.links.splitlines() if line.strip()],
                "district_score": _number(x.district_score),
                "district_reason": x.district_reason,
                "proposal": None
                if p is None
                else {
                    "indicator": p.indicator.code,
                    "value": p.cell.display,
                    "score": _number(p.score),
                    "records": p.link,
                },
            }
        )
    return data


def _by_code(a, rows, key: str) -> dict[int, dict]:
    if not isinstance(rows, list):
        raise exceptions.ValidationError({key: [str(NOT_A_LIST)]})
    items = {x.item.code: x.item_id for x in selectors.assessment_answers(a)}
    out = {}
    for row in rows:
        code = str(row.get("item", "")) if isinstance(row, dict) else ""
        if code not in items:
            raise exceptions.ValidationError({key: [str(UNKNOWN_ITEM % {"code": code[:20]})]})
        out[items[code]] = {k: ("" if v is None else str(v)) for k, v in row.items() if k != "item"}
    return out


class AssessmentListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="communes_assessments_list",
        summary=_("Phiếu đánh giá xã lành mạnh"),
        parameters=[
            OpenApiParameter("year", int, description=_("Năm đánh giá")),
            OpenApiParameter("unit", str, description=UNIT_PARAMETER),
        ],
        responses={200: ARRAY_OF_OBJECTS},
    )
    def get(self, request):
        _require(request.user)
        year = request.query_params.get("year")
        if year is not None and not year.isdigit():
            raise exceptions.ValidationError({"year": [str(BAD_YEAR)]})
        qs = selectors.assessments_for(
            request.user, year=int(year) if year else None, unit_path=request.query_params.get("unit") or None
        )
        return Response([_summary(a) for a in qs.order_by("-year", "unit_path")[:2000]])

    @extend_schema(
        operation_id="communes_assessments_open",
        summary=_("Lập phiếu đánh giá cho một xã, một năm"),
        request=dict,
        responses={201: dict},
    )
    def post(self, request):
        user = request.user
        _require(user)
        data = request.data if isinstance(request.data, dict) else {}
        path = str(data.get("unit", ""))[:40]
        try:
            year = int(data.get("year"))
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"year": [str(BAD_YEAR)]}) from None
        unit = AdministrativeUnit.objects.filter(path=path).order_by("-valid_from").first()
        if unit is None or not rules.can_view_unit(user, unit.path):
            raise exceptions.ValidationError({"unit": [str(UNKNOWN_UNIT % {"path": path})]})
        try:
            a = services.assessment_open(actor=user, unit=unit, year=year)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(_detail(a, user), status=status.HTTP_201_CREATED)


class AssessmentDetailView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="communes_assessments_retrieve",
        summary=_("Một phiếu đánh giá, với đề xuất từ dữ liệu"),
        responses={200: dict},
    )
    def get(self, request, pk: int):
        return Response(_detail(selectors.assessment_get(request.user, pk), request.user))


class AssessmentSelfView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="communes_assessments_self",
        summary=_("Xã tự chấm (và gửi huyện)"),
        request=dict,
        responses={200: dict},
    )
    def post(self, request, pk: int):
        user = request.user
        a = selectors.assessment_get(user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        answers = _by_code(a, data.get("answers", []), "answers")
        try:
            services.assessment_save_self(
                actor=user,
                assessment=a,
                answers=answers,
                summary=str(data["summary"]) if "summary" in data else None,
            )
            if data.get("submit") is True:
                services.assessment_submit(actor=user, assessment=a)
        except PermissionDenied:
            raise exceptions.PermissionDenied() from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(_detail(selectors.assessment_get(user, pk), user))


class AssessmentReviewView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="communes_assessments_review",
        summary=_("Huyện phúc tra"),
        request=dict,
        responses={200: dict},
    )
    def post(self, request, pk: int):
        user = request.user
        a = selectors.assessment_get(user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        changes = _by_code(a, data.get("changes", []), "changes")
        try:
            services.assessment_review(
                actor=user, assessment=a, changes=changes, note=str(data.get("note", ""))
            )
        except PermissionDenied:
            raise exceptions.PermissionDenied() from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(_detail(selectors.assessment_get(user, pk), user))
