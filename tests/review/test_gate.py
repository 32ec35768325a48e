"""The must-holds of legal review, at the service layer: a major decision cannot issue without
同意 for the very draft decided; a non-major one goes straight through; who may review; every
round, opinion and discussion is in the record and the ledger; refusals leave accountability."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.review.conftest import DAY, case_at_decision

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.ledger import log
from zhifa.org.models import Person, Role, RoleAssignment
from zhifa.records.models import EventType
from zhifa.review import selectors, services
from zhifa.review.models import (
    CHECKLIST,
    AccountabilityKind,
    AccountabilityRecord,
    DiscussionDecision,
    MajorCriterion,
    Measure,
    ReviewRequest,
)

ALL_PASS = {key: {"passed": True, "comment": ""} for key, _ in CHECKLIST}


def _draft(bureau: Any, case: Case, amount: str | None, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "measures": [Measure.FINE] if amount else [Measure.WARNING],
        "fine_amount": amount,
        "facts": "当事人未取得施工许可证擅自施工，建筑面积3000平方米。",
        "legal_basis": "《中华人民共和国建筑法》第六十四条",
        "decision_text": f"罚款{amount}元。" if amount else "警告。",
        "today": DAY,
    }
    fields.update(extra)
    return services.save_draft(actor=bureau.officer, case=case, **fields)


def _approve(bureau: Any, case: Case, reviewer: Any = None) -> ReviewRequest:
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    person = reviewer or bureau.people["reviewer"]
    services.assign_reviewer(actor=person.user, request=request, reviewer=person)
    services.record_opinion(
        actor=person.user, request=request, result="approved", checklist=ALL_PASS, today=DAY
    )
    return request


def _decide(bureau: Any, case: Case, amount: str) -> Case:
    return cases.perform_transition(
        actor=bureau.head, case=case, transition="decide", data={"amount": amount}, today=DAY
    )


def test_a_case_that_is_not_major_is_decided_straight_away(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    assert not selectors.majority(case, day=DAY).major
    assert _decide(bureau, case, "40000").state == "decided"
    assert not AccountabilityRecord.objects.exists()


def test_a_major_case_is_refused_until_approved_and_the_attempt_is_recorded(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    status = selectors.majority(case, day=DAY)
    assert status.major and status.reasons[0].startswith("R02 ")
    with pytest.raises(cases.ReviewRequired, match="R02"):
        _decide(bureau, case, "150000")
    assert Case.objects.get(pk=case.pk).state == "defended"
    record = AccountabilityRecord.objects.get()
    assert record.kind == AccountabilityKind.DECIDE_WITHOUT_REVIEW and record.actor == bureau.head
    assert record.actor_name == "赵科长" and "作出处罚决定" in record.details
    assert case.events.filter(event_type=EventType.ACCOUNTABILITY).count() == 1
    _draft(bureau, case, "150000")
    with pytest.raises(cases.ReviewRequired, match="尚未审核同意"):
        _decide(bureau, case, "150000")
    _approve(bureau, case)
    with pytest.raises(cases.ReviewRequired, match="不一致"):
        _decide(bureau, case, "140000")
    assert _decide(bureau, case, "150000").state == "decided"


def test_changing_the_draft_after_approval_voids_the_approval(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    _approve(bureau, case)
    assert selectors.gate_refusals(case, "decide", {"amount": Decimal("150000")}, DAY) == []
    _draft(bureau, case, "150000", decision_text="罚款150000元，并责令改正。")
    refusals = selectors.gate_refusals(case, "decide", {"amount": Decimal("150000")}, DAY)
    assert refusals and "第2版尚未审核同意" in refusals[0]
    with pytest.raises(cases.ReviewRequired):
        _decide(bureau, case, "150000")
    _approve(bureau, case)
    assert ReviewRequest.objects.filter(case=case).count() == 2  # every round is kept
    assert _decide(bureau, case, "150000").state == "decided"


def test_a_hearing_makes_the_case_major(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="30000", hearing=True)
    assert any(reason.startswith("R09 ") for reason in selectors.majority(case, day=DAY).reasons)
    with pytest.raises(cases.ReviewRequired, match="R09"):
        _decide(bureau, case, "30000")


def test_a_handler_may_mark_a_case_major_but_nothing_unmarks_it(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    with pytest.raises(InvalidInput):
        services.mark_major(actor=bureau.officer, case=case, reason=" ")
    services.mark_major(actor=bureau.officer, case=case, reason="涉及学校周边施工安全，社会关注度高")
    assert selectors.majority(case, day=DAY).major
    with pytest.raises(cases.ReviewRequired, match="承办人认定"):
        _decide(bureau, case, "40000")
    finding = case.major_findings.get()
    with pytest.raises(ValueError, match="不能删除"):
        finding.delete()


def test_the_catalogue_is_data_with_dates(bureau: Any) -> None:
    """Raising R02's threshold from a date changes which cases are major from that date on."""
    case = case_at_decision(bureau, amount="150000")
    MajorCriterion(
        code="R02",
        name="对法人或其他组织处以较大数额罚款（20万元以上）",
        kind="amount_at_least",
        act_types="penalty",
        party_kind="organisation",
        amount_field="fine_amount",
        threshold=Decimal("200000"),
        basis="本局法制审核目录清单（2026年修订）",
        effective_from=datetime.date(2026, 3, 1),
        change_reason="目录清单年度调整",
    ).save()
    assert selectors.majority(case, day=datetime.date(2026, 2, 28)).major
    assert not selectors.majority(case, day=DAY).major
    assert _decide(bureau, case, "150000").state == "decided"


