"""Word documents in the official layout (Decree 30/2020/NĐ-CP, Appendix I): every .docx the system writes.

Decree 30/2020 asks for A4 paper (210 × 297 mm), portrait for text (landscape allowed for wide tables),
margins top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm, and Times New Roman 13–14 pt.
``official_document()`` returns a python-docx ``Document`` set up that way; ``docx_bytes`` saves it.
python-docx's own default template is US Letter, so a document must never start from ``Document()``
directly (a guard test looks for it).
"""

from __future__ import annotations

import io
import re
import unicodedata

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

A4_WIDTH_MM = 210
A4_HEIGHT_MM = 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FONT = "Times New Roman"
FONT_SIZE_PT = 13


def official_document(*, landscape: bool = False):
    """A new document on A4 with Decree 30/2020 margins and its body font (landscape for wide tables)."""
    from docx import Document  # noqa: PLC0415 -- heavy: loaded for Word documents only
    from docx.enum.section import WD_ORIENT  # noqa: PLC0415 -- heavy: loaded for Word documents only
    from docx.oxml.ns import qn  # noqa: PLC0415 -- heavy: loaded for Word documents only
    from docx.shared import Mm, Pt  # noqa: PLC0415 -- heavy: loaded for Word documents only

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(FONT_SIZE_PT)
    # East-Asian and complex-script font slots too, so Word does not fall back for Vietnamese text.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    for section in doc.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = (A4_HEIGHT_MM, A4_WIDTH_MM) if landscape else (A4_WIDTH_MM, A4_HEIGHT_MM)
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
    return doc


def docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def download_name(*parts: object) -> str:
    """A download's file name in words an officer recognises, without accents (every browser and mail
    client keeps ASCII names whole): ``download_name("Báo cáo", "Tháng 10/2014", "Phường Tràng Tiền")``
    is ``Bao-cao-Thang-10-2014-Phuong-Trang-Tien``."""
    text = " ".join(str(p) for p in parts if p not in (None, ""))
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:150] or "tai-lieu"
