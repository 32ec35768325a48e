"""Every write of the legal review: drafting the decision, marking a case major, submitting,
assigning, the opinion, extending T28, escalating to 集体讨论, the discussion itself, and
accountability records. Each runs in one transaction and appends a record event (and, being
write-once rows, each row is a leaf of the ledger)."""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.services import _on_case, clean_amount
from zhifa.catalog.models import AmountBasis, DiscretionBracket
from zhifa.catalog.selectors import rule_in_force
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.org import permissions
from zhifa.org.models import REVIEW_ROLES, Person, Role
from zhifa.records.models import EventType
from zhifa.records.services import append_event
from zhifa.review import selectors
from zhifa.review.models import (
    CHECKLIST,
    AccountabilityKind,
    AccountabilityRecord,
    CollectiveDiscussion,
    DecisionDraft,
    DiscussionDecision,
    Flag,
    MajorFinding,
    Measure,
    ReviewOpinion,
    ReviewRequest,
    ReviewResult,
)
from zhifa.workdays.calendar import add_working_days

HANDLER_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.LEADER)
DECIDER_ROLES = (Role.UNIT_HEAD, Role.LEADER)
ASSIGNER_ROLES = (*REVIEW_ROLES, Role.LEADER, Role.PILOT_OFFICE)


def _of_body(actor: Any, case: Case) -> bool:
    """Whether the actor belongs to the case's enforcement body: a body-wide role (局领导, 试点办)
    or an unscoped review role covers every unit of *its own* body, never another body's cases."""
    me = permissions.person_of(actor)
    return me is not None and me.body_id == case.body_id


def _require_handler(actor: Any, case: Case) -> None:
    if not (
        _on_case(actor, case)
        or (_of_body(actor, case) and permissions.has_role(actor, DECIDER_ROLES, case.unit))
    ):
        raise NotPermitted("只有本案承办人员或承办单位负责人可以办理。")


def _decided(case: Case) -> bool:
    return case.events.filter(event_type=EventType.TRANSITION, step__in=selectors.DECISION_STEPS).exists()


def _bracket_range(bracket: DiscretionBracket, case: Case) -> tuple[Decimal, Decimal] | None:
    """The bracket in yuan for this case, or None when its basis needs a figure the case lacks."""
    if bracket.amount_basis == AmountBasis.FIXED_YUAN:
        return bracket.lower, bracket.upper
    if bracket.amount_basis == AmountBasis.PERCENT_OF_CONTRACT and case.contract_price is not None:
        return (case.contract_price * bracket.lower / 100, case.contract_price * bracket.upper / 100)
    return None


def _discretion(
    case: Case, bracket: DiscretionBracket | None, fine: Decimal | None, reason: str
) -> tuple[bool, dict[str, list[str]]]:
    """行政处罚法 Art. 34: a fine is checked against the bracket of the chosen circumstance; outside
    it needs stated reasons (and makes the decision major)."""
    brackets = case.item_version.brackets.all()
    errors: dict[str, list[str]] = {}
    if fine is None or not brackets.exists():
        return False, errors
    if bracket is None:
        errors["bracket"] = ["本事项有裁量基准，请选择适用的违法情形。"]
        return False, errors
    if bracket.version_id != case.item_version_id:
        errors["bracket"] = ["所选裁量基准不属于本案适用的事项版本。"]
        return False, errors
    limits = _bracket_range(bracket, case)
    if limits is None:
        errors["bracket"] = [
            f"该裁量基准按“{bracket.get_amount_basis_display()}”计罚，请先登记计算基数（如工程合同价款）。"
        ]
        return False, errors
    lower, upper = limits
    outside = not lower <= fine <= upper
    if outside and not reason.strip():
        errors["outside_bracket_reason"] = [
            f"拟罚款{fine:,.2f}元超出该情形的裁量基准（{lower:,.2f}–{upper:,.2f}元），须说明理由。"
        ]
    return outside, errors


