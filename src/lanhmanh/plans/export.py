"""The plan dashboard as an Excel workbook: the same numbers, suppression included."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.plans.dashboard import Dashboard, Section
from lanhmanh.plans.models import TargetKind

SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _bold_header(sheet, headers):
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _number(value):
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return float(value)
    return int(value)


def _excel_value(cell):
    """A number Excel can add up (SUM over a column works), or the mark of a hidden cell ("<5", "x", "—")."""
    if cell is None:
        return 0
    if cell.suppressed or cell.value is None:
        return cell.display
    return _number(cell.value)


def _goal_value(goal):
    if isinstance(goal, int | float | Decimal) and not isinstance(goal, bool):
        return _number(goal)
    return str(goal)


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
                _excel_value(item.total),
                item.target_code,
            ]
        )
    if section.child_rows:
        sheet.append([])
        _bold_header(sheet, [_("Đơn vị"), *[item.indicator.name for item in section.indicators]])
        for row in section.child_rows:
            sheet.append([row.name, *[_excel_value(c) for c in row.cells]])
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
            sheet.append([label, _excel_value(cell)])


def dashboard_workbook(board: Dashboard) -> bytes:
    book = Workbook()
    targets = book.active
    targets.title = _("Chỉ tiêu")
    targets.append([board.plan.title])
    targets.append([board.unit.long_name, board.shown.label])
    achieved_headers = [_("Đã đạt")]
    if board.is_part:  # a part of the year: its own value, then the year's up to its end (against the goal)
        achieved_headers = [
            _("Trong kỳ (%(period)s)") % {"period": board.shown.label},
            _("Lũy kế từ đầu năm đến %(day)s") % {"day": f"{board.counted_until.end:%d/%m/%Y}"},
        ]
    _bold_header(
        targets,
        [
            _("Mã"),
            _("Chỉ tiêu"),
            _("Mục tiêu"),
            *achieved_headers,
            _("% đạt"),
            _("% thời gian"),
            _("Trạng thái"),
        ],
    )
    for p in board.progress:
        achieved = _excel_value(p.achieved) if p.achieved else ""
        if p.second_achieved:
            achieved = f"{p.achieved.display if p.achieved else ''} / {p.second_achieved.display}"
        if p.target.unit_id != board.unit.pk:
            goal = p.goal or ""
        elif (
            p.target.kind in (TargetKind.AT_LEAST, TargetKind.DESIGNATED_UNITS) and p.target.value is not None
        ):
            goal = p.target.value  # a plain number: Excel can compare and add it
        else:
            goal = p.target.goal_display
        targets.append(
            [
                p.target.code,
                p.target.title,
                _goal_value(goal),
                *([_excel_value(p.in_period) if p.in_period else ""] if board.is_part else []),
                achieved,
                float(p.share_achieved) if p.share_achieved is not None else "",
                float(p.share_elapsed),
                str(p.status_label),
            ]
        )
    by_unit = book.create_sheet(_("Theo đơn vị"))
    _bold_header(by_unit, [_("Đơn vị"), *board.column_labels])
    for row in board.child_rows:
        by_unit.append([row.name, *[_excel_value(c) for c in row.cells]])
    months = book.create_sheet(_("Hoạt động theo tháng"))
    _bold_header(months, [_("Tháng"), _("Số hoạt động")])
    for label, value, shown in board.months:
        months.append([label, value if value is not None else shown])
    for section in board.sections:
        _section_sheet(book, board, section)
    return workbook_bytes(book)
