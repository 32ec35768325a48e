"""The only place that writes ``Case.state``: apply a workflow transition to a locked case row."""

from __future__ import annotations

from typing import Any

from zhifa.cases.models import Case
from zhifa.cases.workflow import Transition


def set_initial_state(case: Case, state: str) -> None:
    case.state = state


def move(case: Case, transition: Transition, changes: dict[str, Any]) -> None:
    """Set the new state and the step's fields, bump the version; the caller saves and records."""
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = transition.target
    case.version += 1
