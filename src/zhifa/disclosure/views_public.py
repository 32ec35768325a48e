"""The public face of 事后公开 (no login): the list of published decisions and each one's page.

Everything shown comes from ``selectors.public_publications()`` — the latest masked version of a
live publication — and nothing from the case itself. A withdrawn publication keeps its stable
address, which then says that (and why) it was withdrawn, without its content; an expired or
unpublished one is simply not found.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhifa.disclosure import selectors
from zhifa.disclosure.models import (
    FIELD_LABELS,
    KIND_FIELDS,
    Publication,
    PublicationAction,
    PublicationKind,
    PublicationStatus,
)


def _rows(version: Any) -> list[tuple[str, str]]:
    kind = version.publication.kind
    return [(FIELD_LABELS[name], str(version.fields.get(name, "") or "—")) for name in KIND_FIELDS[kind]]


@login_not_required
def decision_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    versions = selectors.public_publications()
    if kind in PublicationKind.values:
        versions = versions.filter(publication__kind=kind)
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/public_list.html",
        {"page": page, "kind": kind, "kinds": PublicationKind.choices, "labels": FIELD_LABELS},
    )


@login_not_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.public_publications().filter(publication_id=pk).first()
    if version is None:
        publication = Publication.objects.filter(pk=pk).first()
        if publication is not None and selectors.status_of(publication) == PublicationStatus.WITHDRAWN:
            withdrawal = publication.events.filter(action=PublicationAction.WITHDRAW).order_by("-id").first()
            return render(
                request,
                "disclosure/public_withdrawn.html",
                {"publication": publication, "withdrawal": withdrawal},
                status=410,
            )
        raise Http404("该公示信息不存在或已下线。")
    corrections = version.publication.events.filter(action=PublicationAction.CORRECT).order_by("id")
    return render(
        request,
        "disclosure/public_detail.html",
        {"version": version, "rows": _rows(version), "corrections": corrections},
    )
