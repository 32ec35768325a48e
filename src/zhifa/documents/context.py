"""What a document says: the snapshot of the case that is filled into its template.

Everything here is plain JSON (stored on the ``Document`` as ``context``, passed to Typst as
``sys.inputs.data`` and to docxtpl as its context). Periods and rates come from the rule rows in
force on the day of generation (T10, T14, T25, T27 …), never from literals.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhifa.cases.definitions import workflow_for
from zhifa.cases.documents_catalog import DOCUMENTS, MADE_BY_REVIEW
from zhifa.cases.models import Case, PartyKind
from zhifa.catalog.citations import basis_lines, format_citation
from zhifa.catalog.models import BasisPurpose
from zhifa.catalog.selectors import rule_in_force
from zhifa.core.errors import InvalidInput
from zhifa.documents.formatting import chinese_date, rmb_capital, rule_text, yuan_figures
from zhifa.records.models import EventType, RecordEvent

SEAL_PLACEHOLDER = "（印章）"

# name in the context → (rule code, variant). Each is read from the row in force on the day.
RULES: dict[str, tuple[str, str]] = {
    "hearing_request": ("T10", ""),
    "hearing_notice": ("T11", ""),
    "payment": ("T14", ""),
    "late_penalty": ("T14", "late_penalty"),
    "correction": ("T17", ""),
    "licensing": ("T18", ""),
    "licence_issue": ("T19", ""),
    "seizure": ("T23", ""),
    "court_application": ("T25", "court_application"),
    "demand": ("T25", "demand_notice"),
    "reconsideration": ("T27", "reconsideration"),
    "litigation": ("T27", "litigation"),
}

# Documents that cannot be written without a decided amount.
NEEDS_AMOUNT = frozenset(
    {"penalty_decision", "summary_decision", "prior_notice", "fee_notice", "levy_notice", "demand_notice"}
)


def _rules(day: datetime.date) -> tuple[dict[str, str], dict[str, str]]:
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name, (code, variant) in RULES.items():
        rule = rule_in_force(code, variant, day)
        if rule is None:
            label = f"{code}/{variant}" if variant else code
            raise InvalidInput(f"法定时限与标准中缺少规则{label}，不能生成文书；请先在“时限与标准”中配置。")
        texts[name] = rule_text(rule)
        sources[name] = f"{rule.code}{'/' + rule.variant if rule.variant else ''} {rule.basis}"
    return texts, sources


def _hearing_threshold(case: Case, day: datetime.date) -> Decimal | None:
    variant = "individual" if case.party_kind == PartyKind.PERSON else "organisation"
    rule = rule_in_force("T30", variant, day)
    return rule.quantity if rule is not None else None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _bases(case: Case) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {p: [] for p in BasisPurpose.values}
    for basis in case.item_version.bases.select_related("provision", "provision__law"):
        provision = basis.provision
        grouped[basis.purpose].append(
            {
                "citation": format_citation(provision.law.short_title, provision.label),
                "law": provision.law.title,
                "text": provision.text,
            }
        )
    return grouped


def _evidence(case: Case) -> list[str]:
    """The case's evidence as the record lists it; the documents say 见案卷 until any is recorded."""
    items: list[str] = []
    for event in RecordEvent.objects.filter(case=case, event_type=EventType.EVIDENCE_ADDED).order_by("id"):
        after = event.after or {}
        label = next(
            (str(after[k]) for k in ("title", "name", "description", "filename") if after.get(k)),
            event.step or "证据材料",
        )
        if label not in items:
            items.append(label)
    return items or ["见案卷"]


def _references(case: Case) -> dict[str, dict[str, str]]:
    """The latest version of each document already generated for the case (number, date)."""
    from zhifa.documents.models import Document

    refs: dict[str, dict[str, str]] = {}
    for doc in Document.objects.filter(case=case).order_by("template", "-version"):
        if doc.template not in refs:
            refs[doc.template] = {
                "title": doc.title,
                "number": doc.number,
                # The date the document bears (its context), not the wall-clock of generation.
                "date": str(
                    doc.context.get("date") or chinese_date(timezone.localtime(doc.generated_at).date())
                ),
            }
    return refs


def _steps(case: Case) -> dict[str, str]:
    """Steps taken (transition code → reason given), from the record."""
    steps: dict[str, str] = {}
    for step, reason in RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION).values_list(
        "step", "reason"
    ):
        steps[step] = reason or steps.get(step, "")
    return steps


def _officers(case: Case, day: datetime.date) -> list[dict[str, str]]:
    rows = []
    for officer in case.officers.select_related("person").filter(recused_at__isnull=True).order_by("id"):
        credential = officer.person.valid_credential(day)
        rows.append(
            {
                "name": officer.person.name,
                "role": officer.get_role_display(),
                "credential": credential.number if credential else "",
            }
        )
    return rows


