"""The statistics form of the healthy-commune assessment, from approved assessments only.

The official form annexed to JR 01/2008 could not be sourced (only the resolution's first page is
published where we looked). The layout is therefore data: ``StatisticsLayout`` rows (one for the city,
one row per district; one for a district, one row per commune) whose title, subtitle, form number,
column headings, column order and signature the city coordinator corrects at
``/xa-lanh-manh/bieu-thong-ke/mau/``; the shipped layouts are the city's own summary with
``verified`` False, and every document made from an unverified layout says so under its title. The
figures are computed here (``MEASURES``). Word follows Decree 30/2020 (``core.documents.
official_document``: A4, landscape for the city's wide table); Excel goes through ``core.spreadsheet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.communes import selectors, services
from lanhmanh.communes.models import Assessment, LayoutLevel, StatisticsLayout
from lanhmanh.core.documents import MOTTO, NATIONAL, docx_bytes, official_document
from lanhmanh.core.scoping import path_q
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.org.levels import is_lowest, is_top
from lanhmanh.org.models import AdministrativeUnit

# The figures a layout's columns may show, by level: key → what it is (shown on the layout page).
MEASURES = {
    LayoutLevel.CITY: {
        "index": _("Số thứ tự"),
        "district": _("Tên quận, huyện, thị xã"),
        "communes": _("Số xã, phường, thị trấn có hiệu lực cuối năm"),
        "assessed": _("Số xã đã có kết quả được duyệt"),
        "not_assessed": _("Số xã chưa có kết quả được duyệt"),
        "healthy": _("Số xã lành mạnh"),
        "affected": _("Số xã đã đánh giá nhưng chưa lành mạnh"),
        "share": _("Tỷ lệ xã lành mạnh trên tổng số xã (%)"),
        "became_clean": _("Số xã chuyển hóa thành lành mạnh so với năm trước"),
        "became_affected": _("Số xã có tệ nạn trở lại so với năm trước"),
    },
    LayoutLevel.DISTRICT: {
        "index": _("Số thứ tự"),
        "commune": _("Tên xã, phường, thị trấn"),
        "self_score": _("Điểm xã tự chấm"),
        "score": _("Điểm sau phúc tra"),
        "class": _("Xếp loại"),
        "healthy": _("Lành mạnh (Có/Không)"),
        "change": _("Thay đổi so với năm trước"),
    },
}
UNVERIFIED_NOTICE = (
    "Mẫu biểu chưa đối chiếu với biểu mẫu kèm theo Nghị quyết liên tịch 01/2008/NQLT-BLĐTBXH-BCA-BVHTTDL-"
    "UBTƯMTTQVN (bảng tổng hợp thành phố đang dùng; nguồn: %(source)s)."
)


@dataclass
class StatisticsForm:
    unit: AdministrativeUnit
    year: int
    layout: StatisticsLayout
    rows: list[list] = field(default_factory=list)
    total: list = field(default_factory=list)

    @property
    def columns(self) -> tuple:
        return tuple(c["label"] for c in self.layout.columns)


def layouts() -> list[StatisticsLayout]:
    """The layouts, the shipped ones created first if missing (a flushed or fresh database)."""
    if StatisticsLayout.objects.count() < len(LayoutLevel.values):
        services.statistics_layouts_load()
    return list(StatisticsLayout.objects.all())


def layout_for(level: str) -> StatisticsLayout:
    return next(layout for layout in layouts() if layout.level == level)


def _share(healthy: int, communes: int):
    return round(healthy * 100 / communes, 1) if communes else None


def _pick(layout: StatisticsLayout, values: dict) -> list:
    return [values.get(c["key"]) for c in layout.columns]


def statistics_form(user, year: int, unit_path: str) -> StatisticsForm | None:
    unit = AdministrativeUnit.objects.filter(path=unit_path).order_by("-valid_from").first()
    if unit is None or is_lowest(unit.level):
        return None
    if is_top(unit.level):
        layout = layout_for(LayoutLevel.CITY)
        rows = selectors.transformation(user, year, unit_path)
        form = StatisticsForm(unit, year, layout)
        for n, r in enumerate(rows, start=1):
            values = {
                "index": n,
                "district": r.district.full_name,
                "communes": r.communes,
                "assessed": r.assessed,
                "not_assessed": r.communes - r.assessed,
                "healthy": r.healthy,
                "affected": r.assessed - r.healthy,
                "share": r.share,
                "became_clean": len(r.became_clean),
                "became_affected": len(r.became_affected),
            }
            form.rows.append(_pick(layout, values))
        communes = sum(r.communes for r in rows)
        healthy = sum(r.healthy for r in rows)
        assessed = sum(r.assessed for r in rows)
        total = {
            "index": "",
            "district": "Tổng cộng",
            "communes": communes,
            "assessed": assessed,
            "not_assessed": communes - assessed,
            "healthy": healthy,
            "affected": assessed - healthy,
            "share": _share(healthy, communes),
            "became_clean": sum(len(r.became_clean) for r in rows),
            "became_affected": sum(len(r.became_affected) for r in rows),
        }
        form.total = _pick(layout, total)
        return form
    layout = layout_for(LayoutLevel.DISTRICT)
    form = StatisticsForm(unit, year, layout)
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
        values = {
            "index": n,
            "commune": c.full_name,
            "self_score": float(a.self_score) if a else None,
            "score": float(a.score) if a else None,
            "class": a.classification.name if a and a.classification else "Chưa có kết quả duyệt",
            "healthy": ("Có" if a.healthy else "Không") if a else "",
            "change": change,
        }
        form.rows.append(_pick(layout, values))
    summary = f"Tổng cộng: {healthy}/{len(communes)} lành mạnh ({_share(healthy, len(communes)) or 0}%)"
    label_key = "commune" if any(c["key"] == "commune" for c in layout.columns) else layout.columns[0]["key"]
    form.total = _pick(layout, {label_key: summary})
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
        "title": form.layout.title,
        "subtitle": form.layout.subtitle.replace("{year}", str(form.year)).replace("{unit}", unit.full_name),
        "number": form.layout.form_number,
        "notice": "" if form.layout.verified else UNVERIFIED_NOTICE % {"source": form.layout.source},
        "signer": form.layout.signer,
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
    if h["number"]:
        para(doc, h["number"], italic=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, h["title"], bold=True, size=14)
    for line in h["subtitle"].split("\n"):
        para(doc, line, bold=True)
    if h["notice"]:
        para(doc, h["notice"], italic=True, size=11)
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
    right.paragraphs[0].add_run(h["signer"]).bold = True
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
    if h["number"]:
        sheet.append([h["number"]])
    if h["notice"]:
        sheet.append([h["notice"]])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
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
