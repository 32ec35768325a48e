"""Legal review through the staff pages: the panel on the case page, the queue, one round side by
side with the checklist, the catalogue and the accountability records. The must-holds are
proved here as a user meets them: a major case's decision is refused on the page until 同意, a
new draft voids it, a non-major case goes straight through, refused reviewers see why."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
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
from zhifa.records.models import EventType
from zhifa.review.models import (
    CHECKLIST,
    AccountabilityKind,
    AccountabilityRecord,
    CollectiveDiscussion,
    MajorCriterion,
    ReviewRequest,
)


@pytest.fixture(autouse=True)
def in_march_2026() -> Iterator[None]:
    """The pages take "today" from the clock: the cases are dated 2 March 2026."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _text(response: Any) -> str:
    return response.content.decode()


def _messages(response: Any) -> str:
    html = _text(response)
    return html.split('class="messages"', 1)[1].split("</ul>", 1)[0] if 'class="messages"' in html else ""


def _decide_on_page(client: Client, case: Case, amount: str) -> Any:
    case.refresh_from_db()
    return client.post(
        f"/cases/{case.pk}/steps/decide/",
        {"decide-version": case.version, "decide-amount": amount, "decide-reason": ""},
        follow=True,
    )


def _draft_on_page(client: Client, case: Case, amount: str, **extra: Any) -> Any:
    data = {
        "measures": ["fine"],
        "fine_amount": amount,
        "facts": "当事人未取得施工许可证擅自施工，建筑面积3000平方米。",
        "legal_basis": "《中华人民共和国建筑法》第六十四条",
        "decision_text": f"罚款{amount}元。",
        **extra,
    }
    return client.post(f"/review/cases/{case.pk}/draft/", data, follow=True)


