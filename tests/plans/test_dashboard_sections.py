"""The plan dashboard's sections of registered indicators: outreach and support (T07 among them), sanctions.

Live (a case saved now shows in the next view), drillable by district and commune, suppressed for users
outside the casework agencies ("< 5", and "x" where a total would give a small cell away), in the Excel
export, and with a query count that does not grow with the records.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lanhmanh.indicators.models import Indicator
from lanhmanh.indicators.registry import ComputedSource, dashboard_sources, register, unregister
from lanhmanh.indicators.services import indicators_sync
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.people.models import Person
from lanhmanh.plans.dashboard import build_sections
from lanhmanh.plans.models import Activity
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import activity_create
from lanhmanh.support import services
from lanhmanh.support.models import Programme
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db

SUPPORT = "tiep-can-ho-tro"
SANCTIONS = "xu-ly-vi-pham"
OPENED = dt.date(2014, 6, 2)


@pytest.fixture
def plan():
    return load_plan_2014()


@pytest.fixture
def school(db):
    return Agency.objects.create(
        code="01-002-truong-nghe",
        name="Trường Trung cấp nghề Hoàn Kiếm",
        kind=AgencyKind.SERVICE_PROVIDER,
        unit=AdministrativeUnit.objects.get(path=HOAN_KIEM),
    )


def woman(path: str, number: int) -> Person:
    person = Person(
        full_name=f"Nguyễn Thị Lan {number}",
        birth_date=dt.date(1990, 1, number),
        birth_year=1990,
        sex="female",
        permanent_unit=AdministrativeUnit.objects.get(path=path),
    )
    person.save()
    return person


def open_case(actor, path: str, number: int, school: Agency):
    return services.case_open(
        actor=actor,
        person=woman(path, number),
        unit=AdministrativeUnit.objects.get(path=path),
        opened_on=OPENED,
        consents=[("counselling", actor.agency), ("training", school), ("jobs", school)],
    )


def section(page: str, slug: str) -> str:
    match = re.search(rf'<section class="mt-4" data-section="{slug}".*?</section>', page, re.S)
    assert match, f"no section {slug}"
    return match.group(0)


def value(html: str, code: str) -> str:
    return re.search(
        rf'<tr data-indicator="{re.escape(code)}">.*?<td class="num" data-value>(.*?)</td>', html, re.S
    )[1]


def by_unit(html: str, path: str) -> list[str]:
    row = re.search(rf'<tr data-section-unit="{re.escape(path)}">(.*?)</tr>', html, re.S)[1]
    return re.findall(r'<td class="num">(.*?)</td>', row)


def breakdown(html: str, code: str) -> dict[str, str]:
    block = re.search(rf'<div class="col-lg-6" data-breakdown="{re.escape(code)}">(.*?)</div>', html, re.S)[1]
    return dict(re.findall(r'<tr><td>(.*?)</td><td class="num">(.*?)</td></tr>', block))


SUPPORT_CODES = [
    "support.women_trained_employed",
    "support.people_reached",
    "support.cases_opened",
    "support.services_given",
    "support.referrals_completed",
    "support.cases_closed",
]


def test_the_sections_list_the_registered_indicators_in_order(plan, coordinator, client_for):
    page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/").content.decode()
    support = section(page, SUPPORT)
    assert '<h2 class="h5" id="section-tiep-can-ho-tro">Tiếp cận, hỗ trợ</h2>' in support
    assert re.findall(r'<tr data-indicator="(.*?)">', support) == SUPPORT_CODES
    assert support.count("<tr data-section-unit=") == 30  # every district of the city
    assert '<span class="badge text-bg-light" data-target-code>Chỉ tiêu T07</span>' in support
    assert re.findall(r'data-breakdown="(.*?)"', support) == [
        "support.services_given",
        "support.cases_closed",
    ]
    sanctions = section(page, SANCTIONS)
    assert re.findall(r'<tr data-indicator="(.*?)">', sanctions) == [
        "people.fines_collected",
        "people.sanctions",
    ]
    assert breakdown(sanctions, "people.sanctions") == {"Cảnh cáo": "0", "Phạt tiền": "0"}
    assert page.count("<h1") == 1 and "<script>" not in page
    assert 'href="/chi-so/support.cases_opened/?unit=01&amp;ky=2014"' in support


def test_a_case_saved_now_shows_in_the_next_view_and_drills_down(
    plan, coordinator, social_worker, school, client_for
):
    client = client_for(coordinator)
    before = section(client.get(f"/ke-hoach/{plan.pk}/").content.decode(), SUPPORT)
    assert [value(before, code) for code in SUPPORT_CODES] == ["0"] * 6

    case = open_case(social_worker, TRANG_TIEN, 1, school)
    services.service_record(
        actor=social_worker, case=case, kind="training", provider=school, given_on=dt.date(2014, 6, 9)
    )
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

    city = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    after = section(city, SUPPORT)
    assert value(after, "support.cases_opened") == "1"
    assert value(after, "support.services_given") == "1"
    assert value(after, "support.women_trained_employed") == "1"
    assert re.search(r'<tr data-target="T07".*?</tr>', city, re.S)[0].count('<td class="num">1</td>') == 1
    # By district: Hoàn Kiếm has it, Đông Anh not; columns in the order of the indicators.
    assert by_unit(after, HOAN_KIEM) == ["1", "0", "1", "1", "0", "0"]
    assert by_unit(after, "01.017") == ["0"] * 6
    assert breakdown(after, "support.services_given")["Dạy nghề"] == "1"
    assert breakdown(after, "support.services_given")["Tư vấn tâm lý"] == "0"

    # Drill into the district, then the ward: the same numbers, at each level.
    district = section(client.get(f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}").content.decode(), SUPPORT)
    assert by_unit(district, TRANG_TIEN) == ["1", "0", "1", "1", "0", "0"]
    assert by_unit(district, HANG_BAC) == ["0"] * 6
    ward = section(client.get(f"/ke-hoach/{plan.pk}/?unit={TRANG_TIEN}").content.decode(), SUPPORT)
    assert value(ward, "support.cases_opened") == "1"
    assert "data-section-unit" not in ward

    services.case_close(actor=social_worker, case=case, closed_on=dt.date(2014, 11, 3), outcome="income")
    closed = section(client.get(f"/ke-hoach/{plan.pk}/").content.decode(), SUPPORT)
    assert value(closed, "support.cases_closed") == "1"
    assert breakdown(closed, "support.cases_closed")["Có thu nhập ổn định"] == "1"


def test_small_counts_are_hidden_from_the_police_but_not_from_the_casework_agencies(
    plan, district_officer, police, school, client_for
):
    open_case(district_officer, TRANG_TIEN, 1, school)
    url = f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}"
    police_page = section(client_for(police).get(url).content.decode(), SUPPORT)
    assert value(police_page, "support.cases_opened") == "&lt; 5"
    assert by_unit(police_page, TRANG_TIEN)[2] == "&lt; 5"
    own = section(client_for(district_officer).get(url).content.decode(), SUPPORT)
    assert value(own, "support.cases_opened") == "1"
    assert by_unit(own, TRANG_TIEN)[2] == "1"


def test_a_small_cell_next_to_a_shown_total_hides_its_neighbour_too(
    plan, district_officer, police, school, client_for
):
    for number in range(1, 6):
        open_case(district_officer, TRANG_TIEN, number, school)
    open_case(district_officer, HANG_BAC, 6, school)
    page = section(client_for(police).get(f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}").content.decode(), SUPPORT)
    # Hàng Bạc's 1 is "< 5" (or not shown); Tràng Tiền's 5 would give it away (6 − 5), so it is hidden, and with nothing
    # else left to hide, so is the district's total: "x" (5 or more) or, as the city's total of 6 stays
    # shown and would pin the district's, not shown at all ("…").
    assert by_unit(page, HANG_BAC)[2] in ("&lt; 5", "…")
    assert by_unit(page, TRANG_TIEN)[2] in ("x", "…")
    assert value(page, "support.cases_opened") in ("x", "…")
    assert "6" not in re.search(r'<tr data-indicator="support.cases_opened">.*?</tr>', page, re.S)[0]


def test_a_breakdown_that_would_give_a_small_count_away_is_withheld(
    plan, district_officer, police, school, client_for
):
    case = open_case(district_officer, TRANG_TIEN, 1, school)
    for day in range(2, 7):
        services.service_record(
            actor=district_officer,
            case=case,
            kind="training",
            provider=school,
            given_on=dt.date(2014, 7, day),
        )
    # All six in July: by month (on the indicator's page) nothing is small, so the total can be shown.
    services.service_record(
        actor=district_officer,
        case=case,
        kind="psych",
        provider=district_officer.agency,
        given_on=dt.date(2014, 7, 7),
    )
    url = f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}"
    own = section(client_for(district_officer).get(url).content.decode(), SUPPORT)
    assert breakdown(own, "support.services_given")["Dạy nghề"] == "5"
    assert breakdown(own, "support.services_given")["Tư vấn tâm lý"] == "1"
    # The police see the total (6, all in Tràng Tiền); by kind, "x" and "< 5" beside a known 6 would
    # give the 1 away, so the table by kind is withheld.
    page = section(client_for(police).get(url).content.decode(), SUPPORT)
    assert value(page, "support.services_given") == "6"
    assert by_unit(page, TRANG_TIEN)[3] == "6"
    assert 'data-breakdown="support.services_given"' not in page
    assert '<div class="col-lg-6" data-breakdown-withheld="support.services_given">' in page
    assert "Không tách được: số liệu nhỏ, tách ra có thể suy ra các ô dưới 5." in page


def test_the_export_has_a_sheet_per_section_with_the_same_suppressed_numbers(
    plan, district_officer, police, school, client_for
):
    open_case(district_officer, TRANG_TIEN, 1, school)
    url = f"/ke-hoach/{plan.pk}/xuat-excel/?unit={HOAN_KIEM}"
    book = load_workbook(io.BytesIO(client_for(district_officer).get(url).content))
    assert book.sheetnames == [
        "Chỉ tiêu",
        "Theo đơn vị",
        "Hoạt động theo tháng",
        "Xử lý vi phạm",
        "Tiếp cận, hỗ trợ",
    ]
    rows = list(book["Tiếp cận, hỗ trợ"].iter_rows(values_only=True))
    assert rows[0][0] == "Tiếp cận, hỗ trợ"
    assert rows[2][:5] == ("Mã chỉ số", "Chỉ số", "Đơn vị tính", "Đã đạt", "Chỉ tiêu")
    indicators = {r[0]: r for r in rows[3:9]}
    assert list(indicators) == SUPPORT_CODES
    assert indicators["support.cases_opened"][3] == 1
    assert indicators["support.women_trained_employed"][4] == "T07"
    units = {r[0]: r[1:7] for r in rows[11:29]}
    assert rows[10][0] == "Đơn vị" and len(units) == 18 and rows[29][0] is None
    trang_tien = AdministrativeUnit.objects.get(path=TRANG_TIEN).full_name
    assert units[trang_tien] == (0, 0, 1, 0, 0, 0)
    assert [r[:2] for r in rows if r[0] in ("Dạy nghề", "Có thu nhập ổn định")] == [
        ("Dạy nghề", 0),
        ("Có thu nhập ổn định", 0),
    ]

    hidden = load_workbook(io.BytesIO(client_for(police).get(url).content))
    rows = list(hidden["Tiếp cận, hỗ trợ"].iter_rows(values_only=True))
    assert {r[0]: r for r in rows[3:9]}["support.cases_opened"][3] == "< 5"
    assert {r[0]: r[1:7] for r in rows[11:29]}[trang_tien][2] == "< 5"


def test_any_indicator_registered_with_a_section_appears(plan, coordinator, client_for):
    register(
        ComputedSource(
            code="tests.dashboard_trainings",
            name="Số lớp tập huấn đã tổ chức",
            name_en="Trainings held",
            unit="events",
            queryset=lambda: Activity.objects.filter(kind="training"),
            unit_path="unit_path",
            date_field="held_on",
            disaggregations={"audience": "audience"},
            dashboard_section="Tập huấn",
        )
    )
    try:
        indicators_sync()
        place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
        activity_create(
            actor=None,
            kind="training",
            title="Tập huấn",
            held_on=dt.date(2014, 5, 1),
            unit=place,
            organiser=Agency.objects.filter(unit=place).first(),
        )
        page = client_for(coordinator).get(f"/ke-hoach/{plan.pk}/").content.decode()
        html = section(page, "tap-huan")
        assert value(html, "tests.dashboard_trainings") == "1"
        assert by_unit(html, HOAN_KIEM) == ["1"]
    finally:
        unregister("tests.dashboard_trainings")
        Indicator.objects.filter(code="tests.dashboard_trainings").delete()


def test_a_breakdown_must_be_one_of_the_sources_disaggregations():
    with pytest.raises(ValueError, match="dashboard_by “sex” is not one of its disaggregations"):
        ComputedSource(
            code="x.y",
            name="x",
            name_en="x",
            unit="cases",
            queryset=lambda: Activity.objects.all(),
            unit_path="unit_path",
            dashboard_section="X",
            dashboard_by="sex",
        )
    assert {s.code for s in dashboard_sources()} >= set(SUPPORT_CODES)


def test_the_dashboard_query_count_does_not_grow_with_records(
    plan, coordinator, social_worker, school, client_for
):
    client = client_for(coordinator)
    url = f"/ke-hoach/{plan.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    for number in range(1, 4):
        case = open_case(social_worker, TRANG_TIEN, number, school)
        services.service_record(
            actor=social_worker, case=case, kind="training", provider=school, given_on=dt.date(2014, 6, 9)
        )
    with CaptureQueriesContext(connection) as full:
        page = client.get(url).content.decode()
    assert value(section(page, SUPPORT), "support.cases_opened") == "3"
    assert len(full) == len(empty)
    # 48, and 2 for T04 and T08 (premises), 4 for T01 and T05 (criminal cases), 2 for T02 and T06 (hotspot
    # register), 4 for T09 and T10 (communes): each target with a source counts its value; 1 for the version
    # tokens of the rollup sources (a protected tree is kept while its token is unchanged)
    assert len(full) <= 65


def test_each_section_indicator_costs_two_queries_and_a_breakdown_two_more(plan, coordinator):
    city = AdministrativeUnit.objects.get(path="01")
    sources = dashboard_sources()
    with CaptureQueriesContext(connection) as queries:
        sections = build_sections(city, plan.period, user=coordinator)
    assert sum(len(s.indicators) for s in sections) == len(sources) == 8
    # The Indicator rows, the districts with their names, then per indicator its value and its values by
    # district, and for a breakdown its value and its values by the disaggregation.
    breakdowns = sum(1 for s in sources if s.dashboard_by)
    assert breakdowns == 3
    assert len(queries) == 2 + 2 * len(sources) + 2 * breakdowns
