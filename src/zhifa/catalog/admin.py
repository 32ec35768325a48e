from django.contrib import admin

from zhifa.catalog.models import EnforcementItem, ItemVersion, Law, LegalRule, Provision
from zhifa.core.admin import ReadOnlyAdmin


@admin.register(Law)
class LawAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "amended_on", "source_name")


@admin.register(Provision)
class ProvisionAdmin(ReadOnlyAdmin):
    list_display = ("law", "label", "chapter")
    list_filter = ("law",)
    search_fields = ("text",)


@admin.register(EnforcementItem)
class EnforcementItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "act_type", "body", "created_at")
    list_filter = ("act_type",)


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdmin):
    list_display = ("item", "number", "name", "effective_from", "created_by", "created_at")
    search_fields = ("name", "item__code")


@admin.register(LegalRule)
class LegalRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "variant", "name", "quantity", "unit", "effective_from", "confidence")
