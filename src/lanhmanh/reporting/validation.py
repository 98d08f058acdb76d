"""Parse and check a report's values: numbers, bounds, corrections of computed figures, rules between fields.

Every message is Vietnamese and names the field (by its label) so the officer knows what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lanhmanh.core.forms import text_error
from lanhmanh.reporting.models import FormField, RuleOperator, SubmissionValue, ValidationRule

_SEPARATORS = re.compile(r"[.\s\u00a0,_]")


@dataclass
class Checked:
    numbers: dict[str, int | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    unconfirmed: set[str] = field(default_factory=set)  # beyond the plausible bound, not yet confirmed

    def add(self, code: str, message: str) -> None:
        self.errors.setdefault(code, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def only_needs_confirmation(self) -> bool:
        """Every error is a plausible bound to confirm: the values are fine once the officer confirms them."""
        return bool(self.errors) and all(
            code in self.unconfirmed and len(messages) == 1 for code, messages in self.errors.items()
        )


def format_number(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:,}".replace(",", ".")


def parse_number(raw, label: str) -> tuple[int | None, str | None]:
    """``"1.500.000"`` → 1500000; blank → None; anything else → an error naming the field."""
    if raw is None:
        return None, None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # 12.0 from a JSON client
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, bool | float | list | dict):
        return None, _("“%(label)s”: “%(raw)s” không phải là số; nhập số nguyên, ví dụ 1500000.") % {
            "label": label,
            "raw": str(raw)[:40],
        }
    else:
        text = str(raw).strip()
        if text == "":
            return None, None
        negative = text.startswith("-")
        digits = _SEPARATORS.sub("", text.lstrip("-").strip())
        if not (digits.isascii() and digits.isdigit()):
            return None, _("“%(label)s”: “%(raw)s” không phải là số; nhập số nguyên, ví dụ 1500000.") % {
                "label": label,
                "raw": text[:40],
            }
        if len(digits.lstrip("0")) > 16:  # before int(): 4,300+ digits raise ValueError
            return None, _("“%(label)s”: số quá lớn.") % {"label": label}
        number = -int(digits) if negative else int(digits)
    if number < 0:
        return None, _("“%(label)s”: không được là số âm.") % {"label": label}
    if number > 10**15:
        return None, _("“%(label)s”: số quá lớn.") % {"label": label}
    return number, None


REASON_MAX_LENGTH = SubmissionValue._meta.get_field("correction_reason").max_length


def check_values(
    fields: list[FormField],
    rules: list[ValidationRule],
    raw: dict[str, object],
    *,
    reasons: dict[str, str],
    confirmed: set[str],
    computed: dict[str, int | None],
    editing: set[str] | None = None,
) -> Checked:
    """Parse ``raw`` (field code → input) and check every field and rule. Nothing is saved here.

    ``editing``: the codes being saved now (one section of the form). Then only their own errors and the
    rules that involve them count: a figure elsewhere in the report (another section, a records figure
    that moved since) does not stop this section from being saved; the submission checks everything.
    A rule's message goes to one field (the first being edited on its left, else on its right), once."""
    result = Checked()
    by_code = {f.code: f for f in fields}
    for f in fields:
        value = raw.get(f.code)
        if f.is_computed:
            reason_error = text_error(reasons.get(f.code) or "", _("Lý do điều chỉnh"), REASON_MAX_LENGTH)
            if reason_error:
                result.add(f"{f.code}__reason", reason_error)
        if not f.is_number:
            text = str(value or "").strip()
            error = text_error(text, f.label)
            if error:
                result.add(f.code, error)
            result.texts[f.code] = text
            continue
        number, error = parse_number(value, f.label)
        if error:
            result.add(f.code, error)
            continue
        result.numbers[f.code] = number
        too_large = number is not None and f.plausible_max is not None and number > f.plausible_max
        if too_large and f.code not in confirmed:
            result.unconfirmed.add(f.code)
            result.add(
                f.code,
                _(
                    "“%(label)s”: %(value)s lớn hơn mức hợp lý (%(max)s). Kiểm tra lại, nếu đúng hãy đánh dấu “Xác nhận số liệu lớn”."
                )
                % {"label": f.label, "value": format_number(number), "max": format_number(f.plausible_max)},
            )
        records = computed.get(f.code)
        if (
            f.is_computed
            and records is not None
            and number is not None
            and number != records
            and not (reasons.get(f.code) or "").strip()
        ):
            result.add(
                f.code,
                _(
                    "“%(label)s”: số liệu tính từ dữ liệu là %(records)s; nếu điều chỉnh thành %(value)s, hãy ghi lý do điều chỉnh."
                )
                % {"label": f.label, "records": format_number(records), "value": format_number(number)},
            )
    if editing is not None:
        result.errors = {
            code: messages for code, messages in result.errors.items() if code.split("__")[0] in editing
        }
        result.unconfirmed &= editing
    for rule in rules:
        codes = list(rule.left) + list(rule.right)
        if any(c in result.errors or c not in by_code for c in codes):
            continue
        if editing is not None and not editing.intersection(codes):
            continue
        if all(result.numbers.get(c) is None for c in codes):
            continue
        left = sum(result.numbers.get(c) or 0 for c in rule.left)
        right = sum(result.numbers.get(c) or 0 for c in rule.right)
        if rule.holds(left, right):
            continue
        left_text = " + ".join(f"“{by_code[c].label}”" for c in rule.left)
        right_text = " + ".join(f"“{by_code[c].label}”" for c in rule.right)
        verb = {
            RuleOperator.LE: _("không được lớn hơn"),
            RuleOperator.LT: _("phải nhỏ hơn"),
            RuleOperator.EQ: _("phải bằng"),
            RuleOperator.GE: _("không được nhỏ hơn"),
        }[rule.operator]
        message = _("%(left)s (%(lv)s) %(verb)s %(right)s (%(rv)s).") % {
            "left": left_text,
            "lv": format_number(left),
            "verb": verb,
            "right": right_text,
            "rv": format_number(right),
        }
        targets = [c for c in codes if editing is None or c in editing]
        result.add(targets[0], message)
    return result


def missing_required(
    fields: list[FormField], numbers: dict[str, int | None], texts: dict[str, str]
) -> list[str]:
    """Labels of required fields left empty (checked when the report is submitted)."""
    missing = []
    for f in fields:
        if not f.required:
            continue
        empty = numbers.get(f.code) is None if f.is_number else not texts.get(f.code)
        if empty:
            missing.append(f.label)
    return missing
