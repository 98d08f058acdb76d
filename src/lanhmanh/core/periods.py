"""One period vocabulary for targets, reports, deadlines and dashboards.

Period ids:

- ``2014``        a calendar year;
- ``2014S1``      a half year (S1 = January–June, S2 = July–December);
- ``2014Q1``      a quarter;
- ``201401``      a month;
- ``2014W05``     an ISO week (Monday to Sunday; the year is the ISO year, as ``date.isocalendar``);
- ``20140101-20140315``  a custom range of days, both ends included.

Years, halves, quarters and months nest (``children``/``parent``). An ISO week belongs to the month
holding its Thursday (the ISO rule that decides a week's year), so its ``parent`` is that month, but a
month's ``children`` are not weeks. A custom range has no parent and no children; its ``previous``
and ``next`` are the ranges of the same length just before and after it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

YEAR = "year"
HALF = "half"
QUARTER = "quarter"
MONTH = "month"
WEEK = "week"
RANGE = "range"
KINDS = (YEAR, HALF, QUARTER, MONTH, WEEK, RANGE)

MIN_YEAR = 1900
MAX_YEAR = 9998

_PATTERNS = [
    (YEAR, re.compile(r"^(\d{4})$")),
    (HALF, re.compile(r"^(\d{4})S(\d)$")),
    (QUARTER, re.compile(r"^(\d{4})Q(\d)$")),
    (MONTH, re.compile(r"^(\d{4})(\d{2})$")),
    (WEEK, re.compile(r"^(\d{4})W(\d{2})$")),
    (RANGE, re.compile(r"^(\d{8})-(\d{8})$")),
]

HELP = "dạng 2014, 2014S1, 2014Q1, 201401, 2014W05 hoặc 20140101-20140315"


def _error(period_id: object, reason: str) -> ValueError:
    return ValueError(f"Mã kỳ “{period_id}” không hợp lệ: {reason} ({HELP}).")


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def _weeks_in(year: int) -> int:
    return dt.date(year, 12, 28).isocalendar()[1]


def _day(text: str, period_id: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _error(period_id, f"ngày {text} không có thật") from None


@dataclass(frozen=True)
class Period:
    """A span of whole days named by an id. Build one with ``parse`` or the constructors below."""

    kind: str
    start: dt.date
    end: dt.date

    # Constructors ------------------------------------------------------------------------------
    @classmethod
    def year(cls, year: int) -> Period:
        _check_year(year)
        return cls(YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        _check_year(year)
        if half not in (1, 2):
            raise _error(f"{year}S{half}", "nửa năm phải là 1 hoặc 2")
        first = 1 if half == 1 else 7
        return cls(HALF, dt.date(year, first, 1), _month_end(year, first + 5))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise _error(f"{year}Q{quarter}", "quý phải từ 1 đến 4")
        first = 3 * (quarter - 1) + 1
        return cls(QUARTER, dt.date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise _error(f"{year}{month:02d}", "tháng phải từ 01 đến 12")
        return cls(MONTH, dt.date(year, month, 1), _month_end(year, month))

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        _check_year(year)
        if not 1 <= week <= _weeks_in(year):
            raise _error(f"{year}W{week:02d}", f"năm {year} có {_weeks_in(year)} tuần")
        start = dt.date.fromisocalendar(year, week, 1)
        return cls(WEEK, start, start + dt.timedelta(days=6))

    @classmethod
    def range(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise _error(f"{start:%Y%m%d}-{end:%Y%m%d}", "ngày bắt đầu sau ngày kết thúc")
        _check_year(start.year)
        _check_year(end.year)
        return cls(RANGE, start, end)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        """The year, half, quarter, month or ISO week that holds ``day``."""
        if kind == YEAR:
            return cls.year(day.year)
        if kind == HALF:
            return cls.half(day.year, 1 if day.month <= 6 else 2)
        if kind == QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == MONTH:
            return cls.month(day.year, day.month)
        if kind == WEEK:
            iso = day.isocalendar()
            return cls.week(iso[0], iso[1])
        raise ValueError(f"Không có kỳ loại “{kind}” chứa một ngày.")

    # Identity ----------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        s = self.start
        if self.kind == YEAR:
            return f"{s.year:04d}"
        if self.kind == HALF:
            return f"{s.year:04d}S{1 if s.month == 1 else 2}"
        if self.kind == QUARTER:
            return f"{s.year:04d}Q{(s.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{s.year:04d}{s.month:02d}"
        if self.kind == WEEK:
            iso = s.isocalendar()
            return f"{iso[0]:04d}W{iso[1]:02d}"
        return f"{s:%Y%m%d}-{self.end:%Y%m%d}"

    def __str__(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        """The period as a Vietnamese report heading would write it."""
        s = self.start
        if self.kind == YEAR:
            return f"Năm {s.year}"
        if self.kind == HALF:
            return f"6 tháng {'đầu' if s.month == 1 else 'cuối'} năm {s.year}"
        if self.kind == QUARTER:
            return f"Quý {(s.month - 1) // 3 + 1}/{s.year}"
        if self.kind == MONTH:
            return f"Tháng {s.month:02d}/{s.year}"
        if self.kind == WEEK:
            iso = s.isocalendar()
            return f"Tuần {iso[1]:02d}/{iso[0]}"
        return f"{s:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date | dt.datetime) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def elapsed_share(self, today: dt.date) -> float:
        """Share (0–1) of the period's days that have passed by the end of ``today``."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / self.days

    # Navigation --------------------------------------------------------------------------------
    def children(self) -> list[Period]:
        y = self.start.year
        if self.kind == YEAR:
            return [Period.half(y, 1), Period.half(y, 2)]
        if self.kind == HALF:
            first = 1 if self.start.month == 1 else 3
            return [Period.quarter(y, q) for q in (first, first + 1)]
        if self.kind == QUARTER:
            m = self.start.month
            return [Period.month(y, m + i) for i in range(3)]
        return []

    def parent(self) -> Period | None:
        if self.kind == YEAR or self.kind == RANGE:
            return None
        if self.kind == HALF:
            return Period.year(self.start.year)
        if self.kind == QUARTER:
            return Period.containing(self.start, HALF)
        if self.kind == MONTH:
            return Period.containing(self.start, QUARTER)
        thursday = self.start + dt.timedelta(days=3)
        return Period.containing(thursday, MONTH)

    def months(self) -> list[Period]:
        """The months that overlap this period, in order (for monthly trends)."""
        result = []
        current = Period.containing(self.start, MONTH)
        while current.start <= self.end:
            result.append(current)
            current = current.next()
        return result

    def next(self) -> Period:
        if self.kind == RANGE:
            return Period.range(self.end + dt.timedelta(days=1), self.end + dt.timedelta(days=self.days))
        return Period.containing(self.end + dt.timedelta(days=1), self.kind)

    def previous(self) -> Period:
        if self.kind == RANGE:
            return Period.range(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))
        return Period.containing(self.start - dt.timedelta(days=1), self.kind)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(year, f"năm phải từ {MIN_YEAR} đến {MAX_YEAR}")


