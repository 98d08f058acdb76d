from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lanhmanh.core.audit import reason_text
from lanhmanh.core.models import ChangeRecord
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct
from lanhmanh.support import services
from lanhmanh.support.models import (
    Consent,
    ContactAttempt,
    Enrolment,
    OutreachTask,
    Referral,
    Service,
    SupportCase,
)
from tests.people.conftest import at
from tests.support.conftest import OPENED

pytestmark = pytest.mark.django_db


def sanction(police, person, trang_tien, *, role="seller", number="5/QĐ-XPHC"):
    violation = people_services.violation_record(
        actor=police,
        person=person,
        occurred_at=at("2014-05-10"),
        place_unit=trang_tien,
        act=LegalAct.objects.get(code="167-2013-23-1" if role == "seller" else "167-2013-22-1"),
        role=role,
        sanction={"number": number, "decided_on": dt.date(2014, 5, 12), "kind": "warning"}
        if role == "seller"
        else {"number": number, "decided_on": dt.date(2014, 5, 12), "kind": "fine", "amount": 500_000},
    )
    return violation.sanction


def test_a_sanction_of_a_woman_who_sold_sex_creates_a_task_for_her_commune_and_its_womens_union(
    police, woman, trang_tien
):
    decision = sanction(police, woman, trang_tien)
    tasks = list(OutreachTask.objects.order_by("pk"))
    assert [(t.agency.unit, t.agency.kind) for t in tasks] == [
        (trang_tien, "commune-social"),
        (trang_tien, "womens-union"),
    ]
    for task in tasks:
        assert (task.person, task.source, task.source_sanction, task.unit) == (
            woman,
            "sanction",
            decision,
            trang_tien,
        )
        assert task.due_on == dt.date(2014, 5, 26)
        assert task.status == "open"
        assert (
            ChangeRecord.objects.filter(
                model="support.outreachtask", object_id=str(task.pk), action="create"
            ).count()
            == 1
        )
    assert list(decision.outreach_tasks.order_by("pk")) == tasks


def test_one_task_per_sanction_and_agency(police, woman, trang_tien):
    from django.db import IntegrityError, transaction

    decision = sanction(police, woman, trang_tien)
    assert services.outreach_tasks_for_sanctions([decision]) == []
    task = OutreachTask.objects.filter(source_sanction=decision).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutreachTask.objects.create(
            person=woman,
            source="sanction",
            source_sanction=decision,
            unit=trang_tien,
            agency=task.agency,
            due_on=task.due_on,
        )
    assert OutreachTask.objects.count() == 2


def test_a_sanction_of_a_buyer_creates_no_outreach_task(police, woman, trang_tien):
    sanction(police, woman, trang_tien, role="buyer")
    assert OutreachTask.objects.count() == 0


def test_declining_closes_the_task_and_records_nothing_else(police, social_worker, woman, trang_tien):
    sanction(police, woman, trang_tien)
    task = OutreachTask.objects.get(agency=social_worker.agency)
    services.contact_attempt_record(
        actor=social_worker, task=task, made_on=dt.date(2014, 5, 20), method="visit", result="declined"
    )
    task.refresh_from_db()
    assert (task.status, task.closed_on) == ("declined", dt.date(2014, 5, 20))
    # The commune officer's task from the same sanction closes too: nobody else is sent to her.
    other = OutreachTask.objects.exclude(pk=task.pk).get()
    assert (other.agency.kind, other.status, other.closed_on) == (
        "commune-social",
        "declined",
        dt.date(2014, 5, 20),
    )
    reason = (
        ChangeRecord.objects.filter(model="support.outreachtask", object_id=str(other.pk), action="status")
        .values_list("reason", flat=True)
        .get()
    )
    assert reason_text(reason) == f"Kết thúc cùng nhiệm vụ #{task.pk} của cơ quan khác"
    assert SupportCase.objects.count() == 0
    with pytest.raises(ValidationError) as exc:
        services.contact_attempt_record(
            actor=social_worker, task=task, made_on=dt.date(2014, 5, 21), method="visit", result="talked"
        )
    assert exc.value.messages == ["Nhiệm vụ tiếp cận đã kết thúc."]
    assert ContactAttempt.objects.count() == 1


