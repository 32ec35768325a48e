"""Ledger fixtures: a bureau with an opened penalty case, so that many record tables have rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases import services
from zhifa.cases.models import Case


@pytest.fixture
def opened_case(bureau: Any) -> Case:
    item = make_item(bureau)
    case = services.open_case(
        actor=bureau.officer,
        item=item,
        party_kind="organisation",
        party_name="衡阳某建设公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=datetime.date(2026, 3, 2),
    )
    services.perform_transition(
        actor=bureau.officer, case=case, transition="check_lead", today=datetime.date(2026, 3, 2)
    )
    return Case.objects.get(pk=case.pk)
