from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "lanhmanh.org"
    verbose_name = _("Tổ chức, đơn vị hành chính")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lanhmanh.org.middleware import remember_sign_in_time

        user_logged_in.connect(remember_sign_in_time, dispatch_uid="lanhmanh-sign-in-time")
