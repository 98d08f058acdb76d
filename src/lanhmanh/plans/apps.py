from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _signed_in(user) -> bool:
    return True


class PlansConfig(AppConfig):
    name = "lanhmanh.plans"
    verbose_name = _("Kế hoạch, chỉ tiêu, nhiệm vụ")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.core.pickers import register_default_year
        from lanhmanh.plans.selectors import plan_year_for

        register_default_year(plan_year_for)
        from lanhmanh.plans import (
            evidence,  # noqa: F401  (registers the evidence upload policy)
            home,  # noqa: F401  (registers the plan switch on the home page)
        )

        register(
            NavItem(
                key="plans",
                label=_("Kế hoạch"),
                url_name="plans:list",
                allowed=_signed_in,
                order=20,
                section="plan",
            )
        )
        register(
            NavItem(
                key="tasks",
                label=_("Công việc"),
                url_name="plans:tasks",
                allowed=_signed_in,
                order=21,
                section="plan",
            )
        )
        register(
            NavItem(
                key="activities",
                label=_("Hoạt động"),
                url_name="plans:activities",
                allowed=_signed_in,
                order=22,
                section="plan",
            )
        )
