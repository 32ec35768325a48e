"""The whole-process record as people read it: step names and a one-line summary per event,
instead of the stored codes (the codes stay in the record and in the exported events.json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.models import Case, OfficerRole
from zhifa.cases.selectors import timeline, workflow_of
from zhifa.cases.workflow import Workflow
from zhifa.catalog.models import CaseStep
from zhifa.ledger.selectors import LeafStatus, statuses
from zhifa.records.models import EventType, RecordEvent

_CLOCK_VERBS = {"start": "起算", "pause": "中止", "resume": "恢复", "stop": "终止"}


@dataclass(frozen=True)
class Row:
    event: RecordEvent
    step_label: str
    summary: str
    leaf: LeafStatus | None = None  # its place in the ledger, and whether a checkpoint covers it


def _state(workflow: Workflow, code: Any) -> str:
    try:
        return workflow.state(str(code)).label
    except KeyError:
        return str(code)


def _step_label(workflow: Workflow, event: RecordEvent) -> str:
    step = event.step
    if not step:
        return ""
    for lookup in (lambda: workflow.transition(step).label, lambda: workflow.state(step).label):
        try:
            return lookup()
        except KeyError:
            pass
    if step in DOCUMENTS:
        return DOCUMENTS[step].title
    if step in CaseStep.values:
        return str(CaseStep(step).label)
    return step


def _clocks(changes: list[dict[str, Any]]) -> str:
    parts = []
    for c in changes:
        verb = _CLOCK_VERBS.get(c.get("action", ""), c.get("action", ""))
        due = (
            f"（届满日 {c['due_on']}）" if c.get("action") in {"start", "resume"} and c.get("due_on") else ""
        )
        parts.append(f"{c.get('code', '')}{verb}{due}")
    return "；期限：" + "，".join(parts) if parts else ""


def _summary(workflow: Workflow, event: RecordEvent) -> str:
    a, b = event.after, event.before
    kind = event.event_type
    if kind == EventType.CASE_OPENED:
        return (
            f"案号 {a.get('number', '')}；执法事项 {a.get('item', '')} 第{a.get('item_version', '')}版；"
            f"当事人 {a.get('party_name', '')}；状态：{_state(workflow, a.get('state'))}"
        )
    if kind == EventType.TRANSITION:
        text = f"{_state(workflow, b.get('state'))} → {_state(workflow, a.get('state'))}"
        if a.get("amount") is not None:
            text += f"；金额 {a['amount']} 元"
        return text + _clocks(a.get("clocks", []))
    if kind == EventType.OFFICER_ASSIGNED:
        role = OfficerRole(a["role"]).label if a.get("role") in OfficerRole.values else a.get("role", "")
        credential = f"执法证 {a['credential']}" if a.get("credential") else "无有效执法证"
        return f"{a.get('name', '')}（{role}，{credential}）"
    if kind == EventType.OFFICER_RECUSED:
        return f"{a.get('name', '')} 回避"
    if kind == EventType.DOCUMENT_GENERATED:
        number = f" {a['number']}" if a.get("number") else ""
        known = DOCUMENTS.get(a.get("template", ""))
        title = a.get("title") or (known.title if known else a.get("template", ""))
        return f"《{title}》{number} 第{a.get('version', 1)}版；SHA-256 {_short(a.get('sha256'))}"
    if kind == EventType.EVIDENCE_ADDED:
        av = "音像记录" if a.get("is_av") else "证据"
        media = a.get("media_type", a.get("kind", ""))
        return f"{av}（{media}，{a.get('size', '?')} 字节）；SHA-256 {_short(a.get('sha256'))}"
    if kind == EventType.CLOCK_EXTENDED:
        due = f"{b.get('due_on', '')} → {a.get('due_on', '')}"
        return f"{a.get('code', '')} 延长 {a.get('days', '')} 日，届满日 {due}"
    return "；".join(f"{k}：{v}" for k, v in a.items())


def _short(digest: Any) -> str:
    return f"{str(digest or '')[:12]}…"


def rows(case: Case) -> list[Row]:
    workflow = workflow_of(case)
    events = list(timeline(case))
    leaves = statuses(events)
    return [Row(e, _step_label(workflow, e), _summary(workflow, e), leaves.get(e.pk)) for e in events]
