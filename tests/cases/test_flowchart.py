"""The flowchart is drawn from the definition alone: every state and step, readable, escaped,
deterministic, with the case's position marked."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.definitions import WORKFLOWS
from zhifa.cases.flowchart import flowchart_for_case, render_svg, wrap
from zhifa.cases.workflow import ClockRule, State, Transition, Workflow

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()]


def _text(group: ET.Element, size: str | None = None) -> str:
    texts = group.iter(f"{SVG}text")
    return "".join(t.text or "" for t in texts if size is None or t.get("font-size") == size)


def _state(root: ET.Element, code: str) -> ET.Element:
    [group] = [g for g in _groups(root, "zf-state") if g.get("data-state") == code]
    return group


def _box(group: ET.Element) -> Box:
    rect = group.find(f"{SVG}rect")
    assert rect is not None
    x, y, w, h = (float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_every_workflow_renders_every_state_and_step(key: str) -> None:
    workflow = WORKFLOWS[key]
    root = _parse(render_svg(workflow))
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0
    for state in workflow.states:
        group = _state(root, state.code)
        assert _text(group) == state.label
        assert ("zf-terminal" in group.get("class", "")) == state.terminal
        # a terminal state has a double border
        assert len(group.findall(f"{SVG}rect")) == (2 if state.terminal else 1)
    steps = _groups(root, "zf-step")
    edges = [p for p in root.iter(f"{SVG}path") if "zf-edge" in p.get("class", "").split()]
    for transition in workflow.transitions:
        mine = [g for g in steps if g.get("data-transition") == transition.code]
        assert len(mine) == len(transition.source), transition.code  # one arrow per source state
        assert all(_text(g, "12").startswith(transition.label) for g in mine)
        assert len([e for e in edges if e.get("data-transition") == transition.code]) == len(
            transition.source
        )


@pytest.mark.parametrize("key", sorted(WORKFLOWS))
def test_layout_keeps_boxes_apart(key: str) -> None:
    root = _parse(render_svg(WORKFLOWS[key]))
    boxes = [_box(g) for g in _groups(root, "zf-state") + _groups(root, "zf-step")]
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    for a, b in combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    assert all(b[0] >= 0 and b[1] >= 0 and b[2] <= width and b[3] <= height for b in boxes)


def test_step_labels_show_roles_and_clocks() -> None:
    root = _parse(render_svg(WORKFLOWS["penalty.general"]))
    [approve] = [g for g in _groups(root, "zf-step") if g.get("data-transition") == "approve_opening"]
    assert "科室负责人、局领导" in _text(approve)
    assert "T9终止" in _text(approve) and "T8起算" in _text(approve)
    assert _groups(approve, "zf-clock")  # the stopwatch icon
    [archive] = [g for g in _groups(root, "zf-step") if g.get("data-transition") == "archive_case"]
    assert "执法人员" in _text(archive) and "局领导" in _text(archive)
    assert not _groups(archive, "zf-clock")


def test_a_cycle_is_drawn_as_a_return_arrow() -> None:
    root = _parse(render_svg(WORKFLOWS["licensing.general"]))
    returns = [p.get("data-transition") for p in root.iter(f"{SVG}path") if "zf-return" in p.get("class", "")]
    assert returns == ["hold_hearing"]  # 听证中 → 审查中 goes back up; every other step goes down
    reviewing, hearing = _box(_state(root, "reviewing")), _box(_state(root, "hearing"))
    assert reviewing[3] < hearing[1]


def test_current_and_visited_states_are_marked() -> None:
    workflow = WORKFLOWS["penalty.general"]
    root = _parse(render_svg(workflow, current="investigating", done={"lead", "checking"}))
    current = [g for g in root.iter(f"{SVG}g") if "zf-current" in g.get("class", "").split()]
    assert [g.get("data-state") for g in current] == ["investigating"]
    assert current[0].get("aria-current") == "step"
    rect = current[0].find(f"{SVG}rect")
    assert rect is not None and rect.get("stroke") == "#b3261e"
    assert sorted(g.get("data-state", "") for g in _groups(root, "zf-done")) == ["checking", "lead"]
    plain = _parse(render_svg(workflow))
    assert not _groups(plain, "zf-current") and not _groups(plain, "zf-done")


def test_text_is_escaped() -> None:
    nasty = 'A<&>"B'
    workflow = Workflow(
        key="test.<escape>",
        act_type="test",
        procedure="general",
        label=f"流程{nasty}",
        initial="a",
        states=(State("a", f"状态{nasty}"), State("b", "结束</text><script>", terminal=True)),
        transitions=(
            Transition(
                'go<"',
                f"步骤{nasty}",
                ("a",),
                "b",
                frozenset({"officer"}),
                clocks=(ClockRule("start", "T<1>"),),
            ),
        ),
    )
    svg = render_svg(workflow, current="a")
    assert "<script>" not in svg and "A&lt;&amp;&gt;" in svg
    root = _parse(svg)
    assert _text(_state(root, "a")) == f"状态{nasty}"
    assert _text(_state(root, "b")) == "结束</text><script>"
    [step] = _groups(root, "zf-step")
    assert step.get("data-transition") == 'go<"' and "T<1>起算" in _text(step)


def test_rendering_is_deterministic() -> None:
    for workflow in WORKFLOWS.values():
        marks: dict[str, Any] = {"current": workflow.initial, "done": {s.code for s in workflow.states[1:3]}}
        assert render_svg(workflow, **marks) == render_svg(workflow, **marks)


def test_rendering_does_not_depend_on_hash_seed() -> None:
    """Set and dict iteration must not leak into the drawing: two processes, two hash seeds."""
    code = (
        "import django; django.setup();"
        "from zhifa.cases.definitions import WORKFLOWS; from zhifa.cases.flowchart import render_svg;"
        "import hashlib, sys;"
        "sys.stdout.write(hashlib.sha256(''.join(render_svg(w, done={'checking', 'lead', 'reviewing'})"
        " for w in WORKFLOWS.values()).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "zhifa.settings_test"}
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_long_labels_wrap_at_sensible_places() -> None:
    lines = wrap("告知拟处罚（陈述申辩、听证权利）", 12, 9.5 * 12)
    assert len(lines) == 2 and "".join(lines) == "告知拟处罚（陈述申辩、听证权利）"
    assert wrap("履行完毕（缴纳罚款）", 12, 9.5 * 12) == ["履行完毕", "（缴纳罚款）"]
    lines = wrap("对建设单位未取得施工许可证擅自施工、逾期不改正的处罚决定", 12, 8 * 12)
    assert all(not line.startswith(("、", "，", "）")) for line in lines)
    assert wrap("ABCDEFGHIJKLMNOPQRSTUVWXYZ 立案", 12, 60) == ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "立案"]


def test_flowchart_for_case_marks_where_the_case_is(bureau: Any, penalty_item: Any) -> None:
    day = datetime.date(2026, 3, 2)
    case = services.open_case(
        actor=bureau.officer,
        item=penalty_item,
        party_kind="person",
        party_name="张某",
        party_id_number=_resident_id(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=day,
    )
    services.perform_transition(actor=bureau.officer, case=case, transition="check_lead", today=day)
    case = services.perform_transition(actor=bureau.head, case=case, transition="approve_opening", today=day)
    root = _parse(flowchart_for_case(case))
    assert [g.get("data-state") for g in _groups(root, "zf-current")] == ["investigating"]
    assert sorted(g.get("data-state", "") for g in _groups(root, "zf-done")) == ["checking", "lead"]
    taken = [p.get("data-transition") for p in root.iter(f"{SVG}path") if "zf-taken" in p.get("class", "")]
    assert taken == ["check_lead", "approve_opening"]


def _resident_id() -> str:
    from zhifa.core.identifiers import resident_id_check_digit

    first17 = "43040419800101001"
    return first17 + resident_id_check_digit(first17)


def test_odd_shapes_still_render() -> None:
    """A repeated step (self-loop), a state nothing leads to, and a one-state process."""
    officer = frozenset({"officer"})
    workflow = Workflow(
        key="test.odd",
        act_type="test",
        procedure="general",
        label="测试",
        initial="a",
        states=(State("a", "甲"), State("b", "乙", terminal=True), State("z", "孤立状态")),
        transitions=(
            Transition("again", "再次补正材料", ("a",), "a", officer, clocks=(ClockRule("start", "T17"),)),
            Transition("go", "前进", ("a", "z"), "b", officer),
            Transition("back", "退回", ("b",), "a", officer),
        ),
    )
    root = _parse(render_svg(workflow, current="a"))
    assert {g.get("data-state") for g in _groups(root, "zf-state")} == {"a", "b", "z"}
    steps = [g.get("data-transition") for g in _groups(root, "zf-step")]
    assert sorted(steps) == ["again", "back", "go", "go"]
    single = Workflow(
        key="test.one",
        act_type="test",
        procedure="general",
        label="单",
        initial="a",
        states=(State("a", "甲"),),
        transitions=(),
    )
    assert _text(_state(_parse(render_svg(single)), "a")) == "甲"
