from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zhifa.org import permissions


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    """The top navigation, limited to what the signed-in user's roles may open."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("home", "工作台", reverse("home")),
        ("cases", "案件", reverse("cases:case_list")),
        ("deadlines", "期限", reverse("cases:deadlines_mine")),
        ("review", "法制审核", reverse("review:queue")),
        ("catalog", "执法事项", reverse("catalog:item_list")),
        ("laws", "法律依据", reverse("catalog:law_list")),
        ("rules", "时限与标准", reverse("catalog:rule_list")),
        ("org", "组织机构", reverse("org:unit_list")),
        ("people", "执法人员", reverse("org:person_list")),
        ("credentials", "执法证", reverse("org:credential_list")),
        ("devices", "执法记录仪", reverse("evidence:device_list")),
        ("calendar", "工作日历", reverse("workdays:year_list")),
        ("ledger", "账本", reverse("ledger:overview")),
    ]
    return {
        "nav_items": items,
        "current_person": permissions.person_of(user),
        "current_roles": sorted(permissions.role_codes(user)),
    }
