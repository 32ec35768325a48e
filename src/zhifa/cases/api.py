"""Cases in the JSON API: list, read, open, and move along the workflow.

No ``from __future__ import annotations``: ninja reads the signatures at import time.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhifa.cases import selectors, services
from zhifa.cases.definitions import WORKFLOWS
from zhifa.cases.models import Case
from zhifa.catalog.models import EnforcementItem
from zhifa.core.api import errors, paginated
from zhifa.core.errors import NotFound, NotPermitted
from zhifa.org.models import Person

router = Router(tags=["执法案件"])


class OfficerOut(Schema):
    person_id: int
    name: str
    role: str
    recused: bool


class ClockOut(Schema):
    code: str
    variant: str
    label: str
    basis: str = Field(description="法律依据")
    kind: str
    started_on: datetime.date
    due_on: datetime.date
    paused: bool
    stopped_on: datetime.date | None


class StepOut(Schema):
    code: str
    label: str
    fields: list[str]
    needs_reason: bool


class CaseOut(Schema):
    id: int
    number: str = Field(description="案号，如“衡住建罚案〔2026〕12号”")
    act_type: str
    procedure: str
    title: str
    state: str
    state_label: str
    version: int = Field(description="并发控制版本号：办理环节时原样提交")
    item_code: str
    item_version: int
    unit: str
    party_kind: str
    party_name: str
    amount: Decimal | None
    opened_on: datetime.date
    closed_on: datetime.date | None


class CaseDetailOut(CaseOut):
    facts: str
    officers: list[OfficerOut]
    clocks: list[ClockOut]
    available_steps: list[StepOut] = Field(description="当前用户现在可以办理的环节")
    missing_for_case_file: list[str] = Field(description="案卷尚缺的文书和音像记录")


class EventOut(Schema):
    id: int
    event_type: str
    step: str
    actor_name: str
    occurred_at: datetime.datetime
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    corrects_id: int | None
    digest: str


class OpenCaseIn(Schema):
    item_code: str
    procedure: Literal["general", "summary"] = "general"
    party_kind: Literal["person", "organisation"]
    party_name: str
    party_id_number: str
    title: str = ""
    facts: str = ""
    location: str = ""
    party_address: str = ""
    party_phone: str = ""
    party_representative: str = ""
    amount: Decimal | None = None
    contract_price: Decimal | None = None
    officer_ids: list[int] = Field(default_factory=list, description="承办人员ID，第一位为主办；留空则为本人")


class TransitionIn(Schema):
    expected_version: int = Field(description="读取案件时的 version；案件已被他人更新则返回 409")
    amount: Decimal | None = None
    reason: str = ""


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "act_type": case.act_type,
        "procedure": case.procedure,
        "title": case.title,
        "state": case.state,
        "state_label": selectors.state_label(case),
        "version": case.version,
        "item_code": case.item.code,
        "item_version": case.item_version.number,
        "unit": case.unit.name,
        "party_kind": case.party_kind,
        "party_name": case.party_name,
        "amount": case.amount,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
    }


def _detail(case: Case, user: Any) -> dict[str, Any]:
    from zhifa.cases.guards import missing_for_case_file

    return {
        **_summary(case),
        "facts": case.facts,
        "officers": [
            {
                "person_id": o.person_id,
                "name": o.person.name,
                "role": o.role,
                "recused": o.recused_at is not None,
            }
            for o in case.officers.select_related("person")
        ],
        "clocks": [
            {
                "code": c.code,
                "variant": c.variant,
                "label": c.label,
                "basis": c.basis,
                "kind": c.kind,
                "started_on": c.started_on,
                "due_on": c.due_on,
                "paused": c.paused_on is not None,
                "stopped_on": c.stopped_on,
            }
            for c in case.clocks.all()
        ],
        "available_steps": [
            {"code": s.code, "label": s.label, "fields": list(s.fields), "needs_reason": s.needs_reason}
            for s in selectors.actions_for(case, user)
        ],
        "missing_for_case_file": missing_for_case_file(case, selectors.workflow_of(case)),
    }


def _case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        if Case.objects.filter(pk=case_id).exists():
            raise NotPermitted("您无权查看该案件。")
        raise NotFound("案件不存在。")
    return case


@router.get("", response={200: list[CaseOut], **errors(401, 422)}, summary="案件列表")
@paginated
def list_cases(
    request: HttpRequest,
    scope: Query[Literal["mine", "all"]] = "mine",
    q: str = "",
    act_type: Literal["", "licensing", "penalty", "coercion", "fee", "levy", "inspection"] = "",
) -> Any:
    base = selectors.my_cases(request.user) if scope == "mine" else selectors.visible_cases(request.user)
    return [_summary(c) for c in selectors.search(base, query=q, act_type=act_type)]


@router.post("", response={201: CaseDetailOut, **errors(401, 403, 404, 409, 422)}, summary="立案/受理")
def create_case(request: HttpRequest, payload: OpenCaseIn) -> Any:
    item = EnforcementItem.objects.filter(code=payload.item_code).first()
    if item is None:
        raise NotFound(f"执法事项“{payload.item_code}”不存在。")
    officers = [Person.objects.filter(pk=pk).first() for pk in payload.officer_ids]
    if any(o is None for o in officers):
        raise NotFound("承办人员不存在。")
    case = services.open_case(
        actor=request.user,
        item=item,
        procedure=payload.procedure,
        party_kind=payload.party_kind,
        party_name=payload.party_name,
        party_id_number=payload.party_id_number,
        title=payload.title,
        facts=payload.facts,
        location=payload.location,
        party_address=payload.party_address,
        party_phone=payload.party_phone,
        party_representative=payload.party_representative,
        amount=payload.amount,
        contract_price=payload.contract_price,
        officers=[o for o in officers if o is not None] or None,
    )
    return Status(201, _detail(case, request.user))


@router.get("/{case_id}", response={200: CaseDetailOut, **errors(401, 403, 404)}, summary="案件详情")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _detail(_case(request, case_id), request.user)


@router.get(
    "/{case_id}/events", response={200: list[EventOut], **errors(401, 403, 404)}, summary="执法全过程记录"
)
def case_events(request: HttpRequest, case_id: int) -> Any:
    return list(selectors.timeline(_case(request, case_id)))


@router.post(
    "/{case_id}/transitions/{code}",
    response={200: CaseDetailOut, **errors(401, 403, 404, 409, 422)},
    summary="办理环节",
)
def transition_case(request: HttpRequest, case_id: int, code: str, payload: TransitionIn) -> Any:
    case = _case(request, case_id)
    data = {"amount": payload.amount} if payload.amount is not None else {}
    case = services.perform_transition(
        actor=request.user,
        case=case,
        transition=code,
        expected_version=payload.expected_version,
        data=data,
        reason=payload.reason,
    )
    return _detail(case, request.user)


class WorkflowOut(Schema):
    key: str
    label: str
    act_type: str
    procedure: str
    initial: str
    states: list[dict[str, Any]]
    transitions: list[dict[str, Any]]


@router.get("/workflows/", response={200: list[WorkflowOut], **errors(401)}, summary="各类执法行为的流程定义")
def list_workflows(request: HttpRequest) -> Any:
    return [
        {
            "key": w.key,
            "label": w.label,
            "act_type": w.act_type,
            "procedure": w.procedure,
            "initial": w.initial,
            "states": [{"code": s.code, "label": s.label, "terminal": s.terminal} for s in w.states],
            "transitions": [
                {
                    "code": t.code,
                    "label": t.label,
                    "source": list(t.source),
                    "target": t.target,
                    "roles": sorted(t.roles),
                    "guards": list(t.guards),
                    "documents": list(t.documents),
                    "av_step": t.av_step,
                    "clocks": [{"action": c.action, "code": c.code, "variant": c.variant} for c in t.clocks],
                }
                for t in w.transitions
            ],
        }
        for w in WORKFLOWS.values()
    ]


class OfficerIn(Schema):
    person_id: int


class RecusalIn(Schema):
    reason: str


class ExtensionIn(Schema):
    code: str = Field(description="期限规则编号，如 T8")
    variant: str = ""
    reason: str


class CorrectionIn(Schema):
    event_id: int
    correction: str = Field(description="更正后的内容")
    reason: str


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("人员不存在。")
    return person


@router.post(
    "/{case_id}/officers",
    response={200: CaseDetailOut, **errors(401, 403, 404, 409, 422)},
    summary="指派执法人员",
)
def assign_officer(request: HttpRequest, case_id: int, payload: OfficerIn) -> Any:
    case = _case(request, case_id)
    services.assign_officer(actor=request.user, case=case, person=_person(payload.person_id))
    return _detail(Case.objects.get(pk=case.pk), request.user)


@router.post(
    "/{case_id}/officers/{person_id}/recusal",
    response={200: CaseDetailOut, **errors(401, 403, 404, 422)},
    summary="执法人员回避",
)
def recuse_officer(request: HttpRequest, case_id: int, person_id: int, payload: RecusalIn) -> Any:
    case = _case(request, case_id)
    services.recuse_officer(actor=request.user, case=case, person=_person(person_id), reason=payload.reason)
    return _detail(Case.objects.get(pk=case.pk), request.user)


@router.post(
    "/{case_id}/extensions",
    response={200: CaseDetailOut, **errors(401, 403, 404, 409, 422)},
    summary="批准延长法定期限",
)
def extend_clock(request: HttpRequest, case_id: int, payload: ExtensionIn) -> Any:
    case = _case(request, case_id)
    services.extend_clock(
        actor=request.user, case=case, code=payload.code, variant=payload.variant, reason=payload.reason
    )
    return _detail(Case.objects.get(pk=case.pk), request.user)


@router.post(
    "/{case_id}/corrections", response={201: EventOut, **errors(401, 403, 404, 422)}, summary="追加更正记录"
)
def correct(request: HttpRequest, case_id: int, payload: CorrectionIn) -> Any:
    from zhifa.org import permissions
    from zhifa.org.models import Role
    from zhifa.records.services import correct_event

    case = _case(request, case_id)
    if not (
        selectors.is_on_case(case, request.user)
        or permissions.has_role(request.user, {Role.UNIT_HEAD, Role.LEADER}, case.unit)
    ):
        raise NotPermitted("只有承办人员或负责人可以更正记录。")
    event = case.events.filter(pk=payload.event_id).first()
    if event is None:
        raise NotFound("记录不存在。")
    fix = correct_event(
        actor=request.user,
        event=event,
        correction={"更正内容": payload.correction} if payload.correction.strip() else {},
        reason=payload.reason,
    )
    return Status(201, fix)


@router.get(
    "/{case_id}/case-file.zip",
    response={200: None, **errors(401, 403, 404, 409)},
    summary="导出封存电子案卷（BagIt，含账本包含证明与签名检查点，可用 zhifa verify 离线核验）",
)
def case_file(request: HttpRequest, case_id: int) -> Any:
    import tempfile

    from django.http import FileResponse

    from zhifa.cases import sealing

    case = _case(request, case_id)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        sealing.write_sealed(case, spool, actor=request.user)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return FileResponse(
        spool, content_type="application/zip", as_attachment=True, filename=f"{case.number}-封存电子案卷.zip"
    )


class LedgerEntryOut(Schema):
    event_id: int
    event_type: str
    leaf_index: int | None = Field(description="在账本中的序号；null 表示未入账本（应由核验报告）")
    checkpoint_id: int | None = Field(description="已纳入的最新检查点；null 表示等待下一检查点")
    proof_url: str | None


@router.get(
    "/{case_id}/ledger",
    response={200: list[LedgerEntryOut], **errors(401, 403, 404)},
    summary="案件每条记录在账本中的位置与包含证明链接",
)
def case_ledger(request: HttpRequest, case_id: int) -> Any:
    from zhifa.ledger.selectors import statuses

    case = _case(request, case_id)
    events = list(selectors.timeline(case))
    leaves = statuses(events)
    rows = []
    for event in events:
        leaf = leaves.get(event.pk)
        rows.append(
            {
                "event_id": event.pk,
                "event_type": event.event_type,
                "leaf_index": leaf.index if leaf else None,
                "checkpoint_id": leaf.checkpoint_id if leaf else None,
                "proof_url": f"/api/v1/ledger/leaves/{leaf.index}" if leaf else None,
            }
        )
    return rows


class DeadlineOut(Schema):
    case_id: int
    case_number: str
    code: str
    label: str
    basis: str
    due_on: datetime.date
    status: str = Field(description="overdue / due_soon / ok / paused")


@router.get("/deadlines/mine", response={200: list[DeadlineOut], **errors(401)}, summary="我的法定期限")
def my_deadlines(request: HttpRequest) -> Any:
    from django.utils import timezone

    from zhifa.cases.deadlines import classify, running_clocks
    from zhifa.org import permissions

    me = permissions.person_of(request.user)
    if me is None:
        return []
    today = timezone.localdate()
    return [
        {
            "case_id": c.case_id,
            "case_number": c.case.number,
            "code": c.code,
            "label": c.label,
            "basis": c.basis,
            "due_on": c.due_on,
            "status": classify(c, today),
        }
        for c in running_clocks(today=today, person=me).select_related("case")
    ]
