"""The API face of the side doors: a decision that omits the amount (keeping the notified one)
is judged by that amount, and an API client can find the bracket to draft against."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import Client
from tests.review.conftest import case_at_decision
from tests.review.test_review_api import BASE, _approve, _draft, _post

from zhifa.cases.models import Case


def test_a_decision_without_an_amount_keeps_to_the_approved_draft(
    bureau: Any, client: Client, api_token: Any
) -> None:
    case = case_at_decision(bureau, amount="150000")  # notified 150,000
    officer, head = api_token("officer"), api_token("head")
    assert _draft(client, case, "120000", officer).status_code == 201
    _approve(client, case, officer, api_token("reviewer"))
    version = client.get(f"/api/v1/cases/{case.pk}", **head).json()["version"]
    url = f"/api/v1/cases/{case.pk}/transitions/decide"
    refused = _post(client, url, {"expected_version": version}, head)
    assert refused.status_code == 422 and "不一致" in refused.json()["message"]
    assert Case.objects.get(pk=case.pk).state == "defended"
    decided = _post(client, url, {"expected_version": version, "amount": "120000"}, head)
    assert decided.status_code == 200 and Decimal(decided.json()["amount"]) == 120000


def test_the_case_review_lists_the_brackets_to_draft_against(
    bureau: Any, client: Client, api_token: Any
) -> None:
    from zhifa.catalog import services as catalog
    from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent

    item = catalog.create_item(
        actor=None,
        body=bureau.body,
        code="ZJ-CF-009",
        act_type="penalty",
        content=ItemContent(
            name="对施工单位未按规定进行检测的处罚",
            implementing_unit=bureau.units["稽查支队"],
            bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
            time_limit_code="T8",
            brackets=(BracketSpec("一般情节", "yuan", Decimal("10000"), Decimal("50000")),),
        ),
        effective_from=datetime.date(2025, 1, 1),
    )
    case = case_at_decision(bureau, amount="40000")
    Case.objects.filter(pk=case.pk).update(item=item, item_version=item.versions.get())
    officer = api_token("officer")
    [bracket] = client.get(f"{BASE}/cases/{case.pk}", **officer).json()["brackets"]
    assert bracket["circumstance"] == "一般情节" and "10000" in bracket["range_display"].replace(",", "")
    drafted = _draft(client, case, "40000", officer, bracket_id=bracket["id"])
    assert drafted.status_code == 201, drafted.content
