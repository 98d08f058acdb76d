import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lanhmanh.core.audit import history
from lanhmanh.indicators.evaluation import has_source
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import Activity, Duty, Target, TargetKind, Task, TaskStatus
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.progress import NO_DATA, ON_TRACK, plan_progress
from lanhmanh.plans.selectors import tasks_for
from lanhmanh.plans.services import activity_create, plan_copy, target_create, task_create, task_update
from tests.conftest import HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_plan_2014()


def test_the_2014_plan_has_ten_targets_with_their_values_and_leads(plan):
    targets = {t.code: t for t in plan.targets.prefetch_related("lead_agencies", "items")}
    assert sorted(targets) == [f"T{i:02d}" for i in range(1, 11)]
    leads = {code: sorted(a.code for a in t.lead_agencies.all()) for code, t in targets.items()}
    assert leads["T01"] == ["01-city-police"]
    assert leads["T03"] == ["01-city-police", "01-dolisa-inspectorate"]
    assert leads["T05"] == ["01-court", "01-procuracy"]
    assert leads["T07"] == ["01-dolisa", "01-womens-union"]
    assert leads["T08"] == ["01-city-team-178"]
    assert targets["T01"].value == 180
    assert (targets["T05"].kind, targets["T05"].value, targets["T05"].second_value) == (
        TargetKind.PAIR,
        150,
        180,
    )
    assert (targets["T08"].min_value, targets["T08"].max_value) == (40, 60)
    assert (targets["T10"].kind, targets["T10"].value) == (TargetKind.SHARE_OF_UNITS, 85)
    assert targets["T06"].value == 23
    assert targets["T09"].kind == TargetKind.DESIGNATED_UNITS
    hotspots = list(targets["T02"].items.all())
    assert [h.unit.name for h in hotspots] == ["Hoàn Kiếm", "Hai Bà Trưng"]
    assert (
        hotspots[1].name == "Đường Lê Duẩn, đoạn gần Công Viên Lê Nin, phường Lê Đại Hành, quận Hai Bà Trưng"
    )
    assert targets["T01"].indicator.code == "enforcement.criminal_cases_busted"


def test_the_2014_plan_has_the_sixteen_duty_lists_as_worded(plan):
    groups = dict(Duty.objects.filter(plan=plan).values_list("group", "group_title").distinct())
    assert sorted(groups) == list(range(1, 17))
    assert groups[2] == "Công an Thành phố"
    police_duties = list(Duty.objects.filter(plan=plan, group=2).values_list("text", flat=True))
    assert police_duties[1].startswith(
        "Xây dựng kế hoạch, đôn đốc công an các quận, huyện, thị xã triệt phá 180 vụ án"
    )
    assert Duty.objects.filter(plan=plan, group=13).get().agencies.count() == 2
    # Group 16 goes to every district committee (duties 1–7) and, for the commune sub-duties (8–11), to
    # every commune committee of 2014: one task per duty and committee.
    communes = Agency.objects.filter(kind="committee", unit__level=3, unit__path__startswith="01.").count()
    assert Task.objects.filter(duty__plan=plan, duty__group=16).count() == 7 * 30 + 4 * communes
    assert load_plan_2014() == plan  # idempotent


def test_targets_without_a_data_source_say_so_and_activities_are_live(plan, coordinator):
    rows = plan_progress(plan, "01", user=coordinator, today=dt.date(2014, 7, 2))
    # Which targets have a source depends on the modules installed; the status must say it plainly.
    assert [r.status == NO_DATA for r in rows] == [not has_source(r.target.indicator) for r in rows]
    assert rows[0].status != NO_DATA  # T01: counted from the criminal cases (enforcement.cases)
    assert all(r.achieved is None for r in rows if r.status == NO_DATA)


def test_a_district_breakdown_gives_the_goal_at_the_district(plan, coordinator):
    from lanhmanh.indicators.registry import ComputedSource, register, source_for, unregister

    real = source_for("enforcement.criminal_cases_busted")  # put back afterwards: other tests count cases
    register(
        ComputedSource(
            code="enforcement.criminal_cases_busted",
            name="x",
            name_en="x",
            unit="cases",
            queryset=lambda: Activity.objects.all(),
            unit_path="unit_path",
            date_field="held_on",
        )
    )
    try:
        t01 = plan.targets.get(code="T01")
        from lanhmanh.plans.services import breakdown_set

        breakdown_set(target=t01, unit=AdministrativeUnit.objects.get(path=HOAN_KIEM), value=Decimal(2))
        place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
        activity_create(
            actor=None,
            kind="training",
            title="x",
            held_on=dt.date(2014, 3, 1),
            unit=place,
            organiser=Agency.objects.filter(unit=place).first(),
        )
        row = plan_progress(plan, HOAN_KIEM, user=coordinator, today=dt.date(2014, 6, 30))[0]
        assert (row.goal, row.achieved.value, row.share_achieved, row.status) == (
            2,
            1,
            Decimal("50.0"),
            ON_TRACK,
        )
    finally:
        unregister("enforcement.criminal_cases_busted")
        if real is not None:
            register(real)


