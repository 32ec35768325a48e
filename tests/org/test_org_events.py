"""OrgEvent is the append-only history of the organisation: rows are never changed or removed."""

from __future__ import annotations

from typing import Any

import pytest
from org_support import last_event

from zhifa.org.models import OrgEvent, OrgEventType

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_saved_again(bureau: Any) -> None:
    event = last_event(event_type=OrgEventType.PERSON_CREATED)
    event.reason = "事后补写的理由"
    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    assert OrgEvent.objects.get(pk=event.pk).reason == ""


def test_an_event_cannot_be_deleted(bureau: Any) -> None:
    event = last_event(event_type=OrgEventType.CREDENTIAL_ISSUED)
    with pytest.raises(ValueError):
        event.delete()
    assert OrgEvent.objects.filter(pk=event.pk).exists()


def test_an_event_cannot_be_overwritten_through_a_new_instance_with_its_key(bureau: Any) -> None:
    event = last_event(event_type=OrgEventType.CREDENTIAL_ISSUED)
    forged = OrgEvent(
        pk=event.pk,
        event_type=OrgEventType.CREDENTIAL_REVOKED,
        reason="伪造",
        occurred_at=event.occurred_at,
        credential=event.credential,
        person=event.person,
    )
    with pytest.raises(ValueError, match="只能追加"):
        forged.save()
    stored = OrgEvent.objects.get(pk=event.pk)
    assert (stored.event_type, stored.reason) == (OrgEventType.CREDENTIAL_ISSUED, "")


def test_every_service_call_of_the_bureau_left_an_event(bureau: Any) -> None:
    kinds = set(OrgEvent.objects.values_list("event_type", flat=True))
    assert {
        OrgEventType.BODY_CREATED,
        OrgEventType.UNIT_CREATED,
        OrgEventType.PERSON_CREATED,
        OrgEventType.ROLE_GRANTED,
        OrgEventType.CREDENTIAL_ISSUED,
    } <= kinds
    assert OrgEvent.objects.filter(event_type=OrgEventType.PERSON_CREATED).count() == len(bureau.people)
