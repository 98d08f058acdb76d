from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "lanhmanh.reporting"
    verbose_name = _("Báo cáo định kỳ")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.reporting import home  # noqa: F401 - registers the home panel
        from lanhmanh.reporting.rules import is_approver, is_submitter

        register(
            NavItem(
                key="reports",
                label=_("Báo cáo"),
                url_name="reporting:inbox",
                allowed=lambda user: is_submitter(user) or is_approver(user),
                order=30,
                section="reports",
            )
        )
        register(
            NavItem(
                key="reports-completeness",
                label=_("Tiến độ báo cáo"),
                url_name="reporting:completeness",
                allowed=is_approver,
                order=31,
                section="reports",
            )
        )
