"""Working-day arithmetic over the loaded calendar (工作日历).

Which statutory limits count working days is the law's choice, not ours: 行政处罚法第八十五条
(“二日”“三日”“五日”“七日”是工作日), 行政许可法第八十二条 (all licensing limits are working
days), 行政强制法第六十九条 (limits of ten days or less). Everything else counts calendar days, and
a calendar-day or month period whose last day is a rest day ends on the next working day: 民事诉讼法
第八十五条 (期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期), applied to
administrative litigation by 行政诉讼法第一百零一条, and 民法典第二百零一条至第二百零三条 for months.
A weekend make-up working day (调休上班) is not a rest day, so a period may end on it.

Counting always starts the day after the triggering event (期间开始的日不计算在期间内).

The calendar is data. A day in a year without a ``CalendarYear`` row raises
``CalendarYearMissing`` naming that year — an unknown year is never guessed as Monday–Friday.

Speed: each year is read lazily with one query into an immutable per-process cache (holiday and
make-up day sets plus the sorted ordinals of its working days), so the arithmetic is set lookups and
binary searches. The services clear the cache when they write (at once and again on commit); other
processes notice within ``ZHIFA_CALENDAR_RECHECK_SECONDS`` (default 30 s) by comparing the newest
``CalendarChange`` id, which every write appends.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from zhifa.core.errors import DomainError

ONE_DAY = datetime.timedelta(days=1)

UNIT_WORKING_DAYS = "working_days"
UNIT_CALENDAR_DAYS = "calendar_days"
UNIT_MONTHS = "months"
UNIT_YEARS = "years"
# The same strings as catalog.RuleUnit, so a rule row's unit can be passed straight to due_date().
DUE_UNITS: dict[str, str] = {
    UNIT_WORKING_DAYS: "个工作日",
    UNIT_CALENDAR_DAYS: "日（自然日）",
    UNIT_MONTHS: "个月",
    UNIT_YEARS: "年",
}


class CalendarYearMissing(DomainError):
    """A computation needed a year whose holiday schedule has not been loaded."""

    code = "calendar_year_missing"
    status = 422

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的工作日历尚未导入，无法计算工作日期限。请管理员在“工作日历”中导入该年度的节假日安排。",
            details={"year": year},
        )


@dataclass(frozen=True, slots=True)
class YearData:
    year: int
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]
    working: tuple[int, ...]  # ordinals of every working day of the year, ascending


class _Cache:
    def __init__(self) -> None:
        self.years: dict[int, YearData | None] = {}  # None: looked up, not loaded
        self.epoch = 0  # bumped by clear(); a load that started before a clear is not stored
        self.stamp: int | None = None  # newest CalendarChange id seen
        self.check_after = 0.0
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.epoch += 1
            self.years = {}
            self.stamp = None
            self.check_after = 0.0


_cache = _Cache()


def clear_cache() -> None:
    """Forget every cached year in this process; the next computation reads the database again."""
    _cache.clear()


def _recheck_seconds() -> float:
    return float(getattr(settings, "ZHIFA_CALENDAR_RECHECK_SECONDS", 30))


def _revalidate(now: float) -> None:
    from zhifa.workdays.models import CalendarChange

    stamp = CalendarChange.objects.aggregate(newest=Max("id"))["newest"]
    with _cache.lock:
        if stamp != _cache.stamp:
            _cache.epoch += 1
            _cache.years = {}
            _cache.stamp = stamp
        _cache.check_after = now + _recheck_seconds()


def build_year(year: int, rows: list[tuple[datetime.date, str]]) -> YearData:
    """The cached form of one year from its (date, kind) exceptions."""
    holidays = frozenset(d for d, kind in rows if kind == "holiday")
    workdays = frozenset(d for d, kind in rows if kind == "workday")
    first = datetime.date(year, 1, 1).toordinal()
    last = datetime.date(year, 12, 31).toordinal()
    working = []
    for ordinal in range(first, last + 1):
        day = datetime.date.fromordinal(ordinal)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            working.append(ordinal)
    return YearData(year=year, holidays=holidays, workdays=workdays, working=tuple(working))


def _load(year: int) -> YearData | None:
    from zhifa.workdays.models import CalendarYear

    epoch = _cache.epoch
    # One query: the year row joined to its days; no row at all means the year is not loaded.
    rows = list(CalendarYear.objects.filter(year=year).values_list("days__date", "days__kind"))
    data = build_year(year, [(d, k) for d, k in rows if d is not None]) if rows else None
    with _cache.lock:
        if epoch == _cache.epoch:
            _cache.years[year] = data
    return data


def year_data(year: int) -> YearData:
    """The loaded year, or ``CalendarYearMissing``."""
    now = time.monotonic()
    if now >= _cache.check_after:
        _revalidate(now)
    try:
        data = _cache.years[year]
    except KeyError:
        data = _load(year)
    if data is None:
        raise CalendarYearMissing(year)
    return data


def loaded_years() -> list[int]:
    from zhifa.workdays.models import CalendarYear

    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"期限数量不能为负数：{n}")


def _day_after(day: datetime.date) -> datetime.date:
    try:
        return day + ONE_DAY
    except OverflowError:
        raise CalendarYearMissing(day.year + 1) from None


def is_working_day(day: datetime.date) -> bool:
    """A weekday that is not a holiday, or a make-up working day (调休上班)."""
    data = year_data(day.year)
    if day in data.workdays:
        return True
    if day in data.holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (n=1: the first working day after it; n=0: start)."""
    _check_count(n)
    if n == 0:
        return start
    first = _day_after(start)
    year, position, remaining = first.year, first.toordinal(), n
    while True:
        working = year_data(year).working
        index = bisect_left(working, position)
        available = len(working) - index
        if remaining <= available:
            return datetime.date.fromordinal(working[index + remaining - 1])
        remaining -= available
        year, position = year + 1, 0


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after ``day``."""
    return add_working_days(day, 1)


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day strictly before ``day``."""
    year, position = day.year, day.toordinal() - 1
    while True:
        working = year_data(year).working
        index = bisect_right(working, position)
        if index > 0:
            return datetime.date.fromordinal(working[index - 1])
        year, position = year - 1, position


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie in (start, end]; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    if end == start:
        return 0
    low, high = start.toordinal() + 1, end.toordinal()
    count = 0
    for year in range(datetime.date.fromordinal(low).year, end.year + 1):
        working = year_data(year).working
        count += bisect_right(working, high) - bisect_left(working, low)
    return count