def test_bad_targets_are_refused_in_vietnamese(plan):
    city = plan.scope_unit
    indicator = Indicator.objects.get(code="plans.activities_held")
    cases = [
        (
            {"kind": TargetKind.AT_LEAST, "value": 5},
            "indicator",
            "Chỉ tiêu phải gắn với một chỉ số để theo dõi tiến độ.",
        ),
        (
            {"kind": TargetKind.RANGE, "min_value": 60, "max_value": 40, "indicator": indicator},
            "min_value",
            "Giá trị “từ” (60) lớn hơn giá trị “đến” (40).",
        ),
        (
            {"kind": TargetKind.SHARE_OF_UNITS, "value": 120, "indicator": indicator},
            "value",
            "Tỷ lệ không được vượt quá 100%.",
        ),
    ]
    for fields, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            target_create(plan=plan, code="T99", title="x", unit=city, **fields)
        assert caught.value.message_dict[field] == [message]
    assert not Target.objects.filter(code="T99").exists()


def test_a_task_due_before_its_plan_starts_is_refused(plan):
    duty = plan.duties.first()
    with pytest.raises(ValidationError) as caught:
        task_create(duty=duty, title="x", owner=duty.agencies.first(), due_on=dt.date(2013, 12, 31))
    assert caught.value.message_dict["due_on"] == [
        "Hạn hoàn thành (31/12/2013) trước khi kế hoạch bắt đầu (01/01/2014)."
    ]


def test_marking_a_task_done_needs_evidence_and_is_audited(plan, district_officer):
    task = tasks_for(district_officer).first()  # the district committee's, prepared by its labour office
    with pytest.raises(ValidationError):
        task_update(task=task, actor=district_officer, status=TaskStatus.DONE)
    task = task_update(
        task=task,
        actor=district_officer,
        status=TaskStatus.DONE,
        evidence_note="Đã ban hành kế hoạch quận.",
        today=dt.date(2014, 3, 1),
    )
    assert (task.status, task.done_on) == (TaskStatus.DONE, dt.date(2014, 3, 1))
    [change] = history(task)
    assert change.before["status"] == "not-started" and change.after["status"] == "done"


def test_copying_a_plan_into_the_next_year(plan):
    new = plan_copy(plan=plan, year=2015)
    assert new.title == "Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2015"
    assert new.targets.count() == 10
    assert new.duties.count() == plan.duties.count()
    assert set(Task.objects.filter(duty__plan=new).values_list("due_on", flat=True)) == {
        day.replace(year=2015)
        for day in Task.objects.filter(duty__plan=plan).values_list("due_on", flat=True)
    }
    assert [i.name for i in new.targets.get(code="T02").items.all()] == [
        i.name for i in plan.targets.get(code="T02").items.all()
    ]


def test_activities_in_the_future_or_with_negative_participants_are_refused():
    place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    with pytest.raises(ValidationError) as caught:
        activity_create(
            actor=None,
            kind="training",
            title="x",
            held_on=dt.date.today() + dt.timedelta(days=1),
            unit=place,
            organiser=Agency.objects.filter(unit=place).first(),
        )
    assert caught.value.message_dict["held_on"] == ["Ngày tổ chức không được ở tương lai."]
    assert not Activity.objects.exists()


# Views ----------------------------------------------------------------------------------------------


