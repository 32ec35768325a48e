"""Who may generate and read a case's documents (role *and* unit, like ``zhifa.org.permissions``)."""

from __future__ import annotations

from typing import Any

from zhifa.cases.models import Case
from zhifa.org import permissions
from zhifa.org.models import Role


def is_on_case(user: Any, case: Case) -> bool:
    person = permissions.person_of(user)
    return person is not None and case.officers.filter(person=person, recused_at__isnull=True).exists()


def can_generate(user: Any, case: Case) -> bool:
    """An officer of the case's unit who is on the case (not recused), or a unit head or leader
    responsible for the case's unit."""
    if permissions.has_role(user, {Role.UNIT_HEAD, Role.LEADER}, case.unit):
        return True
    return permissions.has_role(user, Role.OFFICER, case.unit) and is_on_case(user, case)


def can_view(user: Any, case: Case) -> bool:
    """Reading a document: any signed-in staff member who holds a role."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.is_staff_member(user)
