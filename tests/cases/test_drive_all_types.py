"""Each act type driven from start to archive through the staff pages, and through the API,
with its real documents generated on the way (the close step refuses until they exist).

Journeys whose decision is major (a hearing was held: R09; a large fine: R02) meet the legal
review gate: the decision is refused first, then the review goes through on the same face
(draft → submit → the reviewer takes it → 同意) and the decision is taken."""

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
from zhifa.review.models import CHECKLIST, AccountabilityRecord, ReviewRequest
from zhifa.review.selectors import DECISION_STEPS

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
HEARD = [
    "check_lead",
    "approve_opening",
    "finish_investigation",
    "notify_party",
    "request_hearing",
    "hold_hearing",
    "decide",
    "serve_decision",
    "record_payment",
    "close_case",
    "archive_case",
]
# journey → (act type, steps, amount, whether the decision is major)
JOURNEYS: dict[str, tuple[str, list[str], str, bool]] = {
    **{act_type: (act_type, steps, "1000", False) for act_type, steps in PATHS.items()},
    "penalty-heard": ("penalty", HEARD, "1000", True),  # R09: decided after a hearing
    "penalty-large-fine": (
        "penalty",
        PATHS["penalty"],
        "150000",
        True,
    ),  # R02: 10万元以上 for an organisation
}
AMOUNT_STEPS = {"notify_party", "decide", "notify_payment"}
REASONS = {"record_defence": "当事人书面陈述申辩，放弃听证"}
DRAFT = {
    "measures": ["fine"],
    "facts": "当事人未取得施工许可证擅自施工。",
    "legal_basis": "《中华人民共和国建筑法》第六十四条",
    "decision_text": "罚款。",
}
CHECKLIST_CODES = [code for code, _ in CHECKLIST]

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


def _review_on_the_pages(case: Case, amount: str) -> None:
    """Draft, submit, take and approve through the pages, as the officer and the reviewer would."""
    officer, reviewer = _login("officer"), _login("reviewer")
    drafted = officer.post(f"/review/cases/{case.pk}/draft/", {**DRAFT, "fine_amount": amount})
    assert drafted.status_code == 302, drafted.content.decode()[:2000]
    submitted = officer.post(f"/review/cases/{case.pk}/submit/", follow=True)
    assert "已提交第1轮法制审核" in submitted.content.decode()
    request = case.review_requests.get()
    assert reviewer.post(f"/review/{request.pk}/assign/", {"reviewer": "me"}).status_code == 302
    opinion = {"result": "approved"}
    for code in CHECKLIST_CODES:
        opinion.update({f"{code}_passed": "1", f"{code}_comment": ""})
    assert reviewer.post(f"/review/{request.pk}/", opinion).status_code == 302
    assert ReviewRequest.objects.get(pk=request.pk).opinion.result == "approved"


def _review_through_the_api(client: Client, case_id: int, amount: str, officer: Any, reviewer: Any) -> None:
    base = f"/api/v1/review/cases/{case_id}"
    drafted = client.post(
        f"{base}/drafts", {**DRAFT, "fine_amount": amount}, content_type="application/json", **officer
    )
    assert drafted.status_code == 201, drafted.content
    sent = client.post(f"{base}/submissions", {}, content_type="application/json", **officer)
    assert sent.status_code == 201, sent.content
    request_id = sent.json()["id"]
    taken = client.post(
        f"/api/v1/review/requests/{request_id}/assignment", {}, content_type="application/json", **reviewer
    )
    assert taken.status_code == 200, taken.content
    checklist = {code: {"passed": True, "comment": ""} for code in CHECKLIST_CODES}
    opinion = client.post(
        f"/api/v1/review/requests/{request_id}/opinion",
        {"result": "approved", "checklist": checklist},
        content_type="application/json",
        **reviewer,
    )
    assert opinion.status_code == 201, opinion.content
    assert client.get(base, **officer).json()["may_decide"]


def _setup(bureau: Any, act_type: str) -> Any:
    org.grant_role(
        actor=None, person=bureau.people["leader"], role=Role.UNIT_HEAD, unit=bureau.units["稽查支队"]
    )
    return make_item(bureau, code=f"ZJ-{act_type.upper()}-9", act_type=act_type)


@pytest.mark.parametrize("journey", sorted(JOURNEYS))
def test_each_act_type_through_the_pages(bureau: Any, journey: str, tmp_path: Path) -> None:
    act_type, path, amount, major = JOURNEYS[journey]
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
            "amount": amount,
            "officers": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    workflow = workflow_for(case.act_type, case.procedure)
    for code in path:
        client = head if code in HEAD_STEPS else officer
        case.refresh_from_db()
        data = {f"{code}-version": case.version, f"{code}-reason": REASONS.get(code, "")}
        if code in AMOUNT_STEPS:
            data[f"{code}-amount"] = amount
        if major and code in DECISION_STEPS:
            refused = client.post(f"/cases/{case.pk}/steps/{code}/", data, follow=True)
            assert "法制审核" in refused.content.decode().split('class="messages"')[-1][:600]
            case.refresh_from_db()
            assert case.state != workflow.transition(code).target
            _review_on_the_pages(case, amount)
            case.refresh_from_db()
            data[f"{code}-version"] = case.version
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
    # The refused attempt to decide before review is kept for 责任追究; nothing else was refused.
    assert AccountabilityRecord.objects.count() == (1 if major else 0)


@pytest.mark.parametrize("journey", sorted(JOURNEYS))
def test_each_act_type_through_the_api(bureau: Any, client: Client, api_token: Any, journey: str) -> None:
    act_type, path, amount, major = JOURNEYS[journey]
    item = _setup(bureau, act_type)
    officer, head = api_token("officer"), api_token("leader")
    created = client.post(
        "/api/v1/cases",
        {
            "item_code": item.code,
            "party_kind": "organisation",
            "party_name": "某公司",
            "party_id_number": org_code(),
            "amount": amount,
            "officer_ids": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
        content_type="application/json",
        **officer,
    )
    assert created.status_code == 201, created.content
    case = created.json()
    workflow = workflow_for(act_type, "general")
    for code in path:
        body = {"expected_version": case["version"], "reason": REASONS.get(code, "")}
        if code in AMOUNT_STEPS:
            body["amount"] = amount
        if major and code in DECISION_STEPS:
            refused = client.post(
                f"/api/v1/cases/{case['id']}/transitions/{code}",
                body,
                content_type="application/json",
                **(head if code in HEAD_STEPS else officer),
            )
            assert refused.status_code == 422 and refused.json()["code"] == "legal_review_required"
            _review_through_the_api(client, case["id"], amount, officer, api_token("reviewer"))
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
    assert AccountabilityRecord.objects.count() == (1 if major else 0)
