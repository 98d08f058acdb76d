from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def can_review(user) -> bool:
    """The registry's own classes (identity + enforcement): the roles that record identities."""
    from lanhmanh.people.apps import can_use_registry

    return can_use_registry(user)


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
