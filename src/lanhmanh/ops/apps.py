from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running it for real: health check, structured logs, worker heartbeat, backups."""

    name = "lanhmanh.ops"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        from lanhmanh.ops.logs import install_record_factory

        install_record_factory()
