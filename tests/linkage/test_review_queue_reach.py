"""The kept queue reads its persons' reach again after ``QUEUE_KEPT_SECONDS`` (issue #19 item 4).

Edits made elsewhere (an address, a violation) move persons in or out of a reviewer's reach without any
change to the queue. The reach is read again once in a while — one query — and only the clusters holding
a person who moved are derived again; the rest of the kept queue stays as it is, and it is still the
queue ``review_clusters`` builds."""

from __future__ import annotations

import pytest

from lanhmanh.linkage import selectors
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.models import Person
from tests.conftest import DONG_ANH
from tests.linkage.test_query_budget import candidate
from tests.linkage.test_review_queue_follows_changes import same_as_built

pytestmark = pytest.mark.django_db


def test_a_person_moved_out_of_reach_and_back_shows_after_the_reach_is_read_again(
    district_officer, rebuilds, monkeypatch, django_assert_num_queries
):
    first, second, third = candidate(0.95), candidate(0.9), candidate(0.85)
    kept = selectors.review_queue(district_officer)
    assert [c.anchor for c in kept] == [first.pk, second.pk, third.pk]
    home = Person.objects.get(pk=second.person_b_id).permanent_unit
    elsewhere = AdministrativeUnit.objects.filter(path__startswith=DONG_ANH + ".").first()
    Person.objects.filter(pk=second.person_b_id).update(permanent_unit=elsewhere)  # no queue change
    assert selectors.review_queue(district_officer) == kept  # as read, until the reach is read again
    monkeypatch.setattr(selectors, "QUEUE_KEPT_SECONDS", 0)
    with django_assert_num_queries(3):  # the queue's number, the user's reach, the persons' places
        again = selectors.review_queue(district_officer)
    assert [c.anchor for c in again] == [first.pk, third.pk]
    assert again[0] is kept[0] and again[1] is kept[2]  # not derived again: their persons did not move
    Person.objects.filter(pk=second.person_b_id).update(permanent_unit=home)
    back = selectors.review_queue(district_officer)
    assert [c.anchor for c in back] == [first.pk, second.pk, third.pk]
    assert back[1] is not kept[1] and back[0] is kept[0]
    assert same_as_built(district_officer) == back
    assert len(rebuilds) == 2  # the first read of the kept queue, and review_clusters
