"""The register's demo step: baseline proportions, T04 and T08 near their targets, idempotent."""

from __future__ import annotations

import pytest

from lanhmanh.core.periods import parse
from lanhmanh.demo.loader import ACCOUNT_STEPS, load_demo
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.premises.models import Establishment

pytestmark = pytest.mark.django_db


def test_the_demo_register_follows_the_baseline_and_gives_t04_and_t08_plausible_values():
    load_demo(password="demo-mat-khau-2014", only=ACCOUNT_STEPS)
    load_demo(password="demo-mat-khau-2014", only=("premises.register",))
    total = Establishment.objects.count()
    lodging = Establishment.objects.filter(kind__code="nha-tro").count()
    assert 3900 < total < 4100
    assert round(100 * lodging / total) == 81  # 20,236 of 24,974 in the 2011 baseline
    assert Establishment.objects.values("unit__parent").distinct().count() == 30
    year = parse("2014")
    police_checks = evaluate("premises.police_checks", "01", year).total.value
    assert 1200 <= police_checks < 1500  # T04: 1,500 checks, a little behind
    assert 40 <= evaluate("premises.team178_inspections", "01", year).total.value <= 60  # T08
    context = load_demo(password="demo-mat-khau-2014", only=("premises.register",))
    assert Establishment.objects.count() == total
    assert context.notes == []
