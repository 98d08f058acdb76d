"""Over-long text and NUL bytes in a support case's notes: a Vietnamese message under the field, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lanhmanh.support.models import Goal, SupportCase
from tests.bad_text import BAD_TEXTS, ESCAPED_SCRIPT, SCRIPT, refusal

pytestmark = pytest.mark.django_db

NOTE = "Muốn học nghề may, cần việc làm ổn định"


def post(client, case, action, data):
    """POST to one case action's own URL (``support:case_<action>``)."""
    return client.post(reverse(f"support:case_{action}", args=[case.pk]), data)


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_the_assessment_and_a_goal_are_refused(client_for, social_worker, case, kind):
    client = client_for(social_worker)
    assessment = post(client, case, "assessment", {"assessment-assessment": BAD_TEXTS[kind]})
    assert assessment.status_code == 200
    assert refusal(kind, "Đánh giá nhu cầu") in assessment.content.decode()
    goal = post(client, case, "goal_add", {"goal-description": BAD_TEXTS[kind]})
    assert refusal(kind, "Mục tiêu", limit="500") in goal.content.decode()
    assert SupportCase.objects.get(pk=case.pk).assessment == NOTE
    assert not Goal.objects.exists()


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_closing_note_is_refused(client_for, social_worker, case, kind):
    response = post(
        client_for(social_worker),
        case,
        "close",
        {
            "close-closed_on": "2014-07-01",
            "close-outcome": "declined",
            "close-note": BAD_TEXTS[kind],
        },
    )
    assert response.status_code == 200
    assert refusal(kind, "Ghi chú") in response.content.decode()
    assert SupportCase.objects.get(pk=case.pk).closed_on is None


def test_a_script_typed_as_the_assessment_shows_as_text(client_for, social_worker, case):
    client = client_for(social_worker)
    assert post(client, case, "assessment", {"assessment-assessment": SCRIPT}).status_code == 302
    page = client.get(reverse("support:case_detail", args=[case.pk])).content.decode()
    assert f"{ESCAPED_SCRIPT}</textarea>" in page  # the lead worker sees it in the box to edit
    assert SCRIPT not in page
