from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunesConfig(AppConfig):
    name = "lanhmanh.communes"
    verbose_name = _("Xã, phường lành mạnh")

    def ready(self) -> None:
        from lanhmanh.communes import evidence, home  # noqa: F401 - home panel, evidence upload policy
        from lanhmanh.communes.rules import can_see_assessments
        from lanhmanh.core.navigation import NavItem, register

        register(
            NavItem(
                key="communes",
                label=_("Xã lành mạnh"),
                url_name="communes:index",
                allowed=can_see_assessments,
                order=35,
                section="plan",
            )
        )
