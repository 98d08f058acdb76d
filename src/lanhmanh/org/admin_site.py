from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def restrict_admin_to_system_administrators(site: AdminSite) -> None:
    """Only active system administrators (who read no personal data), signed in with their second
    factor, may use Django's admin. Its own login form is replaced by the application's (failures
    counted, locked accounts refused, then TOTP); signed-in users who may not use the admin get 404."""

    def has_permission(request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "is_system_admin", False)
            and user.is_staff
            and (not settings.REQUIRE_2FA or user.is_verified())
        )

    def login(request, extra_context=None):
        if request.user.is_authenticated:
            if has_permission(request):
                return redirect("admin:index")
            if getattr(request.user, "is_system_admin", False) and request.user.is_staff:
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': reverse('admin:index')})}")
            raise Http404
        return redirect(
            f"{reverse('login')}?{urlencode({'next': request.GET.get('next') or reverse('admin:index')})}"
        )

    site.has_permission = has_permission
    site.login = login
    site.site_header = "Lành Mạnh — Quản trị hệ thống"
    site.site_title = "Lành Mạnh"
