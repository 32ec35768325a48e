"""Reads shared by the staff pages and the API."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhifa.org.models import (
    Credential,
    CredentialStatus,
    EnforcementBody,
    OrgEvent,
    Person,
    RoleAssignment,
    Unit,
)


def bodies() -> QuerySet[EnforcementBody]:
    return EnforcementBody.objects.all()


def units(body: EnforcementBody | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("body", "parent", "counterpart")
    return qs.filter(body=body) if body else qs


def unit_tree(body: EnforcementBody) -> list[tuple[Unit, int]]:
    """Units in tree order with their depth, for an indented listing."""
    all_units = list(units(body))
    children: dict[int | None, list[Unit]] = {}
    for unit in all_units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def people(
    *, query: str = "", unit: Unit | None = None, role: str = "", active_only: bool = True
) -> QuerySet[Person]:
    qs = Person.objects.select_related("unit", "body", "user").prefetch_related(
        Prefetch("roles", queryset=RoleAssignment.objects.select_related("unit")), "credentials"
    )
    if active_only:
        qs = qs.filter(is_active=True)
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(credentials__number__icontains=query)
            | Q(unit__name__icontains=query)
        )
    if unit is not None:
        qs = qs.filter(unit=unit)
    if role:
        qs = qs.filter(roles__role=role)
    return qs.distinct().order_by("unit__sort_order", "name")


def credentials(
    *,
    query: str = "",
    status: str = "",
    expiring_within_days: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Credential]:
    day = today or timezone.localdate()
    qs = Credential.objects.select_related("person", "person__unit")
    if query:
        qs = qs.filter(Q(number__icontains=query) | Q(person__name__icontains=query))
    if status == "expired":
        qs = qs.filter(status=CredentialStatus.VALID, expires_on__lt=day)
    elif status == "valid":
        qs = qs.filter(status=CredentialStatus.VALID, issued_on__lte=day, expires_on__gte=day)
    elif status:
        qs = qs.filter(status=status)
    if expiring_within_days is not None:
        qs = qs.filter(
            status=CredentialStatus.VALID,
            expires_on__gte=day,
            expires_on__lte=day + datetime.timedelta(days=expiring_within_days),
        )
    return qs.order_by("expires_on", "number")


def credential_history(credential: Credential) -> QuerySet[OrgEvent]:
    return credential.events.select_related("actor").order_by("-occurred_at", "-id")


def person_history(person: Person) -> QuerySet[OrgEvent]:
    return person.events.select_related("actor", "credential").order_by("-occurred_at", "-id")


def lookup_credential(number: str) -> Credential | None:
    """A credential by its exact number, for verification (亮证核验)."""
    return (
        Credential.objects.select_related("person", "person__unit", "person__body")
        .filter(number=number.strip())
        .first()
    )
