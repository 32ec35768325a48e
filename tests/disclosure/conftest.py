"""Disclosure fixtures: decided cases, through the case and review services only."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import person_id, walk
from tests.review.conftest import DAY, case_at_decision

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.disclosure.models import Publication

PERSON_ADDRESS = "湖南省衡阳市蒸湘区解放大道88号3栋502室"
PERSON_PHONE = "13907345678"


def decide(bureau: Any, case: Case, *, amount: str, day: datetime.date = DAY) -> Case:
    return walk(case, [("decide", bureau.head, {"amount": Decimal(amount)})], day=day)


def person_case_at_decision(
    bureau: Any, *, facts: str = "", amount: str = "500", code: str = "ZJ-CF-002"
) -> Case:
    """A natural person's penalty case with an address and a phone on file, ready for decision."""
    case = cases.open_case(
        actor=bureau.officer,
        item=make_item(bureau, code=code),
        party_kind="person",
        party_name="张三丰",
        party_id_number=person_id(),
        party_address=PERSON_ADDRESS,
        party_phone=PERSON_PHONE,
        facts=facts or f"当事人张三丰（住{PERSON_ADDRESS}，电话{PERSON_PHONE}）未取得施工许可证擅自施工。",
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    return walk(
        case,
        [
            ("check_lead", bureau.officer, {}),
            ("approve_opening", bureau.head, {}),
            ("finish_investigation", bureau.officer, {}),
            ("notify_party", bureau.officer, {"amount": Decimal(amount)}),
            ("record_defence", bureau.officer, {"reason": "当事人书面陈述申辩"}),
        ],
        day=DAY,
    )


@pytest.fixture
def decided(bureau: Any) -> Case:
    """An organisation's penalty case, decided on DAY (a fine of 5,000 元)."""
    return decide(bureau, case_at_decision(bureau, amount="5000"), amount="5000")


@pytest.fixture
def publication(decided: Case) -> Publication:
    return Publication.objects.get(case=decided)
