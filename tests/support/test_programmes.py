"""Programme management: create and edit (city coordinator, district labour), budget against services
paid, the enrolment page, and the services a programme pays for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.support import selectors, services
from lanhmanh.support.models import Programme, Service
from tests.support.conftest import OPENED

pytestmark = pytest.mark.django_db

FORM = {
    "programme-code": "plan-2012-2015",
    "programme-name": "Dự án hòa nhập cộng đồng (Plan tài trợ)",
    "programme-funder": "Tổ chức Plan",
    "programme-starts_on": "2012-01-01",
    "programme-ends_on": "2015-12-31",
    "programme-budget": "1200000000",
    "programme-women_only": "on",
    "programme-min_age": "16",
    "programme-max_age": "30",
    "programme-case_kinds": ["adult", "child"],
    "programme-service_kinds": ["training", "job"],
}


def errors_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def enrolled(social_worker, case, programme_1993):
    programme_1993.budget = 10_000_000
    programme_1993.service_kinds = ["training", "job"]
    programme_1993.save()
    return services.enrolment_create(
        actor=social_worker, programme=programme_1993, case=case, enrolled_on=OPENED
    )


def pay(social_worker, case, programme, school, *, kind="training", cost=3_000_000):
    return services.service_record(
        actor=social_worker,
        case=case,
        kind=kind,
        provider=school,
        given_on=OPENED + dt.timedelta(days=3),
        programme=programme,
        cost=cost,
    )


# Create and edit ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "district_officer"])
def test_the_coordinator_and_district_labour_create_a_programme(request, client_for, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("support:programme_create"), FORM)
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("support:programme_detail", args=[programme.pk])
    assert (
        programme.budget,
        programme.min_age,
        programme.max_age,
        programme.case_kinds,
        programme.service_kinds,
    ) == (
        1_200_000_000,
        16,
        30,
        ["adult", "child"],
        ["training", "job"],
    )
    row = ChangeRecord.objects.get(model="support.programme", action="create")
    assert row.actor_id == user.pk


def test_editing_a_programme_is_audited(client_for, coordinator, programme_1993):
    url = reverse("support:programme_edit", args=[programme_1993.pk])
    assert "Chương trình 1993/CTr-SLĐTBXH" in client_for(coordinator).get(url).content.decode()
    response = client_for(coordinator).post(
        url, {**FORM, "programme-code": "ctr-1993", "programme-budget": "500000000"}
    )
    assert response.status_code == 302
    programme_1993.refresh_from_db()
    assert programme_1993.budget == 500_000_000
    row = ChangeRecord.objects.get(model="support.programme", action="update")
    assert (row.before["budget"], row.after["budget"]) == (None, 500_000_000)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"programme-ends_on": "2011-12-31"},
            "ends_on",
            "Ngày kết thúc phải từ ngày bắt đầu (01/01/2012) trở đi.",
        ),
        ({"programme-max_age": "15"}, "max_age", "Tuổi tối đa phải lớn hơn hoặc bằng tuổi tối thiểu (16)."),
        (
            {"programme-service_kinds": []},
            "service_kinds",
            "Chọn ít nhất một loại dịch vụ chương trình chi trả.",
        ),
        ({"programme-code": "ctr-1993"}, "code", "Mã “ctr-1993” đã được dùng cho chương trình khác."),
    ],
)
def test_bad_input_is_named_in_vietnamese_and_nothing_is_saved(
    client_for, coordinator, programme_1993, changes, field, message
):
    response = client_for(coordinator).post(reverse("support:programme_create"), {**FORM, **changes})
    assert response.status_code == 200
    body = errors_of(response)
    assert f'data-error-for="{field}">{message}</div>' in body
    assert Programme.objects.count() == 1


def test_the_budget_cannot_drop_below_what_was_paid(social_worker, coordinator, case, school, enrolled):
    pay(social_worker, case, enrolled.programme, school)
    with pytest.raises(ValidationError) as exc:
        services.programme_update(actor=coordinator, programme=enrolled.programme, budget=2_000_000)
    assert exc.value.message_dict == {
        "budget": ["Kinh phí không được nhỏ hơn số đã chi cho dịch vụ (3.000.000 đồng)."]
    }
    enrolled.programme.refresh_from_db()
    assert enrolled.programme.budget == 10_000_000


@pytest.mark.parametrize(
    "persona", ["social_worker", "commune_officer", "police", "inspector", "health_worker", "sysadmin", "dpo"]
)
def test_others_cannot_create_or_edit_programmes(request, client_for, persona, programme_1993):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("support:programme_create")).status_code == 404
    assert client.post(reverse("support:programme_create"), FORM).status_code == 404
    assert client.post(reverse("support:programme_edit", args=[programme_1993.pk]), FORM).status_code == 404
    assert Programme.objects.count() == 1
    assert not ChangeRecord.objects.filter(model="support.programme").exists()


# Services paid and the budget table -----------------------------------------------------------------------


def test_a_service_the_programme_does_not_pay_for_is_refused(social_worker, case, school, enrolled):
    with pytest.raises(ValidationError) as exc:
        pay(social_worker, case, enrolled.programme, school, kind="psych")
    assert exc.value.message_dict["kind"] == [
        "“Chương trình 1993/CTr-SLĐTBXH” không chi trả cho dịch vụ “Tư vấn tâm lý” (chỉ chi trả: Dạy nghề, "
        "Giới thiệu việc làm)."
    ]
    assert Service.objects.count() == 0


def test_a_service_over_the_remaining_budget_is_refused(social_worker, case, school, enrolled):
    pay(social_worker, case, enrolled.programme, school, cost=8_000_000)
    with pytest.raises(ValidationError) as exc:
        pay(social_worker, case, enrolled.programme, school, kind="job", cost=2_500_000)
    assert exc.value.message_dict["cost"] == [
        "Kinh phí 2.500.000 đồng vượt số còn lại của “Chương trình 1993/CTr-SLĐTBXH” (2.000.000 đồng)."
    ]
    assert Service.objects.count() == 1


def test_a_service_for_a_person_not_enrolled_is_refused(social_worker, case, school, programme_1993):
    with pytest.raises(ValidationError) as exc:
        pay(social_worker, case, programme_1993, school)
    assert exc.value.message_dict["programme"] == [
        "Người được hỗ trợ chưa tham gia “Chương trình 1993/CTr-SLĐTBXH”: ghi nhận tham gia trước khi ghi dịch vụ "
        "do chương trình chi trả."
    ]


def test_the_budget_table_sets_the_budget_against_the_services_paid(
    client_for, social_worker, district_officer, case, school, enrolled
):
    pay(social_worker, case, enrolled.programme, school, cost=3_000_000)
    pay(social_worker, case, enrolled.programme, school, kind="job", cost=500_000)
    assert selectors.programme_budget_table(enrolled.programme) == [
        {"kind": "Giới thiệu việc làm", "count": 1, "persons": 1, "total": 500_000},
        {"kind": "Dạy nghề", "count": 1, "persons": 1, "total": 3_000_000},
    ]
    body = (
        client_for(district_officer)
        .get(reverse("support:programme_detail", args=[enrolled.programme.pk]))
        .content.decode()
    )
    assert "data-paid>3.500.000<" in body
    assert "data-left>6.500.000<" in body
    (row,) = selectors.programmes_overview()
    assert (row["paid"], row["left"], row["enrolled"], row["employed"]) == (3_500_000, 6_500_000, 1, 0)


@pytest.mark.parametrize("persona", ["police", "inspector", "health_worker", "licensing", "sysadmin", "dpo"])
def test_programme_pages_are_not_found_for_roles_without_casework(request, client_for, persona, enrolled):
    client = client_for(request.getfixturevalue(persona))
    pk = enrolled.programme.pk
    for url in (
        reverse("support:programme_list"),
        reverse("support:programme_detail", args=[pk]),
        reverse("support:programme_enrolments", args=[pk]),
    ):
        assert client.get(url).status_code == 404


# The enrolment page -------------------------------------------------------------------------------------


def test_the_enrolment_page_names_only_the_persons_of_readable_cases(
    client_for, social_worker, other_commune_officer, district_officer, enrolled
):
    url = reverse("support:programme_enrolments", args=[enrolled.programme.pk])
    body = client_for(social_worker).get(url).content.decode()
    assert "Trần Thị Mai" in body
    assert AccessRecord.objects.filter(actor=social_worker, model="people.person").count() == 1
    assert "Trần Thị Mai" in client_for(district_officer).get(url).content.decode()
    body = client_for(other_commune_officer).get(url).content.decode()
    assert "Trần Thị Mai" not in body
    assert "Còn 1 người tham gia thuộc hồ sơ khác." in body
    assert not AccessRecord.objects.filter(actor=other_commune_officer).exists()
