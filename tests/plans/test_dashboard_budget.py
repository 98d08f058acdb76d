import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import BudgetLine
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import activity_create
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_plan_2014()


def held(path, day=dt.date(2014, 5, 1), kind="training"):
    place = AdministrativeUnit.objects.get(path=path)
    return activity_create(
        actor=None,
        kind=kind,
        title="Hoạt động",
        held_on=day,
        unit=place,
        organiser=Agency.objects.filter(unit=place).first(),
        participants_female=6,
    )


def test_the_dashboard_table_by_district_lists_every_district_with_its_activities(
    plan, coordinator, client_for
):
    held(TRANG_TIEN)
    held(HANG_BAC)
    page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert page.count("<tr data-unit=") == 30
    row = re.search(r'<tr data-unit="01.002">(.*?)</tr>', page).group(1)
    assert row.startswith('<td><a href="?unit=01.002">Quận Hoàn Kiếm</a></td>')
    assert row.endswith('<td class="num">2</td>')  # the last column counts activities


def test_a_commune_dashboard_links_to_the_records(plan, commune_officer, client_for):
    held(TRANG_TIEN)
    client = client_for(commune_officer)
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert f"/ke-hoach/hoat-dong/?unit={TRANG_TIEN}" in page
    records = client.get(f"/ke-hoach/hoat-dong/?unit={TRANG_TIEN}").content.decode()
    assert records.count("data-activity=") == 1
    assert client.get(f"/ke-hoach/hoat-dong/?unit={HANG_BAC}").status_code == 404


def test_every_dashboard_number_exports_to_excel(plan, district_officer, client_for):
    held(TRANG_TIEN)
    response = client_for(district_officer).get(f"/ke-hoach/{plan.pk}/xuat-excel/?unit={HOAN_KIEM}")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    # Then one sheet per section of registered indicators (test_dashboard_sections checks them).
    assert book.sheetnames[:3] == ["Chỉ tiêu", "Theo đơn vị", "Hoạt động theo tháng"]
    targets = list(book["Chỉ tiêu"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in targets] == [f"T{i:02d}" for i in range(1, 11)]
    assert targets[0][6] == "Đúng tiến độ"  # T01, counted from the criminal cases: no goal given to Hoàn Kiếm
    units = {r[0]: r[-1] for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert units[AdministrativeUnit.objects.get(path=TRANG_TIEN).full_name] == 1  # a number: SUM works
    assert len(units) == 18
    months = dict(book["Hoạt động theo tháng"].iter_rows(min_row=2, values_only=True))
    assert months["Tháng 05/2014"] == 1


def test_activity_list_query_count_does_not_grow_with_rows(coordinator, client_for):
    client = client_for(coordinator)
    held(TRANG_TIEN)
    with CaptureQueriesContext(connection) as one:
        client.get("/ke-hoach/hoat-dong/")
    held(TRANG_TIEN)
    held(HANG_BAC)
    with CaptureQueriesContext(connection) as three:
        response = client.get("/ke-hoach/hoat-dong/")
    assert response.content.decode().count("data-activity=") == 3
    assert len(three) == len(one)


def test_task_list_query_count_is_the_same_for_one_agency_and_the_coordinator(
    plan, district_officer, coordinator, client_for
):
    with CaptureQueriesContext(connection) as own:
        client_for(district_officer).get("/ke-hoach/cong-viec/")
    with CaptureQueriesContext(connection) as everyone:
        client_for(coordinator).get("/ke-hoach/cong-viec/")
    assert len(own) == len(everyone)


def test_an_agency_records_budget_and_the_execution_share_follows(plan, district_officer, client_for):
    client = client_for(district_officer)
    response = client.post(
        f"/ke-hoach/{plan.pk}/kinh-phi/",
        {
            "title": "Tập huấn cán bộ",
            "recorded_on": "2014-03-01",
            "allocated": "10000000",
            "disbursed": "8000000",
            "spent": "5000000",
        },
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert (line.agency, line.unit_path) == (district_officer.agency, HOAN_KIEM)
    page = client.get(f"/ke-hoach/{plan.pk}/kinh-phi/").content.decode()
    assert "<strong data-execution>50%</strong>" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"allocated": "100", "disbursed": "200", "spent": "0"}, "Số đã cấp vượt dự toán được giao."),
        ({"allocated": "100", "disbursed": "50", "spent": "80"}, "Số đã chi vượt số đã cấp."),
        (
            {"allocated": "100", "disbursed": "50", "spent": "0", "recorded_on": "2015-01-02"},
            "Ngày ghi nhận phải thuộc năm của kế hoạch (2014).",
        ),
    ],
)
def test_bad_budget_lines_are_refused_in_vietnamese(plan, district_officer, client_for, data, message):
    form = {"title": "x", "recorded_on": "2014-03-01", **data}
    response = client_for(district_officer).post(f"/ke-hoach/{plan.pk}/kinh-phi/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_other_agencies_do_not_see_a_budget_line_but_the_coordinator_does(
    plan, district_officer, other_district_officer, coordinator, client_for
):
    client_for(district_officer).post(
        f"/ke-hoach/{plan.pk}/kinh-phi/",
        {
            "title": "Dòng của Hoàn Kiếm",
            "recorded_on": "2014-03-01",
            "allocated": "1",
            "disbursed": "0",
            "spent": "0",
        },
    )
    assert (
        "Dòng của Hoàn Kiếm"
        not in client_for(other_district_officer).get(f"/ke-hoach/{plan.pk}/kinh-phi/").content.decode()
    )
    assert (
        "Dòng của Hoàn Kiếm" in client_for(coordinator).get(f"/ke-hoach/{plan.pk}/kinh-phi/").content.decode()
    )


def test_a_hidden_month_is_never_shown_as_zero(plan, district_officer, client_for, monkeypatch):
    from lanhmanh.indicators import evaluation
    from lanhmanh.plans import dashboard

    monkeypatch.setattr(evaluation, "suppresses_for", lambda source, user: user is not None)
    held(TRANG_TIEN)  # one activity in May: a small count, hidden for this user
    board = dashboard.build(plan, AdministrativeUnit.objects.get(path=HOAN_KIEM), user=district_officer)
    may = {label: (value, shown) for label, value, shown in board.months}["Tháng 05/2014"]
    assert may[0] is None and may[1] in ("< 5", "…")  # never "x": that would say it is not small
    chart = board.chart_by_month()
    assert chart["values"][chart["labels"].index("Tháng 05/2014")] is None  # a gap, not 0
    assert chart["values"][chart["labels"].index("Tháng 06/2014")] == 0
    response = client_for(district_officer).get(f"/ke-hoach/{plan.pk}/xuat-excel/?unit={HOAN_KIEM}")
    months = dict(
        load_workbook(io.BytesIO(response.content))["Hoạt động theo tháng"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert months["Tháng 05/2014"] in ("< 5", "…") and months["Tháng 06/2014"] == 0


def test_each_target_has_a_bar_for_what_is_achieved_and_one_for_the_time_elapsed(
    plan, coordinator, client_for
):
    page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/").content.decode()
    rows = re.findall(r'<tr data-target="(T\d+)".*?</tr>', page, re.S)
    assert rows
    elapsed = re.findall(r'<progress[^>]*value="([\d.]+)" data-progress-elapsed', page)
    assert len(elapsed) == len(rows)  # every target shows how much of the plan's time has gone
    assert all(0 <= float(v) <= 100 for v in elapsed)
    assert "data-print" in page