def _roll(end: datetime.date, roll_forward: bool) -> datetime.date:
    # 期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期
    # (民事诉讼法第八十五条; 行政诉讼法第一百零一条; 民法典第二百零三条).
    if roll_forward and not is_working_day(end):
        return next_working_day(end)
    return end


def add_calendar_days(start: datetime.date, n: int, *, roll_forward: bool = True) -> datetime.date:
    """``n`` calendar days counted from the day after ``start``; a rest-day end rolls forward.

    Without ``roll_forward`` this is plain date arithmetic and needs no calendar data.
    """
    _check_count(n)
    if n == 0:
        return start
    try:
        end = start + datetime.timedelta(days=n)
    except OverflowError:
        raise CalendarYearMissing(datetime.MAXYEAR + 1) from None
    return _roll(end, roll_forward)


def add_months(start: datetime.date, n: int, *, roll_forward: bool = True) -> datetime.date:
    """``n`` months: the corresponding day of the final month, or its last day if it has none
    (民法典第二百零二条: 没有对应日的，月末日为期间的最后一日); a rest-day end rolls forward."""
    _check_count(n)
    if n == 0:
        return start
    months = start.month - 1 + n
    year, month = start.year + months // 12, months % 12 + 1
    if year > datetime.MAXYEAR:
        raise CalendarYearMissing(year)
    end = datetime.date(year, month, min(start.day, stdlib_calendar.monthrange(year, month)[1]))
    return _roll(end, roll_forward)


def due_date(start: datetime.date, *, quantity: int, unit: str) -> datetime.date:
    """The last day of a period of ``quantity`` ``unit`` after ``start`` (unit: a ``DUE_UNITS`` key)."""
    if unit == UNIT_WORKING_DAYS:
        return add_working_days(start, quantity)
    if unit == UNIT_CALENDAR_DAYS:
        return add_calendar_days(start, quantity)
    if unit == UNIT_MONTHS:
        return add_months(start, quantity)
    if unit == UNIT_YEARS:
        _check_count(quantity)
        return add_months(start, 12 * quantity)
    raise ValueError(f"不支持的期限单位：{unit}（应为 {', '.join(DUE_UNITS)}）")
