"""What the review pages and the API show, read the same way for both: a case's review status
(major and why, drafts, rounds, discussions, the gate), a round's deadline, who may do what.

Reads only; the rules themselves are in ``selectors`` (the gate) and ``services`` (the writes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.cases import selectors as case_selectors
from zhifa.cases.models import Case
from zhifa.org import permissions
from zhifa.org.models import BODY_WIDE_ROLES, REVIEW_ROLES, Person, Role
from zhifa.records.models import EventType
from zhifa.review import selectors
from zhifa.review.models import (
    AccountabilityRecord,
    CollectiveDiscussion,
    DecisionDraft,
    MajorFinding,
    ReviewRequest,
    ReviewResult,
)
from zhifa.review.selectors import Majority
from zhifa.workdays.calendar import CalendarYearMissing, working_days_between

OVERDUE, DUE_SOON, ON_TIME = "overdue", "due_soon", "ok"
DEADLINE_LABELS = {OVERDUE: "已超期", DUE_SOON: "即将到期", ON_TIME: "期限内"}
# 即将到期: at most this many working days left before T28 ends.
DUE_SOON_WORKING_DAYS = 1

ASSIGNER_ROLES = frozenset({*REVIEW_ROLES, Role.LEADER, Role.PILOT_OFFICE})
ACCOUNTABILITY_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.LEADER, Role.PILOT_OFFICE})
HANDLER_HEADS = (Role.UNIT_HEAD, Role.LEADER)


def deadline_status(request: ReviewRequest, today: datetime.date) -> str:
    """``overdue``, ``due_soon`` or ``ok`` for an open round; "" once it has an outcome."""
    if hasattr(request, "opinion") or request.escalated_at is not None:
        return ""
    if today > request.due_on:
        return OVERDUE
    try:
        left = working_days_between(today, request.due_on)
    except CalendarYearMissing:  # never guess holidays: count calendar days, which warns earlier
        left = (request.due_on - today).days
    return DUE_SOON if left <= DUE_SOON_WORKING_DAYS else ON_TIME


def round_outcome(request: ReviewRequest, latest: DecisionDraft | None) -> tuple[str, str]:
    """(code, label) of where a round stands."""
    opinion = getattr(request, "opinion", None)
    if opinion is not None:
        if request.escalated_at is not None:
            return "escalated", f"{opinion.get_result_display()}，已提交集体讨论"
        if opinion.result == ReviewResult.APPROVED and latest is not None and request.draft_id != latest.pk:
            return "void", "同意（拟决定已修改，审核同意已失效）"
        return opinion.result, opinion.get_result_display()
    return ("assigned", "审核中") if request.reviewer_id else ("unassigned", "待分配审核人员")


def is_handler(user: Any, case: Case) -> bool:
    """On the case, or a head or leader of its unit: who drafts, marks and submits."""
    return case_selectors.is_on_case(case, user) or permissions.has_role(user, HANDLER_HEADS, case.unit)


def decided(case: Case) -> bool:
    return case.events.filter(event_type=EventType.TRANSITION, step__in=selectors.DECISION_STEPS).exists()


@dataclass(frozen=True)
class GateLine:
    """One decision step of the case's workflow and why it may not issue yet (empty: it may)."""

    step: str
    label: str
    refusals: list[str]


@dataclass
class CaseReview:
    case: Case
    majority: Majority
    drafts: list[DecisionDraft]
    rounds: list[ReviewRequest]
    discussions: list[CollectiveDiscussion]
    findings: list[MajorFinding]
    gate: list[GateLine]
    decided: bool
    today: datetime.date
    missing: list[str] = field(default_factory=list)

    @property
    def latest(self) -> DecisionDraft | None:
        return self.drafts[0] if self.drafts else None

    @property
    def may_decide(self) -> bool:
        return all(not line.refusals for line in self.gate)

    @property
    def open_round(self) -> ReviewRequest | None:
        return next(
            (r for r in self.rounds if round_outcome(r, self.latest)[0] in {"assigned", "unassigned"}), None
        )

    @property
    def latest_approved(self) -> bool:
        return self.latest is not None and selectors.approved(self.latest)


