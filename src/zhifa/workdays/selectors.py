"""Reads shared by the calendar pages, the API and the console command."""

from __future__ import annotations

import calendar as stdlib_calendar
import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from zhifa.workdays.calendar import CalendarYearMissing
from zhifa.workdays.models import (
    WEEKDAY_NAMES,
    CalendarChange,
    CalendarChangeType,
    CalendarYear,
    DayKind,
    SpecialDay,
)

CSV_HEADER = ("date", "kind", "name")
DAY_MARKS: dict[str, str] = {"holiday": "休", "workday": "班"}
MONTH_NAMES = tuple(f"{m}月" for m in range(1, 13))


def years() -> QuerySet[CalendarYear]:
    """Loaded years with their holiday and make-up day counts (``holiday_count``, ``workday_count``)."""
    return (
        CalendarYear.objects.select_related("loaded_by")
        .annotate(
            holiday_count=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
            workday_count=Count("days", filter=Q(days__kind=DayKind.WORKDAY)),
        )
        .order_by("year")
    )


def year_or_none(year: int) -> CalendarYear | None:
    return years().filter(year=year).first()


def special_days(year: int) -> QuerySet[SpecialDay]:
    return SpecialDay.objects.filter(year_id=year).order_by("date")


def special_day(day: datetime.date) -> SpecialDay | None:
    return SpecialDay.objects.filter(date=day).first()


def changes(year: int) -> QuerySet[CalendarChange]:
    return CalendarChange.objects.filter(year=year).select_related("actor").order_by("-occurred_at", "-id")


def missing_year_warning(today: datetime.date, loaded: set[int]) -> int | None:
    """The year an administrator must load now: this year if missing, else next year from November."""
    if today.year not in loaded:
        return today.year
    if today.month >= 11 and today.year + 1 not in loaded:
        return today.year + 1
    return None


def export_csv(year: int) -> str:
    """The year as the ``date,kind,name`` CSV that the loader reads."""
    if not CalendarYear.objects.filter(year=year).exists():
        raise CalendarYearMissing(year)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for day in special_days(year):
        writer.writerow([day.date.isoformat(), day.kind, day.name])
    return buffer.getvalue()


def describe_day(day: datetime.date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


@dataclass(frozen=True)
class DayCell:
    day: datetime.date | None  # None: padding outside the month
    kind: str = ""  # "holiday", "workday", "weekend" or ""
    name: str = ""
    is_today: bool = False

    @property
    def mark(self) -> str:
        return DAY_MARKS.get(self.kind, "")

    @property
    def label(self) -> str:
        if self.kind == DayKind.HOLIDAY:
            return f"休 {self.name}".strip()
        if self.kind == DayKind.WORKDAY:
            return f"班 {self.name}".strip()
        return ""


@dataclass(frozen=True)
class MonthGrid:
    month: int
    title: str
    weeks: list[list[DayCell]]


def month_grids(year: int, today: datetime.date | None = None) -> list[MonthGrid]:
    """Twelve Monday-first month grids with each day's kind and holiday name."""
    by_date = {d.date: d for d in special_days(year)}
    cal = stdlib_calendar.Calendar(firstweekday=0)
    grids: list[MonthGrid] = []
    for month in range(1, 13):
        weeks: list[list[DayCell]] = []
        for week in cal.monthdatescalendar(year, month):
            row: list[DayCell] = []
            for day in week:
                if day.month != month:
                    row.append(DayCell(day=None))
                    continue
                special = by_date.get(day)
                if special is not None:
                    kind, name = special.kind, special.name
                else:
                    kind, name = ("weekend" if day.weekday() >= 5 else ""), ""
                row.append(DayCell(day=day, kind=kind, name=name, is_today=day == today))
            weeks.append(row)
        grids.append(MonthGrid(month=month, title=MONTH_NAMES[month - 1], weeks=weeks))
    return grids


def _row_text(row: dict[str, str] | None) -> str:
    if not row:
        return "（无）"
    kind = DayKind(row["kind"]).label if row.get("kind") in DayKind.values else row.get("kind", "")
    return f"{kind} {row.get('name', '')}".strip()


def change_summary(change: CalendarChange) -> str:
    """One line saying what a change did, for the change log."""
    if change.change_type in (CalendarChangeType.DAY_SET, CalendarChangeType.DAY_REMOVED):
        day = describe_day(change.date) if change.date else ""
        return f"{day}：{_row_text(change.before)} → {_row_text(change.after)}"
    after_days = {r["date"]: r for r in (change.after or {}).get("days", [])}
    if change.change_type == CalendarChangeType.YEAR_LOADED:
        holidays = sum(1 for r in after_days.values() if r["kind"] == DayKind.HOLIDAY)
        return (
            f"导入{len(after_days)}天（节假日{holidays}天，调休上班{len(after_days) - holidays}天），"
            f"来源：{(change.after or {}).get('source', '')}"
        )
    before_days = {r["date"]: r for r in (change.before or {}).get("days", [])}
    added = len(after_days.keys() - before_days.keys())
    removed = len(before_days.keys() - after_days.keys())
    altered = sum(1 for d in after_days.keys() & before_days.keys() if after_days[d] != before_days[d])
    return (
        f"整体替换：新增{added}天、删除{removed}天、修改{altered}天，"
        f"来源：{(change.after or {}).get('source', '')}"
    )
