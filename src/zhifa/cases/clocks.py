"""Statutory clocks on a case: started, paused, resumed and stopped by workflow transitions.

The limit comes from the rule row in force on the day the clock starts (code + variant, e.g. T8);
working-day arithmetic comes from the calendar table, which fails loudly for a missing year.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from zhifa.cases.models import Case, Clock, ClockKind
from zhifa.cases.workflow import ClockRule
from zhifa.catalog.models import RuleUnit
from zhifa.catalog.selectors import rule_in_force
from zhifa.core.errors import DomainError
from zhifa.records.models import EventType
from zhifa.records.services import append_event
from zhifa.workdays import calendar

_KIND: dict[str, str] = {
    RuleUnit.WORKING_DAYS: ClockKind.WORKING_DAYS,
    RuleUnit.CALENDAR_DAYS: ClockKind.CALENDAR_DAYS,
    RuleUnit.MONTHS: ClockKind.MONTHS,
}


def _running(case: Case, rule: ClockRule) -> Clock | None:
    return Clock.objects.filter(
        case=case, code=rule.code, variant=rule.variant, stopped_on__isnull=True
    ).first()


def start(*, actor: Any, case: Case, rule: ClockRule, today: datetime.date) -> Clock | None:
    row = rule_in_force(rule.code, rule.variant, today)
    if row is None:
        raise DomainError(f"法定期限规则 {rule.code} 未配置，无法起算期限。", code="rule_missing")
    kind = _KIND.get(row.unit)
    if kind is None:
        raise DomainError(
            f"规则 {rule.code} 的单位（{row.get_unit_display()}）不是期限。", code="rule_not_a_period"
        )
    if _running(case, rule) is not None:
        return None  # already running: a repeated step does not restart the law's clock
    quantity = int(row.quantity)
    due = calendar.due_date(today, quantity=quantity, unit=kind)
    clock = Clock.objects.create(
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
    append_event(
        actor=actor,
        event_type=EventType.CLOCK_STARTED,
        case=case,
        step=rule.code,
        after={
            "code": rule.code,
            "variant": rule.variant,
            "due_on": due.isoformat(),
            "quantity": quantity,
            "kind": kind,
            "basis": row.basis,
        },
    )
    return clock


def pause(*, actor: Any, case: Case, rule: ClockRule, today: datetime.date) -> None:
    clock = _running(case, rule)
    if clock is None or clock.paused_on is not None:
        return
    clock.paused_on = today
    clock.save(update_fields=["paused_on"])
    append_event(
        actor=actor,
        event_type=EventType.CLOCK_PAUSED,
        case=case,
        step=rule.code,
        after={"code": rule.code, "paused_on": today.isoformat()},
    )


def resume(*, actor: Any, case: Case, rule: ClockRule, today: datetime.date) -> None:
    """Time while paused (hearing, appraisal, service) is not counted: the due date moves on."""
    clock = _running(case, rule)
    if clock is None or clock.paused_on is None:
        return
    before = clock.due_on
    if clock.kind == ClockKind.WORKING_DAYS:
        clock.due_on = calendar.add_working_days(
            clock.due_on, calendar.working_days_between(clock.paused_on, today)
        )
    else:
        clock.due_on = clock.due_on + (today - clock.paused_on)
    clock.paused_on = None
    clock.save(update_fields=["due_on", "paused_on"])
    append_event(
        actor=actor,
        event_type=EventType.CLOCK_RESUMED,
        case=case,
        step=rule.code,
        before={"due_on": before.isoformat()},
        after={"due_on": clock.due_on.isoformat()},
    )


def stop(*, actor: Any, case: Case, rule: ClockRule, today: datetime.date, reason: str = "") -> None:
    clock = _running(case, rule)
    if clock is None:
        return
    clock.stopped_on = today
    clock.stop_reason = reason
    clock.save(update_fields=["stopped_on", "stop_reason"])
    append_event(
        actor=actor,
        event_type=EventType.CLOCK_STOPPED,
        case=case,
        step=rule.code,
        after={"code": rule.code, "stopped_on": today.isoformat(), "overdue": today > clock.due_on},
    )


ACTIONS: dict[str, Callable[..., object]] = {"start": start, "pause": pause, "resume": resume, "stop": stop}


def apply(*, actor: Any, case: Case, rules: tuple[ClockRule, ...], today: datetime.date) -> None:
    for rule in rules:
        ACTIONS[rule.action](actor=actor, case=case, rule=rule, today=today)
