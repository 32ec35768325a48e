from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.catalog import selectors as catalog_selectors
from zhifa.org import permissions
from zhifa.org import selectors as org_selectors
from zhifa.org.models import Role


def home(request: HttpRequest) -> HttpResponse:
    """工作台: one page, with the panels each of the user's roles needs."""
    user = request.user
    roles = permissions.role_codes(user)
    person = permissions.person_of(user)
    today = timezone.localdate()
    context: dict[str, object] = {"active_nav": "home", "person": person, "today": today}
    if person is not None:
        context["my_credentials"] = list(person.credentials.all())
        context["my_roles"] = list(person.roles.select_related("unit"))
    if roles & {Role.ADMIN, Role.PILOT_OFFICE, Role.SUPERVISOR, Role.LEADER, Role.UNIT_HEAD}:
        expiring = org_selectors.credentials(expiring_within_days=60, today=today)
        expired = org_selectors.credentials(status="expired", today=today)
        if Role.UNIT_HEAD in roles and not roles & {
            Role.ADMIN,
            Role.PILOT_OFFICE,
            Role.SUPERVISOR,
            Role.LEADER,
        }:
            unit_ids = [u.pk for u in person.unit.supervised_units.all()] + [person.unit_id] if person else []
            expiring = expiring.filter(person__unit_id__in=unit_ids)
            expired = expired.filter(person__unit_id__in=unit_ids)
        context["expiring_credentials"] = expiring[:20]
        context["expired_credentials"] = expired[:20]
    if roles & {Role.ADMIN, Role.PILOT_OFFICE, Role.SUPERVISOR, Role.LEADER}:
        all_items = catalog_selectors.items()
        context["catalog_counts"] = _count_by_type(all_items)
        context["item_total"] = all_items.count()
        context["officer_total"] = org_selectors.people(role=Role.OFFICER).count()
        context["valid_credential_total"] = org_selectors.credentials(status="valid", today=today).count()
        context["rules"] = catalog_selectors.rules_in_force()[:8]
    if person is not None and person.unit.enforces:
        context["unit_items"] = catalog_selectors.items(unit_id=person.unit_id)[:12]
    context["show"] = {
        "admin": Role.ADMIN in roles,
        "pilot": Role.PILOT_OFFICE in roles,
        "supervisor": Role.SUPERVISOR in roles,
        "leader": Role.LEADER in roles,
        "head": Role.UNIT_HEAD in roles,
        "officer": Role.OFFICER in roles,
        "reviewer": bool(roles & {Role.REVIEWER, Role.LEGAL_ADVISER, Role.PUBLIC_LAWYER}),
    }
    if roles & {Role.REVIEWER, Role.LEGAL_ADVISER, Role.PUBLIC_LAWYER}:
        context["review_waiting"] = _review_waiting(user, today)
    return render(request, "core/home.html", context)


def _review_waiting(user: Any, today: datetime.date) -> list[dict[str, object]]:
    """待我审核: the reviewer's open rounds and the unassigned ones, earliest due first."""
    from zhifa.review import status

    return [{"request": r, "deadline": status.deadline_status(r, today)} for r in status.queue_for(user)[:10]]


def _count_by_type(qs: object) -> list[tuple[str, int]]:
    from django.db.models import Count

    from zhifa.catalog.models import ActType, EnforcementItem

    counts = dict(
        EnforcementItem.objects.values_list("act_type").annotate(n=Count("id")).values_list("act_type", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in ActType.choices]


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
