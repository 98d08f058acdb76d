from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "lanhmanh.enforcement.cases"
    label = "cases"
    verbose_name = _("Vụ án hình sự")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.enforcement.cases import home  # noqa: F401 - registers the home panel
        from lanhmanh.enforcement.cases.rules import handles_cases, sees_case_counts

        register(
            NavItem(
                key="cases",
                label=_("Vụ án"),
                url_name="cases:case_list",
                allowed=handles_cases,
                order=32,
                section="registers",
            )
        )
        register(
            NavItem(
                key="cases-statistics",
                label=_("Thống kê vụ án"),
                url_name="cases:statistics",
                allowed=sees_case_counts,
                order=33,
                section="registers",
            )
        )
