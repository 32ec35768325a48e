from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, NotPermitted
from zhifa.records.models import RecordEvent

PARTY_USCC = "91430400MA4L000000"


def _uscc() -> str:
    from zhifa.core.identifiers import uscc_check_character

    return PARTY_USCC[:17] + uscc_check_character(PARTY_USCC[:17])


def test_penalty_case_opens_numbered_and_recorded(bureau: Any, penalty_item: Any) -> None:
    case = services.open_case(
        actor=bureau.officer,
        item=penalty_item,
        party_kind="organisation",
        party_name="衡阳某建设公司",
        party_id_number=_uscc(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=datetime.date(2026, 3, 2),
    )
    assert case.number == "衡住建罚案〔2026〕1号"
    assert case.state == "lead"
    assert [e.event_type for e in RecordEvent.objects.filter(case=case)] == [
        "case_opened",
        "officer_assigned",
        "officer_assigned",
    ]
    services.perform_transition(
        actor=bureau.officer, case=case, transition="check_lead", today=datetime.date(2026, 3, 2)
    )
    case.refresh_from_db()
    clock = case.clocks.get(code="T9")
    assert clock.due_on == datetime.date(2026, 3, 17)
    with pytest.raises(NotPermitted):
        services.perform_transition(actor=bureau.officer, case=case, transition="approve_opening")
    with pytest.raises(Conflict):
        services.perform_transition(
            actor=bureau.head, case=case, transition="approve_opening", expected_version=1
        )
    services.perform_transition(
        actor=bureau.head,
        case=case,
        transition="approve_opening",
        expected_version=case.version,
        today=datetime.date(2026, 3, 3),
    )
    case = Case.objects.get(pk=case.pk)
    assert case.state == "investigating"
    assert case.clocks.get(code="T8").due_on == datetime.date(2026, 6, 1)
    services.perform_transition(actor=bureau.officer, case=case, transition="finish_investigation")
    services.perform_transition(
        actor=bureau.officer, case=case, transition="notify_party", data={"amount": Decimal("50000")}
    )
    with pytest.raises(services.TransitionRefused, match="期满前不得作出处罚决定"):
        services.perform_transition(
            actor=bureau.head, case=case, transition="decide", data={"amount": "40000"}
        )
    services.perform_transition(
        actor=bureau.officer, case=case, transition="record_defence", reason="当事人书面陈述申辩"
    )
    with pytest.raises(services.TransitionRefused, match="加重"):
        services.perform_transition(
            actor=bureau.head, case=case, transition="decide", data={"amount": "60000"}
        )
    services.perform_transition(actor=bureau.head, case=case, transition="decide", data={"amount": "40000"})
    case.refresh_from_db()
    assert case.state == "decided" and case.amount == Decimal("40000")
