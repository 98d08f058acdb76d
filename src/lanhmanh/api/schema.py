"""How the OpenAPI document describes our token authentication (imported in ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lanhmanh.api.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "lm_<prefix>_<secret>",
            "description": (
                "Khoá API của cơ quan, cấp bằng lệnh `create_api_token`. Gửi tiêu đề "
                "`Authorization: Bearer lm_<tiền tố>_<bí mật>`. Khoá chỉ đọc (read) chỉ dùng được GET, HEAD, OPTIONS."
            ),
        }


ERROR_SCHEMA = {
    "type": "object",
    "description": "Phong bì lỗi chung của API (``api.errors``).",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Mã lỗi ổn định cho chương trình"},
                "message": {"type": "string", "description": "Thông báo tiếng Việt"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Trường sai → các thông báo",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
ERROR_RESPONSES = {
    "400": "Dữ liệu, tham số hoặc nội dung gửi lên không hợp lệ (kể cả JSON lồng quá sâu, số quá dài, "
    "tham số rỗng như ?unit=).",
    "401": "Thiếu hoặc sai khoá API.",
    "403": "Khoá không đủ phạm vi hoặc vai trò không được làm thao tác này.",
    "404": "Không có, hoặc ngoài địa bàn của người dùng (hai trường hợp trả lời như nhau).",
    "413": "Nội dung gửi lên quá lớn.",
    "429": "Quá nhiều yêu cầu.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook (issue #21 item 15): every operation documents the error
    envelope for the statuses it can answer (400, 401, 403, 404, 413, 429), and the envelope once as the
    ``Error`` component; an operation's own description of a status is kept."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if status == "413" and method == "get":
                    continue
                response = responses.setdefault(status, {"description": description})
                response.setdefault("content", {"application/json": {"schema": ref}})
    return result


UNIT_PARAMETER = (
    "Đường dẫn đơn vị, ví dụ 01.002. Bỏ trống (không gửi, hoặc ?unit= rỗng) là địa bàn của người dùng; "
    "đơn vị không có hoặc ngoài địa bàn: 404."
)

# The response of a list endpoint that answers a bare JSON array of records (not an object).
ARRAY_OF_OBJECTS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
