"""Documents of criminal cases: the case summary for the procuracy (Word) and the statistics table by
offence group and stage (Word and Excel). Word pages are A4 with the margins of Decree 30/2020/NĐ-CP
(top and bottom 20 mm, left 30 mm, right 15 mm); workbooks go through ``core.spreadsheet``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.documents import official_document
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.enforcement.cases.models import CriminalCase, OffenceGroup


def _document():
    return official_document()


def _heading(document, agency_name: str, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: Word, loaded only for a document

    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(agency_name.upper()).bold = True
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    run.bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(title.upper()).bold = True


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def case_summary_docx(case: CriminalCase, defendants, victims, *, agency_name: str) -> bytes:
    """The case summary: offence, place, stages with dates, defendants with charges and sentences,
    victims (names of children replaced by their initials) and support offered."""
    document = _document()
    _heading(document, agency_name, _("Tóm tắt vụ án số %(pk)s") % {"pk": case.pk})
    document.add_paragraph(_("Tội danh: %(offence)s.") % {"offence": str(case.offence)})
    document.add_paragraph(
        _("Nơi xảy ra: %(place)s%(address)s. Ngày thực hiện hành vi: %(day)s.")
        % {
            "place": case.unit.long_name,
            "address": f" ({case.address})" if case.address else "",
            "day": _day(case.act_on),
        }
    )
    document.add_paragraph(
        _("Cơ quan điều tra: %(agency)s (%(body)s).")
        % {"agency": case.investigating_agency.name, "body": case.get_investigating_body_display()}
    )
    if case.summary:
        document.add_paragraph(case.summary)
    document.add_paragraph().add_run(_("Các giai đoạn tố tụng")).bold = True
    stages = document.add_table(rows=1, cols=2)
    stages.style = "Table Grid"
    stages.rows[0].cells[0].text, stages.rows[0].cells[1].text = _("Giai đoạn"), _("Ngày")
    for stage in (
        "detected",
        "busted",
        "prosecuted",
        "suspended",
        "indicted",
        "closed",
        "tried",
        "appealed",
        "final",
    ):
        day = case.date_of(stage)
        if day is None:
            continue
        row = stages.add_row().cells
        row[0].text = str(CriminalCase._meta.get_field(f"{stage}_on").verbose_name).capitalize()
        row[1].text = _day(day)
        if stage == "tried" and (case.mobile_trial or case.model_trial):
            flags = [str(_("xét xử lưu động"))] if case.mobile_trial else []
            flags += [str(_("phiên tòa rút kinh nghiệm"))] if case.model_trial else []
            row[1].text += f" ({', '.join(flags)})"
    document.add_paragraph().add_run(_("Bị can, bị cáo")).bold = True
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        (_("Họ và tên"), _("Năm sinh"), _("Vai trò"), _("Tội danh"), _("Hình phạt")),
        strict=True,
    ):
        cell.text = text
    for defendant in defendants:
        row = table.add_row().cells
        row[0].text = defendant.person.full_name
        person = (
            defendant.person
        )  # the column says "year of birth": the year only, even when the day is known
        row[1].text = str(person.birth_date.year if person.birth_date else person.birth_year or "")
        row[2].text = defendant.get_ring_role_display()
        row[3].text = defendant.offence.reference
        row[4].text = defendant.sentence_display or "—"
    document.add_paragraph().add_run(_("Bị hại")).bold = True
    for victim in victims:
        name = victim.person.full_name
        if victim.minor:  # a child's name is not spread in documents: initials only
            name = ".".join(part[:1] for part in name.split()) + "."
        offer = victim.get_offer_display() if victim.offer else _("Không đề nghị")
        document.add_paragraph(
            f"{name} — {victim.get_kind_display()}; {_('đề nghị hỗ trợ')}: {offer}", style="List Bullet"
        )
    document.add_paragraph(_("Lập ngày %(day)s.") % {"day": _day(timezone.localdate())})
    return _save(document)


@dataclass(frozen=True)
class StatisticsTable:
    title: str
    unit_name: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # (offence group, displayed cells)
    total: list[str]


def statistics_docx(table: StatisticsTable, *, agency_name: str) -> bytes:
    from docx.enum.section import WD_ORIENT  # noqa: PLC0415 -- heavy: Word, loaded only for a document
    from docx.shared import Mm, Pt  # noqa: PLC0415 -- heavy: Word, loaded only for a document

    document = _document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    _heading(document, agency_name, table.title)
    document.add_paragraph(table.unit_name)
    grid = document.add_table(rows=1, cols=len(table.columns) + 1)
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, [_("Nhóm tội"), *table.columns], strict=True):
        cell.text = text
    for label, cells in [*table.rows, (_("Tổng số"), table.total)]:
        row = grid.add_row().cells
        row[0].text = label
        for cell, text in zip(row[1:], cells, strict=True):
            cell.text = text
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
    document.add_paragraph(
        _("“< 5”: số nhỏ được ẩn để bảo vệ người liên quan; “x”: ẩn để không suy ra được số nhỏ.")
    )
    return _save(document)


def statistics_xlsx(table: StatisticsTable) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- heavy: Excel, loaded only for a workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Thống kê vụ án")[:31]
    sheet.append([table.title])
    sheet.append([table.unit_name])
    sheet.append([_("Nhóm tội"), *table.columns])
    for label, cells in [*table.rows, (_("Tổng số"), table.total)]:
        sheet.append([label, *[_number(text) for text in cells]])
    return workbook_bytes(book)


def _number(text: str):
    """A shown count as a number in the workbook; a hidden one stays its mark."""
    digits = text.replace(".", "")
    return int(digits) if digits.isdigit() else text


GROUP_LABELS = dict(OffenceGroup.choices)
