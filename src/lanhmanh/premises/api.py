"""API of the establishment register (issue 11, item 11).

* ``GET /api/v1/establishments/`` (``?kind=&unit=&status=``), ``GET /api/v1/establishments/{id}/``,
  ``POST /api/v1/establishments/`` (write tokens);
* ``GET /api/v1/inspections/?establishment=``, ``POST /api/v1/inspections/``;
* ``GET /api/v1/police-checks/``, ``POST /api/v1/police-checks/``;
* ``POST /api/v1/licence-eligibility/`` — the licensing agency's look-up (purpose required, logged).

Scoped and validated exactly like the pages: the same selectors (outsiders get 404), the same services
(the same Vietnamese messages, in the API error envelope). Owners' identities are never returned.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.models import ApiToken
from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.core.forms import text_error
from lanhmanh.core.scoping import path_q
from lanhmanh.org.levels import COMMUNE_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.premises import eligibility, rules, selectors, services
from lanhmanh.premises.models import CheckResult, EstablishmentKind, OwnerType

PAGE = 100


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _raise(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        raise exceptions.ValidationError({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    raise exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


def _text(data, key: str, label: str, limit: int, *, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise exceptions.ValidationError({key: [_("“%(field)s” phải là chuỗi ký tự.") % {"field": label}]})
    error = text_error(value, label, limit)
    if error:
        raise exceptions.ValidationError({key: [error]})
    if required and not value.strip():
        raise exceptions.ValidationError({key: [_("“%(field)s” là bắt buộc.") % {"field": label}]})
    return value.strip()


def _int(
    data, key: str, label: str, *, required: bool = False, low: int = 0, high: int = 10**9
) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise exceptions.ValidationError({key: [_("“%(field)s” là bắt buộc.") % {"field": label}]})
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise exceptions.ValidationError({key: [_("“%(field)s” phải là số nguyên.") % {"field": label}]})
    try:
        number = int(value)
    except ValueError:
        raise exceptions.ValidationError(
            {key: [_("“%(field)s” phải là số nguyên.") % {"field": label}]}
        ) from None
    if not low <= number <= high:
        raise exceptions.ValidationError(
            {
                key: [
                    _("“%(field)s” phải từ %(low)s đến %(high)s.")
                    % {"field": label, "low": low, "high": high}
                ]
            }
        )
    return number


def _date(data, key: str, label: str, *, required: bool = True) -> dt.date | None:
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    try:  # a well-formed but impossible date (30 February) raises rather than returning None
        parsed = parse_date(value[:20]) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise exceptions.ValidationError(
            {key: [_("“%(field)s” phải là ngày dạng YYYY-MM-DD.") % {"field": label}]}
        )
    return parsed


def establishment_json(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind.code,
        "name": e.name,
        "address": e.address,
        "unit": e.unit.path,
        "registration_number": e.registration_number,
        "owner_type": e.owner_type,
        "organisation_name": e.organisation_name,
        "opening_hours": e.opening_hours,
        "rooms": e.rooms,
        "capacity": e.capacity,
        "opened_on": e.opened_on.isoformat(),
        "closed_on": e.closed_on.isoformat() if e.closed_on else None,
        "status": e.status,
        "licences": [
            {
                "kind": lic.kind,
                "number": lic.number,
                "issued_on": lic.issued_on.isoformat(),
                "status": lic.status,
            }
            for lic in e.licences.all()
        ],
    }


def inspection_json(i) -> dict:
    return {
        "id": i.pk,
        "establishment": i.establishment_id,
        "team": i.team.code,
        "team_level": i.team_level,
        "started_at": timezone.localtime(i.started_at).isoformat(),
        "violation_found": i.violation_found,
        "findings": i.findings,
        "follow_up": i.follow_up,
    }


def check_json(c) -> dict:
    return {
        "id": c.pk,
        "establishment": c.establishment_id,
        "agency": c.agency.code,
        "checked_on": c.checked_on.isoformat(),
        "result": c.result,
        "people_checked": c.people_checked,
    }


class _Base(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]


class EstablishmentListView(_Base):
    @extend_schema(
        operation_id="establishments_list",
        summary=_("Danh sách cơ sở kinh doanh trong địa bàn"),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        _require(rules.can_view_register(request.user))
        queryset = selectors.establishments_visible(request.user).prefetch_related("licences").order_by("pk")
        params = request.query_params
        if params.get("kind"):
            queryset = queryset.filter(kind__code=params["kind"][:40])
        if params.get("unit"):
            queryset = queryset.filter(path_q(params["unit"][:60], "unit_path"))
        if params.get("status"):
            queryset = queryset.filter(status=params["status"][:12])
        after = _int(params, "after", "after") or 0
        rows = list(queryset.filter(pk__gt=after)[:PAGE])
        return Response(
            {
                "results": [establishment_json(e) for e in rows],
                "next_after": rows[-1].pk if len(rows) == PAGE else None,
            }
        )

    @extend_schema(
        summary=_("Thêm cơ sở kinh doanh (khoá có quyền ghi)"),
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require(rules.can_edit_register(user))
        data = request.data if isinstance(request.data, dict) else {}
        kind = EstablishmentKind.objects.filter(
            code=_text(data, "kind", "Loại hình", 40, required=True)
        ).first()
        if kind is None:
            raise exceptions.ValidationError({"kind": [_("Loại hình không có trong danh mục.")]})
        unit_path = _text(data, "unit", "Xã, phường", 60, required=True)
        unit = (
            AdministrativeUnit.objects.filter(path=unit_path, level=COMMUNE_LEVEL)
            .order_by("-valid_to")
            .first()
        )
        if unit is None:
            raise exceptions.ValidationError(
                {"unit": [_("Không có xã, phường mã “%(value)s”.") % {"value": unit_path}]}
            )
        owner_type = _text(data, "owner_type", "Chủ cơ sở là", 12, required=True)
        if owner_type not in OwnerType.values:
            raise exceptions.ValidationError({"owner_type": [_("Chọn individual hoặc organisation.")]})
        fields = {
            "kind": kind,
            "unit": unit,
            "owner_type": owner_type,
            "name": _text(data, "name", "Tên cơ sở", 200, required=True),
            "address": _text(data, "address", "Địa chỉ", 300, required=True),
            "registration_number": _text(data, "registration_number", "Số đăng ký kinh doanh", 40),
            "owner_name": _text(data, "owner_name", "Họ tên chủ cơ sở", 120),
            "owner_id_number": _text(data, "owner_id_number", "Số CMND/CCCD", 20),
            "organisation_name": _text(data, "organisation_name", "Tên doanh nghiệp", 200),
            "opening_hours": _text(data, "opening_hours", "Giờ hoạt động", 80),
            "rooms": _int(data, "rooms", "Số phòng", high=100000),
            "capacity": _int(data, "capacity", "Sức chứa", high=1000000),
            "opened_on": _date(data, "opened_on", "Ngày bắt đầu hoạt động"),
        }
        try:
            establishment = services.establishment_create(actor=user, **fields)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(establishment_json(establishment), status=201)


class EstablishmentDetailView(_Base):
    @extend_schema(
        operation_id="establishments_retrieve",
        summary=_("Một cơ sở kinh doanh"),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        _require(rules.can_view_register(request.user))
        return Response(establishment_json(selectors.establishment_get(request.user, pk)))


class InspectionListView(_Base):
    @extend_schema(
        operation_id="inspections_list",
        summary=_("Các cuộc kiểm tra của Đội 178 trong địa bàn"),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        _require(rules.can_see_sanctions(request.user))
        queryset = selectors.inspections_visible(request.user).order_by("pk")
        establishment = _int(request.query_params, "establishment", "establishment")
        if establishment:
            queryset = queryset.filter(establishment_id=establishment)
        after = _int(request.query_params, "after", "after") or 0
        rows = list(queryset.filter(pk__gt=after)[:PAGE])
        return Response(
            {
                "results": [inspection_json(i) for i in rows],
                "next_after": rows[-1].pk if len(rows) == PAGE else None,
            }
        )

    @extend_schema(
        summary=_("Ghi nhận cuộc kiểm tra (khoá có quyền ghi)"),
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require(rules.can_inspect(user))
        data = request.data if isinstance(request.data, dict) else {}
        establishment = selectors.establishment_get(
            user, _int(data, "establishment", "establishment", required=True)
        )
        team = (
            selectors.teams_for(user)
            .filter(code=_text(data, "team", "Đội kiểm tra", 60, required=True))
            .first()
        )
        if team is None:
            raise exceptions.ValidationError(
                {"team": [_("Không có Đội 178 mã này trong địa bàn của anh/chị.")]}
            )
        codes = data.get("agencies") or []
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise exceptions.ValidationError({"agencies": [_("“agencies” là danh sách mã cơ quan.")]})
        agencies = list(Agency.objects.filter(code__in=codes[:50]))
        try:  # a well-formed but impossible time (30 February) raises rather than returning None
            started = (
                parse_datetime(data["started_at"][:40]) if isinstance(data.get("started_at"), str) else None
            )
        except ValueError:
            started = None
        if started is None:
            raise exceptions.ValidationError(
                {"started_at": [_("“Thời gian bắt đầu” phải có dạng YYYY-MM-DDTHH:MM.")]}
            )
        if timezone.is_naive(started):
            started = timezone.make_aware(started)
        try:
            inspection = services.inspection_record(
                actor=user,
                establishment=establishment,
                team=team,
                started_at=started,
                agencies=agencies,
                leader_name=_text(data, "leader_name", "Trưởng đoàn", 120, required=True),
                findings=_text(data, "findings", "Kết quả kiểm tra", 5000),
                follow_up=_text(data, "follow_up", "Kiến nghị", 5000),
                violation_found=data.get("violation_found") is True,
                confirm_few_agencies=data.get("confirm_few_agencies") is True,
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(inspection_json(inspection), status=201)


class PoliceCheckListView(_Base):
    @extend_schema(
        operation_id="police_checks_list",
        summary=_("Các lượt kiểm tra hành chính của công an"),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        _require(rules.can_see_sanctions(request.user))
        after = _int(request.query_params, "after", "after") or 0
        rows = list(selectors.police_checks_visible(request.user).order_by("pk").filter(pk__gt=after)[:PAGE])
        return Response(
            {
                "results": [check_json(c) for c in rows],
                "next_after": rows[-1].pk if len(rows) == PAGE else None,
            }
        )

    @extend_schema(
        summary=_("Ghi nhận kiểm tra hành chính (khoá có quyền ghi)"),
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require(rules.can_police_check(user))
        data = request.data if isinstance(request.data, dict) else {}
        establishment = selectors.establishment_get(
            user, _int(data, "establishment", "establishment", required=True)
        )
        result = _text(data, "result", "Kết quả", 10) or CheckResult.NO_VIOLATION
        if result not in CheckResult.values:
            raise exceptions.ValidationError({"result": [_("Chọn ok hoặc violation.")]})
        try:
            check = services.police_check_record(
                actor=user,
                establishment=establishment,
                checked_on=_date(data, "checked_on", "Ngày kiểm tra"),
                result=result,
                people_checked=_int(data, "people_checked", "Số người được kiểm tra", high=1000) or 0,
                notes=_text(data, "notes", "Ghi chú", 5000),
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(check_json(check), status=201)


class LookupPermission(TokenScopePermission):
    """The look-up is sent by POST, so that identities stay out of URLs and server logs, yet it writes
    nothing but its own log row: a read-only token may use it."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken) and request.user and request.user.is_authenticated:
            return True
        return super().has_permission(request, view)


class EligibilityView(_Base):
    permission_classes = [LookupPermission]

    @extend_schema(
        summary=_(
            "Tra cứu điều kiện cấp phép (Sở VHTTDL): có/không và các quyết định làm căn cứ; ghi nhật ký"
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require(rules.can_lookup_eligibility(user))
        data = request.data if isinstance(request.data, dict) else {}
        try:
            answer = eligibility.lookup(
                actor=user,
                purpose=_text(data, "purpose", "Mục đích tra cứu", 12, required=True),
                detail=_text(data, "detail", "Ghi rõ", 300),
                owner_name=_text(data, "owner_name", "Họ tên người đề nghị", 120),
                owner_id_number=_text(data, "owner_id_number", "Số CMND/CCCD", 20),
                registration_number=_text(data, "registration_number", "Số đăng ký kinh doanh", 40),
                address=_text(data, "address", "Địa chỉ cơ sở", 300),
                via_api=True,
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(
            {
                "eligible": answer.eligible,
                "decisions": [eligibility.decision_json(d) for d in answer.decisions],
                "lookup_id": answer.lookup.pk,
            }
        )
