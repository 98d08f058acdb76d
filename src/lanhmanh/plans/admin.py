"""Reference data of plans an administrator corrects: the audience groups of communication work.
Every change keeps its history."""

from django.contrib import admin
from django.db import transaction

from lanhmanh.core.audit import audited_change
from lanhmanh.plans.models import AudienceGroup


@admin.register(AudienceGroup)
class AudienceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "priority", "source", "order", "active"]
    list_filter = ["priority", "active"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        # The form has changed ``obj`` already: the values before are read from its row.
        with transaction.atomic(), audited_change(actor=request.user, instance=obj, from_db=True):
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # retire a group (active = no) so that past activities keep it
