"""Appending to the whole-process record. Called by other services inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from zhifa.core.errors import InvalidInput
from zhifa.records.models import EventType, RecordEvent


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "系统"
    person = getattr(actor, "person", None)
    try:
        return str(person.name) if person is not None else str(actor.get_username())
    except Exception:
        return str(actor.get_username())


def append_event(
    *,
    actor: Any,
    event_type: str,
    case: Any = None,
    step: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    corrects: RecordEvent | None = None,
) -> RecordEvent:
    """Append one typed event. Must run inside the caller's transaction (all or nothing)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_event must run inside the transaction of the change it records")
    if event_type not in EventType.values:
        raise ValueError(f"unknown event type {event_type!r}")
    return RecordEvent.objects.create(
        event_type=event_type,
        case=case,
        step=step,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        before=before or {},
        after=after or {},
        reason=reason,
        corrects=corrects,
    )


@transaction.atomic
def correct_event(*, actor: Any, event: RecordEvent, correction: dict[str, Any], reason: str) -> RecordEvent:
    """A correction is a new event pointing at the one it corrects; the original stays as it was."""
    if not reason.strip():
        raise InvalidInput("更正须说明理由。", details={"reason": ["请填写更正理由。"]})
    if not correction:
        raise InvalidInput("请写明更正后的内容。", details={"correction": ["请填写更正内容。"]})
    return append_event(
        actor=actor,
        event_type=EventType.CORRECTION,
        case=event.case,
        step=event.step,
        before={k: event.after.get(k) for k in correction},
        after=correction,
        reason=reason,
        corrects=event,
    )
