"""The yearly assessment: commune self-assessment → district review → city approval → locked, reopened with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lanhmanh.communes import services
from lanhmanh.communes.models import Answer, Assessment, AssessmentStatus
from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit
from tests.communes.conftest import full_answers
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def test_opening_creates_one_blank_answer_per_item_of_the_years_template(draft, items):
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.template.code == "nqlt-01-2008-mai-dam"
    assert sorted(a.item.code for a in draft.answers.all()) == sorted(items)
    assert all(a.self_score is None for a in draft.answers.all())
    assert draft.period_end == dt.date(2014, 12, 31)


def test_a_second_assessment_for_the_same_commune_and_year_is_refused(draft, commune_officer):
    with pytest.raises(ValidationError) as exc:
        services.assessment_open(actor=commune_officer, unit=unit(TRANG_TIEN), year=2014)
    assert exc.value.messages == ["Phường Tràng Tiền đã có phiếu đánh giá năm 2014 theo bộ tiêu chí này."]
    assert Assessment.objects.filter(unit__path=TRANG_TIEN, year=2014).count() == 1


def test_a_commune_not_valid_at_the_end_of_the_year_cannot_be_assessed(template, district_officer):
    ward = unit(HANG_BAC)
    AdministrativeUnit.objects.filter(pk=ward.pk).update(valid_to=dt.date(2014, 6, 30))
    ward.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.assessment_open(actor=district_officer, unit=ward, year=2014)
    assert exc.value.messages == [
        "Phường Hàng Bạc không còn hiệu lực vào ngày 31/12/2014: không lập phiếu đánh giá năm này."
    ]
    assert not Assessment.objects.filter(unit=ward).exists()


def test_a_district_is_not_a_commune_to_assess(template, district_officer):
    with pytest.raises(ValidationError) as exc:
        services.assessment_open(actor=district_officer, unit=unit(HOAN_KIEM), year=2014)
    assert exc.value.messages == ["“Quận Hoàn Kiếm” không phải là đơn vị hành chính cấp xã."]


def test_a_commune_officer_cannot_open_another_communes_assessment(template, other_commune_officer):
    with pytest.raises(PermissionDenied):
        services.assessment_open(actor=other_commune_officer, unit=unit(TRANG_TIEN), year=2014)


def test_a_score_above_the_items_points_is_refused_and_nothing_is_saved(draft, commune_officer, items):
    answers = full_answers(items, i1_1="16")
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_self(actor=commune_officer, assessment=draft, answers=answers)
    assert exc.value.messages == ["Tiêu chí 1.1: điểm 16 vượt quá điểm tối đa 15."]
    assert not Answer.objects.filter(assessment=draft, self_score__isnull=False).exists()
    assert not ChangeRecord.objects.filter(model="communes.assessment", action="update").exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "Tiêu chí 1.1: điểm không được âm."),
        ("mười", "Tiêu chí 1.1: “mười” không phải là số điểm."),
        ("NaN", "Tiêu chí 1.1: “NaN” không phải là số điểm."),
    ],
)
def test_bad_scores_name_the_item(draft, commune_officer, items, raw, message):
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_self(
            actor=commune_officer, assessment=draft, answers={items["1.1"].pk: {"score": raw}}
        )
    assert exc.value.messages == [message]


def test_a_decimal_comma_is_read_as_half_points(draft, commune_officer, items):
    services.assessment_save_self(
        actor=commune_officer, assessment=draft, answers={items["2.3"].pk: {"score": "2,5"}}
    )
    assert Answer.objects.get(assessment=draft, item=items["2.3"]).self_score == Decimal("2.5")


def test_submitting_with_a_mandatory_item_unanswered_is_refused(draft, commune_officer, items):
    answers = full_answers(items)
    answers[items["1.2"].pk]["score"] = ""
    answers[items["1.4"].pk]["score"] = ""
    services.assessment_save_self(actor=commune_officer, assessment=draft, answers=answers)
    with pytest.raises(ValidationError) as exc:
        services.assessment_submit(actor=commune_officer, assessment=draft)
    assert exc.value.messages == ["Chưa chấm tiêu chí bắt buộc: 1.2, 1.4."]
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_submitting_sends_the_self_score_to_the_district(submitted):
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.self_score == Decimal("100")


def test_the_commune_cannot_change_scores_once_submitted(submitted, commune_officer, items):
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_self(
            actor=commune_officer, assessment=submitted, answers=full_answers(items)
        )
    assert exc.value.messages == [
        "Phiếu đang ở trạng thái “Đã gửi, chờ huyện phúc tra”: không thực hiện được thao tác này."
    ]


def test_the_district_changing_a_score_without_a_reason_is_refused(submitted, district_officer, items):
    with pytest.raises(ValidationError) as exc:
        services.assessment_review(
            actor=district_officer,
            assessment=submitted,
            changes={items["1.3"].pk: {"score": "0", "reason": " "}},
        )
    assert exc.value.messages == ["Tiêu chí 1.3: huyện thay đổi điểm thì phải ghi lý do."]
    answer = Answer.objects.get(assessment=submitted, item=items["1.3"])
    assert answer.district_score is None
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_the_districts_change_is_kept_beside_the_communes_score_with_its_reason(reviewed, items):
    answer = Answer.objects.get(assessment=reviewed, item=items["2.1"])
    assert (answer.self_score, answer.district_score, answer.district_reason) == (
        Decimal("10"),
        Decimal("5"),
        "Kế hoạch ban hành muộn.",
    )
    assert answer.changed_by_district
    change = ChangeRecord.objects.get(model="communes.answer", object_id=str(answer.pk))
    assert change.reason == "Kế hoạch ban hành muộn."
    assert reviewed.score == Decimal("95")
    assert reviewed.classification.code == "lanh-manh"
    assert reviewed.status == AssessmentStatus.REVIEWED


def test_a_district_of_another_area_cannot_review(submitted, other_district_officer):
    with pytest.raises(PermissionDenied):
        services.assessment_review(actor=other_district_officer, assessment=submitted, changes={})


def test_failing_a_mandatory_item_makes_the_commune_affected_whatever_the_total(
    submitted, district_officer, coordinator, items
):
    services.assessment_review(
        actor=district_officer,
        assessment=submitted,
        changes={items["1.3"].pk: {"score": "0", "reason": "Có 2 người bán dâm bị xử phạt trong năm."}},
    )
    approved = services.assessment_approve(actor=coordinator, assessment=submitted)
    assert approved.score == Decimal("85")
    assert approved.classification.code == "co-te-nan"
    assert approved.healthy is False


def test_approval_locks_the_result_and_counts_a_healthy_commune(
    approved, commune_officer, district_officer, items
):
    assert approved.status == AssessmentStatus.APPROVED
    assert approved.healthy is True
    with pytest.raises(ValidationError):
        services.assessment_save_self(actor=commune_officer, assessment=approved, answers=full_answers(items))
    with pytest.raises(ValidationError):
        services.assessment_review(actor=district_officer, assessment=approved, changes={})


def test_only_the_city_coordinator_approves(reviewed, district_officer):
    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=district_officer, assessment=reviewed)


def test_reopening_needs_a_reason(approved, coordinator):
    with pytest.raises(ValidationError) as exc:
        services.assessment_reopen(actor=coordinator, assessment=approved, reason="  ")
    assert exc.value.messages == ["Phải ghi lý do mở lại kết quả đã duyệt."]
    approved.refresh_from_db()
    assert approved.status == AssessmentStatus.APPROVED


def test_reopening_sends_it_back_to_the_district_and_stops_counting_it(approved, coordinator):
    reopened = services.assessment_reopen(
        actor=coordinator, assessment=approved, reason="Phát hiện tụ điểm mới."
    )
    assert reopened.status == AssessmentStatus.SUBMITTED
    assert reopened.healthy is False
    assert reopened.reopen_reason == "Phát hiện tụ điểm mới."
    assert ChangeRecord.objects.filter(
        model="communes.assessment", object_id=str(approved.pk), reason="Phát hiện tụ điểm mới."
    ).exists()
