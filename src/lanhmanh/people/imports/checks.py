"""Checking every row of a police list against the database as it is now.

One row is one sanctioned person: identity, the violation and its sanction decision. ``check_rows``
turns the cells read by ``reading.read_workbook`` into ``ParsedRow`` objects, each with its errors
naming the row and the column. The rules of a violation are the form's (``people.validation``), and
the decision's are the model's ``clean``: one validation for both paths, the import only adds reading
the cells (units, acts and agencies by code or name) and what is particular to a file (duplicates
within it, decisions imported before). Nothing here writes: ``services.person_import_confirm`` does,
in one transaction (``writing.import_write``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core.crypto import id_number_digits, id_number_index, name_birth_index
from lanhmanh.core.text import fold, normalise
from lanhmanh.org.levels import COMMUNE_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.forms import parse_amount
from lanhmanh.people.imports.columns import BY_KEY, KEYS, column_letter
from lanhmanh.people.imports.reading import parse_date, parse_datetime
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
)
from lanhmanh.people.validation import minor_error, violation_day, violation_errors


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


BAD_DATE = gettext_lazy("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).")
FUTURE_DATE = gettext_lazy("ngày %(value)s ở tương lai.")


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
        # Whether the act was in force that day is the violation's rule (``validation.act_error``): here
        # only which catalogue row the reference means, the one in force that day when there are several.
        in_force = [a for a in rows if day is not None and a.in_force_on(day)] or rows
        if len({(a.article, a.clause) for a in in_force}) > 1 and clause_no is None:
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


# Where each key of ``validation.violation_errors`` is shown in the file.
VIOLATION_COLUMNS = {
    "occurred_at": "occurred_at",
    "person": "birth",
    "act": "decree",
    "place_unit": "place_unit",
}


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
    day = violation_day(occurred_at) if occurred_at else None
    place = None
    if not cells["place_unit"]:
        row.add("place_unit", _("không được để trống."))
    else:
        place, message = lookups.unit(cells["place_unit"], day)
        if message:
            row.add("place_unit", message)
    act = None
    if not cells["decree"] or not cells["article"]:
        row.add("decree" if not cells["decree"] else "article", _("không được để trống."))
    else:
        act, key, message = lookups.act(cells["decree"], cells["article"], cells["clause"], day)
        if message:
            row.add(key, message)

    # The rules of a violation: the form's own (``people.validation``), shown under this row's columns.
    birth_known = birth_year is not None and not any(e.key == "birth" for e in row.errors)
    if occurred_at is not None:
        person_now = Person(birth_date=birth_date, birth_year=birth_year) if birth_known else None
        errors = violation_errors(
            actor=actor, person=person_now, occurred_at=occurred_at, act=act, place_unit=place, now=now
        )
        for key, message in errors.items():
            row.add(VIOLATION_COLUMNS[key], message)
        if "occurred_at" in errors:
            occurred_at = None
        if "act" in errors:
            act = None
        if "place_unit" in errors:
            place = None
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
                # The person on record may know the birth date better than the row: the same rule again.
                message = minor_error(match, violation_day(row.violation["occurred_at"]))
                if message and not any(e.key == "birth" for e in row.errors):
                    row.add("birth", message)
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
