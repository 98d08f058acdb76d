"""Issue 17, item 13: no form asks for a period code typed by hand. The ad hoc request and the inspection
plan choose it from a list of the plan's year (and the years around it); an ad hoc span of days is given
by its two dates."""

from __future__ import annotations

import pytest

from lanhmanh.org.models import Agency
from lanhmanh.premises.forms import PlanForm
from lanhmanh.reporting.forms import AdHocRequestForm, UpwardRequestForm
from lanhmanh.reporting.models import ReportForm
from lanhmanh.reporting.services import report_forms_load

pytestmark = pytest.mark.django_db


def options(form, name: str) -> list[str]:
    return [value for _group, choices in form.fields[name].widget.choices[1:] for value, _label in choices]


def test_the_inspection_plan_picks_a_year_half_or_quarter_of_the_plans_year(inspector):
    form = PlanForm(teams=Agency.objects.none(), year=2014)
    html = str(form["period_id"])
    assert html.startswith("<select") and "data-period-select" in html
    values = options(form, "period_id")
    assert values[:7] == ["2014", "2014S1", "2014S2", "2014Q1", "2014Q2", "2014Q3", "2014Q4"]
    assert "2013Q4" in values and "2015" in values and "201405" not in values


def ad_hoc(coordinator, **data):
    report_forms_load()
    form = ReportForm.objects.filter(periodicity="adhoc", active=True).first()
    assert form is not None, "an ad hoc form is loaded with the migrations"
    base = {"form": form.pk, "title": "Rà soát cơ sở karaoke", "due_date": "20/10/2014"}
    return AdHocRequestForm({**base, **data}, user=coordinator, year=2014)


def test_an_ad_hoc_request_picks_a_period_or_gives_two_dates(coordinator):
    picked = ad_hoc(coordinator, period_id="201410")
    assert str(picked["period_id"]).startswith("<select")
    assert options(picked, "period_id")[0] == "2014" and "201410" in options(picked, "period_id")
    picked.is_valid()
    assert "period_id" not in picked.errors and picked.cleaned_data["period_id"] == "201410"

    span = ad_hoc(coordinator, starts_on="01/10/2014", ends_on="15/10/2014")
    span.is_valid()
    assert "period_id" not in span.errors and span.cleaned_data["period_id"] == "20141001-20141015"

    assert ad_hoc(coordinator).errors["period_id"] == ["Chọn kỳ số liệu, hoặc nhập từ ngày – đến ngày."]
    assert ad_hoc(coordinator, starts_on="01/10/2014").errors["ends_on"] == [
        "Nhập cả “Từ ngày” và “Đến ngày”."
    ]
    assert ad_hoc(coordinator, starts_on="15/10/2014", ends_on="01/10/2014").errors["ends_on"] == [
        "“Đến ngày” phải bằng hoặc sau “Từ ngày”."
    ]
    both = ad_hoc(coordinator, period_id="201410", starts_on="01/10/2014", ends_on="15/10/2014")
    assert both.errors["period_id"] == ["Chọn một kỳ hoặc nhập từ ngày – đến ngày, không cả hai."]


def test_a_request_from_above_picks_its_period_from_the_same_list(coordinator):
    form = UpwardRequestForm({"period_id": "2014Q3"}, user=coordinator, issuers=["Bộ"], year=2014)
    assert str(form["period_id"]).startswith("<select")
    assert "2014Q3" in options(form, "period_id")
    form.is_valid()
    assert "period_id" not in form.errors and form.cleaned_data["period_id"] == "2014Q3"
    assert UpwardRequestForm({}, user=coordinator, issuers=["Bộ"], year=2014).errors["period_id"] == [
        "Chọn kỳ số liệu, hoặc nhập từ ngày – đến ngày."
    ]
