from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lanhmanh.core.models import AccessRecord
from lanhmanh.support import services
from lanhmanh.support.models import Consent, ContactAttempt, OutreachTask, Referral, SupportCase
from tests.support.conftest import OPENED

pytestmark = pytest.mark.django_db

NOTE = "Muốn học nghề may, cần việc làm ổn định"
NAME = "Trần Thị Mai"


def soon(days=7):
    return timezone.localdate() + dt.timedelta(days=days)


def case_url(case):
    return reverse("support:case_detail", args=[case.pk])


def action_url(case, action):
    """One case action's own URL (each action is its own view: ``support:case_<action>``)."""
    return reverse(f"support:case_{action}", args=[case.pk])


def test_the_lead_worker_reads_the_case_and_the_read_is_logged(client_for, social_worker, case):
    response = client_for(social_worker).get(case_url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert NOTE in body and NAME in body
    access = AccessRecord.objects.get(actor=social_worker)
    assert (access.model, access.object_id, access.purpose, access.data_class) == (
        "support.supportcase",
        str(case.pk),
        "support",
        "support",
    )


def test_the_district_supervisor_reads_the_case(client_for, district_officer, case):
    assert NOTE in client_for(district_officer).get(case_url(case)).content.decode()


@pytest.mark.parametrize(
    "persona",
    [
        "police",
        "inspector",
        "commune_officer",  # same commune, but not one of the case's workers
        "other_commune_officer",
        "other_district_officer",
        "sysadmin",
        "health_worker",
        "licensing",
        "dpo",
        "court_clerk",
    ],
)
def test_everyone_else_gets_not_found_on_the_case_and_its_summary(request, client_for, persona, case):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(case_url(case)).status_code == 404
    assert client.get(reverse("support:case_summary", args=[case.pk])).status_code == 404
    assert client.post(action_url(case, "close"), {"close-closed_on": "2014-07-01"}).status_code == 404
    assert not AccessRecord.objects.filter(model="support.supportcase").exists()


def test_a_worker_added_to_a_case_reads_it(client_for, commune_officer, case):
    case.workers.add(commune_officer)
    assert client_for(commune_officer).get(case_url(case)).status_code == 200


def test_a_child_case_needs_the_child_class_even_for_a_team_member(
    client_for, social_worker, commune_officer, girl, trang_tien
):
    child_case = services.case_open(
        actor=social_worker,
        person=girl,
        unit=trang_tien,
        opened_on=OPENED,
        kind="child",
        consents=[("counselling", social_worker.agency)],
    )
    child_case.workers.add(commune_officer)
    assert client_for(social_worker).get(case_url(child_case)).status_code == 200
    assert client_for(commune_officer).get(case_url(child_case)).status_code == 404
    assert AccessRecord.objects.get(actor=social_worker).data_class == "child"


def test_health_details_are_hidden_from_a_social_worker(client_for, social_worker, case, clinic):
    services.consent_give(actor=social_worker, case=case, purpose="health", agency=clinic, given_on=OPENED)
    services.service_record(
        actor=social_worker,
        case=case,
        kind="testing",
        provider=clinic,
        given_on=OPENED,
        notes="Kết quả HIV âm tính",
    )
    body = client_for(social_worker).get(case_url(case)).content.decode()
    assert "Kết quả HIV âm tính" not in body
    assert "Chi tiết y tế chỉ cán bộ y tế xem được." in body


def test_a_referral_outside_consent_is_refused_on_the_case_page(client_for, social_worker, case, clinic):
    response = client_for(social_worker).post(
        action_url(case, "referral"),
        {
            "referral-to_agency": clinic.pk,
            "referral-purpose": "health",
            "referral-due_on": soon().isoformat(),
        },
    )
    assert response.status_code == 200
    assert (
        "Không thể chuyển gửi: người được hỗ trợ chưa đồng ý chia sẻ thông tin với “Trung tâm Y tế quận Hoàn Kiếm” "
        "cho mục đích “Y tế”." in response.content.decode()
    )
    assert Referral.objects.count() == 0


def test_a_service_before_the_case_opened_is_refused_on_the_case_page(
    client_for, social_worker, case, school
):
    response = client_for(social_worker).post(
        action_url(case, "service"),
        {
            "service-kind": "training",
            "service-provider": school.pk,
            "service-given_on": "2014-05-01",
        },
    )
    assert (
        "Ngày cung cấp dịch vụ (01/05/2014) không được trước ngày mở hồ sơ (02/06/2014)."
        in response.content.decode()
    )
    assert case.services.count() == 0


def test_unticking_a_consent_withdraws_it_and_ends_the_open_referral(client_for, social_worker, case, school):
    referral = services.referral_send(
        actor=social_worker, case=case, to_agency=school, purpose="training", due_on=soon()
    )
    kept = [f"c-{c.agency_id}-{c.purpose}" for c in case.consents.active() if c.purpose != "training"]
    response = client_for(social_worker).post(action_url(case, "consents"), dict.fromkeys(kept, "on"))
    assert response.status_code == 302
    assert list(
        Consent.objects.active().filter(case=case).values_list("purpose", flat=True).order_by("purpose")
    ) == [
        "counselling",
        "jobs",
    ]
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


def test_the_receiver_accepts_a_referral_with_htmx_and_the_sender_sees_it(
    client_for, social_worker, school_worker, case, school
):
    referral = services.referral_send(
        actor=social_worker, case=case, to_agency=school, purpose="training", due_on=soon()
    )
    receiver = client_for(school_worker)
    inbox = receiver.get(reverse("support:referral_inbox")).content.decode()
    assert NAME in inbox
    response = receiver.post(
        reverse("support:referral_respond", args=[referral.pk, "accept"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-status="accepted"' in response.content.decode()
    # The receiver never reaches the case page itself.
    assert receiver.get(case_url(case)).status_code == 404
    assert "Đã tiếp nhận" in client_for(social_worker).get(case_url(case)).content.decode()


@pytest.mark.parametrize("persona", ["police", "other_commune_officer", "health_worker", "social_worker"])
def test_other_agencies_do_not_see_the_referral(request, client_for, persona, social_worker, case, school):
    referral = services.referral_send(
        actor=social_worker, case=case, to_agency=school, purpose="training", due_on=soon()
    )
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("support:referral_detail", args=[referral.pk])).status_code == 404
    assert client.post(reverse("support:referral_respond", args=[referral.pk, "accept"])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_a_health_referral_reaches_only_health_staff_of_the_receiver(
    client_for, social_worker, clinic_worker, school_worker, case, clinic
):
    services.consent_give(actor=social_worker, case=case, purpose="health", agency=clinic, given_on=OPENED)
    referral = services.referral_send(
        actor=social_worker, case=case, to_agency=clinic, purpose="health", due_on=soon()
    )
    assert (
        client_for(clinic_worker).get(reverse("support:referral_detail", args=[referral.pk])).status_code
        == 200
    )


def test_overdue_referrals_show_on_both_home_pages(client_for, social_worker, school_worker, case, school):
    referral = services.referral_send(
        actor=social_worker, case=case, to_agency=school, purpose="training", due_on=soon()
    )
    Referral.objects.filter(pk=referral.pk).update(sent_on=dt.date(2014, 7, 1), due_on=dt.date(2014, 7, 15))
    sender_home = client_for(social_worker).get(reverse("home")).content.decode()
    receiver_home = client_for(school_worker).get(reverse("home")).content.decode()
    assert f'data-overdue-sent="{referral.pk}"' in sender_home
    assert f'data-overdue-received="{referral.pk}"' in receiver_home


def test_the_printable_summary_is_logged_as_a_data_subject_request(client_for, social_worker, case):
    body = client_for(social_worker).get(reverse("support:case_summary", args=[case.pk])).content.decode()
    assert NAME in body
    assert NOTE not in body  # the worker's assessment is not part of the summary handed out
    assert AccessRecord.objects.get(actor=social_worker).purpose == "data_subject"


def test_the_police_learn_only_that_a_case_exists(client_for, police, case):
    url = reverse("support:case_exists", args=[case.person.pk])
    response = client_for(police).post(url, {"purpose": "sanction"})
    body = response.content.decode()
    assert 'data-answer="yes"' in body
    assert NOTE not in body
    access = AccessRecord.objects.get(actor=police)
    assert (access.purpose, access.detail) == ("sanction", "Có hồ sơ hỗ trợ hay không")


def test_a_social_worker_records_contact_then_opens_a_case_with_consent(
    client_for, social_worker, woman, trang_tien, school
):
    task = services.outreach_task_create(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        agency=social_worker.agency,
        due_on=dt.date(2014, 6, 1),
    )
    client = client_for(social_worker)
    url = reverse("support:task_detail", args=[task.pk])
    made_on = timezone.localdate().isoformat()
    assert (
        client.post(
            url,
            {
                "action": "attempt",
                "attempt-made_on": made_on,
                "attempt-method": "visit",
                "attempt-result": "interested",
            },
        ).status_code
        == 302
    )
    assert ContactAttempt.objects.get().result == "interested"
    response = client.post(
        url,
        {
            "action": "open",
            "case-kind": "adult",
            "case-opened_on": made_on,
            "case-purposes": ["training", "jobs"],
            "case-agencies": [school.pk],
        },
    )
    case = SupportCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case_url(case)
    assert sorted(case.consents.values_list("agency__name", "purpose")) == sorted(
        [
            (social_worker.agency.name, "training"),
            (social_worker.agency.name, "jobs"),
            (school.name, "training"),
            (school.name, "jobs"),
        ]
    )
    task.refresh_from_db()
    assert task.status == "case-opened"


def test_declining_on_the_task_page_ends_the_task(client_for, social_worker, woman, trang_tien):
    task = services.outreach_task_create(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        agency=social_worker.agency,
        due_on=dt.date(2014, 6, 1),
    )
    response = client_for(social_worker).post(
        reverse("support:task_detail", args=[task.pk]),
        {"action": "decline", "decline-declined_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "declined"


@pytest.mark.parametrize(
    "persona", ["police", "inspector", "other_commune_officer", "other_district_officer", "sysadmin"]
)
def test_outsiders_get_not_found_on_the_outreach_task(
    request, client_for, persona, social_worker, woman, trang_tien
):
    task = services.outreach_task_create(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        agency=social_worker.agency,
        due_on=dt.date(2014, 6, 1),
    )
    assert (
        client_for(request.getfixturevalue(persona))
        .get(reverse("support:task_detail", args=[task.pk]))
        .status_code
        == 404
    )


def test_the_caseload_puts_due_follow_ups_first(client_for, social_worker, case, trang_tien):
    from lanhmanh.people.models import Person

    other = Person(full_name="Đỗ Thị Lan", birth_year=1988, sex="female", permanent_unit=trang_tien)
    other.save()
    later = services.case_open(
        actor=social_worker,
        person=other,
        unit=trang_tien,
        opened_on=OPENED,
        consents=[("counselling", social_worker.agency)],
    )
    services.follow_up_plan(actor=social_worker, case=case, due_on=dt.date(2014, 8, 1))
    services.follow_up_plan(actor=social_worker, case=later, due_on=dt.date(2014, 7, 1))
    body = client_for(social_worker).get(reverse("support:caseload")).content.decode()
    assert body.index(f'data-case="{later.pk}"') < body.index(f'data-case="{case.pk}"')


def test_the_supervisor_sees_caseloads_per_worker(client_for, district_officer, case):
    body = client_for(district_officer).get(reverse("support:caseload")).content.decode()
    assert "data-supervised" in body
    assert "Social_Worker" in body


@pytest.mark.parametrize("persona", ["police", "inspector", "sysadmin", "licensing"])
def test_the_caseload_is_not_found_for_roles_without_casework(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("support:caseload")).status_code == 404


def test_a_manual_task_creates_the_person_and_the_task(client_for, social_worker, trang_tien):
    response = client_for(social_worker).post(
        reverse("support:task_create"),
        {
            "task-full_name": "Vũ Thị Hằng",
            "task-sex": "female",
            "task-birth_year": "1995",
            "task-unit": trang_tien.pk,
            "task-due_on": "2014-07-01",
        },
    )
    task = OutreachTask.objects.get()
    assert response["Location"] == reverse("support:task_detail", args=[task.pk])
    assert (task.source, task.person.full_name, task.agency) == (
        "manual",
        "Vũ Thị Hằng",
        social_worker.agency,
    )


def test_the_caseload_hides_names_until_a_purpose_is_stated_then_logs_each_listing(
    client_for, social_worker, case, woman
):
    client = client_for(social_worker)
    url = reverse("support:caseload")
    body = client.get(url).content.decode()
    assert f'data-case="{case.pk}"' in body
    assert woman.full_name not in body
    assert 'value="" selected' in body  # no purpose preselected
    assert not AccessRecord.objects.filter(actor=social_worker, object_id=str(woman.pk)).exists()

    refused = client.post(url, {"purpose": "", "detail": ""}).content.decode()
    assert "Chọn mục đích xem trước khi xem thông tin nhân thân." in refused
    assert woman.full_name not in refused

    assert client.post(url, {"purpose": "support", "detail": ""}).status_code == 302
    assert woman.full_name in client.get(url).content.decode()
    client.get(url)
    reads = AccessRecord.objects.filter(actor=social_worker, model="people.person", object_id=str(woman.pk))
    assert list(reads.values_list("purpose", flat=True)) == ["support", "support"]

    assert client.get(url + "?an-ten=1").status_code == 302
    assert woman.full_name not in client.get(url).content.decode()


def test_the_person_page_lists_the_persons_support_cases(client_for, district_officer, case, woman):
    client = client_for(district_officer)
    url = reverse("people:person_detail", args=[woman.pk])
    client.post(url, {"purpose": "support", "detail": ""})
    body = client.get(url).content.decode()
    assert "data-support-cases" in body
    assert reverse("support:case_detail", args=[case.pk]) in body
    assert "Chưa có hồ sơ hỗ trợ nào." not in body


def test_the_case_page_opens_on_a_summary_with_its_sections_as_tabs(client_for, social_worker, case):
    body = client_for(social_worker).get(case_url(case)).content.decode()
    assert "data-case-summary" in body and "0 chuyển gửi đang chờ" in body
    assert body.count("data-tab-pane=") == 7
    assert 'data-active-tab=""' in body
    # A refused form re-renders on its own tab.
    refused = client_for(social_worker).post(action_url(case, "referral"), {}).content.decode()
    assert 'data-active-tab="chuyen-gui"' in refused
