"""Structured JSON logs with a request id, and never a personal identity or a search term in them.

``RequestIdMiddleware`` gives every request an id (the one nginx sends in ``X-Request-ID`` when it is
well formed, else a new one), returns it in the response's ``X-Request-ID`` and writes one access line per
request with the *route pattern* (``nguoi-vi-pham/<int:pk>/``), never the path with its ids nor the query
string (where search terms travel). ``JsonFormatter`` writes one JSON object per line with the request id
of the request being served. Exceptions are logged by their class and stack frames only: an exception's
message can quote what a user typed (a name in a validation error), so it is left out.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
access_logger = logging.getLogger("lanhmanh.access")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and goes into the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Django attaches the request to its own records: its text carries the query string, so it is never written.
_NEVER = {"request", "request_id"}
_PATH_LOGGERS = {"django.request", "django.server", "django.security.csrf"}


def install_record_factory() -> None:
    """Stamp every log record with the request id when it is created (it is formatted later, maybe
    after the request ended). Called once by ``OpsConfig.ready``."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    factory.stamps_request_id = True
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.message(record),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _NEVER and key not in line and not key.startswith("_"):
                line[key] = value if isinstance(value, int | float | bool | type(None)) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            line["exception"] = f"{exc_type.__module__}.{exc_type.__qualname__}"
            line["stack"] = "".join(traceback.format_tb(tb))
        return json.dumps(line, ensure_ascii=False)

    @staticmethod
    def message(record: logging.LogRecord) -> str:
        # Django's request loggers put the path in the message ("Not Found: /nguoi-vi-pham/12/"): the access
        # line has the route and the request id, so the path itself is left out.
        if record.name in _PATH_LOGGERS and record.args:
            return str(record.msg).replace("%s", "…")
        return record.getMessage()


class RequestIdMiddleware:
    """First middleware: a request id for the logs and the response, and one access line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request_id_var.set(request_id)
        request.request_id = request_id
        started, cpu_started = time.perf_counter(), time.thread_time()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            access_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.route if match is not None else "-",
                    "view": match.view_name if match is not None else "-",
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    # This thread's CPU time: the request's own cost, apart from a busy machine's waits.
                    "cpu_ms": round((time.thread_time() - cpu_started) * 1000, 1),
                },
            )
            # Not reset: Django logs "Not Found"/"Internal Server Error" after the middleware returned; the
            # next request on this thread sets its own id.
