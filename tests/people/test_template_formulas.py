"""The import template lists the legal catalogue: a wording that looks like a formula stays text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lanhmanh.people.models import LegalAct
from tests.spreadsheet_checks import FORMULAS, assert_plain_text

pytestmark = pytest.mark.django_db


def test_a_legal_act_wording_that_looks_like_a_formula_stays_text(client_for, police):
    # The catalogue is edited in the admin only; what matters here is what the template makes of it.
    act = LegalAct.objects.get(code="167-2013-23-1")
    act.wording = FORMULAS[0]
    act.save()
    content = client_for(police).get(reverse("people:import_template")).content
    assert_plain_text(content, FORMULAS[0], count=1, start=True)
