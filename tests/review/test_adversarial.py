"""Attempts to get a major decision past legal review by the side doors: deciding an amount other
than the draft's (or none, keeping the notified one), deciding the opposite of a licensing draft,
an old round's 集体讨论 carrying a new draft, and people of another enforcement body."""

from __future__ import annotations

from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code, walk
from tests.conftest import make_resident_id, make_uscc
from tests.review.conftest import DAY, case_at_decision
from tests.review.test_gate import ALL_PASS, _approve, _decide, _draft

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.org import services as org
from zhifa.org.models import Person, Role, UnitKind
from zhifa.review import selectors, services
from zhifa.review.models import DiscussionDecision, Measure


def _decide_keeping_the_notified_amount(bureau: Any, case: Case) -> Case:
    return cases.perform_transition(actor=bureau.head, case=case, transition="decide", data={}, today=DAY)


def test_a_small_draft_does_not_carry_a_large_decision(bureau: Any) -> None:
    """Notified at 150,000 (R02), drafted at 40,000 (not major): deciding 150,000 is major."""
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "40000")
    with pytest.raises(cases.ReviewRequired, match="不一致"):
        _decide(bureau, case, "150000")
    with pytest.raises(cases.ReviewRequired, match="R02"):
        _decide_keeping_the_notified_amount(bureau, case)
    assert Case.objects.get(pk=case.pk).state == "defended"
    assert _decide(bureau, case, "40000").state == "decided"  # what was drafted: not major


def test_a_warning_draft_does_not_carry_a_fine(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, None)
    with pytest.raises(cases.ReviewRequired, match="未拟罚款"):
        _decide(bureau, case, "150000")


def test_an_approved_draft_does_not_carry_the_notified_amount(bureau: Any) -> None:
    """同意 for 120,000; a decision that leaves the amount empty would keep the notified 150,000."""
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "120000")
    _approve(bureau, case)
    with pytest.raises(cases.ReviewRequired, match="不一致"):
        _decide_keeping_the_notified_amount(bureau, case)
    decided = _decide(bureau, case, "120000")
    assert decided.state == "decided" and decided.amount == 120000


def _licensing_after_hearing(bureau: Any) -> Case:
    case = cases.open_case(
        actor=bureau.officer,
        item=make_item(bureau, code="ZJ-XK-009", act_type="licensing"),
        party_kind="organisation",
        party_name="衡阳某建设公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    steps = ["accept", "start_review", "request_hearing", "hold_hearing"]
    return walk(case, [(step, bureau.officer, {}) for step in steps], day=DAY)


def test_a_grant_draft_does_not_carry_a_refusal_after_hearing(bureau: Any) -> None:
    """R14: 听证后不予许可 is major whatever the draft said."""
    case = _licensing_after_hearing(bureau)
    services.save_draft(
        actor=bureau.officer,
        case=case,
        measures=[Measure.LICENSING_GRANT],
        facts="申请材料齐全。",
        legal_basis="《中华人民共和国行政许可法》第三十八条",
        decision_text="准予许可。",
        today=DAY,
    )
    refusals = selectors.gate_refusals(case, "refuse", {}, DAY)
    assert any("R14" in r for r in refusals) and any("不一致" in r for r in refusals)
    with pytest.raises(cases.ReviewRequired, match="R14"):
        cases.perform_transition(
            actor=bureau.head, case=case, transition="refuse", reason="不符合条件", today=DAY
        )
    assert Case.objects.get(pk=case.pk).state == "reviewing"
    assert selectors.gate_refusals(case, "approve", {}, DAY) == []  # the grant itself is not major


def test_an_old_rounds_discussion_does_not_approve_a_new_draft(bureau: Any) -> None:
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="problems",
        checklist={**ALL_PASS, "facts": {"passed": False, "comment": "证据不足"}},
        problems="证据不足",
        today=DAY,
    )
    services.escalate(actor=bureau.officer, request=request, reason="证据已足")
    _draft(bureau, case, "150000", decision_text="罚款150000元，另行改写的决定。")
    with pytest.raises(InvalidInput, match="第1版"):
        services.record_collective_discussion(
            actor=bureau.leader,
            case=case,
            held_on=DAY,
            chair="郑局长",
            attendees=["郑局长", "副局长甲", "副局长乙"],
            minutes="同意。",
            decision=DiscussionDecision.PROCEED,
            request=request,
        )
    with pytest.raises(cases.ReviewRequired, match="第2版尚未审核同意"):
        _decide(bureau, case, "150000")


