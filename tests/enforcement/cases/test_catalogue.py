"""The offence catalogue and the stage time limits ship as data, unverified, chosen by the date of the act."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.enforcement.cases.models import Gravity, Offence, StageLimit
from lanhmanh.org.models import Role

pytestmark = pytest.mark.django_db


def test_both_penal_codes_ship_every_article_of_the_issue():
    articles_1999 = set(Offence.objects.filter(penal_code="1999").values_list("article", flat=True))
    articles_2015 = set(Offence.objects.filter(penal_code="2015").values_list("article", flat=True))
    assert articles_1999 == {254, 255, 256, 119, 120, 111, 112, 115, 116}
    assert articles_2015 == {327, 328, 329, 150, 151, 141, 142, 143, 144, 145, 146, 147}


def test_every_row_is_shipped_unverified_for_an_administrator_to_check():
    assert Offence.objects.filter(verified=True).count() == 0
    assert StageLimit.objects.filter(verified=True).count() == 0


def test_the_code_in_force_is_chosen_by_the_date_of_the_act():
    in_2014 = set(Offence.objects.in_force_on(dt.date(2014, 6, 1)).values_list("penal_code", flat=True))
    in_2019 = set(Offence.objects.in_force_on(dt.date(2019, 6, 1)).values_list("penal_code", flat=True))
    assert in_2014 == {"1999"}
    assert in_2019 == {"2015"}


def test_gravity_and_minimum_age_follow_the_clause():
    brokering = Offence.objects.get(code="blhs1999-255-1")
    assert (brokering.gravity, brokering.min_age) == (Gravity.SERIOUS, 16)
    trafficking = Offence.objects.get(code="blhs2015-150-3")
    assert (trafficking.gravity, trafficking.min_age) == (Gravity.ESPECIALLY_SERIOUS, 14)
    harbouring = Offence.objects.get(code="blhs2015-327-3")  # very serious but not listed in Art. 12(2)
    assert (harbouring.gravity, harbouring.min_age) == (Gravity.VERY_SERIOUS, 16)


def test_the_prosecutor_role_reads_identities_and_enforcement_data():
    role = Role.objects.get(code="prosecutor")
    assert role.name == "Kiểm sát viên"
    assert set(role.data_classes) == {"aggregate", "identity", "enforcement"}
    assert Role.objects.get(code="court-clerk").name == "Thư ký Tòa án"
