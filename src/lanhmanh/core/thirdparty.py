"""Vietnamese names for the third-party apps an administrator meets in the Django admin.

The admin index groups models under each app's ``verbose_name``; django-otp and django-tasks-db ship
English ones ("OTP_TOTP", "Tasks Database Backend", "TOTP devices", "Task Results"), and the admin
shows them on the index, on each app's page, in breadcrumbs and in the side menu. Settings install
these subclasses instead of the packages' own configurations: the app labels, tables and migrations
stay the packages', only the names shown change.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TotpConfig
from django_tasks_db.apps import TasksAppConfig as _TasksConfig


def _name_model(config, model_name: str, singular, plural) -> None:
    meta = config.get_model(model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural


class TotpConfig(_TotpConfig):
    verbose_name = _("Xác thực hai bước")

    def ready(self) -> None:
        super().ready()
        name = _("Thiết bị xác thực hai bước (TOTP)")
        _name_model(self, "TOTPDevice", name, name)


class TasksConfig(_TasksConfig):
    verbose_name = _("Tác vụ chạy nền")

    def ready(self) -> None:
        super().ready()
        name = _("Kết quả tác vụ chạy nền")
        _name_model(self, "DBTaskResult", name, name)
