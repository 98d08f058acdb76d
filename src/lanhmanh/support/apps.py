from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lanhmanh.support.rules import (  # noqa: F401 - the menus' predicates, importable from here too
    can_do_casework,
    can_open_child_case,
    can_receive_referrals,
    can_see_programmes,
)


class SupportConfig(AppConfig):
    name = "lanhmanh.support"
    verbose_name = _("Tiếp cận, hỗ trợ")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.people.hooks import hooks
        from lanhmanh.support import home, signals  # noqa: F401 - registers receivers and panels
        from lanhmanh.support.selectors import support_cases_of

        hooks.can_open_child_case = can_open_child_case
        hooks.support_cases_of = support_cases_of

        register(
            NavItem(
                key="support",
                label=_("Hỗ trợ"),
                url_name="support:caseload",
                allowed=can_do_casework,
                order=35,
                section="support",
            )
        )
        register(
            NavItem(
                key="support-programmes",
                label=_("Chương trình hỗ trợ"),
                url_name="support:programme_list",
                allowed=can_see_programmes,
                order=37,
                section="support",
            )
        )
        register(
            NavItem(
                key="support-referrals",
                label=_("Chuyển gửi đến"),
                url_name="support:referral_inbox",
                allowed=can_receive_referrals,
                order=36,
                section="support",
            )
        )
