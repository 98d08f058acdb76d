"""The national-scale generator (benchmarks/national.py) at a tiny scale: one province, one year."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from lanhmanh.people.models import Person, SanctionDecision, Violation
from lanhmanh.premises.models import Establishment
from lanhmanh.reporting.models import Submission

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "national", Path(__file__).resolve().parents[2] / "benchmarks" / "national.py"
)
national = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(national)


def test_the_generator_writes_the_shape_asked_for_and_refuses_to_write_twice():
    counts = national.generate(0.0004, years=(2025,), province_code="01", progress=lambda _m: None)

    assert counts["provinces"] == 1 and counts["communes"] > 100  # Hà Nội after 1/7/2025
    assert counts["persons"] == 400 == Person._base_manager.count()
    assert counts["violations"] == 1200 == Violation.objects.count() == SanctionDecision.objects.count()
    assert counts["establishments"] == 40 == Establishment._base_manager.count()
    # Identities are stored encrypted and found through the blind index, as the services write them.
    person = Person._base_manager.exclude(id_number="").first()
    assert person.full_name and person.id_number_index
    assert Person._base_manager.filter(id_number_index=person.id_number_index).exists()
    assert not Violation.objects.exclude(occurred_at__year=2025).exists()
    # Every commune's monthly reports for the year but a few missing ones (the late list).
    assert (
        0.9 * 12 * counts["communes"]
        <= counts["reports"]
        == Submission.objects.count()
        < 12 * counts["communes"]
    )
    # The ids continue after the generated rows (sequences set).
    assert Person._base_manager.order_by("-pk").first().pk == Person._base_manager.count()

    with pytest.raises(SystemExit):
        national.generate(0.0004, years=(2025,), province_code="01", progress=lambda _m: None)
