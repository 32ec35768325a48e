from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.org.models import Credential, EnforcementBody, OrgEvent, Person, RoleAssignment, Unit


@admin.register(EnforcementBody)
class EnforcementBodyAdmin(ReadOnlyAdmin):
    list_display = ("name", "short_name", "credit_code", "legal_status")


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "body", "kind", "parent", "counterpart", "enforces", "is_active")
    list_filter = ("body", "kind")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "title", "user", "is_active")
    search_fields = ("name",)
    exclude = ("resident_id", "phone")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("person", "role", "unit", "granted_at")
    list_filter = ("role",)


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ("number", "person", "category", "expires_on", "status")
    list_filter = ("status",)
    search_fields = ("number", "person__name")


@admin.register(OrgEvent)
class OrgEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "event_type", "actor", "person", "credential", "reason")
    list_filter = ("event_type",)
