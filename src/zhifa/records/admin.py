from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.records.models import RecordEvent


@admin.register(RecordEvent)
class RecordEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "event_type", "case", "step", "actor_name", "digest")
    list_filter = ("event_type",)
    search_fields = ("case__number", "step", "actor_name")
