"""A report's comments, reasons and the sellers' addresses reach the Excel download as text, never as formulas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.people.services import violation_record
from lanhmanh.reporting import services
from tests.spreadsheet_checks import FORMULAS, assert_plain_text

from .conftest import GOOD_VALUES, REASONS, TODAY

pytestmark = pytest.mark.django_db

TRANG_TIEN = "01.002.00079"
REASON = "=1+1 (sổ theo dõi của Công an phường)"
SUBMITTED = dt.datetime(2014, 11, 14, 9, 0, tzinfo=dt.UTC)


def test_the_assessment_and_the_reason_of_a_commune_report_stay_text(
    forms, commune_officer, district_officer, client_for
):
    submission = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer,
        submission=submission,
        values={**GOOD_VALUES, "assessment": FORMULAS[0]},
        reasons={**REASONS, "sellers_sanctioned": REASON},
    )
    own = client_for(commune_officer).get(f"/bao-cao/{submission.pk}/tai-ve/xlsx/")
    assert own.status_code == 200
    assert_plain_text(own.content, FORMULAS[0], count=1)
    # The reason reaches the district's consolidated report, in its list of discrepancies.
    services.submission_submit(actor=commune_officer, submission=submission, now=SUBMITTED)
    services.submission_approve(actor=district_officer, submission=submission)
    query = "?bieu-mau=huyen-thang&ky=201410&don-vi=01.002"
    consolidated = client_for(district_officer).get("/bao-cao/tong-hop/tai-ve/xlsx/" + query)
    assert consolidated.status_code == 200
    assert_plain_text(consolidated.content, REASON, count=1)


def test_a_sellers_address_in_the_police_annex_stays_text(forms, police, client_for):
    seller = Person(
        full_name="Nguyễn Thị Đào",
        birth_date=dt.date(1990, 3, 4),
        birth_year=1990,
        sex="female",
        permanent_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
        permanent_address=FORMULAS[0],
    )
    seller.save()
    violation_record(
        actor=police,
        person=seller,
        occurred_at=timezone.make_aware(dt.datetime(2014, 10, 5, 21)),
        place_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
        place_address="Khách sạn X, phố Tràng Tiền",
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role="seller",
        sanction={"number": "11/QĐ-XPHC", "decided_on": dt.date(2014, 10, 6), "kind": "warning"},
    )
    report = services.submission_open(
        actor=police, form=forms["cong-an-thang"], period_id="201410", today=TODAY
    )
    response = client_for(police).get(f"/bao-cao/{report.pk}/tai-ve/xlsx/")
    assert response.status_code == 200
    assert_plain_text(response.content, FORMULAS[0] + ", Phường Tràng Tiền", count=1)
