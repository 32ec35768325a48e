"""Reads of the review app: which catalogue entries are in force, whether a case is major and why,
the decision gate, the submission package and its completeness, and the reviewer's queue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from zhifa.cases.models import Case
from zhifa.records.models import EventType, RecordEvent
from zhifa.review.models import (
    CollectiveDiscussion,
    CriterionKind,
    DecisionDraft,
    DiscussionDecision,
    MajorCriterion,
    MajorFinding,
    Measure,
    ReviewRequest,
    ReviewResult,
)

# The steps that issue a decision a review may have to approve first (definitions use the guard
# ``legal_review`` on exactly these).
DECISION_STEPS = frozenset({"decide", "approve", "refuse", "approve_measure"})


def criteria_in_force(day: datetime.date) -> list[MajorCriterion]:
    """For each code, the row in force on ``day`` (inactive rows withdraw the entry)."""
    rows = MajorCriterion.objects.filter(effective_from__lte=day).order_by("code", "-effective_from")
    seen: set[str] = set()
    result = []
    for row in rows:
        if row.code not in seen:
            seen.add(row.code)
            if row.active:
                result.append(row)
    return result


def latest_draft(case: Case) -> DecisionDraft | None:
    return DecisionDraft.objects.filter(case=case).order_by("-version").first()


def hearing_held(case: Case) -> bool:
    return RecordEvent.objects.filter(
        case=case, event_type=EventType.TRANSITION, step="hold_hearing"
    ).exists()


@dataclass(frozen=True)
class Proposal:
    """What is proposed, from a draft or — when none was made — from the decision step itself."""

    measures: tuple[str, ...]
    fine_amount: Decimal | None = None
    confiscation_value: Decimal | None = None
    outside_bracket: bool = False
    flags: tuple[str, ...] = ()

    @classmethod
    def of(cls, draft: DecisionDraft) -> Proposal:
        return cls(
            measures=tuple(draft.measures),
            fine_amount=draft.fine_amount,
            confiscation_value=draft.confiscation_value,
            outside_bracket=draft.outside_bracket,
            flags=tuple(draft.flags),
        )


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}元" if value is not None else "—"


def match(criterion: MajorCriterion, case: Case, proposal: Proposal, heard: bool) -> str:
    """Why ``criterion`` makes the case major, or "" if it does not."""
    if not criterion.applies_to(case.act_type):
        return ""
    if criterion.party_kind and criterion.party_kind != case.party_kind:
        return ""
    if criterion.needs_hearing and not heard:
        return ""
    kind = criterion.kind
    if kind == CriterionKind.AMOUNT_AT_LEAST:
        value = getattr(proposal, criterion.amount_field or "fine_amount", None)
        if value is not None and criterion.threshold is not None and value >= criterion.threshold:
            return f"{criterion.name}：拟{_money(value)}，标准{_money(criterion.threshold)}"
        return ""
    if kind == CriterionKind.MEASURE:
        return criterion.name if criterion.measure in proposal.measures else ""
    if kind == CriterionKind.OUTSIDE_BRACKET:
        return criterion.name if proposal.outside_bracket else ""
    if kind == CriterionKind.HEARING_HELD:
        return criterion.name if heard else ""
    if kind == CriterionKind.FLAG:
        return f"{criterion.name}（承办人标注）" if criterion.flag in proposal.flags else ""
    return ""


@dataclass
class Majority:
    """Whether the case is major, and the rules and markings that make it so."""

    reasons: list[str] = field(default_factory=list)  # "R02 对法人…：拟…"
    discussion_reasons: list[str] = field(default_factory=list)  # entries that need 集体讨论
    marked: list[MajorFinding] = field(default_factory=list)

    @property
    def major(self) -> bool:
        return bool(self.reasons or self.marked)

    @property
    def needs_discussion(self) -> bool:
        return bool(self.discussion_reasons)


def majority(case: Case, proposal: Proposal | None = None, day: datetime.date | None = None) -> Majority:
    """Evaluate the catalogue in force on ``day`` against the proposal (default: the latest draft)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    if proposal is None:
        draft = latest_draft(case)
        proposal = Proposal.of(draft) if draft else _from_case(case, None)
    heard = hearing_held(case)
    result = Majority(marked=list(MajorFinding.objects.filter(case=case, automatic=False)))
    for criterion in criteria_in_force(day):
        why = match(criterion, case, proposal, heard)
        if why:
            result.reasons.append(f"{criterion.code} {why}")
            if criterion.collective_discussion:
                result.discussion_reasons.append(f"{criterion.code} {criterion.name}")
    return result


def _from_case(case: Case, step_data: dict[str, Any] | None) -> Proposal:
    amount = (step_data or {}).get("amount", case.amount)
    amount = Decimal(amount) if amount is not None else None
    measures: tuple[str, ...] = (Measure.FINE,) if amount else ()
    return Proposal(measures=measures, fine_amount=amount)


