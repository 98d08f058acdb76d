from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lanhmanh.people.rules import can_use_registry  # noqa: F401 - the menu's predicate, importable from here too


class PeopleConfig(AppConfig):
    name = "lanhmanh.people"
    verbose_name = _("Cơ sở dữ liệu người vi phạm")

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register

        register(
            NavItem(
                key="people",
                label=_("Người vi phạm"),
                url_name="people:person_list",
                allowed=can_use_registry,
                order=30,
                section="registers",
            )
        )
