"""Issue #14 item 6: the statistics form's layout is data the city coordinator corrects. The annex of
JR 01/2008 was not found, so the shipped layout is the city's summary, unverified, and says so."""

from __future__ import annotations

import io

import pytest

from lanhmanh.communes.models import StatisticsLayout

pytestmark = pytest.mark.django_db
URL = "/xa-lanh-manh/bieu-thong-ke/mau/"


def _city_rows(client):
    from openpyxl import load_workbook

    response = client.get("/xa-lanh-manh/bieu-thong-ke.xlsx?year=2014")
    assert response.status_code == 200
    return [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def test_the_shipped_layouts_are_unverified_and_the_documents_say_so(client_for, coordinator, approved):
    from docx import Document

    assert set(StatisticsLayout.objects.values_list("level", "verified")) == {
        ("city", False),
        ("district", False),
    }
    doc = Document(
        io.BytesIO(client_for(coordinator).get("/xa-lanh-manh/bieu-thong-ke.docx?year=2014").content)
    )
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Mẫu biểu chưa đối chiếu với biểu mẫu kèm theo Nghị quyết liên tịch 01/2008" in text
    page = client_for(coordinator).get(URL).content.decode()
    assert 'data-testid="unverified"' in page


def test_the_coordinator_rewrites_headings_and_order_and_the_form_follows(client_for, coordinator, approved):
    client = client_for(coordinator)
    layout = StatisticsLayout.objects.get(level="city")
    response = client.post(
        URL,
        {
            "level": "city",
            "title": "BIỂU SỐ 01",
            "subtitle": "Năm {year} – {unit}",
            "form_number": "Biểu số 01/TK",
            "signer": "GIÁM ĐỐC",
            "source": "NQLT 01/2008, phụ lục (đã đối chiếu bản giấy)",
            "verified": "on",
            "note": "",
            "columns_text": "index | TT\ndistrict | Đơn vị\nhealthy | Số xã đạt\ncommunes | Tổng số xã",
        },
    )
    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.verified and [c["key"] for c in layout.columns] == [
        "index",
        "district",
        "healthy",
        "communes",
    ]
    rows = _city_rows(client)
    assert ["TT", "Đơn vị", "Số xã đạt", "Tổng số xã"] in rows
    hoan_kiem = next(r for r in rows if r[1] == "Quận Hoàn Kiếm")
    assert hoan_kiem[2] == 1
    assert not any("chưa đối chiếu" in str(r[0]) for r in rows)
    assert "Biểu số 01/TK" in [r[0] for r in rows]


def test_an_unknown_measure_is_refused_naming_the_line_and_nothing_is_saved(
    client_for, coordinator, template
):
    before = StatisticsLayout.objects.get(level="district").columns
    response = client_for(coordinator).post(
        URL,
        {
            "level": "district",
            "title": "X",
            "subtitle": "Y",
            "signer": "Z",
            "source": "S",
            "columns_text": "index | STT\nsố tiền | Tiền",
        },
    )
    assert response.status_code == 400
    assert "Dòng 2: “số tiền” không phải là mã số liệu có sẵn" in response.content.decode()
    assert StatisticsLayout.objects.get(level="district").columns == before


def test_only_the_coordinator_edits_layouts(client_for, district_officer, template):
    client = client_for(district_officer)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"level": "city", "title": "X"}).status_code == 404
