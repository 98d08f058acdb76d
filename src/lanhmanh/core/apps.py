from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lanhmanh.core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from lanhmanh.core import navigation
        from lanhmanh.core.selectors import may_audit

        navigation.register(
            navigation.NavItem(
                key="audit",
                label=_("Kiểm tra dữ liệu"),
                url_name="audit",
                allowed=may_audit,
                order=900,
                section="system",
            )
        )
