"""The consolidated report (or a unit's own report) as Word, Excel and PDF.

Word follows the administrative format of Decree 30/2020/NĐ-CP: the issuing body and the national
heading side by side, number and symbol, place and date, the title, the body (here: tables by
section), "Nơi nhận" and the signature block. Excel has one sheet per section with numbers as
numbers. The PDF embeds a Unicode TrueType font (DejaVu Serif, Debian's fonts-dejavu-core) so
Vietnamese prints correctly; ``LANHMANH_PDF_FONT_DIR`` points elsewhere if needed.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from lanhmanh.core.documents import official_document
from lanhmanh.core.periods import MONTH
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.org.models import Agency
from lanhmanh.reporting.aggregation import Consolidation
from lanhmanh.reporting.validation import format_number

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT_DIR = Path(os.environ.get("LANHMANH_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
COLUMNS = (
    "STT",
    "Chỉ tiêu",
    "Nguồn số liệu",
    "Đơn vị báo cáo",
    "Cấp dưới (đã duyệt)",
    "Tổng cộng",
    "Theo dữ liệu",
)


def _province(unit) -> str:
    node = unit
    while node.parent is not None:
        node = node.parent
    return node.name


def _request_line(c: Consolidation) -> str:
    """For an answer to a request from above: whose request, which document, what it asked."""
    request = c.submission.request if c.submission is not None and c.submission.request_id else None
    if request is None or not request.issuer:
        return ""
    document = f", văn bản số {request.reference}" if request.reference else ""
    return f"\n(Theo yêu cầu của {request.issuer}{document}: {request.title})"


def heading(c: Consolidation) -> dict[str, str]:
    """The texts of the Decree 30 heading and closing for this report."""

    agency = (
        c.submission.agency
        if c.submission
        else Agency.objects.filter(unit=c.unit, kind=c.form.submitter_agency_kind).first()
    )
    unit = c.unit
    if agency is None or agency.kind in ("commune-social", "committee"):
        body = f"Ủy ban nhân dân {unit.full_name}"
        parent = f"UBND {unit.parent.full_name}" if unit.parent else ""
    else:
        body = agency.name
        parent = f"UBND {unit.full_name}"
    today = timezone.localdate()
    return {
        "parent": parent.upper(),
        "body": body.upper(),
        "number": f"Số:       /{c.form.symbol}",
        "place_date": f"{_province(unit)}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        "title": "BÁO CÁO",
        "subtitle": f"{c.form.name}\n{c.period.label} – {unit.full_name}" + _request_line(c),
        "signer": "THỦ TRƯỞNG CƠ QUAN"
        if agency is None or agency.kind != "commune-social"
        else "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "sign_note": "(Ký, ghi rõ họ tên, đóng dấu)",
    }


def _cell(value) -> str:
    return format_number(value) if isinstance(value, int) else ("" if value is None else str(value))


def table_rows(block) -> list[list]:
    return [
        [i, row.field.label, row.source_label, row.own, row.below, row.total, row.records]
        for i, row in enumerate(block.rows, start=1)
    ]


ANNEX_TITLE = "Phụ lục: Danh sách người bán dâm bị xử phạt trong tháng"


def annex_title(c: Consolidation) -> str:
    """The annex's title: "in the month" for a monthly report, "in the period" for a quarter or a year."""
    return ANNEX_TITLE if c.period.kind == MONTH else ANNEX_TITLE.removesuffix("tháng") + "kỳ"


ANNEX_WITHHELD = (
    "Danh sách kèm theo có danh tính, địa chỉ người bị xử phạt: chỉ cán bộ có quyền xem nhân thân "
    "và xử lý vi phạm mới xem được, nên không in trong bản này."
)
ANNEX_NONE = "Không có người bán dâm nào bị xử phạt trong kỳ trên địa bàn."
ANNEX_SOURCE = (
    "Lấy từ cơ sở dữ liệu đối tượng: quyết định xử phạt ra trong kỳ, hành vi vi phạm trên địa bàn. "
    "Tài liệu có thông tin cá nhân: chỉ dùng cho công tác phòng, chống mại dâm."
)
ANNEX_COLUMNS = (
    "STT",
    "Họ và tên",
    "Ngày/năm sinh",
    "Số CMND/CCCD",
    "Nơi thường trú",
    "Nơi tạm trú",
    "Ngày, nơi vi phạm",
    "Quyết định xử phạt",
    "Hình thức",
)


