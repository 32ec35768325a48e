"""Test helpers for driving cases: what the documents and evidence apps record, done directly."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from zhifa.cases import services
from zhifa.cases.definitions import workflow_for
from zhifa.cases.models import Case
from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.records.models import EventType
from zhifa.records.services import append_event


def org_code() -> str:
    first = "91430400MA4L00000"
    return first + uscc_check_character(first)


def person_id() -> str:
    first = "43040019900101001"
    return first + resident_id_check_digit(first)


def record_documents(case: Case, codes: tuple[str, ...]) -> None:
    with transaction.atomic():
        for code in codes:
            append_event(
                actor=None,
                event_type=EventType.DOCUMENT_GENERATED,
                case=case,
                step=code,
                after={"template": code},
            )


def record_av(case: Case, step: str) -> None:
    with transaction.atomic():
        append_event(
            actor=None,
            event_type=EventType.EVIDENCE_ADDED,
            case=case,
            step=step,
            after={"is_av": True, "kind": "video"},
        )


def walk(case: Case, path: list[tuple[str, Any, dict[str, Any]]], *, day: datetime.date) -> Case:
    """Take each (step, actor, data) in turn, producing the step's documents and AV first."""
    workflow = workflow_for(case.act_type, case.procedure)
    for code, actor, data in path:
        step = workflow.transition(code)
        if step.av_step:
            record_av(case, step.av_step)
        case = services.perform_transition(
            actor=actor, case=case, transition=code, data=data, reason=data.get("reason", ""), today=day
        )
        record_documents(case, step.documents)
    return case
