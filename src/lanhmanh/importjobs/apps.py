from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportJobsConfig(AppConfig):
    """Background confirmation of large Excel imports of the registry, with its progress for the page."""

    name = "lanhmanh.importjobs"
    verbose_name = _("Nhập danh sách chạy nền")
