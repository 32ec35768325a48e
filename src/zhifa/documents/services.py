"""Generating enforcement documents. Every write is here.

Side effects: the PDF and DOCX bytes are written to the default storage *before* the database
commit, at content-addressed paths (``documents/ab/cd/<sha256>.pdf``). A failure inside
``generate_document`` deletes the files this call created; if an enclosing transaction rolls back
later, what remains is an orphan that no row references and that identical bytes would reuse —
harmless, and never served (files are only served through a ``Document`` row).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from zhifa.cases.definitions import workflow_for
from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.guards import documents_due
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.documents.context import build_context
from zhifa.documents.formatting import document_number
from zhifa.documents.models import Document, DocumentCounter
from zhifa.documents.permissions import can_generate
from zhifa.documents.rendering import render_docx, render_pdf
from zhifa.org import permissions
from zhifa.records.models import EventType
from zhifa.records.services import append_event

logger = logging.getLogger(__name__)


def content_path(digest: str, extension: str) -> str:
    return f"documents/{digest[:2]}/{digest[2:4]}/{digest}.{extension}"


def _store(data: bytes, digest: str, extension: str, created: list[str]) -> str:
    """Write ``data`` under its digest unless those bytes are already stored."""
    name = content_path(digest, extension)
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # a concurrent writer stored the same bytes first: keep theirs
        default_storage.delete(saved)
        return name
    created.append(name)
    return name


def _next_sequence(body: Any, number_code: str, year: int) -> int:
    counter, _ = DocumentCounter.objects.get_or_create(body=body, number_code=number_code, year=year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _actor_name(actor: Any) -> str:
    person = permissions.person_of(actor)
    if person is not None:
        return person.name
    return str(actor.get_username()) if actor is not None else "系统"


def generate_document(
    *, actor: Any, case: Case, template: str, today: datetime.date | None = None
) -> Document:
    """Generate the next version of ``template`` for ``case``: number it (first version only; a
    regeneration keeps the number), render PDF and DOCX, hash them (SHA-256, SM3), store them and
    record a ``document_generated`` event — all or nothing.

    Refused when the actor is neither an officer on the case nor a head/leader of its unit, when
    the case's workflow does not produce the template, or when the case lacks what the document
    must state. Side effects: two files in the default storage (see the module docstring)."""
    created: list[str] = []
    try:
        with transaction.atomic():
            return _generate(actor=actor, case=case, template=template, today=today, created=created)
    except BaseException:
        for name in created:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - an orphan is harmless (content-addressed)
                logger.warning("could not remove orphan document file %s", name)
        raise


def _generate(
    *, actor: Any, case: Case, template: str, today: datetime.date | None, created: list[str]
) -> Document:
    doc_type = DOCUMENTS.get(template)
    if doc_type is None:
        raise InvalidInput(
            f"未知的文书模板：{template}", code="unknown_template", details={"template": ["未知的文书模板。"]}
        )
    case = (
        Case.objects.select_for_update()
        .select_related("body", "unit", "item", "item_version")
        .get(pk=case.pk)
    )
    if not can_generate(actor, case):
        raise NotPermitted("只有本案承办人员或承办单位的负责人、局领导可以生成本案文书。")
    workflow = workflow_for(case.act_type, case.procedure)
    if template not in workflow.documents():
        raise InvalidInput(
            f"“{workflow.label}”的办理流程不使用《{doc_type.title}》。",
            code="template_not_in_workflow",
            details={"template": [f"本案不使用《{doc_type.title}》。"]},
        )
    if workflow.state(case.state).terminal:
        raise Conflict("案件已办结归档（封存），不能再生成或重新生成文书。", code="case_sealed")
    if template not in documents_due(case, workflow):
        raise InvalidInput(
            f"《{doc_type.title}》要在办理相应环节之后才能生成。",
            code="template_not_due",
            details={"template": [f"尚未办理产生《{doc_type.title}》的环节。"]},
        )
    day = today or timezone.localdate()
    now = timezone.now()
    previous = Document.objects.filter(case=case, template=template).order_by("-version").first()
    if previous is not None:
        number, version = previous.number, previous.version + 1
    elif doc_type.number_code:
        sequence = _next_sequence(case.body, doc_type.number_code, day.year)
        number, version = document_number(case.body.short_name, doc_type.number_code, day.year, sequence), 1
    else:
        number, version = "", 1
    context = build_context(case=case, template=template, number=number, day=day)
    pdf = render_pdf(template, context, at=now)
    docx = render_docx(template, context)
    sha256 = hashlib.sha256(pdf).hexdigest()
    sm3 = hashlib.new("sm3", pdf).hexdigest()
    docx_sha256 = hashlib.sha256(docx).hexdigest()
    pdf_name = _store(pdf, sha256, "pdf", created)
    docx_name = _store(docx, docx_sha256, "docx", created)
    document = Document.objects.create(
        case=case,
        template=template,
        title=doc_type.title,
        number=number,
        version=version,
        pdf_file=pdf_name,
        docx_file=docx_name,
        sha256=sha256,
        sm3=sm3,
        size=len(pdf),
        docx_sha256=docx_sha256,
        generated_by=actor if getattr(actor, "pk", None) else None,
        generated_by_name=_actor_name(actor),
        generated_at=now,
        context=context,
    )
    append_event(
        actor=actor,
        event_type=EventType.DOCUMENT_GENERATED,
        case=case,
        step=template,
        before={"document_id": previous.pk, "version": previous.version} if previous else {},
        after={
            "template": template,
            "document_id": document.pk,
            "number": number,
            "version": version,
            "sha256": sha256,
            "sm3": sm3,
            "title": doc_type.title,
        },
    )
    return document