def parse(period_id: str) -> Period:
    """The period named by ``period_id``; ValueError with a Vietnamese message when it does not parse."""
    if isinstance(period_id, Period):
        return period_id
    if not isinstance(period_id, str):
        raise _error(period_id, "mã kỳ phải là chuỗi ký tự")
    text = period_id.strip().upper()
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        if kind == RANGE:
            start = _day(match.group(1), period_id)
            end = _day(match.group(2), period_id)
            return Period.range(start, end)
        year = int(match.group(1))
        if kind == YEAR:
            return Period.year(year)
        number = int(match.group(2))
        return {HALF: Period.half, QUARTER: Period.quarter, MONTH: Period.month, WEEK: Period.week}[kind](
            year, number
        )
    raise _error(period_id, "không đúng định dạng")


def is_valid(period_id: str) -> bool:
    try:
        parse(period_id)
    except ValueError:
        return False
    return True


def year_choices(year: int, kinds: tuple[str, ...] = (YEAR, HALF, QUARTER, MONTH)) -> list[tuple[str, list]]:
    """The periods of ``year`` a reader picks from, grouped by kind: ``[(kind, [Period, …]), …]``.

    Pickers show these (year, six months, quarters, months) instead of asking for a typed period id."""
    makers = {
        YEAR: lambda: [Period.year(year)],
        HALF: lambda: [Period.half(year, h) for h in (1, 2)],
        QUARTER: lambda: [Period.quarter(year, q) for q in range(1, 5)],
        MONTH: lambda: [Period.month(year, m) for m in range(1, 13)],
    }
    return [(kind, makers[kind]()) for kind in kinds if kind in makers]
