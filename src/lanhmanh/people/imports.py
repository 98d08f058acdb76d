"""Excel import of police lists: the template, reading the file, and checking every row.

One row is one sanctioned person: identity, the violation and its sanction decision. Reading gives
plain text cells (kept encrypted between preview and confirmation); ``check_rows`` turns them into
``ParsedRow`` objects against the database as it is now, each with its errors naming the row and
the column. Nothing here writes: ``services.person_import_confirm`` does, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.crypto import id_number_digits, id_number_index, name_birth_index
from lanhmanh.core.scoping import in_subtree
from lanhmanh.core.spreadsheet import workbook_bytes
from lanhmanh.core.text import fold, normalise
from lanhmanh.org.levels import COMMUNE_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.forms import parse_amount
from lanhmanh.people.models import (
    ActKind,
    EventRole,
    LegalAct,
    PaymentStatus,
    Person,
    SanctionDecision,
    SanctionKind,
    Sex,
    Violation,
    format_vnd,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
# Rows read at most, blank or not: the header, the data rows and a thousand trailing blank rows that
# spreadsheet programs often leave formatted below a list.
MAX_ROWS_READ = 1 + MAX_ROWS + 1000
FIRST_DATA_ROW = 2  # row 1 is the header


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


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, empty, too big, wrong columns)."""


# The template ----------------------------------------------------------------------------------------


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


# Reading the file ------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    """A cell as text: dates as dd/mm/yyyy[ hh:mm], whole numbers without '.0', strings normalised."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return normalise(str(value))


def _id_cell(values, index: int, text: str) -> str:
    """A numeric ID cell lost its leading zeros: CCCD numbers start with a 3-digit province code (001…)."""
    value = values[index] if index < len(values) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if len(text) in (10, 11):
            return text.zfill(12)
        if len(text) == 8:
            return text.zfill(9)
    return text


def _match_header(text: str) -> str | None:
    key = fold(text.replace("*", ""))
    for column in COLUMNS:
        if fold(column.header) == key:
            return column.key
    return None


