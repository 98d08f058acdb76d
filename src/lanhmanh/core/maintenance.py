"""Database upkeep after bulk loads.

Autovacuum analyses a table only after enough rows changed *and* its next run; a command that has just
loaded thousands of rows (the demo, a unit tree, the indicator rollup) runs ``ANALYZE`` itself, so the
planner knows the new row counts at once (a stale estimate turns an index scan into a sequential one on
the next page view). PostgreSQL only: SQLite's planner needs no statistics for these queries.
"""

from __future__ import annotations

from django.db import connection


def analyze(*tables: str) -> bool:
    """``ANALYZE`` the given tables (all tables when none); True if it ran."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        if tables:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")
    return True
