"""The report workflow: open, prefill, save with checks, submit, approve or return, reopen, lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lanhmanh.core.audit import history
from lanhmanh.plans.models import ActivityKind
from lanhmanh.plans.services import activity_create
from lanhmanh.reporting import services
from lanhmanh.reporting.models import Notification, Status, Submission
from lanhmanh.reporting.services import values_of

from .conftest import GOOD_VALUES, REASONS, TODAY


def open_october(user, forms, **kwargs):
    return services.submission_open(
        actor=user, form=forms["xa-thang"], period_id="201410", today=TODAY, **kwargs
    )


def fill(user, submission, **overrides):
    values = {**GOOD_VALUES, **overrides}
    return services.submission_save(actor=user, submission=submission, values=values, reasons=REASONS)


def test_opening_creates_one_draft_with_computed_values_prefilled(forms, commune_officer):
    activity_create(
        actor=commune_officer,
        kind=ActivityKind.TRAINING,
        title="Tập huấn cho tổ công tác xã hội",
        held_on=dt.date(2014, 10, 8),
        unit=commune_officer.unit,
        organiser=commune_officer.agency,
        participants_male=10,
        participants_female=25,
    )
    submission = open_october(commune_officer, forms)
    again = open_october(commune_officer, forms)
    assert again.pk == submission.pk
    assert submission.status == Status.DRAFT
    assert submission.due_date == dt.date(2014, 11, 15)
    values = values_of(submission)
    assert values["activities_held"] == 1
    assert values["trainings_held"] == 1
    assert values["participants"] == 35
    # Sanctions are counted from the people registry (0 here), or left empty while it has no source.
    assert values["sellers_sanctioned"] in (0, None)
    assert values["warnings"] == 0
    assert values["trained_employed"] == 0
    assert [r.action for r in history(submission)] == ["create"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("201412", "Kỳ Tháng 12/2014 chưa bắt đầu; chưa thể lập báo cáo."),
        ("2014Q3", "Báo cáo “Báo cáo tháng cấp xã” lập theo kỳ hằng tháng, không theo “2014Q3”."),
        (
            "2014-10",
            "Mã kỳ “2014-10” không hợp lệ: không đúng định dạng (dạng 2014, 2014S1, 2014Q1, 201401, 2014W05 hoặc 20140101-20140315).",
        ),
    ],
)
def test_a_report_for_a_bad_period_is_refused(forms, commune_officer, period, message):
    with pytest.raises(ValidationError) as error:
        services.submission_open(actor=commune_officer, form=forms["xa-thang"], period_id=period, today=TODAY)
    assert error.value.message_dict == {"period_id": [message]}
    assert Submission.objects.count() == 0


def test_an_agency_that_does_not_report_the_form_is_refused(forms, police):
    with pytest.raises(ValidationError) as error:
        services.submission_open(actor=police, form=forms["xa-thang"], period_id="201410", today=TODAY)
    assert error.value.message_dict == {
        "form": ["Công an Quận Hoàn Kiếm không thuộc diện lập báo cáo “Báo cáo tháng cấp xã”."]
    }


def test_bad_values_are_refused_with_messages_naming_the_fields_and_nothing_is_saved(forms, commune_officer):
    submission = open_october(commune_officer, forms)
    with pytest.raises(ValidationError) as error:
        fill(
            commune_officer,
            submission,
            sellers_known="mười hai",
            outreach="-3",
            people_checked="5000",
        )
    assert error.value.message_dict == {
        "sellers_known": [
            "“Số người bán dâm nắm được trên địa bàn”: “mười hai” không phải là số; nhập số nguyên, ví dụ 1500000."
        ],
        "outreach": ["“Số người được tiếp cận, tư vấn”: không được là số âm."],
        "people_checked": [
            "“Số lượt người bị kiểm tra, quét vét”: 5.000 lớn hơn mức hợp lý (1.000). Kiểm tra lại, nếu đúng hãy đánh dấu “Xác nhận số liệu lớn”."
        ],
    }
    submission.refresh_from_db()
    assert submission.version == 1
    assert values_of(submission)["fines_imposed"] == 0  # still the records' figure, not the one refused


def test_rules_between_fields_name_both_sides(forms, commune_officer):
    submission = open_october(commune_officer, forms)
    with pytest.raises(ValidationError) as error:
        fill(commune_officer, submission, warnings="6")
    assert error.value.message_dict == {
        "warnings": [
            "“Trong đó: cảnh cáo” + “Trong đó: phạt tiền” (9) phải bằng “Số lượt người bán dâm bị xử phạt hành chính” (8)."
        ],
    }  # once, on the first field of the rule: the page does not show it twice


def test_a_large_value_passes_once_confirmed(forms, commune_officer):
    submission = open_october(commune_officer, forms)
    services.submission_save(
        actor=commune_officer,
        submission=submission,
        values={**GOOD_VALUES, "people_checked": "1.200"},
        reasons=REASONS,
        confirmed={"people_checked"},
    )
    assert values_of(submission)["people_checked"] == 1200


def test_correcting_a_computed_value_needs_a_reason(forms, commune_officer):
    submission = open_october(commune_officer, forms)
    with pytest.raises(ValidationError) as error:
        fill(commune_officer, submission, activities_held="2")
    assert error.value.message_dict == {
        "activities_held": [
            "“Số hoạt động tuyên truyền, tập huấn, hội thảo đã tổ chức”: số liệu tính từ dữ liệu là 0; nếu điều chỉnh thành 2, hãy ghi lý do điều chỉnh."
        ]
    }
    services.submission_save(
        actor=commune_officer,
        submission=submission,
        values={**GOOD_VALUES, "activities_held": "2"},
        reasons={**REASONS, "activities_held": "Hai buổi tuyên truyền chưa nhập vào hệ thống"},
    )
    value = submission.values.get(field__code="activities_held")
    assert (value.number, value.computed, value.correction_reason) == (
        2,
        0,
        "Hai buổi tuyên truyền chưa nhập vào hệ thống",
    )


def test_the_second_of_two_concurrent_saves_gets_a_conflict_and_nothing_of_it_is_written(
    forms, commune_officer
):
    submission = open_october(commune_officer, forms)
    first = Submission.objects.get(pk=submission.pk)
    second = Submission.objects.get(pk=submission.pk)
    services.submission_save(
        actor=commune_officer, submission=first, values=GOOD_VALUES, reasons=REASONS, version=1
    )
    with pytest.raises(services.ConflictError) as error:
        services.submission_save(
            actor=commune_officer, submission=second, values={**GOOD_VALUES, "outreach": "99"}, version=1
        )
    assert str(error.value).startswith("Báo cáo vừa được người khác lưu (phiên bản 2).")
    assert values_of(submission)["outreach"] == 15


def test_submit_approve_return_and_resubmit(
    forms, commune_officer, other_commune_officer, district_officer, other_district_officer
):
    submission = open_october(commune_officer, forms)
    with pytest.raises(ValidationError) as error:
        services.submission_submit(actor=commune_officer, submission=submission)
    assert error.value.message_dict["__all__"][0].startswith(
        "Chưa nhập: Số người bán dâm nắm được trên địa bàn;"
    )
    fill(commune_officer, submission)
    with pytest.raises(PermissionDenied):
        services.submission_submit(actor=other_commune_officer, submission=submission)
    services.submission_submit(actor=commune_officer, submission=submission)
    services.submission_submit(
        actor=commune_officer, submission=submission
    )  # a double submit changes nothing
    submission.refresh_from_db()
    assert (submission.status, submission.on_time, submission.version) == (Status.SUBMITTED, False, 3)
    assert Notification.objects.filter(recipient=district_officer).count() == 1

    with pytest.raises(PermissionDenied):
        services.submission_approve(actor=other_district_officer, submission=submission)
    with pytest.raises(ValidationError) as error:
        services.submission_return(actor=district_officer, submission=submission, comment="  ")
    assert error.value.message_dict == {"comment": ["Phải ghi ý kiến: cần sửa gì trong báo cáo."]}
    services.submission_return(
        actor=district_officer, submission=submission, comment="Số tiền đã thu chưa khớp biên lai."
    )
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED
    assert Notification.objects.get(recipient=commune_officer).message == (
        "Báo cáo tháng cấp xã Tháng 10/2014 bị trả lại: Số tiền đã thu chưa khớp biên lai."
    )

    with pytest.raises(ValidationError) as error:
        services.submission_submit(actor=commune_officer, submission=submission)
    assert error.value.message_dict == {
        "note": [
            "Báo cáo bị trả lại nhưng chưa có số liệu nào thay đổi. Hãy sửa theo ý kiến của cấp duyệt, hoặc ghi giải trình vì sao giữ nguyên."
        ]
    }
    fill(commune_officer, submission, fines_collected="2.500.000")
    services.submission_submit(actor=commune_officer, submission=submission)
    services.submission_approve(actor=district_officer, submission=submission)
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    assert submission.approved_values["fines_collected"] == 2_500_000
    statuses = [(r.before or {}).get("status") for r in history(submission).filter(action="status")]
    assert statuses == ["submitted", "returned", "submitted", "draft"]


def test_an_edit_after_approval_needs_a_reason_reopens_and_shows_the_changes(
    forms, commune_officer, district_officer
):
    submission = open_october(commune_officer, forms)
    fill(commune_officer, submission)
    services.submission_submit(actor=commune_officer, submission=submission)
    services.submission_approve(actor=district_officer, submission=submission)
    with pytest.raises(ValidationError) as error:
        fill(commune_officer, submission, outreach="17")
    assert error.value.message_dict == {"reopen_reason": ["Báo cáo đã duyệt: phải ghi lý do sửa."]}
    services.submission_save(
        actor=commune_officer,
        submission=submission,
        values={"outreach": "17"},
        reopen_reason="Bổ sung 2 lượt tiếp cận ngày 31/10",
    )
    submission.refresh_from_db()
    assert submission.status == Status.DRAFT
    changes = [(f.code, old, new) for f, old, new in services.changes_since_approval(submission)]
    assert changes == [("outreach", 15, 17)]
    assert history(submission).first().reason == "Bổ sung 2 lượt tiếp cận ngày 31/10"


def test_approved_reports_lock_when_the_period_closes(forms, commune_officer, district_officer):
    submission = open_october(commune_officer, forms)
    fill(commune_officer, submission)
    services.submission_submit(actor=commune_officer, submission=submission)
    services.submission_approve(actor=district_officer, submission=submission)
    assert services.submissions_lock(today=dt.date(2014, 12, 30)) == 0
    assert services.submissions_lock(today=dt.date(2014, 12, 31)) == 1
    submission.refresh_from_db()
    assert submission.status == Status.LOCKED
    with pytest.raises(ValidationError) as error:
        fill(commune_officer, submission)
    assert error.value.message_dict == {
        "__all__": ["Kỳ báo cáo đã đóng, báo cáo đã khoá: không sửa được nữa."]
    }


def test_one_section_is_saved_whatever_another_section_holds_and_the_submission_checks_everything(
    forms, commune_officer
):
    from lanhmanh.reporting.models import SubmissionValue

    submission = open_october(commune_officer, forms)
    fill(commune_officer, submission)
    # The records behind a sanctions figure moved since (a sanction recorded after the save): that
    # section now needs a reason for its figure, but the support section still saves.
    SubmissionValue.objects.filter(submission=submission, field__code="fines_imposed").update(
        computed=9_000_000, correction_reason=""
    )
    services.submission_save(actor=commune_officer, submission=submission, values={"outreach": "16"})
    assert values_of(submission)["outreach"] == 16
    # A rule is still checked when one of its fields is saved.
    with pytest.raises(ValidationError) as error:
        services.submission_save(actor=commune_officer, submission=submission, values={"fined": "4"})
    assert list(error.value.message_dict) == ["fined"]
    with pytest.raises(ValidationError) as refused:
        services.submission_submit(actor=commune_officer, submission=submission)
    assert "fines_imposed" in refused.value.message_dict