def test_who_may_review(bureau: Any, adviser: Person) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    officer = bureau.people["officer"]
    with pytest.raises(InvalidInput, match="不是法制审核人员"):
        services.assign_reviewer(actor=adviser.user, request=request, reviewer=officer)
    # A qualified reviewer who handled the case (was assigned to it) may not review it.
    Person.objects.filter(pk=officer.pk).update(legal_qualification_no="A20154301000999")
    officer.refresh_from_db()
    RoleAssignment.objects.create(person=officer, role=Role.REVIEWER, unit=None)
    with pytest.raises(InvalidInput, match="承办过本案"):
        services.assign_reviewer(actor=adviser.user, request=request, reviewer=officer)
    # A reviewer whose qualification is not recorded (e.g. imported data) is refused too.
    unqualified = bureau.people["supervisor"]
    RoleAssignment.objects.create(person=unqualified, role=Role.REVIEWER, unit=None)
    with pytest.raises(InvalidInput, match="未登记法律职业资格"):
        services.assign_reviewer(actor=adviser.user, request=request, reviewer=unqualified)
    # 法律顾问 may review; only the assigned reviewer writes the opinion.
    services.assign_reviewer(actor=adviser.user, request=request, reviewer=adviser)
    with pytest.raises(NotPermitted, match="被指定的审核人员"):
        services.record_opinion(
            actor=bureau.reviewer, request=request, result="approved", checklist=ALL_PASS, today=DAY
        )
    services.record_opinion(
        actor=adviser.user, request=request, result="approved", checklist=ALL_PASS, today=DAY
    )
    assert _decide(bureau, case, "150000").state == "decided"


def test_the_opinion_follows_the_checklist(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    partial = dict(ALL_PASS)
    del partial["crime"]
    with pytest.raises(InvalidInput, match="涉嫌犯罪的已依法移送司法机关"):
        services.record_opinion(actor=reviewer.user, request=request, result="approved", checklist=partial)
    failing = {**ALL_PASS, "discretion": {"passed": False, "comment": ""}}
    with pytest.raises(InvalidInput, match="写明问题"):
        services.record_opinion(actor=reviewer.user, request=request, result="problems", checklist=failing)
    failing["discretion"]["comment"] = "罚款数额超出同类案件"
    with pytest.raises(InvalidInput, match="不能同意"):
        services.record_opinion(
            actor=reviewer.user, request=request, result="approved", checklist=failing, problems="x"
        )
    with pytest.raises(InvalidInput, match="存在的问题"):
        services.record_opinion(actor=reviewer.user, request=request, result="problems", checklist=failing)
    opinion = services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="problems",
        checklist=failing,
        problems="裁量不当",
        changes_required="按裁量基准重新确定罚款数额",
        today=DAY,
    )
    assert opinion.checklist["discretion"] == {
        "label": "行政裁量基准适用适当",
        "passed": False,
        "comment": "罚款数额超出同类案件",
    }
    with pytest.raises(cases.ReviewRequired):
        _decide(bureau, case, "150000")
    # The handler revises the draft and submits again: round 2; round 1 stays on record.
    _draft(bureau, case, "120000")
    second = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    assert second.round == 2


def test_a_late_opinion_is_recorded_for_accountability(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    assert request.due_on == datetime.date(2026, 3, 9)  # T28: 5 working days after Monday 2 March
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="approved",
        checklist=ALL_PASS,
        today=datetime.date(2026, 3, 10),
    )
    record = AccountabilityRecord.objects.get(kind=AccountabilityKind.LATE_REVIEW)
    assert record.actor == reviewer.user and "2026-03-09" in record.details


def test_the_package_must_be_complete(bureau: Any) -> None:
    case = cases.open_case(
        actor=bureau.officer,
        item=case_at_decision(bureau, amount="1000").item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=case_at_decision.__globals__["org_code"](),
        officers=[bureau.people["officer"]],
        today=DAY,
    )
    _draft(bureau, case, "150000")
    with pytest.raises(InvalidInput, match="送审材料不完整") as refused:
        services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    missing = refused.value.details["missing"]
    assert "调查终结报告" in missing and "两名以上持有效执法证的执法人员" in missing


def test_outside_the_bracket_needs_reasons_and_makes_the_case_major(bureau: Any) -> None:
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
    case.refresh_from_db()
    bracket = case.item_version.brackets.get()
    with pytest.raises(InvalidInput, match="请选择适用的违法情形"):
        _draft(bureau, case, "40000")
    assert not _draft(bureau, case, "40000", bracket=bracket).outside_bracket
    with pytest.raises(InvalidInput, match="超出该情形的裁量基准"):
        _draft(bureau, case, "60000", bracket=bracket)
    draft = _draft(bureau, case, "60000", bracket=bracket, outside_bracket_reason="多次违法、拒不改正")
    assert draft.outside_bracket
    assert any(r.startswith("R08 ") for r in selectors.majority(case, day=DAY).reasons)


