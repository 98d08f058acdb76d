"""The columns of the police list and its .xlsx template (the guide and the legal acts on a second sheet)."""

from __future__ import annotations

from dataclasses import dataclass

from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.people.models import (
    LegalAct,
    format_vnd,
)

MAX_ROWS = 10_000  # data rows of one list at most (read: ``reading.read_workbook``)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    hint: str = ""
    width: int = 18


COLUMNS: list[Column] = [
    Column("full_name", "Họ và tên", True, "Họ, tên đệm và tên, ví dụ Nguyễn Thị Lan.", 26),
    Column("sex", "Giới tính", False, "Nữ, Nam hoặc Khác.", 10),
    Column("birth", "Ngày sinh hoặc năm sinh", True, "dd/mm/yyyy, hoặc chỉ năm sinh yyyy.", 16),
    Column("id_number", "Số CMND/CCCD", False, "CMND 9 chữ số hoặc CCCD 12 chữ số.", 16),
    Column(
        "residence_unit",
        "Nơi cư trú (mã hoặc tên xã, phường)",
        False,
        "Mã xã, phường (5 chữ số, mã Tổng cục Thống kê) hoặc tên, ví dụ “Tràng Tiền, Hoàn Kiếm”. "
        "Để trống nếu cư trú ở tỉnh khác và ghi địa chỉ ở cột sau.",
        24,
    ),
    Column("residence_address", "Địa chỉ cư trú", False, "Số nhà, đường phố, thôn, xóm.", 28),
    Column("occurred_at", "Thời gian vi phạm", True, "dd/mm/yyyy hh:mm (hoặc dd/mm/yyyy).", 18),
    Column(
        "place_unit",
        "Nơi vi phạm (mã hoặc tên xã, phường)",
        True,
        "Phải thuộc địa bàn của cơ quan người nhập.",
        24,
    ),
    Column("place_address", "Địa chỉ nơi vi phạm", False, "Địa chỉ, tên cơ sở kinh doanh nếu có.", 28),
    Column(
        "role",
        "Vai trò",
        False,
        "Người bán dâm, Người mua dâm, Người môi giới, Chủ cơ sở, người chứa, Khác. "
        "Để trống: suy ra từ hành vi.",
        16,
    ),
    Column("decree", "Nghị định", True, "Ví dụ 167/2013/NĐ-CP.", 16),
    Column("article", "Điều", True, "Số điều, ví dụ 23.", 8),
    Column("clause", "Khoản", False, "Số khoản, ví dụ 1.", 8),
    Column("number", "Số quyết định", True, "Số quyết định xử phạt, ví dụ 125/QĐ-XPHC.", 18),
    Column("decided_on", "Ngày quyết định", True, "dd/mm/yyyy.", 14),
    Column(
        "authority",
        "Cơ quan ra quyết định",
        False,
        "Tên hoặc mã cơ quan. Để trống: cơ quan của người nhập.",
        28,
    ),
    Column("kind", "Hình thức xử phạt", True, "Cảnh cáo hoặc Phạt tiền.", 14),
    Column("amount", "Số tiền phạt (đồng)", False, "Ví dụ 200.000 hoặc 200,000. Để trống nếu cảnh cáo.", 16),
    Column("paid_on", "Ngày nộp phạt", False, "dd/mm/yyyy nếu đã nộp phạt.", 14),
]
KEYS = [c.key for c in COLUMNS]
BY_KEY = {c.key: c for c in COLUMNS}
# The last column of the file of rejected rows: what to fix. Reading ignores it, so the officer fixes
# the rows in that file and uploads it as it is.
ERROR_HEADER = "Lỗi cần sửa"
TEXT_COLUMNS = {"id_number", "birth", "occurred_at", "decided_on", "paid_on", "number"}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def template_workbook() -> bytes:
    """The .xlsx template: the header row on the first sheet, the guide and the legal acts on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([c.header for c in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.key in TEXT_COLUMNS:
            # Text columns (a column style, so no empty cells are created below the header): leading
            # zeros of ID numbers survive, dates are read as typed.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    choices = {
        "sex": '"Nữ,Nam,Khác"',
        "kind": '"Cảnh cáo,Phạt tiền"',
        "role": '"Người bán dâm,Người mua dâm,Người môi giới,Khác"',
    }
    for key, formula in choices.items():
        letter = column_letter(KEYS.index(key))
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{letter}2:{letter}10001")
        sheet.add_data_validation(validation)

    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Tên cột", "Bắt buộc", "Cách ghi"])
    for index, column in enumerate(COLUMNS):
        guide.append([column_letter(index), column.header, "Có" if column.required else "", column.hint])
    guide.append([])
    guide.append(
        [
            "",
            f"Mỗi dòng là một người bị xử phạt (một quyết định). Tối đa {MAX_ROWS:,} dòng".replace(",", ".")
            + ". Không đổi tên, thứ tự cột ở trang “Danh sách”.",
        ]
    )
    guide.append([])
    guide.append(["", "Danh mục hành vi", "", ""])
    guide.append(["Nghị định", "Điều", "Khoản", "Hành vi, khung tiền phạt (cá nhân), hiệu lực"])
    for act in LegalAct.objects.order_by("valid_from", "decree", "article", "clause"):
        until = act.valid_to.strftime("%d/%m/%Y") if act.valid_to else "nay"
        guide.append(
            [
                act.decree,
                act.article,
                act.clause or "",
                f"{act.wording}: {format_vnd(act.fine_min_individual)}–{format_vnd(act.fine_max_individual)} đồng"
                f"{' (được cảnh cáo)' if act.warning_allowed else ''}; "
                f"từ {act.valid_from.strftime('%d/%m/%Y')} đến {until}",
            ]
        )
    for row in guide.iter_rows(min_row=1, max_row=1):
        for cell in row:
            cell.font = bold
    for letter, width in zip("ABCD", (12, 36, 10, 90), strict=True):
        guide.column_dimensions[letter].width = width
    return workbook_bytes(workbook)
