from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.audit import Action
from lanhmanh.org.accounts import (
    PERSONAL_CLASSES,
    REASON_REQUIRED,
    SELF_GRANT,
    account_change_record,
    account_snapshot,
    class_labels,
)
from lanhmanh.org.enrolment import ENROLMENT_CODE_HOURS, enrolment_code_issue
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Lý do thay đổi"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=REASON_REQUIRED,
    )


class AgencyForm(forms.ModelForm):
    change_reason = _reason_field()


class RoleForm(forms.ModelForm):
    change_reason = _reason_field()

    def clean(self):
        data = super().clean()
        actor = getattr(self, "actor", None)
        if actor is not None and self.instance.pk and self.instance.users.filter(pk=actor.pk).exists():
            gained = (
                (set(data.get("data_classes") or ()) - set(self.instance.data_classes or ()))
                | (set(data.get("write_classes") or ()) - set(self.instance.write_classes or ()))
            ) & PERSONAL_CLASSES
            if gained:
                raise forms.ValidationError(SELF_GRANT, params={"classes": class_labels(gained)})
        return data


class _UserRolesGuard:
    def clean(self):
        data = super().clean()
        actor = getattr(self, "actor", None)
        if actor is not None and self.instance.pk == actor.pk and "roles" in data:
            before = {
                (kind, c)
                for seen, written in actor.roles.values_list("data_classes", "write_classes")
                for kind, row in (("see", seen), ("write", written))
                for c in row or ()
            }
            after = {
                (kind, c)
                for role in data["roles"]
                for kind, row in (("see", role.data_classes), ("write", role.write_classes))
                for c in row or ()
            }
            gained = {c for _kind, c in after - before} & PERSONAL_CLASSES
            if gained:
                self.add_error(
                    "roles", forms.ValidationError(SELF_GRANT, params={"classes": class_labels(gained)})
                )
        return data


class UserEditForm(_UserRolesGuard, UserChangeForm):
    change_reason = _reason_field()


class UserAddForm(_UserRolesGuard, UserCreationForm):
    change_reason = _reason_field()


class AuditedAdmin:
    """Every save and delete becomes a change record with before/after and the typed reason (for the DPO).

    Written by hand, not with ``core.audit.audited_change``: the change spans two admin hooks (the values
    before in ``save_model``, after the roles are saved in ``save_related``) and goes through
    ``account_change_record`` (roles and data classes, the grant row, the mail to the DPO)."""

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), (_("Lý do thay đổi"), {"fields": ("change_reason",)})]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        obj._audit_before = account_snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        account_change_record(
            actor=request.user,
            instance=obj,
            action=Action.UPDATE if change else Action.CREATE,
            before=getattr(obj, "_audit_before", None),
            after=account_snapshot(obj),
            reason=form.cleaned_data.get("change_reason", ""),
        )

    def delete_model(self, request, obj):
        self._record_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _record_delete(self, request, obj):
        account_change_record(
            actor=request.user,
            instance=obj,
            action=Action.DELETE,
            before=account_snapshot(obj),
            after=None,
            reason="",
        )


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["path", "name", "kind", "level", "valid_from", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name", "path"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["successors"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin, admin.ModelAdmin):
    form = AgencyForm
    list_display = ["code", "name", "kind", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "parent"]


@admin.register(Role)
class RoleAdmin(AuditedAdmin, admin.ModelAdmin):
    form = RoleForm
    list_display = ["code", "name", "name_en", "data_classes", "write_classes"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
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
    actions = ["issue_enrolment_codes"]

    @admin.action(description=_("Cấp mã đăng ký xác thực hai bước (dùng một lần)"))
    def issue_enrolment_codes(self, request, queryset):
        """Shown once here, handed to each officer in person; the account then enrols its authenticator."""
        for user in queryset.order_by("username"):
            code = enrolment_code_issue(actor=request.user, user=user)
            messages.warning(
                request,
                _("Mã đăng ký của %(user)s: %(code)s (dùng một lần, hết hạn sau %(hours)s giờ).")
                % {"user": user.username, "code": code, "hours": ENROLMENT_CODE_HOURS},
            )
