"""Legal review through the JSON API: the same operations and must-holds as the pages, with
structured refusals ``{code, message, details}``. The decision itself goes through the cases
API (``POST /api/v1/cases/{id}/transitions/decide``), which meets the same gate."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from tests.cases.helpers import org_code
from tests.conftest import make_resident_id
from tests.review.conftest import DAY, case_at_decision

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.org import services as org
from zhifa.org.models import Person, Role, RoleAssignment
from zhifa.review.models import CHECKLIST, AccountabilityKind, AccountabilityRecord, ReviewRequest

BASE = "/api/v1/review"
ALL_PASS = {code: {"passed": True, "comment": ""} for code, _ in CHECKLIST}


@pytest.fixture(autouse=True)
def in_march_2026() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _post(client: Client, url: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
    return client.post(url, body, content_type="application/json", **auth)


def _decide(client: Client, case: Case, amount: str, auth: dict[str, str]) -> Any:
    version = client.get(f"/api/v1/cases/{case.pk}", **auth).json()["version"]
    return _post(
        client,
        f"/api/v1/cases/{case.pk}/transitions/decide",
        {"expected_version": version, "amount": amount},
        auth,
    )


def _draft(client: Client, case: Case, amount: str, auth: dict[str, str], **extra: Any) -> Any:
    body = {
        "measures": ["fine"],
        "fine_amount": amount,
        "facts": "当事人未取得施工许可证擅自施工，建筑面积3000平方米。",
        "legal_basis": "《中华人民共和国建筑法》第六十四条",
        "decision_text": f"罚款{amount}元。",
        **extra,
    }
    return _post(client, f"{BASE}/cases/{case.pk}/drafts", body, auth)


def _approve(client: Client, case: Case, officer: dict[str, str], reviewer: dict[str, str]) -> int:
    sent = _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer)
    assert sent.status_code == 201, sent.content
    request_id = sent.json()["id"]
    taken = _post(client, f"{BASE}/requests/{request_id}/assignment", {}, reviewer)
    assert taken.status_code == 200 and taken.json()["reviewer"] == "陈审核", taken.content
    opinion = _post(
        client,
        f"{BASE}/requests/{request_id}/opinion",
        {"result": "approved", "checklist": ALL_PASS},
        reviewer,
    )
    assert opinion.status_code == 201, opinion.content
    assert opinion.json()["status"] == "approved"
    assert opinion.json()["opinion"]["document"]["title"] == "法制审核意见书"  # generated with the opinion
    return int(request_id)


def test_a_case_that_is_not_major_goes_straight_through(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    head = api_token("head")
    state = client.get(f"{BASE}/cases/{case.pk}", **head).json()
    assert state["applies"] and not state["major"] and state["may_decide"]
    assert _decide(client, case, "40000", head).status_code == 200
    assert Case.objects.get(pk=case.pk).state == "decided"


def test_a_major_case_is_refused_by_the_api_until_review_approves_it(
    bureau: Any, client: Client, api_token: Any
) -> None:
    case = case_at_decision(bureau, amount="150000")
    head, officer, reviewer = api_token("head"), api_token("officer"), api_token("reviewer")
    state = client.get(f"{BASE}/cases/{case.pk}", **head).json()
    assert state["major"] and state["reasons"][0].startswith("R02 ") and not state["may_decide"]
    assert state["gate"][0]["step"] == "decide" and state["gate"][0]["refusals"]

    refused = _decide(client, case, "150000", head)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "legal_review_required" and "须先拟定处理决定并经法制审核同意" in body["message"]
    assert Case.objects.get(pk=case.pk).state == "defended"
    assert AccountabilityRecord.objects.get().kind == AccountabilityKind.DECIDE_WITHOUT_REVIEW

    drafted = _draft(client, case, "150000", officer)
    assert drafted.status_code == 201, drafted.content
    draft = drafted.json()["drafts"][0]
    assert draft["version"] == 1 and draft["current"] and not draft["approved"]
    assert any(f.startswith("R02 ") for f in draft["findings"])
    assert _decide(client, case, "150000", head).status_code == 422

    _approve(client, case, officer, reviewer)
    state = client.get(f"{BASE}/cases/{case.pk}", **head).json()
    assert state["may_decide"] and state["drafts"][0]["approved"]
    [round_] = state["rounds"]
    assert round_["opinion"]["result_label"] == "同意" and len(round_["opinion"]["checklist"]) == 8
    assert _decide(client, case, "140000", head).json()["code"] == "legal_review_required"  # not the draft
    decided = _decide(client, case, "150000", head)
    assert decided.status_code == 200 and decided.json()["state"] == "decided"


def test_a_new_draft_after_approval_voids_it(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    head, officer, reviewer = api_token("head"), api_token("officer"), api_token("reviewer")
    _draft(client, case, "150000", officer)
    _approve(client, case, officer, reviewer)
    redrafted = _draft(client, case, "150000", officer, decision_text="罚款150000元，并责令改正。")
    state = redrafted.json()
    assert [d["version"] for d in state["drafts"]] == [2, 1]
    assert state["rounds"][0]["status"] == "void" and not state["may_decide"]
    refused = _decide(client, case, "150000", head)
    assert refused.status_code == 422 and "第2版尚未审核同意" in refused.json()["message"]
    _approve(client, case, officer, reviewer)
    assert _decide(client, case, "150000", head).status_code == 200
    assert [r["round"] for r in client.get(f"{BASE}/cases/{case.pk}", **head).json()["rounds"]] == [2, 1]


def test_an_incomplete_package_is_refused_with_what_is_missing(
    bureau: Any, client: Client, api_token: Any
) -> None:
    case = cases.open_case(
        actor=bureau.officer,
        item=case_at_decision(bureau, amount="1000").item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"]],
        today=DAY,
    )
    officer = api_token("officer")
    assert "调查终结报告" in _draft(client, case, "150000", officer).json()["missing_for_review"]
    refused = _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer)
    assert refused.status_code == 422
    body = refused.json()
    assert (
        body["code"] == "package_incomplete"
        and "两名以上持有效执法证的执法人员" in body["details"]["missing"]
    )


def test_invalid_drafts_are_refused_with_field_details(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    refused = _draft(client, case, "", api_token("officer"), fine_amount=None, decision_text=" ")
    assert refused.status_code == 422
    assert set(refused.json()["details"]) >= {"fine_amount", "decision_text"}
    unknown = _draft(client, case, "1000", api_token("officer"), measures=["jail"])
    assert unknown.status_code == 422 and "measures" in unknown.json()["details"]


def test_a_reviewer_who_handled_the_case_or_lacks_the_qualification_is_refused(
    bureau: Any, client: Client, api_token: Any
) -> None:
    case = case_at_decision(bureau, amount="150000")
    officer_person = bureau.people["officer"]
    Person.objects.filter(pk=officer_person.pk).update(legal_qualification_no="A20154301000999")
    officer_person.refresh_from_db()
    org.grant_role(actor=None, person=officer_person, role=Role.REVIEWER, unit=bureau.units["政策法规科"])
    unqualified = bureau.people["supervisor"]
    RoleAssignment.objects.create(person=unqualified, role=Role.REVIEWER, unit=None)
    officer, leader = api_token("officer"), api_token("leader")
    _draft(client, case, "150000", officer)
    request_id = _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer).json()["id"]

    detail = client.get(f"{BASE}/requests/{request_id}", **officer).json()
    assert detail["reviewer_refusal"] == "李执法承办过本案，不能审核本案。"
    assert detail["package"]["draft"]["version"] == 1 and len(detail["package"]["officers"]) == 2
    taken = _post(client, f"{BASE}/requests/{request_id}/assignment", {}, officer)
    assert taken.status_code == 422
    assert taken.json()["code"] == "reviewer_not_eligible" and "承办过本案" in taken.json()["message"]
    assigned = _post(
        client, f"{BASE}/requests/{request_id}/assignment", {"reviewer_id": unqualified.pk}, leader
    )
    assert assigned.status_code == 422 and "未登记法律职业资格" in assigned.json()["message"]
    assert ReviewRequest.objects.get(pk=request_id).reviewer is None
    # Someone not assigned cannot write the opinion either.
    opinion = _post(
        client,
        f"{BASE}/requests/{request_id}/opinion",
        {"result": "approved", "checklist": ALL_PASS},
        api_token("reviewer"),
    )
    assert opinion.status_code == 403 and "被指定的审核人员" in opinion.json()["message"]


def test_officers_of_another_unit_cannot_see_or_act(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    officer = api_token("officer")
    _draft(client, case, "150000", officer)
    request_id = _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer).json()["id"]
    other = org.register_person(
        actor=None,
        unit=bureau.units["审批一科"],
        name="何审批",
        username="licensing",
        password="Zhifa-test-2026",
        resident_id=make_resident_id("43040019800101771"),
    )
    org.grant_role(actor=None, person=other, role=Role.OFFICER, unit=bureau.units["审批一科"])
    outsider = api_token("licensing")
    assert client.get(f"{BASE}/cases/{case.pk}", **outsider).status_code == 403
    assert _draft(client, case, "1", outsider).status_code == 403
    assert _post(client, f"{BASE}/cases/{case.pk}/major", {"reason": "x"}, outsider).status_code == 403
    assert client.get(f"{BASE}/requests/{request_id}", **outsider).status_code == 403
    assert _post(client, f"{BASE}/requests/{request_id}/assignment", {}, outsider).status_code == 403
    assert client.get(f"{BASE}/queue?scope=all", **outsider).json() == []
    assert client.get(f"{BASE}/cases/999999", **officer).status_code == 404


def test_the_queue_reports_due_soon_and_overdue(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    officer = api_token("officer")
    _draft(client, case, "150000", officer)
    _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer)
    [row] = client.get(f"{BASE}/queue", **api_token("reviewer")).json()
    assert row["case_number"] == case.number and row["deadline"] == "ok" and row["status"] == "unassigned"
    with time_machine.travel(datetime.datetime(2026, 3, 6, 2, 0, tzinfo=datetime.UTC), tick=False):
        assert client.get(f"{BASE}/queue", **api_token("reviewer")).json()[0]["deadline"] == "due_soon"
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC), tick=False):
        assert client.get(f"{BASE}/queue", **api_token("reviewer")).json()[0]["deadline"] == "overdue"


def test_supervisors_see_accountability_records(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _decide(client, case, "150000", api_token("head"))
    listed = client.get(f"{BASE}/accountability", **api_token("supervisor"))
    assert listed.status_code == 200
    [record] = listed.json()["items"]
    assert record["actor_name"] == "赵科长" and record["case_number"] == case.number
    assert record["kind"] == "decide_without_review" and "作出处罚决定" in record["details"]
    assert (
        client.get(f"{BASE}/accountability?kind=late_review", **api_token("supervisor")).json()["count"] == 0
    )
    refused = client.get(f"{BASE}/accountability", **api_token("officer"))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_escalation_and_collective_discussion(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    officer, reviewer, leader = api_token("officer"), api_token("reviewer"), api_token("leader")
    state = _draft(client, case, "40000", officer, measures=["fine", "suspension"]).json()
    assert state["major"] and state["needs_discussion"] and state["discussion_reasons"][0].startswith("R05")
    request_id = _post(client, f"{BASE}/cases/{case.pk}/submissions", {}, officer).json()["id"]
    _post(client, f"{BASE}/requests/{request_id}/assignment", {}, reviewer)
    failing = {**ALL_PASS, "discretion": {"passed": False, "comment": "停业期限过长"}}
    bad = _post(
        client,
        f"{BASE}/requests/{request_id}/opinion",
        {"result": "problems", "checklist": failing},
        reviewer,
    )
    assert bad.status_code == 422 and "problems" in bad.json()["details"]
    _post(
        client,
        f"{BASE}/requests/{request_id}/opinion",
        {"result": "problems", "checklist": failing, "problems": "停业期限过长", "changes_required": "缩短"},
        reviewer,
    )
    escalated = _post(client, f"{BASE}/requests/{request_id}/escalation", {"reason": "停业期限适当"}, officer)
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalated"
    body = {
        "held_on": "2026-03-02",
        "chair": "郑局长",
        "attendees": ["郑局长", "副局长甲", "副局长乙"],
        "minutes": "经讨论，同意责令停止施工并罚款4万元。",
        "decision": "proceed",
        "request_id": request_id,
    }
    assert _post(client, f"{BASE}/cases/{case.pk}/discussions", body, officer).status_code == 403
    recorded = _post(client, f"{BASE}/cases/{case.pk}/discussions", body, leader)
    assert recorded.status_code == 201 and recorded.json()["round"] == 1
    assert client.get(f"{BASE}/cases/{case.pk}", **leader).json()["may_decide"]
    assert _decide(client, case, "40000", api_token("head")).status_code == 200


def test_mark_major_through_the_api(bureau: Any, client: Client, api_token: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    officer = api_token("officer")
    assert _post(client, f"{BASE}/cases/{case.pk}/major", {"reason": ""}, officer).status_code == 422
    marked = _post(client, f"{BASE}/cases/{case.pk}/major", {"reason": "社会关注度高"}, officer)
    assert marked.status_code == 201
    assert marked.json()["major"] and marked.json()["marked"][0]["by"] == "李执法"
    assert _decide(client, case, "40000", api_token("head")).json()["code"] == "legal_review_required"


def test_the_catalogue_through_the_api(bureau: Any, client: Client, api_token: Any) -> None:
    officer, pilot = api_token("officer"), api_token("pilot")
    codes = [c["code"] for c in client.get(f"{BASE}/criteria", **officer).json()]
    assert codes[:3] == ["R01", "R02", "R03"] and "R15" in codes
    body = {
        "code": "R02",
        "effective_from": "2026-03-02",
        "change_reason": "目录清单年度调整",
        "name": "对法人或其他组织处以较大数额罚款（5万元以上）",
        "kind": "amount_at_least",
        "act_types": "penalty",
        "party_kind": "organisation",
        "amount_field": "fine_amount",
        "threshold": "50000",
        "basis": "本局法制审核目录清单（2026年修订）",
    }
    assert _post(client, f"{BASE}/criteria", body, officer).status_code == 403
    added = _post(client, f"{BASE}/criteria", body, pilot)
    assert added.status_code == 201 and added.json()["threshold"] == "50000.00"
    again = _post(client, f"{BASE}/criteria", body, pilot)
    assert again.status_code == 409 and again.json()["code"] == "criterion_exists"
    no_threshold = _post(
        client, f"{BASE}/criteria", {**body, "threshold": None, "effective_from": "2026-03-03"}, pilot
    )
    assert no_threshold.status_code == 422 and "threshold" in no_threshold.json()["details"]
    history = client.get(f"{BASE}/criteria/R02/history", **officer).json()
    assert [h["effective_from"] for h in history] == ["2026-03-02", "2024-01-01"]
    case = case_at_decision(bureau, amount="60000")
    assert client.get(f"{BASE}/cases/{case.pk}", **officer).json()["major"]
    old = client.get(f"{BASE}/criteria?on=2026-03-01", **officer).json()
    assert next(c for c in old if c["code"] == "R02")["threshold"] == "100000.00"
