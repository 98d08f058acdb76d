"""Activities under a duty for audience groups (issue 15, item 6), and allocation plans with approval."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.models import Activity, AllocationStatus, AudienceGroup, FundingSource, Plan
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.services import (
    allocation_create,
    allocation_decide,
    allocation_submit,
    budget_line_create,
)
from tests.conftest import TRANG_TIEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_plan_2014()


def test_the_priority_audiences_of_the_plan_are_data(plan):
    priority = set(AudienceGroup.objects.filter(priority=True).values_list("code", flat=True))
    assert priority == {"giap-ranh", "sinh-vien", "lao-dong-ngoai-tinh", "nguy-co-cao", "da-vi-pham"}
    assert AudienceGroup.objects.get(code="sinh-vien").source.endswith("mục II.2.2")


def test_a_commune_officer_records_a_campaign_for_a_priority_audience_under_a_duty(
    plan, commune_officer, client_for
):
    duty = plan.duties.filter(group=16).order_by("order").first()
    students = AudienceGroup.objects.get(code="sinh-vien")
    client = client_for(commune_officer)
    form = client.get("/ke-hoach/hoat-dong/moi/").content.decode()
    assert "Khu vực nhiều trường đại học, khu trọ của sinh viên (nhóm ưu tiên)" in form
    response = client.post(
        "/ke-hoach/hoat-dong/moi/",
        {
            "plan": plan.pk,
            "duty": duty.pk,
            "kind": "campaign",
            "title": "Tuyên truyền tại khu trọ sinh viên",
            "held_on": "12/09/2014",
            "unit": AdministrativeUnit.objects.get(path=TRANG_TIEN).pk,
            "audience_groups": [students.pk],
            "channel": "print",
            "participants_male": 30,
            "participants_female": 45,
            "materials": 300,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(title="Tuyên truyền tại khu trọ sinh viên")
    assert (activity.plan, activity.duty, activity.channel) == (plan, duty, "print")
    assert list(activity.audience_groups.all()) == [students]
    change = ChangeRecord.objects.get(model="plans.activity", object_id=str(activity.pk))
    assert change.after["audience_groups"] == ["sinh-vien"]
    listing = client.get("/ke-hoach/hoat-dong/").content.decode()
    assert "Khu vực nhiều trường đại học, khu trọ của sinh viên" in listing
    assert f">16.{duty.order}<" in listing


def test_a_duty_of_another_plan_or_a_day_outside_the_plan_year_is_refused(plan, commune_officer, client_for):
    other = Plan.objects.create(
        title="Kế hoạch khác", year=2015, scope_unit=plan.scope_unit, authority=plan.authority
    )
    foreign = other.duties.create(group=16, group_title="UBND", order=1, text="Nhiệm vụ năm 2015")
    response = client_for(commune_officer).post(
        "/ke-hoach/hoat-dong/moi/",
        {
            "plan": plan.pk,
            "duty": foreign.pk,
            "kind": "campaign",
            "title": "Tuyên truyền",
            "held_on": "12/09/2013",
            "unit": AdministrativeUnit.objects.get(path=TRANG_TIEN).pk,
            "channel": "direct",
            "participants_male": 1,
            "participants_female": 1,
            "materials": 0,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nhiệm vụ này thuộc kế hoạch khác, không thuộc kế hoạch đã chọn." in page
    assert "Ngày tổ chức (12/09/2013) không thuộc năm 2014 của kế hoạch." in page
    assert not Activity.objects.filter(title="Tuyên truyền").exists()


def _line(plan, agency, allocation=None, **extra):
    return budget_line_create(
        actor=None,
        plan=plan,
        agency=agency,
        allocation=allocation,
        title=extra.pop("title", "Tuyên truyền"),
        recorded_on=dt.date(2014, 3, 1),
        allocated=Decimal(60_000_000),
        disbursed=Decimal(0),
        spent=Decimal(0),
        **extra,
    )


def test_an_allocation_plan_is_submitted_then_approved_and_its_lines_lock(
    plan, district_officer, coordinator
):
    labour = district_officer.agency
    allocation = allocation_create(plan=plan, agency=labour, title="Phân bổ 2014", actor=district_officer)
    with pytest.raises(ValidationError, match="chưa có dòng kinh phí nào"):
        allocation_submit(allocation=allocation, actor=district_officer)
    _line(plan, labour, allocation, funding_source=FundingSource.DISTRICT)
    allocation_submit(allocation=allocation, actor=district_officer)
    with pytest.raises(ValidationError, match="đã trình hoặc đã phê duyệt"):
        _line(plan, labour, allocation, title="Thêm sau khi trình")
    with pytest.raises(ValidationError, match="không tự ghi quyết định"):
        allocation_decide(allocation=allocation, actor=district_officer, approve=True, decision_number="1/QĐ")
    allocation_decide(
        allocation=allocation,
        actor=coordinator,
        approve=True,
        decision_number="215/QĐ-UBND",
        decision_date=dt.date(2014, 3, 20),
    )
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.APPROVED
    assert allocation.lines.count() == 1
    with pytest.raises(ValidationError, match="không ở trạng thái chờ phê duyệt"):
        allocation_decide(allocation=allocation, actor=coordinator, approve=False, return_reason="Sai")


def test_a_line_cannot_join_another_agencys_allocation(plan, district_officer, other_district_officer):
    allocation = allocation_create(
        plan=plan, agency=district_officer.agency, title="Phân bổ", actor=district_officer
    )
    with pytest.raises(ValidationError, match="không phải của cơ quan bạn"):
        _line(plan, other_district_officer.agency, allocation)


def test_budget_page_and_allocation_approval_through_the_screens(
    plan, district_officer, coordinator, client_for
):
    district = client_for(district_officer)
    response = district.post(f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/", {"title": "Phân bổ quận Hoàn Kiếm"})
    allocation = district_officer.agency.allocations.get()
    assert response["Location"].endswith(f"/kinh-phi/phan-bo/{allocation.pk}/")
    response = district.post(
        f"/ke-hoach/{plan.pk}/kinh-phi/",
        {
            "title": "Tuyên truyền tại các phường",
            "funding_source": "district",
            "allocation": allocation.pk,
            "recorded_on": "01/04/2014",
            "allocated": "60000000",
            "disbursed": "0",
            "spent": "0",
        },
    )
    assert response.status_code == 302
    district.post(f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/{allocation.pk}/", {"action": "submit"})
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.SUBMITTED
    # The submitter sees no decision form; the coordinator does, and a decision needs its number and date.
    assert (
        "Ghi quyết định"
        not in district.get(f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/{allocation.pk}/").content.decode()
    )
    city = client_for(coordinator)
    page = city.post(
        f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/{allocation.pk}/", {"decision": "approve"}
    ).content.decode()
    assert "Cần ghi số quyết định phê duyệt, ví dụ 1234/QĐ-UBND." in page
    assert "Cần ghi ngày của quyết định phê duyệt (dd/mm/yyyy)." in page
    city.post(
        f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/{allocation.pk}/",
        {"decision": "approve", "decision_number": "215/QĐ-UBND", "decision_date": "20/03/2014"},
    )
    allocation.refresh_from_db()
    assert (allocation.status, allocation.decision_number) == (AllocationStatus.APPROVED, "215/QĐ-UBND")
    budget = city.get(f"/ke-hoach/{plan.pk}/kinh-phi/").content.decode()
    assert "Ngân sách quận, huyện" in budget and "60.000.000" in budget
    assert "215/QĐ-UBND, 20/03/2014" in budget


def test_another_agencys_allocation_is_not_found(plan, district_officer, other_district_officer, client_for):
    allocation = allocation_create(
        plan=plan, agency=district_officer.agency, title="Phân bổ", actor=district_officer
    )
    url = f"/ke-hoach/{plan.pk}/kinh-phi/phan-bo/{allocation.pk}/"
    assert client_for(other_district_officer).get(url).status_code == 404


def test_group_16_goes_to_the_committees_and_its_commune_sub_duties_to_every_commune(plan, commune_officer):
    from lanhmanh.plans.selectors import tasks_for

    district_duties = plan.duties.filter(group=16, addressee_level=2)
    commune_duties = plan.duties.filter(group=16, addressee_level=3)
    assert (district_duties.count(), commune_duties.count()) == (7, 4)
    assert commune_duties.first().text.startswith("Chỉ đạo UBND các xã, phường, thị trấn")
    assert {t.owner.kind for t in district_duties.first().tasks.all()} == {"committee"}
    assert district_duties.first().tasks.count() == 30
    own = list(tasks_for(commune_officer))
    assert len(own) == 4 and {t.owner.unit_id for t in own} == {commune_officer.agency.unit_id}


def test_duties_carry_due_dates_targets_and_section_ii_is_plan_content(plan, coordinator, client_for):
    plan_duty = plan.duties.get(group=2, order=2)  # the police: "triệt phá 180 vụ án mại dâm …"
    assert plan_duty.due_on == dt.date(2014, 3, 31)
    assert {"T01", "T02"} <= set(plan_duty.targets.values_list("code", flat=True))
    assert plan.duties.exclude(due_on=dt.date(2014, 12, 31)).count() >= 10  # not all on 31/12
    assert list(plan.sections.values_list("code", flat=True))[:3] == ["II", "II.1", "II.2"]
    client = client_for(coordinator)
    page = client.get(f"/ke-hoach/{plan.pk}/noi-dung/").content.decode()
    assert "Công tác tuyên truyền giáo dục phòng ngừa" in page and "khu trọ của sinh viên" in page
    page = client.get(f"/ke-hoach/{plan.pk}/nhiem-vu/").content.decode()
    assert page.count("<tr data-duty=") == plan.duties.count()
    assert "UBND các xã, phường, thị trấn" in page


def test_the_coordinator_moves_a_duty_due_date_and_its_open_tasks_follow(plan, coordinator, client_for):
    duty = plan.duties.get(group=16, order=1)
    t01 = plan.targets.get(code="T01")
    client = client_for(coordinator)
    response = client.post(
        f"/ke-hoach/nhiem-vu/{duty.pk}/sua/", {"due_on": "30/06/2015", "targets": [t01.pk]}
    )
    assert "Hạn hoàn thành (30/06/2015) phải thuộc năm 2014 của kế hoạch." in response.content.decode()
    response = client.post(
        f"/ke-hoach/nhiem-vu/{duty.pk}/sua/", {"due_on": "30/06/2014", "targets": [t01.pk]}
    )
    assert response.status_code == 302
    assert set(duty.tasks.values_list("due_on", flat=True)) == {dt.date(2014, 6, 30)}
    assert list(duty.targets.all()) == [t01]
    change = ChangeRecord.objects.filter(model="plans.duty", object_id=str(duty.pk)).get()
    assert change.before["due_on"] == "2014-03-31" and change.after["tasks_moved"] == 30


def test_only_the_coordinator_edits_duties(plan, district_officer, client_for):
    duty = plan.duties.first()
    assert client_for(district_officer).get(f"/ke-hoach/nhiem-vu/{duty.pk}/sua/").status_code == 404