def annex_rows(sellers) -> list[list[str]]:
    """One row per sanction in the annex (all texts, as printed)."""
    return [
        [
            str(i),
            s.full_name,
            s.birth,
            s.id_number,
            s.permanent_address,
            s.temporary_address,
            f"{s.occurred_on:%d/%m/%Y}, {s.place}",
            f"{s.decision_number} ({s.decided_on:%d/%m/%Y})",
            f"{s.kind}: {s.amount_display} đồng" if s.amount else s.kind,
        ]
        for i, s in enumerate(sellers, start=1)
    ]


def annex_note(c: Consolidation, sellers) -> str | None:
    """The annex's single line when there is no table (withheld, or nobody), else ``None``."""
    if sellers is None:
        return ANNEX_WITHHELD
    return None if sellers else ANNEX_NONE


def status_line(c: Consolidation) -> str:
    if c.submission is None:
        own = "Đơn vị chưa lập báo cáo kỳ này."
    else:
        own = f"Trạng thái báo cáo của đơn vị: {c.submission.get_status_display()}."
    if c.form.rollup_from.exists():
        own += f" Tổng hợp từ {c.sources_received} báo cáo cấp dưới đã duyệt."
    return own


# Word -------------------------------------------------------------------------------------------


def to_docx(c: Consolidation, *, sellers=None) -> bytes:
    """``sellers``: the police report's annex (``selectors.SanctionedSeller`` list; ``None``: withheld)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: loaded for this format only
    from docx.shared import Pt  # noqa: PLC0415 -- heavy: loaded for this format only

    h = heading(c)
    doc = official_document()

    def para(cell_or_doc, text, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER):
        p = cell_or_doc.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        return p

    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.paragraphs[0].add_run(h["parent"]).font.size = Pt(12)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(left, h["body"], bold=True, size=12)
    para(left, h["number"], size=12)
    right.paragraphs[0].add_run(NATIONAL).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(right, MOTTO, bold=True)
    para(right, h["place_date"], italic=True)
    para(doc, "")
    para(doc, h["title"], bold=True, size=14)
    for line in h["subtitle"].split("\n"):
        para(doc, line, bold=True)
    para(doc, status_line(c), italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for block in c.blocks:
        para(doc, block.title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        if block.rows:
            table = doc.add_table(rows=1, cols=len(COLUMNS))
            table.style = "Table Grid"
            for cell, title in zip(table.rows[0].cells, COLUMNS, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(title).bold = True
            for values in table_rows(block):
                cells = table.add_row().cells
                for cell, value in zip(cells, values, strict=True):
                    cell.text = _cell(value)
        for f, text in block.texts:
            para(doc, f"{f.label}: {text or '…'}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if c.child_rows:
        para(doc, "Số liệu theo đơn vị cấp dưới (đã duyệt)", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        table = doc.add_table(rows=1, cols=len(c.child_columns) + 1)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = "Đơn vị"
        for cell, f in zip(table.rows[0].cells[1:], c.child_columns, strict=True):
            cell.text = f.label
        for _path, name, numbers in c.child_rows:
            cells = table.add_row().cells
            cells[0].text = name
            for cell, value in zip(cells[1:], numbers, strict=True):
                cell.text = _cell(value)
    if c.discrepancies:
        para(doc, "Chênh lệch giữa số liệu báo cáo và dữ liệu", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        for d in c.discrepancies:
            para(
                doc,
                f"- {d.unit_name}: {d.field.label} báo cáo {format_number(d.reported)}, theo dữ liệu {format_number(d.records)}. Lý do: {d.reason or '(không ghi)'}",
                align=WD_ALIGN_PARAGRAPH.LEFT,
            )
    para(doc, "")
    bottom = doc.add_table(rows=1, cols=2)
    left, right = bottom.rows[0].cells
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for line in [r for r in c.form.recipients.splitlines() if r.strip()]:
        p = left.add_paragraph()
        p.add_run(f"- {line.strip()};").font.size = Pt(11)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run(h["signer"]).bold = True
    para(right, h["sign_note"], italic=True, size=12)
    if c.form.lists_sanctioned_sellers:
        doc.add_page_break()
        para(doc, annex_title(c), bold=True)
        para(
            doc, f"(Kèm theo báo cáo {c.form.short_name} {c.period.label} – {c.unit.full_name})", italic=True
        )
        note = annex_note(c, sellers)
        if note:
            para(doc, note, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        else:
            para(doc, ANNEX_SOURCE, italic=True, size=11, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            table = doc.add_table(rows=1, cols=len(ANNEX_COLUMNS))
            table.style = "Table Grid"
            for cell, title in zip(table.rows[0].cells, ANNEX_COLUMNS, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(title).bold = True
            for values in annex_rows(sellers):
                for cell, value in zip(table.add_row().cells, values, strict=True):
                    cell.text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# Excel ------------------------------------------------------------------------------------------


def _sheet_title(text: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]\*\?/\\:]", " ", text)[:31].strip()
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def to_xlsx(c: Consolidation, *, sellers=None) -> bytes:

    h = heading(c)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for block in c.blocks:
        ws = wb.create_sheet(_sheet_title(block.title, used))
        ws.append([c.form.name])
        ws.append([f"{c.unit.full_name} – {c.period.label}" + _request_line(c).replace("\n", " ")])
        ws.append([h["body"]])
        ws.append([])
        ws.append(list(COLUMNS))
        for cell in ws[5]:
            cell.font = Font(bold=True)
        for values in table_rows(block):
            ws.append(values)
        for f, text in block.texts:
            ws.append([])
            ws.append([f.label, text])
        ws.column_dimensions["B"].width = 60
        for col in "CDEFG":
            ws.column_dimensions[col].width = 18
        for row in ws.iter_rows(min_row=6, min_col=4, max_col=7):
            for cell in row:
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
    if c.child_rows:
        ws = wb.create_sheet(_sheet_title("Theo đơn vị", used))
        ws.append(["Đơn vị", *[f.label for f in c.child_columns]])
        for _path, name, numbers in c.child_rows:
            ws.append([name, *numbers])
    if c.discrepancies:
        ws = wb.create_sheet(_sheet_title("Chênh lệch với dữ liệu", used))
        ws.append(["Đơn vị", "Chỉ tiêu", "Báo cáo", "Theo dữ liệu", "Lý do"])
        for d in c.discrepancies:
            ws.append([d.unit_name, d.field.label, d.reported, d.records, d.reason])
    if c.form.lists_sanctioned_sellers:
        ws = wb.create_sheet(_sheet_title("Phụ lục người bị xử phạt", used))
        ws.append([annex_title(c)])
        ws["A1"].font = Font(bold=True)
        ws.append([f"{c.unit.full_name} – {c.period.label}"])
        note = annex_note(c, sellers)
        if note:
            ws.append([note])
        else:
            ws.append([ANNEX_SOURCE])
            ws.append([])
            ws.append(list(ANNEX_COLUMNS))
            for cell in ws[5]:
                cell.font = Font(bold=True)
            for values in annex_rows(sellers):
                ws.append(values)
            for col, width in zip("ABCDEFGHI", (5, 28, 12, 16, 40, 40, 40, 24, 28), strict=True):
                ws.column_dimensions[col].width = width
    return workbook_bytes(wb)


# PDF --------------------------------------------------------------------------------------------


def to_pdf(c: Consolidation, *, sellers=None) -> bytes:
    from fpdf import FPDF  # noqa: PLC0415 -- heavy: loaded for this format only
    from fpdf.enums import XPos, YPos  # noqa: PLC0415 -- heavy: loaded for this format only

    h = heading(c)
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("Serif", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.add_font("Serif", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("Serif", "I", str(FONT_DIR / "DejaVuSerif-Italic.ttf"))
    pdf.set_title(f"{c.form.name} – {c.period.label}")
    pdf.add_page()
    width = pdf.epw
    half = width / 2
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    y = pdf.get_y()
    pdf.set_font("Serif", "", 9)
    pdf.multi_cell(half * 0.9, 5, h["parent"], align="C", **nl)
    pdf.set_font("Serif", "B", 9)
    pdf.multi_cell(half * 0.9, 5, h["body"], align="C", **nl)
    pdf.set_font("Serif", "", 9)
    pdf.multi_cell(half * 0.9, 5, h["number"], align="C", **nl)
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half * 0.9, y)
    pdf.set_font("Serif", "B", 9)
    pdf.multi_cell(width - half * 0.9, 5, NATIONAL, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.multi_cell(width - half * 0.9, 5, MOTTO, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Serif", "I", 9)
    pdf.multi_cell(width - half * 0.9, 5, h["place_date"], align="C", **nl)
    pdf.set_y(max(left_end, pdf.get_y()) + 6)
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(width, 7, h["title"], align="C", **nl)
    pdf.set_font("Serif", "B", 10)
    pdf.multi_cell(width, 6, h["subtitle"], align="C", **nl)
    pdf.set_font("Serif", "I", 9)
    pdf.multi_cell(width, 5, status_line(c), **nl)
    pdf.ln(2)
    widths = (8, 62, 22, 20, 22, 19, 22)
    for block in c.blocks:
        pdf.set_font("Serif", "B", 10)
        pdf.multi_cell(width, 6, block.title, **nl)
        if block.rows:
            pdf.set_font("Serif", "", 8)
            with pdf.table(
                col_widths=widths, text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
            ) as table:
                table.row(list(COLUMNS))
                for values in table_rows(block):
                    table.row([_cell(v) for v in values])
        pdf.set_font("Serif", "", 9)
        for f, text in block.texts:
            pdf.multi_cell(width, 5, f"{f.label}: {text or '…'}", **nl)
        pdf.ln(2)
    if c.child_rows:
        pdf.set_font("Serif", "B", 10)
        pdf.multi_cell(width, 6, "Số liệu theo đơn vị cấp dưới (đã duyệt)", **nl)
        pdf.set_font("Serif", "", 9)
        for _path, name, numbers in c.child_rows:
            details = "; ".join(
                f"{f.label}: {_cell(n)}"
                for f, n in zip(c.child_columns, numbers, strict=True)
                if n is not None
            )
            pdf.multi_cell(width, 5, f"{name} — {details}", **nl)
    if c.discrepancies:
        pdf.set_font("Serif", "B", 10)
        pdf.multi_cell(width, 6, "Chênh lệch giữa số liệu báo cáo và dữ liệu", **nl)
        pdf.set_font("Serif", "", 9)
        for d in c.discrepancies:
            pdf.multi_cell(
                width,
                5,
                f"- {d.unit_name}: {d.field.label} báo cáo {format_number(d.reported)}, theo dữ liệu {format_number(d.records)}. Lý do: {d.reason or '(không ghi)'}",
                **nl,
            )
    pdf.ln(6)
    y = pdf.get_y()
    pdf.set_font("Serif", "B", 9)
    pdf.multi_cell(half, 5, "Nơi nhận:", **nl)
    pdf.set_font("Serif", "", 8)
    for line in [r for r in c.form.recipients.splitlines() if r.strip()]:
        pdf.multi_cell(half, 4.5, f"- {line.strip()};", **nl)
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.set_font("Serif", "B", 10)
    pdf.multi_cell(half, 6, h["signer"], align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Serif", "I", 9)
    pdf.multi_cell(half, 5, h["sign_note"], align="C", **nl)
    if c.form.lists_sanctioned_sellers:
        pdf.add_page(orientation="L")
        width = pdf.epw
        pdf.set_font("Serif", "B", 11)
        pdf.multi_cell(width, 6, annex_title(c), align="C", **nl)
        pdf.set_font("Serif", "I", 9)
        pdf.multi_cell(
            width,
            5,
            f"(Kèm theo báo cáo {c.form.short_name} {c.period.label} – {c.unit.full_name})",
            align="C",
            **nl,
        )
        pdf.ln(2)
        note = annex_note(c, sellers)
        if note:
            pdf.multi_cell(width, 5, note, **nl)
        else:
            pdf.multi_cell(width, 5, ANNEX_SOURCE, **nl)
            pdf.ln(2)
            pdf.set_font("Serif", "", 7)
            with pdf.table(col_widths=(8, 32, 18, 24, 40, 40, 42, 28, 30)) as table:
                table.row(list(ANNEX_COLUMNS))
                for values in annex_rows(sellers):
                    table.row(values)
    return bytes(pdf.output())
