"""Target lists by district, district plans under the city plan, and both with quotas on the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import Plan, TargetBreakdown, TargetItem, Task
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import breakdowns_set, district_duty_create

pytestmark = pytest.mark.django_db

HOAN_KIEM, BA_DINH, TRANG_TIEN = "01.002", "01.001", "01.002.00079"


def unit(path: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.filter(path=path).order_by("pk").first()


@pytest.fixture
def plan():
    return load_plan_2014()


def test_a_district_office_issues_its_plan_under_the_city_plan_and_gives_a_duty_to_the_district_police(
    plan, district_officer, client_for
):
    client = client_for(district_officer)
    page = client.get(f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/").content.decode()
    assert 'name="unit"' in page and "Quận Ba Đình" not in page  # its own district only
    response = client.post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/",
        {
            "unit": unit(HOAN_KIEM).pk,
            "title": "Kế hoạch PCMD quận Hoàn Kiếm 2014",
            "number": "18/KH-UBND",
            "issued_on": "10/02/2014",
        },
    )
    sub = Plan.objects.get(parent=plan)
    assert response.status_code == 302 and response.url == f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/"
    assert (sub.scope_unit.path, sub.year, sub.authority.code) == (HOAN_KIEM, 2014, "01-002-committee")
    police = Agency.objects.get(code="01-002-police")
    response = client.post(
        f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/",
        {
            "text": "Kiểm tra các cơ sở lưu trú phố Tràng Tiền.",
            "agencies": [police.pk],
            "due_on": "30/06/2014",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(duty__plan=sub)
    assert (task.owner, task.due_on) == (police, dt.date(2014, 6, 30))
    assert ChangeRecord.objects.filter(model="plans.plan", object_id=str(sub.pk)).count() == 1
    page = client.get(f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/").content.decode()
    assert "Kiểm tra các cơ sở lưu trú phố Tràng Tiền." in page and 'data-task-state="overdue"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"issued_on": "10/02/2015"},
            "issued_on",
            "Ngày ban hành (10/02/2015) phải thuộc năm 2014 của kế hoạch.",
        ),
        ({"second": True}, "unit", "Quận Hoàn Kiếm đã có kế hoạch thực hiện kế hoạch này: “Kế hoạch đầu”."),
    ],
)
def test_a_second_district_plan_or_a_date_outside_the_year_is_refused(
    plan, district_officer, client_for, data, field, message
):
    client = client_for(district_officer)
    url = f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/"
    if data.pop("second", False):
        client.post(url, {"unit": unit(HOAN_KIEM).pk, "title": "Kế hoạch đầu"})
    before = Plan.objects.count()
    page = client.post(url, {"unit": unit(HOAN_KIEM).pk, "title": "Kế hoạch khác", **data}).content.decode()
    assert message in page
    assert Plan.objects.count() == before


def test_a_duty_given_to_an_agency_of_another_district_is_refused_and_nothing_saved(
    plan, district_officer, client_for
):
    client = client_for(district_officer)
    client.post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/", {"unit": unit(HOAN_KIEM).pk, "title": "KH Hoàn Kiếm"}
    )
    sub = Plan.objects.get(parent=plan)
    other = Agency.objects.get(code="01-001-police")
    page = client.post(
        f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/",
        {"text": "Tuần tra.", "agencies": [other.pk], "due_on": "30/06/2014"},
    ).content.decode()
    assert f"{other.pk} không phải là một trong các lựa chọn" in page  # the form offers the district's own
    with pytest.raises(ValidationError) as refused:  # and the service refuses it to any other caller
        district_duty_create(
            plan=sub, text="Tuần tra.", agencies=[other], due_on=dt.date(2014, 6, 30), actor=district_officer
        )
    assert refused.value.message_dict == {
        "agencies": [
            "Công an Quận Ba Đình không thuộc Quận Hoàn Kiếm: nhiệm vụ của kế hoạch này chỉ giao cho cơ quan của đơn vị."
        ]
    }
    assert not sub.duties.exists() and not Task.objects.filter(duty__plan=sub).exists()


def test_another_district_cannot_add_duties_to_a_district_plan(
    plan, district_officer, other_district_officer, client_for
):
    client_for(district_officer).post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/", {"unit": unit(HOAN_KIEM).pk, "title": "KH Hoàn Kiếm"}
    )
    sub = Plan.objects.get(parent=plan)
    assert client_for(other_district_officer).get(f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/").status_code == 404
    response = client_for(other_district_officer).post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/", {"unit": unit(HOAN_KIEM).pk, "title": "Không được"}
    )
    assert response.status_code == 200 and Plan.objects.filter(parent=plan).count() == 1


def test_the_dashboard_shows_each_district_against_its_quota_and_its_plans_tasks(
    plan, coordinator, client_for
):
    t03 = plan.targets.get(code="T03")
    breakdowns_set(target=t03, actor=coordinator, values={unit(HOAN_KIEM): Decimal(120)})
    client = client_for(coordinator)
    client.post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/", {"unit": unit(HOAN_KIEM).pk, "title": "KH Hoàn Kiếm"}
    )
    sub = Plan.objects.get(parent=plan)
    client.post(
        f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/",
        {
            "text": "Kiểm tra.",
            "agencies": [Agency.objects.get(code="01-002-police").pk],
            "due_on": "30/06/2014",
        },
    )
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    row = re.search(r'<tr data-unit="01.002">(.*?)</tr>', page, re.S).group(1)
    assert 'data-goal="120" data-goal-source="quota"' in row
    assert f'href="/ke-hoach/ke-hoach-don-vi/{sub.pk}/">0/1 việc xong</a>' in row
    ba_dinh = re.search(r'<tr data-unit="01.001">(.*?)</tr>', page, re.S).group(1)
    assert "data-goal=" not in ba_dinh and "chưa có" in ba_dinh
    district = client.get(f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/").content.decode()
    assert re.search(r'<tr data-target="T03">.*?<td class="num" data-given>120</td>', district, re.S)


def test_a_target_list_groups_its_places_by_district_and_counts_them_on_the_dashboard(
    plan, coordinator, client_for
):
    t09 = plan.targets.get(code="T09")
    client = client_for(coordinator)
    for path in (TRANG_TIEN, "01.002.00061"):
        response = client.post(
            f"/ke-hoach/chi-tieu/{t09.pk}/danh-sach/", {"name": unit(path).full_name, "unit": unit(path).pk}
        )
        assert response.status_code == 302
    page = client.get(f"/ke-hoach/chi-tieu/{t09.pk}/danh-sach/").content.decode()
    assert "<span data-items-count>2</span>" in page
    assert re.search(
        r'data-district="01.002">\s*<h2 class="h6">Quận Hoàn Kiếm <span class="badge text-bg-light" data-district-count>2',
        page,
    )
    again = client.post(
        f"/ke-hoach/chi-tieu/{t09.pk}/danh-sach/", {"name": "Phường Tràng Tiền", "unit": unit(TRANG_TIEN).pk}
    )
    assert "“Phường Tràng Tiền” đã có trong danh sách của chỉ tiêu T09." in again.content.decode()
    assert TargetItem.objects.filter(target=t09).count() == 2
    dashboard = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert (
        f'href="/ke-hoach/chi-tieu/{t09.pk}/danh-sach/" data-items-link>Danh sách: 2 điểm, đơn vị</a>'
        in dashboard
    )


def test_only_the_coordinator_changes_a_target_list(plan, district_officer, client_for):
    t06 = plan.targets.get(code="T06")
    client = client_for(district_officer)
    assert client.get(f"/ke-hoach/chi-tieu/{t06.pk}/danh-sach/").status_code == 200  # it may read it
    response = client.post(f"/ke-hoach/chi-tieu/{t06.pk}/danh-sach/", {"name": "Tụ điểm mới"})
    assert response.status_code == 404 and not TargetItem.objects.filter(target=t06).exists()


def test_designating_a_model_commune_puts_it_on_the_plans_list(plan, coordinator):
    from lanhmanh.communes.services import model_commune_designate

    model_commune_designate(
        actor=coordinator, plan=plan, unit=unit(TRANG_TIEN), designated_on=dt.date(2014, 1, 15)
    )
    assert [(i.name, i.unit.path) for i in plan.targets.get(code="T09").items.all()] == [
        ("Phường Tràng Tiền", TRANG_TIEN)
    ]
    assert not TargetBreakdown.objects.exists()


def test_the_plan_list_shows_the_city_plan_with_a_link_to_the_district_plans(
    plan, district_officer, client_for
):
    client = client_for(district_officer)
    client.post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/", {"unit": unit(HOAN_KIEM).pk, "title": "KH Hoàn Kiếm"}
    )
    page = client.get("/ke-hoach/").content.decode()
    listed = page[page.index('<ul class="list-group">') :]
    assert plan.title in listed and "KH Hoàn Kiếm" not in listed
    assert (
        f'href="/ke-hoach/{plan.pk}/ke-hoach-don-vi/" data-district-plans>1 kế hoạch của đơn vị</a>' in page
    )


def _hoan_kiem_plan(client, plan) -> Plan:
    client.post(
        f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/",
        {
            "unit": unit(HOAN_KIEM).pk,
            "title": "KH Hoàn Kiếm",
            "number": "18/KH-UBND",
            "issued_on": "10/02/2014",
        },
    )
    return Plan.objects.get(parent=plan)


def test_the_coordinator_edits_a_district_plan_and_its_quotas_and_too_much_is_refused_with_nothing_saved(
    plan, coordinator, client_for
):
    client = client_for(coordinator)
    sub = _hoan_kiem_plan(client, plan)
    t03 = plan.targets.get(code="T03")
    goal = int(t03.value)
    breakdowns_set(target=t03, actor=coordinator, values={unit(BA_DINH): Decimal(goal - 100)})
    url = f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/sua/"
    page = client.get(url).content.decode()
    assert f'name="quota-{t03.pk}"' in page and 'value="KH Hoàn Kiếm"' in page
    # Hoàn Kiếm's 150 with Ba Đình's (goal - 100) goes over the city's target: refused, title unchanged.
    page = client.post(
        url, {"title": "KH Hoàn Kiếm (sửa)", "number": "19/KH-UBND", f"quota-{t03.pk}": "150"}
    ).content.decode()
    total = f"{goal + 50:,}".replace(",", ".")
    assert f"Tổng chỉ tiêu giao cho các đơn vị ({total}) vượt chỉ tiêu T03 của thành phố" in page
    sub.refresh_from_db()
    assert (sub.title, sub.number) == ("KH Hoàn Kiếm", "18/KH-UBND")
    assert not TargetBreakdown.objects.filter(target=t03, unit=unit(HOAN_KIEM)).exists()
    response = client.post(
        url, {"title": "KH Hoàn Kiếm (sửa)", "number": "19/KH-UBND", f"quota-{t03.pk}": "80"}
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.title, sub.number) == ("KH Hoàn Kiếm (sửa)", "19/KH-UBND")
    assert TargetBreakdown.objects.get(target=t03, unit=unit(HOAN_KIEM)).value == 80
    page = client.get(f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/").content.decode()
    given = re.search(r'<tr data-target="T03">.*?data-given>([^<]*)<', page, re.S).group(1)
    assert given.strip() == "80"


def test_a_district_office_edits_its_plan_without_quotas_and_a_date_outside_the_year_is_refused(
    plan, district_officer, other_district_officer, client_for
):
    client = client_for(district_officer)
    sub = _hoan_kiem_plan(client, plan)
    url = f"/ke-hoach/ke-hoach-don-vi/{sub.pk}/sua/"
    page = client.get(url).content.decode()
    assert "quota-" not in page  # the city gives quotas, not the district
    page = client.post(url, {"title": "KH mới", "issued_on": "01/01/2015"}).content.decode()
    assert "Ngày ban hành (01/01/2015) phải thuộc năm 2014 của kế hoạch." in page
    sub.refresh_from_db()
    assert sub.title == "KH Hoàn Kiếm"
    assert client_for(other_district_officer).get(url).status_code == 404


def test_editing_a_duty_moves_its_tasks_gives_new_agencies_theirs_and_keeps_a_begun_task(
    plan, district_officer, client_for
):
    client = client_for(district_officer)
    sub = _hoan_kiem_plan(client, plan)
    police, team = Agency.objects.get(code="01-002-police"), Agency.objects.get(code="01-002-team-178")
    committee = Agency.objects.get(code="01-002-committee")
    duty = district_duty_create(
        plan=sub,
        text="Kiểm tra.",
        agencies=[police, team],
        due_on=dt.date(2014, 6, 30),
        actor=district_officer,
    )
    url = f"/ke-hoach/ke-hoach-don-vi/nhiem-vu/{duty.pk}/sua/"
    response = client.post(
        url,
        {"text": "Kiểm tra cơ sở lưu trú.", "agencies": [police.pk, committee.pk], "due_on": "30/09/2014"},
    )
    assert response.status_code == 302
    tasks = {t.owner.code: t for t in Task.objects.filter(duty=duty).select_related("owner")}
    assert set(tasks) == {"01-002-police", "01-002-committee"}  # the team's task (not begun) is gone
    assert {t.due_on for t in tasks.values()} == {dt.date(2014, 9, 30)}
    assert ChangeRecord.objects.filter(model="plans.duty", object_id=str(duty.pk), action="update").exists()
    Task.objects.filter(pk=tasks["01-002-police"].pk).update(status="in-progress")
    page = client.post(
        url, {"text": "Kiểm tra cơ sở lưu trú.", "agencies": [committee.pk], "due_on": "31/12/2015"}
    ).content.decode()
    assert "Công an Quận Hoàn Kiếm đã bắt đầu hoặc hoàn thành công việc của nhiệm vụ này" in page
    assert "Hạn hoàn thành (31/12/2015) phải thuộc năm 2014 của kế hoạch." in page
    duty.refresh_from_db()
    assert duty.due_on == dt.date(2014, 9, 30) and Task.objects.filter(duty=duty).count() == 2
