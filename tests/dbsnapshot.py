"""Snapshots of the test database: build slow data once per test session, restore it before each test.

The browser tests start from the whole demo. Loading it takes seconds; restoring a snapshot of it
takes a fraction of one, so the demo is loaded once per session (by the first test that needs it),
kept as a snapshot, and every later test starts from an exact copy, whatever the earlier tests changed.

- SQLite (the in-memory test database, shared with the live server's thread): the snapshot is a
  second in-memory database filled with the ``sqlite3`` backup API; restoring copies it back, page by
  page, over the test database (the file-copy of a database, without files).
- PostgreSQL: the snapshot is a database made with ``CREATE DATABASE <snapshot> TEMPLATE <test
  database>``; restoring drops the test database (``WITH (FORCE)``: the live server's threads close
  their connections after each request anyway) and creates it again from the snapshot.

Only for transactional tests (``transactional_db``, ``live_server``): a test inside a transaction
cannot have its database replaced under it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from django.db import connection, connections


def _FILE_COPY(cursor) -> str:  # noqa: N802 - reads as the SQL it adds
    """``STRATEGY FILE_COPY`` on PostgreSQL 15 and later (older servers copy files anyway)."""
    return "STRATEGY FILE_COPY" if cursor.connection.info.server_version >= 150000 else ""


class Snapshots:
    """Named snapshots of the default test database, kept until ``drop_all()`` (end of the session)."""

    def __init__(self) -> None:
        self._sqlite: dict[str, sqlite3.Connection] = {}
        self._postgres: dict[str, str] = {}
        self._values: dict[str, Any] = {}

    def load(self, name: str, build: Callable[[], Any]) -> Any:
        """Restore the snapshot ``name`` and return what ``build`` returned when it was taken.

        The first time: run ``build()`` on the database as it is, take the snapshot, return its value.
        """
        if name in self._values:
            self.restore(name)
        else:
            self._values[name] = build()
            self.take(name)
        return self._values[name]

    def has(self, name: str) -> bool:
        return name in self._values

    def take(self, name: str) -> None:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            self._sqlite[name] = copy
            return
        test_db = connection.settings_dict["NAME"]
        snapshot_db = f"{test_db}_snap_{name}"
        connections.close_all()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{snapshot_db}"')
            # The template must have no other session: end any the live server's threads left behind.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [test_db],
            )
            cursor.execute(f'CREATE DATABASE "{snapshot_db}" TEMPLATE "{test_db}"')
        self._postgres[name] = snapshot_db

    def restore(self, name: str) -> None:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self._sqlite[name].backup(connection.connection)
        else:
            test_db = connection.settings_dict["NAME"]
            connections.close_all()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{test_db}" WITH (FORCE)')
                # FILE_COPY copies the template's files instead of writing every page to the WAL (PostgreSQL
                # 15's default): about half the time for the demo's database.
                cursor.execute(
                    f'CREATE DATABASE "{test_db}" TEMPLATE "{self._postgres[name]}" {_FILE_COPY(cursor)}'
                )
        # Content-type ids are cached per process; the restored rows may carry others (a flush renumbers them).
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    def drop_all(self) -> None:
        for copy in self._sqlite.values():
            copy.close()
        self._sqlite.clear()
        if self._postgres:
            connections.close_all()
            with connection._nodb_cursor() as cursor:
                for snapshot_db in self._postgres.values():
                    cursor.execute(f'DROP DATABASE IF EXISTS "{snapshot_db}"')
            self._postgres.clear()
        self._values.clear()
