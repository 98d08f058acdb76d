"""The minutes of an inspection (biên bản kiểm tra) as a Word document: A4, Decree 30/2020 layout.

Margins per Decree 30/2020/NĐ-CP Annex I: top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New
Roman 13 pt; the issuing body's name top left, the national motto top right, the title centred.
"""

from __future__ import annotations

from django.utils import timezone

from lanhmanh.core.documents import MOTTO, NATIONAL, docx_bytes, official_document

RESULTS = {"ok": "Đạt", "violation": "Vi phạm", "na": "Không áp dụng"}


def minutes_docx(inspection, *, agencies, checklist_texts: dict) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: loaded only when a file is written or read
    from docx.shared import Pt  # noqa: PLC0415 -- heavy: loaded only when a file is written or read

    doc = official_document()

    def para(container, text, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.JUSTIFY):
        p = container.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        return p

    team = inspection.team
    e = inspection.establishment
    started = timezone.localtime(inspection.started_at)
    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].add_run(team.unit.full_name.upper()).font.size = Pt(12)
    para(left, team.name.upper(), bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(left, f"Số: {inspection.pk}/BB-KT", size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run(NATIONAL).bold = True
    para(right, MOTTO, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        right,
        f"{e.unit.name}, ngày {started.day:02d} tháng {started.month:02d} năm {started.year}",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para(doc, "")
    para(doc, "BIÊN BẢN KIỂM TRA", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        doc,
        "Cơ sở kinh doanh dịch vụ dễ bị lợi dụng hoạt động mại dâm",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para(
        doc,
        f"Hồi {started:%H} giờ {started:%M} ngày {started:%d/%m/%Y}, tại {e.address}, {e.unit.full_name}.",
    )
    para(doc, f"I. Đoàn kiểm tra: {team.name}", bold=True)
    para(doc, f"Trưởng đoàn: {inspection.leader_name}")
    if inspection.members:
        for line in inspection.members.splitlines():
            if line.strip():
                para(doc, f"- {line.strip()}")
    para(doc, "Cơ quan tham gia: " + "; ".join(a.name for a in agencies) + ".")
    para(doc, "II. Cơ sở được kiểm tra", bold=True)
    para(doc, f"Tên cơ sở: {e.name}. Loại hình: {e.kind.name}.")
    para(doc, f"Địa chỉ: {e.address}, {e.unit.full_name}.")
    if e.registration_number:
        para(doc, f"Số đăng ký kinh doanh: {e.registration_number}.")
    owner = e.organisation_name if e.owner_type == "organisation" else e.owner_name
    para(doc, f"Chủ cơ sở, người quản lý: {owner or '…'}.")
    for licence in e.licences.all():
        para(
            doc,
            f"{licence.get_kind_display()} số {licence.number}, cấp ngày {licence.issued_on:%d/%m/%Y}"
            f" ({licence.get_status_display().lower()}).",
        )
    para(doc, "III. Nội dung kiểm tra", bold=True)
    if inspection.checklist:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, ("TT", "Nội dung kiểm tra", "Kết quả"), strict=True):
            cell.paragraphs[0].add_run(title).bold = True
        for number, (code, value) in enumerate(inspection.checklist.items(), start=1):
            cells = table.add_row().cells
            cells[0].text = str(number)
            cells[1].text = checklist_texts.get(code, code)
            cells[2].text = RESULTS.get(value, value)
    para(doc, f"Số người có mặt tại cơ sở: {inspection.people_present}.")
    para(doc, "IV. Kết quả kiểm tra", bold=True)
    para(
        doc,
        inspection.findings
        or ("Phát hiện vi phạm." if inspection.violation_found else "Không phát hiện vi phạm."),
    )
    links = list(inspection.violations.select_related("violation__act"))
    if links:
        para(
            doc,
            f"Số người vi phạm được lập biên bản: {len(links)} (chi tiết trong hồ sơ xử lý vi phạm hành chính).",
        )
    para(doc, "V. Kiến nghị", bold=True)
    para(doc, inspection.follow_up or "Không.")
    if inspection.follow_up_due:
        para(doc, f"Thời hạn thực hiện: {inspection.follow_up_due:%d/%m/%Y}.")
    para(
        doc,
        "Biên bản được lập thành 02 bản, có nội dung và giá trị như nhau, đã đọc lại cho những người có tên "
        "trên cùng nghe, công nhận là đúng và cùng ký tên dưới đây.",
        italic=True,
    )
    signatures = doc.add_table(rows=1, cols=2)
    left, right = signatures.rows[0].cells
    left.paragraphs[0].alignment = right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].add_run("ĐẠI DIỆN CƠ SỞ").bold = True
    para(left, "(Ký, ghi rõ họ tên)", italic=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    right.paragraphs[0].add_run("TRƯỞNG ĐOÀN KIỂM TRA").bold = True
    para(right, "(Ký, ghi rõ họ tên)", italic=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(right, "")
    para(right, "")
    para(right, inspection.leader_name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    return docx_bytes(doc)
