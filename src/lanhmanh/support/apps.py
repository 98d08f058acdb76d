from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def can_do_casework(user) -> bool:
    from lanhmanh.core.scoping import DataClass, can

    return can(user, {DataClass.IDENTITY, DataClass.SUPPORT})


def can_receive_referrals(user) -> bool:
    from lanhmanh.core.scoping import DataClass, can

    return can(user, DataClass.IDENTITY) and (can(user, DataClass.SUPPORT) or can(user, DataClass.HEALTH))


def can_open_child_case(user) -> bool:
    """Who may open a child protection case: identity, support and child classes (district labour,
    the city coordinator, social workers)."""
    from lanhmanh.core.scoping import DataClass, can

    return can(user, {DataClass.IDENTITY, DataClass.SUPPORT, DataClass.CHILD})


def can_see_programmes(user) -> bool:
    from lanhmanh.support.selectors import may_manage_programmes

    return can_do_casework(user) or may_manage_programmes(user)


class SupportConfig(AppConfig):
    name = "lanhmanh.support"
    verbose_name = _("Tiếp cận, hỗ trợ")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.support import home, signals  # noqa: F401 - registers receivers and panels

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
