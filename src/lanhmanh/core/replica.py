"""Read-only analytics on a PostgreSQL read replica, when one server is not enough.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and this router. Reads made
inside ``analytics_reads()`` go to the replica; everything else — every write, every read outside it,
sign-in, sessions, the audit trail — stays on the primary. ``ReplicaMiddleware`` opens ``analytics_reads()``
for GET requests to the views named in ``REPLICA_VIEWS`` (the dashboard, the indicator pages and API):
pages that only read aggregates, where a replica a few seconds behind is harmless. Without the variable
nothing changes.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"
_analytics: contextvars.ContextVar[bool] = contextvars.ContextVar("analytics_reads", default=False)


@contextlib.contextmanager
def analytics_reads():
    token = _analytics.set(True)
    try:
        yield
    finally:
        _analytics.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _analytics.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # the replica follows the primary's schema by replication


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "GET"
            and REPLICA in settings.DATABASES
            and match is not None
            and match.view_name in settings.REPLICA_VIEWS
        ):
            with analytics_reads():
                return view_func(request, *view_args, **view_kwargs)
        return None
