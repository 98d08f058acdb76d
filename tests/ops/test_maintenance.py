"""ANALYZE after bulk loads (PostgreSQL): the planner sees the new row counts at once."""

from __future__ import annotations

import pytest
from django.db import connection

from lanhmanh.core.maintenance import analyze


@pytest.mark.django_db(transaction=True)
def test_analyze_runs_on_postgresql_outside_a_transaction_and_updates_the_statistics():
    from lanhmanh.org.models import AdministrativeUnit

    ran = analyze(AdministrativeUnit._meta.db_table)
    if connection.vendor != "postgresql":
        assert ran is False
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [AdministrativeUnit._meta.db_table]
        )
        assert cursor.fetchone()[0] == AdministrativeUnit.objects.count()


@pytest.mark.django_db
def test_analyze_is_skipped_inside_a_transaction():
    assert analyze() is False
