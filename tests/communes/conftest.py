"""Fixtures of the communes tests: the JR 01/2008 template (shipped by migration), assessments at each step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lanhmanh.communes import services
from lanhmanh.communes.models import AssessmentTemplate, CriterionItem
from tests.conftest import TRANG_TIEN, unit


@pytest.fixture
def template(db):
    services.templates_load()
    return AssessmentTemplate.objects.get(code="nqlt-01-2008-mai-dam")


@pytest.fixture
def items(template):
    return {i.code: i for i in CriterionItem.objects.filter(group__template=template)}


def full_answers(items, **overrides) -> dict[int, dict]:
    """Full points on every item, except ``overrides`` (code with dots as underscores → score)."""
    out = {}
    for code, item in items.items():
        score = overrides.get("i" + code.replace(".", "_"), item.points)
        out[item.pk] = {"score": str(score), "evidence": f"Minh chứng {code}", "links": ""}
    return out


@pytest.fixture
def draft(template, commune_officer):
    return services.assessment_open(actor=commune_officer, unit=unit(TRANG_TIEN), year=2014)


@pytest.fixture
def submitted(draft, commune_officer, items):
    services.assessment_save_self(actor=commune_officer, assessment=draft, answers=full_answers(items))
    return services.assessment_submit(actor=commune_officer, assessment=draft)


@pytest.fixture
def reviewed(submitted, district_officer, items):
    return services.assessment_review(
        actor=district_officer,
        assessment=submitted,
        changes={items["2.1"].pk: {"score": "5", "reason": "Kế hoạch ban hành muộn."}},
        note="Đạt.",
    )


@pytest.fixture
def approved(reviewed, coordinator):
    return services.assessment_approve(actor=coordinator, assessment=reviewed)


__all__ = ["Decimal", "full_answers"]
