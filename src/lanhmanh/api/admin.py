"""API tokens in the admin: system administrators see them (prefix only) and revoke them.

Tokens are created with the ``create_api_token`` command, which prints the raw token once.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lanhmanh.api.models import ApiToken
from lanhmanh.api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "display",
        "name",
        "user",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    fields = ["name", "user", "display", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description=_("khoá"))
    def display(self, token: ApiToken) -> str:
        return token.display

    def has_add_permission(self, request) -> bool:
        return False  # the raw token must be shown once: the create_api_token command does that

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row and its history stay

    @admin.action(description=_("Thu hồi các khoá API đã chọn"), permissions=["view"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=request.user, reason=str(_("Thu hồi trên trang quản trị")))
            count += 1
        self.message_user(
            request,
            ngettext("Đã thu hồi %(count)d khoá API.", "Đã thu hồi %(count)d khoá API.", count)
            % {"count": count},
            messages.SUCCESS,
        )
