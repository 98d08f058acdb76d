"""Every Word document starts from the official A4 layout (Decree 30/2020), never python-docx's US Letter."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document

from lanhmanh.core.documents import docx_bytes, official_document

SRC = Path(__file__).resolve().parents[2] / "src" / "lanhmanh"


def test_an_official_document_is_a4_portrait_with_decree_30_margins_and_font():
    doc = Document(io.BytesIO(docx_bytes(official_document())))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [20, 20]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 13


def test_a_landscape_document_is_a4_turned():
    section = official_document(landscape=True).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_no_code_creates_a_word_document_outside_the_official_layout():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "documents.py" or path.parent.name != "core"
        if re.search(r"(?<![\w.])Document\(\s*\)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_downloads_are_named_in_words_without_accents():
    from lanhmanh.core.documents import download_name

    assert (
        download_name("Báo cáo", "Tháng 10/2014", "Phường Tràng Tiền")
        == "Bao-cao-Thang-10-2014-Phuong-Trang-Tien"
    )
    assert download_name("Kế hoạch", 2014, "Quận Đống Đa") == "Ke-hoach-2014-Quan-Dong-Da"
    assert download_name("", None) == "tai-lieu"