def approved(draft: DecisionDraft) -> bool:
    """同意 for this very version: a review opinion, or a 集体讨论 that decided to proceed after the
    handler disagreed with the opinion (escalation)."""
    if ReviewRequest.objects.filter(draft=draft, opinion__result=ReviewResult.APPROVED).exists():
        return True
    return CollectiveDiscussion.objects.filter(
        draft=draft,
        decision=DiscussionDecision.PROCEED,
        request__draft=draft,
        request__escalated_at__isnull=False,
    ).exists()


def discussed(draft: DecisionDraft) -> bool:
    return CollectiveDiscussion.objects.filter(draft=draft, decision=DiscussionDecision.PROCEED).exists()


# The measure a licensing step itself decides, whatever the draft says.
STEP_MEASURES = {
    ("licensing", "refuse"): Measure.LICENSING_REFUSAL,
    ("licensing", "approve"): Measure.LICENSING_GRANT,
}
OPPOSITE_MEASURES = {
    Measure.LICENSING_REFUSAL: Measure.LICENSING_GRANT,
    Measure.LICENSING_GRANT: Measure.LICENSING_REFUSAL,
}


def _decided_amount(case: Case, step_code: str, step_data: dict[str, Any]) -> Decimal | None:
    """The fine the step will actually record: the amount given, else the case's (the decision
    step keeps the notified amount when none is entered)."""
    if "amount" in step_data:
        value = step_data["amount"]
    elif step_code == "decide" and case.act_type == "penalty":
        value = case.amount
    else:
        return None
    return Decimal(str(value)) if value not in (None, "") else None


def gate_refusals(case: Case, step_code: str, step_data: dict[str, Any], day: datetime.date) -> list[str]:
    """Why the decision may not issue yet (empty: it may). Used by the ``legal_review`` guard, so
    every path — page, API, service — meets it.

    The catalogue is evaluated against the draft *and* against what the step will really decide
    (its amount; for licensing, grant or refusal): a decision that differs from the draft is
    judged by what it is, not by what was drafted."""
    draft = latest_draft(case)
    amount = _decided_amount(case, step_code, step_data)
    step_measure = STEP_MEASURES.get((case.act_type, step_code))
    if draft is None:
        proposal = _from_case(case, step_data)
        if step_measure:
            proposal = replace(proposal, measures=(*proposal.measures, step_measure))
        status = majority(case, proposal, day)
    else:
        proposal = Proposal.of(draft)
        actual = proposal
        if amount is not None and amount != draft.fine_amount:
            measures = (
                proposal.measures if Measure.FINE in proposal.measures else (*proposal.measures, Measure.FINE)
            )
            actual = replace(actual, fine_amount=amount, measures=measures)
        if step_measure and step_measure not in actual.measures:
            actual = replace(actual, measures=(*actual.measures, step_measure))
        status = majority(case, proposal, day)
        if actual != proposal:
            also = majority(case, actual, day)
            status.reasons.extend(r for r in also.reasons if r not in status.reasons)
            status.discussion_reasons.extend(
                r for r in also.discussion_reasons if r not in status.discussion_reasons
            )
    if not status.major and not status.needs_discussion:
        return []
    why = "；".join(status.reasons + [f"承办人认定：{m.reason}" for m in status.marked])
    if draft is None:
        return [f"本案属于重大执法决定（{why}），须先拟定处理决定并经法制审核同意。"]
    refusals = []
    if amount is not None and amount != draft.fine_amount:
        drafted = _money(draft.fine_amount) if draft.fine_amount is not None else "未拟罚款"
        refusals.append(f"决定金额{_money(amount)}与送审的拟决定（第{draft.version}版：{drafted}）不一致。")
    if step_measure and OPPOSITE_MEASURES[step_measure] in draft.measures:
        refusals.append(
            f"拟决定第{draft.version}版为“{Measure(OPPOSITE_MEASURES[step_measure]).label}”，"
            f"与本环节“{Measure(step_measure).label}”不一致，请重新拟定并送审。"
        )
    if status.major and not approved(draft):
        refusals.append(
            f"重大执法决定须经法制审核同意后方可作出（行政处罚法第五十八条）；拟决定第{draft.version}版尚未审核同意。认定依据：{why}"
        )
    if status.needs_discussion and not discussed(draft):
        refusals.append(f"须经集体讨论决定（行政处罚法第五十七条）：{'；'.join(status.discussion_reasons)}")
    return refusals


def open_request(draft: DecisionDraft) -> ReviewRequest | None:
    return (
        ReviewRequest.objects.filter(draft=draft, opinion__isnull=True, escalated_at__isnull=True)
        .order_by("-round")
        .first()
    )


def requests_of(case: Case) -> QuerySet[ReviewRequest]:
    return (
        ReviewRequest.objects.filter(case=case)
        .select_related("draft", "reviewer", "opinion", "submitted_by")
        .order_by("round")
    )


def queue(*, reviewer: Any = None, include_unassigned: bool = True) -> QuerySet[ReviewRequest]:
    """Open review rounds (no opinion yet), earliest due first."""
    base = ReviewRequest.objects.filter(opinion__isnull=True, escalated_at__isnull=True).select_related(
        "case", "case__unit", "draft", "reviewer"
    )
    if reviewer is not None:
        mine = base.filter(reviewer=reviewer)
        return (mine | base.filter(reviewer__isnull=True)) if include_unassigned else mine
    return base.order_by("due_on", "submitted_at")