def _decision_measures(case: Any) -> list[str]:
    """The measures of the decided draft besides the fine (e.g. 责令停产停业), so the decision
    states everything that was reviewed and decided, not only the amount."""
    from django.apps import apps

    if not apps.is_installed("zhifa.review"):
        return []
    from zhifa.review.models import Measure
    from zhifa.review.selectors import latest_draft

    draft = latest_draft(case)
    if draft is None:
        return []
    shown = (Measure.SUSPENSION, Measure.REVOCATION, Measure.DOWNGRADE, Measure.CONFISCATION, Measure.WARNING)
    labels = []
    for code in draft.measures:
        if code in shown:
            label = Measure(code).label
            if code == Measure.CONFISCATION and draft.confiscation_value is not None:
                label = f"{label}（价值{draft.confiscation_value:,.2f}元）"
            labels.append(label)
    return labels


def build_context(
    *, case: Case, template: str, number: str, day: datetime.date, source: Any = None
) -> dict[str, Any]:
    """The JSON snapshot a template is filled from. Raises ``InvalidInput`` (Chinese) when the case
    lacks what the document must state (the amount of a penalty, a rule row).

    A legal review document also states its ``source`` (the ``ReviewOpinion`` or
    ``CollectiveDiscussion``; without one it is a blank form), see ``review_context``."""
    doc_type = DOCUMENTS[template]
    if template in NEEDS_AMOUNT and case.amount is None:
        raise InvalidInput(f"案件尚未确定金额，不能生成《{doc_type.title}》。", code="amount_missing")
    rules, rule_sources = _rules(day)
    body = case.body
    is_person = case.party_kind == PartyKind.PERSON
    amount = case.amount
    threshold = _hearing_threshold(case, day)
    refs = _references(case)
    served = [
        {"title": ref["title"], "number": ref["number"]}
        for code, ref in sorted(refs.items(), key=lambda kv: DOCUMENTS[kv[0]].order)
        if DOCUMENTS[code].served_on_party
    ]
    index = [
        {"title": ref["title"], "number": ref["number"], "date": ref["date"]}
        for code, ref in sorted(refs.items(), key=lambda kv: DOCUMENTS[kv[0]].order)
        if code != "case_file_index"
    ]
    workflow = workflow_for(case.act_type, case.procedure)
    state_label = workflow.state(case.state).label if case.state else ""
    review: dict[str, Any] = {}
    if doc_type.made_by == MADE_BY_REVIEW:
        from zhifa.documents.review_context import review_blocks

        review = review_blocks(template, source, chinese_date(day))
    return {
        "decision_measures": _decision_measures(case),
        "template": template,
        "title": doc_type.title,
        "number": number,
        "date": chinese_date(day),
        "year": day.year,
        "seal": SEAL_PLACEHOLDER,
        "body": {
            "name": body.name,
            "short_name": body.short_name,
            "address": body.address,
            "phone": body.phone,
            "supervision_phone": body.supervision_phone,
            "jurisdiction": body.jurisdiction,
        },
        "reconsideration_body": f"{body.jurisdiction}人民政府" if body.jurisdiction else "本级人民政府",
        "case": {
            "number": case.number,
            "title": case.title,
            "act_type": case.get_act_type_display(),
            "procedure": case.get_procedure_display(),
            "state": state_label,
            "unit": case.unit.name,
            "facts": _paragraphs(case.facts) or ["（案情待补充）"],
            "location": case.location,
            "opened_on": chinese_date(case.opened_on),
            "closed_on": chinese_date(case.closed_on) if case.closed_on else "",
            "amount": yuan_figures(amount) if amount is not None else "",
            "amount_capital": rmb_capital(amount) if amount is not None else "",
            "contract_price": yuan_figures(case.contract_price) if case.contract_price is not None else "",
        },
        "party": {
            "is_person": is_person,
            "kind": case.get_party_kind_display(),
            "name": case.party_name,
            "id_label": "居民身份证号码" if is_person else "统一社会信用代码",
            "id_number": case.party_id_number,
            "representative_label": "" if is_person else "法定代表人（负责人）",
            "representative": case.party_representative,
            "address": case.party_address,
            "phone": case.party_phone,
            "you": "你" if is_person else "你单位",
        },
        "officers": _officers(case, day),
        "item": {
            "code": case.item.code,
            "name": case.item_version.name,
            "version": case.item_version.number,
            "materials": _paragraphs(case.item_version.materials),
        },
        "bases": _bases(case),
        "other_basis": basis_lines(case.item_version.other_basis),
        "evidence": _evidence(case),
        "rules": rules,
        "rule_sources": rule_sources,
        # 行政处罚法 Art. 63: a 较大数额 fine (T30 per party kind) gives the right to a hearing.
        "hearing_right": amount is not None and threshold is not None and amount >= threshold,
        "steps": _steps(case),
        "refs": refs,
        "served_documents": served,
        "case_file": index,
        **review,
    }
