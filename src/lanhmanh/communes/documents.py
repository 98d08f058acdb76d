"""The statistics form of the healthy-commune assessment, from approved assessments only.

The official form annexed to JR 01/2008 could not be sourced; this is the layout the city uses for its
yearly summary (to be aligned with the annex once entered): for the city, one row per district
(communes valid at the end of the year, assessed, healthy, affected, share, changes from the year
before); for a district, one row per commune (score, class, change). Word follows Decree 30/2020
(``core.documents.official_document``: A4, landscape for the city's wide table); Excel goes through ``core.spreadsheet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from lanhmanh.communes import selectors
from lanhmanh.communes.models import Assessment
from lanhmanh.core.documents import MOTTO, NATIONAL, docx_bytes, official_document
from lanhmanh.core.scoping import path_q
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.org.levels import is_lowest, is_top
from lanhmanh.org.models import AdministrativeUnit

CITY_COLUMNS = (
    "STT",
    "Quận, huyện, thị xã",
    "Tổng số xã, phường, thị trấn",
    "Số đã được đánh giá (đã duyệt)",
    "Số lành mạnh, không có tệ nạn mại dâm",
    "Số có tệ nạn mại dâm",
    "Tỷ lệ lành mạnh (%)",
    "Chuyển hóa: có tệ nạn → lành mạnh",
    "Có tệ nạn trở lại: lành mạnh → có tệ nạn",
)
DISTRICT_COLUMNS = ("STT", "Xã, phường, thị trấn", "Điểm sau phúc tra", "Xếp loại", "So với năm trước")


@dataclass
class StatisticsForm:
    unit: AdministrativeUnit
    year: int
    columns: tuple
    rows: list[list] = field(default_factory=list)
    total: list = field(default_factory=list)


def _share(healthy: int, communes: int):
    return round(healthy * 100 / communes, 1) if communes else None


def statistics_form(user, year: int, unit_path: str) -> StatisticsForm | None:
    unit = AdministrativeUnit.objects.filter(path=unit_path).order_by("-valid_from").first()
    if unit is None or is_lowest(unit.level):
        return None
    if is_top(unit.level):
        rows = selectors.transformation(user, year, unit_path)
        form = StatisticsForm(unit, year, CITY_COLUMNS)
        for n, r in enumerate(rows, start=1):
            form.rows.append(
                [
                    n,
                    r.district.full_name,
                    r.communes,
                    r.assessed,
                    r.healthy,
                    r.assessed - r.healthy,
                    r.share,
                    len(r.became_clean),
                    len(r.became_affected),
                ]
            )
        communes = sum(r.communes for r in rows)
        healthy = sum(r.healthy for r in rows)
        assessed = sum(r.assessed for r in rows)
        form.total = [
            "",
            "Tổng cộng",
            communes,
            assessed,
            healthy,
            assessed - healthy,
            _share(healthy, communes),
            sum(len(r.became_clean) for r in rows),
            sum(len(r.became_affected) for r in rows),
        ]
        return form
    form = StatisticsForm(unit, year, DISTRICT_COLUMNS)
    now = {
        a.unit_id: a
        for a in Assessment.objects.approved()
        .healthy_template()
        .filter(path_q(unit_path, "unit_path"), year=year)
        .select_related("classification")
    }
    before = dict(
        Assessment.objects.approved()
        .healthy_template()
        .filter(path_q(unit_path, "unit_path"), year=year - 1)
        .values_list("unit_id", "healthy")
    )
    healthy = 0
    communes = list(selectors.communes_in(user, unit_path, year))
    for n, c in enumerate(communes, start=1):
        a = now.get(c.pk)
        change = ""
        if a is not None and c.pk in before and before[c.pk] != a.healthy:
            change = "Chuyển hóa thành lành mạnh" if a.healthy else "Có tệ nạn trở lại"
        if a is not None and a.healthy:
            healthy += 1
        form.rows.append(
            [
                n,
                c.full_name,
                float(a.score) if a else None,
                a.classification.name if a and a.classification else "Chưa có kết quả duyệt",
                change,
            ]
        )
    form.total = [
        "",
        f"Tổng cộng: {healthy}/{len(communes)} lành mạnh ({_share(healthy, len(communes)) or 0}%)",
        None,
        "",
        "",
    ]
    return form


def _heading(form: StatisticsForm) -> dict[str, str]:
    unit = form.unit
    today = timezone.localdate()
    province = unit if unit.parent is None else unit.parent
    body = (
        "SỞ LAO ĐỘNG – THƯƠNG BINH VÀ XÃ HỘI"
        if is_top(unit.level)
        else "PHÒNG LAO ĐỘNG – THƯƠNG BINH VÀ XÃ HỘI"
    )
    return {
        "parent": f"UBND {unit.full_name}".upper(),
        "body": body,
        "place_date": f"{province.name}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        "title": "BIỂU THỐNG KÊ",
        "subtitle": (
            f"Kết quả xây dựng xã, phường, thị trấn lành mạnh không có tệ nạn mại dâm năm {form.year}\n"
            f"{unit.full_name} (theo kết quả đã được Thành phố phê duyệt)"
        ),
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def to_docx(form: StatisticsForm) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: python-docx, only for Word
    from docx.shared import Pt  # noqa: PLC0415 -- heavy: python-docx, only for Word

    h = _heading(form)
    doc = official_document(landscape=is_top(form.unit.level))

    def para(target, text, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER):
        p = target.add_paragraph()
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
    right.paragraphs[0].add_run(NATIONAL).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(right, MOTTO, bold=True)
    para(right, h["place_date"], italic=True)
    para(doc, "")
    para(doc, h["title"], bold=True, size=14)
    for line in h["subtitle"].split("\n"):
        para(doc, line, bold=True)
    table = doc.add_table(rows=1, cols=len(form.columns))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, form.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(title)
        run.bold = True
        run.font.size = Pt(11)
    for values in [*form.rows, form.total]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = _text(value)
    para(doc, "")
    bottom = doc.add_table(rows=1, cols=2)
    left, right = bottom.rows[0].cells
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    for line in ("Như trên", "Lưu: VT"):
        left.add_paragraph().add_run(f"- {line};").font.size = Pt(11)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run("THỦ TRƯỞNG CƠ QUAN").bold = True
    para(right, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=12)
    return docx_bytes(doc)


def to_xlsx(form: StatisticsForm) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- heavy: openpyxl, only for Excel
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 -- heavy: openpyxl, only for Excel

    h = _heading(form)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Năm {form.year}"
    sheet.append([h["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in h["subtitle"].split("\n"):
        sheet.append([line])
    sheet.append([])
    sheet.append(list(form.columns))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for values in form.rows:
        sheet.append(list(values))
    sheet.append(list(form.total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 36
    return workbook_bytes(book)