# What the handling side records (the reviewer's own events — assignment, opinion, the opinion
# document — are not handling).
HANDLING_EVENTS = (
    EventType.CASE_OPENED,
    EventType.TRANSITION,
    EventType.OFFICER_ASSIGNED,
    EventType.FACTS_RECORDED,
    EventType.EVIDENCE_ADDED,
    EventType.DRAFT_DECISION,
    EventType.MAJOR_DETERMINED,
    EventType.REVIEW_SUBMITTED,
    EventType.REVIEW_ESCALATED,
)


def handled_by(case: Case, person: Any) -> bool:
    """Whether ``person`` handled the case — was ever assigned to it, opened it, took one of its
    steps (e.g. approved the opening), gathered its evidence, drafted or submitted its decision:
    such a person may not review it."""
    if case.officers.filter(person=person).exists():
        return True
    user = getattr(person, "user", None)
    if user is None:
        return False
    return (
        case.created_by_id == user.pk
        or DecisionDraft.objects.filter(case=case, created_by=user).exists()
        or RecordEvent.objects.filter(case=case, actor=user, event_type__in=HANDLING_EVENTS).exists()
    )


def package_for(case: Case, draft: DecisionDraft) -> dict[str, Any]:
    """The submission package (送审材料) frozen at submission: facts, evidence, legal basis,
    discretion applied, officers' qualifications, the draft, hearing minutes and appraisals."""
    day = draft.created_at.date()
    documents = []
    if apps.is_installed("zhifa.documents"):
        from zhifa.documents.models import Document

        documents = [
            {
                "template": d.template,
                "title": d.title,
                "number": d.number,
                "version": d.version,
                "sha256": d.sha256,
            }
            for d in Document.objects.filter(case=case).order_by("template", "version")
        ]
    evidence = []
    if apps.is_installed("zhifa.evidence"):
        from zhifa.evidence.models import Evidence

        evidence = [
            {
                "kind": e.get_kind_display(),
                "name": e.original_filename,
                "captured_at": e.captured_at.isoformat(),
                "sha256": e.sha256,
            }
            for e in Evidence.objects.filter(case=case).order_by("captured_at", "pk")
        ]
    officers = []
    for officer in case.officers.select_related("person"):
        credential = officer.person.valid_credential(day)
        officers.append(
            {
                "name": officer.person.name,
                "role": officer.get_role_display(),
                "recused": officer.recused_at is not None,
                "credential": credential.number if credential else "",
                "credential_valid": credential is not None,
            }
        )
    bases = [
        {"law": b.provision.law.title, "article": b.provision.label, "purpose": b.get_purpose_display()}
        for b in case.item_version.bases.select_related("provision", "provision__law")
    ]
    bracket = draft.bracket
    appraisals = list(
        RecordEvent.objects.filter(case=case, step__in=["start_appraisal", "finish_appraisal"]).values_list(
            "step", "reason"
        )
    )
    return {
        "case": {
            "number": case.number,
            "title": case.title,
            "party": case.party_name,
            "act_type": case.act_type,
        },
        "facts": draft.facts,
        "evidence": evidence,
        "documents": documents,
        "legal_basis": {"draft": draft.legal_basis, "item": bases},
        "discretion": {
            "bracket": f"{bracket.circumstance}：{bracket.range_display}" if bracket else "",
            "outside_bracket": draft.outside_bracket,
            "reason": draft.outside_bracket_reason,
        },
        "officers": officers,
        "draft": {
            "version": draft.version,
            "measures": [Measure(m).label for m in draft.measures if m in Measure.values],
            "fine_amount": str(draft.fine_amount) if draft.fine_amount is not None else None,
            "confiscation_value": str(draft.confiscation_value)
            if draft.confiscation_value is not None
            else None,
            "decision_text": draft.decision_text,
        },
        "hearing_held": hearing_held(case),
        "appraisals": [{"step": s, "note": r} for s, r in appraisals],
    }


def missing_for_review(case: Case, package: dict[str, Any]) -> list[str]:
    """What a complete package still lacks (REQUIREMENTS §4.5)."""
    missing = []
    if not package["facts"].strip():
        missing.append("违法事实")
    from zhifa.cases.guards import produced_documents

    templates = set(produced_documents(case)) | {d["template"] for d in package["documents"]}
    if not package["evidence"] and not templates & {"inspection_record", "inquiry_record"}:
        missing.append("证据材料（现场检查笔录、询问笔录或照片、音像记录）")
    if not package["legal_basis"]["draft"].strip():
        missing.append("法律依据")
    certified = [o for o in package["officers"] if o["credential_valid"] and not o["recused"]]
    if len(certified) < 2:
        missing.append("两名以上持有效执法证的执法人员")
    if case.act_type == "penalty" and "investigation_report" not in templates:
        missing.append("调查终结报告")
    if package["hearing_held"] and "hearing_record" not in templates:
        missing.append("听证笔录")
    if package["discretion"]["outside_bracket"] and not package["discretion"]["reason"].strip():
        missing.append("超出裁量基准的理由")
    return missing
