"""Completeness, aggregation, reminders and the documents, on reports approved level by level."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.reporting import documents, services
from lanhmanh.reporting.aggregation import consolidate
from lanhmanh.reporting.completeness import completeness
from lanhmanh.reporting.models import Notification, Submission
from lanhmanh.reporting.reminders import reminders_send

from ..conftest import HOAN_KIEM
from .conftest import GOOD_VALUES, REASONS, TODAY


def approved_report(officer, approver, forms, *, submit_at, **overrides):
    submission = services.submission_open(
        actor=officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=officer, submission=submission, values={**GOOD_VALUES, **overrides}, reasons=REASONS
    )
    services.submission_submit(actor=officer, submission=submission, now=submit_at)
    services.submission_approve(actor=approver, submission=submission)
    return submission


ON_TIME = dt.datetime(2014, 11, 14, 9, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2014, 11, 18, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_communes(forms, commune_officer, other_commune_officer, district_officer):
    approved_report(commune_officer, district_officer, forms, submit_at=ON_TIME)
    approved_report(
        other_commune_officer,
        district_officer,
        forms,
        submit_at=LATE,
        outreach="5",
        fines_collected="1.000.000",
    )


def test_completeness_counts_expected_received_and_on_time_per_district_and_lists_the_late(
    two_communes, forms, coordinator
):
    hoan_kiem_communes = AdministrativeUnit.objects.filter(path__startswith=HOAN_KIEM + ".", level=3).count()
    city = completeness(forms["xa-thang"], scope_path="01", period_id="201410", today=dt.date(2014, 11, 20))
    row = next(r for r in city.rows if r.path == HOAN_KIEM)
    assert (row.name, row.expected, row.received, row.on_time, row.approved) == (
        "Quận Hoàn Kiếm",
        hoan_kiem_communes,
        2,
        1,
        2,
    )
    assert city.total.received == 2
    assert city.due_date == dt.date(2014, 11, 15)
    district = completeness(
        forms["xa-thang"], scope_path=HOAN_KIEM, period_id="201410", today=dt.date(2014, 11, 20)
    )
    assert len(district.rows) == hoan_kiem_communes
    late_names = [r.unit_name for r in district.late]
    assert "Phường Hàng Bạc" in late_names
    assert "Phường Tràng Tiền" not in late_names
    assert len(late_names) == hoan_kiem_communes - 1
    before_deadline = completeness(
        forms["xa-thang"], scope_path=HOAN_KIEM, period_id="201410", today=dt.date(2014, 11, 15)
    )
    assert [r.unit_name for r in before_deadline.late] == ["Phường Hàng Bạc"]


def test_a_district_figure_adds_its_communes_approved_figures_to_its_own(
    two_communes, forms, district_officer, coordinator
):
    own = services.submission_open(
        actor=district_officer, form=forms["huyen-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=district_officer, submission=own, values={**GOOD_VALUES, "outreach": "100"}, reasons=REASONS
    )
    result = consolidate(forms["huyen-thang"], district_officer.unit, "201410", user=district_officer)
    rows = {row.field.code: row for block in result.blocks for row in block.rows}
    assert (rows["outreach"].own, rows["outreach"].below, rows["outreach"].total) == (100, 20, 120)
    assert (rows["fines_collected"].below, rows["fines_collected"].total) == (4_000_000, 7_000_000)
    assert rows["activities_held"].source_label == "Tính từ dữ liệu"
    assert rows["outreach"].source_label == "Số liệu báo cáo"
    assert [
        (name, numbers[[f.code for f in result.child_columns].index("outreach")])
        for _p, name, numbers in result.child_rows
    ] == [
        ("Phường Hàng Bạc", 5),
        ("Phường Tràng Tiền", 15),
    ]
    city = consolidate(
        forms["thanh-pho-nam"], AdministrativeUnit.objects.get(path="01"), "2014", user=coordinator
    )
    city_rows = {row.field.code: row for block in city.blocks for row in block.rows}
    assert (city_rows["outreach"].own, city_rows["outreach"].below) == (
        None,
        20,
    )  # the district's own is not approved yet
    assert [name for _p, name, _n in city.child_rows] == ["Quận Hoàn Kiếm"]


def test_discrepancies_between_reported_values_and_the_records_are_listed(
    forms, commune_officer, district_officer
):
    submission = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer,
        submission=submission,
        values={**GOOD_VALUES, "activities_held": "3"},
        reasons={**REASONS, "activities_held": "Ba buổi tuyên truyền lưu động chưa nhập"},
    )
    services.submission_submit(actor=commune_officer, submission=submission, now=ON_TIME)
    services.submission_approve(actor=district_officer, submission=submission)
    result = consolidate(forms["huyen-thang"], district_officer.unit, "201410", user=district_officer)
    listed = [(d.unit_name, d.field.code, d.reported, d.records, d.reason) for d in result.discrepancies]
    assert [row for row in listed if row[1] == "activities_held"] == [
        ("Phường Tràng Tiền", "activities_held", 3, 0, "Ba buổi tuyên truyền lưu động chưa nhập")
    ]


def test_the_word_document_has_the_decree_30_layout_and_the_figures(two_communes, forms, district_officer):
    result = consolidate(forms["huyen-thang"], district_officer.unit, "201410", user=district_officer)
    doc = Document(io.BytesIO(documents.to_docx(result)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [20, 20]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [30, 15]
    heading = doc.tables[0].rows[0].cells
    assert [p.text for p in heading[0].paragraphs] == [
        "UBND QUẬN HOÀN KIẾM",
        "PHÒNG LAO ĐỘNG – THƯƠNG BINH VÀ XÃ HỘI QUẬN HOÀN KIẾM",
        "Số:       /BC-UBND",
    ]
    assert [p.text for p in heading[1].paragraphs][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert heading[1].paragraphs[2].text.startswith("Hà Nội, ngày ")
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Tháng 10/2014 – Quận Hoàn Kiếm" in texts
    support = doc.tables[3]  # heading, I, II, III
    outreach = next(r for r in support.rows if r.cells[1].text == "Số lượt người được tiếp cận, tư vấn")
    assert [c.text for c in outreach.cells[3:6]] == ["", "20", "20"]
    closing = doc.tables[-1].rows[0].cells
    assert closing[0].paragraphs[0].text == "Nơi nhận:"
    assert closing[0].paragraphs[1].text == "- Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH);"
    assert closing[1].paragraphs[1].text == "(Ký, ghi rõ họ tên, đóng dấu)"


def test_the_workbook_has_one_sheet_per_section_with_numbers_as_numbers(
    two_communes, forms, district_officer
):
    result = consolidate(forms["huyen-thang"], district_officer.unit, "201410", user=district_officer)
    book = load_workbook(io.BytesIO(documents.to_xlsx(result)))
    assert book.sheetnames[:6] == [
        "I. Tình hình tệ nạn mại dâm trê",
        "II. Kiểm tra, xử lý vi phạm hàn",
        "III. Tiếp cận, tư vấn, hỗ trợ n",
        "IV. Tụ điểm mại dâm công cộng",
        "V. Hoạt động tuyên truyền, tập",
        "Theo đơn vị",
    ]
    sheet = book["II. Kiểm tra, xử lý vi phạm hàn"]
    collected = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Số tiền phạt đã thu (đồng)")
    assert collected[4:6] == (4_000_000, 4_000_000)
    assert isinstance(collected[5], int)


def test_the_pdf_prints_vietnamese_and_the_figures(two_communes, forms, district_officer):
    result = consolidate(forms["huyen-thang"], district_officer.unit, "201410", user=district_officer)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.to_pdf(result))).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số lượt người được tiếp cận, tư vấn" in text
    assert "4.000.000" in text
    assert "Nơi nhận:" in text


def test_reminders_go_before_and_after_the_deadline_once_and_escalate_to_the_district(
    forms, commune_officer, district_officer, django_capture_on_commit_callbacks
):
    commune_officer.email = "tt@example.vn"
    commune_officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        before = reminders_send(today=dt.date(2014, 11, 13))
    assert Notification.objects.get(recipient=commune_officer, key__contains=":201410:").message == (
        "Nhắc hạn: Báo cáo tháng cấp xã Tháng 10/2014 phải gửi trước ngày 15/11/2014 (còn 2 ngày)."
    )
    assert before.before >= 1
    assert reminders_send(today=dt.date(2014, 11, 13)).before == 0  # nothing goes twice
    reminders_send(today=dt.date(2014, 11, 17))
    assert (
        Notification.objects.filter(
            recipient=commune_officer, key__contains=":201410:", key__endswith=":overdue"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(
        recipient=district_officer, key__startswith="remind:xa-thang:201410:", key__endswith=":escalated"
    ).exists()
    reminders_send(today=dt.date(2014, 11, 20))
    escalated = Notification.objects.filter(
        recipient=district_officer, key__startswith="remind:xa-thang:201410:", key__endswith=":escalated"
    ).values_list("message", flat=True)
    assert (
        "Công chức LĐTBXH Phường Tràng Tiền chưa gửi Báo cáo tháng cấp xã Tháng 10/2014, quá hạn 5 ngày (hạn 15/11/2014)."
        in escalated
    )
    assert (
        len(escalated)
        == Agency.objects.filter(unit__path__startswith=HOAN_KIEM + ".", kind="commune-social").count()
    )
    assert {tuple(m.to) for m in mail.outbox} == {("tt@example.vn",)}
    assert "Báo cáo tháng cấp xã Tháng 10/2014 phải gửi trước ngày 15/11/2014" in "".join(
        m.body for m in mail.outbox
    )


def test_the_city_asks_chosen_districts_for_an_ad_hoc_report(
    forms, coordinator, district_officer, other_district_officer
):
    request = services.adhoc_request_create(
        actor=coordinator,
        form=forms["dot-xuat-tu-diem"],
        title="Rà soát tụ điểm dịp Tết",
        period_id="201412",
        due_date=dt.date(2014, 12, 20),
        units=[district_officer.unit],
        today=dt.date(2014, 12, 10),
    )
    assert Notification.objects.filter(recipient=district_officer).count() == 1
    assert not Notification.objects.filter(recipient=other_district_officer).exists()
    submission = services.submission_open(actor=district_officer, form=request.form, request=request)
    assert (submission.due_date, submission.period_id) == (dt.date(2014, 12, 20), "201412")
    with pytest.raises(Exception) as error:
        services.submission_open(actor=other_district_officer, form=request.form, request=request)
    assert error.value.message_dict == {
        "request": ["Không có yêu cầu báo cáo đột xuất này cho đơn vị của bạn."]
    }
    result = completeness(request.form, scope_path="01", request=request, today=dt.date(2014, 12, 21))
    assert (result.total.expected, result.total.received) == (1, 0)
    assert [r.unit_name for r in result.late] == ["Quận Hoàn Kiếm"]
    assert Submission.objects.count() == 1
    assert Agency.objects.filter(unit=district_officer.unit, kind="district-labour").count() == 1
