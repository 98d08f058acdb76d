"""The registry's demo step: ~200 synthetic persons across Hanoi districts in 2014, with repeats; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from lanhmanh.core.periods import parse
from lanhmanh.demo.loader import discover, load_demo
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.people import selectors
from lanhmanh.people.models import Person, SanctionDecision, Violation
from tests.demo_fixtures import POPULATION_STEPS, REGISTRY_STEPS

pytestmark = pytest.mark.django_db


def test_the_people_step_runs_after_the_accounts():
    names = [s.name for s in discover()]
    assert names.index("org.accounts") < names.index("people.registry")


def test_the_demo_registry_is_realistic_and_idempotent(demo_registry):
    """The registry's steps loaded on an empty database (once per session: ``demo_registry``)."""
    context = demo_registry
    assert "Cơ sở dữ liệu người vi phạm: 200 người, 215 vi phạm (15 người tái phạm)." in context.notes
    assert Person.objects.count() == 200
    assert Violation.objects.count() == SanctionDecision.objects.count() == 215
    days = [v.occurred_on for v in Violation.objects.all()]
    assert min(days) >= dt.date(2014, 1, 1) and max(days) <= dt.date(2014, 12, 31)
    districts = set(Violation.objects.values_list("place_unit__parent__path", flat=True))
    assert districts == {"01.001", "01.002", "01.004", "01.006", "01.007", "01.008"}
    assert Violation.objects.filter(role="buyer").count() == 20
    assert Person.objects.filter(birth_date__isnull=True).exists()
    assert Person.objects.filter(permanent_unit__isnull=True).count() > 30  # residents of other provinces
    assert SanctionDecision.objects.filter(kind="warning").exists()
    assert SanctionDecision.objects.filter(payment_status="paid").exists()
    assert Person.objects.annotate(n=Count("violations")).filter(n=2).count() == 15

    # The demo police login of Hoàn Kiếm sees the persons of its district, with their repeat flags.
    police = context.accounts["police"]
    visible = selectors.persons_visible(police, today=dt.date(2014, 12, 31))
    assert 0 < visible.count() < 200
    flagged = sum(
        row.is_repeat
        for person in visible
        for row in selectors.counted_violations(police, person, today=dt.date(2014, 12, 31))
    )
    assert flagged >= 1

    # Idempotent.
    again = load_demo(password="mat-khau-demo-2014", only=REGISTRY_STEPS)
    assert not any("người vi phạm" in note for note in again.notes)
    assert (Person.objects.count(), Violation.objects.count()) == (200, 215)


def test_the_demo_population_spreads_over_districts_and_months_with_duplicates(demo_population):
    """The population's step loaded on the registry (once per session: ``demo_population``, which prints the
    step's time)."""
    from lanhmanh.core.text import fold_name

    context = demo_population
    note = next(n for n in context.notes if n.startswith("Dân số demo"))
    assert note.startswith("Dân số demo: 3000 người (150 bản ghi trùng khác chính tả)")
    assert Person.objects.count() == 3200
    assert Violation.objects.count() == SanctionDecision.objects.count() > 3400
    districts = set(Violation.objects.values_list("place_unit__parent__path", flat=True))
    assert len(districts) >= 25
    months = {d.month for d in Violation.objects.values_list("occurred_at", flat=True)}
    assert months == set(range(1, 13))
    assert Violation.objects.filter(repeat_of__isnull=False).count() > 100
    # Identity is encrypted and indexed like any other record: exact look-ups work.
    sample = Person.objects.exclude(id_number="").order_by("pk").last()
    assert Person.objects.by_id_number(sample.id_number).filter(pk=sample.pk).exists()
    # Duplicates: a folded name matching another record's only after folding spelling differences.
    folded = [fold_name(p.full_name) for p in Person.objects.all()]
    assert len(set(folded)) < len(folded)
    # T03 (500 sanctions of sellers in 2014, people.sellers_sanctioned): near its target, a little behind.
    t03 = evaluate("people.sellers_sanctioned", "01", parse("2014")).total.value
    print(f"T03: {t03}")
    assert 400 <= t03 < 500, t03
    again = load_demo(password="mat-khau-demo-2014", only=POPULATION_STEPS)
    assert not any(n.startswith("Dân số demo") for n in again.notes)
    assert Person.objects.count() == 3200
