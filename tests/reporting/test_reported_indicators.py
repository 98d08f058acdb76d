"""Figures typed into approved reports are indicator values "theo báo cáo", with the reports behind them."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.indicators.evaluation import evaluate, including_submitted
from lanhmanh.indicators.models import Indicator
from lanhmanh.plans.models import Target
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.reporting import services
from lanhmanh.reporting.services import values_of
from tests.plans.test_copy_and_targets import target_post

from ..conftest import HOAN_KIEM
from .conftest import GOOD_VALUES, REASONS, TODAY

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2014, 11, 14, 9, 0, tzinfo=dt.UTC)
# A figure only reports give (the hotspot figures are computed from the register since enforcement landed).
CODE = "reporting.suspect_establishments"


def report(officer, forms, approver=None, *, period="201410", **overrides):
    submission = services.submission_open(
        actor=officer, form=forms["xa-thang"], period_id=period, today=TODAY
    )
    # The hotspot figures are computed from the register (enforcement) now: typed ones carry a reason.
    typed = dict.fromkeys(overrides, "Số liệu tuần tra của phường, chưa vào sổ tụ điểm")
    services.submission_save(
        actor=officer,
        submission=submission,
        values={**GOOD_VALUES, **overrides},
        reasons={**REASONS, **typed},
    )
    services.submission_submit(actor=officer, submission=submission, now=SENT)
    if approver is not None:
        services.submission_approve(actor=approver, submission=submission)
    return submission


@pytest.fixture
def hoan_kiem_reports(forms, commune_officer, other_commune_officer, district_officer):
    """Trang Tiền approved (2 suspect establishments in October), Hàng Bạc sent but not yet approved (1)."""
    approved = report(commune_officer, forms, district_officer, suspect_establishments="2")
    pending = report(other_commune_officer, forms, suspect_establishments="1")
    return approved, pending


def test_approved_report_values_are_the_indicator_and_submitted_ones_count_only_when_chosen(
    hoan_kiem_reports,
):
    assert evaluate(CODE, "01", "2014").total.value == 2
    assert evaluate(CODE, HOAN_KIEM, "201410").total.value == 2
    assert evaluate(CODE, HOAN_KIEM, "201409").total.value == 0
    by_commune = evaluate(CODE, HOAN_KIEM, "2014", by="child")
    assert [(c.key, c.value) for c in by_commune.rows] == [(("01.002.00079",), 2)]
    with including_submitted():
        assert evaluate(CODE, "01", "2014").total.value == 3
    assert evaluate("reporting.sellers_known", "01", "2014Q4").total.value == 12


def test_a_reopened_approved_report_stops_counting_until_it_is_approved_again_with_its_new_value(
    hoan_kiem_reports, commune_officer, district_officer
):
    approved, _pending = hoan_kiem_reports
    services.submission_save(
        actor=commune_officer,
        submission=approved,
        values={"suspect_establishments": "4"},
        reopen_reason="Phát hiện thêm hai điểm tái hoạt động",
    )
    assert evaluate(CODE, "01", "2014").total.value == 0
    services.submission_submit(actor=commune_officer, submission=approved, now=SENT)
    services.submission_approve(actor=district_officer, submission=approved)
    assert evaluate(CODE, "01", "2014").total.value == 4


def test_the_districts_quarterly_report_restating_its_months_is_not_counted_twice(
    forms, district_officer, coordinator
):
    for form, period in (("huyen-thang", "201410"), ("huyen-quy", "2014Q4")):
        submission = services.submission_open(
            actor=district_officer, form=forms[form], period_id=period, today=dt.date(2015, 1, 5)
        )
        services.submission_save(
            actor=district_officer,
            submission=submission,
            values={
                **GOOD_VALUES,
                **{k: str(v) for k, v in values_of(submission).items() if k not in GOOD_VALUES},
            },
            reasons=REASONS,
        )
        services.submission_save(
            actor=district_officer,
            submission=submission,
            values={"suspect_establishments": "1"},
            reasons=REASONS,
        )
        services.submission_submit(actor=district_officer, submission=submission, now=SENT)
        services.submission_approve(actor=coordinator, submission=submission)
    assert evaluate(CODE, "01", "2014").total.value == 1


def test_small_counts_of_people_from_reports_are_hidden_outside_the_reporting_agencies(
    hoan_kiem_reports, police, district_officer
):
    # 12 sellers known in Trang Tiền's approved report: a count of people, shown to the approver.
    assert evaluate("reporting.sellers_known", HOAN_KIEM, "2014", user=district_officer).total.value == 12
    cell = evaluate("reporting.health_referrals", HOAN_KIEM, "2014", user=police).total
    assert (cell.value, cell.display) == (6, "6")
    small = evaluate("reporting.trained_employed", HOAN_KIEM, "2014", user=police).total
    assert (small.suppressed, small.display) == (True, "< 5")
    assert evaluate("reporting.trained_employed", HOAN_KIEM, "2014", user=district_officer).total.value == 2


def test_the_indicator_page_opens_on_the_plan_year_with_the_value_and_its_reports(
    hoan_kiem_reports, coordinator, client_for
):
    load_plan_2014()
    client = client_for(coordinator)
    page = client.get(f"/chi-so/{CODE}/?ky=2014").content.decode()
    assert "theo báo cáo" in page
    assert "<strong data-total>2</strong>" in page
    assert "<strong data-approved>1</strong>" in page
    assert "Phường Tràng Tiền" in page and "Phường Hàng Bạc" not in page
    opened = client.get(f"/chi-so/{CODE}/").content.decode()
    assert '<option value="2014" selected>' in opened
    with_pending = client.get(f"/chi-so/{CODE}/?ky=2014&da_gui=1").content.decode()
    assert "<strong data-total>3</strong>" in with_pending
    assert "<strong data-submitted>1</strong>" in with_pending and "Phường Hàng Bạc" in with_pending


def test_the_api_gives_the_reported_value_with_its_provenance(hoan_kiem_reports, coordinator):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coordinator)
    body = client.get(f"/api/v1/indicators/{CODE}/values/?period=2014&include_submitted=1").json()
    assert (body["kind"], body["source_label"], body["total"]["value"]) == ("reported", "theo báo cáo", 3.0)
    assert (body["provenance"]["approved"], body["provenance"]["submitted"]) == (1, 1)
    assert [r["unit_name"] for r in body["provenance"]["reports"]] == ["Phường Hàng Bạc", "Phường Tràng Tiền"]


def test_a_target_pointed_at_a_reported_indicator_shows_its_value_and_says_so(
    hoan_kiem_reports, coordinator, client_for
):
    plan = load_plan_2014()
    target = plan.targets.get(code="T06")
    client = client_for(coordinator)
    reported = Indicator.objects.get(code=CODE)
    response = client.post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", target_post(target, indicator=reported.pk))
    assert response.status_code == 302
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    row = page[page.index('data-target="T06"') :]
    row = row[: row.index("</tr>")]
    assert f'data-measured-by="{CODE}"' in row and "theo báo cáo" in row
    assert '<td class="num">2</td>' in row


def test_a_target_cannot_be_pointed_at_an_indicator_with_no_source(forms, coordinator, client_for):
    plan = load_plan_2014()
    target = plan.targets.get(code="T01")
    before = target.indicator_id
    nowhere = Indicator.objects.create(
        code="reporting.nowhere", name="Chỉ số chưa có biểu mẫu", unit="cases", kind="reported"
    )
    page = (
        client_for(coordinator)
        .post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", target_post(target, indicator=nowhere.pk))
        .content.decode()
    )
    assert "Chỉ số “Chỉ số chưa có biểu mẫu (reporting.nowhere)” chưa có nguồn số liệu" in page
    assert Target.objects.get(pk=target.pk).indicator_id == before
