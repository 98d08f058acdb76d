from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lanhmanh.premises import eligibility, services
from lanhmanh.premises.models import (
    BusinessSanction,
    EligibilityLookup,
    LicenceStatus,
    RevocationProposal,
)
from tests.premises.conftest import OWNER, OWNER_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(inspector, place, using_business_2014):
    return services.sanction_propose(
        actor=inspector,
        establishment=place,
        act=using_business_2014,
        offender_type="individual",
        occurred_on=dt.date(2014, 3, 10),
        proposed_amount=15_000_000,
        proposed_measure="revocation",
    )


@pytest.fixture
def decided(district_officer, proposal, hoan_kiem_committee):
    return services.sanction_decide(
        actor=district_officer,
        sanction=proposal,
        authority=hoan_kiem_committee,
        decision_number="45/QĐ-XPVPHC",
        decided_on=dt.date(2014, 3, 20),
        amount=15_000_000,
        measure="revocation",
        signer_title="Chủ tịch UBND quận",
    )


def test_a_fine_outside_the_organisation_range_is_refused(inspector, massage_place, using_business_2014):
    with pytest.raises(ValidationError) as error:
        services.sanction_propose(
            actor=inspector,
            establishment=massage_place,
            act=using_business_2014,
            offender_type="organisation",
            occurred_on=dt.date(2014, 3, 10),
            proposed_amount=15_000_000,
        )
    assert error.value.message_dict == {
        "proposed_amount": [
            "Số tiền phạt 15.000.000 đồng nằm ngoài khung phạt đối với tổ chức của hành vi này: từ 20.000.000 đến "
            "40.000.000 đồng (khoản 2 Điều 25 Nghị định 167/2013/NĐ-CP)."
        ]
    }
    assert not BusinessSanction.objects.exists()


def test_an_act_not_in_force_on_the_day_is_refused(inspector, place, using_business_2014):
    with pytest.raises(ValidationError) as error:
        services.sanction_propose(
            actor=inspector,
            establishment=place,
            act=using_business_2014,
            offender_type="individual",
            occurred_on=dt.date(2022, 3, 10),
            proposed_amount=15_000_000,
        )
    assert error.value.message_dict["act"] == [
        "Hành vi (khoản 2 Điều 25 Nghị định 167/2013/NĐ-CP) không có hiệu lực vào ngày vi phạm 10/03/2022: chọn "
        "hành vi theo văn bản có hiệu lực ngày đó."
    ]


def test_the_decision_sends_a_revocation_proposal_to_the_licensing_agency(decided, place):
    proposal = RevocationProposal.objects.get()
    assert (proposal.sanction, proposal.licensing_agency.code, proposal.answer) == (
        decided,
        "01-culture",
        "pending",
    )
    assert decided.status == "decided"


