"""Properties of the working-day arithmetic over the loaded 2025–2026 data (hypothesis).

The data comes from the data migration, so every example reads the same two years; after the
first example they are served from the per-process cache.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.workdays.calendar import (
    CalendarYearMissing,
    add_calendar_days,
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
)
from zhifa.workdays.models import DayKind, SpecialDay

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Starts and counts chosen so that results stay inside the loaded 2025–2026.
starts = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 9, 30))
counts = st.integers(min_value=0, max_value=25)  # a + b stays inside 2026
loaded_days = st.dates(min_value=datetime.date(2025, 1, 3), max_value=datetime.date(2026, 12, 30))


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_the_result_is_always_a_working_day_after_the_start(db: Any, start: datetime.date, n: int) -> None:
    due = add_working_days(start, n)
    assert due > start
    assert is_working_day(due)


@PROPERTY_SETTINGS
@given(start=starts, a=counts, b=counts)
def test_adding_is_associative(db: Any, start: datetime.date, a: int, b: int) -> None:
    assert add_working_days(start, a + b) == add_working_days(add_working_days(start, a), b)


@PROPERTY_SETTINGS
@given(start=starts, n=counts)
def test_counting_back_gives_the_same_number(db: Any, start: datetime.date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(min_value=0, max_value=39))
def test_monotonic_in_n(db: Any, start: datetime.date, n: int) -> None:
    assert add_working_days(start, n) < add_working_days(start, n + 1)


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_no_working_day_is_skipped(db: Any, start: datetime.date, n: int) -> None:
    due = add_working_days(start, n)
    days = [start + datetime.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(1 for d in days if is_working_day(d)) == n


@PROPERTY_SETTINGS
@given(day=loaded_days)
def test_next_and_previous_are_neighbours(db: Any, day: datetime.date) -> None:
    following, preceding = next_working_day(day), previous_working_day(day)
    assert preceding < day < following
    assert working_days_between(preceding, following) == (2 if is_working_day(day) else 1)


@PROPERTY_SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=60))
def test_calendar_days_never_end_on_a_rest_day(db: Any, start: datetime.date, n: int) -> None:
    due = add_calendar_days(start, n)
    plain = start + datetime.timedelta(days=n)
    assert is_working_day(due)
    assert due >= plain
    assert due == plain or due == next_working_day(plain)


@PROPERTY_SETTINGS
@given(day=loaded_days)
def test_the_weekday_rule_holds_outside_the_exceptions(db: Any, day: datetime.date) -> None:
    special = SpecialDay.objects.filter(date=day).first()
    if special is None:
        assert is_working_day(day) == (day.weekday() < 5)
    elif special.kind == DayKind.WORKDAY:
        assert day.weekday() >= 5  # a make-up Saturday or Sunday ...
        assert is_working_day(day)  # ... is a working day
    else:
        assert not is_working_day(day)  # a holiday, weekday or not, is not


@PROPERTY_SETTINGS
@given(day=st.dates(min_value=datetime.date(2027, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_an_unloaded_year_is_never_guessed(db: Any, day: datetime.date) -> None:
    with pytest.raises(CalendarYearMissing) as info:
        is_working_day(day)
    assert info.value.year == day.year


def test_every_make_up_day_is_a_weekend_working_day_and_every_weekday_holiday_is_off(db: Any) -> None:
    make_up = list(SpecialDay.objects.filter(kind=DayKind.WORKDAY))
    weekday_holidays = [d for d in SpecialDay.objects.filter(kind=DayKind.HOLIDAY) if d.date.weekday() < 5]
    assert make_up and weekday_holidays
    assert all(d.date.weekday() >= 5 and is_working_day(d.date) for d in make_up)
    assert not any(is_working_day(d.date) for d in weekday_holidays)
