"""Police quarterly and annual reports (plan III.2: monthly, quarterly and annual reports on sanctions) of the
district police, the City Police and, from 1/7/2025, the commune police: every figure prefilled from the
registry, a changed one needs a reason and is flagged, the sellers' list covers the whole period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.audit import readers
from lanhmanh.core.periods import parse
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.reporting import services
from lanhmanh.reporting.models import Submission
from lanhmanh.reporting.services import computed_values, values_of
from tests.conftest import agency, make_user

from .conftest import TODAY
from .test_sellers import sanctioned  # noqa: F401 - the fixture: sellers sanctioned in September and October 2014

POLICE_FIELDS = (
    "police_warnings",
    "police_fined",
    "persons_sanctioned",
    "police_fines_imposed",
    "police_fines_collected",
)


@pytest.mark.parametrize(
    ("code", "period", "due"),
    [("cong-an-quy", "2014Q4", dt.date(2015, 1, 15)), ("cong-an-nam", "2014", dt.date(2015, 1, 20))],
)
def test_the_district_police_quarter_and_year_are_prefilled_from_the_registry_with_the_sellers_of_the_period(
    forms,
    police,
    sanctioned,  # noqa: F811
    client_for,
    code,
    period,
    due,
):
    submission = services.submission_open(actor=police, form=forms[code], period_id=period, today=TODAY)
    assert submission.due_date == due
    records = computed_values(forms[code], "01.002", parse(period))
    prefilled = values_of(submission)
    assert {f: prefilled[f] for f in POLICE_FIELDS} == {f: records[f] for f in POLICE_FIELDS}
    assert prefilled["police_warnings"] == 1  # Trần Thị Mai, October
    html = client_for(police).get(f"/bao-cao/{submission.pk}/").content.decode()
    assert "Nguyễn Thị Đào" in html and "Trần Thị Mai" in html
    assert ("Lê Thị Hồng" in html) == (period == "2014")  # sanctioned in September: in the year only
    assert 'data-prefill-source="police_warnings"' in html
    assert readers(sanctioned["dao"])[0].detail.startswith(forms[code].short_name)


def test_a_changed_police_figure_needs_a_reason_and_is_flagged(forms, police, sanctioned, client_for):  # noqa: F811
    submission = services.submission_open(
        actor=police, form=forms["cong-an-quy"], period_id="2014Q4", today=TODAY
    )
    with pytest.raises(ValidationError) as error:
        services.submission_save(actor=police, submission=submission, values={"police_warnings": "3"})
    assert "police_warnings" in error.value.message_dict
    assert values_of(submission)["police_warnings"] == 1  # nothing saved
    services.submission_save(
        actor=police,
        submission=submission,
        values={"police_warnings": "3", "persons_sanctioned": "4"},
        reasons={
            "police_warnings": "Hai quyết định cảnh cáo ngày 30/12 chưa nhập vào hệ thống.",
            "persons_sanctioned": "Hai quyết định cảnh cáo ngày 30/12 chưa nhập vào hệ thống.",
        },
    )
    html = client_for(police).get(f"/bao-cao/{submission.pk}/").content.decode()
    assert 'data-mismatch="police_warnings"' in html and "khác số liệu hồ sơ" in html


def test_the_city_police_report_the_whole_city_to_the_standing_body_without_feeding_the_indicators_again(
    forms,
    coordinator,
    sanctioned,  # noqa: F811
):
    city_police = make_user("congantp", agency("01", "police"), "police")
    before = evaluate("reporting.police_warnings", "01", parse("2014"), user=coordinator).total.value
    submission = services.submission_open(
        actor=city_police, form=forms["cong-an-tp-nam"], period_id="2014", today=TODAY
    )
    assert (submission.unit_path, submission.due_date) == ("01", dt.date(2015, 1, 20))
    assert (
        values_of(submission)["police_warnings"]
        == computed_values(forms["cong-an-tp-nam"], "01", parse("2014"))["police_warnings"]
    )
    services.submission_submit(actor=city_police, submission=submission)
    services.submission_approve(actor=coordinator, submission=submission)
    after = evaluate("reporting.police_warnings", "01", parse("2014"), user=coordinator).total.value
    assert after == before  # the year restates the months: counted once


def test_the_commune_police_forms_start_with_the_two_level_map(forms):
    commune_police = make_user("conganxa", agency("01.002.00079", "police"), "police")
    for code, period in (("cong-an-xa-quy", "2014Q3"), ("cong-an-xa-nam", "2014")):
        assert forms[code].valid_from == dt.date(2025, 7, 1)
        with pytest.raises(ValidationError) as error:
            services.submission_open(actor=commune_police, form=forms[code], period_id=period, today=TODAY)
        label = parse(period).label
        assert error.value.message_dict == {
            "period_id": [f"Biểu “{forms[code].short_name}” không áp dụng cho kỳ {label}."]
        }
    assert not Submission.objects.exists()
