from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportJobsConfig(AppConfig):
    """The job rows of large Excel imports written in the background (status, step, percent, errors).

    Only the model: the work and its pages are the registry's (``people.imports.jobs``, ``people.job_views``).
    """

    name = "lanhmanh.importjobs"
    verbose_name = _("Nhập danh sách chạy nền")
