"""The legal catalogue is reference data a system administrator corrects; every change keeps its history.

Persons, violations and sanctions are personal data and are deliberately not in the admin.
"""

from django.contrib import admin
from django.db import transaction

from lanhmanh.core.audit import audited_change
from lanhmanh.people.models import LegalAct


@admin.register(LegalAct)
class LegalActAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "decree",
        "article",
        "clause",
        "kind",
        "fine_min_individual",
        "fine_max_individual",
        "warning_allowed",
        "valid_from",
        "valid_to",
        "verified",
    ]
    list_filter = ["decree", "kind", "verified", "warning_allowed"]
    search_fields = ["code", "decree", "wording"]

    def save_model(self, request, obj, form, change):
        # The form has changed ``obj`` already: the values before are read from its row.
        with transaction.atomic(), audited_change(actor=request.user, instance=obj, from_db=True):
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Acts are referred to by violations; end their validity instead of deleting them.
        return False
