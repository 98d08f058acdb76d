"""Pages of the reporting app, and who may see which report."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from lanhmanh.reporting import services
from lanhmanh.reporting.models import Status, Submission

from .conftest import GOOD_VALUES, REASONS, TODAY


@pytest.fixture
def october(forms, commune_officer):
    submission = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer, submission=submission, values=GOOD_VALUES, reasons=REASONS
    )
    return submission


def test_the_inbox_offers_to_open_a_report_and_opening_it_twice_gives_the_same_report(
    forms, commune_officer, client_for
):
    client = client_for(commune_officer)
    page = client.get("/bao-cao/")
    assert page.status_code == 200
    assert "Báo cáo tháng cấp xã" in page.content.decode()
    response = client.post("/bao-cao/mo/", {"form": "xa-thang", "period_id": "201410"})
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bao-cao/{submission.pk}/"
    client.post("/bao-cao/mo/", {"form": "xa-thang", "period_id": "201410"})
    assert Submission.objects.count() == 1


def test_opening_a_period_not_yet_begun_shows_the_message(forms, commune_officer, client_for):
    response = client_for(commune_officer).post(
        "/bao-cao/mo/", {"form": "xa-thang", "period_id": "209901"}, follow=True
    )
    assert "Kỳ Tháng 01/2099 chưa bắt đầu; chưa thể lập báo cáo." in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_section_is_saved_through_htmx_and_bad_input_is_shown_next_to_the_field(
    october, commune_officer, client_for
):
    client = client_for(commune_officer)
    url = f"/bao-cao/{october.pk}/muc/ho-tro/"
    page = client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert '<div id="section">' in page.content.decode()
    bad = client.post(
        url,
        {"version": october.version, "outreach": "abc", "health_referrals": "6", "trained_employed": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        "“Số người được tiếp cận, tư vấn”: “abc” không phải là số; nhập số nguyên, ví dụ 1500000."
        in bad.content.decode()
    )
    good = client.post(
        url,
        {"version": october.version, "outreach": "16", "health_referrals": "6", "trained_employed": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200
    assert october.values.get(field__code="outreach").number == 16
    # htmx swaps only 2xx answers, so the conflict comes as 200 there; a plain post gets 409.
    stale = client.post(
        url, {"version": october.version, "outreach": "18", "health_referrals": "6", "trained_employed": "2"}
    )
    assert stale.status_code == 409
    assert "Báo cáo vừa được người khác lưu" in stale.content.decode()
    assert october.values.get(field__code="outreach").number == 16


def test_a_commune_officer_cannot_see_another_communes_report(
    october, other_commune_officer, police, social_worker, client_for
):
    for user in (other_commune_officer, police, social_worker):
        client = client_for(user)
        assert client.get(f"/bao-cao/{october.pk}/").status_code == 404, user
        assert client.get(f"/bao-cao/{october.pk}/tai-ve/docx/").status_code == 404, user


def test_the_district_sees_its_communes_and_another_district_does_not(
    october, district_officer, other_district_officer, client_for
):
    assert client_for(district_officer).get(f"/bao-cao/{october.pk}/").status_code == 200
    assert client_for(other_district_officer).get(f"/bao-cao/{october.pk}/").status_code == 404
    assert client_for(other_district_officer).get("/bao-cao/tien-do/?don-vi=01.002").status_code == 404


def test_the_city_sees_every_report(october, coordinator, client_for):
    assert client_for(coordinator).get(f"/bao-cao/{october.pk}/").status_code == 200


def test_approving_and_returning_through_the_pages(
    october, commune_officer, district_officer, other_district_officer, client_for
):
    client_for(commune_officer).post(f"/bao-cao/{october.pk}/gui/", {"version": october.version, "note": ""})
    october.refresh_from_db()
    assert october.status == Status.SUBMITTED
    queue = client_for(district_officer).get("/bao-cao/cho-duyet/").content.decode()
    assert "Công chức LĐTBXH Phường Tràng Tiền" in queue
    assert (
        client_for(other_district_officer)
        .post(f"/bao-cao/{october.pk}/duyet/", {"version": october.version})
        .status_code
        == 404
    )
    empty = client_for(district_officer).post(
        f"/bao-cao/{october.pk}/tra-lai/", {"version": october.version, "comment": ""}, follow=True
    )
    assert "Phải ghi ý kiến: cần sửa gì trong báo cáo." in empty.content.decode()
    client_for(district_officer).post(
        f"/bao-cao/{october.pk}/tra-lai/", {"version": october.version, "comment": "Thiếu số liệu tháng"}
    )
    october.refresh_from_db()
    assert (october.status, october.comment) == (Status.RETURNED, "Thiếu số liệu tháng")
    page = client_for(commune_officer).get(f"/bao-cao/{october.pk}/").content.decode()
    assert "Thiếu số liệu tháng" in page


def test_the_completeness_page_lists_the_late_and_is_for_approvers_only(
    october, coordinator, district_officer, commune_officer, client_for
):
    page = client_for(coordinator).get("/bao-cao/tien-do/?bieu-mau=xa-thang&ky=201410")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quận Hoàn Kiếm" in html
    assert "Công chức LĐTBXH Phường Tràng Tiền" in html  # not sent yet: late
    partial = client_for(district_officer).get(
        "/bao-cao/tien-do/?bieu-mau=xa-thang&ky=201410", HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<div id="completeness">')
    assert client_for(commune_officer).get("/bao-cao/tien-do/").status_code == 404


def test_the_consolidated_downloads_open_and_hold_the_figures(
    october, commune_officer, district_officer, client_for
):
    client_for(commune_officer).post(f"/bao-cao/{october.pk}/gui/", {"version": october.version})
    october.refresh_from_db()
    client_for(district_officer).post(f"/bao-cao/{october.pk}/duyet/", {"version": october.version})
    client = client_for(district_officer)
    query = "?bieu-mau=huyen-thang&ky=201410&don-vi=01.002"
    docx = client.get("/bao-cao/tong-hop/tai-ve/docx/" + query)
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert "Số người được tiếp cận, tư vấn" in text
    xlsx = client.get("/bao-cao/tong-hop/tai-ve/xlsx/" + query)
    sheet = load_workbook(io.BytesIO(xlsx.content))["III. Tiếp cận, tư vấn, hỗ trợ n"]
    outreach = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Số người được tiếp cận, tư vấn")
    assert outreach[4:6] == (15, 15)
    assert client.get("/bao-cao/tong-hop/tai-ve/pdf/" + query).content.startswith(b"%PDF")
    own = client_for(commune_officer).get(f"/bao-cao/{october.pk}/tai-ve/docx/")
    assert own.status_code == 200
    assert client_for(commune_officer).get("/bao-cao/tong-hop/tai-ve/docx/" + query).status_code == 404


def test_the_consolidated_page_from_a_commune_forms_completeness_shows_the_district_form_adding_it_up(
    october, district_officer, client_for
):
    page = client_for(district_officer).get("/bao-cao/tong-hop/?bieu-mau=xa-thang&ky=201410&don-vi=01.002")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="huyen-thang" selected>' in html
    assert "bieu-mau=huyen-thang&amp;ky=201410&amp;don-vi=01.002" in html


def test_completeness_rows_link_to_the_units_report_and_downloads_are_named_in_words(
    october, commune_officer, district_officer, client_for
):
    services.submission_submit(actor=commune_officer, submission=october)
    page = client_for(district_officer).get("/bao-cao/tien-do/?bieu-mau=xa-thang&ky=201410&don-vi=01.002")
    html = page.content.decode()
    row = html[html.index('data-unit="01.002.00079"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/bao-cao/{october.pk}/" data-unit-report' in row
    assert html.count("data-unit-report") == 1  # the other wards sent nothing: no link
    download = client_for(district_officer).get(f"/bao-cao/{october.pk}/tai-ve/docx/")
    assert download["Content-Disposition"] == (
        'attachment; filename="Bao-cao-thang-cap-xa-Thang-10-2014-Phuong-Trang-Tien.docx"'
    )


def test_the_report_history_names_statuses_in_vietnamese(october, commune_officer, client_for):
    services.submission_submit(actor=commune_officer, submission=october)
    page = client_for(commune_officer).get(f"/bao-cao/{october.pk}/").content.decode()
    assert "→ Đã gửi, chờ duyệt" in page
    assert "→ submitted" not in page and "→ draft" not in page