def read_workbook(data: bytes, *, file_name: str = "") -> list[dict]:
    """The data rows of an uploaded .xlsx as ``{"row": n, "cells": {key: text}}``.

    Raises ImportFileError (Vietnamese message) when the file is not an .xlsx workbook, is too big,
    has no data rows, more than MAX_ROWS rows, or columns that do not match the template.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise ImportFileError(_("Tệp rỗng: chọn tệp Excel (.xlsx) theo mẫu."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Tệp quá lớn (%(size)s MB): tối đa %(max)s MB. Hãy chia danh sách thành nhiều tệp.")
            % {
                "size": f"{len(data) / 1024 / 1024:.1f}".replace(".", ","),
                "max": MAX_FILE_BYTES // 1024 // 1024,
            }
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Tệp “%(name)s” là Excel 97–2003 (.xls): hãy mở bằng Excel và lưu lại dạng .xlsx.")
            % {"name": file_name}
        )
    if not file_name.lower().endswith(".xlsx") or data[:4] != b"PK\x03\x04":
        raise ImportFileError(
            _("Tệp “%(name)s” không phải tệp Excel .xlsx: hãy dùng mẫu tải về và lưu dạng .xlsx.")
            % {"name": file_name}
        )
    from lanhmanh.core.spreadsheet import SpreadsheetRefused, bounded_xlsx_rows, check_xlsx_archive

    try:
        check_xlsx_archive(data)
    except SpreadsheetRefused as exc:
        raise ImportFileError(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(
            _("Không đọc được tệp “%(name)s”: tệp hỏng hoặc không phải bảng tính Excel .xlsx.")
            % {"name": file_name}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Every row is read whatever <dimension> says; blank rows count towards the rows read.
        rows = (values for _number, values in bounded_xlsx_rows(sheet, max_rows=MAX_ROWS_READ))
        header = next(rows, None)
        if header is None or not any(_cell_text(v) for v in header):
            raise ImportFileError(_("Tệp không có dòng tiêu đề: hãy dùng mẫu tải về."))
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            text = _cell_text(value)
            if not text:
                continue
            if fold(text) == fold(ERROR_HEADER):
                continue  # the errors of a file of rejected rows, being uploaded again after fixing
            key = _match_header(text)
            if key is None:
                raise ImportFileError(
                    _("Cột %(letter)s “%(header)s” không có trong mẫu: hãy dùng đúng các cột của mẫu tải về.")
                    % {"letter": column_letter(index), "header": text}
                )
            if key in positions:
                raise ImportFileError(
                    _("Cột “%(header)s” xuất hiện hai lần (cột %(first)s và %(second)s).")
                    % {
                        "header": BY_KEY[key].header,
                        "first": column_letter(positions[key]),
                        "second": column_letter(index),
                    }
                )
            positions[key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            raise ImportFileError(
                _("Thiếu cột bắt buộc: %(columns)s. Hãy dùng mẫu tải về.")
                % {"columns": ", ".join(f"“{m}”" for m in missing)}
            )
        parsed = []
        for offset, values in enumerate(rows):
            cells = {
                key: _cell_text(values[index]) if index < len(values) else ""
                for key, index in positions.items()
            }
            if not any(cells.values()):
                continue
            if "id_number" in positions:
                cells["id_number"] = _id_cell(values, positions["id_number"], cells["id_number"])
            if len(parsed) >= MAX_ROWS:
                raise ImportFileError(
                    _("Tệp có hơn %(max)s dòng dữ liệu: hãy chia danh sách thành nhiều tệp.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            parsed.append({"row": FIRST_DATA_ROW + offset, "cells": cells})
    except SpreadsheetRefused as exc:
        raise ImportFileError(str(exc)) from None
    finally:
        workbook.close()
    if not parsed:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return parsed


# Checking the rows -----------------------------------------------------------------------------------


@dataclass
class RowError:
    key: str | None
    message: str

    def text(self, row: int) -> str:
        if self.key is None:
            return _("Dòng %(row)s: %(message)s") % {"row": row, "message": self.message}
        return _("Dòng %(row)s, cột %(letter)s (%(header)s): %(message)s") % {
            "row": row,
            "letter": column_letter(KEYS.index(self.key)),
            "header": BY_KEY[self.key].header,
            "message": self.message,
        }


class RowStatus:
    NEW = "new"
    EXISTING = "existing"  # the same decision is already in the registry: skipped
    ERROR = "error"


@dataclass
class ParsedRow:
    row: int
    cells: dict
    errors: list[RowError] = field(default_factory=list)
    person: Person | None = None  # the existing person reused, or an unsaved new one
    person_key: str = ""
    violation: dict = field(default_factory=dict)
    sanction: dict = field(default_factory=dict)
    skipped: bool = False

    @property
    def status(self) -> str:
        if self.errors:
            return RowStatus.ERROR
        return RowStatus.EXISTING if self.skipped else RowStatus.NEW

    @property
    def reuses_person(self) -> bool:
        return self.person is not None and self.person.pk is not None

    def error_texts(self) -> list[str]:
        return [e.text(self.row) for e in self.errors]

    def add(self, key: str | None, message) -> None:
        self.errors.append(RowError(key, str(message)))


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %Hh",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)
BAD_DATE = gettext_lazy("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).")
FUTURE_DATE = gettext_lazy("ngày %(value)s ở tương lai.")


def parse_date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_datetime(text: str) -> dt.datetime:
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.combine(parse_date(text), dt.time(0, 0))


def _choice(text: str, mapping: dict[str, str]) -> str | None:
    return mapping.get(fold(text))


SEXES = {
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "khac": Sex.OTHER,
    "khong ro": Sex.UNKNOWN,
}
KINDS = {"canh cao": SanctionKind.WARNING, "phat tien": SanctionKind.FINE}
ROLES = {fold(str(label)): value for value, label in EventRole.choices} | {
    "ban dam": EventRole.SELLER,
    "mua dam": EventRole.BUYER,
    "moi gioi": EventRole.BROKER,
    "chu co so": EventRole.OWNER,
    "chua mai dam": EventRole.OWNER,
    "khac": EventRole.OTHER,
}
ROLE_OF_KIND = {
    ActKind.SELLING: EventRole.SELLER,
    ActKind.BUYING: EventRole.BUYER,
    ActKind.HARBOURING: EventRole.OWNER,
    ActKind.BROKERING: EventRole.BROKER,
    ActKind.RELATED: EventRole.OTHER,
}
_UNIT_PREFIXES = re.compile(r"^(phuong|xa|thi tran|quan|huyen|thi xa|tp|thanh pho)\s+")


def _bare(name: str) -> str:
    return _UNIT_PREFIXES.sub("", fold(name)).strip()


class Lookups:
    """Units, agencies and acts loaded once per check, so 10,000 rows cost a handful of queries."""

    def __init__(self, actor):
        self.actor = actor
        communes = list(AdministrativeUnit.objects.filter(level=COMMUNE_LEVEL).select_related("parent"))
        self.by_code: dict[str, list[AdministrativeUnit]] = {}
        self.by_path: dict[str, list[AdministrativeUnit]] = {}
        self.by_name: dict[str, list[AdministrativeUnit]] = {}
        for unit in communes:
            self.by_code.setdefault(unit.code, []).append(unit)
            self.by_path.setdefault(unit.path, []).append(unit)
            self.by_name.setdefault(_bare(unit.name), []).append(unit)
        self.agencies = {}
        for agency in Agency.objects.select_related("unit"):
            self.agencies[agency.code.lower()] = agency
            self.agencies[fold(agency.name)] = agency
        self.acts = list(LegalAct.objects.all())

    def unit(self, text: str, day: dt.date | None) -> tuple[AdministrativeUnit | None, str | None]:
        """(unit, None) or (None, error message) for a code, a path or a name ('Tràng Tiền, Hoàn Kiếm')."""
        text = normalise(text)
        if re.fullmatch(r"\d{1,5}", text):
            candidates = self.by_code.get(text.zfill(5), [])
        elif re.fullmatch(r"\d+(\.\d+)+", text):
            candidates = self.by_path.get(text, [])
        else:
            parts = [p for p in (_bare(p) for p in text.split(",")) if p]
            candidates = self.by_name.get(parts[0], []) if parts else []
            if len(parts) > 1:
                candidates = [u for u in candidates if u.parent and _bare(u.parent.name) == parts[1]]
        if day is not None and len(candidates) > 1:
            candidates = [u for u in candidates if u.valid_on(day)] or candidates
        if not candidates:
            return None, _(
                "không tìm thấy xã, phường “%(value)s” (nhập mã 5 chữ số hoặc tên xã, phường)."
            ) % {"value": text}
        if len({u.path for u in candidates}) > 1:
            names = "; ".join(sorted({u.long_name for u in candidates})[:4])
            return None, _(
                "có nhiều xã, phường tên “%(value)s” (%(names)s): ghi thêm tên quận, huyện sau dấu phẩy hoặc nhập mã."
            ) % {"value": text, "names": names}
        return candidates[0], None

    def act(self, decree: str, article: str, clause: str, day: dt.date | None):
        """(act, None, None) or (None, column, message)."""
        match = re.search(r"(\d+)\s*/\s*(\d{4})", decree)
        if not match:
            return (
                None,
                "decree",
                _("“%(value)s” không phải số nghị định (ví dụ 167/2013/NĐ-CP).") % {"value": decree},
            )
        prefix = f"{match.group(1)}/{match.group(2)}"
        try:
            article_no = int(article)
        except ValueError:
            return None, "article", _("“%(value)s” không phải số điều.") % {"value": article}
        try:
            clause_no = int(clause) if clause else None
        except ValueError:
            return None, "clause", _("“%(value)s” không phải số khoản.") % {"value": clause}
        rows = [
            a
            for a in self.acts
            if a.decree.startswith(prefix)
            and a.article == article_no
            and (clause_no is None or a.clause == clause_no)
        ]
        reference = f"Điều {article_no}{f' khoản {clause_no}' if clause_no else ''} Nghị định {decree}"
        if not rows:
            return (
                None,
                "decree",
                _("danh mục pháp lý không có hành vi theo %(reference)s.") % {"reference": reference},
            )
        in_force = [a for a in rows if day is None or a.in_force_on(day)]
        if not in_force:
            return (
                None,
                "decree",
                _("hành vi theo %(reference)s không có hiệu lực vào ngày vi phạm %(day)s.")
                % {"reference": reference, "day": day.strftime("%d/%m/%Y")},
            )
        if len(in_force) > 1 and clause_no is None:
            return None, "clause", _("điều này có nhiều khoản trong danh mục: ghi số khoản.")
        return in_force[0], None, None

    def agency(self, text: str):
        if not text:
            return self.actor.agency
        return self.agencies.get(text.lower()) or self.agencies.get(fold(text))


def _birth(row: ParsedRow, text: str, today: dt.date) -> tuple[dt.date | None, int | None]:
    if not text:
        row.add("birth", _("không được để trống: ghi ngày sinh hoặc ít nhất năm sinh."))
        return None, None
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        if year > today.year:
            row.add("birth", _("năm sinh %(value)s ở tương lai.") % {"value": text})
        elif year < 1900:
            row.add("birth", _("năm sinh phải từ 1900 trở đi."))
        return None, year
    try:
        day = parse_date(text)
    except ValueError:
        row.add("birth", BAD_DATE % {"value": text})
        return None, None
    if day > today:
        row.add("birth", FUTURE_DATE % {"value": text})
    elif day.year < 1900:
        row.add("birth", _("năm sinh phải từ 1900 trở đi."))
    return day, day.year


def _date(row: ParsedRow, key: str, text: str, today: dt.date, *, required: bool) -> dt.date | None:
    if not text:
        if required:
            row.add(key, _("không được để trống."))
        return None
    try:
        day = parse_date(text)
    except ValueError:
        row.add(key, BAD_DATE % {"value": text})
        return None
    if day > today:
        row.add(key, FUTURE_DATE % {"value": text})
        return None
    return day


def _id_number(row: ParsedRow, text: str) -> str:
    digits = re.sub(r"[\s.\-]", "", text)
    if digits and (not digits.isdigit() or len(digits) not in (9, 12)):
        row.add(
            "id_number",
            _("“%(value)s” không hợp lệ: CMND gồm 9 chữ số, CCCD gồm 12 chữ số.") % {"value": text},
        )
        return ""
    return id_number_digits(digits) or digits


def person_key(person: Person) -> str:
    """The blind index a person is matched on: ID number, else name + birth date, else name + birth year."""
    if person.id_number:
        return "id:" + id_number_index(person.id_number)
    if person.birth_date:
        return "nb:" + name_birth_index(person.full_name, person.birth_date)
    return "ny:" + name_birth_index(person.full_name, person.birth_year)


def _parse_row(raw: dict, lookups: Lookups, actor, today: dt.date, now: dt.datetime) -> ParsedRow:
    cells = {key: raw["cells"].get(key, "") for key in KEYS}
    row = ParsedRow(row=raw["row"], cells=cells)

    # Identity.
    name = normalise(cells["full_name"])
    if not name:
        row.add("full_name", _("không được để trống."))
    elif any(ch in name for ch in "<>") or name[:1] in "=+-@" or re.search(r"[\x00-\x1f]", name):
        row.add(
            "full_name",
            _("“%(value)s” chứa ký tự không hợp lệ (<, >, ký tự điều khiển hoặc dấu =, +, -, @ ở đầu).")
            % {"value": name[:60]},
        )
    elif len(name) > 120 or not re.search(r"[^\W\d_]", name):
        row.add("full_name", _("“%(value)s” không phải họ và tên.") % {"value": name[:60]})
    sex = Sex.UNKNOWN
    if cells["sex"]:
        sex = _choice(cells["sex"], SEXES)
        if sex is None:
            row.add("sex", _("“%(value)s” không hợp lệ: ghi Nữ, Nam hoặc Khác.") % {"value": cells["sex"]})
    birth_date, birth_year = _birth(row, cells["birth"], today)
    id_number = _id_number(row, cells["id_number"])
    residence = None
    if cells["residence_unit"]:
        residence, message = lookups.unit(cells["residence_unit"], None)
        if message:
            row.add("residence_unit", message)

    # The violation.
    occurred_at = None
    text = cells["occurred_at"]
    if not text:
        row.add("occurred_at", _("không được để trống."))
    else:
        try:
            occurred_at = timezone.make_aware(parse_datetime(text))
        except ValueError:
            row.add(
                "occurred_at",
                _("“%(value)s” không phải thời gian hợp lệ (dd/mm/yyyy hh:mm).") % {"value": text},
            )
        else:
            if occurred_at > now:
                row.add("occurred_at", FUTURE_DATE % {"value": text})
                occurred_at = None
    day = timezone.localdate(occurred_at) if occurred_at else None
    place = None
    if not cells["place_unit"]:
        row.add("place_unit", _("không được để trống."))
    else:
        place, message = lookups.unit(cells["place_unit"], day)
        if message:
            row.add("place_unit", message)
        elif actor.jurisdiction_path and not in_subtree(place.path, actor.jurisdiction_path):
            row.add(
                "place_unit",
                _("%(place)s không thuộc địa bàn của cơ quan anh/chị (%(unit)s).")
                % {"place": place.long_name, "unit": actor.unit.full_name},
            )
            place = None
    act = None
    if not cells["decree"] or not cells["article"]:
        row.add("decree" if not cells["decree"] else "article", _("không được để trống."))
    else:
        act, key, message = lookups.act(cells["decree"], cells["article"], cells["clause"], day)
        if message:
            row.add(key, message)
    role = None
    if cells["role"]:
        role = _choice(cells["role"], ROLES)
        if role is None:
            row.add(
                "role",
                _(
                    "“%(value)s” không hợp lệ: ghi Người bán dâm, Người mua dâm, Người môi giới, Chủ cơ sở hoặc Khác."
                )
                % {"value": cells["role"]},
            )
    elif act is not None:
        role = ROLE_OF_KIND[act.kind]

    # The sanction decision.
    number = normalise(cells["number"])
    if not number:
        row.add("number", _("không được để trống."))
    elif number[:1] in "=+-@" or any(ch in number for ch in "<>"):
        row.add("number", _("“%(value)s” chứa ký tự không hợp lệ.") % {"value": number[:60]})
    decided_on = _date(row, "decided_on", cells["decided_on"], today, required=True)
    authority = lookups.agency(cells["authority"])
    if authority is None:
        row.add(
            "authority",
            _("không tìm thấy cơ quan “%(value)s”: ghi đúng tên hoặc mã cơ quan.")
            % {"value": cells["authority"]},
        )
    kind = None
    if not cells["kind"]:
        row.add("kind", _("không được để trống: ghi Cảnh cáo hoặc Phạt tiền."))
    else:
        kind = _choice(cells["kind"], KINDS)
        if kind is None:
            row.add(
                "kind", _("“%(value)s” không hợp lệ: ghi Cảnh cáo hoặc Phạt tiền.") % {"value": cells["kind"]}
            )
    amount = None
    if cells["amount"]:
        try:
            amount = parse_amount(cells["amount"])
        except ValueError:
            row.add(
                "amount",
                _("“%(value)s” không phải số tiền (ví dụ 200.000 hoặc 200,000).")
                % {"value": cells["amount"]},
            )
    paid_on = _date(row, "paid_on", cells["paid_on"], today, required=False)

    # The model rules (minors, act in force, fine range, dates of the decision).
    person = Person(
        full_name=name,
        sex=sex or Sex.UNKNOWN,
        birth_date=birth_date,
        birth_year=birth_year,
        id_number=id_number,
        permanent_unit=residence,
        permanent_address=normalise(cells["residence_address"]),
    )
    if (
        name
        and (birth_year or id_number)
        and not any(e.key in {"full_name", "birth", "id_number"} for e in row.errors)
    ):
        person.refresh_indexes()
        row.person_key = person_key(person)
    row.person = person
    if occurred_at and act is not None and birth_year and not any(e.key == "birth" for e in row.errors):
        from lanhmanh.people.services import _violation_errors

        errors = _violation_errors(
            actor=actor, person=person, occurred_at=occurred_at, act=act, place_unit=None
        )
        if "person" in errors:
            row.add("birth", errors["person"])
    if occurred_at and act is not None and kind and decided_on and authority and number:
        decision = SanctionDecision(
            violation=Violation(act=act, occurred_at=occurred_at),
            number=number,
            decided_on=decided_on,
            authority=authority,
            kind=kind,
            amount=amount,
            paid_on=paid_on,
            payment_status=PaymentStatus.PAID if paid_on else "",
        )
        try:
            decision.clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    row.add(key if key in BY_KEY else None, message)
    row.violation = {
        "occurred_at": occurred_at,
        "place_unit": place,
        "place_address": normalise(cells["place_address"])[:300],
        "act": act,
        "role": role,
    }
    row.sanction = {
        "number": number,
        "decided_on": decided_on,
        "authority": authority,
        "kind": kind,
        "amount": amount,
        "payment_status": PaymentStatus.PAID if paid_on else "",
        "paid_on": paid_on,
    }
    return row


def _same_decision(existing: SanctionDecision, row: ParsedRow) -> bool:
    violation = existing.violation
    sanction = row.sanction
    return (
        existing.decided_on == sanction["decided_on"]
        and existing.kind == sanction["kind"]
        and existing.amount == (sanction["amount"] if sanction["kind"] == SanctionKind.FINE else None)
        and violation.occurred_at == row.violation["occurred_at"]
        and violation.act_id == getattr(row.violation["act"], "pk", None)
        and person_key(violation.person) == row.person_key
    )


def check_rows(raw_rows: list[dict], *, actor, progress=None) -> list[ParsedRow]:
    """Every row checked against the database now: its own errors, duplicates in the file, decisions
    already imported (same content → skipped; different content → error) and persons to reuse.
    ``progress("check", done, total)``, when given, hears every 250 rows."""
    lookups = Lookups(actor)
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for index, raw in enumerate(raw_rows):
        if progress is not None and index % 250 == 0:
            progress("check", index, len(raw_rows))
        rows.append(_parse_row(raw, lookups, actor, today, now))

    # Duplicates within the file: the same decision (issuing agency + number) twice.
    seen: dict[tuple, int] = {}
    for row in rows:
        authority, number = row.sanction.get("authority"), row.sanction.get("number")
        if not authority or not number:
            continue
        key = (authority.pk, fold(number))
        if key in seen:
            row.add(
                "number",
                _("quyết định %(number)s của %(authority)s trùng với dòng %(first)s của tệp.")
                % {"number": number, "authority": authority.name, "first": seen[key]},
            )
        else:
            seen[key] = row.row

    # Decisions already in the registry.
    numbers = {row.sanction["number"] for row in rows if row.sanction.get("number")}
    existing: dict[tuple, SanctionDecision] = {}
    for chunk in _chunks(sorted(numbers)):
        for decision in SanctionDecision.objects.filter(number__in=chunk).select_related(
            "violation", "violation__person"
        ):
            existing[(decision.authority_id, fold(decision.number))] = decision
    for row in rows:
        authority = row.sanction.get("authority")
        if not authority or not row.sanction.get("number"):
            continue
        decision = existing.get((authority.pk, fold(row.sanction["number"])))
        if decision is None:
            continue
        if not row.errors and _same_decision(decision, row):
            row.skipped = True
        elif not any(e.key == "number" for e in row.errors):
            row.add(
                "number",
                _(
                    "quyết định %(number)s của %(authority)s đã có trong cơ sở dữ liệu với nội dung khác "
                    "(người, thời gian vi phạm, hành vi, ngày, hình thức hoặc số tiền): kiểm tra lại số quyết định."
                )
                % {"number": decision.number, "authority": authority.name},
            )

    # Persons already in the registry, by exact blind index.
    keys = {row.person_key for row in rows if row.person_key}
    found: dict[str, Person] = {}
    by_kind = {"id": "id_number_index", "nb": "name_birth_index", "ny": "name_year_index"}
    for prefix, column in by_kind.items():
        values = sorted(k[3:] for k in keys if k.startswith(prefix + ":"))
        for chunk in _chunks(values):
            for person in Person.objects.filter(**{f"{column}__in": chunk}).order_by("pk"):
                found.setdefault(f"{prefix}:{getattr(person, column)}", person)
    # A row with an ID number unknown to the registry also matches a person recorded with the same
    # name and birth date and no ID number.
    alternatives = {
        name_birth_index(row.person.full_name, row.person.birth_date)
        for row in rows
        if row.person_key.startswith("id:") and row.person_key not in found and row.person.birth_date
    }
    without_id: dict[str, Person] = {}
    for chunk in _chunks(sorted(alternatives)):
        for person in Person.objects.filter(name_birth_index__in=chunk, id_number_index="").order_by("pk"):
            without_id.setdefault(person.name_birth_index, person)
    for row in rows:
        if not row.person_key:
            continue
        match = found.get(row.person_key)
        if match is None and row.person_key.startswith("id:") and row.person.birth_date:
            match = without_id.get(name_birth_index(row.person.full_name, row.person.birth_date))
        if match is not None:
            if not row.skipped and match.birth_year and row.violation.get("occurred_at"):
                day = timezone.localdate(row.violation["occurred_at"])
                if not match.is_adult_on(day) and not any(e.key == "birth" for e in row.errors):
                    from lanhmanh.people.services import MINOR_REFUSED

                    row.add("birth", MINOR_REFUSED % {"day": day.strftime("%d/%m/%Y")})
            row.person = match
    return rows


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Summary:
    rows: int
    errors: int
    new: int
    existing: int
    new_persons: int
    reused_persons: int


def summarise(rows: list[ParsedRow]) -> Summary:
    new_rows = [r for r in rows if r.status == RowStatus.NEW]
    new_keys = {r.person_key for r in new_rows if not r.reuses_person}
    return Summary(
        rows=len(rows),
        errors=sum(1 for r in rows if r.errors),
        new=len(new_rows),
        existing=sum(1 for r in rows if r.status == RowStatus.EXISTING),
        new_persons=len(new_keys),
        reused_persons=len({r.person.pk for r in new_rows if r.reuses_person}),
    )


# The rows left out --------------------------------------------------------------------------------


def rejected_rows(rows: list[ParsedRow]) -> list[dict]:
    """The rows with errors, as read from the file, each with its messages (kept for the download)."""
    return [{"row": r.row, "cells": r.cells, "errors": r.error_texts()} for r in rows if r.errors]


def rejected_workbook(rejected: list[dict]) -> bytes:
    """The rows left out of an import as an .xlsx in the template's columns, plus a last column
    “Lỗi cần sửa” with every message of the row (which names the row of the original file and the
    column). Fixed in place, the file is uploaded again as it is: reading skips that column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dòng lỗi"
    sheet.append([*(c.header for c in COLUMNS), ERROR_HEADER])
    bold = Font(bold=True)
    for index, column in enumerate([*COLUMNS, None]):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="F8D7DA" if column is None else "DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = column.width if column else 60
        if column is not None and column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    for entry in rejected:
        cells = entry["cells"]
        sheet.append([*(cells.get(c.key, "") for c in COLUMNS), "\n".join(entry["errors"])])
        sheet.cell(row=sheet.max_row, column=len(COLUMNS) + 1).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)
