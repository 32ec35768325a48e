"""What the legal review's documents say: the 法制审核意见书 of a ``ReviewOpinion`` and the 集体讨论笔录
of a ``CollectiveDiscussion``, added to the case's usual context (``context.build_context``).

Every value is display text, so the templates stay plain. Without a source the blocks are those of
a blank form (the checklist with no verdicts), which is how the templates render from the case alone.
"""

from __future__ import annotations

from typing import Any

from zhifa.documents.formatting import chinese_date, rmb_capital, yuan_figures
from zhifa.org import permissions
from zhifa.review.models import (
    CHECKLIST,
    CollectiveDiscussion,
    DecisionDraft,
    Flag,
    MajorFinding,
    Measure,
    ReviewOpinion,
)

PASSED, FAILED = "通过", "不通过"
NONE = "无"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _labels(values: list[str], choices: Any) -> str:
    return "、".join(str(choices(v).label) for v in values if v in choices.values)


def _money(value: Any) -> str:
    return f"{yuan_figures(value)}（大写：{rmb_capital(value)}）" if value is not None else NONE


def _draft(draft: DecisionDraft | None) -> dict[str, Any]:
    if draft is None:
        return {
            "version": "",
            "measures": "",
            "fine": "",
            "confiscation": "",
            "bracket": "",
            "outside_bracket": "",
            "flags": "",
            "facts": [],
            "legal_basis": [],
            "decision_text": [],
        }
    bracket = draft.bracket
    outside = f"是。理由：{draft.outside_bracket_reason}" if draft.outside_bracket else "否"
    return {
        "version": f"第{draft.version}版",
        "measures": _labels(draft.measures, Measure) or NONE,
        "fine": _money(draft.fine_amount),
        "confiscation": _money(draft.confiscation_value),  # 没收违法所得、非法财物的金额（价值）
        "bracket": f"{bracket.circumstance}（{bracket.range_display}）" if bracket else NONE,
        "outside_bracket": outside,
        "flags": _labels(draft.flags, Flag) or NONE,
        "facts": _paragraphs(draft.facts),
        "legal_basis": _paragraphs(draft.legal_basis),
        "decision_text": _paragraphs(draft.decision_text),
    }


def _major_reasons(draft: DecisionDraft) -> list[str]:
    """Why the decision needs review: the catalogue matches of this draft and any handler marking."""
    findings = MajorFinding.objects.filter(case=draft.case).order_by("id")
    reasons = [f.reason for f in findings if f.draft_id == draft.pk and f.automatic]
    reasons += [f"承办人认定：{f.reason}" for f in findings if not f.automatic]
    return list(dict.fromkeys(reasons))


def opinion_blocks(opinion: ReviewOpinion | None, day_label: str) -> dict[str, Any]:
    """``review`` and ``draft`` of the 法制审核意见书."""
    if opinion is None:
        return {
            "review": {
                "round": "",
                "submitted_on": "",
                "due_on": "",
                "unit": "",
                "reviewer": "",
                "reviewer_title": "",
                "qualification": "",
                "result": "",
                "late": False,
                "checklist": [
                    {"no": n, "label": label, "verdict": "", "comment": ""}
                    for n, (_, label) in enumerate(CHECKLIST, start=1)
                ],
                "problems": [],
                "changes_required": [],
                "major_reasons": [],
                "decided_on": "",
            },
            "draft": _draft(None),
        }
    request = opinion.request
    reviewer = opinion.reviewer
    points = []
    for n, (code, label) in enumerate(CHECKLIST, start=1):
        point = opinion.checklist.get(code, {})
        passed = point.get("passed")
        points.append(
            {
                "no": n,
                "label": label,
                "verdict": PASSED if passed else FAILED if passed is False else "",
                "comment": str(point.get("comment", "")),
            }
        )
    return {
        "review": {
            "round": f"第{request.round}轮",
            "submitted_on": chinese_date(request.submitted_on),
            "due_on": chinese_date(request.due_on),
            "unit": reviewer.unit.name,
            "reviewer": reviewer.name,
            "reviewer_title": reviewer.title,
            "qualification": reviewer.legal_qualification_no,
            "result": opinion.get_result_display(),
            "late": opinion.late,
            "checklist": points,
            "problems": _paragraphs(opinion.problems),
            "changes_required": _paragraphs(opinion.changes_required),
            "major_reasons": _major_reasons(request.draft),
            "decided_on": day_label,
        },
        "draft": _draft(request.draft),
    }


def discussion_blocks(discussion: CollectiveDiscussion | None) -> dict[str, Any]:
    """``discussion`` and ``draft`` of the 集体讨论笔录."""
    if discussion is None:
        return {
            "discussion": {
                "held_on": "",
                "chair": "",
                "attendees": "",
                "minutes": [],
                "decision": "",
                "recorded_by": "",
                "review": "",
            },
            "draft": _draft(None),
        }
    request = discussion.request
    opinion = getattr(request, "opinion", None) if request is not None else None
    review = ""
    if request is not None and opinion is not None:
        review = f"第{request.round}轮法制审核意见为“{opinion.get_result_display()}”"
        if request.escalated_at:
            review += f"；承办人提出异议，提交集体讨论（{request.escalation_reason}）"
    return {
        "discussion": {
            "held_on": chinese_date(discussion.held_on),
            "chair": discussion.chair,
            "attendees": "、".join(discussion.attendees),
            "minutes": _paragraphs(discussion.minutes),
            "decision": discussion.get_decision_display(),
            "recorded_by": _recorder(discussion),
            "review": review,
        },
        "draft": _draft(discussion.draft),
    }


def _recorder(discussion: CollectiveDiscussion) -> str:
    person = permissions.person_of(discussion.recorded_by)
    return person.name if person is not None else str(discussion.recorded_by.get_username())


def source_ref(source: Any) -> dict[str, Any] | None:
    """Which record a review document states (kept in its context: a regeneration of the same
    record keeps the document's number)."""
    if source is None:
        return None
    return {"model": source._meta.label_lower, "id": source.pk}


def review_blocks(template: str, source: Any, day_label: str) -> dict[str, Any]:
    """The blocks a review document adds to the case's context (blank when ``source`` is None)."""
    if template == "legal_review_opinion":
        blocks = opinion_blocks(source, day_label)
    else:
        blocks = discussion_blocks(source)
    return {"source": source_ref(source), **blocks}
