"""Reference data of plans an administrator corrects: the audience groups of communication work.
Every change keeps its history."""

from django.contrib import admin
from django.db import transaction

from lanhmanh.core.audit import Action, record_change, snapshot
from lanhmanh.plans.models import AudienceGroup


@admin.register(AudienceGroup)
class AudienceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "priority", "source", "order", "active"]
    list_filter = ["priority", "active"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(AudienceGroup.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            record_change(
                actor=request.user,
                instance=obj,
                action=Action.UPDATE if change else Action.CREATE,
                before=before,
                after=snapshot(obj),
            )

    def has_delete_permission(self, request, obj=None):
        return False  # retire a group (active = no) so that past activities keep it