def gated_steps(case: Case) -> list[Any]:
    """The steps of the case's workflow that meet the review gate (none for fees, levies …)."""
    return [t for t in case_selectors.workflow_of(case).transitions if "legal_review" in t.guards]


def case_review(case: Case, today: datetime.date | None = None) -> CaseReview | None:
    """The review status of ``case``, or None when its kind of act never needs legal review."""
    day = today or timezone.localdate()
    steps = gated_steps(case)
    if not steps:
        return None
    drafts = list(
        DecisionDraft.objects.filter(case=case).select_related("bracket", "created_by").order_by("-version")
    )
    gate = [GateLine(t.code, t.label, selectors.gate_refusals(case, t.code, {}, day)) for t in steps]
    review = CaseReview(
        case=case,
        majority=selectors.majority(case, day=day),
        drafts=drafts,
        rounds=list(selectors.requests_of(case).order_by("-round")),
        discussions=list(
            CollectiveDiscussion.objects.filter(case=case).select_related("draft").order_by("-pk")
        ),
        findings=list(MajorFinding.objects.filter(case=case).select_related("draft").order_by("pk")),
        gate=gate,
        decided=decided(case),
        today=day,
    )
    latest = review.latest
    if latest is not None and review.open_round is None and not review.latest_approved:
        review.missing = selectors.missing_for_review(case, selectors.package_for(case, latest))
    return review


def visible_requests(user: Any) -> QuerySet[ReviewRequest]:
    return ReviewRequest.objects.filter(case__in=case_selectors.visible_cases(user).values("pk"))


def queue_for(user: Any, *, show_all: bool = False) -> list[ReviewRequest]:
    """Open rounds the user should see: a reviewer's own and the unassigned ones (all with
    ``show_all``); everyone else the open rounds of the cases they may see. Earliest due first."""
    me = permissions.person_of(user)
    if me is not None and permissions.has_role(user, REVIEW_ROLES) and not show_all:
        rows = selectors.queue(reviewer=me)
    else:
        rows = selectors.queue()
    visible = case_selectors.visible_cases(user).values("pk")
    return list(rows.filter(case__in=visible).order_by("due_on", "submitted_at"))


def review_candidates(case: Case) -> list[Person]:
    """People of the case's body who hold a review role (eligibility is checked on assignment)."""
    return list(
        Person.objects.filter(body_id=case.body_id, is_active=True, roles__role__in=list(REVIEW_ROLES))
        .select_related("unit")
        .distinct()
        .order_by("name")
    )


def may_assign(user: Any) -> bool:
    return permissions.has_role(user, ASSIGNER_ROLES)


def may_see_accountability(user: Any) -> bool:
    return permissions.has_role(user, ACCOUNTABILITY_ROLES)


def accountability_for(user: Any, kind: str = "") -> QuerySet[AccountabilityRecord]:
    """The records of the user's body (every body for an administrator without one)."""
    rows = AccountabilityRecord.objects.select_related("case", "case__unit").order_by("-occurred_at", "-pk")
    me = permissions.person_of(user)
    if me is not None:
        rows = rows.filter(case__body_id=me.body_id)
    elif not permissions.has_role(user, BODY_WIDE_ROLES):
        rows = rows.none()
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def record_document(record: Any) -> Any:
    """The document generated for a review record — the 法制审核意见书 of an opinion, the 集体讨论笔录
    of a discussion — or None (not generated, or the documents app not installed)."""
    if record is None or not apps.is_installed("zhifa.documents"):
        return None
    from zhifa.documents.models import Document

    return (
        Document.objects.filter(
            context__source__model=record._meta.label_lower, context__source__id=record.pk
        )
        .order_by("-version")
        .first()
    )
