from django.contrib import admin

from zhifa.cases.models import Case, CaseOfficer, Clock
from zhifa.core.admin import ReadOnlyAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "act_type", "state", "unit", "opened_on", "closed_on")
    list_filter = ("act_type", "state")
    search_fields = ("number", "title", "party_name")


@admin.register(CaseOfficer)
class CaseOfficerAdmin(ReadOnlyAdmin):
    list_display = ("case", "person", "role", "assigned_at", "recused_at")


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("case", "code", "label", "started_on", "due_on", "paused_on", "stopped_on")
