from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in user may reach before the second factor: the 2FA pages themselves, sign-out,
# language switching and static files.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/dang-xuat/", "/xac-thuc-hai-buoc/", "/api/")


class TwoFactorRequiredMiddleware:
    """Every role that can read identities must complete TOTP sign-in before any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and getattr(user, "needs_two_factor", False)
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
