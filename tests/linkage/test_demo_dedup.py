"""A deduplication run on the demo registry merges only true duplicates (the shipped default model)."""

from __future__ import annotations

import pytest

from lanhmanh.core.models import JobStatus
from lanhmanh.demo.people import POPULATION_DUPLICATES
from lanhmanh.linkage import services
from lanhmanh.linkage.models import Merge
from lanhmanh.people.models import Person

pytestmark = pytest.mark.django_db


def test_demo_dedup_auto_merges_only_true_duplicates(demo_population, coordinator):
    # The population's duplicates are its last persons: a copy of an earlier one under another
    # spelling, same sex, birth year, units and address (people.bulk.spelling_variant).
    copies = set(Person.objects.order_by("-pk").values_list("pk", flat=True)[:POPULATION_DUPLICATES])
    run = services.run_execute(services.run_create(actor=coordinator))
    assert run.job.status == JobStatus.DONE, run.job.errors
    merges = list(Merge.objects.select_related("survivor", "merged"))
    assert merges, "no duplicate was merged"
    for merge in merges:
        original, copy = merge.survivor, merge.merged
        assert copy.pk in copies and original.pk not in copies, (original.pk, copy.pk)
        same = (original.sex, original.birth_year, original.permanent_unit_id, original.permanent_address)
        assert same == (copy.sex, copy.birth_year, copy.permanent_unit_id, copy.permanent_address)
    assert run.auto_merged == len(merges)
