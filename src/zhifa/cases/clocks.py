"""Statutory clocks on a case: started, paused, resumed and stopped by workflow transitions.

The limit comes from the rule row in force on the day the clock starts (code + variant, e.g. T8);
working-day arithmetic comes from the calendar table, which fails loudly for a missing year.
What a step does to the clocks is written into that step's own record event (``after["clocks"]``),
so the record says in one entry what was decided and which time limits it started or stopped.
"""

from __future__ import annotations

import datetime
from typing import Any

from zhifa.cases.models import Case, Clock, ClockKind
from zhifa.cases.workflow import ClockRule
from zhifa.catalog.models import RuleUnit
from zhifa.catalog.selectors import rule_in_force
from zhifa.core.errors import DomainError
from zhifa.workdays import calendar

_KIND: dict[str, str] = {
    RuleUnit.WORKING_DAYS: ClockKind.WORKING_DAYS,
    RuleUnit.CALENDAR_DAYS: ClockKind.CALENDAR_DAYS,
    RuleUnit.MONTHS: ClockKind.MONTHS,
}

Running = dict[tuple[str, str], Clock]
Change = dict[str, Any]


def _start(case: Case, rule: ClockRule, today: datetime.date, running: Running) -> Change | None:
    if (rule.code, rule.variant) in running:
        return None  # already running: a repeated step does not restart the law's clock
    row = rule_in_force(rule.code, rule.variant, today)
    if row is None:
        raise DomainError(f"法定期限规则 {rule.code} 未配置，无法起算期限。", code="rule_missing")
    kind = _KIND.get(row.unit)
    if kind is None:
        raise DomainError(
            f"规则 {rule.code} 的单位（{row.get_unit_display()}）不是期限。", code="rule_not_a_period"
        )
    quantity = int(row.quantity)
    due = calendar.due_date(today, quantity=quantity, unit=kind)
    running[(rule.code, rule.variant)] = Clock.objects.create(
        case=case,
        code=rule.code,
        variant=rule.variant,
        label=row.name,
        basis=row.basis,
        kind=kind,
        quantity=quantity,
        started_on=today,
        due_on=due,
    )
    return {
        "action": "start",
        "code": rule.code,
        "variant": rule.variant,
        "due_on": due.isoformat(),
        "quantity": quantity,
        "kind": kind,
        "basis": row.basis,
    }


def _pause(case: Case, rule: ClockRule, today: datetime.date, running: Running) -> Change | None:
    clock = running.get((rule.code, rule.variant))
    if clock is None or clock.paused_on is not None:
        return None
    clock.paused_on = today
    clock.save(update_fields=["paused_on"])
    return {"action": "pause", "code": rule.code, "variant": rule.variant, "paused_on": today.isoformat()}


def _resume(case: Case, rule: ClockRule, today: datetime.date, running: Running) -> Change | None:
    """Time while paused (hearing, appraisal, service) is not counted: the due date moves on."""
    clock = running.get((rule.code, rule.variant))
    if clock is None or clock.paused_on is None:
        return None
    before = clock.due_on
    if clock.kind == ClockKind.WORKING_DAYS:
        clock.due_on = calendar.add_working_days(
            clock.due_on, calendar.working_days_between(clock.paused_on, today)
        )
    else:
        clock.due_on = clock.due_on + (today - clock.paused_on)
    clock.paused_on = None
    clock.save(update_fields=["due_on", "paused_on"])
    return {
        "action": "resume",
        "code": rule.code,
        "variant": rule.variant,
        "due_before": before.isoformat(),
        "due_on": clock.due_on.isoformat(),
    }


def _stop(case: Case, rule: ClockRule, today: datetime.date, running: Running) -> Change | None:
    clock = running.pop((rule.code, rule.variant), None)
    if clock is None:
        return None
    clock.stopped_on = today
    clock.save(update_fields=["stopped_on"])
    return {
        "action": "stop",
        "code": rule.code,
        "variant": rule.variant,
        "stopped_on": today.isoformat(),
        "overdue": today > clock.due_on,
    }


_ACTIONS = {"start": _start, "pause": _pause, "resume": _resume, "stop": _stop}


def apply(*, case: Case, rules: tuple[ClockRule, ...], today: datetime.date) -> list[Change]:
    """Apply a step's clock rules in order, reading the case's running clocks once; return what changed."""
    if not rules:
        return []
    running = {(c.code, c.variant): c for c in Clock.objects.filter(case=case, stopped_on__isnull=True)}
    changes = [_ACTIONS[rule.action](case, rule, today, running) for rule in rules]
    return [c for c in changes if c is not None]
