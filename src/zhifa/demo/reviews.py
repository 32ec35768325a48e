"""Demo legal reviews (重大执法决定法制审核), done through the review services like a real bureau:
drafts of the decision, submission, assignment to the reviewer, opinions (with their 法制审核意见书),
集体讨论 (with its 笔录), and one attempt to decide without review that the gate refuses and keeps as
an accountability record.

A scenario's steps (``zhifa.demo.cases``) name these actions beside the workflow's transitions:
``(action, username, day, data)``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.cases.services import ReviewRequired
from zhifa.org.models import Person
from zhifa.review import selectors
from zhifa.review import services as review
from zhifa.review.models import CHECKLIST, ReviewRequest, ReviewResult

Action = Callable[[Any, Case, datetime.date, dict[str, Any]], None]


def _person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def _open_request(case: Case) -> ReviewRequest:
    draft = selectors.latest_draft(case)
    request = selectors.open_request(draft) if draft is not None else None
    if request is None:
        raise LookupError(f"演示数据：{case.number}没有待审核的送审记录")
    return request


def _latest_request(case: Case) -> ReviewRequest | None:
    return ReviewRequest.objects.filter(case=case).order_by("-round").first()


def draft_decision(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    """``data``: measures, fine_amount, bracket (the circumstance's name), facts, legal_basis,
    decision_text, flags."""
    circumstance = data.get("bracket", "")
    bracket = case.item_version.brackets.get(circumstance=circumstance) if circumstance else None
    review.save_draft(
        actor=user,
        case=case,
        measures=data["measures"],
        fine_amount=data.get("fine_amount"),
        bracket=bracket,
        flags=data.get("flags", []),
        facts=data["facts"],
        legal_basis=data["legal_basis"],
        decision_text=data["decision_text"],
        today=day,
    )


def submit_review(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    review.submit_for_review(actor=user, case=case, today=day)


def assign_reviewer(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    """``data``: reviewer (username)."""
    review.assign_reviewer(actor=user, request=_open_request(case), reviewer=_person(data["reviewer"]))


def review_opinion(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    """``data``: result, failed ({checklist code: the problem}), problems, changes_required."""
    failed: dict[str, str] = data.get("failed", {})
    checklist = {
        code: {"passed": code not in failed, "comment": failed.get(code, "")} for code, _ in CHECKLIST
    }
    review.record_opinion(
        actor=user,
        request=_open_request(case),
        result=data.get("result", ReviewResult.APPROVED),
        checklist=checklist,
        problems=data.get("problems", ""),
        changes_required=data.get("changes_required", ""),
        today=day,
    )


def collective_discussion(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    """``data``: chair, attendees, minutes, decision; the discussion refers to the latest round."""
    review.record_collective_discussion(
        actor=user,
        case=case,
        held_on=day,
        chair=data["chair"],
        attendees=data["attendees"],
        minutes=data["minutes"],
        decision=data["decision"],
        request=_latest_request(case),
    )


def attempt_without_review(user: Any, case: Case, day: datetime.date, data: dict[str, Any]) -> None:
    """``data``: step, and the step's data. The gate must refuse (and keeps the attempt as an
    accountability record); a demo where it does not is wrong, so that fails loudly."""
    step = data["step"]
    try:
        cases.perform_transition(
            actor=user, case=case, transition=step, data=data.get("data", {}), today=day, reason=""
        )
    except ReviewRequired:
        return
    raise RuntimeError(f"演示数据：{case.number}未经法制审核即可办理“{step}”，法制审核关口没有拦截。")


ACTIONS: dict[str, Action] = {
    "draft_decision": draft_decision,
    "submit_review": submit_review,
    "assign_reviewer": assign_reviewer,
    "review_opinion": review_opinion,
    "collective_discussion": collective_discussion,
    "attempt_without_review": attempt_without_review,
}
