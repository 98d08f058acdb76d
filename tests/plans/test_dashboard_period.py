"""Issue 17, item 21: the plan dashboard for a month, quarter or six months of the plan's year. A target's goal
is annual: the page shows its value in the part chosen and from the year's start to the part's end against
the goal, with the share of the year gone by at the part's end; the table by unit, the sections and the
export count the part only."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from lanhmanh.core.periods import Period
from lanhmanh.plans.progress import spans
from lanhmanh.support import services
from lanhmanh.support.models import Programme
from tests.conftest import HOAN_KIEM, TRANG_TIEN
from tests.plans.test_dashboard_sections import by_unit, open_case, plan, school, section  # noqa: F401

pytestmark = pytest.mark.django_db

SUPPORT = "tiep-can-ho-tro"


@pytest.fixture
def employed_in_october(social_worker, school):  # noqa: F811
    case = open_case(social_worker, TRANG_TIEN, 1, school)
    programme = Programme.objects.create(
        code="ctr-1993", name="Chương trình 1993", funder="Sở LĐTBXH", starts_on=dt.date(2012, 10, 11)
    )
    enrolment = services.enrolment_create(
        actor=social_worker, programme=programme, case=case, enrolled_on=dt.date(2014, 6, 10)
    )
    services.enrolment_progress(
        actor=social_worker,
        enrolment=enrolment,
        training_completed_on=dt.date(2014, 9, 30),
        employed_on=dt.date(2014, 10, 15),
        employer="Xưởng may Hoàn Kiếm",
    )


def employed_in(page: str, path: str) -> str:
    """The district's count of women employed after training in the support section's table by unit."""
    support = section(page, SUPPORT)
    codes = re.findall(r'<tr data-indicator="(.*?)">', support)
    return by_unit(support, path)[codes.index("support.women_trained_employed")]


def target_row(page: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-target="{code}".*?</tr>', page, re.S).group(0)
    return [
        re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_a_part_of_the_year_is_counted_in_the_part_and_from_the_years_start_against_the_annual_goal(
    plan,  # noqa: F811
    coordinator,
    client_for,
    employed_in_october,
):
    client = client_for(coordinator)
    year = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "data-in-period-header" not in year
    assert '<option value="2014" selected>Năm 2014</option>' in year  # the plan's year by default
    # November: nobody employed in the month, one since January; 334 of 365 days of the year gone by.
    november = client.get(f"/ke-hoach/{plan.pk}/?ky=201411").content.decode()
    assert '<option value="201411" selected>Tháng 11/2014</option>' in november
    assert "Trong kỳ (Tháng 11/2014)" in november and "Lũy kế từ đầu năm đến 30/11/2014" in november
    cells = target_row(november, "T07")
    assert cells[3:5] == ["0", "1"]  # in the month, since January
    assert cells[6].startswith("91,5%")
    assert employed_in(november, HOAN_KIEM) == "0"  # the sections count the month only
    october = client.get(f"/ke-hoach/{plan.pk}/?ky=201410").content.decode()
    assert target_row(october, "T07")[3:5] == ["1", "1"]
    assert employed_in(october, HOAN_KIEM) == "1"
    # The links to a unit keep the period; the export counts it too.
    assert f'<tr data-section-unit="{HOAN_KIEM}"><td><a href="?unit={HOAN_KIEM}&amp;ky=201411">' in november
    content = client.get(f"/ke-hoach/{plan.pk}/xuat-excel/?ky=201411").content
    sheet = load_workbook(io.BytesIO(content))["Chỉ tiêu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Tháng 11/2014"
    assert rows[2][3:5] == ("Trong kỳ (Tháng 11/2014)", "Lũy kế từ đầu năm đến 30/11/2014")
    t07 = next(r for r in rows if r[0] == "T07")
    assert t07[3:5] == (0, 1)


def test_a_period_outside_the_plans_year_is_refused_in_words_and_the_year_shown(
    plan,  # noqa: F811
    coordinator,
    client_for,
):
    page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/?ky=2015Q1").content.decode()
    assert "Kỳ Quý 1/2015 không thuộc năm 2014 của kế hoạch." in page
    assert '<option value="2014" selected>' in page
    assert "Mã kỳ" in client_for(coordinator).get(f"/ke-hoach/{plan.pk}/?ky=2014Q9").content.decode()


def test_spans_count_from_the_years_start():
    year = Period.year(2014)
    assert spans(year, None) == (year, year)
    assert spans(year, Period.half(2014, 1)) == (Period.half(2014, 1), Period.half(2014, 1))
    q3 = Period.quarter(2014, 3)
    assert spans(year, q3) == (q3, Period.range(dt.date(2014, 1, 1), dt.date(2014, 9, 30)))
    with pytest.raises(ValueError, match="không thuộc năm 2014"):
        spans(year, Period.month(2015, 1))