@transaction.atomic
def save_draft(
    *,
    actor: Any,
    case: Case,
    measures: list[str],
    facts: str,
    legal_basis: str,
    decision_text: str,
    fine_amount: Any = None,
    confiscation_value: Any = None,
    bracket: DiscretionBracket | None = None,
    outside_bracket_reason: str = "",
    flags: list[str] | None = None,
    today: datetime.date | None = None,
) -> DecisionDraft:
    """Record the next version of the proposed decision and evaluate the review catalogue
    against it. Side effects: the draft, automatic major findings, record events."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    _require_handler(actor, case)
    if _decided(case):
        raise Conflict("本案已作出决定，不能再修改拟决定。", code="already_decided")
    errors: dict[str, list[str]] = {}
    unknown = [m for m in measures if m not in Measure.values]
    if not measures or unknown:
        errors["measures"] = ["请选择拟采取的处理措施。"]
    bad_flags = [f for f in (flags or []) if f not in Flag.values]
    if bad_flags:
        errors["flags"] = ["未知的标注。"]
    fine = clean_amount("amount", fine_amount)
    confiscation = clean_amount("amount", confiscation_value)
    if Measure.FINE in measures and not fine:
        errors["fine_amount"] = ["拟罚款的，请填写罚款金额。"]
    if Measure.CONFISCATION in measures and confiscation is None:
        errors["confiscation_value"] = ["拟没收的，请填写没收金额（价值）。"]
    for name, value in (("facts", facts), ("legal_basis", legal_basis), ("decision_text", decision_text)):
        if not value.strip():
            errors[name] = ["必填。"]
    outside, discretion_errors = _discretion(case, bracket, fine, outside_bracket_reason)
    errors.update(discretion_errors)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], details=errors)
    previous = selectors.latest_draft(case)
    # A handler's marking (标注) is never withdrawn: a new version keeps the earlier flags, so a
    # case flagged major cannot be made non-major by drafting again without the flag.
    kept_flags = set(flags or []) | set(previous.flags if previous else [])
    draft = DecisionDraft(
        case=case,
        version=(previous.version + 1) if previous else 1,
        measures=sorted(set(measures)),
        fine_amount=fine,
        confiscation_value=confiscation,
        bracket=bracket,
        outside_bracket=outside,
        outside_bracket_reason=outside_bracket_reason.strip(),
        flags=sorted(kept_flags),
        facts=facts.strip(),
        legal_basis=legal_basis.strip(),
        decision_text=decision_text.strip(),
        created_by=actor,
    )
    draft.save()
    append_event(
        actor=actor,
        event_type=EventType.DRAFT_DECISION,
        case=case,
        step=case.state,
        after={
            "version": draft.version,
            "measures": draft.measures,
            "fine_amount": str(fine) if fine is not None else None,
            "outside_bracket": outside,
            "flags": draft.flags,
        },
    )
    status = selectors.majority(case, selectors.Proposal.of(draft), today)
    for reason in status.reasons:
        MajorFinding(case=case, draft=draft, automatic=True, reason=reason).save()
    if status.reasons:
        append_event(
            actor=None,
            event_type=EventType.MAJOR_DETERMINED,
            case=case,
            step=case.state,
            after={"draft": draft.version, "automatic": True, "rules": status.reasons},
        )
    return draft


@transaction.atomic
def mark_major(*, actor: Any, case: Case, reason: str) -> MajorFinding:
    """A handler may mark a case major (never unmark one: findings are permanent)."""
    _require_handler(actor, case)
    if not reason.strip():
        raise InvalidInput("请说明认定为重大执法决定的理由。", details={"reason": ["必填。"]})
    finding = MajorFinding(
        case=case,
        draft=selectors.latest_draft(case),
        automatic=False,
        reason=reason.strip(),
        created_by=actor,
    )
    finding.save()
    append_event(
        actor=actor,
        event_type=EventType.MAJOR_DETERMINED,
        case=case,
        step=case.state,
        after={"automatic": False},
        reason=reason.strip(),
    )
    return finding


def _review_days(day: datetime.date) -> tuple[int, int]:
    rule = rule_in_force("T28", on=day)
    if rule is None:
        raise Conflict("法制审核期限（T28）未配置。", code="rule_missing")
    return int(rule.quantity), int(rule.extension or 0)


@transaction.atomic
def submit_for_review(*, actor: Any, case: Case, today: datetime.date | None = None) -> ReviewRequest:
    """Submit the latest draft with its package. Refused when the package is incomplete (the
    refusal lists what is missing) or the draft is already under review."""
    day = today or timezone.localdate()
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    _require_handler(actor, case)
    if _decided(case):
        raise Conflict("本案已作出决定。", code="already_decided")
    draft = selectors.latest_draft(case)
    if draft is None:
        raise Conflict("请先拟定处理决定，再提交法制审核。", code="no_draft")
    if selectors.open_request(draft) is not None:
        raise Conflict(f"拟决定第{draft.version}版已在审核中。", code="review_open")
    if selectors.approved(draft):
        raise Conflict(f"拟决定第{draft.version}版已经审核同意。", code="already_approved")
    if ReviewRequest.objects.filter(draft=draft, opinion__result=ReviewResult.PROBLEMS).exists():
        # Sending the very draft found wanting to another reviewer would shop for 同意: the
        # handler revises it (a new version) or, disagreeing, escalates to 集体讨论.
        raise Conflict(
            f"拟决定第{draft.version}版经审核存在问题：请按修改意见拟定新版本后送审，"
            "有异议的请提交集体讨论。",
            code="problems_unresolved",
        )
    package = selectors.package_for(case, draft)
    missing = selectors.missing_for_review(case, package)
    if missing:
        raise InvalidInput(
            f"送审材料不完整，缺少：{'、'.join(missing)}。",
            code="package_incomplete",
            details={"missing": missing},
        )
    days, _ = _review_days(day)
    last = ReviewRequest.objects.filter(case=case).order_by("-round").first()
    digest = hashlib.sha256(json.dumps(package, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    request = ReviewRequest.objects.create(
        case=case,
        draft=draft,
        round=(last.round + 1) if last else 1,
        package=package,
        package_digest=digest,
        submitted_by=actor,
        submitted_on=day,
        due_on=add_working_days(day, days),
    )
    append_event(
        actor=actor,
        event_type=EventType.REVIEW_SUBMITTED,
        case=case,
        step=case.state,
        after={
            "round": request.round,
            "draft": draft.version,
            "due_on": request.due_on.isoformat(),
            "package_sha256": digest,
        },
    )
    return request


def reviewer_refusal(case: Case, person: Person) -> str:
    """Why ``person`` may not review ``case`` ("" if they may)."""
    if not person.roles.filter(role__in=list(REVIEW_ROLES)).exists():
        return f"{person.name}不是法制审核人员、法律顾问或公职律师。"
    if not person.has_legal_qualification:
        return f"{person.name}未登记法律职业资格，不能从事法制审核。"
    if person.body_id != case.body_id:
        return f"{person.name}不属于本案的执法主体，不能审核本案。"
    if selectors.handled_by(case, person):
        return f"{person.name}承办过本案，不能审核本案。"
    return ""


def _locked(request: ReviewRequest) -> ReviewRequest:
    return (
        ReviewRequest.objects.select_for_update(of=("self",))
        .select_related("case", "reviewer")
        .get(pk=request.pk)
    )


@transaction.atomic
def assign_reviewer(*, actor: Any, request: ReviewRequest, reviewer: Person) -> ReviewRequest:
    """Assign (or take) a round. The reviewer must hold a review role and a recorded legal
    qualification and must not have handled the case."""
    request = _locked(request)
    if not (permissions.has_role(actor, ASSIGNER_ROLES) and _of_body(actor, request.case)):
        raise NotPermitted("只有本执法主体的法制审核人员、局领导或试点办可以指定审核人员。")
    if hasattr(request, "opinion") or request.escalated_at:
        raise Conflict("本轮审核已经结束。", code="review_closed")
    refusal = reviewer_refusal(request.case, reviewer)
    if refusal:
        raise InvalidInput(refusal, code="reviewer_not_eligible", details={"reviewer": [refusal]})
    request.reviewer = reviewer
    request.assigned_at = timezone.now()
    request.save(update_fields=["reviewer", "assigned_at"])
    append_event(
        actor=actor,
        event_type=EventType.REVIEW_ASSIGNED,
        case=request.case,
        step=request.case.state,
        after={"round": request.round, "reviewer": reviewer.name},
    )
    return request


@transaction.atomic
def extend_review(*, actor: Any, request: ReviewRequest, reason: str) -> ReviewRequest:
    """T28's extension (+3 working days by default), once, with a leader's or head's approval."""
    request = _locked(request)
    if not (_of_body(actor, request.case) and permissions.has_role(actor, DECIDER_ROLES, request.case.unit)):
        raise NotPermitted("延长法制审核期限须经局领导或承办单位负责人批准。")
    if not reason.strip():
        raise InvalidInput("请说明延长理由。", details={"reason": ["必填。"]})
    if request.extended:
        raise Conflict("本轮审核期限已延长过一次。", code="already_extended")
    if hasattr(request, "opinion"):
        raise Conflict("本轮审核已经结束。", code="review_closed")
    _, extra = _review_days(request.submitted_on)
    if not extra:
        raise Conflict("法制审核期限（T28）不可延长。", code="not_extendable")
    request.due_on = add_working_days(request.due_on, extra)
    request.extended = True
    request.save(update_fields=["due_on", "extended"])
    append_event(
        actor=actor,
        event_type=EventType.REVIEW_EXTENDED,
        case=request.case,
        step=request.case.state,
        after={"round": request.round, "due_on": request.due_on.isoformat()},
        reason=reason.strip(),
    )
    return request