def _checklist(**fails: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for code, _ in CHECKLIST:
        data[f"{code}_passed"] = "0" if code in fails else "1"
        data[f"{code}_comment"] = fails.get(code, "")
    return data


def _approve_on_pages(client_as: Any, case: Case) -> ReviewRequest:
    """Submit the latest draft, the reviewer takes it and says 同意 — all on the pages."""
    submitted = client_as("officer").post(f"/review/cases/{case.pk}/submit/", follow=True)
    assert "已提交第" in _messages(submitted), _messages(submitted)
    request = ReviewRequest.objects.filter(case=case).order_by("-round").first()
    assert request is not None
    reviewer = client_as("reviewer")
    taken = reviewer.post(f"/review/{request.pk}/assign/", {"reviewer": "me"}, follow=True)
    assert "陈审核" in _messages(taken)
    done = reviewer.post(f"/review/{request.pk}/", {**_checklist(), "result": "approved"}, follow=True)
    assert "已出具第" in _messages(done), _text(done)[:3000]
    assert "法制审核意见书" in _text(done) and "/documents/" in _text(done)  # the opinion's document
    return request


def test_a_case_that_is_not_major_goes_straight_through_on_the_page(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    head = client_as("head")
    page = _text(head.get(f"/cases/{case.pk}/"))
    assert 'id="review"' in page and "非重大执法决定" in page and 'data-gate="open"' in page
    decided = _decide_on_page(head, case, "40000")
    assert Case.objects.get(pk=case.pk).state == "decided", _messages(decided)
    assert not AccountabilityRecord.objects.exists()


def test_fees_have_no_review_panel(bureau: Any, client_as: Any) -> None:
    from tests.cases.conftest import make_item

    item = make_item(bureau, code="ZJ-FEE-1", act_type="fee")
    case = cases.open_case(
        actor=bureau.officer,
        item=item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    assert 'id="review"' not in _text(client_as("officer").get(f"/cases/{case.pk}/"))


def test_a_major_case_is_refused_on_the_page_until_review_approves_it(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    head = client_as("head")
    page = _text(head.get(f"/cases/{case.pk}/"))
    assert "重大执法决定" in page and "R02" in page and 'data-gate="closed"' in page
    refused = _decide_on_page(head, case, "150000")
    assert "法制审核" in _messages(refused)
    assert Case.objects.get(pk=case.pk).state == "defended"
    record = AccountabilityRecord.objects.get()
    assert record.kind == AccountabilityKind.DECIDE_WITHOUT_REVIEW and record.actor_name == "赵科长"

    officer = client_as("officer")
    form = _text(officer.get(f"/review/cases/{case.pk}/draft/"))
    assert "《中华人民共和国建筑法》" in form  # pre-filled from the item's legal basis
    saved = _draft_on_page(officer, case, "150000")
    assert "已保存拟决定第1版" in _messages(saved) and "R02" in _messages(saved)
    panel = _text(saved)
    assert "第1版" in panel and "提交法制审核（拟决定第1版）" in panel
    assert "尚未审核同意" in panel

    request = _approve_on_pages(client_as, case)
    page = _text(client_as("head").get(f"/cases/{case.pk}/"))
    assert 'data-gate="open"' in page and 'data-outcome="approved"' in page
    decided = _decide_on_page(client_as("head"), case, "150000")
    assert Case.objects.get(pk=case.pk).state == "decided", _messages(decided)
    assert request.opinion.result == "approved"
    types = set(case.events.values_list("event_type", flat=True))
    assert {EventType.DRAFT_DECISION, EventType.REVIEW_SUBMITTED, EventType.REVIEW_OPINION} <= types
    late = client_as("officer").get(f"/review/cases/{case.pk}/draft/", follow=True)
    assert "本案已作出决定，不能再修改拟决定" in _messages(late) and case.drafts.count() == 1


def test_a_new_draft_after_approval_voids_it_on_the_page(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    officer = client_as("officer")
    _draft_on_page(officer, case, "150000")
    _approve_on_pages(client_as, case)
    officer = client_as("officer")
    warned = _text(officer.get(f"/review/cases/{case.pk}/draft/"))
    assert "第1版已经法制审核同意" in warned and "将保存为第2版" in warned
    _draft_on_page(officer, case, "150000", decision_text="罚款150000元，并责令改正。")
    page = _text(client_as("head").get(f"/cases/{case.pk}/"))
    assert 'data-outcome="void"' in page and "审核同意已失效" in page and 'data-gate="closed"' in page
    refused = _decide_on_page(client_as("head"), case, "150000")
    assert "第2版尚未审核同意" in _messages(refused)
    assert Case.objects.get(pk=case.pk).state == "defended"
    _approve_on_pages(client_as, case)
    _decide_on_page(client_as("head"), case, "150000")
    assert Case.objects.get(pk=case.pk).state == "decided"
    assert ReviewRequest.objects.filter(case=case).count() == 2


def test_an_incomplete_package_is_refused_with_what_is_missing(bureau: Any, client_as: Any) -> None:
    case = cases.open_case(
        actor=bureau.officer,
        item=case_at_decision(bureau, amount="1000").item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"]],
        today=DAY,
    )
    officer = client_as("officer")
    page = _text(_draft_on_page(officer, case, "150000"))
    assert "送审材料尚缺" in page and "调查终结报告" in page
    refused = officer.post(f"/review/cases/{case.pk}/submit/", follow=True)
    message = _messages(refused)
    assert "送审材料不完整" in message and "两名以上持有效执法证的执法人员" in message
    assert not ReviewRequest.objects.exists()


def test_the_draft_form_shows_the_services_refusals_on_the_fields(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    response = _draft_on_page(client_as("officer"), case, "", decision_text="")
    html = _text(response)
    assert response.status_code == 200 and "field-error" in html
    assert "拟罚款的，请填写罚款金额" in html or "必填" in html or "这个字段是必填项" in html
    assert not case.drafts.exists()


def _qualified_officer_reviewer(bureau: Any) -> Person:
    """李执法 also holds the reviewer role and a qualification — but handles the case."""
    officer = bureau.people["officer"]
    Person.objects.filter(pk=officer.pk).update(legal_qualification_no="A20154301000999")
    officer.refresh_from_db()
    org.grant_role(actor=None, person=officer, role=Role.REVIEWER, unit=bureau.units["政策法规科"])
    return officer


def test_a_reviewer_who_handled_the_case_is_refused_with_the_reason(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _qualified_officer_reviewer(bureau)
    officer = client_as("officer")
    _draft_on_page(officer, case, "150000")
    officer.post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    queue = _text(officer.get("/review/"))
    assert case.number in queue and "李执法承办过本案，不能审核本案。" in queue
    detail = _text(officer.get(f"/review/{request.pk}/"))
    assert "您不能审核本案" in detail and "承办过本案" in detail and "出具审核意见" not in detail
    taken = officer.post(f"/review/{request.pk}/assign/", {"reviewer": "me"}, follow=True)
    assert "承办过本案" in _messages(taken)
    # A leader assigning the officer is refused the same way.
    leader = client_as("leader")
    assigned = leader.post(
        f"/review/{request.pk}/assign/", {"reviewer": bureau.people["officer"].pk}, follow=True
    )
    assert "李执法承办过本案，不能审核本案。" in _messages(assigned)
    assert ReviewRequest.objects.get(pk=request.pk).reviewer is None
    # Posting an opinion without being the (eligible) assigned reviewer is forbidden.
    forbidden = client_as("officer").post(f"/review/{request.pk}/", {**_checklist(), "result": "approved"})
    assert forbidden.status_code == 403


def test_a_reviewer_without_a_recorded_qualification_is_refused(bureau: Any, client_as: Any) -> None:
    person = org.register_person(
        actor=None,
        unit=bureau.units["政策法规科"],
        name="钱审核",
        username="unqualified",
        password="Zhifa-test-2026",
        resident_id=make_resident_id("43040019800101881"),
    )
    # The services refuse the role without a qualification; imported data may still hold one.
    RoleAssignment.objects.create(person=person, role=Role.REVIEWER, unit=bureau.units["政策法规科"])
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    client = client_as("unqualified")
    detail = _text(client.get(f"/review/{request.pk}/"))
    assert "钱审核未登记法律职业资格，不能从事法制审核。" in detail
    taken = client.post(f"/review/{request.pk}/assign/", {"reviewer": "me"}, follow=True)
    assert "未登记法律职业资格" in _messages(taken)
    assert ReviewRequest.objects.get(pk=request.pk).reviewer is None


def test_officers_of_another_unit_cannot_see_or_act(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    other = org.register_person(
        actor=None,
        unit=bureau.units["审批一科"],
        name="何审批",
        username="licensing",
        password="Zhifa-test-2026",
        resident_id=make_resident_id("43040019800101771"),
    )
    org.grant_role(actor=None, person=other, role=Role.OFFICER, unit=bureau.units["审批一科"])
    client = client_as("licensing")
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert client.get(f"/review/cases/{case.pk}/draft/").status_code == 403
    assert client.post(f"/review/cases/{case.pk}/submit/").status_code == 403
    assert client.post(f"/review/cases/{case.pk}/major/", {"reason": "x"}).status_code == 403
    assert client.get(f"/review/{request.pk}/").status_code == 403
    assert client.post(f"/review/{request.pk}/assign/", {"reviewer": "me"}).status_code == 403
    assert case.number not in _text(client.get("/review/"))
    assert not case.major_findings.filter(automatic=False).exists()
    # An officer of the unit who is not on the case sees it but may not draft for it.
    assert client_as("officer2").get(f"/review/cases/{case.pk}/draft/").status_code == 200  # on the case
    assert client_as("supervisor").get(f"/review/cases/{case.pk}/draft/").status_code == 403


def test_the_queue_marks_rounds_due_soon_and_overdue(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    assert request.due_on == datetime.date(2026, 3, 9)  # T28: 5 working days
    row = re.compile(rf'<tr id="request-{request.pk}">.*?</tr>', re.S)

    def badge() -> str:
        match = row.search(_text(client_as("reviewer").get("/review/")))
        assert match is not None
        found = re.search(r'data-deadline="(\w+)"', match.group(0))
        return found.group(1) if found else ""

    assert badge() == "ok"
    with time_machine.travel(datetime.datetime(2026, 3, 6, 2, 0, tzinfo=datetime.UTC), tick=False):
        assert badge() == "due_soon"  # Friday: only Monday 9 March is left
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC), tick=False):
        assert badge() == "overdue"
        reviewer = client_as("reviewer")
        assert "已超期" in _text(reviewer.get("/review/"))
        reviewer.post(f"/review/{request.pk}/assign/", {"reviewer": "me"})
        reviewer.post(f"/review/{request.pk}/", {**_checklist(), "result": "approved"})
    late = AccountabilityRecord.objects.get(kind=AccountabilityKind.LATE_REVIEW)
    assert late.actor_name == "陈审核"
    queue = _text(client_as("reviewer").get("/review/"))
    assert f'id="request-{request.pk}"' not in queue and "我出具的审核意见" in queue  # done: off the queue


def test_supervisors_see_accountability_records_officers_do_not(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _decide_on_page(client_as("head"), case, "150000")
    page = client_as("supervisor").get("/review/accountability/")
    html = _text(page)
    assert page.status_code == 200
    assert "赵科长" in html and case.number in html and "未经法制审核试图作出重大执法决定" in html
    assert "作出处罚决定" in html  # what was attempted
    filtered = _text(client_as("supervisor").get("/review/accountability/?kind=late_review"))
    assert case.number not in filtered
    assert client_as("leader").get("/review/accountability/").status_code == 200
    assert client_as("officer").get("/review/accountability/").status_code == 403
    assert client_as("reviewer").get("/review/accountability/").status_code == 403


def test_the_problems_opinion_escalates_to_collective_discussion(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    reviewer = client_as("reviewer")
    reviewer.post(f"/review/{request.pk}/assign/", {"reviewer": "me"})
    # 同意 with a failed point is refused, and the failing point without a comment is named.
    refused = reviewer.post(
        f"/review/{request.pk}/", {**_checklist(facts=""), "facts_passed": "0", "result": "approved"}
    )
    assert refused.status_code == 200 and "不通过的，请写明问题" in _text(refused)
    reviewer.post(
        f"/review/{request.pk}/",
        {**_checklist(facts="证据不足"), "result": "problems", "problems": "违法事实的证据不足"},
    )
    page = _text(client_as("officer").get(f"/cases/{case.pk}/"))
    assert 'data-outcome="problems"' in page and "提交集体讨论" in page and "证据不足" in page
    client_as("officer").post(f"/review/{request.pk}/escalate/", {"reason": "现场笔录和照片已足以证明"})
    assert ReviewRequest.objects.get(pk=request.pk).escalated_at is not None
    assert client_as("head").get(f"/review/cases/{case.pk}/discussion/").status_code == 403
    leader = client_as("leader")
    form = _text(leader.get(f"/review/cases/{case.pk}/discussion/"))
    assert "现场笔录和照片已足以证明" in form
    too_few = leader.post(
        f"/review/cases/{case.pk}/discussion/",
        {
            "held_on": "2026-03-02",
            "chair": "郑局长",
            "attendees": "郑局长",
            "minutes": "讨论",
            "decision": "proceed",
        },
    )
    assert "三名以上" in _text(too_few)
    leader.post(
        f"/review/cases/{case.pk}/discussion/",
        {
            "held_on": "2026-03-02",
            "chair": "郑局长",
            "attendees": "郑局长、副局长甲、副局长乙",
            "minutes": "经讨论，认为证据确凿，同意作出决定。",
            "decision": "proceed",
        },
    )
    discussion = CollectiveDiscussion.objects.get()
    assert discussion.attendees == ["郑局长", "副局长甲", "副局长乙"] and discussion.request == request
    _decide_on_page(client_as("head"), case, "150000")
    assert Case.objects.get(pk=case.pk).state == "decided"


def test_a_handler_marks_a_case_major_on_the_page(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    officer = client_as("officer")
    empty = officer.post(f"/review/cases/{case.pk}/major/", {"reason": " "}, follow=True)
    assert "请说明认定为重大执法决定的理由" in _messages(empty)
    officer.post(f"/review/cases/{case.pk}/major/", {"reason": "涉及学校周边施工安全，社会关注度高"})
    page = _text(officer.get(f"/cases/{case.pk}/"))
    assert "承办人认定" in page and "社会关注度高" in page and 'data-major="1"' in page
    refused = _decide_on_page(client_as("head"), case, "40000")
    assert "承办人认定" in _messages(refused)
    assert Case.objects.get(pk=case.pk).state == "defended"


def test_the_catalogue_page_and_a_new_version_of_an_entry(bureau: Any, client_as: Any) -> None:
    page = _text(client_as("officer").get("/review/criteria/"))
    assert "R02" in page and "R09" in page and "经过听证" in page and "新增目录条目" not in page
    assert client_as("officer").get("/review/criteria/new/").status_code == 403
    pilot = client_as("pilot")
    form = _text(pilot.get("/review/criteria/new/?code=R02"))
    assert "100000" in form
    case = case_at_decision(bureau, amount="60000")
    missing_reason = pilot.post(
        "/review/criteria/new/",
        {
            "code": "R02",
            "name": "对法人或其他组织处以较大数额罚款（5万元以上）",
            "kind": "amount_at_least",
            "act_types": ["penalty"],
            "party_kind": "organisation",
            "amount_field": "fine_amount",
            "threshold": "50000",
            "basis": "本局法制审核目录清单（2026年修订）",
            "effective_from": "2026-03-02",
            "change_reason": "",
        },
    )
    assert missing_reason.status_code == 200 and not MajorCriterion.objects.filter(threshold=50000).exists()
    added = pilot.post(
        "/review/criteria/new/",
        {
            "code": "R02",
            "name": "对法人或其他组织处以较大数额罚款（5万元以上）",
            "kind": "amount_at_least",
            "act_types": ["penalty"],
            "party_kind": "organisation",
            "amount_field": "fine_amount",
            "threshold": "50000",
            "basis": "本局法制审核目录清单（2026年修订）",
            "effective_from": "2026-03-02",
            "change_reason": "目录清单年度调整",
        },
        follow=True,
    )
    assert "已调整R02" in _messages(added)
    row = MajorCriterion.objects.get(code="R02", effective_from=DAY)
    assert row.created_by == bureau.pilot and row.threshold == Decimal("50000")
    assert "目录清单年度调整" in _text(added) and "历次调整（2）" in _text(added)
    assert MajorCriterion.objects.filter(code="R02").count() == 2  # the old row stays
    page = _text(client_as("head").get(f"/cases/{case.pk}/"))
    assert "R02" in page and 'data-gate="closed"' in page
    # Withdrawal: from a later day R10 no longer applies; an earlier date than the newest is refused.
    pilot = client_as("pilot")
    earlier = pilot.post(
        "/review/criteria/new/",
        {"code": "R02", "withdraw": "on", "effective_from": "2026-01-01", "change_reason": "x"},
    )
    assert "生效日期早于现行规定" in _text(earlier)
    pilot.post(
        "/review/criteria/new/",
        {"code": "R10", "withdraw": "on", "effective_from": "2026-04-01", "change_reason": "并入R12"},
    )
    assert not MajorCriterion.objects.get(code="R10", effective_from=datetime.date(2026, 4, 1)).active
    assert "R10" in _text(pilot.get("/review/criteria/?on=2026-03-31"))
    later = _text(pilot.get("/review/criteria/?on=2026-04-02"))
    assert 'id="criterion-R10"' in later and "未施行或已停用的条目" in later


def test_the_home_page_shows_what_waits_for_the_reviewer(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    home = _text(client_as("reviewer").get("/"))
    assert "待我审核" in home and case.number in home
    assert "待我审核" not in _text(client_as("officer").get("/"))


def test_a_leader_extends_the_time_limit_once(bureau: Any, client_as: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft_on_page(client_as("officer"), case, "150000")
    client_as("officer").post(f"/review/cases/{case.pk}/submit/")
    request = ReviewRequest.objects.get(case=case)
    assert (
        client_as("officer").post(f"/review/{request.pk}/extend/", {"reason": "案情复杂"}).status_code == 403
    )
    leader = client_as("leader")
    assert "批准延长审核期限" in _text(leader.get(f"/review/{request.pk}/"))
    extended = leader.post(
        f"/review/{request.pk}/extend/", {"reason": "案情复杂，需补充调取材料"}, follow=True
    )
    request.refresh_from_db()
    assert request.extended and request.due_on > datetime.date(2026, 3, 9)
    assert f"已延长审核期限至{request.due_on:%Y-%m-%d}" in _messages(extended)
    assert "批准延长审核期限" not in _text(extended)
    again = leader.post(f"/review/{request.pk}/extend/", {"reason": "再次延长"}, follow=True)
    assert "已延长过一次" in _messages(again)
    assert case.events.filter(event_type=EventType.REVIEW_EXTENDED).count() == 1
