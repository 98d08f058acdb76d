import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

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


SESSION_STARTED = "auth_started_at"


class SessionLifetimeMiddleware:
    """ASVS V3.3.1/V3.3.2 and V8.2.1: a session ends ``SESSION_ABSOLUTE_HOURS`` after sign-in whatever the
    activity (the idle expiry is the cookie age), and no signed-in page is kept by the browser or a proxy
    (``Cache-Control: no-store``: pages show personal data, the back button after sign-out must not)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse('login')}?next={request.get_full_path()}")
        response = self.get_response(request)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = int(time.time())
