"""Declarative workflows: states, transitions, who may act, guards, documents, audio/video and
clocks. One definition per act type (``definitions.py``) drives the guards, the actions the UI
offers, the deadline engine and the rendered flowchart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ClockAction = Literal["start", "pause", "resume", "stop"]


@dataclass(frozen=True)
class ClockRule:
    """What a transition does to a statutory clock, named by its rule row (e.g. T8)."""

    action: ClockAction
    code: str
    variant: str = ""


@dataclass(frozen=True)
class State:
    code: str
    label: str
    terminal: bool = False


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    source: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # document templates this step produces (documents app)
    av_step: str = ""  # the CaseStep whose audio/video requirement (from the item version) applies
    clocks: tuple[ClockRule, ...] = ()
    fields: tuple[str, ...] = ()  # case fields the step sets, e.g. "amount"
    needs_reason: bool = False
    on_case_only: bool = True  # officers must be on the case (heads and leaders act by role)


@dataclass(frozen=True)
class Workflow:
    key: str
    act_type: str
    procedure: str
    label: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    closing_documents: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        codes = {s.code for s in self.states}
        if self.initial not in codes:
            raise ValueError(f"{self.key}: initial state {self.initial} is not a state")
        seen: set[str] = set()
        for t in self.transitions:
            if t.code in seen:
                raise ValueError(f"{self.key}: transition {t.code} defined twice")
            seen.add(t.code)
            unknown = {*t.source, t.target} - codes
            if unknown:
                raise ValueError(f"{self.key}: transition {t.code} names unknown states {sorted(unknown)}")

    def state(self, code: str) -> State:
        for s in self.states:
            if s.code == code:
                return s
        raise KeyError(code)

    def transition(self, code: str) -> Transition:
        for t in self.transitions:
            if t.code == code:
                return t
        raise KeyError(code)

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.source]

    def documents(self) -> list[str]:
        """Every document the process produces, in the order the steps produce them."""
        out: list[str] = []
        for t in self.transitions:
            out.extend(d for d in t.documents if d not in out)
        return out