def test_serious_measures_also_need_collective_discussion(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    _draft(bureau, case, "40000", measures=[Measure.FINE, Measure.SUSPENSION])
    _approve(bureau, case)
    with pytest.raises(cases.ReviewRequired, match="第五十七条"):
        _decide(bureau, case, "40000")
    with pytest.raises(NotPermitted):
        services.record_collective_discussion(
            actor=bureau.head,
            case=case,
            held_on=DAY,
            chair="赵科长",
            attendees=["甲", "乙", "丙"],
            minutes="讨论",
            decision=DiscussionDecision.PROCEED,
        )
    with pytest.raises(InvalidInput, match="三名以上"):
        services.record_collective_discussion(
            actor=bureau.leader,
            case=case,
            held_on=DAY,
            chair="郑局长",
            attendees=["郑局长"],
            minutes="讨论",
            decision=DiscussionDecision.PROCEED,
        )
    services.record_collective_discussion(
        actor=bureau.leader,
        case=case,
        held_on=DAY,
        chair="郑局长",
        attendees=["郑局长", "副局长甲", "副局长乙"],
        minutes="经讨论，同意责令停止施工并罚款4万元。",
        decision=DiscussionDecision.PROCEED,
    )
    assert _decide(bureau, case, "40000").state == "decided"


def test_a_disagreement_goes_to_collective_discussion(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    with pytest.raises(Conflict):
        services.escalate(actor=bureau.officer, request=request, reason="不同意")
    failing = {**ALL_PASS, "facts": {"passed": False, "comment": "证据不足"}}
    services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="problems",
        checklist=failing,
        problems="证据不足",
        today=DAY,
    )
    services.escalate(actor=bureau.officer, request=request, reason="现场笔录和照片已足以证明")
    services.record_collective_discussion(
        actor=bureau.leader,
        case=case,
        held_on=DAY,
        chair="郑局长",
        attendees=["郑局长", "副局长甲", "副局长乙"],
        minutes="经讨论，认为证据确凿，同意作出决定。",
        decision=DiscussionDecision.PROCEED,
        request=request,
    )
    assert _decide(bureau, case, "150000").state == "decided"


def test_every_round_opinion_and_discussion_is_in_the_record_and_the_ledger(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="40000")
    draft = _draft(bureau, case, "40000", measures=[Measure.FINE, Measure.SUSPENSION])
    request = _approve(bureau, case)
    discussion = services.record_collective_discussion(
        actor=bureau.leader,
        case=case,
        held_on=DAY,
        chair="郑局长",
        attendees=["郑局长", "副局长甲", "副局长乙"],
        minutes="同意。",
        decision=DiscussionDecision.PROCEED,
    )
    types = list(case.events.values_list("event_type", flat=True))
    for expected in [
        EventType.DRAFT_DECISION,
        EventType.MAJOR_DETERMINED,
        EventType.REVIEW_SUBMITTED,
        EventType.REVIEW_ASSIGNED,
        EventType.REVIEW_OPINION,
        EventType.COLLECTIVE_DISCUSSION,
    ]:
        assert expected in types, expected
    for row in [draft, request.opinion, discussion, *case.major_findings.all()]:
        assert log.leaf_for(row) is not None, row


def test_a_decision_that_went_around_the_rules_is_found_and_recorded_once(bureau: Any) -> None:
    """A catalogue entry dated back (or data written around the application) leaves a decided
    case that needed review: the daily check records it for 责任追究, once."""
    case = case_at_decision(bureau, amount="60000")
    _decide(bureau, case, "60000")
    assert services.record_bypasses() == []
    MajorCriterion(
        code="R16",
        name="对法人或其他组织处以5万元以上罚款",
        kind="amount_at_least",
        act_types="penalty",
        party_kind="organisation",
        amount_field="fine_amount",
        threshold=Decimal("50000"),
        basis="本局法制审核目录清单（补充）",
        effective_from=datetime.date(2026, 1, 1),
    ).save()
    [record] = services.record_bypasses()
    assert record.kind == AccountabilityKind.BYPASS and record.case_id == case.pk and "R16" in record.details
    assert record.actor == bureau.head
    assert services.record_bypasses() == []


def test_lateness_follows_the_recorded_due_date_not_the_mutable_row(bureau: Any) -> None:
    """Moving the request's due date in the database does not make a late opinion punctual."""
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    ReviewRequest.objects.filter(pk=request.pk).update(due_on=datetime.date(2026, 12, 31))
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    opinion = services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="approved",
        checklist=ALL_PASS,
        today=datetime.date(2026, 3, 12),
    )
    assert opinion.late and AccountabilityRecord.objects.filter(kind=AccountabilityKind.LATE_REVIEW).exists()
