"""Working-day arithmetic against the 2025/2026 schedules loaded by the data migration."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhifa.catalog.models import RuleUnit
from zhifa.workdays import calendar
from zhifa.workdays.calendar import (
    CalendarYearMissing,
    add_calendar_days,
    add_months,
    add_working_days,
    due_date,
    is_working_day,
    loaded_years,
    next_working_day,
    previous_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_migration_loads_2025_and_2026() -> None:
    assert loaded_years() == [2025, 2026]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # Saturday, 春节 make-up day
        (D(2026, 2, 28), True),  # Saturday, 春节 make-up day
        (D(2026, 2, 16), False),  # Monday inside 春节
        (D(2026, 2, 23), False),  # Monday, last day of 春节
        (D(2026, 2, 24), True),
        (D(2026, 9, 20), True),  # Sunday, 国庆节 make-up day
        (D(2026, 10, 10), True),  # Saturday, 国庆节 make-up day
        (D(2026, 10, 7), False),  # Wednesday inside 国庆节
        (D(2026, 10, 11), False),  # ordinary Sunday
        (D(2026, 3, 7), False),  # ordinary Saturday
        (D(2026, 3, 9), True),  # ordinary Monday
    ],
)
def test_is_working_day_in_2026(day: datetime.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_spring_festival_2026() -> None:
    # Counting starts the day after: Friday 13 Feb + 1 is the make-up Saturday.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # From the make-up Saturday the next working day is after the nine-day break.
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # T10 (5 working days to ask for a hearing) from a notice served on Thursday 12 Feb.
    assert add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


def test_national_day_2026() -> None:
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)  # the make-up Saturday counts
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)  # the make-up Sunday counts
    # T12: 7 working days from 24 Sep skips 中秋 (25–27) and 国庆 (1–7).
    assert add_working_days(D(2026, 9, 24), 7) == D(2026, 10, 12)


def test_working_days_between_spans_holidays() -> None:
    # 14 (Sat, make-up), 24, 25, 26, 27, 28 (Sat, make-up)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    # 8, 9, 10 (Sat, make-up), 12
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -6


def test_across_the_new_year() -> None:
    # 2026-01-01..03 are 元旦 and Sunday 4 January is a make-up working day.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert working_days_between(D(2025, 12, 30), D(2026, 1, 5)) == 3  # 31 Dec, 4 Jan, 5 Jan
    assert previous_working_day(D(2026, 1, 4)) == D(2025, 12, 31)
    assert next_working_day(D(2025, 12, 31)) == D(2026, 1, 4)


def test_next_and_previous_working_day() -> None:
    assert next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)
    assert previous_working_day(D(2026, 2, 24)) == D(2026, 2, 14)
    assert next_working_day(D(2026, 3, 6)) == D(2026, 3, 9)


def test_zero_and_negative_counts() -> None:
    assert add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 3)
    assert add_calendar_days(D(2026, 10, 3), 0) == D(2026, 10, 3)
    assert add_months(D(2026, 10, 3), 0) == D(2026, 10, 3)
    with pytest.raises(ValueError, match="负数"):
        add_working_days(D(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="负数"):
        add_calendar_days(D(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="负数"):
        add_months(D(2026, 3, 2), -1)


def test_calendar_days_roll_forward_off_rest_days() -> None:
    # 24 Sep + 7 = 1 Oct (国庆节): the period ends on the first working day after the holiday.
    assert add_calendar_days(D(2026, 9, 24), 7) == D(2026, 10, 8)
    assert add_calendar_days(D(2026, 9, 24), 7, roll_forward=False) == D(2026, 10, 1)
    # An ordinary Saturday rolls to Monday; a make-up Saturday is a working day and does not roll.
    assert add_calendar_days(D(2026, 3, 1), 6) == D(2026, 3, 9)
    assert add_calendar_days(D(2026, 2, 7), 7) == D(2026, 2, 14)
    # T8: 90 calendar days from 立案 on 3 July 2026 ends on 1 Oct, which rolls to 8 Oct.
    assert add_calendar_days(D(2026, 7, 3), 90) == D(2026, 10, 8)


def test_months_clamp_to_month_end_and_roll() -> None:
    # 31 Jan + 1 month has no 31 Feb: the last day of February, a make-up Saturday in 2026.
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2025, 8, 31), 1) == D(2025, 9, 30)
    assert add_months(D(2025, 3, 31), 6) == D(2025, 9, 30)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    # 1 Sep 2025 + 1 month = 1 Oct (国庆节, off until 8 Oct) -> 9 Oct.
    assert add_months(D(2025, 9, 1), 1) == D(2025, 10, 9)
    assert add_months(D(2025, 9, 1), 1, roll_forward=False) == D(2025, 10, 1)


def test_due_date_dispatches_on_the_catalog_rule_units() -> None:
    start = D(2026, 9, 24)
    assert due_date(start, quantity=7, unit=RuleUnit.WORKING_DAYS) == D(2026, 10, 12)
    assert due_date(start, quantity=7, unit=RuleUnit.CALENDAR_DAYS) == D(2026, 10, 8)
    assert due_date(D(2026, 1, 31), quantity=1, unit=RuleUnit.MONTHS) == D(2026, 2, 28)
    assert due_date(D(2025, 4, 30), quantity=1, unit=RuleUnit.YEARS) == D(2026, 4, 30)
    with pytest.raises(ValueError, match="不支持的期限单位"):
        due_date(start, quantity=7, unit="yuan")


@pytest.mark.parametrize(
    ("compute", "missing"),
    [
        (lambda: add_working_days(D(2026, 12, 30), 5), 2027),
        (lambda: due_date(D(2026, 12, 30), quantity=5, unit="working_days"), 2027),
        (lambda: is_working_day(D(2027, 1, 4)), 2027),
        (lambda: add_calendar_days(D(2026, 12, 25), 10), 2027),
        (lambda: add_months(D(2026, 11, 30), 2), 2027),
        (lambda: working_days_between(D(2026, 12, 1), D(2027, 1, 10)), 2027),
        (lambda: working_days_between(D(2024, 12, 30), D(2025, 1, 5)), 2024),
        (lambda: previous_working_day(D(2025, 1, 1)), 2024),
        # a long span that crosses 2026 into the unloaded 2027
        (lambda: add_working_days(D(2025, 1, 1), 600), 2027),
    ],
)
def test_an_unloaded_year_fails_loudly_naming_it(compute: Any, missing: int) -> None:
    with pytest.raises(CalendarYearMissing) as info:
        compute()
    assert info.value.year == missing
    assert info.value.code == "calendar_year_missing"
    assert info.value.status == 422
    assert f"{missing}年的工作日历尚未导入" in info.value.message


def test_pure_date_arithmetic_needs_no_calendar() -> None:
    assert add_calendar_days(D(2026, 12, 25), 10, roll_forward=False) == D(2027, 1, 4)
    assert add_months(D(2026, 11, 30), 3, roll_forward=False) == D(2027, 2, 28)


def test_a_year_is_read_once_then_served_from_the_cache(django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(2):  # the change stamp, then the year
        add_working_days(D(2026, 3, 2), 10)
    with django_assert_max_num_queries(0):
        for n in range(200):
            add_working_days(D(2026, 3, 2), n)
            is_working_day(D(2026, 5, 9))
            working_days_between(D(2026, 1, 5), D(2026, 11, 30))


def test_a_missing_year_is_cached_too(django_assert_max_num_queries: Any) -> None:
    with pytest.raises(CalendarYearMissing):
        is_working_day(D(2027, 1, 4))
    with django_assert_max_num_queries(0), pytest.raises(CalendarYearMissing):
        is_working_day(D(2027, 1, 5))


def test_clear_cache_makes_the_next_computation_read_again(django_assert_num_queries: Any) -> None:
    is_working_day(D(2026, 3, 2))
    calendar.clear_cache()
    with django_assert_num_queries(2):
        is_working_day(D(2026, 3, 2))
