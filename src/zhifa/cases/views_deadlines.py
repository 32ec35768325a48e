"""Deadline pages: 我的期限 (the signed-in officer's running clocks) and 本单位期限 (a unit's, for
unit heads, leaders, supervisors and the programme office). Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhifa.cases import deadlines
from zhifa.cases.deadlines import DUE_SOON, OVERDUE, STATUS_LABELS, ClockRow
from zhifa.org import permissions
from zhifa.org.models import Person, Role, Unit

ACTIVE_NAV = "deadlines"
# These roles oversee every unit of the body; a unit head oversees the units of their grant.
ALL_UNIT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.PILOT_OFFICE, Role.ADMIN})
NOT_ALLOWED = "本单位期限仅向科室负责人、局领导、监督员和试点办开放。"
STATUS_FILTERS = [("", "全部"), (OVERDUE, STATUS_LABELS[OVERDUE]), (DUE_SOON, STATUS_LABELS[DUE_SOON])]


@dataclass
class OfficerLoad:
    """Per-officer tally on the unit page."""

    person: Person
    overdue: int = 0
    due_soon: int = 0
    total: int = 0
    cases: set[int] = field(default_factory=set)


def _officer_loads(rows: list[ClockRow]) -> list[OfficerLoad]:
    loads: dict[int, OfficerLoad] = {}
    for row in rows:
        for officer in getattr(row.case, "active_officers", []):
            load = loads.setdefault(officer.person_id, OfficerLoad(officer.person))
            load.total += 1
            load.cases.add(row.case.pk)
            load.overdue += row.status == OVERDUE
            load.due_soon += row.status == DUE_SOON
    return sorted(loads.values(), key=lambda x: (-x.overdue, -x.due_soon, -x.total, x.person.name))


@require_GET
def deadlines_mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    me = permissions.person_of(request.user)
    rows = deadlines.sorted_rows(deadlines.running_clocks(today=today, person=me), today) if me else []
    return render(
        request,
        "cases/deadlines/mine.html",
        {
            "rows": rows,
            "counts": deadlines.count_by_status(rows),
            "today": today,
            "person": me,
            "threshold": deadlines.due_soon_working_days(),
            "active_nav": ACTIVE_NAV,
        },
    )


def _unit_options(user: Any, me: Person | None) -> tuple[list[Unit], bool]:
    """The units the user may choose, and whether they may see all units at once."""
    units = Unit.objects.filter(is_active=True).select_related("counterpart")
    if me is not None:
        units = units.filter(body=me.body)
    if permissions.has_role(user, ALL_UNIT_ROLES):
        return list(units), True
    if permissions.has_role(user, Role.UNIT_HEAD):
        return [u for u in units if permissions.has_role(user, Role.UNIT_HEAD, u)], False
    raise PermissionDenied(NOT_ALLOWED)


def _own_unit(user: Any, options: list[Unit]) -> Unit | None:
    headed = sorted(g.unit_id for g in permissions.grants_of(user) if g.role == Role.UNIT_HEAD and g.unit_id)
    return next((u for uid in headed for u in options if u.pk == uid), options[0] if options else None)


@require_GET
def deadlines_unit(request: HttpRequest) -> HttpResponse:
    me = permissions.person_of(request.user)
    options, sees_all = _unit_options(request.user, me)
    wanted = request.GET.get("unit", "")
    if wanted:
        unit = next((u for u in options if str(u.pk) == wanted), None)
        if unit is None:
            raise PermissionDenied("您不能查看该单位的期限。")
    else:
        unit = None if sees_all else _own_unit(request.user, options)
    status = request.GET.get("status", "")
    today = timezone.localdate()
    if unit is None and not sees_all:
        all_rows: list[ClockRow] = []  # a head whose units are all inactive
    else:
        clocks = deadlines.running_clocks(today=today, unit=unit, body=me.body if me else None)
        all_rows = deadlines.sorted_rows(clocks, today)
    rows = [r for r in all_rows if not status or r.status == status]
    return render(
        request,
        "cases/deadlines/unit.html",
        {
            "rows": rows,
            "counts": deadlines.count_by_status(all_rows),
            "loads": _officer_loads(all_rows),
            "units": options,
            "unit": unit,
            "sees_all": sees_all,
            "status": status,
            "status_filters": STATUS_FILTERS,
            "today": today,
            "threshold": deadlines.due_soon_working_days(),
            "active_nav": ACTIVE_NAV,
        },
    )
