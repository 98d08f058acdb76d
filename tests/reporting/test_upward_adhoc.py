"""Upward ad hoc reports: the city coordinator records a request from the Ministry (or the steering committee,
the city committee) with its own due date, period and form; the city's answer is built from the
consolidation and printed in Word and Excel like the others. Bad input is refused naming the field."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from lanhmanh.reporting import services
from lanhmanh.reporting.models import AdHocRequest, Notification

from .test_consolidation import two_communes  # noqa: F401 - the fixture: two communes' October approved

MINISTRY = "Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)"
TODAY = dt.date(2014, 11, 12)


def _record(coordinator, forms, **changes):
    data = {
        "form": forms["thanh-pho-dot-xuat"],
        "issuer": MINISTRY,
        "reference": "3456/LĐTBXH-PCTNXH",
        "title": "Báo cáo nhanh kết quả PCMD tháng 10/2014",
        "period_id": "201410",
        "due_date": dt.date(2014, 11, 20),
        "today": TODAY,
        **changes,
    }
    return services.upward_request_record(actor=coordinator, **data)


def test_the_city_answers_a_request_from_the_ministry_from_the_consolidation(
    two_communes,  # noqa: F811
    forms,
    coordinator,
    client_for,
):
    request = _record(coordinator, forms)
    assert list(request.units.values_list("path", flat=True)) == ["01"]
    assert Notification.objects.filter(recipient=coordinator, key=f"request:{request.pk}").exists()
    client = client_for(coordinator)
    inbox = client.get("/bao-cao/").content.decode()
    assert f"{MINISTRY} (3456/LĐTBXH-PCTNXH): Báo cáo nhanh kết quả PCMD tháng 10/2014" in inbox
    assert "20/11/2014" in inbox
    response = client.post("/bao-cao/mo/", {"request": request.pk})
    submission = request.submissions.get()
    assert response.url == f"/bao-cao/{submission.pk}/"
    assert (submission.due_date, submission.period_id) == (dt.date(2014, 11, 20), "201410")
    sheet = client.get(f"/bao-cao/{submission.pk}/tai-ve/xlsx/")
    assert sheet.status_code == 200
    cells = [
        [c for c in row if c is not None]
        for ws in load_workbook(io.BytesIO(sheet.content)).worksheets
        for row in ws.iter_rows(values_only=True)
    ]
    flat = [str(c) for row in cells for c in row]
    assert any(f"Theo yêu cầu của {MINISTRY}, văn bản số 3456/LĐTBXH-PCTNXH" in c for c in flat)
    outreach = next(row for row in cells if "Số người được tiếp cận, tư vấn" in row)
    assert 20 in outreach  # the two communes' approved October reports, added up
    word = client.get(f"/bao-cao/{submission.pk}/tai-ve/docx/")
    assert word.status_code == 200 and word.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer": " "}, "issuer", "Ghi cơ quan cấp trên yêu cầu báo cáo."),
        ({"due_date": dt.date(2014, 11, 1)}, "due_date", "Hạn nộp (01/11/2014) đã qua."),
        (
            {"period_id": "201412"},
            "period_id",
            "Kỳ Tháng 12/2014 chưa bắt đầu; chưa thể báo cáo số liệu của kỳ này.",
        ),
        (
            {"form": "dot-xuat-tu-diem"},
            "form",
            "Biểu mẫu “Báo cáo đột xuất” không phải báo cáo đột xuất của Thành phố.",
        ),
    ],
)
def test_a_bad_request_from_above_is_refused_naming_the_field(forms, coordinator, changes, field, message):
    if changes.get("form"):
        changes["form"] = forms[changes["form"]]
    with pytest.raises(ValidationError) as error:
        _record(coordinator, forms, **changes)
    assert error.value.message_dict == {field: [message]}
    assert not AdHocRequest.objects.exists()


def test_only_the_city_coordinator_records_requests_from_above(forms, district_officer, client_for):
    with pytest.raises(PermissionDenied):
        _record(district_officer, forms)
    assert client_for(district_officer).get("/bao-cao/dot-xuat/cap-tren/").status_code == 404
    assert not AdHocRequest.objects.exists()


def test_the_coordinator_records_a_request_on_the_page(forms, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get("/bao-cao/dot-xuat/cap-tren/").content.decode()
    assert "Yêu cầu báo cáo của cấp trên" in page and "Báo cáo đột xuất của Thành phố" in page
    assert "Báo cáo đột xuất</option>" not in page  # the districts' form is asked down, not answered up
    response = client.post(
        "/bao-cao/dot-xuat/cap-tren/",
        {
            "issuer": "Ban Chỉ đạo 138/CP Thành phố",
            "title": "Tình hình tụ điểm quý 3",
            "form": forms["thanh-pho-dot-xuat-tu-diem"].pk,
            "period_id": "2014Q3",
            "due_date": "05/12/2050",
        },
    )
    assert response.status_code == 302
    request = AdHocRequest.objects.get()
    assert (request.issuer, request.period_id, request.form.code) == (
        "Ban Chỉ đạo 138/CP Thành phố",
        "2014Q3",
        "thanh-pho-dot-xuat-tu-diem",
    )
    page = client.post(
        "/bao-cao/dot-xuat/cap-tren/",
        {
            "issuer": "Ban Chỉ đạo 138/CP Thành phố",
            "title": "X",
            "form": forms["thanh-pho-dot-xuat"].pk,
            "period_id": "2014Q3",
            "due_date": "01/01/2001",
        },
    ).content.decode()
    assert "Hạn nộp (01/01/2001) đã qua." in page
    assert AdHocRequest.objects.count() == 1
