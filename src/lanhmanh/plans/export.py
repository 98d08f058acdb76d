"""The plan dashboard as an Excel workbook: the same numbers, suppression included."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lanhmanh.plans.dashboard import Dashboard


def _bold_header(sheet, headers):
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


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
    for label, value in board.months:
        months.append([label, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
