"""Working-day calendar API under /api/v1/calendar/ (bearer token, read-only).

A deadline that needs a year that is not loaded answers 422 ``{"code": "calendar_year_missing", ...}``.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from zhifa.core.errors import NotFound
from zhifa.workdays import calendar, selectors
from zhifa.workdays.models import CalendarYear

router = Router(tags=["工作日历"])


class YearOut(Schema):
    year: int
    source: str
    notes: str
    loaded_at: datetime.datetime
    loaded_by: str | None
    holiday_count: int
    workday_count: int


class DayOut(Schema):
    date: datetime.date
    kind: str = Field(description="holiday（法定节假日，休）或 workday（调休上班）")
    kind_label: str
    name: str


class YearDetailOut(YearOut):
    days: list[DayOut]


class DueDateQuery(Schema):
    start: datetime.date = Field(description="触发事件的日期；期限自次日起算")
    quantity: int = Field(ge=0, le=3650, description="期限数量")
    unit: Literal["working_days", "calendar_days", "months"] = Field(
        description="working_days 工作日；calendar_days 自然日（最后一日遇休息日顺延）；months 月"
    )


class DueDateOut(Schema):
    start: datetime.date
    quantity: int
    unit: str
    due_date: datetime.date


def _year_out(year: CalendarYear) -> dict[str, Any]:
    user = year.loaded_by
    return {
        "year": year.year,
        "source": year.source,
        "notes": year.notes,
        "loaded_at": year.loaded_at,
        "loaded_by": user.get_username() if user else None,
        "holiday_count": getattr(year, "holiday_count", 0),
        "workday_count": getattr(year, "workday_count", 0),
    }


@router.get("/years", response=list[YearOut], summary="已导入的年度")
def list_years(request: HttpRequest) -> list[dict[str, Any]]:
    return [_year_out(y) for y in selectors.years()]


@router.get("/years/{year}", response=YearDetailOut, summary="某年度的节假日和调休上班日")
def get_year(request: HttpRequest, year: int) -> dict[str, Any]:
    calendar_year = selectors.year_or_none(year)
    if calendar_year is None:
        raise NotFound(
            calendar.CalendarYearMissing(year).message, code="calendar_year_missing", details={"year": year}
        )
    days = [
        {"date": d.date, "kind": d.kind, "kind_label": d.get_kind_display(), "name": d.name}
        for d in selectors.special_days(year)
    ]
    return {**_year_out(calendar_year), "days": days}


@router.get("/due-date", response=DueDateOut, summary="计算到期日")
def get_due_date(request: HttpRequest, params: Query[DueDateQuery]) -> dict[str, Any]:
    due = calendar.due_date(params.start, quantity=params.quantity, unit=params.unit)
    return {"start": params.start, "quantity": params.quantity, "unit": params.unit, "due_date": due}
