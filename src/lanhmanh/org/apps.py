from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "lanhmanh.org"
    verbose_name = _("Tổ chức, đơn vị hành chính")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.org.rules import can_manage_unit_successions

        register(
            NavItem(
                key="unit-successions",
                label=_("Đơn vị kế thừa (2025)"),
                url_name="unit_successions",
                allowed=can_manage_unit_successions,
                order=880,
                section="system",
            )
        )
