"""Each act type driven from start to archive through the staff pages, and through the API,
with its real documents generated on the way (the close step refuses until they exist)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases.definitions import workflow_for
from zhifa.cases.models import Case
from zhifa.ledger import keys
from zhifa.ledger.verify import verify_archive
from zhifa.org import services as org
from zhifa.org.models import Role

HEAD_STEPS = {"approve_opening", "decide", "close_case", "approve_measure", "approve", "apply_to_court"}
PATHS = {
    "penalty": [
        "check_lead",
        "approve_opening",
        "finish_investigation",
        "notify_party",
        "record_defence",
        "decide",
        "serve_decision",
        "record_payment",
        "close_case",
        "archive_case",
    ],
    "licensing": ["accept", "start_review", "approve", "issue_licence", "close_case", "archive_case"],
    "coercion": ["approve_measure", "implement_measure", "lift_measure", "close_case", "archive_case"],
    "fee": ["notify_payment", "record_payment", "close_case", "archive_case"],
    "levy": ["notify_payment", "record_payment", "close_case", "archive_case"],
    "inspection": ["inspect", "conclude", "close_case", "archive_case"],
}
AMOUNT_STEPS = {"notify_party", "decide", "notify_payment"}
REASONS = {"record_defence": "当事人书面陈述申辩，放弃听证"}

# The pages and the API take "today" from the clock; run on a day whose deadlines end inside the
# loaded calendar years (a real deadline into an unloaded year is refused, as tested elsewhere).
pytestmark = pytest.mark.usefixtures("in_march_2026", "log_key")


@pytest.fixture
def in_march_2026() -> Any:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="Zhifa-test-2026")
    return client


def _setup(bureau: Any, act_type: str) -> Any:
    org.grant_role(
        actor=None, person=bureau.people["leader"], role=Role.UNIT_HEAD, unit=bureau.units["稽查支队"]
    )
    return make_item(bureau, code=f"ZJ-{act_type.upper()}-9", act_type=act_type)


@pytest.mark.parametrize("act_type", sorted(PATHS))
def test_each_act_type_through_the_pages(bureau: Any, act_type: str, tmp_path: Path) -> None:
    item = _setup(bureau, act_type)
    officer, head = _login("officer"), _login("leader")
    response = officer.post(
        "/cases/new/",
        {
            "item": item.pk,
            "procedure": "general",
            "party_kind": "organisation",
            "party_name": "某公司",
            "party_id_number": org_code(),
            "amount": "1000",
            "officers": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    workflow = workflow_for(case.act_type, case.procedure)
    for code in PATHS[act_type]:
        client = head if code in HEAD_STEPS else officer
        case.refresh_from_db()
        data = {f"{code}-version": case.version, f"{code}-reason": REASONS.get(code, "")}
        if code in AMOUNT_STEPS:
            data[f"{code}-amount"] = "1000"
        page = client.post(f"/cases/{case.pk}/steps/{code}/", data, follow=True)
        assert page.status_code == 200
        case.refresh_from_db()
        message = page.content.decode().split('class="messages"')[-1][:600]
        assert workflow.transition(code).target == case.state, message
        for template in workflow.transition(code).documents:
            made = officer.post(f"/documents/cases/{case.pk}/generate/", {"template": template})
            assert made.status_code == 302, (code, template)
    assert case.state == "archived"
    sealed = officer.get(f"/cases/{case.pk}/case-file.zip")
    assert sealed.status_code == 200
    archive = tmp_path / "sealed.zip"
    archive.write_bytes(b"".join(sealed.streaming_content))
    report = verify_archive(archive, keys.active_log_key().public_pem.encode())  # type: ignore[union-attr]
    assert report.ok, report.failed


@pytest.mark.parametrize("act_type", sorted(PATHS))
def test_each_act_type_through_the_api(bureau: Any, client: Client, api_token: Any, act_type: str) -> None:
    item = _setup(bureau, act_type)
    officer, head = api_token("officer"), api_token("leader")
    created = client.post(
        "/api/v1/cases",
        {
            "item_code": item.code,
            "party_kind": "organisation",
            "party_name": "某公司",
            "party_id_number": org_code(),
            "amount": "1000",
            "officer_ids": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
        content_type="application/json",
        **officer,
    )
    assert created.status_code == 201, created.content
    case = created.json()
    workflow = workflow_for(act_type, "general")
    for code in PATHS[act_type]:
        body = {"expected_version": case["version"], "reason": REASONS.get(code, "")}
        if code in AMOUNT_STEPS:
            body["amount"] = "1000"
        moved = client.post(
            f"/api/v1/cases/{case['id']}/transitions/{code}",
            body,
            content_type="application/json",
            **(head if code in HEAD_STEPS else officer),
        )
        assert moved.status_code == 200, (code, moved.content)
        case = moved.json()
        for template in workflow.transition(code).documents:
            doc = client.post(
                f"/api/v1/cases/{case['id']}/documents",
                {"template": template},
                content_type="application/json",
                **officer,
            )
            assert doc.status_code == 201, (code, template, doc.content)
        case = client.get(f"/api/v1/cases/{case['id']}", **officer).json()
    assert case["state"] == "archived"
    assert case["missing_for_case_file"] == []
