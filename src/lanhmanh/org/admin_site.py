from django.contrib.admin import AdminSite


def restrict_admin_to_system_administrators(site: AdminSite) -> None:
    """Only active system administrators (who read no personal data) may use Django's admin."""

    def has_permission(request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "is_system_admin", False)
            and user.is_staff
        )

    site.has_permission = has_permission
    site.site_header = "Lành Mạnh — Quản trị hệ thống"
    site.site_title = "Lành Mạnh"
