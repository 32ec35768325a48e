"""Test helpers for driving cases: what the documents and evidence apps record, done directly."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from zhifa.cases import services
from zhifa.cases.definitions import workflow_for
from zhifa.cases.models import Case
from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.records.models import EventType
from zhifa.records.services import append_event


def org_code() -> str:
    first = "91430400MA4L00000"
    return first + uscc_check_character(first)


def person_id() -> str:
    first = "43040019900101001"
    return first + resident_id_check_digit(first)


def record_documents(case: Case, codes: tuple[str, ...]) -> None:
    with transaction.atomic():
        for code in codes:
            append_event(
                actor=None,
                event_type=EventType.DOCUMENT_GENERATED,
                case=case,
                step=code,
                after={"template": code},
            )


def record_av(case: Case, step: str) -> None:
    with transaction.atomic():
        append_event(
            actor=None,
            event_type=EventType.EVIDENCE_ADDED,
            case=case,
            step=step,
            after={"is_av": True, "kind": "video"},
        )


def walk(case: Case, path: list[tuple[str, Any, dict[str, Any]]], *, day: datetime.date) -> Case:
    """Take each (step, actor, data) in turn, producing the step's documents and AV first."""
    workflow = workflow_for(case.act_type, case.procedure)
    for code, actor, data in path:
        step = workflow.transition(code)
        if step.av_step:
            record_av(case, step.av_step)
        if "legal_review" in step.guards:
            approve_decision(case, code=code, amount=data.get("amount"), day=day)
        case = services.perform_transition(
            actor=actor, case=case, transition=code, data=data, reason=data.get("reason", ""), today=day
        )
        record_documents(case, step.documents)
    return case


def approve_decision(case: Case, *, code: str, amount: Any = None, day: datetime.date) -> None:
    """When the decision is major: draft it, submit it, and have a qualified reviewer who did not
    handle the case approve it (and the leaders discuss it where the catalogue requires) — all
    through the review services, as the pages and the API do."""
    from decimal import Decimal

    from zhifa.org.models import Person, Role
    from zhifa.review import selectors
    from zhifa.review import services as review
    from zhifa.review.models import CHECKLIST, DiscussionDecision, Measure

    if not selectors.gate_refusals(case, code, {"amount": amount} if amount is not None else {}, day):
        return
    handler = case.officers.select_related("person__user").first().person.user
    measures = [Measure.FINE] if amount else [Measure.WARNING]
    if code == "refuse":
        measures = [Measure.LICENSING_REFUSAL]
    bracket = case.item_version.brackets.first()
    review.save_draft(
        actor=handler,
        case=case,
        measures=measures,
        fine_amount=Decimal(str(amount)) if amount else None,
        bracket=bracket if amount else None,
        outside_bracket_reason="情节特别严重（测试）",
        facts="经调查，当事人未取得施工许可证擅自施工。",
        legal_basis="《中华人民共和国建筑法》第六十四条",
        decision_text="拟作出处理决定。",
        today=day,
    )
    request = review.submit_for_review(actor=handler, case=case, today=day)
    reviewer = next(
        p
        for p in Person.objects.filter(roles__role=Role.REVIEWER).exclude(legal_qualification_no="")
        if not review.reviewer_refusal(case, p)
    )
    review.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    review.record_opinion(
        actor=reviewer.user,
        request=request,
        result="approved",
        checklist={key: {"passed": True, "comment": ""} for key, _ in CHECKLIST},
        today=day,
    )
    draft = selectors.latest_draft(case)
    if draft is not None and selectors.majority(case, day=day).needs_discussion:
        leader = Person.objects.filter(roles__role=Role.LEADER).first()
        review.record_collective_discussion(
            actor=leader.user,
            case=case,
            held_on=day,
            chair=leader.name,
            attendees=[leader.name, "副局长甲", "副局长乙"],
            minutes="经集体讨论，同意作出决定。",
            decision=DiscussionDecision.PROCEED,
        )
