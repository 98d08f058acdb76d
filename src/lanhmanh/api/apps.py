from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_system_admin(user) -> bool:
    return bool(getattr(user, "is_system_admin", False))


class ApiConfig(AppConfig):
    name = "lanhmanh.api"
    verbose_name = _("API")

    def ready(self) -> None:
        from lanhmanh.api import schema  # noqa: F401 - registers the OpenAPI description of token authentication
        from lanhmanh.core.navigation import NavItem, register

        register(
            NavItem(
                key="api-docs",
                label=_("Tài liệu API"),
                url_name="api:docs",
                allowed=_is_system_admin,
                order=900,
                section="system",
            )
        )
