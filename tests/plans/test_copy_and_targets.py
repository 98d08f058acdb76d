"""Next year's plan: copy a plan with its targets and duties, then edit the targets (bad input refused)."""

import re

import pytest

from lanhmanh.core.models import ChangeRecord
from lanhmanh.indicators.models import Indicator
from lanhmanh.org.models import Agency
from lanhmanh.plans.models import Plan, Target, Task
from lanhmanh.plans.plan_2014 import load_plan_2014

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_plan_2014()


def errors(page: str) -> list[str]:
    return re.findall(r'<div class="text-danger small" role="alert">(.*?)</div>', page)


def test_the_coordinator_copies_the_plan_into_2015_with_targets_and_duties(plan, coordinator, client_for):
    client = client_for(coordinator)
    form = client.get(f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/").content.decode()
    assert 'name="year" value="2015"' in form
    response = client.post(f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/", {"year": "2015", "number": "99/KH-UBND"})
    new = Plan.objects.get(year=2015)
    assert response.status_code == 302 and response["Location"] == f"/ke-hoach/{new.pk}/chi-tieu/"
    assert new.title == "Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2015"
    assert new.copied_from == plan and new.number == "99/KH-UBND"
    assert list(new.targets.values_list("code", flat=True)) == [f"T{i:02d}" for i in range(1, 11)]
    assert new.duties.count() == plan.duties.count()
    assert Task.objects.filter(duty__plan=new).count() == Task.objects.filter(duty__plan=plan).count()
    # Due dates move by a year, duty by duty; the links to targets and section II come along.
    assert {(d.due_on.year, d.due_on.month) for d in new.duties.all()} == {
        (2015, d.due_on.month) for d in plan.duties.all()
    }
    assert set(Task.objects.filter(duty__plan=new).values_list("due_on", flat=True)) == set(
        new.duties.values_list("due_on", flat=True)
    )
    assert set(new.duties.get(group=2, order=2).targets.values_list("plan", flat=True)) == {new.pk}
    assert new.sections.count() == plan.sections.count()
    assert list(new.targets.get(code="T02").items.values_list("name", flat=True)) == list(
        plan.targets.get(code="T02").items.values_list("name", flat=True)
    )
    page = client.get(response["Location"]).content.decode()
    assert page.count("<tr data-target=") == 10
    assert "Đã sao kế hoạch sang năm 2015: 10 chỉ tiêu" in page


def test_copying_refuses_a_year_that_is_not_later_or_already_copied(plan, coordinator, client_for):
    client = client_for(coordinator)
    url = f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/"
    page = client.post(url, {"year": "2014"}).content.decode()
    assert errors(page) == ["Năm của kế hoạch mới (2014) phải sau năm 2014 của kế hoạch gốc."]
    assert client.post(url, {"year": "2015"}).status_code == 302
    page = client.post(url, {"year": "2015"}).content.decode()
    assert errors(page) == ["Kế hoạch này đã được sao sang năm 2015."]
    page = client.post(url, {"year": "abc"}).content.decode()
    assert errors(page) == ["Năm của kế hoạch mới phải là một số, ví dụ 2015."]
    assert Plan.objects.filter(year=2015).count() == 1


def test_only_the_coordinator_copies_plans_and_edits_targets(plan, district_officer, police, client_for):
    target = plan.targets.get(code="T01")
    for user in (district_officer, police):
        client = client_for(user)
        assert client.get(f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/").status_code == 404
        assert client.post(f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/", {"year": "2015"}).status_code == 404
        assert client.get(f"/ke-hoach/chi-tieu/{target.pk}/sua/").status_code == 404
        page = client.get(f"/ke-hoach/{plan.pk}/chi-tieu/").content.decode()
        assert page.count("<tr data-target=") == 10 and "/sua/" not in page
    assert not Plan.objects.filter(year=2015).exists()


def target_post(target, **changes):
    data = {
        "title": target.title,
        "kind": target.kind,
        "indicator": target.indicator_id or "",
        "value": target.value if target.value is not None else "",
        "second_indicator": target.second_indicator_id or "",
        "second_value": target.second_value if target.second_value is not None else "",
        "min_value": target.min_value if target.min_value is not None else "",
        "max_value": target.max_value if target.max_value is not None else "",
        "lead_agencies": [a.pk for a in target.lead_agencies.all()],
        "supporting_agencies": [a.pk for a in target.supporting_agencies.all()],
        "note": target.note,
    }
    data.update(changes)
    return data


def test_the_coordinator_edits_a_target_of_the_new_year(plan, coordinator, client_for):
    client = client_for(coordinator)
    client.post(f"/ke-hoach/{plan.pk}/sao-sang-nam-sau/", {"year": "2015"})
    target = Target.objects.get(plan__year=2015, code="T01")
    url = f"/ke-hoach/chi-tieu/{target.pk}/sua/"
    assert client.get(url).status_code == 200
    response = client.post(url, target_post(target, value="200", title="Triệt phá 200 vụ."))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 200 and target.title == "Triệt phá 200 vụ."
    assert plan.targets.get(code="T01").value == 180  # the 2014 plan is untouched
    change = ChangeRecord.objects.filter(object_id=str(target.pk), action="update").latest("pk")
    assert change.before["value"] in ("180.00", 180, "180") and change.after["value"] in (
        "200.00",
        200,
        "200",
    )


@pytest.mark.parametrize(
    ("code", "changes", "field_error"),
    [
        ("T01", {"indicator": ""}, "Chỉ tiêu phải gắn với một chỉ số để theo dõi tiến độ."),
        ("T08", {"min_value": "70", "max_value": "60"}, "Giá trị “từ” (70) lớn hơn giá trị “đến” (60)."),
        ("T10", {"value": "120"}, "Tỷ lệ không được vượt quá 100%."),
        ("T01", {"value": "-5"}, "Giá trị chỉ tiêu không được âm."),
        ("T01", {"lead_agencies": []}, "Chỉ tiêu cần ít nhất một cơ quan chủ trì."),
    ],
)
def test_bad_target_input_is_refused_in_vietnamese_and_nothing_is_saved(
    plan, coordinator, client_for, code, changes, field_error
):
    target = plan.targets.get(code=code)
    before = (target.indicator_id, target.value, target.min_value, target.max_value, target.title)
    data = target_post(target, title="Đổi tên", **changes)
    page = client_for(coordinator).post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", data).content.decode()
    assert field_error in page
    target.refresh_from_db()
    assert (target.indicator_id, target.value, target.min_value, target.max_value, target.title) == before
    assert not ChangeRecord.objects.filter(object_id=str(target.pk), action="update").exists()


def test_the_target_form_offers_the_city_agencies_and_the_indicators(plan, coordinator, client_for):
    target = plan.targets.get(code="T05")
    page = client_for(coordinator).get(f"/ke-hoach/chi-tieu/{target.pk}/sua/").content.decode()
    court = Agency.objects.get(code="01-court")
    assert f'<option value="{court.pk}" selected>' in page
    assert (
        page.count('<option value="', page.index('name="lead_agencies"'))
        >= Agency.objects.filter(unit=plan.scope_unit).count()
    )
    assert Indicator.objects.get(code="enforcement.trial_cases").name in page
