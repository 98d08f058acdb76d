"""Issue #21 item 18: the processing impact assessment from the system's own inventory (Law 91/2025), and the
guard that no model holding personal data is missing from that inventory (ASVS V8.3.4, V1.8.1)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from lanhmanh.core.impact import inventoried_models, inventory, personal_data_models

pytestmark = pytest.mark.django_db


def test_every_model_holding_personal_data_is_in_the_inventory():
    missing = personal_data_models() - inventoried_models()
    assert sorted(missing) == [], "add these models to core/data/processing_inventory.json"
    assert "people.person" in personal_data_models()


def test_the_inventory_names_only_models_that_exist():
    from django.apps import apps

    for label in inventoried_models():
        apps.get_model(label)


def test_every_activity_has_purposes_legal_bases_recipients_retention_and_security():
    for activity in inventory()["activities"]:
        for key in ("purposes", "recipients", "retention", "security", "categories"):
            assert activity[key].strip(), (activity["name"], key)
        assert activity["legal_basis"] and all("verified" in basis for basis in activity["legal_basis"])


def test_the_dpo_downloads_the_assessment_as_a_word_document(dpo, coordinator, client_for):
    assert client_for(coordinator).get("/kiem-tra-du-lieu/danh-gia-tac-dong.docx").status_code == 404
    response = client_for(dpo).get("/kiem-tra-du-lieu/danh-gia-tac-dong.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "HỒ SƠ ĐÁNH GIÁ TÁC ĐỘNG XỬ LÝ DỮ LIỆU CÁ NHÂN" in text
    assert "1. Cơ sở dữ liệu người vi phạm hành chính về mại dâm" in text
    assert "CÁN BỘ BẢO VỆ DỮ LIỆU CÁ NHÂN" in text
    cells = {row.cells[0].text: row.cells[1].text for table in doc.tables for row in table.rows}
    # Who reads identities comes from the roles as configured, not from the document's text.
    assert "Điều phối viên Chi cục PCTNXH" in cells["Vai trò được xem (theo cấu hình hiện tại)"]
    assert "(chưa được cán bộ bảo vệ dữ liệu xác minh)" in cells["Căn cứ pháp lý"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
