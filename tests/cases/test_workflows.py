"""The declarative workflows: well-formed, and each act type runs from start to archive."""

from __future__ import annotations

import datetime
import pathlib
import re
from collections import deque
from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code, person_id, walk

from zhifa.cases import services
from zhifa.cases.definitions import WORKFLOWS
from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.guards import GUARDS
from zhifa.catalog.models import CaseStep, LegalRule
from zhifa.org.models import Role
from zhifa.records.models import RecordEvent

DAY = datetime.date(2026, 3, 2)


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_every_definition_names_real_documents_guards_roles_and_steps(key: str) -> None:
    wf = WORKFLOWS[key]
    for t in wf.transitions:
        assert set(t.documents) <= set(DOCUMENTS), t.code
        assert set(t.guards) <= set(GUARDS), t.code
        assert set(t.roles) <= set(Role.values), t.code
        assert not t.av_step or t.av_step in CaseStep.values, t.code
        assert ("av_recorded" in t.guards) == bool(t.av_step) or t.av_step in {"on_site_inspection"}, t.code


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_every_clock_names_a_seeded_period_rule(key: str) -> None:
    for t in WORKFLOWS[key].transitions:
        for clock in t.clocks:
            rule = LegalRule.objects.filter(code=clock.code, variant=clock.variant).first()
            assert rule is not None, (t.code, clock)
            assert rule.unit in {"working_days", "calendar_days", "months"}, (t.code, clock)


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_every_state_is_reachable_and_can_reach_the_archive(key: str) -> None:
    wf = WORKFLOWS[key]
    edges: dict[str, set[str]] = {}
    for t in wf.transitions:
        for s in t.source:
            edges.setdefault(s, set()).add(t.target)
    seen, todo = {wf.initial}, deque([wf.initial])
    while todo:
        for nxt in edges.get(todo.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == {s.code for s in wf.states}
    terminals = {s.code for s in wf.states if s.terminal}
    for state in seen - terminals:
        reach, todo = {state}, deque([state])
        while todo:
            for nxt in edges.get(todo.popleft(), ()):
                if nxt not in reach:
                    reach.add(nxt)
                    todo.append(nxt)
        assert reach & terminals, state


def test_only_the_engine_writes_case_state() -> None:
    src = pathlib.Path(__file__).resolve().parents[2] / "src" / "zhifa"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "engine.py"
        and re.search(r"\bcase\w*\.state\s*=(?!=)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _open(bureau: Any, item: Any, **kw: Any) -> Any:
    defaults = {"party_kind": "organisation", "party_name": "衡阳某建设公司", "party_id_number": org_code()}
    defaults.update(kw)
    return services.open_case(
        actor=bureau.officer,
        item=item,
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
        **defaults,
    )


def test_penalty_general_runs_to_the_archive(bureau: Any) -> None:
    item = make_item(bureau)
    case = _open(bureau, item)
    o, h = bureau.officer, bureau.head
    case = walk(
        case,
        [
            ("check_lead", o, {}),
            ("approve_opening", h, {}),
            ("finish_investigation", o, {}),
            ("notify_party", o, {"amount": "50000"}),
            ("request_hearing", o, {}),
            ("hold_hearing", o, {}),
            ("decide", h, {"amount": "45000"}),
            ("serve_decision", o, {}),
            ("demand_performance", o, {}),
            ("record_payment", o, {}),
            ("close_case", h, {}),
            ("archive_case", o, {}),
        ],
        day=DAY,
    )
    assert case.state == "archived"
    assert not case.clocks.filter(stopped_on__isnull=True).exists()
    assert RecordEvent.objects.filter(case=case, event_type="transition").count() == 12


def test_summary_procedure_runs_within_the_ceiling_and_refuses_above_it(bureau: Any) -> None:
    item = make_item(bureau)
    case = _open(
        bureau, item, procedure="summary", party_kind="person", party_name="张三", party_id_number=person_id()
    )
    with pytest.raises(services.TransitionRefused, match=r"二百|200"):
        services.perform_transition(
            actor=bureau.officer, case=case, transition="decide_on_site", data={"amount": "201"}, today=DAY
        )
    case = walk(
        case,
        [
            ("decide_on_site", bureau.officer, {"amount": "200"}),
            ("record_payment", bureau.officer, {}),
            ("close_case", bureau.head, {}),
            ("archive_case", bureau.officer, {}),
        ],
        day=DAY,
    )
    assert case.state == "archived"


@pytest.mark.parametrize(
    ("act_type", "unit", "path"),
    [
        (
            "licensing",
            "审批一科",
            [
                "request_correction",
                "accept",
                "start_review",
                "approve",
                "issue_licence",
                "close_case",
                "archive_case",
            ],
        ),
        (
            "coercion",
            "稽查支队",
            ["approve_measure", "implement_measure", "lift_measure", "close_case", "archive_case"],
        ),
        ("fee", "稽查支队", ["notify_payment", "record_payment", "close_case", "archive_case"]),
        ("levy", "稽查支队", ["notify_payment", "record_payment", "close_case", "archive_case"]),
        (
            "inspection",
            "稽查支队",
            ["inspect", "order_rectification", "conclude", "close_case", "archive_case"],
        ),
    ],
)
def test_each_act_type_runs_from_start_to_archive(
    bureau: Any, act_type: str, unit: str, path: list[str]
) -> None:
    from zhifa.org import services as org

    if unit != "稽查支队":  # officers of 审批一科 for a licensing case
        for key in ("officer", "officer2"):
            org.grant_role(actor=None, person=bureau.people[key], role=Role.OFFICER, unit=bureau.units[unit])
    item = make_item(bureau, code=f"ZJ-{act_type.upper()}-1", act_type=act_type, unit=unit)
    case = _open(bureau, item, amount=1000 if act_type in {"fee", "levy"} else None)
    heads = {"approve_measure", "approve", "close_case"}
    steps = [(code, bureau.leader if code in heads else bureau.officer, {}) for code in path]
    case = walk(case, steps, day=DAY)
    assert case.state == "archived"
