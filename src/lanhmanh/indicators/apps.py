from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender, **kwargs) -> None:
    from lanhmanh.indicators.services import indicators_sync

    indicators_sync(using=kwargs.get("using", "default"))


class IndicatorsConfig(AppConfig):
    name = "lanhmanh.indicators"
    verbose_name = _("Chỉ số")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from lanhmanh.core.navigation import NavItem, register

        # Every installed app may contribute computed indicators in its own ``indicators.py``.
        autodiscover_modules("indicators")
        from lanhmanh.indicators.rollup import connect_signals

        connect_signals()
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="indicators-sync")
        register(
            NavItem(
                key="indicators",
                label=_("Chỉ số"),
                url_name="indicators:list",
                allowed=lambda user: True,
                order=40,
                section="plan",
            )
        )
