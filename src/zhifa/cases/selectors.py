"""Reads of cases shared by the staff pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhifa.cases.definitions import workflow_for
from zhifa.cases.models import Case
from zhifa.cases.workflow import Transition, Workflow
from zhifa.org import permissions
from zhifa.org.models import BODY_WIDE_ROLES, Role, Unit
from zhifa.records.models import RecordEvent


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("item", "item_version", "unit", "body")


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases a user may see: everything for body-wide roles and reviewers; otherwise the cases
    of the units they hold a role in (a section also sees the subordinate units it manages)."""
    grants = permissions.grants_of(user)
    if any(g.role in BODY_WIDE_ROLES or g.unit_id is None for g in grants) or any(
        g.role in {Role.REVIEWER, Role.LEGAL_ADVISER, Role.PUBLIC_LAWYER} for g in grants
    ):
        return _base()
    unit_ids = {g.unit_id for g in grants if g.unit_id is not None}
    managed = set(Unit.objects.filter(counterpart_id__in=unit_ids).values_list("pk", flat=True))
    children = set(Unit.objects.filter(parent_id__in=unit_ids).values_list("pk", flat=True))
    me = permissions.person_of(user)
    on_case = Q(officers__person=me) if me is not None else Q(pk__in=[])
    return _base().filter(Q(unit_id__in=unit_ids | managed | children) | on_case).distinct()


def my_cases(user: Any) -> QuerySet[Case]:
    me = permissions.person_of(user)
    if me is None:
        return Case.objects.none()
    return _base().filter(officers__person=me, officers__recused_at__isnull=True).distinct()


def search(
    qs: QuerySet[Case], *, query: str = "", act_type: str = "", state: str = "", open_only: bool = False
) -> QuerySet[Case]:
    if query:
        qs = qs.filter(
            Q(number__icontains=query) | Q(party_name__icontains=query) | Q(title__icontains=query)
        )
    if act_type:
        qs = qs.filter(act_type=act_type)
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.exclude(state__in=["archived", "declined"])
    return qs


def workflow_of(case: Case) -> Workflow:
    return workflow_for(case.act_type, case.procedure)


def state_label(case: Case) -> str:
    return workflow_of(case).state(case.state).label


def timeline(case: Case) -> QuerySet[RecordEvent]:
    return RecordEvent.objects.filter(case=case).select_related("corrects").order_by("id")


def is_on_case(case: Case, user: Any) -> bool:
    me = permissions.person_of(user)
    return me is not None and case.officers.filter(person=me, recused_at__isnull=True).exists()


def actions_for(case: Case, user: Any) -> list[Transition]:
    """The steps the workflow allows now that this user may take (guards are checked on submit)."""
    wf = workflow_of(case)
    me = permissions.person_of(user)
    on_case = me is not None and case.officers.filter(person=me, recused_at__isnull=True).exists()
    out = []
    for step in wf.available(case.state):
        if not permissions.has_role(user, step.roles, case.unit):
            continue
        if step.on_case_only and not on_case:
            continue
        out.append(step)
    return out