def _recorded_due_on(request: ReviewRequest) -> datetime.date:
    """The due date as the whole-process record (and so the ledger) has it — the submission and
    any approved extension — not the request row, which is mutable."""
    events = request.case.events.filter(
        event_type__in=[EventType.REVIEW_SUBMITTED, EventType.REVIEW_EXTENDED], after__round=request.round
    ).order_by("-pk")
    for event in events:
        if event.after.get("due_on"):
            return datetime.date.fromisoformat(event.after["due_on"])
    return request.due_on


def _clean_checklist(checklist: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    cleaned: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for code, label in CHECKLIST:
        point = checklist.get(code)
        if not isinstance(point, dict) or not isinstance(point.get("passed"), bool):
            errors[f"checklist.{code}"] = [f"请对“{label}”作出判断。"]
            continue
        comment = str(point.get("comment", "")).strip()
        if not point["passed"] and not comment:
            errors[f"checklist.{code}"] = [f"“{label}”不通过的，请写明问题。"]
        cleaned[code] = {"label": label, "passed": point["passed"], "comment": comment}
    return cleaned, errors


@transaction.atomic
def record_opinion(
    *,
    actor: Any,
    request: ReviewRequest,
    result: str,
    checklist: dict[str, Any],
    problems: str = "",
    changes_required: str = "",
    today: datetime.date | None = None,
) -> ReviewOpinion:
    """The assigned reviewer's opinion. 同意 only when every checklist point passes; 存在问题 and
    补充材料 say what. A late opinion is recorded for accountability."""
    day = today or timezone.localdate()
    request = _locked(request)
    me = permissions.person_of(actor)
    if me is None or request.reviewer_id != me.pk:
        raise NotPermitted("只有被指定的审核人员可以出具审核意见。")
    refusal = reviewer_refusal(request.case, me)
    if refusal:
        raise NotPermitted(refusal)
    if hasattr(request, "opinion"):
        raise Conflict("本轮审核已出具意见。", code="review_closed")
    if result not in ReviewResult.values:
        raise InvalidInput("请选择审核结论。", details={"result": ["请选择。"]})
    cleaned, errors = _clean_checklist(checklist)
    if result == ReviewResult.APPROVED and any(not p["passed"] for p in cleaned.values()):
        errors["result"] = ["有审核要点不通过的，不能同意。"]
    if result != ReviewResult.APPROVED and not problems.strip():
        errors["problems"] = ["请写明存在的问题或需补充的材料。"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], details=errors)
    due_on = _recorded_due_on(request)
    late = day > due_on
    opinion = ReviewOpinion(
        request=request,
        reviewer=me,
        result=result,
        checklist=cleaned,
        problems=problems.strip(),
        changes_required=changes_required.strip(),
        late=late,
    )
    opinion.save()
    append_event(
        actor=actor,
        event_type=EventType.REVIEW_OPINION,
        case=request.case,
        step=request.case.state,
        after={
            "round": request.round,
            "draft": request.draft.version,
            "result": result,
            "failed_points": [p["label"] for p in cleaned.values() if not p["passed"]],
            "late": late,
        },
        reason=problems.strip(),
    )
    if late:
        record_accountability(
            kind=AccountabilityKind.LATE_REVIEW,
            case=request.case,
            actor=actor,
            details=f"第{request.round}轮法制审核期限为{due_on:%Y-%m-%d}，{day:%Y-%m-%d}才出具意见。",
        )
    from zhifa.documents.services import generate_review_document

    generate_review_document(
        actor=actor, case=request.case, template="legal_review_opinion", source=opinion, today=day
    )
    return opinion


