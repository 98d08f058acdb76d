"""Bad input through the pages: a value beyond its plausible bound (confirm, not refused), a period not yet
begun, a unit the user does not belong to. (The API's answers to the same are in test_api.py.)"""

from __future__ import annotations

import pytest

from lanhmanh.reporting import services
from lanhmanh.reporting.models import Status, Submission
from lanhmanh.reporting.services import values_of

from .conftest import GOOD_VALUES, REASONS, TODAY

SECTION = {
    "people_checked": "1.200",
    "sellers_sanctioned": "8",
    "sellers_sanctioned__reason": REASONS["sellers_sanctioned"],
    "warnings": "5",
    "fined": "3",
    "fines_imposed": "4.500.000",
    "fines_collected": "3.000.000",
}
TOO_LARGE = (
    "“Số lượt người bị kiểm tra, quét vét”: 1.200 lớn hơn mức hợp lý (1.000). "
    "Kiểm tra lại, nếu đúng hãy đánh dấu “Xác nhận số liệu lớn”."
)


@pytest.fixture
def october(forms, commune_officer):
    submission = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer, submission=submission, values=GOOD_VALUES, reasons=REASONS
    )
    return submission


def test_a_value_beyond_its_bound_is_asked_to_be_confirmed_not_refused(october, commune_officer, client_for):
    client = client_for(commune_officer)
    url = f"/bao-cao/{october.pk}/muc/xu-ly/"
    asked = client.post(url, {"version": october.version, **SECTION}, HTTP_HX_REQUEST="true")
    html = asked.content.decode()
    assert TOO_LARGE in html
    assert 'name="people_checked__confirm"' in html  # the box to tick
    assert values_of(october)["people_checked"] == 20
    confirmed = client.post(
        url, {"version": october.version, **SECTION, "people_checked__confirm": "on"}, HTTP_HX_REQUEST="true"
    )
    assert "Đã lưu mục “II. Kiểm tra, xử lý vi phạm hành chính”." in confirmed.content.decode()
    assert values_of(october)["people_checked"] == 1200
    # Confirmed once is enough: saving another section, and sending, keep the confirmed figure.
    october.refresh_from_db()
    client.post(f"/bao-cao/{october.pk}/gui/", {"version": october.version, "note": ""})
    october.refresh_from_db()
    assert october.status == Status.SUBMITTED


def test_the_service_tells_a_value_to_confirm_from_a_value_to_fix(october, commune_officer):
    with pytest.raises(services.ConfirmationRequired) as asked:
        services.submission_save(
            actor=commune_officer, submission=october, values={"people_checked": "1.200"}
        )
    assert asked.value.codes == ["people_checked"]
    with pytest.raises(services.ValidationError) as refused:
        services.submission_save(
            actor=commune_officer, submission=october, values={"people_checked": "1.200", "outreach": "-1"}
        )
    assert not isinstance(refused.value, services.ConfirmationRequired)


def test_a_period_not_yet_begun_is_refused_in_the_service_and_on_the_page(forms, commune_officer, client_for):
    with pytest.raises(services.ValidationError) as error:
        services.submission_open(
            actor=commune_officer, form=forms["xa-thang"], period_id="201412", today=TODAY
        )
    assert error.value.message_dict == {"period_id": ["Kỳ Tháng 12/2014 chưa bắt đầu; chưa thể lập báo cáo."]}
    page = client_for(commune_officer).post(
        "/bao-cao/mo/", {"form": "xa-thang", "period_id": "209912"}, follow=True
    )
    assert "Kỳ Tháng 12/2099 chưa bắt đầu; chưa thể lập báo cáo." in page.content.decode()
    assert Submission.objects.count() == 0


def test_an_officer_cannot_enter_or_send_the_report_of_a_unit_they_do_not_belong_to(
    october, other_commune_officer, district_officer, client_for
):
    for user in (other_commune_officer, district_officer):
        client = client_for(user)
        section = client.post(
            f"/bao-cao/{october.pk}/muc/ho-tro/",
            {"version": october.version, "outreach": "99", "health_referrals": "6", "trained_employed": "2"},
        )
        assert section.status_code == 404, user
        assert client.post(f"/bao-cao/{october.pk}/gui/", {"version": october.version}).status_code == 404
    october.refresh_from_db()
    assert (october.status, values_of(october)["outreach"]) == (Status.DRAFT, 15)
    with pytest.raises(services.PermissionDenied):
        services.submission_save(actor=other_commune_officer, submission=october, values={"outreach": "99"})


def test_opening_a_form_of_another_level_from_the_page_is_refused(forms, commune_officer, client_for):
    page = client_for(commune_officer).post(
        "/bao-cao/mo/", {"form": "huyen-thang", "period_id": "201410"}, follow=True
    )
    assert "Biểu mẫu này không thuộc các báo cáo cơ quan của anh/chị phải lập." in page.content.decode()
    assert Submission.objects.count() == 0