def test_opening_a_case_records_consent_per_purpose_and_agency_and_closes_the_task(
    police, social_worker, woman, trang_tien, school
):
    sanction(police, woman, trang_tien)
    task = OutreachTask.objects.get(agency=social_worker.agency)
    case = services.case_open(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        opened_on=OPENED,
        consents=[("training", school), ("jobs", school)],
        outreach_task=task,
    )
    task.refresh_from_db()
    assert (task.status, task.closed_on) == ("case-opened", OPENED)
    assert list(
        OutreachTask.objects.exclude(pk=task.pk).values_list("agency__kind", "status", "closed_on")
    ) == [("commune-social", "case-opened", OPENED)]
    assert sorted(Consent.objects.filter(case=case).values_list("purpose", "agency__code")) == [
        ("jobs", "01-002-truong-nghe"),
        ("training", "01-002-truong-nghe"),
    ]
    assert (case.lead_agency, case.lead_worker) == (social_worker.agency, social_worker)
    assert ChangeRecord.objects.filter(model="support.consent").count() == 2


def test_a_case_needs_consent_and_a_child_needs_a_child_case(social_worker, woman, girl, trang_tien):
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=social_worker, person=woman, unit=trang_tien, opened_on=OPENED, consents=[])
    assert exc.value.message_dict["consents"] == [
        "Cần ghi nhận ít nhất một sự đồng ý (mục đích và cơ quan được chia sẻ) khi mở hồ sơ hỗ trợ."
    ]
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=social_worker,
            person=girl,
            unit=trang_tien,
            opened_on=OPENED,
            consents=[("counselling", social_worker.agency)],
        )
    assert exc.value.message_dict["kind"] == [
        "Người này chưa đủ 18 tuổi (hoặc chưa chắc đã đủ 18 tuổi): phải mở hồ sơ bảo vệ trẻ em."
    ]
    assert SupportCase.objects.count() == 0


def test_a_commune_officer_cannot_lead_a_child_case(commune_officer, girl, trang_tien):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=commune_officer,
            person=girl,
            unit=trang_tien,
            opened_on=OPENED,
            kind="child",
            consents=[("counselling", commune_officer.agency)],
        )
    assert exc.value.message_dict["lead_worker"] == [
        "Cán bộ phụ trách phải có quyền xem dữ liệu hỗ trợ và dữ liệu trẻ em và thuộc địa bàn của hồ sơ."
    ]


