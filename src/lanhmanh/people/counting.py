"""Counting earlier violations (Law 15/2012/QH13 on Handling Administrative Violations, Art. 7.1 and 2.5).

A sanction stops counting ("coi như chưa bị xử lý") when the person commits no new violation within
6 months after completing a warning decision, or within 1 year after completing another sanction
decision or after the period for enforcing it expired. A new violation within that period keeps the
earlier one counting until the new one's own period has run. A new violation of the same kind of act
while an earlier one still counts is a repeat violation (tái phạm).

Completion dates used here: a warning is completed on its decision date; a fine on its payment
date, or, while unpaid or exempted, when the 1-year period for enforcing the decision ends (Art. 74).
A violation without a decision yet counts until the 1-year limitation for sanctioning it ends (Art. 6.1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.indicators.rollup import rollup_following
from lanhmanh.people.models import PaymentStatus, SanctionKind, Violation, add_months, add_years


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class CountedViolation:
    violation: Violation
    occurred_on: dt.date
    completed_on: dt.date | None  # None when there is no decision yet
    own_until: dt.date  # last day it counts if nothing new happens
    counts_until: dt.date = dt.date.min  # last day it counts, extended by later violations
    counts_today: bool = False
    repeat_of: Violation | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of is not None


def _sanction_of(violation: Violation):
    try:
        return violation.sanction
    except Violation.sanction.RelatedObjectDoesNotExist:
        return None


def _own_period(violation: Violation) -> tuple[dt.date | None, dt.date, str]:
    occurred = violation.occurred_on
    sanction = _sanction_of(violation)
    if sanction is None:
        until = add_years(occurred, 1)
        return (
            None,
            until,
            (
                _(
                    "Chưa có quyết định xử phạt: vi phạm ngày %(day)s được tính đến hết thời hiệu xử phạt 01 năm, tức ngày %(until)s."
                )
                % {"day": _fmt(occurred), "until": _fmt(until)}
            ),
        )
    if sanction.kind == SanctionKind.WARNING:
        completed = sanction.decided_on
        until = add_months(completed, 6)
        return (
            completed,
            until,
            (
                _(
                    "Cảnh cáo theo quyết định %(number)s ngày %(day)s: coi như chưa bị xử lý nếu không vi phạm mới trong 06 tháng, tức sau ngày %(until)s."
                )
                % {"number": sanction.number, "day": _fmt(completed), "until": _fmt(until)}
            ),
        )
    if sanction.payment_status == PaymentStatus.PAID and sanction.paid_on:
        completed = sanction.paid_on
        how = _("đã nộp phạt ngày %(day)s") % {"day": _fmt(completed)}
    else:
        completed = add_years(sanction.decided_on, 1)
        how = _("chưa nộp phạt, hết thời hiệu thi hành quyết định ngày %(day)s") % {"day": _fmt(completed)}
    until = add_years(completed, 1)
    return (
        completed,
        until,
        (
            _(
                "Phạt tiền theo quyết định %(number)s ngày %(day)s (%(how)s): coi như chưa bị xử lý nếu không vi phạm mới trong 01 năm, tức sau ngày %(until)s."
            )
            % {"number": sanction.number, "day": _fmt(sanction.decided_on), "how": how, "until": _fmt(until)}
        ),
    )


def _extend(rows: list[CountedViolation]) -> None:
    """counts_until = own period, extended by every later violation committed within it (in a chain)."""
    for i in range(len(rows) - 1, -1, -1):
        row = rows[i]
        row.counts_until = row.own_until
        for later in rows[i + 1 :]:
            if later.occurred_on <= row.own_until and later.counts_until > row.counts_until:
                row.counts_until = later.counts_until


def count_violations(violations: list[Violation], *, today: dt.date) -> list[CountedViolation]:
    """Every violation of one person, oldest first, with whether it still counts and why, and repeat flags."""
    rows = []
    for violation in sorted(violations, key=lambda v: (v.occurred_at, v.pk or 0)):
        completed, own_until, reason = _own_period(violation)
        rows.append(
            CountedViolation(
                violation=violation,
                occurred_on=violation.occurred_on,
                completed_on=completed,
                own_until=own_until,
                reasons=[reason],
            )
        )
    # Repeat violations: for each row, look at earlier rows as they stood on its date.
    for index, row in enumerate(rows):
        earlier = [CountedViolation(**{**vars(r), "reasons": []}) for r in rows[:index]]
        _extend(earlier)
        for previous in reversed(earlier):
            sanction = _sanction_of(previous.violation)
            if (
                sanction is not None
                and previous.violation.act.kind == row.violation.act.kind
                and sanction.decided_on <= row.occurred_on <= previous.counts_until
            ):
                row.repeat_of = previous.violation
                row.reasons.append(
                    _(
                        "Tái phạm: cùng hành vi “%(act)s” với vi phạm ngày %(day)s (quyết định %(number)s), vi phạm đó còn được tính đến ngày %(until)s."
                    )
                    % {
                        "act": row.violation.act.get_kind_display(),
                        "day": _fmt(previous.occurred_on),
                        "number": sanction.number,
                        "until": _fmt(previous.counts_until),
                    }
                )
                break
    _extend(rows)
    for row in rows:
        row.counts_today = today <= row.counts_until
        if row.counts_until > row.own_until:
            row.reasons.append(
                _("Có vi phạm mới trong thời hạn nên vẫn được tính đến ngày %(day)s.")
                % {"day": _fmt(row.counts_until)}
            )
        row.reasons.append(
            _("Còn được tính đến ngày %(day)s.") % {"day": _fmt(row.counts_until)}
            if row.counts_today
            else _("Không còn được tính từ ngày %(day)s.")
            % {"day": _fmt(row.counts_until + dt.timedelta(days=1))}
        )
    return rows


def repeat_flags_refresh(*, person_ids) -> int:
    """Recompute ``Violation.repeat_of`` of these persons from the counting rules; returns rows changed.

    A derived flag (not audited): it follows from the violations and decisions, which are.
    """

    today = timezone.localdate()
    by_person: dict[int, list[Violation]] = {}
    for violation in (
        Violation.objects.filter(person_id__in=list(person_ids))
        .select_related("act", "sanction")
        .order_by("occurred_at", "pk")
    ):
        by_person.setdefault(violation.person_id, []).append(violation)
    changed = []
    for violations in by_person.values():
        if len(violations) < 2 and all(v.repeat_of_id is None for v in violations):
            continue
        for row in count_violations(violations, today=today):
            wanted = row.repeat_of.pk if row.repeat_of is not None else None
            if row.violation.repeat_of_id != wanted:
                row.violation.repeat_of_id = wanted
                changed.append(row.violation)
    # bulk_update runs no save(): the repeat-violation rollup rows move with the flags.
    with rollup_following(Violation, [v.pk for v in changed], fields=["repeat_of"]):
        Violation.objects.bulk_update(changed, ["repeat_of"], batch_size=500)
    return len(changed)
