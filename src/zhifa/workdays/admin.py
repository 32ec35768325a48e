"""Read-only admin: the calendar is edited on the staff pages so every change is logged."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.workdays.models import CalendarChange, CalendarYear, SpecialDay


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
