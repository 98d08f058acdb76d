"""API v1: read-only administrative units and agencies, ``me``, and the documentation page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api import selectors
from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.api.serializers import (
    AgencyFilterSerializer,
    AgencySerializer,
    MeSerializer,
    UnitDetailFilterSerializer,
    UnitFilterSerializer,
    UnitSerializer,
)


class ApiPagination(LimitOffsetPagination):
    max_limit = 500


class ApiView(APIView):
    """Base of our API views: JSON only (no browsable HTML, which would need inline script)."""

    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]


def _query(serializer_class, request) -> dict:
    """Validated query parameters; a bad one raises a 400 naming it."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


_ERRORS = {
    400: OpenApiResponse(description=_("Tham số không hợp lệ (phong bì lỗi, ``fields`` nêu tham số).")),
    401: OpenApiResponse(
        description=_("Chưa xác thực, hoặc khoá API sai định dạng, sai, đã thu hồi, hết hạn.")
    ),
    404: OpenApiResponse(description=_("Không tồn tại hoặc ngoài địa bàn của người dùng.")),
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Danh sách đơn vị hành chính trong địa bàn"),
        parameters=[UnitFilterSerializer],
        responses={200: UnitSerializer(many=True), 400: _ERRORS[400], 401: _ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary=_("Một đơn vị hành chính, theo đường dẫn"),
        parameters=[
            UnitDetailFilterSerializer,
            OpenApiParameter("path", str, OpenApiParameter.PATH, description=_("Ví dụ: 01.002")),
        ],
        responses={200: UnitSerializer, 400: _ERRORS[400], 401: _ERRORS[401], 404: _ERRORS[404]},
    ),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative units in the caller's jurisdiction (the unit of the caller's agency and its subtree)."""

    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]
    pagination_class = ApiPagination
    serializer_class = UnitSerializer
    lookup_field = "path"
    lookup_value_regex = r"\d{2}(?:\.\d{3}(?:\.\d{5})?)?"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.api_units(self.request.user)
        return selectors.api_units(self.request.user, **_query(UnitFilterSerializer, self.request))

    def get_object(self):
        params = _query(UnitDetailFilterSerializer, self.request)
        return selectors.api_unit_get(self.request.user, self.kwargs["path"], valid_on=params.get("valid_on"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Danh sách cơ quan trong địa bàn"),
        parameters=[AgencyFilterSerializer],
        responses={200: AgencySerializer(many=True), 400: _ERRORS[400], 401: _ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary=_("Một cơ quan, theo mã"),
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description=_("Ví dụ: hn-ldtbxh"))],
        responses={200: AgencySerializer, 401: _ERRORS[401], 404: _ERRORS[404]},
    ),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies acting at units in the caller's jurisdiction."""

    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]
    pagination_class = ApiPagination
    serializer_class = AgencySerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.api_agencies(self.request.user)
        return selectors.api_agencies(self.request.user, **_query(AgencyFilterSerializer, self.request))

    def get_object(self):
        return selectors.api_agency_get(self.request.user, self.kwargs["code"])


class MeView(ApiView):
    """The caller as the API sees them: the token's user, agency, unit, roles and data classes."""

    @extend_schema(summary=_("Người dùng đang gọi API"), responses={200: MeSerializer, 401: _ERRORS[401]})
    def get(self, request):
        token = request.auth if hasattr(request.auth, "prefix") else None
        return Response(MeSerializer(MeSerializer.data_for(request.user, token)).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: for any authenticated caller (token or signed-in session)."""

    permission_classes = [TokenScopePermission]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the bundled sidecar files; its start-up script is a separate file (strict CSP)."""

    permission_classes = [TokenScopePermission]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = _("Lành Mạnh — tài liệu API")


_docs_view = DocsView.as_view()


def docs(request, *args, **kwargs):
    """The docs page is for people in a browser: send them to sign in (and to the second factor) first."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if settings.REQUIRE_2FA and getattr(user, "needs_two_factor", False) and not user.is_verified():
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
    return _docs_view(request, *args, **kwargs)
