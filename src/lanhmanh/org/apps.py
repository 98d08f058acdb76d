from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "lanhmanh.org"
    verbose_name = _("Tổ chức, đơn vị hành chính")
