"""Guards: named rules a transition must satisfy. Each returns the refusals (Chinese), empty if
the rule holds. Limits come from the rule rows (T13b, T15 …), never from literals."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.models import Case, PartyKind
from zhifa.cases.workflow import Transition, Workflow
from zhifa.catalog.models import AvRequirementLevel, CaseStep
from zhifa.catalog.selectors import rule_in_force
from zhifa.records.models import EventType, RecordEvent


@dataclass
class GuardContext:
    actor: Any
    today: datetime.date
    workflow: Workflow
    transition: Transition
    data: dict[str, Any] = field(default_factory=dict)

    def amount(self, case: Case) -> Decimal | None:
        value = self.data.get("amount", case.amount)
        return Decimal(value) if value is not None else None


Guard = Callable[[Case, GuardContext], list[str]]


def _rule_quantity(code: str, variant: str = "", on: datetime.date | None = None) -> Decimal:
    rule = rule_in_force(code, variant, on)
    if rule is None:
        raise LookupError(f"规则 {code}{'/' + variant if variant else ''} 未配置")
    return rule.quantity


def two_certified_officers(case: Case, ctx: GuardContext) -> list[str]:
    """行政处罚法 Art. 42 (T13b): at least two officers with valid credentials, recused ones not counted."""
    needed = int(_rule_quantity("T13b", on=ctx.today))
    active = [o for o in case.officers.select_related("person") if o.recused_at is None]
    certified = [o for o in active if o.person.valid_credential(ctx.today) is not None]
    if len(certified) >= needed:
        return []
    missing = [o.person.name for o in active if o not in certified]
    detail = f"（{'、'.join(missing)}无有效执法证）" if missing else ""
    return [f"本环节须由不少于{needed}名持有效执法证的执法人员实施，目前只有{len(certified)}名{detail}。"]


def summary_ceiling(case: Case, ctx: GuardContext) -> list[str]:
    """行政处罚法 Art. 51 (T15): 简易程序 only up to 200 元 (公民) / 3,000 元 (组织), or a warning."""
    amount = ctx.amount(case)
    if amount is None:
        return ["请填写罚款金额（仅警告的填 0）。"]
    variant = "individual" if case.party_kind == PartyKind.PERSON else "organisation"
    ceiling = _rule_quantity("T15", variant, ctx.today)
    if amount > ceiling:
        who = "公民" if variant == "individual" else "法人或者其他组织"
        return [
            f"简易程序对{who}的罚款不得超过{ceiling.normalize():f}元（行政处罚法第五十一条），本案拟罚{amount:f}元，请适用普通程序。"
        ]
    return []


def amount_set(case: Case, ctx: GuardContext) -> list[str]:
    amount = ctx.amount(case)
    if amount is None:
        return ["请填写金额（元）。"]
    if amount < 0:
        return ["金额不能为负数。"]
    return []


def _notified_amount(case: Case) -> Decimal | None:
    event = (
        RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION, step="notify_party")
        .order_by("-id")
        .first()
    )
    if event is None or event.after.get("amount") in (None, ""):
        return None
    return Decimal(str(event.after["amount"]))


def no_heavier_after_defence(case: Case, ctx: GuardContext) -> list[str]:
    """行政处罚法 Art. 45: the party's statement or defence never leads to a heavier penalty."""
    notified = _notified_amount(case)
    amount = ctx.amount(case)
    if notified is not None and amount is not None and amount > notified:
        return [
            f"不得因当事人陈述、申辩而加重处罚（行政处罚法第四十五条）：告知的罚款为{notified:f}元，决定不能高于此数。"
        ]
    return []


def _recorded_av_steps(case: Case) -> set[str]:
    return set(
        RecordEvent.objects.filter(
            case=case, event_type=EventType.EVIDENCE_ADDED, after__is_av=True
        ).values_list("step", flat=True)
    )


