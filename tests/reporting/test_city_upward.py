"""The city's monthly, quarterly and six-month reports up to the steering committee, the city committee and
the Ministry: the annual report's sections, built from the same consolidation, due on their own calendars."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.reporting import services
from lanhmanh.reporting.aggregation import consolidate

from .test_consolidation import two_communes  # noqa: F401 - the fixture: two communes' October approved


@pytest.mark.parametrize(
    ("code", "period", "due"),
    [
        ("thanh-pho-thang", "201410", dt.date(2014, 11, 25)),
        ("thanh-pho-quy", "2014Q4", dt.date(2015, 1, 20)),
        ("thanh-pho-6-thang", "2014S2", dt.date(2015, 1, 25)),
        ("thanh-pho-nam", "2014", dt.date(2015, 1, 31)),
    ],
)
def test_each_city_report_adds_up_the_approved_reports_below_like_the_annual_one(
    two_communes,  # noqa: F811
    forms,
    coordinator,
    code,
    period,
    due,
):
    city = AdministrativeUnit.objects.get(path="01", valid_from__isnull=True)
    result = consolidate(forms[code], city, period, user=coordinator)
    rows = {row.field.code: row for block in result.blocks for row in block.rows}
    assert (rows["outreach"].below, rows["fines_collected"].below) == (20, 4_000_000)
    assert [name for _p, name, _n in result.child_rows] == ["Quận Hoàn Kiếm"]
    assert forms[code].deadline_for(result.period) == due
    assert {r.strip() for r in forms[code].recipients.splitlines()} >= {"Ban Chỉ đạo 138/CP Thành phố"}


def test_the_coordinator_opens_the_monthly_city_report_only_for_a_month(forms, coordinator):
    submission = services.submission_open(
        actor=coordinator, form=forms["thanh-pho-thang"], period_id="201410", today=dt.date(2014, 11, 3)
    )
    assert (submission.unit_path, submission.due_date) == ("01", dt.date(2014, 11, 25))
    with pytest.raises(ValidationError) as error:
        services.submission_open(
            actor=coordinator, form=forms["thanh-pho-thang"], period_id="2014Q4", today=dt.date(2015, 1, 3)
        )
    assert error.value.message_dict == {
        "period_id": ["Báo cáo “Báo cáo tháng của Thành phố” lập theo kỳ hằng tháng, không theo “2014Q4”."]
    }
