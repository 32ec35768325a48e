"""Where the 双公示 fields come from: the case, its item version's legal bases, the latest draft
decision of the review app, and the decision document's number. Nobody copies them by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from zhifa.cases.models import Case
from zhifa.catalog.models import BasisPurpose
from zhifa.disclosure.models import KIND_FIELDS, PublicationKind
from zhifa.documents.models import Document
from zhifa.review.models import Measure
from zhifa.review.selectors import latest_draft

# The decision steps that are published, what they publish, under which time limit (T2 双公示 for
# penalties and licences, T1 事后公开 for inspection results), and the document that carries the
# number. A refused licence is not published; nor is a 简易程序 penalty (decide_on_site), which
# local practice leaves out of 双公示 — a rule row could bring it in later.
PUBLISHED_STEPS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("penalty", "decide"): (PublicationKind.PENALTY, "T2", "penalty_decision"),
    ("licensing", "approve"): (PublicationKind.LICENSING, "T2", "licensing_decision"),
    ("inspection", "conclude"): (PublicationKind.INSPECTION, "T1", "inspection_result"),
}


def document_number(case: Case, template: str) -> str:
    document = Document.objects.filter(case=case, template=template).order_by("-version").first()
    return document.number if document is not None else ""


def _bases(case: Case) -> str:
    bases = case.item_version.bases.select_related("provision__law").order_by("sort_order", "id")
    wanted = [b for b in bases if b.purpose in (BasisPurpose.PENALTY, BasisPurpose.VIOLATED)] or list(bases)
    return "；".join(str(b.provision) for b in wanted)


def _yuan(value: Decimal | None) -> str:
    return f"罚款人民币{value:,.2f}元" if value else ""


def draw_fields(case: Case, *, kind: str, template: str, decided_on: datetime.date) -> dict[str, Any]:
    """The unmasked public fields of ``kind`` for ``case`` as things stand now."""
    draft = latest_draft(case)
    measures = [Measure(m).label for m in (draft.measures if draft else []) if m in Measure.values]
    fine = (draft.fine_amount if draft else None) or case.amount
    result = "；".join(p for p in (_yuan(fine), draft.decision_text.strip() if draft else "") if p)
    values: dict[str, Any] = {
        "document_number": document_number(case, template),
        "facts": (draft.facts if draft else case.facts).strip() or case.title,
        "basis": (draft.legal_basis.strip() if draft else "") or _bases(case),
        "category": "、".join(measures) or ("罚款" if fine else "警告"),
        "result": result or ("警告" if not fine else ""),
        "project_name": case.title,
        "approval_category": case.item_version.name,
        "licence_content": (draft.decision_text.strip() if draft else "") or case.facts.strip() or case.title,
        "item": case.item_version.name,
        "party_name": case.party_name,
        "party_id": case.party_id_number,
        "authority": case.body.name,
        "decision_date": decided_on.isoformat(),
    }
    if kind == PublicationKind.INSPECTION:
        values["result"] = case.facts.strip() or "检查结论见检查结果告知书"
    return {name: values[name] for name in KIND_FIELDS[kind]}
