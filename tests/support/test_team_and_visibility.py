"""Case teams (add/remove, audited) and the tighter visibility of returning trafficking victims' cases."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lanhmanh.core.models import ChangeRecord
from lanhmanh.support import selectors, services
from tests.conftest import agency
from tests.support.conftest import OPENED

pytestmark = pytest.mark.django_db

VISIBILITY_TRAFFICKING = (
    "Hồ sơ nạn nhân bị mua bán trở về: chỉ cán bộ phụ trách, cán bộ trong nhóm hỗ trợ và điều phối viên "
    "Chi cục PCTNXH thành phố."
)


@pytest.fixture
def trafficking_case(social_worker, woman, trang_tien):
    return services.case_open(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        opened_on=OPENED,
        kind="trafficking",
        returned_from="Trung Quốc",
        receiving_agency=agency("01", "dolisa-pctnxh"),
        consents=[("counselling", social_worker.agency)],
        assessment="Trở về qua cửa khẩu Lào Cai",
    )


def team_url(case):
    return reverse("support:case_team", args=[case.pk])


def case_url(case):
    return reverse("support:case_detail", args=[case.pk])


# Visibility of trafficking cases ----------------------------------------------------------------------


def test_a_trafficking_case_is_read_by_its_lead_and_the_city_coordinator(
    client_for, social_worker, coordinator, trafficking_case
):
    for user in (social_worker, coordinator):
        response = client_for(user).get(case_url(trafficking_case))
        assert response.status_code == 200
        assert VISIBILITY_TRAFFICKING in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["district_officer", "commune_officer", "police", "other_district_officer"]
)
def test_a_trafficking_case_is_hidden_from_district_supervisors_and_others(
    request, client_for, persona, trafficking_case
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(case_url(trafficking_case)).status_code == 404
    assert trafficking_case not in selectors.cases_visible(user)


def test_a_district_supervisor_still_reads_an_ordinary_case(district_officer, case):
    assert list(selectors.cases_visible(district_officer)) == [case]


def test_a_district_supervisor_added_to_the_team_reads_the_trafficking_case(
    client_for, social_worker, district_officer, trafficking_case
):
    services.case_team_add(actor=social_worker, case=trafficking_case, worker=district_officer)
    assert client_for(district_officer).get(case_url(trafficking_case)).status_code == 200


def test_the_district_caseload_overview_does_not_count_trafficking_cases(
    district_officer, trafficking_case, case
):
    assert [row["open_cases"] for row in selectors.caseloads_supervised(district_officer)] == [1]


# Case team --------------------------------------------------------------------------------------------


def test_the_lead_worker_adds_and_removes_a_worker_and_both_are_audited(
    client_for, social_worker, commune_officer, case
):
    client = client_for(social_worker)
    assert client.get(team_url(case)).status_code == 200
    response = client.post(team_url(case), {"action": "add", "team-worker": commune_officer.pk})
    assert response.status_code == 302
    assert list(case.workers.all()) == [commune_officer]
    assert client_for(commune_officer).get(case_url(case)).status_code == 200
    response = client.post(team_url(case), {"action": "remove", "worker": commune_officer.pk})
    assert response.status_code == 302
    assert list(case.workers.all()) == []
    assert client_for(commune_officer).get(case_url(case)).status_code == 404
    rows = ChangeRecord.objects.filter(model="support.supportcase", object_id=str(case.pk), action="update")
    assert [(r.before, r.after) for r in rows.order_by("pk")] == [
        ({"workers": []}, {"workers": [commune_officer.pk]}),
        ({"workers": [commune_officer.pk]}, {"workers": []}),
    ]
    assert all(r.actor_id == social_worker.pk for r in rows)


def test_the_district_supervisor_manages_the_team(client_for, district_officer, commune_officer, case):
    response = client_for(district_officer).post(
        team_url(case), {"action": "add", "team-worker": commune_officer.pk}
    )
    assert response.status_code == 302
    assert list(case.workers.all()) == [commune_officer]


def test_a_team_member_who_is_not_the_lead_cannot_manage_the_team(
    client_for, commune_officer, social_worker, case
):
    case.workers.add(commune_officer)
    assert client_for(commune_officer).get(team_url(case)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.case_team_remove(actor=commune_officer, case=case, worker=commune_officer)


@pytest.mark.parametrize(
    "persona",
    ["police", "inspector", "commune_officer", "other_district_officer", "health_worker", "sysadmin"],
)
def test_outsiders_get_not_found_on_the_team_page(request, client_for, persona, case):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(team_url(case)).status_code == 404
    assert client.post(team_url(case), {"action": "add", "team-worker": 1}).status_code == 404
    assert case.workers.count() == 0


def test_only_eligible_workers_are_offered_and_accepted(
    client_for, social_worker, police, other_commune_officer, case
):
    candidates = selectors.team_candidates(case)
    assert (
        police not in candidates
        and other_commune_officer not in candidates
        and social_worker not in candidates
    )
    response = client_for(social_worker).post(team_url(case), {"action": "add", "team-worker": police.pk})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in response.content.decode()
    with pytest.raises(ValidationError) as exc:
        services.case_team_add(actor=social_worker, case=case, worker=other_commune_officer)
    assert exc.value.message_dict["worker"] == [
        f"“{other_commune_officer}” không thể tham gia hồ sơ này: cần quyền xem dữ liệu hỗ trợ và thuộc cơ quan "
        "trên địa bàn của hồ sơ."
    ]
    assert case.workers.count() == 0


def test_adding_twice_or_the_lead_is_refused(social_worker, commune_officer, case):
    services.case_team_add(actor=social_worker, case=case, worker=commune_officer)
    with pytest.raises(ValidationError) as exc:
        services.case_team_add(actor=social_worker, case=case, worker=commune_officer)
    assert exc.value.message_dict["worker"] == [f"“{commune_officer}” đã ở trong nhóm hỗ trợ."]
    with pytest.raises(ValidationError) as exc:
        services.case_team_add(actor=social_worker, case=case, worker=social_worker)
    assert exc.value.message_dict["worker"] == [
        "Cán bộ phụ trách luôn thuộc nhóm hỗ trợ: không thêm hoặc bớt được."
    ]


def test_an_outreach_task_is_restricted_with_the_trafficking_case_of_its_person(
    client_for, social_worker, commune_officer, district_officer, coordinator, woman, trang_tien
):
    """Issue #21 item 16: the task stayed readable by every casework user in the area."""
    import datetime as dt

    task = services.outreach_task_create(
        actor=commune_officer,
        person=woman,
        unit=trang_tien,
        agency=commune_officer.agency,
        due_on=dt.date(2014, 6, 1),
    )
    url = reverse("support:task_detail", args=[task.pk])
    assert client_for(commune_officer).get(url).status_code == 200
    services.case_open(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        opened_on=OPENED,
        kind="trafficking",
        returned_from="Trung Quốc",
        receiving_agency=agency("01", "dolisa-pctnxh"),
        consents=[("counselling", social_worker.agency)],
        assessment="Trở về qua cửa khẩu Lào Cai",
    )
    for outsider in (commune_officer, district_officer):
        assert client_for(outsider).get(url).status_code == 404
        assert task not in selectors.tasks_visible(outsider)
    for insider in (social_worker, coordinator):
        assert client_for(insider).get(url).status_code == 200