def _another_body() -> dict[str, Person]:
    body = org.create_body(
        actor=None,
        name="衡阳市自然资源和规划局",
        short_name="衡自规",
        credit_code=make_uscc("11430400MB7654321"),
        legal_status="organ",
        jurisdiction="衡阳市",
    )
    unit = org.create_unit(actor=None, body=body, name="法规科", kind=UnitKind.SECTION)
    people: dict[str, Person] = {}
    for n, (key, role, scoped) in enumerate(
        [("reviewer", Role.REVIEWER, False), ("leader", Role.LEADER, False), ("head", Role.UNIT_HEAD, True)]
    ):
        person = org.register_person(
            actor=None,
            unit=unit,
            name=f"外局{key}",
            username=f"foreign_{key}",
            password="Zhifa-test-2026",
            resident_id=make_resident_id(f"4304001980010199{n}"),
            legal_qualification_no="A20184301000777" if key == "reviewer" else "",
        )
        org.grant_role(actor=None, person=person, role=role, unit=unit if scoped else None)
        people[key] = person
    return people


def test_people_of_another_body_neither_review_nor_steer_the_review(bureau: Any) -> None:
    foreign = _another_body()
    case = case_at_decision(bureau, amount="150000")
    draft = _draft(bureau, case, "150000", measures=[Measure.FINE, Measure.SUSPENSION])
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    assert "不属于本案的执法主体" in services.reviewer_refusal(case, foreign["reviewer"])
    with pytest.raises(NotPermitted, match="本执法主体"):
        services.assign_reviewer(
            actor=foreign["reviewer"].user, request=request, reviewer=foreign["reviewer"]
        )
    with pytest.raises(InvalidInput, match="不属于本案的执法主体"):
        services.assign_reviewer(actor=bureau.reviewer, request=request, reviewer=foreign["reviewer"])
    with pytest.raises(NotPermitted):
        services.extend_review(actor=foreign["head"].user, request=request, reason="案情复杂")
    with pytest.raises(NotPermitted):
        services.extend_review(actor=foreign["leader"].user, request=request, reason="案情复杂")
    with pytest.raises(NotPermitted):
        services.mark_major(actor=foreign["leader"].user, case=case, reason="外局认定")
    with pytest.raises(NotPermitted, match="本执法主体"):
        services.record_collective_discussion(
            actor=foreign["leader"].user,
            case=case,
            held_on=DAY,
            chair="外局长",
            attendees=["甲", "乙", "丙"],
            minutes="同意。",
            decision=DiscussionDecision.PROCEED,
        )
    assert not selectors.discussed(draft)
    # The bureau's own leader still extends.
    assert services.extend_review(actor=bureau.leader, request=request, reason="案情复杂").extended


def test_a_handlers_flag_is_kept_by_every_later_draft(bureau: Any) -> None:
    """标注不能撤回: drafting again without the flag does not make the case non-major."""
    case = case_at_decision(bureau, amount="40000")
    _draft(bureau, case, "40000", flags=["public_interest"])
    later = _draft(bureau, case, "40000")
    assert later.flags == ["public_interest"]
    assert any(r.startswith("R10 ") for r in selectors.majority(case, day=DAY).reasons)
    with pytest.raises(cases.ReviewRequired, match="R10"):
        _decide(bureau, case, "40000")


def test_a_head_who_opened_the_case_may_not_review_it(bureau: Any) -> None:
    """The head approved the opening (立案审批): that is handling the case."""
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    head = bureau.people["head"]
    Person.objects.filter(pk=head.pk).update(legal_qualification_no="A20154301000888")
    head.refresh_from_db()
    org.grant_role(actor=None, person=head, role=Role.REVIEWER)
    assert "承办过本案" in services.reviewer_refusal(case, head)
    with pytest.raises(InvalidInput, match="承办过本案"):
        services.assign_reviewer(actor=bureau.reviewer, request=request, reviewer=head)


def test_a_draft_found_wanting_is_not_sent_to_another_reviewer_unchanged(
    bureau: Any, adviser: Person
) -> None:
    """存在问题 is answered by a new version or by 集体讨论, not by shopping for another reviewer."""
    case = case_at_decision(bureau, amount="150000")
    _draft(bureau, case, "150000")
    request = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    reviewer = bureau.people["reviewer"]
    services.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    services.record_opinion(
        actor=reviewer.user,
        request=request,
        result="problems",
        checklist={**ALL_PASS, "discretion": {"passed": False, "comment": "裁量过重"}},
        problems="裁量过重",
        today=DAY,
    )
    with pytest.raises(Conflict, match="存在问题"):
        services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    _draft(bureau, case, "120000")
    again = services.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    assert again.round == 2 and again.draft.version == 2
