"""Error pages that need no database: the server error page and the "try again" page for a database that
is restarting or unreachable (503 with Retry-After; the request's transaction was rolled back, so nothing
of it was saved)."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("lanhmanh.ops")
RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request, *args, **kwargs):
    """``handler500``: a database that is down gets the Vietnamese "try again" page (503), anything else
    the Vietnamese error page ``500.html`` (500). Rendered without the request context: no query may run here."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.warning("Database unavailable: answered 503", extra={"exception": type(exc).__name__})
        response = HttpResponse(
            render_to_string("ops/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html", {}), status=500)
