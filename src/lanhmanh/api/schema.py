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
