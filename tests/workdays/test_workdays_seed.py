"""The data migration's 2025 and 2026 schedules, checked against the 国务院办公厅 notices.

Each notice lists the days off (放假) and the weekend days worked (上班); the migration takes them
from chinesecalendar, so a wrong library release would fail here rather than in a deadline.
"""

from __future__ import annotations

import datetime

import pytest

from zhifa.workdays.models import CalendarChange, CalendarYear, DayKind, SpecialDay

pytestmark = pytest.mark.django_db


def span(first: str, last: str) -> set[datetime.date]:
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    return {start + datetime.timedelta(days=i) for i in range((end - start).days + 1)}


def dates(*values: str) -> set[datetime.date]:
    return {datetime.date.fromisoformat(v) for v in values}


# 国务院办公厅关于2026年部分节假日安排的通知
NOTICE_2026_OFF = {
    "元旦": span("2026-01-01", "2026-01-03"),
    "春节": span("2026-02-15", "2026-02-23"),
    "清明节": span("2026-04-04", "2026-04-06"),
    "劳动节": span("2026-05-01", "2026-05-05"),
    "端午节": span("2026-06-19", "2026-06-21"),
    "中秋节": span("2026-09-25", "2026-09-27"),
    "国庆节": span("2026-10-01", "2026-10-07"),
}
NOTICE_2026_WORK = dates("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")

# 国务院办公厅关于2025年部分节假日安排的通知 (国庆节 and 中秋节 share 1–8 October)
NOTICE_2025_OFF = {
    "元旦": dates("2025-01-01"),
    "春节": span("2025-01-28", "2025-02-04"),
    "清明节": span("2025-04-04", "2025-04-06"),
    "劳动节": span("2025-05-01", "2025-05-05"),
    "端午节": span("2025-05-31", "2025-06-02"),
    "国庆节、中秋节": span("2025-10-01", "2025-10-08"),
}
NOTICE_2025_WORK = dates("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")


def stored(year: int, kind: str) -> set[datetime.date]:
    return set(SpecialDay.objects.filter(year_id=year, kind=kind).values_list("date", flat=True))


@pytest.mark.parametrize(
    ("year", "off", "work"),
    [(2026, NOTICE_2026_OFF, NOTICE_2026_WORK), (2025, NOTICE_2025_OFF, NOTICE_2025_WORK)],
)
def test_seeded_year_matches_the_notice(year: int, off: dict[str, set[datetime.date]], work: set) -> None:
    assert stored(year, DayKind.HOLIDAY) == set().union(*off.values())
    assert stored(year, DayKind.WORKDAY) == work


def test_2026_holidays_carry_their_names() -> None:
    for name, days in NOTICE_2026_OFF.items():
        assert (
            set(
                SpecialDay.objects.filter(year_id=2026, name=name, kind=DayKind.HOLIDAY).values_list(
                    "date", flat=True
                )
            )
            == days
        )
    assert SpecialDay.objects.get(date=datetime.date(2026, 2, 14)).name == "春节"
    assert SpecialDay.objects.get(date=datetime.date(2026, 9, 20)).name == "国庆节"


def test_seeded_years_record_their_source_and_a_log_entry() -> None:
    for year in (2025, 2026):
        calendar_year = CalendarYear.objects.get(year=year)
        assert calendar_year.source.startswith("chinesecalendar 1.")
        change = CalendarChange.objects.get(year=year)
        assert change.actor is None and change.reason.startswith("数据迁移")
        assert len(change.after["days"]) == SpecialDay.objects.filter(year_id=year).count()
