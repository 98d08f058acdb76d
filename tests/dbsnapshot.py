"""Snapshots of the test database: build slow data once per test session, restore it before each test.

The browser tests start from the whole demo. Loading it takes seconds; restoring a snapshot of it
takes a fraction of one, so the demo is loaded once per session (by the first test that needs it),
kept as a snapshot, and every later test starts from an exact copy, whatever the earlier tests changed.

- SQLite (the in-memory test database, shared with the live server's thread): the snapshot is a
  second in-memory database filled with the ``sqlite3`` backup API; restoring copies it back, page by
  page, over the test database (the file-copy of a database, without files).
- PostgreSQL: the snapshot is a copy of every table in a schema of the test database (``snap_<name>``) and the
  sequences' values. A statement trigger on every table notes which tables were written since the last restore
  (``snap_meta.dirty``), so restoring the snapshot restored last rewrites only those (a journey writes a few of
  the 133 tables: about a tenth of a second) and restoring another one rewrites them all (about a second).
  Before, each restore dropped the test database and made it again from a template database: a checkpoint
  and a copy of every file, 1–2 s on a loaded machine, with the live server's connections ended each time.
  The writes of a restore are not noted (``session_replication_role = replica`` turns the triggers, the
  foreign keys' included, off while it runs), nor the writes of a test that rolls back (the note rolls back too).

Only for transactional tests (``transactional_db``, ``live_server``): a test inside a transaction
cannot have its database replaced under it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

# The dirty-table notes: one statement trigger per table (installed when the first snapshot is taken, so the
# tests that run before any snapshot do not pay for it) writes the table's name once per test.
_TRACKING = """
CREATE SCHEMA IF NOT EXISTS snap_meta;
CREATE UNLOGGED TABLE IF NOT EXISTS snap_meta.dirty (name text PRIMARY KEY);
CREATE OR REPLACE FUNCTION snap_meta.mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO snap_meta.dirty VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT EXISTS (
      SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'snap_mark')
  LOOP
    EXECUTE format('CREATE TRIGGER snap_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION snap_meta.mark()', t.relname);
  END LOOP;
END $$;
"""


def _public_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def _sequences(cursor) -> list[tuple[str, int | None]]:
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    return list(cursor.fetchall())


def end_other_sessions() -> None:
    """End every other session on the PostgreSQL test database and wait until they are gone, so that the database
    can be dropped after the run (a live-server thread may keep a connection: restores no longer end them)."""
    if connection.vendor != "postgresql":
        return
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")  # noqa: S608 - a constant
        for _ in range(100):  # a terminated backend takes a moment to go
            cursor.execute(f"SELECT count(*) {others}")  # noqa: S608 - a constant
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    connection.close()


class Snapshots:
    """Named snapshots of the default test database, kept until ``drop_all()`` (end of the session)."""

    def __init__(self) -> None:
        self._sqlite: dict[str, sqlite3.Connection] = {}
        self._postgres: dict[str, tuple[str, list]] = {}  # name → (schema, [(sequence, value)])
        self._current: str | None = None  # the snapshot restored or taken last (PostgreSQL)
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
        schema = f"snap_{name}"
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics of the data just built (tests/conftest.py)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_TRACKING)
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{schema}"')
            for table in _public_tables(cursor):
                cursor.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
            self._postgres[name] = (schema, _sequences(cursor))
            cursor.execute("DELETE FROM snap_meta.dirty")
        self._current = name

    def restore(self, name: str) -> None:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self._sqlite[name].backup(connection.connection)
        else:
            schema, sequences = self._postgres[name]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                if self._current == name:
                    cursor.execute("SELECT name FROM snap_meta.dirty ORDER BY name")
                    tables = [table for (table,) in cursor.fetchall()]
                else:
                    tables = _public_tables(cursor)
                for table in tables:  # names read from the catalogue, not from input
                    cursor.execute(f'DELETE FROM public."{table}"')  # noqa: S608
                    cursor.execute(f'INSERT INTO public."{table}" SELECT * FROM "{schema}"."{table}"')  # noqa: S608
                if sequences:  # every sequence back to its value in the snapshot, in one statement
                    cursor.execute(
                        "SELECT " + ", ".join("setval(%s, %s, %s)" for _ in sequences),
                        [
                            part
                            for sequence, value in sequences
                            for part in (f'public."{sequence}"', value or 1, value is not None)
                        ],
                    )
                cursor.execute("DELETE FROM snap_meta.dirty")
            self._current = name
        # Content-type ids are cached per process; the restored rows may carry others (a flush renumbers them).
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    def drop_all(self) -> None:
        for copy in self._sqlite.values():
            copy.close()
        self._sqlite.clear()
        if self._postgres:
            with connection.cursor() as cursor:
                for schema, _sequences in self._postgres.values():
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            self._postgres.clear()
        self._values.clear()
