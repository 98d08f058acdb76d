"""The plan dashboard as an Excel workbook: the same numbers, suppression included."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.plans.dashboard import Dashboard, Section

SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _bold_header(sheet, headers):
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _section_sheet(book: Workbook, board: Dashboard, section: Section) -> None:
    """A section of the dashboard: each indicator at the unit, by the unit's children, and its breakdown."""
    sheet = book.create_sheet(str(section.title).translate(SHEET_FORBIDDEN)[:31])
    sheet.append([str(section.title)])
    sheet.append([board.unit.long_name])
    _bold_header(sheet, [_("Mã chỉ số"), _("Chỉ số"), _("Đơn vị tính"), _("Đã đạt"), _("Chỉ tiêu")])
    for item in section.indicators:
        sheet.append(
            [
                item.indicator.code,
                item.indicator.name,
                str(item.indicator.get_unit_display()),
                item.total.display,
                item.target_code,
            ]
        )
    if section.child_rows:
        sheet.append([])
        _bold_header(sheet, [_("Đơn vị"), *[item.indicator.name for item in section.indicators]])
        for row in section.child_rows:
            sheet.append([row.name, *[(c.display if c else "0") for c in row.cells]])
    for item in section.indicators:
        if item.withheld_by:
            sheet.append([])
            sheet.append([item.indicator.name, str(item.withheld_by)])
            sheet.append([_("Không tách được: số liệu nhỏ, tách ra có thể suy ra các ô dưới 5.")])
        if item.breakdown is None:
            continue
        sheet.append([])
        _bold_header(sheet, [item.indicator.name, str(item.breakdown.name)])
        for label, cell in item.breakdown.rows:
            sheet.append([label, cell.display if cell else "0"])


def dashboard_workbook(board: Dashboard) -> bytes:
    book = Workbook()
    targets = book.active
    targets.title = _("Chỉ tiêu")
    targets.append([board.plan.title])
    targets.append([board.unit.long_name])
    _bold_header(
        targets,
        [_("Mã"), _("Chỉ tiêu"), _("Mục tiêu"), _("Đã đạt"), _("% đạt"), _("% thời gian"), _("Trạng thái")],
    )
    for p in board.progress:
        achieved = p.achieved.display if p.achieved else ""
        if p.second_achieved:
            achieved += f" / {p.second_achieved.display}"
        goal = p.target.goal_display if p.target.unit_id == board.unit.pk else (p.goal or "")
        targets.append(
            [
                p.target.code,
                p.target.title,
                str(goal),
                achieved,
                float(p.share_achieved) if p.share_achieved is not None else "",
                float(p.share_elapsed),
                str(p.status_label),
            ]
        )
    by_unit = book.create_sheet(_("Theo đơn vị"))
    _bold_header(by_unit, [_("Đơn vị"), *board.column_labels])
    for row in board.child_rows:
        by_unit.append([row.name, *[(c.display if c else "0") for c in row.cells]])
    months = book.create_sheet(_("Hoạt động theo tháng"))
    _bold_header(months, [_("Tháng"), _("Số hoạt động")])
    for label, value, shown in board.months:
        months.append([label, value if value is not None else shown])
    for section in board.sections:
        _section_sheet(book, board, section)
    return workbook_bytes(book)
