"""API of criminal cases for the agencies' own systems (police, procuracy, court).

* ``GET /api/v1/cases/``: the cases in the caller's reach (no names), newest first, ``?stage=`` filter;
* ``POST /api/v1/cases/``: open a case (police investigators, write tokens);
* ``GET /api/v1/cases/{id}/?purpose=…``: one case with its defendants and victims (each identity
  returned is logged with the purpose);
* ``POST /api/v1/cases/{id}/stages/``: record a stage's date (``stage``, ``on``, ``mobile_trial``,
  ``model_trial``): only the stage's own agency's role; another role gets 403 with the same message
  as the page.

Same selectors (404 outside the caller's reach), forms and services as the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.enforcement.cases import forms, rules, selectors, services
from lanhmanh.enforcement.cases.models import CriminalCase, Offence, Stage
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.api import PURPOSE_PARAMETERS, _purpose

STAGE_UNKNOWN = _("Giai đoạn “%(value)s” không hợp lệ: chọn một trong %(choices)s.")
UNIT_UNKNOWN = _("Không có đơn vị hành chính “%(value)s”.")


def _require(user) -> None:
    if not rules.handles_cases(user):
        raise Http404


def case_json(case: CriminalCase) -> dict:
    data = {
        "id": case.pk,
        "number": case.number,
        "offence": case.offence.code,
        "offence_group": case.offence.group,
        "act_on": case.act_on.isoformat(),
        "unit": case.unit.path,
        "establishment": case.establishment_id,
        "hotspot": case.hotspot_id,
        "investigating_agency": case.investigating_agency.code,
        "investigating_body": case.investigating_body,
        "procuracy": case.procuracy.code if case.procuracy_id else None,
        "court": case.court.code if case.court_id else None,
        "stage": case.stage,
        "mobile_trial": case.mobile_trial,
        "model_trial": case.model_trial,
    }
    for stage in Stage.values:
        day = case.date_of(stage)
        data[f"{stage}_on"] = day.isoformat() if day else None
    return data


def _person_json(person) -> dict:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
    }


def _errors(exc: DjangoValidationError) -> dict:
    return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}


def _form_errors(form) -> dict:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


class CaseListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="cases_list",
        summary=_("Các vụ án trong phạm vi của cơ quan (không có nhân thân)"),
        parameters=[OpenApiParameter("stage", str, enum=Stage.values)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        _require(request.user)
        cases = selectors.cases_visible(request.user).order_by("-detected_on", "-pk")
        stage = request.query_params.get("stage", "")
        if stage:
            if stage not in Stage.values:
                raise exceptions.ValidationError(
                    {
                        "stage": [
                            str(STAGE_UNKNOWN % {"value": stage[:40], "choices": ", ".join(Stage.values)})
                        ]
                    }
                )
            cases = cases.filter(stage=stage)
        rows = list(cases[:200])
        return Response({"count": len(rows), "results": [case_json(c) for c in rows]})

    @extend_schema(
        operation_id="cases_create",
        summary=_("Mở hồ sơ vụ án (cán bộ Công an; khoá API có quyền ghi)"),
        description=_(
            "Thân JSON: offence (mã tội danh, ví dụ blhs1999-255-1), act_on, unit (đường dẫn đơn vị), "
            "detected_on, busted_on, address, summary, number; establishment, hotspot (mã số cơ sở kinh doanh, tụ "
            "điểm nơi xảy ra, nếu có). Kiểm tra giống hệt trang mở hồ sơ vụ án."
        ),
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require(user)
        body = request.data if isinstance(request.data, dict) else {}
        data = {
            key: body.get(key, "")
            for key in ("number", "act_on", "detected_on", "busted_on", "address", "summary")
        }
        for key in ("establishment", "hotspot"):  # ids of the place, when it is one (optional)
            data[key] = body.get(key) or ""
        offence = Offence.objects.filter(code=str(body.get("offence", ""))[:40]).first()
        unit = (
            AdministrativeUnit.objects.filter(path=str(body.get("unit", ""))[:40])
            .order_by("valid_from")
            .first()
        )
        form = forms.CaseForm(
            {**data, "offence": offence.pk if offence else "", "unit": unit.pk if unit else ""}, user=user
        )
        if not form.is_valid():
            errors = _form_errors(form)
            if body.get("unit") and unit is None:
                errors["unit"] = [str(UNIT_UNKNOWN % {"value": str(body.get("unit"))[:40]})]
            raise exceptions.ValidationError(errors)
        try:
            case = services.case_open(actor=user, **form.cleaned_data)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(case_json(case), status=201)


class CaseDetailView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="cases_retrieve",
        summary=_("Một vụ án với bị can, bị hại (mỗi lượt xem nhân thân được ghi nhật ký)"),
        parameters=PURPOSE_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        user = request.user
        _require(user)
        case = selectors.case_get(user, pk)
        purpose, detail = _purpose(request.query_params)
        log = {"purpose": purpose, "detail": f"API: {detail}".strip(), "path": request.path}
        defendants = selectors.defendants_of(user, case, **log)
        victims = selectors.victims_of(user, case, **log)
        return Response(
            {
                **case_json(case),
                "defendants": [
                    {
                        "id": d.pk,
                        "person": _person_json(d.person),
                        "ring_role": d.ring_role,
                        "measure": d.measure,
                        "offence": d.offence.code,
                        "sentence_kind": d.sentence_kind or None,
                        "sentence_months": d.sentence_months,
                        "probation_months": d.probation_months,
                        "sentenced_on": d.sentenced_on.isoformat() if d.sentenced_on else None,
                    }
                    for d in defendants
                ],
                "victims": [
                    {
                        "id": v.pk,
                        "person": _person_json(v.person),
                        "kind": v.kind,
                        "minor": v.minor,
                        "offer": v.offer or None,
                        "referred_on": v.referred_on.isoformat() if v.referred_on else None,
                    }
                    for v in victims
                ],
            }
        )


class CaseStageView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        operation_id="cases_stage_record",
        summary=_("Ghi ngày của một giai đoạn (chỉ vai trò của cơ quan phụ trách giai đoạn đó)"),
        description=_(
            "Thân JSON: stage (detected, busted, prosecuted, suspended, indicted, closed, tried, appealed, final), "
            "on (yyyy-mm-dd), mobile_trial, model_trial (khi xét xử sơ thẩm)."
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk: int):
        user = request.user
        _require(user)
        case = selectors.case_get(user, pk)
        body = request.data if isinstance(request.data, dict) else {}
        stage = str(body.get("stage", ""))
        if stage not in Stage.values:
            raise exceptions.ValidationError(
                {"stage": [str(STAGE_UNKNOWN % {"value": stage[:40], "choices": ", ".join(Stage.values)})]}
            )
        form = forms.StageForm(
            {
                "on": body.get("on", ""),
                "mobile_trial": bool(body.get("mobile_trial")),
                "model_trial": bool(body.get("model_trial")),
            },
            stage=stage,
            label=str(CriminalCase._meta.get_field(f"{stage}_on").verbose_name).capitalize(),
        )
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        try:
            case = services.case_stage_record(
                actor=user,
                case=case,
                stage=stage,
                on=form.cleaned_data["on"],
                mobile_trial=form.cleaned_data.get("mobile_trial"),
                model_trial=form.cleaned_data.get("model_trial"),
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_errors(exc)) from None
        return Response(case_json(case))
