"""Deadlines (期限): the running statutory clocks of cases, per case, per officer and per unit.

Reads only; clocks are written by ``zhifa.cases.clocks`` as the workflow moves. Status:

* ``paused`` (中止) — time is not counted (hearing, appraisal, service), so never overdue;
* ``overdue`` (超期) — today is after the due date;
* ``due_soon`` (即将到期) — at most ``due_soon_working_days()`` working days left, counted on the
  working-day calendar so a holiday week does not hide a limit that falls right after it;
* ``ok`` (正常).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from zhifa.cases.definitions import WORKFLOWS
from zhifa.cases.models import Case, CaseOfficer, Clock, ClockKind
from zhifa.org.models import EnforcementBody, Person, Unit
from zhifa.workdays.calendar import CalendarYearMissing, working_days_between

OVERDUE, DUE_SOON, OK, PAUSED = "overdue", "due_soon", "ok", "paused"
STATUS_LABELS = {OVERDUE: "超期", DUE_SOON: "即将到期", PAUSED: "中止", OK: "正常"}
STATUS_ORDER = {OVERDUE: 0, DUE_SOON: 1, OK: 2, PAUSED: 3}

# Default of the ``ZHIFA_DUE_SOON_WORKING_DAYS`` setting: the warning period, in working days, in
# which a limit counts as 即将到期. A deployment may lengthen it; it is not a legal rule.
DEFAULT_DUE_SOON_WORKING_DAYS = 3
# When a due date lies in a year whose holiday schedule is not loaded yet (it is published each
# November), working days cannot be counted and are never guessed: such a clock is flagged as due
# soon this many calendar days ahead instead — earlier rather than too late.
UNKNOWN_CALENDAR_WARNING_DAYS = 14


def due_soon_working_days() -> int:
    return int(getattr(settings, "ZHIFA_DUE_SOON_WORKING_DAYS", DEFAULT_DUE_SOON_WORKING_DAYS))


def _closed_cases() -> Q:
    """Cases in a terminal state of their workflow (已归档, 不予立案): their clocks are history."""
    q = Q(pk__in=[])
    for workflow in WORKFLOWS.values():
        terminal = [s.code for s in workflow.states if s.terminal]
        q |= Q(act_type=workflow.act_type, procedure=workflow.procedure, state__in=terminal)
    return q


def unit_scope(unit: Unit) -> set[int]:
    """The unit, the units below it in the tree, and the subordinate units (局属单位) it manages
    as counterpart section (对口管理科室) — and theirs in turn."""
    scope: set[int] = set()
    frontier = {unit.pk}
    while frontier:
        scope |= frontier
        below = Unit.objects.filter(Q(parent_id__in=frontier) | Q(counterpart_id__in=frontier))
        frontier = set(below.values_list("pk", flat=True)) - scope
    return scope


def running_clocks(
    *,
    today: datetime.date,
    unit: Unit | None = None,
    person: Person | None = None,
    body: EnforcementBody | None = None,
) -> QuerySet[Clock]:
    """Clocks not stopped (running or paused) that had started by ``today``, on cases not closed
    for good; for ``person`` only the cases they are on (not recused), for ``unit`` only the cases
    of its ``unit_scope``, for ``body`` only that body's cases. Ordered by due date; each clock's
    case carries ``active_officers``."""
    open_cases = Case.objects.exclude(_closed_cases())
    if body is not None:
        open_cases = open_cases.filter(body=body)
    if unit is not None:
        open_cases = open_cases.filter(unit_id__in=unit_scope(unit))
    if person is not None:
        open_cases = open_cases.filter(officers__person=person, officers__recused_at__isnull=True)
    return (
        Clock.objects.filter(stopped_on__isnull=True, started_on__lte=today, case__in=open_cases)
        .select_related("case", "case__unit")
        .prefetch_related(
            Prefetch(
                "case__officers",
                queryset=CaseOfficer.objects.filter(recused_at__isnull=True).select_related("person"),
                to_attr="active_officers",
            )
        )
        .order_by("due_on", "case_id", "code")
    )


def working_days_left(clock: Clock, today: datetime.date) -> int | None:
    """Working days in (today, due]; None when the calendar for a year in between is missing."""
    start = clock.paused_on or today
    try:
        return working_days_between(start, clock.due_on)
    except CalendarYearMissing:
        return None


def classify(clock: Clock, today: datetime.date) -> str:
    """``overdue``, ``due_soon``, ``ok`` or ``paused`` (a paused clock is never overdue)."""
    if clock.paused_on is not None:
        return PAUSED
    if today > clock.due_on:
        return OVERDUE
    threshold = due_soon_working_days()
    days = (clock.due_on - today).days
    if days <= threshold:  # never more working days than calendar days: no calendar needed
        return DUE_SOON
    left = working_days_left(clock, today)
    if left is None:
        return DUE_SOON if days <= UNKNOWN_CALENDAR_WARNING_DAYS else OK
    return DUE_SOON if left <= threshold else OK


PERIOD_FORMATS: dict[str, str] = {
    ClockKind.WORKING_DAYS: "{n}个工作日",
    ClockKind.CALENDAR_DAYS: "{n}日",
    ClockKind.MONTHS: "{n}个月",
}


@dataclass(frozen=True)
class ClockRow:
    """One clock as the pages show it. ``days_left`` counts calendar days (frozen while paused);
    ``working_days_left`` is given for working-day clocks when the calendar allows."""

    clock: Clock
    case: Case
    code: str
    label: str
    basis: str
    kind_label: str
    started_on: datetime.date
    due_on: datetime.date
    paused_on: datetime.date | None
    days_left: int
    working_days_left: int | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)

    @property
    def extension_text(self) -> str:
        """ "已延长30日" when the limit was extended with approval."""
        if not self.clock.extended_by:
            return ""
        return "已延长" + PERIOD_FORMATS.get(self.clock.kind, "{n}").format(n=self.clock.extended_by)

    @property
    def remaining_text(self) -> str:
        """剩余: "超期3日", "今日届满", "8日（3个工作日）", "中止中，剩余40日"."""
        if self.status == OVERDUE:
            return f"超期{self.days_overdue}日"
        if self.status == PAUSED:
            text = f"中止中，剩余{self.days_left}日"
        else:
            text = "今日届满" if self.days_left == 0 else f"{self.days_left}日"
        if self.working_days_left is not None and self.days_left:
            text += f"（{self.working_days_left}个工作日）"
        return text


def clock_row(clock: Clock, today: datetime.date) -> ClockRow:
    reference = clock.paused_on or today
    working = clock.kind == ClockKind.WORKING_DAYS
    return ClockRow(
        clock=clock,
        case=clock.case,
        code=clock.code,
        label=clock.label,
        basis=clock.basis,
        kind_label=PERIOD_FORMATS.get(clock.kind, "{n}").format(n=clock.quantity),
        started_on=clock.started_on,
        due_on=clock.due_on,
        paused_on=clock.paused_on,
        days_left=(clock.due_on - reference).days,
        working_days_left=working_days_left(clock, today) if working else None,
        status=classify(clock, today),
    )


def sorted_rows(clocks: QuerySet[Clock] | list[Clock], today: datetime.date) -> list[ClockRow]:
    """Overdue first, then due soon, then running, then paused; each by due date."""
    rows = [clock_row(c, today) for c in clocks]
    return sorted(rows, key=lambda r: (STATUS_ORDER[r.status], r.due_on, r.case.pk, r.code))


def case_clocks(case: Case, today: datetime.date) -> list[ClockRow]:
    """The case's clocks that have not stopped, for the case page."""
    return sorted_rows(list(case.clocks.filter(stopped_on__isnull=True).select_related("case")), today)


def count_by_status(rows: list[ClockRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        counts[row.status] += 1
    return counts
