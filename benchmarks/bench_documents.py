"""Enforcement documents: penalty decisions generated end to end through the service (number,
Typst PDF, docxtpl Word file, SHA-256 and SM3, content-addressed storage, the record event)."""

from __future__ import annotations

import time
from decimal import Decimal


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
    generate_document(actor=officer, case=case, template="penalty_decision")  # fonts loaded, warm
    rounds = 40
    began = time.perf_counter()
    for _ in range(rounds):
        generate_document(actor=officer, case=case, template="penalty_decision")
    elapsed = time.perf_counter() - began
    print(f"pdf_documents_per_s: {rounds / elapsed:,.1f} per s (target ≥ 5)")
