"""Staff pages of the legal review (法制审核): the panel on the case page and its actions, the
reviewers' queue, one round's package side by side with the checklist, the catalogue
(法制审核目录清单) and the accountability records (责任追究).

Thin: check who may see, call one service, turn a refusal into a message or form error.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhifa.cases import selectors as case_selectors
from zhifa.cases.models import Case
from zhifa.catalog.models import ActType
from zhifa.core.errors import DomainError
from zhifa.core.forms import apply_domain_error
from zhifa.org import permissions
from zhifa.org.models import REVIEW_ROLES, Person, Role
from zhifa.review import catalogue, selectors, services, status
from zhifa.review.forms import CriterionForm, DiscussionForm, DraftForm, OpinionForm, draft_initial
from zhifa.review.models import (
    CHECKLIST,
    AccountabilityKind,
    Flag,
    MajorCriterion,
    Measure,
    ReviewRequest,
    ReviewResult,
)

ACTIVE_NAV = "review"


def _case_for(request: HttpRequest, pk: int) -> Case:
    case = case_selectors.visible_cases(request.user).filter(pk=pk).first()
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            raise PermissionDenied("您无权查看该案件。")
        raise Http404("案件不存在")
    return case


def _request_for(request: HttpRequest, pk: int) -> ReviewRequest:
    found = (
        status.visible_requests(request.user)
        .select_related("case", "case__unit", "draft", "reviewer", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        if ReviewRequest.objects.filter(pk=pk).exists():
            raise PermissionDenied("您无权查看该送审材料。")
        raise Http404("送审记录不存在")
    return found


def _refused(request: HttpRequest, exc: DomainError) -> None:
    """A refusal on a POST-and-redirect action: 403 stays a 403, the rest become a message."""
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)


def _back_to_case(case: Case) -> HttpResponse:
    return redirect(f"{reverse('cases:case_detail', args=[case.pk])}#review")


# The panel on the case page ---------------------------------------------------------------------


def case_panel(case: Case, user: Any) -> dict[str, Any] | None:
    """Context of the 法制审核 panel on the case page (None for acts that are never reviewed)."""
    review = status.case_review(case)
    if review is None:
        return None
    handler = status.is_handler(user, case) and not review.decided
    me = permissions.person_of(user)
    rounds = [
        {
            "request": r,
            "opinion": getattr(r, "opinion", None),
            "outcome": status.round_outcome(r, review.latest),
            "deadline": status.deadline_status(r, review.today),
            "document": status.record_document(getattr(r, "opinion", None)),
            # Only the round of the current draft: a later draft supersedes the disagreement.
            "escalatable": handler
            and getattr(r, "opinion", None) is not None
            and r.opinion.result == ReviewResult.PROBLEMS
            and r.escalated_at is None
            and review.latest is not None
            and r.draft_id == review.latest.pk,
        }
        for r in review.rounds
    ]
    findings: dict[int, list[str]] = {}
    for f in review.findings:
        if f.automatic and f.draft_id:
            findings.setdefault(f.draft_id, []).append(f.reason)
    drafts = [
        {
            "draft": d,
            "approved": selectors.approved(d),
            "findings": findings.get(d.pk, []),
            "measures": [Measure(m).label for m in d.measures if m in Measure.values],
            "flags": [Flag(f).label for f in d.flags if f in Flag.values],
        }
        for d in review.drafts
    ]
    return {
        "review": review,
        "discussions": [{"discussion": d, "document": status.record_document(d)} for d in review.discussions],
        "reasons": [reason.partition(" ")[::2] for reason in review.majority.reasons],
        "drafts": drafts,
        "rounds": rounds,
        "deadline_labels": status.DEADLINE_LABELS,
        "is_handler": handler,
        "can_submit": handler
        and review.latest is not None
        and review.open_round is None
        and not review.latest_approved
        and not any(
            r.draft_id == review.latest.pk
            and getattr(r, "opinion", None) is not None
            and r.opinion.result == ReviewResult.PROBLEMS
            for r in review.rounds
        ),
        "can_discuss": permissions.has_role(user, Role.LEADER)
        and review.latest is not None
        and not review.decided,
        "is_reviewer": me is not None and permissions.has_role(user, REVIEW_ROLES),
    }


@require_POST
def mark_major(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for(request, case_pk)
    try:
        services.mark_major(actor=request.user, case=case, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已认定为重大执法决定：作出决定前须经法制审核。该认定不能撤回。")
    return _back_to_case(case)


def draft_edit(request: HttpRequest, case_pk: int) -> HttpResponse:
    """拟定/修改处理决定: each save is a new version; an approval covers only the version it saw."""
    case = _case_for(request, case_pk)
    if not status.is_handler(request.user, case):
        raise PermissionDenied("只有本案承办人员或承办单位负责人可以拟定处理决定。")
    if status.decided(case):
        messages.error(request, "本案已作出决定，不能再修改拟决定。")
        return _back_to_case(case)
    latest = selectors.latest_draft(case)
    form = DraftForm(request.POST or None, case=case, initial=draft_initial(case, latest))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draft = services.save_draft(
                actor=request.user,
                case=case,
                measures=d["measures"],
                fine_amount=d["fine_amount"],
                confiscation_value=d["confiscation_value"],
                bracket=d.get("bracket"),
                outside_bracket_reason=d.get("outside_bracket_reason", ""),
                flags=d["flags"],
                facts=d["facts"],
                legal_basis=d["legal_basis"],
                decision_text=d["decision_text"],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已保存拟决定第{draft.version}版。")
            majority = selectors.majority(case)
            if majority.major:
                messages.warning(
                    request,
                    "本案属于重大执法决定，作出决定前须经法制审核同意："
                    + "；".join(majority.reasons + [f"承办人认定：{m.reason}" for m in majority.marked]),
                )
            return _back_to_case(case)
    return render(
        request,
        "review/draft_form.html",
        {
            "form": form,
            "case": case,
            "latest": latest,
            "approved_latest": latest is not None and selectors.approved(latest),
            "active_nav": "cases",
        },
    )


@require_POST
def submit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for(request, case_pk)
    try:
        sent = services.submit_for_review(actor=request.user, case=case)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            f"已提交第{sent.round}轮法制审核（拟决定第{sent.draft.version}版），审核期限至{sent.due_on:%Y-%m-%d}。",
        )
    return _back_to_case(case)


@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    review_request = _request_for(request, pk)
    try:
        services.escalate(actor=request.user, request=review_request, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已提交集体讨论（行政处罚法第五十七条），请局领导录入讨论结果。")
    return _back_to_case(review_request.case)


def discussion_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    """录入集体讨论: by a leader, for the latest draft (and the escalated round, if any)."""
    case = _case_for(request, case_pk)
    if not permissions.has_role(request.user, Role.LEADER):
        raise PermissionDenied("集体讨论记录由局领导（或其指定人员）录入。")
    # Only a disagreement about the current draft is decided here (an older round's is moot).
    escalated = (
        ReviewRequest.objects.filter(
            case=case, escalated_at__isnull=False, draft=selectors.latest_draft(case)
        )
        .order_by("-round")
        .first()
    )
    me = permissions.person_of(request.user)
    form = DiscussionForm(
        request.POST or None, initial={"held_on": timezone.localdate(), "chair": me.name if me else ""}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_collective_discussion(
                actor=request.user,
                case=case,
                held_on=d["held_on"],
                chair=d["chair"],
                attendees=form.attendee_list(),
                minutes=d["minutes"],
                decision=d["decision"],
                request=escalated,
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已录入集体讨论。")
            return _back_to_case(case)
    return render(
        request,
        "review/discussion_form.html",
        {
            "form": form,
            "case": case,
            "draft": selectors.latest_draft(case),
            "escalated": escalated,
            "majority": selectors.majority(case),
            "active_nav": "cases",
        },
    )


# The reviewers' side --------------------------------------------------------------------------


def queue(request: HttpRequest) -> HttpResponse:
    """待审核: open rounds, earliest due first, with 即将到期 / 已超期 badges."""
    today = timezone.localdate()
    me = permissions.person_of(request.user)
    is_reviewer = me is not None and permissions.has_role(request.user, REVIEW_ROLES)
    show_all = request.GET.get("scope") == "all"
    rows = []
    for r in status.queue_for(request.user, show_all=show_all):
        rows.append(
            {
                "request": r,
                "deadline": status.deadline_status(r, today),
                "mine": me is not None and r.reviewer_id == me.pk,
                "refusal": services.reviewer_refusal(r.case, me) if is_reviewer and me else "",
                "candidates": status.review_candidates(r.case) if status.may_assign(request.user) else [],
            }
        )
    counts = {k: sum(1 for row in rows if row["deadline"] == k) for k in status.DEADLINE_LABELS}
    done = []
    if me is not None:
        done = list(
            ReviewRequest.objects.filter(opinion__reviewer=me)
            .select_related("case", "draft", "opinion")
            .order_by("-opinion__decided_at")[:20]
        )
    return render(
        request,
        "review/queue.html",
        {
            "rows": rows,
            "counts": counts,
            "labels": status.DEADLINE_LABELS,
            "today": today,
            "is_reviewer": is_reviewer,
            "show_all": show_all,
            "may_assign": status.may_assign(request.user),
            "done": done,
            "person": me,
            "active_nav": ACTIVE_NAV,
            "tab": "queue",
            "may_see_accountability": status.may_see_accountability(request.user),
        },
    )


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """领取 (reviewer=me) or 指定 (reviewer=<person id>) a round."""
    review_request = _request_for(request, pk)
    raw = request.POST.get("reviewer", "me")
    if raw == "me":
        reviewer = permissions.person_of(request.user)
    else:
        reviewer = (
            Person.objects.filter(pk=int(raw), body_id=review_request.case.body_id).first()
            if raw.isdigit()
            else None
        )
    if reviewer is None:
        messages.error(request, "请选择审核人员。")
        return redirect("review:queue")
    try:
        services.assign_reviewer(actor=request.user, request=review_request, reviewer=reviewer)
    except DomainError as exc:
        _refused(request, exc)
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if back and safe else reverse("review:queue"))
    messages.success(request, f"第{review_request.round}轮审核已由{reviewer.name}承担。")
    return redirect("review:request_detail", review_request.pk)


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One round: the frozen package side by side with the checklist; POST records the opinion."""
    review_request = _request_for(request, pk)
    case = review_request.case
    me = permissions.person_of(request.user)
    opinion = getattr(review_request, "opinion", None)
    refusal = services.reviewer_refusal(case, me) if me is not None else "您不是法制审核人员。"
    assigned_to_me = me is not None and review_request.reviewer_id == me.pk
    may_review = assigned_to_me and not refusal and opinion is None and review_request.escalated_at is None
    form = OpinionForm(request.POST or None) if may_review else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(refusal or "只有被指定的审核人员可以出具审核意见。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_opinion(
                    actor=request.user,
                    request=review_request,
                    result=d["result"],
                    checklist=form.checklist(),
                    problems=d["problems"],
                    changes_required=d["changes_required"],
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(exc.message) from exc
                _opinion_errors(form, exc)
            else:
                messages.success(request, f"已出具第{review_request.round}轮法制审核意见。")
                return redirect("review:request_detail", review_request.pk)
    latest = selectors.latest_draft(case)
    return render(
        request,
        "review/request_detail.html",
        {
            "rq": review_request,
            "case": case,
            "package": review_request.package,
            "opinion": opinion,
            "document": status.record_document(opinion),
            "outcome": status.round_outcome(review_request, latest),
            "deadline": status.deadline_status(review_request, timezone.localdate()),
            "deadline_labels": status.DEADLINE_LABELS,
            "form": form,
            "refusal": refusal if me is not None and permissions.has_role(request.user, REVIEW_ROLES) else "",
            "assigned_to_me": assigned_to_me,
            "may_take": review_request.reviewer_id is None and opinion is None and not refusal,
            "may_assign": status.may_assign(request.user) and opinion is None,
            "candidates": status.review_candidates(case),
            "may_extend": permissions.has_role(request.user, (Role.LEADER, Role.UNIT_HEAD), case.unit)
            and opinion is None
            and not review_request.extended,
            "checklist": CHECKLIST,
            "superseded": latest is not None and latest.pk != review_request.draft_id,
            "active_nav": ACTIVE_NAV,
        },
    )


def _opinion_errors(form: OpinionForm, exc: DomainError) -> None:
    """The service names checklist points ``checklist.<code>``; the form calls them ``<code>_passed``."""
    details = exc.details if isinstance(exc.details, dict) else {}
    renamed = {
        (f"{k.split('.', 1)[1]}_comment" if k.startswith("checklist.") else k): v for k, v in details.items()
    }
    apply_domain_error(form, DomainError(exc.message, code=exc.code, details=renamed))


@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    review_request = _request_for(request, pk)
    try:
        done = services.extend_review(
            actor=request.user, request=review_request, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已延长审核期限至{done.due_on:%Y-%m-%d}。")
    return redirect("review:request_detail", review_request.pk)


# The catalogue and accountability ---------------------------------------------------------------


def criteria(request: HttpRequest) -> HttpResponse:
    """法制审核目录清单 in force on a day, each entry with its history."""
    try:
        on = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    in_force = [_labelled(c) for c in selectors.criteria_in_force(on)]
    history: dict[str, list[MajorCriterion]] = {}
    for row in MajorCriterion.objects.select_related("created_by").order_by("code", "-effective_from"):
        history.setdefault(row.code, []).append(_labelled(row))
    current_codes = {c.code for c in in_force}
    return render(
        request,
        "review/criteria.html",
        {
            "rows": [(c, history.get(c.code, [])) for c in in_force],
            "withdrawn": [(code, rows) for code, rows in history.items() if code not in current_codes],
            "on": on,
            "can_edit": permissions.can_edit_rules(request.user),
            "active_nav": ACTIVE_NAV,
            "tab": "criteria",
            "may_see_accountability": status.may_see_accountability(request.user),
        },
    )


def _labelled(row: MajorCriterion) -> MajorCriterion:
    """For reading: the act types by name, the threshold with thousands separators."""
    labels = dict(ActType.choices)
    row.act_type_labels = [labels.get(a, a) for a in row.act_types.split(",") if a]  # type: ignore[attr-defined]
    row.threshold_display = f"{row.threshold:,.0f}" if row.threshold is not None else ""  # type: ignore[attr-defined]
    return row


def criterion_add(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.can_edit_rules(request.user), "法制审核目录清单由试点办或系统管理员调整。"
    )
    code = request.GET.get("code", "").strip()
    current = MajorCriterion.objects.filter(code=code).order_by("-effective_from").first() if code else None
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if current is not None:
        initial.update(
            code=current.code,
            name=current.name,
            kind=current.kind,
            act_types=[a for a in current.act_types.split(",") if a],
            party_kind=current.party_kind,
            amount_field=current.amount_field,
            threshold=current.threshold,
            measure=current.measure,
            flag=current.flag,
            needs_hearing=current.needs_hearing,
            collective_discussion=current.collective_discussion,
            basis=current.basis,
        )
    form = CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = catalogue.add_criterion(
                actor=request.user,
                code=d["code"],
                effective_from=d["effective_from"],
                change_reason=d["change_reason"],
                active=not d["withdraw"],
                name=d["name"],
                kind=d["kind"],
                act_types=",".join(d["act_types"]),
                party_kind=d["party_kind"],
                amount_field=d["amount_field"],
                threshold=d["threshold"],
                measure=d["measure"],
                flag=d["flag"],
                needs_hearing=d["needs_hearing"],
                collective_discussion=d["collective_discussion"],
                basis=d["basis"],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            apply_domain_error(form, exc)
        else:
            verb = "停用" if not row.active else "施行"
            messages.success(
                request, f"已调整{row.code}，自{row.effective_from:%Y-%m-%d}起{verb}；原规定保留。"
            )
            return redirect(f"{reverse('review:criteria')}#criterion-{row.code}")
    return render(
        request,
        "review/criterion_form.html",
        {
            "form": form,
            "title": f"调整 {current.code} {current.name}" if current else "新增法制审核目录条目",
            "active_nav": ACTIVE_NAV,
        },
    )


def accountability(request: HttpRequest) -> HttpResponse:
    """责任追究: who, when, what — for supervisors, leaders, the programme office and admin."""
    if not status.may_see_accountability(request.user):
        raise PermissionDenied("责任追究记录仅向监督员、局领导、试点办和系统管理员开放。")
    kind = request.GET.get("kind", "")
    if kind not in AccountabilityKind.values:
        kind = ""
    rows = status.accountability_for(request.user, kind)
    return render(
        request,
        "review/accountability.html",
        {
            "rows": rows[:500],
            "total": rows.count(),
            "kind": kind,
            "kinds": AccountabilityKind.choices,
            "active_nav": ACTIVE_NAV,
            "tab": "accountability",
            "may_see_accountability": True,
        },
    )
