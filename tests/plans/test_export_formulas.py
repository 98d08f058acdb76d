"""Target titles typed by the coordinator reach the dashboard's Excel export as text, never as formulas."""

from __future__ import annotations

import pytest

from lanhmanh.plans.models import Target
from lanhmanh.plans.plan_2014 import load_plan_2014
from tests.plans.test_copy_and_targets import target_post
from tests.spreadsheet_checks import FORMULAS, assert_plain_text

pytestmark = pytest.mark.django_db


def test_target_titles_that_look_like_formulas_stay_text_in_the_export(coordinator, client_for):
    plan = load_plan_2014()
    client = client_for(coordinator)
    for code, title in zip(("T01", "T02", "T03"), FORMULAS, strict=True):
        target = Target.objects.get(plan=plan, code=code)
        response = client.post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", target_post(target, title=title))
        assert response.status_code == 302, response.content.decode()
    content = client.get(f"/ke-hoach/{plan.pk}/xuat-excel/").content
    for title in FORMULAS:
        assert_plain_text(content, title, count=1)
