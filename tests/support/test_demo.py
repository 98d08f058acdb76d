from __future__ import annotations

import pytest

from lanhmanh.demo.loader import discover, load_demo
from lanhmanh.demo.steps.support import load
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import User
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


def test_the_support_step_is_hooked_into_the_loader():
    assert "support.load" in [s.name for s in discover()]


def test_the_provider_logins_receive_the_referrals_of_their_agency():
    context = load_demo(password="mat-khau-demo-2014", only=[*ORG_STEPS, "support.load"])
    school = User.objects.get(username="truongnghe")
    clinic = User.objects.get(username="trungtamyte")
    assert (school.agency.code, sorted(school.role_codes)) == ("01-002-truong-nghe", ["social-worker"])
    assert (clinic.agency.code, sorted(clinic.role_codes)) == ("01-002-trung-tam-y-te", ["health-worker"])
    assert school.check_password("mat-khau-demo-2014")
    assert Referral.objects.filter(to_agency=school.agency).count() == 2
    assert Referral.objects.filter(to_agency=clinic.agency, purpose="health").count() == 1
    assert context.accounts["social-worker@01-002-truong-nghe"] == school
    assert context.accounts["health-worker@01-002-trung-tam-y-te"] == clinic
