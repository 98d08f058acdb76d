from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def can_use_registry(user) -> bool:
    from lanhmanh.core.scoping import DataClass, can

    return can(user, {DataClass.IDENTITY, DataClass.ENFORCEMENT})


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
