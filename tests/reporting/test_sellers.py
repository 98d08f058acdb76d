"""The police monthly report's list of sellers sanctioned: from the people registry, identity + enforcement only, logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lanhmanh.api.services import api_token_create
from lanhmanh.core.audit import readers
from lanhmanh.org.models import AdministrativeUnit, Role
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.people.services import violation_record
from lanhmanh.reporting import services

from .conftest import TODAY


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(21)))


def person(name: str, id_number: str, unit_path: str, address: str) -> Person:
    p = Person(
        full_name=name,
        birth_date=dt.date(1990, 3, 4),
        birth_year=1990,
        sex="female",
        id_number=id_number,
        permanent_unit=AdministrativeUnit.objects.get(path=unit_path),
        permanent_address=address,
    )
    p.save()
    return p


@pytest.fixture
def sanctioned(db, police):
    """Two sellers sanctioned in October 2014 in Hoàn Kiếm; a seller in September and a buyer in October are not listed."""
    selling = LegalAct.objects.get(code="167-2013-23-1")
    buying = LegalAct.objects.get(code="167-2013-22-1")
    trang_tien = AdministrativeUnit.objects.get(path="01.002.00079")
    dao = person("Nguyễn Thị Đào", "001190012345", "01.002.00079", "Số 5 phố Tràng Tiền")
    mai = person("Trần Thị Mai", "001190067890", "01.002.00061", "Số 12 phố Hàng Bạc")
    older = person("Lê Thị Hồng", "001190011111", "01.002.00079", "Số 9 phố Tràng Tiền")
    buyer = person("Phạm Văn Nam", "001090022222", "01.002.00079", "Số 1 phố Tràng Tiền")
    buyer.sex = "male"
    buyer.save()

    def fine(number, day, amount=200_000):
        return {"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "fine", "amount": amount}

    def warning(number, day):
        return {"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"}

    for who, act, day, role, sanction in (
        (dao, selling, "2014-10-05", "seller", fine("11/QĐ-XPHC", "2014-10-06")),
        (mai, selling, "2014-10-20", "seller", warning("12/QĐ-XPHC", "2014-10-21")),
        (older, selling, "2014-09-28", "seller", fine("10/QĐ-XPHC", "2014-09-29")),
        (buyer, buying, "2014-10-05", "buyer", fine("13/QĐ-XPHC", "2014-10-06", 500_000)),
    ):
        violation_record(
            actor=police,
            person=who,
            occurred_at=at(day),
            place_unit=trang_tien,
            place_address="Khách sạn X, phố Tràng Tiền",
            act=act,
            role=role,
            sanction=sanction,
        )
    return {"dao": dao, "mai": mai, "older": older, "buyer": buyer}


@pytest.fixture
def police_report(forms, police, sanctioned):
    return services.submission_open(
        actor=police, form=forms["cong-an-thang"], period_id="201410", today=TODAY
    )


def test_the_police_form_has_a_list_instead_of_a_free_text_field(forms):
    form = forms["cong-an-thang"]
    assert form.lists_sanctioned_sellers is True
    assert form.fields.get(code="police_notes").label == "Ghi chú, kiến nghị"
    assert not forms["xa-thang"].lists_sanctioned_sellers


def test_the_police_see_each_seller_sanctioned_in_the_month_and_each_view_is_logged(
    police_report, police, sanctioned, client_for
):
    page = client_for(police).get(f"/bao-cao/{police_report.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-seller=") == 2
    for text in (
        "Nguyễn Thị Đào",
        "001190012345",
        "Số 5 phố Tràng Tiền, Phường Tràng Tiền",
        "11/QĐ-XPHC (06/10/2014)",
        "Phạt tiền: 200.000 đồng",
        "Trần Thị Mai",
        "Số 12 phố Hàng Bạc, Phường Hàng Bạc",
        "12/QĐ-XPHC (21/10/2014)",
    ):
        assert text in html, text
    assert "Lê Thị Hồng" not in html  # sanctioned in September
    assert "Phạm Văn Nam" not in html  # a buyer
    for key in ("dao", "mai"):
        rows = list(readers(sanctioned[key]))
        assert [(r.actor, r.purpose, r.data_class) for r in rows] == [(police, "reporting", "identity")]
        assert rows[0].detail == "Báo cáo tháng của Công an Tháng 10/2014 – Công an Quận Hoàn Kiếm"
        assert rows[0].path == f"/bao-cao/{police_report.pk}/"
    assert list(readers(sanctioned["older"])) == []


def test_the_api_returns_the_list_to_the_police_and_logs_it(police_report, police, sanctioned):
    _, raw = api_token_create(user=police, name="Phần mềm Công an quận", scope="read", days=1)
    data = (
        Client(headers={"authorization": f"Bearer {raw}"})
        .get(f"/api/v1/reports/submissions/{police_report.pk}/")
        .json()
    )
    assert [(s["full_name"], s["decision_number"], s["amount"]) for s in data["sanctioned_sellers"]] == [
        ("Nguyễn Thị Đào", "11/QĐ-XPHC", 200_000),
        ("Trần Thị Mai", "12/QĐ-XPHC", None),
    ]
    assert len(readers(sanctioned["dao"])) == 1


def test_a_reader_of_the_report_without_identity_and_enforcement_does_not_see_the_list(
    police_report, police, sanctioned, client_for
):
    Role.objects.filter(code=Role.POLICE).update(data_classes=["aggregate", "establishment"])
    police.refresh_from_db()
    page = client_for(police).get(f"/bao-cao/{police_report.pk}/").content.decode()
    assert "chỉ cán bộ có quyền xem nhân thân và xử lý vi phạm mới xem được" in page
    assert "Nguyễn Thị Đào" not in page
    assert list(readers(sanctioned["dao"])) == []


def test_the_police_of_another_district_and_a_commune_officer_do_not_reach_the_report(
    police_report, commune_officer, other_district_officer, social_worker, client_for
):
    for user in (commune_officer, other_district_officer, social_worker):
        assert client_for(user).get(f"/bao-cao/{police_report.pk}/").status_code == 404, user


def test_a_commune_report_has_no_list(forms, commune_officer, sanctioned, client_for):
    report = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    page = client_for(commune_officer).get(f"/bao-cao/{report.pk}/").content.decode()
    assert 'data-testid="sanctioned-sellers"' not in page
    assert "Nguyễn Thị Đào" not in page


ANNEX = "Phụ lục: Danh sách người bán dâm bị xử phạt trong tháng"
WITHHELD = "chỉ cán bộ có quyền xem nhân thân và xử lý vi phạm mới xem được, nên không in trong bản này"


def document_text(response, fmt: str) -> str:
    """All the text of a downloaded Word, Excel or PDF document."""
    import io

    data = io.BytesIO(response.content)
    if fmt == "docx":
        from docx import Document

        doc = Document(data)
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(data)
        return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v)
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(data).pages)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_the_police_documents_carry_the_list_as_an_annex_and_each_print_is_logged(
    police_report, police, sanctioned, client_for, fmt
):
    url = f"/bao-cao/{police_report.pk}/tai-ve/{fmt}/"
    response = client_for(police).get(url)
    assert response.status_code == 200
    text = " ".join(document_text(response, fmt).split())  # PDF table cells wrap
    assert ANNEX in text
    for name in ("Nguyễn Thị Đào", "001190012345", "11/QĐ-XPHC (06/10/2014)", "Phạt tiền: 200.000 đồng"):
        assert name in text, name
    assert "Trần Thị Mai" in text
    assert "Lê Thị Hồng" not in text
    assert "Phạm Văn Nam" not in text
    assert WITHHELD not in text
    for key in ("dao", "mai"):
        rows = list(readers(sanctioned[key]))
        assert [(r.actor, r.purpose, r.data_class, r.path) for r in rows] == [
            (police, "reporting", "identity", url)
        ]
        assert rows[0].detail == "Báo cáo tháng của Công an Tháng 10/2014 – Công an Quận Hoàn Kiếm"
    assert list(readers(sanctioned["older"])) == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_a_reader_without_identity_gets_the_documents_with_the_list_withheld(
    police_report, police, sanctioned, client_for, fmt
):
    Role.objects.filter(code=Role.POLICE).update(data_classes=["aggregate", "establishment"])
    police.refresh_from_db()
    response = client_for(police).get(f"/bao-cao/{police_report.pk}/tai-ve/{fmt}/")
    assert response.status_code == 200
    text = " ".join(document_text(response, fmt).split())
    assert ANNEX in text
    assert WITHHELD in text
    for name in ("Nguyễn Thị Đào", "001190012345", "Trần Thị Mai"):
        assert name not in text, name
    assert list(readers(sanctioned["dao"])) == []
    assert list(readers(sanctioned["mai"])) == []


def test_the_consolidated_police_download_has_the_annex_for_the_police(
    police_report, police, sanctioned, client_for
):
    query = "?bieu-mau=cong-an-thang&ky=201410&don-vi=01.002"
    response = client_for(police).get("/bao-cao/tong-hop/tai-ve/docx/" + query)
    assert response.status_code == 200
    text = document_text(response, "docx")
    assert ANNEX in text
    assert "Nguyễn Thị Đào" in text
    assert [r.path for r in readers(sanctioned["dao"])] == ["/bao-cao/tong-hop/tai-ve/docx/"]


def test_another_report_has_no_annex(forms, commune_officer, sanctioned, client_for):
    report = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    text = document_text(client_for(commune_officer).get(f"/bao-cao/{report.pk}/tai-ve/docx/"), "docx")
    assert ANNEX not in text
    assert "Nguyễn Thị Đào" not in text
