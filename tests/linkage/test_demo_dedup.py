"""A deduplication run on the demo registry (the shipped default model): at the most cautious precision
it merges only true duplicates; at the default, what it merges wrongly is listed for a second look."""

from __future__ import annotations

import pytest

from lanhmanh.core.models import JobStatus
from lanhmanh.demo.people import POPULATION_DUPLICATES
from lanhmanh.linkage import engine, selectors, services
from lanhmanh.linkage.models import Merge
from lanhmanh.people.models import Person

pytestmark = pytest.mark.django_db


def copies() -> set[int]:
    # The population's duplicates are its last persons: a copy of an earlier one under another
    # spelling, same sex, birth year, units and address (people.bulk.spelling_variant).
    return set(Person.objects.order_by("-pk").values_list("pk", flat=True)[:POPULATION_DUPLICATES])


def is_copy(merge: Merge, found: set[int]) -> bool:
    original, copy = merge.survivor, merge.merged
    same = (original.sex, original.birth_year, original.permanent_unit_id, original.permanent_address)
    return (
        copy.pk in found
        and original.pk not in found
        and same == (copy.sex, copy.birth_year, copy.permanent_unit_id, copy.permanent_address)
    )


def test_demo_dedup_at_the_most_cautious_precision_merges_only_true_duplicates(demo_population, coordinator):
    found = copies()
    run = services.run_execute(
        services.run_create(actor=coordinator, precision=max(services.AUTO_PRECISIONS))
    )
    assert run.job.status == JobStatus.DONE, run.job.errors
    merges = list(Merge.objects.select_related("survivor", "merged"))
    assert merges, "no duplicate was merged"
    assert [m for m in merges if not is_copy(m, found)] == []
    assert run.auto_merged == len(merges)


def test_demo_dedup_at_the_default_lists_its_doubtful_merges_for_a_second_look(
    demo_population, coordinator, client_for
):
    found = copies()
    run = services.run_execute(services.run_create(actor=coordinator))
    assert run.job.status == JobStatus.DONE, run.job.errors
    assert services.AUTO_MIN_PROBABILITY <= run.threshold < engine.UPPER_THRESHOLD
    merges = list(Merge.objects.select_related("survivor", "merged"))
    assert run.auto_merged == len(merges) and all(m.probability >= run.threshold for m in merges)
    to_check, total = selectors.run_merges_to_check(coordinator, run)
    assert total == len(to_check) > 0 and [m.probability for m in to_check] == sorted(
        m.probability for m in to_check
    )
    # Namesakes born the same year (the demo's names come from a small pool) are merged at the
    # default: each of them is on the list, none merged with the certainty of a copy.
    wrong = {m.pk for m in merges if not is_copy(m, found)}
    assert wrong <= {m.pk for m in to_check}
    page = client_for(coordinator).get(f"/ho-so-trung/ra-soat/{run.pk}/").content.decode()
    assert "Hợp nhất tự động nên kiểm tra lại" in page
    assert f"{total} lần hợp nhất tự động của lần rà soát này có xác suất trùng dưới 0,995" in page
    weakest = to_check[0]
    assert f'href="/ho-so-trung/nguoi/{weakest.survivor_id}/"' in page and f"#{weakest.merged_id}" in page
    assert f"Khoảng {run.expected_wrong} cặp tự động hợp nhất có thể sai" in page
