"""Reads shared by the staff pages, the API and (later) the public portal."""

from __future__ import annotations

import datetime
import time

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from zhifa.catalog.models import (
    EnforcementItem,
    ItemBasis,
    ItemVersion,
    Law,
    LegalRule,
    Provision,
)


def items(
    *, query: str = "", act_type: str = "", unit_id: int | None = None, random_inspection: bool | None = None
) -> QuerySet[EnforcementItem]:
    """Items with ``latest`` (the newest version) annotated; filters look at the newest version."""
    latest = ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-number")
    qs = EnforcementItem.objects.select_related("body").annotate(
        latest_version_id=Subquery(latest.values("pk")[:1]),
        latest_name=Subquery(latest.values("name")[:1]),
        latest_unit_id=Subquery(latest.values("implementing_unit")[:1]),
        latest_random=Subquery(latest.values("random_inspection")[:1]),
        version_count=Max("versions__number"),
    )
    if query:
        matching = ItemVersion.objects.filter(
            Q(name__icontains=query) | Q(bases__provision__law__short_title__icontains=query)
        ).values("item_id")
        qs = qs.filter(Q(code__icontains=query) | Q(pk__in=matching))
    if act_type:
        qs = qs.filter(act_type=act_type)
    if unit_id:
        qs = qs.filter(latest_unit_id=unit_id)
    if random_inspection is not None:
        qs = qs.filter(latest_random=random_inspection)
    return qs.order_by("act_type", "code")


def version_detail_queryset() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.select_related(
        "item", "item__body", "implementing_unit", "created_by"
    ).prefetch_related(
        Prefetch("bases", queryset=ItemBasis.objects.select_related("provision", "provision__law")),
        "av_requirements",
        "brackets",
    )


def item_versions(item: EnforcementItem) -> QuerySet[ItemVersion]:
    return version_detail_queryset().filter(item=item).order_by("-number")


def current_version(item: EnforcementItem, on: datetime.date | None = None) -> ItemVersion | None:
    """The version in force on ``on`` (default today)."""
    day = on or timezone.localdate()
    return (
        version_detail_queryset()
        .filter(item=item, effective_from__lte=day)
        .order_by("-effective_from", "-number")
        .first()
    )


def laws() -> QuerySet[Law]:
    from django.db.models import Count

    return Law.objects.annotate(article_count=Count("provisions")).order_by("kind", "short_title")


def provisions(law: Law, query: str = "") -> QuerySet[Provision]:
    qs = law.provisions.all()
    if query:
        qs = qs.filter(Q(text__icontains=query) | Q(label__icontains=query))
    return qs.order_by("number")


def search_provisions(query: str, limit: int = 20) -> QuerySet[Provision]:
    """For pickers: ``建筑法 64``, ``建筑法第六十四条`` or words in the text."""
    from zhifa.catalog.citations import parse_citation

    citation = parse_citation(query)
    qs = Provision.objects.select_related("law")
    if citation is not None:
        short, number = citation
        return qs.filter(law__short_title__icontains=short, number=number)[:limit]
    return qs.filter(Q(text__icontains=query) | Q(law__short_title__icontains=query)).order_by(
        "law", "number"
    )[:limit]


def rules_in_force(on: datetime.date | None = None) -> list[LegalRule]:
    """For each (code, variant), the row in force on ``on``."""
    day = on or timezone.localdate()
    rows = (
        LegalRule.objects.filter(effective_from__lte=day)
        .select_related("provision", "provision__law")
        .order_by("code", "variant", "-effective_from")
    )
    seen: set[tuple[str, str]] = set()
    result: list[LegalRule] = []
    for rule in rows:
        key = (rule.code, rule.variant)
        if key not in seen:
            seen.add(key)
            result.append(rule)
    return sorted(result, key=lambda r: (_rule_sort_key(r.code), r.variant))


def _rule_sort_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 0, code)


# Every deadline reads rule rows; they change a few times a year. Each process keeps them for
# RULE_CACHE_SECONDS; a process that revises a rule clears its own copy at once, and the others
# see the change within that many seconds (rule changes are normally dated ahead anyway).
RULE_CACHE_SECONDS = 60.0
_rule_cache: dict[tuple[str, str], list[LegalRule]] = {}
_rule_cache_born = time.monotonic()


def clear_rule_cache() -> None:
    global _rule_cache_born
    _rule_cache.clear()
    _rule_cache_born = time.monotonic()


def rule_in_force(code: str, variant: str = "", on: datetime.date | None = None) -> LegalRule | None:
    """The row of ``code``/``variant`` in force on ``on`` (default today), or None."""
    day = on or timezone.localdate()
    if time.monotonic() - _rule_cache_born > RULE_CACHE_SECONDS:
        clear_rule_cache()
    rows = _rule_cache.get((code, variant))
    if rows is None:
        rows = list(
            LegalRule.objects.filter(code=code, variant=variant)
            .select_related("provision", "provision__law")
            .order_by("-effective_from")
        )
        _rule_cache[(code, variant)] = rows
    return next((row for row in rows if row.effective_from <= day), None)


def rule_history(code: str, variant: str = "") -> QuerySet[LegalRule]:
    return (
        LegalRule.objects.filter(code=code, variant=variant)
        .select_related("created_by")
        .order_by("-effective_from", "-created_at")
    )
