"""Superuser repair access: read-only views of the register and the evidence."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhifa.evidence.models import Device, DeviceHandover, Evidence, UploadSession


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "kind", "step", "original_filename", "size", "sha256", "uploaded_at"]
    search_fields = ["sha256", "sm3", "original_filename", "case__number"]


@admin.register(UploadSession)
class UploadSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "filename", "received_bytes", "declared_size", "status", "updated_at"]
    list_filter = ["status"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["serial_number", "model", "unit", "assignee", "status"]
    search_fields = ["serial_number", "model"]


@admin.register(DeviceHandover)
class DeviceHandoverAdmin(ReadOnlyAdmin):
    list_display = ["device", "from_person", "to_person", "status", "at", "by"]
