"""Period pickers: a reader chooses a year, six months, quarter or month from a list, never types an id."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from lanhmanh.core.periods import HALF, MONTH, QUARTER, YEAR, Period, year_choices

_default_year: list = []


def register_default_year(provider) -> None:
    """The plans app tells the pickers which year a user's pages open on (``provider(user) -> int``)."""
    _default_year[:] = [provider]


def default_year(user) -> int:
    """The year pages open on for ``user``: the plan's year when the plans app says so, else this year."""
    if _default_year:
        return _default_year[0](user)
    return dt.date.today().year


KIND_LABELS = {YEAR: _("Cả năm"), HALF: _("6 tháng"), QUARTER: _("Quý"), MONTH: _("Tháng")}


def period_picker(
    period: Period, *, param: str = "ky", kinds: tuple[str, ...] = (YEAR, HALF, QUARTER, MONTH)
) -> dict:
    """Context for ``core/_period_picker.html``: the periods of ``period``'s year grouped by kind, and
    the same kind of period a year before and after (links)."""
    year = period.start.year
    groups = [
        (KIND_LABELS[kind], [(p.id, p.label) for p in periods]) for kind, periods in year_choices(year, kinds)
    ]
    same_kind = period.kind if period.kind in kinds else kinds[0]

    def shifted(delta: int) -> str:
        target = year + delta
        if same_kind == YEAR:
            return Period.year(target).id
        if same_kind == HALF:
            return Period.half(target, 1 if period.start.month <= 6 else 2).id
        if same_kind == QUARTER:
            return Period.quarter(target, (period.start.month - 1) // 3 + 1).id
        return Period.month(target, period.start.month).id

    return {
        "param": param,
        "current": period.id,
        "groups": groups,
        "previous": shifted(-1) if year > 2000 else "",
        "next": shifted(1) if year < 2100 else "",
        "year": year,
    }


def period_choices(years, kinds: tuple[str, ...] = (YEAR, HALF, QUARTER, MONTH)) -> list:
    """Grouped choices for a period select (``core.forms.PeriodSelect``): for each year, its periods of
    each kind under one heading ("Tháng – 2014"), values the period ids the services take."""
    choices: list = [("", _("— Chọn kỳ —"))]
    for year in years:
        for kind, periods in year_choices(year, kinds):
            choices.append((f"{KIND_LABELS[kind]} – {year}", [(p.id, p.label) for p in periods]))
    return choices
