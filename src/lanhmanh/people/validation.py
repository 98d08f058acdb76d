"""The rules a violation must meet, for every way one is written: the form and the API (through
``services.violation_record``) and the Excel import (``imports.checks``, row by row).

``violation_errors`` returns the messages keyed by field (``occurred_at``, ``person``, ``act``,
``place_unit``); the import shows the same messages under the row and column they come from. The
rules of the sanction decision itself (fine within the act's range, dates in order) are the model's
``SanctionDecision.clean``, which both paths run.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.successions import unit_on_date_error

MINOR_REFUSED = gettext_lazy(
    "Người này chưa đủ 18 tuổi vào ngày vi phạm (%(day)s): không lập hồ sơ vi phạm hành chính đối với trẻ em. "
    "Hãy mở hồ sơ bảo vệ trẻ em và chuyển cho cán bộ bảo vệ trẻ em, hỗ trợ."
)
MINOR_UNSURE = gettext_lazy(
    "Chỉ biết năm sinh %(year)s: người này có thể chưa đủ 18 tuổi vào ngày vi phạm (%(day)s). "
    "Hãy bổ sung ngày sinh đầy đủ; nếu chưa đủ 18 tuổi, mở hồ sơ bảo vệ trẻ em thay cho hồ sơ vi phạm."
)
NO_ACT_IN_FORCE = gettext_lazy(
    "Hành vi “%(act)s” (%(reference)s) không có hiệu lực vào ngày vi phạm %(day)s: chọn hành vi theo văn bản "
    "đang có hiệu lực vào ngày đó."
)
PLACE_OUTSIDE_JURISDICTION = gettext_lazy("Nơi vi phạm phải thuộc địa bàn của cơ quan anh/chị (%(unit)s).")
FUTURE_VIOLATION = gettext_lazy("Thời gian vi phạm không được ở tương lai.")


def violation_day(occurred_at: dt.datetime) -> dt.date:
    """The local day of a violation's time."""
    return timezone.localdate(occurred_at) if timezone.is_aware(occurred_at) else occurred_at.date()


def minor_error(person, day: dt.date) -> str | None:
    """Refused when the person was, or may have been (birth year only), under 18 on ``day``."""
    youngest, oldest = person.age_on(day)
    if youngest >= 18:
        return None
    fmt = day.strftime("%d/%m/%Y")
    if person.birth_date is None and oldest >= 18:
        return str(MINOR_UNSURE % {"year": person.birth_year, "day": fmt})
    return str(MINOR_REFUSED % {"day": fmt})


def act_error(act, day: dt.date) -> str | None:
    """Refused when the act (a catalogue row) was not in force on the day of the violation."""
    if act.in_force_on(day):
        return None
    return str(
        NO_ACT_IN_FORCE % {"act": act.wording, "reference": act.reference, "day": day.strftime("%d/%m/%Y")}
    )


def place_error(actor, place_unit, day: dt.date) -> str | None:
    """Refused when the place is outside the actor's jurisdiction, or is not a unit of that date (a 2026
    violation in a ward abolished on 1/7/2025, or a 2014 one in a ward of the new map): the message names
    the unit of that date."""
    root = getattr(actor, "jurisdiction_path", None)
    if root and not in_subtree(place_unit.path, root):
        return str(PLACE_OUTSIDE_JURISDICTION % {"unit": actor.unit.full_name})
    return unit_on_date_error(place_unit, day) or None


def violation_errors(
    *, actor, person, occurred_at: dt.datetime, act, place_unit, now: dt.datetime | None = None
) -> dict[str, str]:
    """Every rule of a violation that the model alone cannot check, as ``{field: message}`` (empty when
    none is broken). ``person``, ``act`` and ``place_unit`` may be None when not known (the import, on a
    row whose cell for it is wrong): their rules are then skipped."""
    errors: dict[str, str] = {}
    day = violation_day(occurred_at)
    if occurred_at > (now or timezone.now()):
        errors["occurred_at"] = str(FUTURE_VIOLATION)
    if person is not None and (message := minor_error(person, day)):
        errors["person"] = message
    if act is not None and (message := act_error(act, day)):
        errors["act"] = message
    if place_unit is not None and (message := place_error(actor, place_unit, day)):
        errors["place_unit"] = message
    return errors
