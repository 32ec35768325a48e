"""Read-only admin: the calendar is edited on the staff pages so every change is logged."""

from __future__ import annotations

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.workdays.models import CalendarChange, CalendarYear, SpecialDay


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "source", "loaded_by", "loaded_at")


@admin.register(SpecialDay)
class SpecialDayAdmin(ReadOnlyAdmin):
    list_display = ("date", "kind", "name", "year")
    list_filter = ("year", "kind")
    date_hierarchy = "date"


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "change_type", "year", "date", "actor", "reason")
    list_filter = ("change_type", "year")
