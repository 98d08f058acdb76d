from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lanhmanh.core"
    verbose_name = _("Hệ thống: nhật ký, tệp, sự cố dữ liệu")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lanhmanh.core import checks, navigation  # noqa: F401  (checks registers the deploy checks)
        from lanhmanh.core.middleware import SessionActivityMiddleware
        from lanhmanh.core.selectors import may_audit

        user_logged_in.connect(SessionActivityMiddleware.mark_active, dispatch_uid="lanhmanh-session-active")

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
        navigation.register(
            navigation.NavItem(
                key="breaches",
                label=_("Sự cố lộ lọt dữ liệu"),
                url_name="breaches",
                allowed=may_audit,
                order=901,
                section="system",
            )
        )
