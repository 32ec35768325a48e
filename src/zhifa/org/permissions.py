"""Who may do what: by role *and* unit.

One place answers every permission question so that the pages, the API and the services agree.
A superuser counts as an administrator (repair access).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from zhifa.org.models import BODY_WIDE_ROLES, REVIEW_ROLES, Person, Role, Unit


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int | None  # None: the whole body


def person_of(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        person: Person = user.person
    except Person.DoesNotExist:
        return None
    return person


def grants_of(user: Any) -> frozenset[Grant]:
    """The user's roles, cached on the user object for the request."""
    cached = getattr(user, "_zhifa_grants", None)
    if cached is not None:
        return frozenset(cached)
    person = person_of(user)
    grants: set[Grant] = set()
    if person is not None and person.is_active:
        grants = {Grant(a.role, a.unit_id) for a in person.roles.all()}
    if getattr(user, "is_superuser", False):
        grants.add(Grant(Role.ADMIN, None))
    frozen = frozenset(grants)
    if getattr(user, "is_authenticated", False):
        user._zhifa_grants = frozen
    return frozen


def role_codes(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def has_role(user: Any, role: str | Iterable[str], unit: Unit | None = None) -> bool:
    """Does the user hold ``role`` — for ``unit`` when given (a body-wide grant covers every unit)?

    A grant on a section also covers the subordinate units it manages as counterpart and the
    units below it in the tree.
    """
    wanted = {role} if isinstance(role, str) else set(role)
    for grant in grants_of(user):
        if grant.role not in wanted:
            continue
        if unit is None or grant.unit_id is None or grant.role in BODY_WIDE_ROLES:
            return True
        if grant.unit_id in _unit_scope_ids(unit):
            return True
    return False


def _unit_scope_ids(unit: Unit) -> set[int]:
    ids = {unit.pk}
    ids.update(a.pk for a in unit.ancestors())
    if unit.counterpart_id:
        ids.add(unit.counterpart_id)
    return ids


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def can_manage_org(user: Any) -> bool:
    """Bodies, units, people and roles: the administrator."""
    return is_admin(user)


def can_manage_credentials(user: Any) -> bool:
    """Credentials are registered by the programme office (试点办) or the administrator."""
    return has_role(user, {Role.ADMIN, Role.PILOT_OFFICE})


def can_view_personal_data(user: Any, person: Person) -> bool:
    """身份证号 and 手机号: the person, administrators, the programme office, the unit's head."""
    me = person_of(user)
    if me is not None and me.pk == person.pk:
        return True
    return has_role(user, {Role.ADMIN, Role.PILOT_OFFICE}) or has_role(user, Role.UNIT_HEAD, person.unit)


def can_edit_catalog(user: Any, unit: Unit | None = None) -> bool:
    """An item is adjusted by the programme office, the administrator, or the head of the unit
    that implements it (or of its counterpart section)."""
    if has_role(user, {Role.ADMIN, Role.PILOT_OFFICE}):
        return True
    if unit is None:
        return has_role(user, Role.UNIT_HEAD)
    return has_role(user, Role.UNIT_HEAD, unit)


def can_edit_rules(user: Any) -> bool:
    """Statutory time limits and thresholds: the programme office (hosted by 政策法规科) or admin."""
    return has_role(user, {Role.ADMIN, Role.PILOT_OFFICE})


def can_edit_calendar(user: Any) -> bool:
    return is_admin(user)


NO_ROLE_MESSAGE = "您的账号尚未分配角色，不能使用本系统。请联系系统管理员。"


def is_staff_member(user: Any) -> bool:
    """Staff pages and the API are for people who hold at least one role (or a superuser)."""
    return bool(grants_of(user))


def can_review(person: Person) -> bool:
    """May perform legal review: a review role plus a recorded legal professional qualification."""
    has_review_role = person.roles.filter(role__in=list(REVIEW_ROLES)).exists()
    return has_review_role and person.has_legal_qualification


def require(allowed: bool, message: str = "您没有执行此操作的权限。") -> None:
    if not allowed:
        raise PermissionDenied(message)
