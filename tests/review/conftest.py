"""Review fixtures: a penalty case brought to the point of decision, and the people around it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code, person_id, walk
from tests.conftest import make_resident_id

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.org import services as org
from zhifa.org.models import Role

DAY = datetime.date(2026, 3, 2)


def case_at_decision(
    bureau: Any, *, amount: str, party_kind: str = "organisation", hearing: bool = False
) -> Case:
    """A penalty case whose party has been heard (or stated a defence): the next step is decide."""
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind=party_kind,
        party_name="衡阳某建设公司" if party_kind == "organisation" else "张三",
        party_id_number=org_code() if party_kind == "organisation" else person_id(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    path: list[tuple[str, Any, dict[str, Any]]] = [
        ("check_lead", bureau.officer, {}),
        ("approve_opening", bureau.head, {}),
        ("finish_investigation", bureau.officer, {}),
        ("notify_party", bureau.officer, {"amount": Decimal(amount)}),
    ]
    if hearing:
        path += [("request_hearing", bureau.officer, {}), ("hold_hearing", bureau.officer, {})]
    else:
        path += [("record_defence", bureau.officer, {"reason": "当事人书面陈述申辩"})]
    return walk(case, path, day=DAY)


@pytest.fixture
def adviser(bureau: Any) -> Any:
    """A 法律顾问 with a recorded qualification, who handled nothing."""
    person = org.register_person(
        actor=None,
        unit=bureau.units["政策法规科"],
        name="罗顾问",
        username="adviser",
        password="Zhifa-test-2026",
        resident_id=make_resident_id("43040019800101991"),
        legal_qualification_no="A20184301000456",
    )
    org.grant_role(actor=None, person=person, role=Role.LEGAL_ADVISER)
    return person
