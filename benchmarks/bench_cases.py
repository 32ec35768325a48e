"""Case transitions through the service layer, each with its record event and clock work."""

from __future__ import annotations

import datetime
import time

# A day whose clocks end inside the loaded calendar years (2025–2026).
DAY = datetime.date(2026, 3, 2)


def run() -> None:
    from zhifa.cases import services
    from zhifa.catalog.models import EnforcementItem
    from zhifa.core.identifiers import uscc_check_character
    from zhifa.demo.loader import load_demo
    from zhifa.org.models import Person

    load_demo(password="bench-only")
    item = EnforcementItem.objects.get(code="ZJ-CF-001")
    officer = Person.objects.get(user__username="officer")
    officer2 = Person.objects.get(user__username="officer2")
    head = Person.objects.get(user__username="head")
    party = "91430400MA4L00000" + uscc_check_character("91430400MA4L00000")
    cases = [
        services.open_case(
            actor=officer.user,
            item=item,
            party_kind="organisation",
            party_name=f"公司{i}",
            party_id_number=party,
            officers=[officer, officer2],
            today=DAY,
        )
        for i in range(300)
    ]
    began = time.perf_counter()
    for case in cases:
        case = services.perform_transition(actor=officer.user, case=case, transition="check_lead", today=DAY)
        services.perform_transition(actor=head.user, case=case, transition="approve_opening", today=DAY)
    elapsed = time.perf_counter() - began
    print(f"case_transitions_per_s: {2 * len(cases) / elapsed:,.0f} per s (target ≥ 500 on SQLite)")
