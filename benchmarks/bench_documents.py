"""Enforcement documents: penalty decisions generated end to end through the service (number,
Typst PDF, docxtpl Word file, SHA-256 and SM3, content-addressed storage, the record event)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any


def _to_decision(case: Any, officer: Any, amount: Decimal) -> Any:
    """Take the case to 已作出决定 (a decision document exists only after its step), with the
    audio/video each step's item requires recorded as the evidence app would."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from zhifa.cases.definitions import workflow_for
    from zhifa.cases.services import perform_transition
    from zhifa.records.models import EventType
    from zhifa.records.services import append_event

    head = get_user_model().objects.get(username="head")
    day = datetime.date(2026, 3, 2)
    workflow = workflow_for(case.act_type, case.procedure)
    path = [
        ("check_lead", officer, {}),
        ("approve_opening", head, {}),
        ("finish_investigation", officer, {}),
        ("notify_party", officer, {"amount": amount}),
        ("record_defence", officer, {}),
        ("decide", head, {"amount": amount}),
    ]
    for code, actor, data in path:
        step = workflow.transition(code)
        if step.av_step:
            with transaction.atomic():
                append_event(
                    actor=officer,
                    event_type=EventType.EVIDENCE_ADDED,
                    case=case,
                    step=step.av_step,
                    after={"is_av": True, "kind": "video"},
                )
        case = perform_transition(
            actor=actor, case=case, transition=code, data=data, reason="基准测试", today=day
        )
    return case


def run() -> None:
    from django.contrib.auth import get_user_model

    from zhifa.cases.services import open_case
    from zhifa.catalog.models import EnforcementItem
    from zhifa.core.identifiers import uscc_check_character
    from zhifa.demo.loader import load_demo
    from zhifa.documents.services import generate_document
    from zhifa.org.models import Person

    load_demo(password="bench-only")
    officer = get_user_model().objects.get(username="officer")
    colleague = Person.objects.get(user__username="officer2")
    item = EnforcementItem.objects.get(code="ZJ-CF-001")
    code17 = "91430400MA4L98765"
    case = open_case(
        actor=officer,
        item=item,
        party_kind="organisation",
        party_name="衡阳市基准测试建设有限公司",
        party_id_number=code17 + uscc_check_character(code17),
        party_address="衡阳市蒸湘区解放大道18号",
        facts="当事人未取得施工许可证擅自开工建设。",
        amount=Decimal("50000"),
        officers=[officer.person, colleague],
    )
    case = _to_decision(case, officer, Decimal("50000"))
    generate_document(actor=officer, case=case, template="penalty_decision")  # fonts loaded, warm
    rounds = 40
    began = time.perf_counter()
    for _ in range(rounds):
        generate_document(actor=officer, case=case, template="penalty_decision")
    elapsed = time.perf_counter() - began
    print(f"pdf_documents_per_s: {rounds / elapsed:,.1f} per s (target ≥ 5)")
