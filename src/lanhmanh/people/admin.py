"""The legal catalogue is reference data a system administrator corrects; every change keeps its history.

Persons, violations and sanctions are personal data and are deliberately not in the admin.
"""

from django.contrib import admin
from django.db import transaction

from lanhmanh.core.audit import Action, record_change, snapshot
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
        with transaction.atomic():
            before = snapshot(LegalAct.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            record_change(
                actor=request.user,
                instance=obj,
                action=Action.UPDATE if change else Action.CREATE,
                before=before,
                after=snapshot(obj),
            )

    def has_delete_permission(self, request, obj=None):
        # Acts are referred to by violations; end their validity instead of deleting them.
        return False
