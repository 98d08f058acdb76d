"""Error pages that need no database: the server error page, the "try again" page for a database that
is restarting or unreachable (503 with Retry-After; the request's transaction was rolled back, so nothing
of it was saved) and the "disk full" page for a write the server's disk refused (507)."""

from __future__ import annotations

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("lanhmanh.ops")
RETRY_AFTER_SECONDS = 30
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def disk_full(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def server_error(request, *args, **kwargs):
    """``handler500``: a database that is down gets the Vietnamese "try again" page (503), a disk that is full
    (``ENOSPC``/``EDQUOT`` anywhere but the upload service, which answers in the form: e.g. a large upload
    spooled to a temporary file) the "disk full" page (507), anything else the Vietnamese error page
    ``500.html`` (500). Rendered without the request context: no query may run here."""
    exc = sys.exc_info()[1]
    if disk_full(exc):
        logger.error("Disk full: answered 507", extra={"exception": type(exc).__name__})
        return HttpResponse(render_to_string("ops/disk_full.html", {}), status=507)
    if database_unavailable(exc):
        logger.warning("Database unavailable: answered 503", extra={"exception": type(exc).__name__})
        response = HttpResponse(
            render_to_string("ops/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html", {}), status=500)
