"""Every write to a case. Each function locks what it changes, checks the rule, writes, and
appends the record event, in one transaction.

Side effects: none outside the database.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.cases import clocks, engine
from zhifa.cases.definitions import workflow_for
from zhifa.cases.guards import GUARDS, GuardContext
from zhifa.cases.models import (
    CASE_NUMBER_CODES,
    Case,
    CaseCounter,
    CaseOfficer,
    OfficerRole,
    PartyKind,
    Procedure,
)
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.selectors import current_version
from zhifa.core.errors import Conflict, DomainError, InvalidInput, NotPermitted
from zhifa.core.identifiers import validate_resident_id, validate_uscc
from zhifa.org import permissions
from zhifa.org.models import Person, Role
from zhifa.records.models import EventType
from zhifa.records.services import append_event


class TransitionRefused(DomainError):
    """A guard did not hold; ``details`` lists every refusal."""

    code = "transition_refused"
    status = 422


class ReviewRequired(TransitionRefused):
    """A major decision was attempted without the legal review it needs (行政处罚法 Art. 58)."""

    code = "legal_review_required"


def _validate_party(kind: str, id_number: str) -> str:
    try:
        if kind == PartyKind.PERSON:
            return validate_resident_id(id_number)
        if kind == PartyKind.ORGANISATION:
            return validate_uscc(id_number)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages), details={"party_id_number": exc.messages}) from exc
    raise InvalidInput("请选择当事人类型。", details={"party_kind": ["请选择当事人类型。"]})


def _next_number(body: Any, act_type: str, year: int) -> int:
    counter, _ = CaseCounter.objects.get_or_create(body=body, act_type=act_type, year=year)
    counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def case_number(body_short: str, act_type: str, year: int, sequence: int) -> str:
    return f"{body_short}{CASE_NUMBER_CODES[act_type]}案〔{year}〕{sequence}号"


def _can_act_for_unit(actor: Any, unit: Any) -> bool:
    return permissions.has_role(actor, {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER}, unit)


@transaction.atomic
def open_case(
    *,
    actor: Any,
    item: EnforcementItem,
    party_kind: str,
    party_name: str,
    party_id_number: str,
    title: str = "",
    facts: str = "",
    officers: list[Person] | None = None,
    procedure: str = Procedure.GENERAL,
    party_representative: str = "",
    party_address: str = "",
    party_phone: str = "",
    location: str = "",
    amount: Decimal | None = None,
    contract_price: Decimal | None = None,
    today: datetime.date | None = None,
) -> Case:
    """Start an enforcement act from a catalogue item: number it, pin the item version in force
    today, register the party and officers, set the workflow's first state and record it all."""
    day = today or timezone.localdate()
    version = current_version(item, day)
    if version is None:
        raise InvalidInput("该执法事项在今天还没有生效的版本。", code="no_version_in_force")
    unit = version.implementing_unit
    if not _can_act_for_unit(actor, unit):
        raise NotPermitted(f"您不是“{unit.name}”的执法人员或负责人，不能办理该事项。")
    if procedure not in Procedure.values or (procedure == Procedure.SUMMARY and item.act_type != "penalty"):
        raise InvalidInput("只有行政处罚事项可以适用简易程序。", details={"procedure": ["程序不适用。"]})
    if not party_name.strip():
        raise InvalidInput("请填写当事人名称。", details={"party_name": ["请填写当事人。"]})
    party_id = _validate_party(party_kind, party_id_number)
    amount = clean_amount("amount", amount)
    contract_price = clean_amount("contract_price", contract_price)
    if procedure == Procedure.SUMMARY and amount is not None:
        _check_summary_ceiling(party_kind, amount, day)
    workflow = workflow_for(item.act_type, procedure)
    sequence = _next_number(item.body, item.act_type, day.year)
    case = Case(
        body=item.body,
        act_type=item.act_type,
        procedure=procedure,
        year=day.year,
        sequence=sequence,
        number=case_number(item.body.short_name, item.act_type, day.year, sequence),
        item=item,
        item_version=version,
        unit=unit,
        title=title.strip() or version.name,
        party_kind=party_kind,
        party_name=party_name.strip(),
        party_id_number=party_id,
        party_representative=party_representative,
        party_address=party_address,
        party_phone=party_phone,
        facts=facts,
        location=location,
        amount=amount,
        contract_price=contract_price,
        opened_on=day,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    engine.set_initial_state(case, workflow.initial)
    case.save()
    append_event(
        actor=actor,
        event_type=EventType.CASE_OPENED,
        case=case,
        step=workflow.initial,
        after={
            "number": case.number,
            "act_type": case.act_type,
            "procedure": procedure,
            "item": item.code,
            "item_version": version.number,
            "party_kind": party_kind,
            "party_name": case.party_name,
            "state": case.state,
            "title": case.title,
        },
    )
    me = permissions.person_of(actor)
    team = list(officers or ([] if me is None else [me]))
    for i, person in enumerate(dict.fromkeys(team)):
        _add_officer(
            actor=actor, case=case, person=person, role=OfficerRole.LEAD if i == 0 else OfficerRole.ASSISTING
        )
    return case


def _check_summary_ceiling(party_kind: str, amount: Decimal, day: datetime.date) -> None:
    from zhifa.catalog.selectors import rule_in_force

    variant = "individual" if party_kind == PartyKind.PERSON else "organisation"
    rule = rule_in_force("T15", variant, day)
    if rule is not None and amount > rule.quantity:
        raise InvalidInput(
            f"简易程序的罚款不得超过{rule.quantity.normalize():f}元（{rule.basis}），本案拟罚{amount:f}元，请适用普通程序。",
            details={"amount": ["超过简易程序限额。"]},
        )


def _add_officer(*, actor: Any, case: Case, person: Person, role: str) -> CaseOfficer:
    if person.body_id != case.body_id:
        raise InvalidInput(f"{person.name}不属于本执法主体。")
    if not person.roles.filter(role=Role.OFFICER).exists():
        raise InvalidInput(
            f"{person.name}不是执法人员，不能承办案件。",
            details={"officers": [f"{person.name}不是执法人员。"]},
        )
    officer, created = CaseOfficer.objects.get_or_create(case=case, person=person, defaults={"role": role})
    if not created:
        raise Conflict(f"{person.name}已在本案承办人员中。")
    credential = person.valid_credential(case.opened_on)
    append_event(
        actor=actor,
        event_type=EventType.OFFICER_ASSIGNED,
        case=case,
        step=case.state,
        after={
            "person": person.pk,
            "name": person.name,
            "role": role,
            "credential": credential.number if credential else None,
        },
    )
    return officer


@transaction.atomic
def assign_officer(
    *, actor: Any, case: Case, person: Person, role: str = OfficerRole.ASSISTING
) -> CaseOfficer:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.has_role(actor, {Role.UNIT_HEAD, Role.LEADER}, case.unit) and not _on_case(
        actor, case
    ):
        raise NotPermitted("只有承办人员或科室负责人可以指派执法人员。")
    return _add_officer(actor=actor, case=case, person=person, role=role)


@transaction.atomic
def recuse_officer(*, actor: Any, case: Case, person: Person, reason: str) -> CaseOfficer:
    """回避 (行政处罚法 Art. 43): the officer leaves the case; the case still needs two (T13b)."""
    if not reason.strip():
        raise InvalidInput("回避须说明理由。", details={"reason": ["请填写回避理由。"]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.has_role(actor, {Role.UNIT_HEAD, Role.LEADER}, case.unit):
        raise NotPermitted("回避由科室负责人或局领导决定。")
    officer = CaseOfficer.objects.filter(case=case, person=person, recused_at__isnull=True).first()
    if officer is None:
        raise InvalidInput(f"{person.name}不是本案在办人员。")
    officer.recused_at = timezone.now()
    officer.recusal_reason = reason
    officer.save(update_fields=["recused_at", "recusal_reason"])
    append_event(
        actor=actor,
        event_type=EventType.OFFICER_RECUSED,
        case=case,
        step=case.state,
        after={"person": person.pk, "name": person.name},
        reason=reason,
    )
    return officer


def _on_case(actor: Any, case: Case) -> bool:
    me = permissions.person_of(actor)
    return me is not None and case.officers.filter(person=me, recused_at__isnull=True).exists()


# The amount columns hold 14 digits (16 for contract prices), two of them after the point.
_AMOUNT_LIMITS = {"amount": Decimal(10) ** 12, "contract_price": Decimal(10) ** 14}


def clean_amount(name: str, raw: Any) -> Decimal | None:
    """A money amount as entered: a finite, non-negative number with at most two decimals that
    fits its column; anything else is refused with a message (never stored, never a 500)."""
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise InvalidInput("金额格式不正确，请填写数字。", details={name: ["请填写数字。"]}) from exc
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        raise InvalidInput("金额格式不正确，请填写数字。", details={name: ["请填写数字。"]})
    if value < 0:
        raise InvalidInput("金额不能为负数。", details={name: ["金额不能为负数。"]})
    if exponent < -2:
        raise InvalidInput("金额最多保留两位小数。", details={name: ["最多两位小数。"]})
    limit = _AMOUNT_LIMITS.get(name, _AMOUNT_LIMITS["amount"])
    if value >= limit:
        raise InvalidInput(f"金额过大：须小于{limit:,.0f}元。", details={name: ["金额过大。"]})
    return value


def _clean_fields(names: tuple[str, ...], data: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in names:
        value = clean_amount(name, data.get(name))
        if value is not None:
            changes[name] = value
    return changes


def perform_transition(
    *,
    actor: Any,
    case: Case,
    transition: str,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> Case:
    """Move ``case`` along its workflow. Refused (nothing written) when the case changed since the
    caller read it, when the step is not open from the current state, when the actor lacks the
    role (and, for officer steps, is not on the case), or when any guard fails.

    An attempt to issue a major decision without legal review is refused like any other, and
    then — in its own transaction, since the attempt's was rolled back — kept as an
    accountability record (责任追究) for the supervisors."""
    try:
        return _perform_transition(
            actor=actor,
            case=case,
            transition=transition,
            expected_version=expected_version,
            data=data,
            reason=reason,
            today=today,
        )
    except ReviewRequired as refused:
        from zhifa.review.models import AccountabilityKind
        from zhifa.review.services import record_accountability

        label = workflow_for(case.act_type, case.procedure).transition(transition).label
        record_accountability(
            kind=AccountabilityKind.DECIDE_WITHOUT_REVIEW,
            case=case,
            actor=actor,
            details=f"试图办理“{label}”：{refused.message}",
        )
        raise


@transaction.atomic
def _perform_transition(
    *,
    actor: Any,
    case: Case,
    transition: str,
    expected_version: int | None,
    data: dict[str, Any] | None,
    reason: str,
    today: datetime.date | None,
) -> Case:
    day = today or timezone.localdate()
    # Lock only the case row (PostgreSQL: FOR UPDATE OF); the unit comes along for the permission check.
    case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if expected_version is not None and case.version != expected_version:
        raise Conflict("案件已被他人更新，请刷新页面后再操作。", code="stale_case")
    workflow = workflow_for(case.act_type, case.procedure)
    try:
        step = workflow.transition(transition)
    except KeyError as exc:
        raise InvalidInput(f"未知的办理环节：{transition}", code="unknown_transition") from exc
    if case.state not in step.source:
        raise Conflict(
            f"案件当前处于“{workflow.state(case.state).label}”，不能办理“{step.label}”。", code="wrong_state"
        )
    if not permissions.has_role(actor, step.roles, case.unit):
        raise NotPermitted(f"“{step.label}”须由{'、'.join(Role(r).label for r in sorted(step.roles))}办理。")
    if step.on_case_only and not _on_case(actor, case):
        raise NotPermitted(f"您不是本案承办人员，不能办理“{step.label}”。")
    if step.needs_reason and not reason.strip():
        raise InvalidInput(f"“{step.label}”须说明理由。", details={"reason": ["请填写理由。"]})
    changes = _clean_fields(step.fields, data or {})
    context = GuardContext(actor=actor, today=day, workflow=workflow, transition=step, data=changes)
    review_refusals: list[str] = []
    refusals: list[str] = []
    for name in step.guards:
        found = GUARDS[name](case, context)
        refusals.extend(found)
        if name == "legal_review":
            review_refusals.extend(found)
    if refusals:
        refused = ReviewRequired if review_refusals else TransitionRefused
        raise refused("；".join(r.rstrip("。") for r in refusals) + "。", details=refusals)
    before = {"state": case.state, **{k: _plain(getattr(case, k)) for k in changes}}
    engine.move(case, step, changes)
    if step.target in {s.code for s in workflow.states if s.terminal} or step.code == "close_case":
        case.closed_on = case.closed_on or day
    case.save(update_fields=["state", "version", "closed_on", *changes])
    clock_changes = clocks.apply(case=case, rules=step.clocks, today=day)
    after: dict[str, Any] = {"state": case.state, **{k: _plain(v) for k, v in changes.items()}}
    if clock_changes:
        after["clocks"] = clock_changes
    append_event(
        actor=actor,
        event_type=EventType.TRANSITION,
        case=case,
        step=step.code,
        before=before,
        after=after,
        reason=reason,
    )
    if apps.is_installed("zhifa.disclosure"):  # 事后公开: in the decision's own transaction
        from zhifa.disclosure.services import record_decision_for_publication

        record_decision_for_publication(case=case, step=step.code, actor=actor, today=day)
    return case


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# Which rule row gives a clock's approved extension: T8's comes from T8b; the others carry it.
EXTENSION_RULES = {"T8": ("T8b", "")}


@transaction.atomic
def extend_clock(
    *, actor: Any, case: Case, code: str, variant: str = "", reason: str, today: datetime.date | None = None
) -> Any:
    """Extend a running statutory time limit with the approval of a unit head or leader
    (e.g. T8 +30 days under T8b, T18 +10 working days, T23 +30 days). Each clock is extended once;
    a further extension needs 集体讨论 and is not done here."""
    from zhifa.cases.models import Clock
    from zhifa.workdays import calendar

    day = today or timezone.localdate()
    if not reason.strip():
        raise InvalidInput("延长期限须说明理由。", details={"reason": ["请填写理由。"]})
    case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not permissions.has_role(actor, {Role.UNIT_HEAD, Role.LEADER}, case.unit):
        raise NotPermitted("延长法定期限须经科室负责人或局领导批准。")
    clock = Clock.objects.filter(case=case, code=code, variant=variant, stopped_on__isnull=True).first()
    if clock is None:
        raise Conflict(f"本案没有正在计算的{code}期限。", code="no_running_clock")
    if clock.extended_by:
        raise Conflict("该期限已经延长过一次；再次延长须经集体讨论决定。", code="already_extended")
    from zhifa.catalog.selectors import rule_in_force

    rule_code, rule_variant = EXTENSION_RULES.get(code, (code, variant))
    rule = rule_in_force(rule_code, rule_variant, clock.started_on)
    extension = (
        rule.quantity if rule is not None and rule_code != code else (rule.extension if rule else None)
    )
    if not extension:
        raise Conflict(f"{clock.label}没有可延长的法定期限。", code="no_extension")
    days = int(extension)
    before = clock.due_on
    clock.due_on = (
        calendar.add_working_days(clock.due_on, days)
        if clock.kind == "working_days"
        else calendar.add_calendar_days(clock.due_on, days)
    )
    clock.extended_by = days
    clock.save(update_fields=["due_on", "extended_by"])
    append_event(
        actor=actor,
        event_type=EventType.CLOCK_EXTENDED,
        case=case,
        step=code,
        reason=reason,
        before={"due_on": before.isoformat()},
        after={
            "code": code,
            "variant": variant,
            "due_on": clock.due_on.isoformat(),
            "days": days,
            "basis": rule.basis if rule else "",
            "approved_on": day.isoformat(),
        },
    )
    return clock