def test_a_referral_outside_consent_is_refused_and_nothing_is_saved(social_worker, case, clinic, school):
    with pytest.raises(ValidationError) as exc:
        services.referral_send(
            actor=social_worker,
            case=case,
            to_agency=clinic,
            purpose="health",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
    assert exc.value.message_dict["to_agency"] == [
        "Không thể chuyển gửi: người được hỗ trợ chưa đồng ý chia sẻ thông tin với “Trung tâm Y tế quận Hoàn Kiếm” "
        "cho mục đích “Y tế”. Hãy hỏi ý kiến và ghi nhận sự đồng ý trước khi chuyển gửi."
    ]
    # Consent for training with the school does not cover loans with it either.
    with pytest.raises(ValidationError):
        services.referral_send(
            actor=social_worker,
            case=case,
            to_agency=school,
            purpose="loans",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
    assert Referral.objects.count() == 0


def test_a_service_dated_before_the_case_opened_is_refused(social_worker, case, school):
    with pytest.raises(ValidationError) as exc:
        services.service_record(
            actor=social_worker, case=case, kind="training", provider=school, given_on=dt.date(2014, 6, 1)
        )
    assert exc.value.message_dict["given_on"] == [
        "Ngày cung cấp dịch vụ (01/06/2014) không được trước ngày mở hồ sơ (02/06/2014)."
    ]
    assert Service.objects.count() == 0


def test_a_service_from_a_provider_without_consent_is_refused(social_worker, case, clinic):
    with pytest.raises(ValidationError) as exc:
        services.service_record(
            actor=social_worker, case=case, kind="testing", provider=clinic, given_on=dt.date(2014, 6, 3)
        )
    assert exc.value.message_dict["provider"] == [
        "Không thể ghi dịch vụ do “Trung tâm Y tế quận Hoàn Kiếm” cung cấp: người được hỗ trợ chưa đồng ý chia sẻ "
        "thông tin với cơ quan này cho mục đích “Y tế”."
    ]


def test_closing_a_case_with_an_open_referral_is_refused_until_it_is_completed(
    social_worker, school_worker, case, school
):
    referral = services.referral_send(
        actor=social_worker,
        case=case,
        to_agency=school,
        purpose="training",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=social_worker, case=case, closed_on=timezone.localdate(), outcome="income")
    assert exc.value.messages == [
        "Chưa thể đóng hồ sơ: còn 1 chuyển gửi chưa kết thúc (Trường Trung cấp nghề Hoàn Kiếm). Hãy chờ bên nhận "
        "phản hồi hoặc hủy chuyển gửi trước khi đóng."
    ]
    case.refresh_from_db()
    assert case.status == "open"
    services.referral_respond(actor=school_worker, referral=referral, accept=True)
    services.referral_complete(actor=school_worker, referral=referral)
    services.case_close(actor=social_worker, case=case, closed_on=timezone.localdate(), outcome="income")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "income")


def test_only_the_receiver_responds_to_a_referral(social_worker, case, school):
    referral = services.referral_send(
        actor=social_worker,
        case=case,
        to_agency=school,
        purpose="jobs",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.referral_respond(actor=social_worker, referral=referral, accept=True)


def test_withdrawing_consent_stops_sharing_at_once_and_is_audited(social_worker, case, school):
    referral = services.referral_send(
        actor=social_worker,
        case=case,
        to_agency=school,
        purpose="training",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    consent = Consent.objects.get(case=case, purpose="training", agency=school)
    services.consent_withdraw(actor=social_worker, consent=consent)
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert (
        ChangeRecord.objects.filter(
            model="support.consent", object_id=str(consent.pk), action="status"
        ).count()
        == 1
    )
    assert (
        ChangeRecord.objects.filter(
            model="support.referral", object_id=str(referral.pk), action="status"
        ).count()
        == 1
    )
    with pytest.raises(ValidationError):
        services.referral_send(
            actor=social_worker,
            case=case,
            to_agency=school,
            purpose="training",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )


def test_an_enrolment_that_fails_the_criteria_is_refused(social_worker, trang_tien, programme_1993):
    from lanhmanh.people.models import Person

    man = Person(full_name="Phạm Văn Nam", birth_year=1980, sex="male", permanent_unit=trang_tien)
    man.save()
    case = services.case_open(
        actor=social_worker,
        person=man,
        unit=trang_tien,
        opened_on=OPENED,
        consents=[("counselling", social_worker.agency)],
    )
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(
            actor=social_worker, programme=programme_1993, case=case, enrolled_on=OPENED
        )
    assert exc.value.message_dict["programme"] == [
        "Không đủ tiêu chí tham gia “Chương trình 1993/CTr-SLĐTBXH”: chương trình chỉ dành cho phụ nữ."
    ]
    assert Enrolment.objects.count() == 0


def test_a_duplicate_enrolment_is_refused(social_worker, case, programme_1993):
    services.enrolment_create(actor=social_worker, programme=programme_1993, case=case, enrolled_on=OPENED)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(
            actor=social_worker, programme=programme_1993, case=case, enrolled_on=OPENED
        )
    assert exc.value.message_dict["programme"] == [
        "Người này đã tham gia “Chương trình 1993/CTr-SLĐTBXH” từ ngày 02/06/2014."
    ]
    assert Enrolment.objects.count() == 1


def test_t07_counts_enrolments_that_completed_training_and_reached_a_job(social_worker, case, programme_1993):
    enrolment = services.enrolment_create(
        actor=social_worker, programme=programme_1993, case=case, enrolled_on=OPENED
    )
    assert evaluate("support.women_trained_employed", "01", "2014").total.value == 0
    services.enrolment_progress(
        actor=social_worker, enrolment=enrolment, training_completed_on=dt.date(2014, 9, 30), employed_on=None
    )
    assert evaluate("support.women_trained_employed", "01", "2014").total.value == 0
    services.enrolment_progress(
        actor=social_worker,
        enrolment=enrolment,
        training_completed_on=dt.date(2014, 9, 30),
        employed_on=dt.date(2014, 10, 15),
        employer="Xưởng may Hoàn Kiếm",
    )
    assert evaluate("support.women_trained_employed", "01", "2014").total.value == 1
    assert evaluate("support.women_trained_employed", "01.017", "2014").total.value == 0
