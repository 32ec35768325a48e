"""Reads of 事后公开. ``public_publications`` is the only queryset the public side (portal,
export, feed, API) may use; the staff alerts read ``due_soon`` and ``overdue``."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from zhifa.disclosure.models import (
    Publication,
    PublicationAction,
    PublicationEvent,
    PublicationStatus,
    PublicationVersion,
)
from zhifa.workdays.calendar import CalendarYearMissing, add_working_days

# Actions that take an item off the public side for good.
ENDING_ACTIONS = (PublicationAction.WITHDRAW, PublicationAction.EXPIRE)


def _has(action: str | tuple[str, ...], ref: str = "pk") -> Exists:
    actions = (action,) if isinstance(action, str) else action
    return Exists(PublicationEvent.objects.filter(publication=OuterRef(ref), action__in=actions))


def status_of(publication: Publication) -> str:
    """Derived from the events: withdrawn or expired ends it; pending until published."""
    actions = set(publication.events.values_list("action", flat=True))
    if PublicationAction.WITHDRAW in actions:
        return PublicationStatus.WITHDRAWN
    if PublicationAction.EXPIRE in actions:
        return PublicationStatus.EXPIRED
    if PublicationAction.PUBLISH in actions:
        return PublicationStatus.PUBLISHED
    return PublicationStatus.PENDING


def live_publications() -> QuerySet[Publication]:
    """Published and neither withdrawn nor expired."""
    return Publication.objects.filter(_has(PublicationAction.PUBLISH)).exclude(_has(ENDING_ACTIONS))


def public_publications() -> QuerySet[PublicationVersion]:
    """What the public may see: the latest (masked) version of each live publication, with
    ``published_at`` (first publication) and ``corrected_at`` (last correction, or None)."""
    latest = (
        PublicationVersion.objects.filter(publication=OuterRef("publication"))
        .order_by("-number")
        .values("number")[:1]
    )
    first_published = (
        PublicationEvent.objects.filter(publication=OuterRef("publication"), action=PublicationAction.PUBLISH)
        .order_by("id")
        .values("occurred_at")[:1]
    )
    last_corrected = (
        PublicationEvent.objects.filter(publication=OuterRef("publication"), action=PublicationAction.CORRECT)
        .order_by("-id")
        .values("occurred_at")[:1]
    )
    return (
        PublicationVersion.objects.filter(publication__in=live_publications())
        .annotate(latest_number=Subquery(latest))
        .filter(number=F("latest_number"))
        .annotate(published_at=Subquery(first_published), corrected_at=Subquery(last_corrected))
        .select_related("publication")
        .order_by("-published_at", "-id")
    )


def live_with_publish_date() -> Iterator[tuple[Publication, datetime.date]]:
    """Live publications with the day each was first published (for T6 expiry)."""
    first = (
        PublicationEvent.objects.filter(publication=OuterRef("pk"), action=PublicationAction.PUBLISH)
        .order_by("id")
        .values("occurred_on")[:1]
    )
    rows = live_publications().annotate(first_published_on=Subquery(first)).select_related("case")
    for publication in rows:
        yield publication, publication.first_published_on


def pending() -> QuerySet[Publication]:
    return (
        Publication.objects.exclude(_has(PublicationAction.PUBLISH))
        .exclude(_has(ENDING_ACTIONS))
        .select_related("case", "case__unit")
        .order_by("due_on", "id")
    )


def overdue(today: datetime.date) -> QuerySet[Publication]:
    """Pending publications past their T1/T2 time limit."""
    return pending().filter(due_on__lt=today)


def due_soon(today: datetime.date, *, working_days: int = 2) -> QuerySet[Publication]:
    """Pending publications due within ``working_days`` working days (today included)."""
    try:
        horizon = add_working_days(today, working_days)
    except CalendarYearMissing:
        horizon = today + datetime.timedelta(days=working_days + 2)
    return pending().filter(due_on__gte=today, due_on__lte=horizon)


def without_due_date() -> QuerySet[Publication]:
    """Pending publications whose time limit could not be computed (calendar year missing)."""
    return pending().filter(due_on_missing=True)


def versions(publication: Publication) -> QuerySet[PublicationVersion]:
    return publication.versions.order_by("number")


def history(publication: Publication) -> QuerySet[PublicationEvent]:
    return publication.events.select_related("version").order_by("id")
