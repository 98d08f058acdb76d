"""Every agency of the plan reports: one quarterly form for each department, union and body of groups 3–15,
filed by its reporting officer and approved by the city coordinator; what the records hold is prefilled."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.periods import parse
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import Agency
from lanhmanh.plans.plan_2014 import GROUP_AGENCIES
from lanhmanh.reporting import services
from lanhmanh.reporting.catalogue import SECTOR_FORMS
from lanhmanh.reporting.completeness import completeness
from lanhmanh.reporting.models import Status, Submission
from lanhmanh.reporting.services import values_of
from tests.conftest import agency, make_user

from .conftest import TODAY

CULTURE = {
    "culture_campaigns": "14",
    "culture_campaign_participants": "3.200",
    "culture_residential_areas": "120",
    "culture_communes_assessed": "35",
    "culture_checks": "86",
    "culture_violations": "9",
    "culture_licences_refused": "2",
    "culture_licence_revocations": "0",
    "culture_assessment": "Đã phối hợp Công an kiểm tra các cơ sở karaoke, vũ trường.",
}


@pytest.fixture
def culture_officer(db):
    return make_user("vanhoa", agency("01", "culture"), "sector-reporter")


def test_every_agency_of_groups_3_to_15_has_its_sector_form(forms):
    kinds = {
        Agency.objects.get(code=f"01-{code}").kind
        for group, codes in GROUP_AGENCIES.items()
        if 3 <= group <= 15
        for code in codes
    }
    sector = {f.submitter_agency_kind for f in forms.values() if f.code in {s.code for s in SECTOR_FORMS}}
    assert kinds == sector
    for kind in kinds:  # one quarterly and one annual form each, due 10 days / 15 days after the period
        own = sorted(
            (f.periodicity, f.deadline_value) for f in forms.values() if f.submitter_agency_kind == kind
        )
        assert own == [("quarter", 10), ("year", 15)], kind


def test_the_culture_department_files_its_quarter_and_the_coordinator_approves_it(
    forms, culture_officer, coordinator
):
    form = forms["van-hoa-quy"]
    submission = services.submission_open(actor=culture_officer, form=form, period_id="2014Q3", today=TODAY)
    assert submission.due_date.isoformat() == "2014-10-10"
    assert values_of(submission)["culture_licence_revocations"] == 0  # from the premises register
    services.submission_save(actor=culture_officer, submission=submission, values=CULTURE)
    services.submission_submit(actor=culture_officer, submission=submission)
    services.submission_approve(actor=coordinator, submission=submission)
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    value = evaluate("reporting.culture_checks", "01", parse("2014Q3"), user=coordinator).total.value
    assert value == 86


def test_a_sector_report_for_a_period_not_due_or_not_quarterly_is_refused(forms, culture_officer):
    form = forms["van-hoa-quy"]
    for period, message in (
        ("2015Q1", "Kỳ Quý 1/2015 chưa bắt đầu; chưa thể lập báo cáo."),
        (
            "201410",
            "Báo cáo “Báo cáo quý của Sở Văn hóa, Thể thao và Du lịch” lập theo kỳ hằng quý, không theo “201410”.",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            services.submission_open(actor=culture_officer, form=form, period_id=period, today=TODAY)
        assert error.value.message_dict == {"period_id": [message]}
    assert not Submission.objects.exists()


def test_inspections_above_checks_are_refused_naming_both_fields(forms, culture_officer):
    submission = services.submission_open(
        actor=culture_officer, form=forms["van-hoa-quy"], period_id="2014Q3", today=TODAY
    )
    with pytest.raises(ValidationError) as error:
        services.submission_save(
            actor=culture_officer, submission=submission, values={**CULTURE, "culture_violations": "90"}
        )
    assert "Số cơ sở phát hiện vi phạm" in str(error.value) and "Số lượt kiểm tra cơ sở" in str(error.value)
    assert values_of(submission)["culture_violations"] is None


def test_another_department_cannot_file_the_culture_report(forms):
    health = make_user("ytebaocao", agency("01", "health"), "sector-reporter")
    with pytest.raises(ValidationError) as error:
        services.submission_open(actor=health, form=forms["van-hoa-quy"], period_id="2014Q3", today=TODAY)
    assert error.value.message_dict == {
        "form": ["Sở Y tế không thuộc diện lập báo cáo “Báo cáo quý của Sở Văn hóa, Thể thao và Du lịch”."]
    }


def test_the_reporting_officer_reads_no_personal_data(culture_officer, client_for):
    assert culture_officer.data_classes == frozenset({"aggregate"})
    assert client_for(culture_officer).get("/ho-so/").status_code in (403, 404)


def _file_quarter(officer, coordinator, form, period: str, **typed) -> Submission:
    submission = services.submission_open(actor=officer, form=form, period_id=period, today=TODAY)
    services.submission_save(actor=officer, submission=submission, values={**CULTURE, **typed})
    services.submission_submit(actor=officer, submission=submission)
    services.submission_approve(actor=coordinator, submission=submission)
    return submission


def test_the_annual_sector_report_is_prefilled_with_the_approved_quarters_and_flags_a_change(
    forms, culture_officer, coordinator
):
    _file_quarter(culture_officer, coordinator, forms["van-hoa-quy"], "2014Q2", culture_checks="40")
    _file_quarter(culture_officer, coordinator, forms["van-hoa-quy"], "2014Q3", culture_checks="86")
    annual = services.submission_open(
        actor=culture_officer, form=forms["van-hoa-nam"], period_id="2014", today=TODAY
    )
    assert annual.due_date.isoformat() == "2015-01-15"
    prefilled = values_of(annual)
    assert (prefilled["culture_checks"], prefilled["culture_campaigns"]) == (126, 28)
    assert prefilled["culture_licence_revocations"] == 0  # still from the premises register, for the year
    assert prefilled["culture_assessment"] == ""  # what only the department knows is typed
    with pytest.raises(ValidationError) as error:  # a changed figure needs its reason
        services.submission_save(actor=culture_officer, submission=annual, values={"culture_checks": "130"})
    assert "culture_checks" in error.value.message_dict
    services.submission_save(
        actor=culture_officer,
        submission=annual,
        values={"culture_checks": "130"},
        reasons={"culture_checks": "Thêm 4 lượt kiểm tra tháng 12 chưa vào báo cáo quý."},
    )
    row = annual.values.get(field__code="culture_checks")
    assert (row.number, row.computed, row.differs_from_records) == (130, 126, True)
    services.submission_submit(actor=culture_officer, submission=annual)
    services.submission_approve(actor=coordinator, submission=annual)
    # The year restates the quarters: the reported indicator still adds the quarters once.
    assert evaluate("reporting.culture_checks", "01", parse("2014"), user=coordinator).total.value == 126


def test_an_annual_sector_report_for_a_year_not_begun_or_a_quarter_is_refused(forms, culture_officer):
    form = forms["van-hoa-nam"]
    for period, message in (
        ("2015", "Kỳ Năm 2015 chưa bắt đầu; chưa thể lập báo cáo."),
        (
            "2014Q3",
            "Báo cáo “Báo cáo năm của Sở Văn hóa, Thể thao và Du lịch” lập theo kỳ hằng năm, không theo “2014Q3”.",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            services.submission_open(actor=culture_officer, form=form, period_id=period, today=TODAY)
        assert error.value.message_dict == {"period_id": [message]}
    assert not Submission.objects.exists()


def test_the_annual_sector_reports_count_in_completeness_like_the_others(forms, culture_officer, coordinator):
    annual = services.submission_open(
        actor=culture_officer, form=forms["van-hoa-nam"], period_id="2014", today=TODAY
    )
    services.submission_save(actor=culture_officer, submission=annual, values={"culture_assessment": "Đạt."})
    before = completeness(forms["y-te-nam"], scope_path="01", period_id="2014", today=TODAY)
    services.submission_submit(actor=culture_officer, submission=annual)
    result = completeness(forms["van-hoa-nam"], scope_path="01", period_id="2014", today=TODAY)
    assert (result.total.expected, result.total.received) == (1, 1)
    assert (before.total.expected, before.total.received) == (1, 0)
