from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def can_review(user) -> bool:
    from lanhmanh.core.scoping import DataClass, can

    return can(user, DataClass.IDENTITY)


class LinkageConfig(AppConfig):
    name = "lanhmanh.linkage"
    verbose_name = _("Liên kết hồ sơ trùng")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register

        register(
            NavItem(
                key="linkage",
                label=_("Hồ sơ trùng"),
                url_name="linkage:queue",
                allowed=can_review,
                order=35,
                section="registers",
            )
        )