def av_recorded(case: Case, ctx: GuardContext) -> list[str]:
    """The item's 音像记录事项清单: a step that requires audio/video cannot complete without it."""
    step = ctx.transition.av_step
    if not step:
        return []
    required = case.item_version.av_requirements.filter(step=step, level=AvRequirementLevel.REQUIRED).exists()
    if required and step not in _recorded_av_steps(case):
        return [f"“{CaseStep(step).label}”环节须全程音像记录，请先上传该环节的音像记录。"]
    return []


def produced_documents(case: Case) -> set[str]:
    return set(
        RecordEvent.objects.filter(case=case, event_type=EventType.DOCUMENT_GENERATED).values_list(
            "after__template", flat=True
        )
    )


def documents_due(case: Case, workflow: Workflow) -> list[str]:
    """The documents the steps taken so far produce, in workflow order: what may be generated now.
    A document belongs to a step; it is made once that step has been taken, never before."""
    taken = set(
        RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION).values_list("step", flat=True)
    )
    out: list[str] = []
    for transition in workflow.transitions:
        if transition.code in taken:
            out.extend(d for d in transition.documents if d not in out)
    return out


def missing_for_case_file(
    case: Case, workflow: Workflow, *, excluding: Transition | None = None
) -> list[str]:
    """What the case file lacks: each document a step already taken should have produced, and each
    audio/video record the item's list requires for those steps."""
    taken = list(
        RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION).values_list("step", flat=True)
    )
    produced = produced_documents(case)
    av_done = _recorded_av_steps(case)
    required_av = set(
        case.item_version.av_requirements.filter(level=AvRequirementLevel.REQUIRED).values_list(
            "step", flat=True
        )
    )
    missing: list[str] = []
    for code in dict.fromkeys(taken):
        try:
            transition = workflow.transition(code)
        except KeyError:
            continue
        if excluding is not None and transition.code == excluding.code:
            continue
        for doc in transition.documents:
            if doc not in produced:
                missing.append(f"缺少文书：{DOCUMENTS[doc].title}（{transition.label}）")
        if transition.av_step in required_av and transition.av_step not in av_done:
            missing.append(f"缺少音像记录：{CaseStep(transition.av_step).label}（{transition.label}）")
    return list(dict.fromkeys(missing))


def case_file_complete(case: Case, ctx: GuardContext) -> list[str]:
    missing = missing_for_case_file(case, ctx.workflow, excluding=ctx.transition)
    if missing:
        return ["案卷不完整，不能结案", *missing]
    return []


def statement_period_over(case: Case, ctx: GuardContext) -> list[str]:
    """行政处罚法 Arts. 44, 45, 64 (T10): no decision while the party may still state a defence or
    ask for a hearing, unless the party's statement (or waiver) has been recorded."""
    from zhifa.cases.models import Clock

    clock = Clock.objects.filter(case=case, code="T10", stopped_on__isnull=True).first()
    if clock is not None and ctx.today <= clock.due_on:
        return [
            f"当事人陈述、申辩和要求听证的期限（{clock.basis}）至{clock.due_on:%Y年%-m月%-d日}届满，"
            "期满前不得作出处罚决定；当事人已陈述申辩或明确放弃的，请先记录。"
        ]
    return []


def legal_review(case: Case, ctx: GuardContext) -> list[str]:
    """行政处罚法 Arts. 57–58: a major decision only after legal review said 同意 for the very draft
    being decided (and 集体讨论 where the catalogue requires it). The rules live in ``review``."""
    from zhifa.review.selectors import gate_refusals

    return gate_refusals(case, ctx.transition.code, ctx.data, ctx.today)


GUARDS: dict[str, Guard] = {
    "legal_review": legal_review,
    "statement_period_over": statement_period_over,
    "two_certified_officers": two_certified_officers,
    "summary_ceiling": summary_ceiling,
    "amount_set": amount_set,
    "no_heavier_after_defence": no_heavier_after_defence,
    "av_recorded": av_recorded,
    "case_file_complete": case_file_complete,
}
