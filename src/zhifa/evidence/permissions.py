"""Who may add, see and play evidence, and who keeps the device register.

Built on ``zhifa.org.permissions`` (role *and* unit), so the pages, the API and the services agree.
"""

from __future__ import annotations

from typing import Any

from zhifa.cases.models import Case
from zhifa.org import permissions
from zhifa.org.models import Role, Unit


def is_on_case(user: Any, case: Case) -> bool:
    """An officer assigned to the case and not recused."""
    me = permissions.person_of(user)
    return me is not None and case.officers.filter(person=me, recused_at__isnull=True).exists()


def can_upload(user: Any, case: Case) -> bool:
    """The case's officers (not recused), and the heads and leaders of its unit."""
    if not permissions.is_staff_member(user):
        return False
    return is_on_case(user, case) or permissions.has_role(user, {Role.UNIT_HEAD, Role.LEADER}, case.unit)


def can_view(user: Any, case: Case) -> bool:
    """Staff who may see the case (``zhifa.cases.selectors.visible_cases``: its officers, roles
    for its unit or body-wide, legal reviewers) may see and play its evidence."""
    from zhifa.cases.selectors import visible_cases

    if not permissions.is_staff_member(user):
        return False
    return visible_cases(user).filter(pk=case.pk).exists()


def can_manage_devices(user: Any, unit: Unit | None = None) -> bool:
    """The device register is kept by the programme office, the administrator, and the head of
    the unit the device is issued to."""
    if permissions.has_role(user, {Role.ADMIN, Role.PILOT_OFFICE}):
        return True
    return (
        permissions.has_role(user, Role.UNIT_HEAD, unit)
        if unit
        else permissions.has_role(user, Role.UNIT_HEAD)
    )
