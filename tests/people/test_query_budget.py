"""The registry search page reads a fixed number of queries whatever the number of persons it finds
(issue #18, item 5): the results, their units and one INSERT into the access log for the lot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SEARCH = "/nguoi-vi-pham/"
QUERY = {"full_name": "Nguyễn Thị Trùng", "birth": "04/03/1990", "purpose": "case_work", "detail": ""}

# Measured: 13 queries for 3 results and for 9 (the session, the user, its roles, agency and unit, the
# unit's successions, the search with the units joined, one INSERT into the access log for the lot, the
# roles read again by the menu, and the session saved with the purposes in a savepoint), plus 2 spare.
SEARCH_BUDGET = 15


def namesakes(count: int, trang_tien) -> None:
    """Persons the search finds: the same folded name and birth date, so the exact look-up returns them all."""
    for _ in range(count):
        PersonFactory(full_name="Nguyễn Thị Trùng", birth_date=dt.date(1990, 3, 4), permanent_unit=trang_tien)


def search(client, expected: int, django_assert_max_num_queries) -> CaptureQueriesContext:
    with django_assert_max_num_queries(SEARCH_BUDGET) as queries:  # a CaptureQueriesContext
        response = client.get(SEARCH, QUERY)
    assert response.status_code == 200
    assert response.content.decode().count("Xem hồ sơ") == expected
    return queries


def test_the_person_search_reads_the_same_queries_for_3_and_9_results(
    police, client_for, trang_tien, django_assert_max_num_queries
):
    client = client_for(police)
    namesakes(3, trang_tien)
    few = search(client, 3, django_assert_max_num_queries)
    namesakes(6, trang_tien)
    many = search(client, 9, django_assert_max_num_queries)
    assert len(many) == len(few)