@transaction.atomic
def escalate(*, actor: Any, request: ReviewRequest, reason: str) -> ReviewRequest:
    """The handler disagrees with a 存在问题 opinion: the case goes to 集体讨论 (Art. 57)."""
    request = _locked(request)
    _require_handler(actor, request.case)
    opinion = getattr(request, "opinion", None)
    if opinion is None or opinion.result != ReviewResult.PROBLEMS:
        raise Conflict("只有对“存在问题”的审核意见有异议时，才能提交集体讨论。", code="nothing_to_escalate")
    if request.escalated_at:
        raise Conflict("已提交集体讨论。", code="already_escalated")
    if not reason.strip():
        raise InvalidInput("请说明异议理由。", details={"reason": ["必填。"]})
    request.escalated_at = timezone.now()
    request.escalation_reason = reason.strip()
    request.save(update_fields=["escalated_at", "escalation_reason"])
    append_event(
        actor=actor,
        event_type=EventType.REVIEW_ESCALATED,
        case=request.case,
        step=request.case.state,
        after={"round": request.round},
        reason=reason.strip(),
    )
    return request


@transaction.atomic
def record_collective_discussion(
    *,
    actor: Any,
    case: Case,
    held_on: datetime.date,
    chair: str,
    attendees: list[str],
    minutes: str,
    decision: str,
    request: ReviewRequest | None = None,
) -> CollectiveDiscussion:
    """行政处罚法 Art. 57: the body's leaders decide together; attendees, minutes and the decision
    are kept. Recorded by a leader."""
    if not (permissions.has_role(actor, (Role.LEADER,)) and _of_body(actor, case)):
        raise NotPermitted("集体讨论记录由本执法主体的局领导（或其指定人员）录入。")
    draft = selectors.latest_draft(case)
    errors: dict[str, list[str]] = {}
    if draft is None:
        errors["draft"] = ["请先拟定处理决定。"]
    names = [a.strip() for a in attendees if a.strip()]
    if len(names) < 3:
        errors["attendees"] = ["集体讨论应有三名以上负责人参加。"]
    if not chair.strip():
        errors["chair"] = ["请填写主持人。"]
    if not minutes.strip():
        errors["minutes"] = ["请填写讨论记录。"]
    if decision not in DiscussionDecision.values:
        errors["decision"] = ["请选择讨论决定。"]
    if request is not None and request.case_id != case.pk:
        errors["request"] = ["送审记录不属于本案。"]
    elif request is not None and draft is not None and request.draft_id != draft.pk:
        # A discussion decides the draft it discussed: an old round's disagreement cannot carry a
        # later draft past review.
        errors["request"] = [
            f"该轮送审针对拟决定第{request.draft.version}版，不是现行的第{draft.version}版。"
        ]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], details=errors)
    assert draft is not None
    discussion = CollectiveDiscussion(
        case=case,
        draft=draft,
        request=request,
        held_on=held_on,
        chair=chair.strip(),
        attendees=names,
        minutes=minutes.strip(),
        decision=decision,
        recorded_by=actor,
    )
    discussion.save()
    append_event(
        actor=actor,
        event_type=EventType.COLLECTIVE_DISCUSSION,
        case=case,
        step=case.state,
        after={
            "draft": draft.version,
            "decision": decision,
            "attendees": names,
            "held_on": held_on.isoformat(),
        },
    )
    from zhifa.documents.services import generate_review_document

    generate_review_document(
        actor=actor, case=case, template="collective_discussion_record", source=discussion, today=held_on
    )
    return discussion


