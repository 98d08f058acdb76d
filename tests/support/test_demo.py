from __future__ import annotations

import pytest

from lanhmanh.demo.loader import load_demo
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.support.demo import load
from lanhmanh.support.models import Referral, SupportCase

pytestmark = pytest.mark.django_db

ORG_STEPS = ["org.roles", "org.units_and_agencies", "org.accounts"]


def test_the_support_demo_makes_t07_and_an_overdue_referral_and_is_idempotent():
    context = load_demo(password="mat-khau-demo-2014", only=ORG_STEPS)
    summary = load(context)
    assert (
        summary == "Hỗ trợ: 4 hồ sơ, 2 nhiệm vụ tiếp cận, 3 chuyển gửi (1 quá hạn), 3 người đạt chỉ tiêu T07."
    )
    assert evaluate("support.women_trained_employed", "01", "2014").total.value == 3
    assert SupportCase.objects.count() == 4
    assert Referral.objects.filter(status="pending", due_on__year=2014).count() == 1
    assert load(context) is None
    assert SupportCase.objects.count() == 4
