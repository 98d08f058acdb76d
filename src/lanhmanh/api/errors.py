"""One error envelope for every API error.

``{"error": {"code": "token_expired", "message": "…", "fields": {"valid_on": ["…"]}}}``: ``code`` is
stable for programs, ``message`` is Vietnamese for people, ``fields`` names the offending inputs
(empty when the error concerns no particular field).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from lanhmanh.api.parsers import RequestTooLarge

# Vietnamese texts for DRF's own errors, by code. Used when the error carries DRF's default text.
_DEFAULT_MESSAGES = {
    "not_authenticated": gettext_lazy(
        "Cần xác thực: gửi tiêu đề “Authorization: Bearer <khoá API>” hoặc đăng nhập."
    ),
    "authentication_failed": gettext_lazy("Xác thực không thành công."),
    "permission_denied": gettext_lazy("Không có quyền thực hiện thao tác này."),
    "not_found": gettext_lazy("Không tìm thấy."),
    "parse_error": gettext_lazy("Nội dung gửi lên không đọc được."),
    "not_acceptable": gettext_lazy("Không trả được kết quả theo định dạng yêu cầu trong tiêu đề Accept."),
    "throttled": gettext_lazy("Quá nhiều yêu cầu; hãy thử lại sau."),
}


def envelope(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail: dict) -> dict[str, list[str]]:
    return {str(name): _flatten(value) for name, value in detail.items()}


def _describe(exc: exceptions.APIException, method: str) -> tuple[str, str, dict]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _fields(detail)
            general = fields.pop("non_field_errors", [])
            named = ", ".join(fields)
            message = " ".join(general) or _("Dữ liệu không hợp lệ: %(fields)s.") % {"fields": named}
            return "invalid", message, fields
        return "invalid", " ".join(_flatten(detail)) or _("Dữ liệu không hợp lệ."), {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        message = _("Địa chỉ này không nhận phương thức %(method)s.") % {"method": method}
        return "method_not_allowed", message, {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", _("Kiểu nội dung gửi lên không được hỗ trợ; hãy gửi JSON."), {}
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    message = str(exc.detail)
    if code in _DEFAULT_MESSAGES and message == str(exc.default_detail):
        message = str(_DEFAULT_MESSAGES[code])
    return code, message, {}


def exception_handler(exc, context):
    """DRF's exception handler (status, headers such as WWW-Authenticate) with our envelope as the body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        exc = RequestTooLarge(
            _("Nội dung gửi lên lớn hơn giới hạn %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django log it and answer 500
    request = context.get("request")
    code, message, fields = _describe(exc, getattr(request, "method", ""))
    response.data = envelope(code, message, fields)
    return response


def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/ answer in the envelope too, not with an HTML page."""
    return JsonResponse(
        envelope("not_found", _("Không có địa chỉ API này: %(path)s") % {"path": request.path}), status=404
    )