def test_the_licensing_officer_answers_and_the_licence_is_revoked(client_for, licensing, decided):
    proposal = RevocationProposal.objects.get()
    client = client_for(licensing)
    assert "Karaoke Ánh Sao" in client.get(reverse("premises:revocation_list")).content.decode()
    response = client.post(
        reverse("premises:revocation_answer", args=[proposal.pk]),
        {"answer": "revoked", "answered_on": "2014-04-02", "answer_note": "Đã ra quyết định thu hồi"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.answer, proposal.licence.status) == ("revoked", LicenceStatus.REVOKED)


def test_only_the_licensing_agency_answers(client_for, inspector, police, decided):
    proposal = RevocationProposal.objects.get()
    for user in (inspector, police):
        assert (
            client_for(user).get(reverse("premises:revocation_answer", args=[proposal.pk])).status_code == 404
        )


def test_the_decision_form_refuses_a_decision_number_used_twice(
    district_officer, decided, inspector, massage_place, using_business_2014, hoan_kiem_committee
):
    other = services.sanction_propose(
        actor=inspector,
        establishment=massage_place,
        act=using_business_2014,
        offender_type="organisation",
        occurred_on=dt.date(2014, 3, 10),
        proposed_amount=25_000_000,
    )
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(
            actor=district_officer,
            sanction=other,
            authority=hoan_kiem_committee,
            decision_number="45/QĐ-XPVPHC",
            decided_on=dt.date(2014, 3, 20),
            amount=25_000_000,
        )
    assert error.value.message_dict == {"decision_number": ["Cơ quan này đã có quyết định số 45/QĐ-XPVPHC."]}


def test_an_inspector_cannot_record_the_decision(client_for, inspector, proposal):
    body = client_for(inspector).get(reverse("premises:sanction_detail", args=[proposal.pk])).content.decode()
    assert "Ghi nhận quyết định xử phạt" not in body


def test_the_eligibility_lookup_answers_no_with_the_decision_and_logs_the_purpose(
    client_for, licensing, decided
):
    client = client_for(licensing)
    response = client.post(
        reverse("premises:eligibility"),
        {
            "purpose": "new-licence",
            "detail": "Hồ sơ 17/2014",
            "owner_name": "tran van chu",
            "owner_id_number": OWNER_ID,
            "address": "99 Hàng Bài",
        },
    )
    body = response.content.decode()
    assert 'data-answer="no"' in body
    assert "Số 45/QĐ-XPVPHC ngày 20/03/2014" in body
    assert OWNER not in body  # only the decisions, nothing else of the register
    log = EligibilityLookup.objects.get()
    assert (log.actor, log.purpose, log.detail, log.eligible, log.sanction_ids) == (
        licensing,
        "new-licence",
        "Hồ sơ 17/2014",
        False,
        [decided.pk],
    )
    assert OWNER_ID not in (log.owner_id_index + log.owner_name_index)


def test_the_eligibility_lookup_by_premises_address(licensing, decided):
    answer = eligibility.lookup(
        actor=licensing,
        purpose="renewal",
        registration_number="",
        owner_name="Ngô Văn Mới",
        owner_id_number="001099000111",
        address="12 PHỐ TRÀNG TIỀN",
    )
    assert (answer.eligible, [d.pk for d in answer.decisions]) == (False, [decided.pk])
    answer = eligibility.lookup(
        actor=licensing,
        purpose="renewal",
        owner_name="Ngô Văn Mới",
        owner_id_number="001099000111",
        address="14 phố Tràng Tiền",
    )
    assert answer.eligible is True


def test_the_eligibility_lookup_needs_an_applicant_and_an_address(licensing):
    with pytest.raises(ValidationError) as error:
        eligibility.lookup(actor=licensing, purpose="other", address="")
    assert error.value.message_dict == {
        "detail": ["Chọn “Khác” thì phải ghi rõ mục đích tra cứu."],
        "__all__": ["Nhập người đề nghị (họ tên và số CMND/CCCD) hoặc số đăng ký kinh doanh."],
        "address": ["Nhập địa chỉ cơ sở đề nghị cấp phép."],
    }
    assert not EligibilityLookup.objects.exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("licensing", 200),
        ("district_officer", 200),
        ("police", 404),
        ("health_worker", 404),
        ("commune_officer", 404),
    ],
)
def test_who_may_look_up_eligibility(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("premises:eligibility")).status_code == status


def test_enforcement_is_recorded(district_officer, decided):
    services.sanction_enforce(
        actor=district_officer, sanction=decided, enforced_on=dt.date(2014, 4, 1), fine_paid=True
    )
    decided.refresh_from_db()
    assert (decided.status, decided.fine_paid) == ("enforced", True)
    with pytest.raises(ValidationError):
        services.sanction_enforce(
            actor=district_officer, sanction=decided, enforced_on=dt.date(2014, 4, 1), fine_paid=True
        )


def test_an_unchecked_act_on_the_sanction_page_is_a_quiet_source_note(client_for, inspector, proposal):
    proposal.act.verified = False
    proposal.act.save(update_fields=["verified"])
    body = client_for(inspector).get(reverse("premises:sanction_detail", args=[proposal.pk])).content.decode()
    start = body.index('data-testid="unverified-source"')
    note = body[body.rindex("<span", 0, start) : body.index("</dd>", start)]
    assert "nguồn: chưa đối chiếu văn bản gốc" in note
    assert "chưa được quản trị viên đối chiếu với Công báo" in note
    assert "text-body-secondary" in note
    assert "badge" not in note and "text-bg-warning" not in body