def test_the_coordinator_sees_all_ten_targets_and_drills_into_a_district(plan, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert page.count('data-target="T') == 10
    assert page.count("<h1") == 1
    assert "Chưa có nguồn số liệu" not in page  # every target of the plan has a source now
    assert "<script>" not in page and 'data-source="chart-by-unit"' in page
    district = client.get(f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}")
    assert district.status_code == 200
    assert "Quận Hoàn Kiếm" in district.content.decode()


def test_a_district_officer_cannot_open_another_district(plan, other_district_officer, client_for):
    client = client_for(other_district_officer)
    assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 200
    assert client.get(f"/ke-hoach/{plan.pk}/?unit={HOAN_KIEM}").status_code == 404


def test_a_commune_officer_records_a_training_and_the_dashboard_count_moves(
    plan, commune_officer, client_for
):
    client = client_for(commune_officer)
    place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    before = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "<span data-activities-total>0</span>" in before
    response = client.post(
        "/ke-hoach/hoat-dong/moi/",
        {
            "kind": "training",
            "title": "Tập huấn",
            "held_on": "2014-05-10",
            "unit": place.pk,
            "participants_male": 4,
            "participants_female": 11,
            "materials": 0,
        },
    )
    assert response.status_code == 302
    after = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "<span data-activities-total>1</span>" in after


def test_the_activity_form_refuses_negative_participants_in_vietnamese(commune_officer, client_for):
    place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    response = client_for(commune_officer).post(
        "/ke-hoach/hoat-dong/moi/",
        {
            "kind": "training",
            "title": "Tập huấn",
            "held_on": "2014-05-10",
            "unit": place.pk,
            "participants_male": -1,
            "participants_female": 3,
            "materials": 0,
        },
    )
    assert response.status_code == 200
    assert "Số người tham dự không được âm." in response.content.decode()
    assert not Activity.objects.exists()


def test_each_agency_sees_its_own_tasks_and_the_coordinator_sees_all_overdue_first(
    plan, district_officer, coordinator, client_for
):
    own = client_for(district_officer).get("/ke-hoach/cong-viec/").content.decode()
    assert own.count("data-task=") == 7  # group 16's duties 1–7, addressed to the district committees
    done = Task.objects.filter(owner=coordinator.agency).first()
    task_update(task=done, actor=coordinator, status=TaskStatus.DONE, evidence_note="x")
    page = client_for(coordinator).get("/ke-hoach/cong-viec/").content.decode()
    assert page.count("data-task=") == 50
    # Today is after 31/12/2014: every task but the done one is overdue and comes first.
    assert 'data-state="done"' not in page


def test_task_list_query_count_does_not_grow_with_tasks(plan, district_officer, coordinator, client_for):
    client = client_for(coordinator)
    with CaptureQueriesContext(connection) as queries:
        client.get("/ke-hoach/cong-viec/")
    assert len(queries) <= 12


def test_an_agency_cannot_open_another_agencys_task(
    plan, district_officer, other_district_officer, client_for
):
    task = tasks_for(district_officer).first()  # the district committee's, prepared by its labour office
    assert client_for(other_district_officer).get(f"/ke-hoach/cong-viec/{task.pk}/").status_code == 404
    response = client_for(district_officer).post(
        f"/ke-hoach/cong-viec/{task.pk}/", {"status": "done", "evidence_note": "", "evidence_link": ""}
    )
    assert "Công việc đã hoàn thành cần có kết quả hoặc minh chứng." in response.content.decode()
    response = client_for(district_officer).post(
        f"/ke-hoach/cong-viec/{task.pk}/",
        {"status": "done", "evidence_note": "Biên bản họp", "evidence_link": ""},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_plan_list_and_indicator_pages_render_for_a_commune_officer(plan, commune_officer, client_for):
    client = client_for(commune_officer)
    assert plan.title in client.get("/ke-hoach/").content.decode()
    assert "plans.activities_held" in client.get("/chi-so/").content.decode()
    assert client.get("/chi-so/plans.activities_held/?period=2014").status_code == 200
    assert "Mã kỳ “2014Q9” không hợp lệ" in client.get("/chi-so/org.communes/?period=2014Q9").content.decode()
    assert client.get(f"/chi-so/org.communes/?unit={HOAN_KIEM}").status_code == 404


def task_ids(body: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'data-task="(\d+)"', body)]


def test_the_task_list_filters_by_state_and_words_and_keeps_the_filter_across_pages(
    plan, coordinator, client_for
):
    client = client_for(coordinator)
    done = Task.objects.order_by("pk").first()
    task_update(task=done, actor=coordinator, status=TaskStatus.DONE, evidence_note="Biên bản")
    only_done = client.get("/ke-hoach/cong-viec/", {"state": "done"}).content.decode()
    assert task_ids(only_done) == [done.pk]
    word = done.title.split()[0]
    matching = Task.objects.filter(title__icontains=word).count()
    found = client.get("/ke-hoach/cong-viec/", {"q": word}).content.decode()
    assert len(task_ids(found)) == min(matching, 50)
    overdue = Task.objects.with_state().filter(state="overdue").count()
    assert overdue > 50
    first = client.get("/ke-hoach/cong-viec/", {"state": "overdue", "sap-xep": "-han"}).content.decode()
    assert 'href="?state=overdue&amp;sap-xep=-han&amp;trang=2"' in first
    second = client.get("/ke-hoach/cong-viec/", {"state": "overdue", "sap-xep": "-han", "trang": 2})
    shown = task_ids(first) + task_ids(second.content.decode())
    due = [Task.objects.get(pk=pk).due_on for pk in shown]
    assert due == sorted(due, reverse=True)
    assert 'data-state="done"' not in second.content.decode()


def test_the_task_list_sorts_by_agency_for_the_coordinator(plan, coordinator, client_for):
    body = client_for(coordinator).get("/ke-hoach/cong-viec/", {"sap-xep": "co-quan"}).content.decode()
    names = [Task.objects.get(pk=pk).owner.name for pk in task_ids(body)]
    assert names == sorted(names) or len(set(names)) == 1
    assert 'aria-sort="ascending"' in body


@pytest.mark.parametrize(
    "query",
    [{"state": "xong"}, {"sap-xep": "owner__password"}, {"plan": "abc"}, {"owner": "-1"}, {"trang": "x"}],
)
def test_the_task_list_falls_back_on_odd_parameters(plan, district_officer, client_for, query):
    response = client_for(district_officer).get("/ke-hoach/cong-viec/", query)
    assert response.status_code == 200
    assert len(task_ids(response.content.decode())) == 7