def record_accountability(*, kind: str, case: Case, actor: Any, details: str) -> AccountabilityRecord:
    """责任追究: kept for supervisors, and in the case's record."""
    from zhifa.records.services import _actor_name

    with transaction.atomic():
        record = AccountabilityRecord(
            kind=kind,
            case=case,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=_actor_name(actor),
            details=details,
        )
        record.save()
        append_event(
            actor=actor,
            event_type=EventType.ACCOUNTABILITY,
            case=case,
            step=case.state,
            after={"kind": kind},
            reason=details,
        )
    return record


def record_bypasses(*, today: datetime.date | None = None) -> list[AccountabilityRecord]:
    """Find decisions that went around the review rules — issued on a case that was major on the
    day of the decision without the approval it needed (data written around the application, a
    catalogue entry dated back) — and record each once for 责任追究. Run daily by the scheduler."""
    from zhifa.records.models import RecordEvent

    found: list[AccountabilityRecord] = []
    already = set(
        AccountabilityRecord.objects.filter(kind=AccountabilityKind.BYPASS).values_list("case_id", flat=True)
    )
    decisions = RecordEvent.objects.filter(
        event_type=EventType.TRANSITION, step__in=selectors.DECISION_STEPS, case__isnull=False
    ).select_related("case", "actor")
    for event in decisions.order_by("pk"):
        if event.case_id in already:
            continue
        amount = event.after.get("amount")
        day = timezone.localtime(event.occurred_at).date()
        refusals = selectors.gate_refusals(event.case, event.step, {"amount": amount} if amount else {}, day)
        if refusals:
            found.append(
                record_accountability(
                    kind=AccountabilityKind.BYPASS,
                    case=event.case,
                    actor=event.actor,
                    details=f"{day:%Y-%m-%d} 作出的决定未满足法制审核要求：{'；'.join(refusals)}",
                )
            )
            already.add(event.case_id)
    return found
