import time

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy: no inline script or style, nothing from other hosts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class VietnameseFirstMiddleware:
    """Vietnamese unless the user chose English with the language switch.

    Office PCs often run an English Windows whose browser asks for English; the language of this
    system is the user's choice (the language cookie), never the browser's Accept-Language.
    Place it before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RejectNulInQueryMiddleware:
    """A NUL byte in the query string is never typed by a person; PostgreSQL refuses it in a query.

    Forms name the field for NUL in what they post (``core.forms.TextGuardMixin``); a link's query
    string has no field to name, so it gets a plain 400 in Vietnamese instead of a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in text for key, values in request.GET.lists() for text in (key, *values)):
            return HttpResponseBadRequest(
                _("Địa chỉ trang có ký tự không hợp lệ (ký tự NUL): hãy mở lại trang từ trình đơn."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class SessionActivityMiddleware:
    """Idle expiry without rewriting the session on every request.

    Saving the whole session on every request (``SESSION_SAVE_EVERY_REQUEST``) loses writes: a request
    that loaded the session before a concurrent one saved something in it (a purpose chosen, a form's
    state) writes the old copy back when it ends. htmx makes such overlaps routine (suggestions while a
    form is sent). Here a request that changed nothing saves nothing, except once every
    ``SESSION_REFRESH_SECONDS`` to push the expiry forward — and then it first merges what is stored
    now, so even that save keeps what a concurrent request wrote. Place it right after SessionMiddleware.
    """

    KEY = "_active_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.session_key or response.status_code >= 500:
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            stored = session.load()  # the stored copy as it is now, with concurrent writes
            if stored:
                session.update(stored)
                session[self.KEY] = now
        return response
