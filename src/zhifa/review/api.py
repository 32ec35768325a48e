"""Legal review (法制审核) in the JSON API: the same operations as the staff pages, over the same
services; refusals are structured errors ``{code, message, details}``.

No ``from __future__ import annotations``: ninja reads the signatures at import time.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhifa.cases import selectors as case_selectors
from zhifa.cases.models import Case
from zhifa.catalog.models import DiscretionBracket
from zhifa.core.api import errors, paginated
from zhifa.core.errors import InvalidInput, NotFound, NotPermitted
from zhifa.org import permissions
from zhifa.org.models import Person
from zhifa.review import catalogue, selectors, services, status
from zhifa.review.models import (
    CHECKLIST,
    CollectiveDiscussion,
    DecisionDraft,
    MajorCriterion,
    Measure,
    ReviewRequest,
)

router = Router(tags=["法制审核"])


# Schemas --------------------------------------------------------------------------------------


class PointOut(Schema):
    code: str = Field(description="审核要点代码")
    label: str = Field(description="审核要点")
    passed: bool = Field(description="是否通过")
    comment: str = Field(description="说明")


class DocumentRefOut(Schema):
    id: int = Field(description="文书ID（/api/v1/documents/{id}/pdf 下载）")
    title: str = Field(description="文书名称")
    number: str = Field(description="文号")


class OpinionOut(Schema):
    result: str = Field(description="approved 同意 / problems 存在问题 / more_material 补充材料")
    result_label: str = Field(description="审核结论")
    reviewer: str = Field(description="审核人员")
    checklist: list[PointOut] = Field(description="八项审核要点")
    problems: str = Field(description="存在的问题/需补充的材料")
    changes_required: str = Field(description="修改意见")
    late: bool = Field(description="是否超过审核期限（T28）")
    decided_at: datetime.datetime = Field(description="审核时间")
    document: DocumentRefOut | None = Field(description="法制审核意见书")


class RoundOut(Schema):
    id: int = Field(description="送审ID")
    case_id: int
    case_number: str = Field(description="案号")
    round: int = Field(description="轮次")
    draft_version: int = Field(description="送审的拟决定版本")
    submitted_on: datetime.date = Field(description="送审日期")
    due_on: datetime.date = Field(description="审核期限（T28，工作日）届满日")
    extended: bool = Field(description="期限是否已延长")
    deadline: str = Field(description="overdue 已超期 / due_soon 即将到期 / ok 期限内；已有结论的为空")
    reviewer_id: int | None = Field(description="审核人员ID；null 为待分配")
    reviewer: str | None = Field(description="审核人员")
    status: str = Field(
        description="unassigned 待分配 / assigned 审核中 / approved / problems / more_material / "
        "void 同意已因拟决定修改失效 / escalated 已提交集体讨论"
    )
    status_label: str = Field(description="状态")
    opinion: OpinionOut | None = Field(description="审核意见")
    escalated_at: datetime.datetime | None = Field(description="提交集体讨论时间")
    escalation_reason: str = Field(description="提交集体讨论的理由")


class RoundDetailOut(RoundOut):
    package: dict[str, Any] = Field(description="送审材料（提交时冻结）")
    package_sha256: str = Field(description="送审材料摘要")
    reviewer_refusal: str = Field(description="当前用户不能审核本案的原因；为空则可以")


class DraftOut(Schema):
    version: int = Field(description="版本")
    current: bool = Field(description="是否为最新版本")
    approved: bool = Field(description="该版本是否已经法制审核同意（或集体讨论同意）")
    measures: list[str] = Field(description="处理措施代码")
    measure_labels: list[str] = Field(description="处理措施")
    fine_amount: Decimal | None = Field(description="罚款金额（元）")
    confiscation_value: Decimal | None = Field(description="没收金额（价值，元）")
    bracket_id: int | None = Field(description="适用裁量基准ID")
    bracket: str = Field(description="适用裁量基准")
    outside_bracket: bool = Field(description="是否超出裁量基准")
    outside_bracket_reason: str = Field(description="超出裁量基准的理由")
    flags: list[str] = Field(description="承办人标注")
    facts: str = Field(description="违法事实")
    legal_basis: str = Field(description="法律依据")
    decision_text: str = Field(description="拟决定内容")
    created_by: str = Field(description="拟定人")
    created_at: datetime.datetime = Field(description="拟定时间")
    findings: list[str] = Field(description="按该版本自动认定为重大执法决定的依据")


class MarkOut(Schema):
    reason: str = Field(description="承办人认定为重大执法决定的理由")
    by: str = Field(description="认定人")
    at: datetime.datetime = Field(description="认定时间")


class DiscussionOut(Schema):
    id: int
    draft_version: int = Field(description="讨论的拟决定版本")
    round: int | None = Field(description="对应的送审轮次（异议提交时）")
    held_on: datetime.date = Field(description="讨论日期")
    chair: str = Field(description="主持人")
    attendees: list[str] = Field(description="参加人员")
    minutes: str = Field(description="讨论记录")
    decision: str = Field(
        description="proceed 同意作出决定 / revise 修改后重新审核 / do_not_decide 不予作出决定"
    )
    decision_label: str = Field(description="讨论决定")
    document: DocumentRefOut | None = Field(description="集体讨论笔录")


class GateOut(Schema):
    step: str = Field(description="作出决定的环节代码")
    label: str = Field(description="环节")
    may_decide: bool = Field(description="法制审核方面是否已可作出决定")
    refusals: list[str] = Field(description="尚不能作出决定的原因")


class BracketChoiceOut(Schema):
    id: int = Field(description="裁量基准ID（拟定处理决定时作为 bracket_id 提交）")
    circumstance: str = Field(description="违法情形")
    range_display: str = Field(description="裁量幅度")


class CaseReviewOut(Schema):
    case_id: int
    case_number: str = Field(description="案号")
    applies: bool = Field(description="该类执法行为是否适用重大执法决定法制审核")
    major: bool = Field(description="是否属于重大执法决定")
    reasons: list[str] = Field(description="按法制审核目录清单自动认定的依据（编号 情形）")
    marked: list[MarkOut] = Field(description="承办人认定（不能撤回）")
    needs_discussion: bool = Field(description="是否须经集体讨论（行政处罚法第五十七条）")
    discussion_reasons: list[str] = Field(description="须集体讨论的依据")
    may_decide: bool = Field(description="法制审核方面是否已可作出决定")
    gate: list[GateOut] = Field(description="各决定环节的审核门槛")
    missing_for_review: list[str] = Field(description="最新拟决定送审材料尚缺的内容")
    brackets: list[BracketChoiceOut] = Field(description="本案适用事项版本的裁量基准（供选择 bracket_id）")
    drafts: list[DraftOut] = Field(description="拟决定各版本，最新在前")
    rounds: list[RoundOut] = Field(description="各轮送审，最新在前")
    discussions: list[DiscussionOut] = Field(description="集体讨论")


class DraftIn(Schema):
    measures: list[str] = Field(
        description="处理措施：" + "；".join(f"{v} {label}" for v, label in Measure.choices)
    )
    facts: str = Field(description="违法事实")
    legal_basis: str = Field(description="法律依据")
    decision_text: str = Field(description="拟决定内容")
    fine_amount: Decimal | None = Field(None, description="罚款金额（元）")
    confiscation_value: Decimal | None = Field(None, description="没收金额（价值，元）")
    bracket_id: int | None = Field(None, description="适用裁量基准ID（事项有裁量基准且拟罚款的必填）")
    outside_bracket_reason: str = Field("", description="超出裁量基准的理由")
    flags: list[str] = Field(
        default_factory=list,
        description="承办人标注：public_interest 重大公共利益 / social_impact 重大社会影响 / "
        "third_party 当事人或第三人重大权益 / complex 疑难复杂",
    )


class ReasonIn(Schema):
    reason: str = Field(description="理由")


class AssignIn(Schema):
    reviewer_id: int | None = Field(None, description="审核人员ID；留空为本人领取")


class PointIn(Schema):
    passed: bool = Field(description="是否通过")
    comment: str = Field("", description="说明；不通过的必填")


class OpinionIn(Schema):
    result: Literal["approved", "problems", "more_material"] = Field(
        description="approved 同意 / problems 存在问题 / more_material 补充材料"
    )
    checklist: dict[str, PointIn] = Field(
        description="八项审核要点，键为：" + "；".join(f"{c} {label}" for c, label in CHECKLIST)
    )
    problems: str = Field("", description="存在的问题/需补充的材料（非“同意”的必填）")
    changes_required: str = Field("", description="修改意见")


class DiscussionIn(Schema):
    held_on: datetime.date = Field(description="讨论日期")
    chair: str = Field(description="主持人")
    attendees: list[str] = Field(description="参加人员（三名以上负责人）")
    minutes: str = Field(description="讨论记录")
    decision: Literal["proceed", "revise", "do_not_decide"] = Field(
        description="proceed 同意作出决定 / revise 修改后重新审核 / do_not_decide 不予作出决定"
    )
    request_id: int | None = Field(None, description="对应的送审ID（对审核意见有异议提交集体讨论的）")


class CriterionOut(Schema):
    id: int
    code: str = Field(description="编号")
    name: str = Field(description="情形")
    kind: str = Field(description="判定方式代码")
    kind_label: str = Field(description="判定方式")
    act_types: str = Field(description="适用执法类别（逗号分隔；空为全部）")
    party_kind: str = Field(description="当事人类型（person / organisation；空为全部）")
    amount_field: str = Field(description="金额项")
    threshold: Decimal | None = Field(description="标准（元）")
    measure: str = Field(description="处理措施")
    flag: str = Field(description="承办人标注")
    needs_hearing: bool = Field(description="须经听证")
    collective_discussion: bool = Field(description="须集体讨论")
    basis: str = Field(description="依据")
    active: bool = Field(description="有效（false 为自生效日期起停用）")
    effective_from: datetime.date = Field(description="生效日期")
    change_reason: str = Field(description="调整原因")


class CriterionIn(Schema):
    code: str = Field(description="编号；沿用已有编号即为该条的新版本")
    effective_from: datetime.date = Field(description="生效日期（不得早于该编号现行规定）")
    change_reason: str = Field(description="调整原因")
    active: bool = Field(True, description="false：自生效日期起停用该条（其余内容沿用）")
    name: str = Field("", description="情形")
    kind: str = Field("", description="amount_at_least / measure / outside_bracket / hearing_held / flag")
    act_types: str = Field("", description="适用执法类别，逗号分隔；空为全部")
    party_kind: str = Field("", description="person / organisation；空为全部")
    amount_field: str = Field("", description="fine_amount / confiscation_value（按金额判定的）")
    threshold: Decimal | None = Field(None, description="标准（元）（按金额判定的）")
    measure: str = Field("", description="处理措施代码（按措施判定的）")
    flag: str = Field("", description="承办人标注代码（按标注判定的）")
    needs_hearing: bool = Field(False, description="须经听证")
    collective_discussion: bool = Field(False, description="须集体讨论")
    basis: str = Field("", description="依据")


class AccountabilityOut(Schema):
    id: int
    kind: str = Field(description="decide_without_review / late_review / bypass")
    kind_label: str = Field(description="类别")
    case_id: int
    case_number: str = Field(description="案号")
    actor_name: str = Field(description="责任人")
    occurred_at: datetime.datetime = Field(description="发生时间")
    details: str = Field(description="情况")


# Reading --------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int) -> Case:
    case = case_selectors.visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        if Case.objects.filter(pk=case_id).exists():
            raise NotPermitted("您无权查看该案件。")
        raise NotFound("案件不存在。")
    return case


def _request(request: HttpRequest, request_id: int) -> ReviewRequest:
    found = (
        status.visible_requests(request.user)
        .select_related("case", "draft", "reviewer")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        if ReviewRequest.objects.filter(pk=request_id).exists():
            raise NotPermitted("您无权查看该送审材料。")
        raise NotFound("送审记录不存在。")
    return found


def _opinion(r: ReviewRequest) -> dict[str, Any] | None:
    opinion = getattr(r, "opinion", None)
    if opinion is None:
        return None
    return {
        "result": opinion.result,
        "result_label": opinion.get_result_display(),
        "reviewer": opinion.reviewer.name,
        "checklist": [
            {
                "code": code,
                "label": point.get("label", code),
                "passed": point["passed"],
                "comment": point["comment"],
            }
            for code, point in opinion.checklist.items()
        ],
        "problems": opinion.problems,
        "changes_required": opinion.changes_required,
        "late": opinion.late,
        "decided_at": opinion.decided_at,
        "document": _document(opinion),
    }


def _document(record: Any) -> dict[str, Any] | None:
    document = status.record_document(record)
    if document is None:
        return None
    return {"id": document.pk, "title": document.title, "number": document.number}


def _round(r: ReviewRequest, latest: DecisionDraft | None = None) -> dict[str, Any]:
    latest = latest if latest is not None else selectors.latest_draft(r.case)
    code, label = status.round_outcome(r, latest)
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "case_number": r.case.number,
        "round": r.round,
        "draft_version": r.draft.version,
        "submitted_on": r.submitted_on,
        "due_on": r.due_on,
        "extended": r.extended,
        "deadline": status.deadline_status(r, timezone.localdate()),
        "reviewer_id": r.reviewer_id,
        "reviewer": r.reviewer.name if r.reviewer else None,
        "status": code,
        "status_label": label,
        "opinion": _opinion(r),
        "escalated_at": r.escalated_at,
        "escalation_reason": r.escalation_reason,
    }


def _discussion(d: CollectiveDiscussion) -> dict[str, Any]:
    return {
        "id": d.pk,
        "draft_version": d.draft.version,
        "round": d.request.round if d.request else None,
        "held_on": d.held_on,
        "chair": d.chair,
        "attendees": d.attendees,
        "minutes": d.minutes,
        "decision": d.decision,
        "decision_label": d.get_decision_display(),
        "document": _document(d),
    }


def _case_review(case: Case) -> dict[str, Any]:
    review = status.case_review(case)
    base: dict[str, Any] = {"case_id": case.pk, "case_number": case.number}
    if review is None:
        return {
            **base,
            "applies": False,
            "major": False,
            "reasons": [],
            "marked": [],
            "needs_discussion": False,
            "discussion_reasons": [],
            "may_decide": True,
            "gate": [],
            "missing_for_review": [],
            "brackets": [],
            "drafts": [],
            "rounds": [],
            "discussions": [],
        }
    latest = review.latest
    findings: dict[int, list[str]] = {}
    for f in review.findings:
        if f.automatic and f.draft_id:
            findings.setdefault(f.draft_id, []).append(f.reason)
    return {
        **base,
        "applies": True,
        "major": review.majority.major,
        "reasons": review.majority.reasons,
        "marked": [
            {"reason": m.reason, "by": _name(m.created_by) if m.created_by else "", "at": m.created_at}
            for m in review.majority.marked
        ],
        "needs_discussion": review.majority.needs_discussion,
        "discussion_reasons": review.majority.discussion_reasons,
        "may_decide": review.may_decide,
        "gate": [
            {"step": g.step, "label": g.label, "may_decide": not g.refusals, "refusals": g.refusals}
            for g in review.gate
        ],
        "missing_for_review": review.missing,
        "brackets": [
            {"id": b.pk, "circumstance": b.circumstance, "range_display": b.range_display}
            for b in case.item_version.brackets.order_by("pk")
        ],
        "drafts": [
            {
                "version": d.version,
                "current": d.pk == latest.pk if latest else False,
                "approved": selectors.approved(d),
                "measures": d.measures,
                "measure_labels": [Measure(m).label for m in d.measures if m in Measure.values],
                "fine_amount": d.fine_amount,
                "confiscation_value": d.confiscation_value,
                "bracket_id": d.bracket_id,
                "bracket": str(d.bracket) if d.bracket else "",
                "outside_bracket": d.outside_bracket,
                "outside_bracket_reason": d.outside_bracket_reason,
                "flags": d.flags,
                "facts": d.facts,
                "legal_basis": d.legal_basis,
                "decision_text": d.decision_text,
                "created_by": _name(d.created_by),
                "created_at": d.created_at,
                "findings": findings.get(d.pk, []),
            }
            for d in review.drafts
        ],
        "rounds": [_round(r, latest) for r in review.rounds],
        "discussions": [_discussion(d) for d in review.discussions],
    }


def _name(user: Any) -> str:
    person = permissions.person_of(user)
    return person.name if person else user.get_username()


@router.get(
    "/cases/{case_id}",
    response={200: CaseReviewOut, **errors(401, 403, 404)},
    summary="案件的法制审核状态：是否重大及依据、拟决定各版本、各轮审核、集体讨论、能否作出决定",
)
def case_status(request: HttpRequest, case_id: int) -> Any:
    return _case_review(_case(request, case_id))


# Handler's operations -------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/drafts",
    response={201: CaseReviewOut, **errors(401, 403, 404, 409, 422)},
    summary="拟定/修改处理决定（每次保存为新版本，此前的审核同意不适用于新版本）",
)
def save_draft(request: HttpRequest, case_id: int, payload: DraftIn) -> Any:
    case = _case(request, case_id)
    bracket = None
    if payload.bracket_id is not None:
        bracket = DiscretionBracket.objects.filter(pk=payload.bracket_id).first()
        if bracket is None:
            raise InvalidInput("裁量基准不存在。", details={"bracket_id": ["裁量基准不存在。"]})
    services.save_draft(
        actor=request.user,
        case=case,
        measures=list(payload.measures),
        facts=payload.facts,
        legal_basis=payload.legal_basis,
        decision_text=payload.decision_text,
        fine_amount=payload.fine_amount,
        confiscation_value=payload.confiscation_value,
        bracket=bracket,
        outside_bracket_reason=payload.outside_bracket_reason,
        flags=payload.flags,
    )
    return Status(201, _case_review(case))


@router.post(
    "/cases/{case_id}/major",
    response={201: CaseReviewOut, **errors(401, 403, 404, 422)},
    summary="承办人认定为重大执法决定（不能撤回）",
)
def mark_major(request: HttpRequest, case_id: int, payload: ReasonIn) -> Any:
    case = _case(request, case_id)
    services.mark_major(actor=request.user, case=case, reason=payload.reason)
    return Status(201, _case_review(case))


@router.post(
    "/cases/{case_id}/submissions",
    response={201: RoundOut, **errors(401, 403, 404, 409, 422)},
    summary="提交法制审核（送审材料不完整的，details.missing 列出所缺内容）",
)
def submit(request: HttpRequest, case_id: int) -> Any:
    sent = services.submit_for_review(actor=request.user, case=_case(request, case_id))
    return Status(201, _round(sent))


@router.post(
    "/requests/{request_id}/escalation",
    response={200: RoundOut, **errors(401, 403, 404, 409, 422)},
    summary="对“存在问题”的审核意见有异议，提交集体讨论",
)
def escalate(request: HttpRequest, request_id: int, payload: ReasonIn) -> Any:
    done = services.escalate(actor=request.user, request=_request(request, request_id), reason=payload.reason)
    return _round(done)


@router.post(
    "/cases/{case_id}/discussions",
    response={201: DiscussionOut, **errors(401, 403, 404, 422)},
    summary="录入集体讨论（局领导）",
)
def record_discussion(request: HttpRequest, case_id: int, payload: DiscussionIn) -> Any:
    case = _case(request, case_id)
    linked = _request(request, payload.request_id) if payload.request_id is not None else None
    discussion = services.record_collective_discussion(
        actor=request.user,
        case=case,
        held_on=payload.held_on,
        chair=payload.chair,
        attendees=payload.attendees,
        minutes=payload.minutes,
        decision=payload.decision,
        request=linked,
    )
    return Status(201, _discussion(discussion))


# Reviewer's operations ------------------------------------------------------------------------


@router.get("/queue", response={200: list[RoundOut], **errors(401)}, summary="待审核（最早到期在前）")
def review_queue(request: HttpRequest, scope: Query[Literal["mine", "all"]] = "mine") -> Any:
    """For review roles ``mine`` is their own rounds plus the unassigned ones; ``all`` every open
    round of the cases the user may see."""
    return [_round(r) for r in status.queue_for(request.user, show_all=scope == "all")]


@router.get(
    "/requests/{request_id}",
    response={200: RoundDetailOut, **errors(401, 403, 404)},
    summary="一轮送审：送审材料、审核意见，以及当前用户能否审核",
)
def get_request(request: HttpRequest, request_id: int) -> Any:
    found = _request(request, request_id)
    me = permissions.person_of(request.user)
    return {
        **_round(found),
        "package": found.package,
        "package_sha256": found.package_digest,
        "reviewer_refusal": services.reviewer_refusal(found.case, me) if me else "您不是法制审核人员。",
    }


@router.post(
    "/requests/{request_id}/assignment",
    response={200: RoundOut, **errors(401, 403, 404, 409, 422)},
    summary="领取或指定审核人员（承办过本案、未登记法律职业资格的人员被拒绝并说明原因）",
)
def assign(request: HttpRequest, request_id: int, payload: AssignIn) -> Any:
    found = _request(request, request_id)
    if payload.reviewer_id is None:
        reviewer = permissions.person_of(request.user)
    else:
        reviewer = Person.objects.filter(pk=payload.reviewer_id, body_id=found.case.body_id).first()
    if reviewer is None:
        raise NotFound("审核人员不存在。")
    return _round(services.assign_reviewer(actor=request.user, request=found, reviewer=reviewer))


@router.post(
    "/requests/{request_id}/extension",
    response={200: RoundOut, **errors(401, 403, 404, 409, 422)},
    summary="批准延长审核期限（一次）",
)
def extend(request: HttpRequest, request_id: int, payload: ReasonIn) -> Any:
    done = services.extend_review(
        actor=request.user, request=_request(request, request_id), reason=payload.reason
    )
    return _round(done)


@router.post(
    "/requests/{request_id}/opinion",
    response={201: RoundOut, **errors(401, 403, 404, 409, 422)},
    summary="出具法制审核意见（八项要点逐项判断）",
)
def record_opinion(request: HttpRequest, request_id: int, payload: OpinionIn) -> Any:
    found = _request(request, request_id)
    services.record_opinion(
        actor=request.user,
        request=found,
        result=payload.result,
        checklist={code: point.dict() for code, point in payload.checklist.items()},
        problems=payload.problems,
        changes_required=payload.changes_required,
    )
    return Status(
        201, _round(ReviewRequest.objects.select_related("case", "draft", "reviewer").get(pk=found.pk))
    )


# Catalogue and accountability -----------------------------------------------------------------


def _criterion(c: Any) -> dict[str, Any]:
    return {
        **{
            f: getattr(c, f)
            for f in (
                "id",
                "code",
                "name",
                "kind",
                "act_types",
                "party_kind",
                "amount_field",
                "threshold",
                "measure",
                "flag",
                "needs_hearing",
                "collective_discussion",
                "basis",
                "active",
                "effective_from",
                "change_reason",
            )
        },
        "kind_label": c.get_kind_display(),
    }


@router.get(
    "/criteria", response={200: list[CriterionOut], **errors(401)}, summary="法制审核目录清单（某日施行的）"
)
def list_criteria(request: HttpRequest, on: datetime.date | None = None) -> Any:
    return [_criterion(c) for c in selectors.criteria_in_force(on or timezone.localdate())]


@router.get(
    "/criteria/{code}/history",
    response={200: list[CriterionOut], **errors(401, 404)},
    summary="目录清单某一条的全部版本（最新在前）",
)
def criterion_history(request: HttpRequest, code: str) -> Any:
    rows = catalogue.criterion_history(code)
    if not rows:
        raise NotFound(f"目录清单中没有{code}。")
    return [_criterion(c) for c in rows]


@router.post(
    "/criteria",
    response={201: CriterionOut, **errors(401, 403, 409, 422)},
    summary="调整法制审核目录清单：新增一条、某条的新版本或停用（试点办、系统管理员）",
)
def add_criterion(request: HttpRequest, payload: CriterionIn) -> Any:
    row = catalogue.add_criterion(actor=request.user, **payload.dict())
    return Status(201, _criterion(MajorCriterion.objects.get(pk=row.pk)))  # as stored (2 decimals)


@router.get(
    "/accountability",
    response={200: list[AccountabilityOut], **errors(401, 403, 422)},
    summary="责任追究记录（监督员、局领导、试点办、系统管理员）",
)
@paginated
def list_accountability(
    request: HttpRequest,
    kind: Literal["", "decide_without_review", "late_review", "bypass"] = "",
) -> Any:
    if not status.may_see_accountability(request.user):
        raise NotPermitted("责任追究记录仅向监督员、局领导、试点办和系统管理员开放。")
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "kind_label": r.get_kind_display(),
            "case_id": r.case_id,
            "case_number": r.case.number,
            "actor_name": r.actor_name,
            "occurred_at": r.occurred_at,
            "details": r.details,
        }
        for r in status.accountability_for(request.user, kind)
    ]
