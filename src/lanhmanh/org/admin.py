from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["path", "name", "kind", "level", "valid_from", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name", "path"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["successors"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "parent"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "data_classes"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_active", "locked_until"]
    list_filter = ["is_active", "roles"]
    raw_id_fields = ["agency"]
    filter_horizontal = ["roles", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Lành Mạnh", {"fields": ("agency", "roles", "title", "phone", "failed_logins", "locked_until")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "agency", "roles", "password1", "password2")}),
    )
