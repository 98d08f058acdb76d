"""Over-long text and NUL bytes in a report: a Vietnamese message naming the field, nothing saved."""

from __future__ import annotations

import pytest

from lanhmanh.reporting import services
from lanhmanh.reporting.models import Status, Submission
from lanhmanh.reporting.services import values_of
from tests.bad_text import BAD_TEXTS, ESCAPED_SCRIPT, SCRIPT, refusal
from tests.reporting.test_api import api, body, post

from .conftest import GOOD_VALUES, REASONS, TODAY

pytestmark = pytest.mark.django_db

SANCTIONS = {
    "people_checked": "20",
    "sellers_sanctioned": "8",
    "warnings": "5",
    "fined": "3",
    "fines_imposed": "4.500.000",
    "fines_collected": "3.000.000",
}


@pytest.fixture
def october(forms, commune_officer):
    submission = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer, submission=submission, values=GOOD_VALUES, reasons=REASONS
    )
    submission.refresh_from_db()
    return submission


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_the_assessment_of_a_report_is_refused(october, commune_officer, client_for, kind):
    response = client_for(commune_officer).post(
        f"/bao-cao/{october.pk}/muc/hoat-dong/",
        {"version": october.version, "assessment": BAD_TEXTS[kind]},
        HTTP_HX_REQUEST="true",
    )
    assert refusal(kind, "Đánh giá chung, khó khăn, kiến nghị") in response.content.decode()
    assert values_of(october)["assessment"] == GOOD_VALUES["assessment"]


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_correction_reason_is_refused_within_its_column_of_500(october, commune_officer, client_for, kind):
    response = client_for(commune_officer).post(
        f"/bao-cao/{october.pk}/muc/xu-ly/",
        {"version": october.version, **SANCTIONS, "sellers_sanctioned__reason": BAD_TEXTS[kind]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert refusal(kind, "Lý do điều chỉnh", limit="500") in response.content.decode()
    assert (
        october.values.get(field__code="sellers_sanctioned").correction_reason
        == REASONS["sellers_sanctioned"]
    )


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_note_when_sending_is_refused_on_the_report_page(october, commune_officer, client_for, kind):
    client = client_for(commune_officer)
    response = client.post(
        f"/bao-cao/{october.pk}/gui/", {"version": october.version, "note": BAD_TEXTS[kind]}
    )
    assert response.status_code == 302
    assert refusal(kind, "Giải trình (nếu có)") in client.get(response["Location"]).content.decode()
    october.refresh_from_db()
    assert october.status == Status.DRAFT


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_comment_when_returning_is_refused_on_the_report_page(
    october, commune_officer, district_officer, client_for, kind
):
    services.submission_submit(actor=commune_officer, submission=october)
    october.refresh_from_db()
    client = client_for(district_officer)
    response = client.post(
        f"/bao-cao/{october.pk}/tra-lai/", {"version": october.version, "comment": BAD_TEXTS[kind]}
    )
    assert response.status_code == 302
    assert refusal(kind, "Ý kiến (bắt buộc khi trả lại)") in client.get(response["Location"]).content.decode()
    october.refresh_from_db()
    assert october.status == Status.SUBMITTED


def test_a_nul_byte_in_the_address_of_a_page_is_a_400_in_vietnamese_not_a_server_error(
    forms, district_officer, client_for
):
    response = client_for(district_officer).get(
        "/bao-cao/tong-hop/", {"bieu-mau": "huyen\x00", "ky": "201410"}
    )
    assert response.status_code == 400
    assert response.content.decode() == (
        "Địa chỉ trang có ký tự không hợp lệ (ký tự NUL): hãy mở lại trang từ trình đơn."
    )


def test_a_script_typed_as_the_assessment_shows_as_text(
    october, commune_officer, district_officer, client_for
):
    services.submission_save(
        actor=commune_officer,
        submission=october,
        values={**GOOD_VALUES, "assessment": SCRIPT},
        reasons=REASONS,
    )
    services.submission_submit(actor=commune_officer, submission=october)
    page = client_for(district_officer).get(f"/bao-cao/{october.pk}/?muc=hoat-dong").content.decode()
    assert f'<td data-testid="value-assessment">{ESCAPED_SCRIPT}</td>' in page
    assert SCRIPT not in page


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_the_api_refuses_a_bad_text_value_in_vietnamese_and_saves_nothing(forms, commune_officer, kind):
    """A NUL byte in a text value reached PostgreSQL from the API (a 500) before the service checked it."""
    response = post(
        api(commune_officer), body(values={**GOOD_VALUES, "assessment": BAD_TEXTS[kind]}, submit=False)
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "assessment": [refusal(kind, "Đánh giá chung, khó khăn, kiến nghị")]
    }
    assert not Submission.objects.exists()


def test_the_api_refuses_a_correction_reason_longer_than_its_column(forms, commune_officer):
    response = post(
        api(commune_officer), body(reasons={**REASONS, "sellers_sanctioned": "a" * 10_000}, submit=False)
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "sellers_sanctioned__reason": [refusal("long", "Lý do điều chỉnh", limit="500")]
    }
