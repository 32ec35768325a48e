"""Generating enforcement documents. Every write is here.

Side effects: the PDF and DOCX bytes are written to the default storage *before* the database
commit, at content-addressed paths (``documents/ab/cd/<sha256>.pdf``). A failure inside
``generate_document`` or ``generate_review_document`` deletes the files this call created; if an
enclosing transaction rolls back later, what remains is an orphan that no row references and that
identical bytes would reuse — harmless, and never served (files are only served through a
``Document`` row).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from zhifa.cases.definitions import workflow_for
from zhifa.cases.documents_catalog import DOCUMENTS, MADE_BY_STEP, REVIEW_DOCUMENTS, DocumentType
from zhifa.cases.guards import documents_due
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.documents.context import build_context
from zhifa.documents.formatting import document_number
from zhifa.documents.models import Document, DocumentCounter
from zhifa.documents.permissions import can_generate
from zhifa.documents.rendering import render_docx, render_pdf
from zhifa.documents.review_context import source_ref
from zhifa.org import permissions
from zhifa.records.models import EventType
from zhifa.records.services import append_event
from zhifa.review.models import CollectiveDiscussion, ReviewOpinion

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
    the template is one the legal review makes (``generate_review_document``), when the case's
    workflow does not produce the template, or when the case lacks what the document must state.
    Side effects: two files in the default storage (see the module docstring)."""
    with _files_removed_on_failure() as created, transaction.atomic():
        return _generate(actor=actor, case=case, template=template, today=today, created=created)


def generate_review_document(
    *, actor: Any, case: Case, template: str, source: Any, today: datetime.date | None = None
) -> Document:
    """Generate the document of a legal review record: the 法制审核意见书 (``legal_review_opinion``,
    numbered 法审字) of a ``ReviewOpinion`` or the 集体讨论笔录 (``collective_discussion_record``) of a
    ``CollectiveDiscussion``. Numbered, rendered, hashed, stored and recorded exactly as
    ``generate_document``; each record gets its own number, stored as the next version of the
    template so the case's list keeps the earlier rounds in its history.

    Called by ``zhifa.review.services`` when the opinion or discussion is recorded, inside that
    transaction (a failure here undoes the record too). Refused when ``source`` is not a record of
    that kind for ``case``, when ``actor`` is not who recorded it, or when the case is sealed.
    Side effects: two files in the default storage (see the module docstring)."""
    with _files_removed_on_failure() as created, transaction.atomic():
        doc_type = _review_type(actor=actor, case=case, template=template, source=source)
        case = _locked(case)
        _refuse_sealed(case)
        return _issue(actor=actor, case=case, doc_type=doc_type, day=today, source=source, created=created)


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Collects the files a generation stores; on any failure deletes them (after the enclosed
    transaction has rolled back), so a refused or failed generation leaves nothing behind."""
    created: list[str] = []
    try:
        yield created
    except BaseException:
        for name in created:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - an orphan is harmless (content-addressed)
                logger.warning("could not remove orphan document file %s", name)
        raise


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("body", "unit", "item", "item_version")
        .get(pk=case.pk)
    )


def _refuse_sealed(case: Case) -> None:
    if workflow_for(case.act_type, case.procedure).state(case.state).terminal:
        raise Conflict("案件已办结归档（封存），不能再生成或重新生成文书。", code="case_sealed")


def _generate(
    *, actor: Any, case: Case, template: str, today: datetime.date | None, created: list[str]
) -> Document:
    doc_type = DOCUMENTS.get(template)
    if doc_type is None:
        raise InvalidInput(
            f"未知的文书模板：{template}", code="unknown_template", details={"template": ["未知的文书模板。"]}
        )
    if doc_type.made_by != MADE_BY_STEP:
        raise InvalidInput(
            f"《{doc_type.title}》在法制审核出具意见或记录集体讨论时自动生成，不能在此生成。",
            code="template_not_generatable",
            details={"template": [f"《{doc_type.title}》由法制审核生成。"]},
        )
    case = _locked(case)
    if not can_generate(actor, case):
        raise NotPermitted("只有本案承办人员或承办单位的负责人、局领导可以生成本案文书。")
    workflow = workflow_for(case.act_type, case.procedure)
    if template not in workflow.documents():
        raise InvalidInput(
            f"“{workflow.label}”的办理流程不使用《{doc_type.title}》。",
            code="template_not_in_workflow",
            details={"template": [f"本案不使用《{doc_type.title}》。"]},
        )
    _refuse_sealed(case)
    if template not in documents_due(case, workflow):
        raise InvalidInput(
            f"《{doc_type.title}》要在办理相应环节之后才能生成。",
            code="template_not_due",
            details={"template": [f"尚未办理产生《{doc_type.title}》的环节。"]},
        )
    return _issue(actor=actor, case=case, doc_type=doc_type, day=today, source=None, created=created)


def _issue(
    *,
    actor: Any,
    case: Case,
    doc_type: DocumentType,
    day: datetime.date | None,
    source: Any,
    created: list[str],
) -> Document:
    """Number, render, hash, store and record one document version (the case row is locked).

    The number: a regeneration keeps it — of the latest version for a step's document, of the
    version stating the same record for a review document; otherwise the next of the year."""
    template = doc_type.code
    day = day or timezone.localdate()
    now = timezone.now()
    versions = Document.objects.filter(case=case, template=template)
    previous = versions.order_by("-version").first()
    same = previous
    ref = source_ref(source)
    if ref is not None:
        same = versions.filter(context__source__model=ref["model"], context__source__id=ref["id"]).first()
    if same is not None:
        number = same.number
    elif doc_type.number_code:
        sequence = _next_sequence(case.body, doc_type.number_code, day.year)
        number = document_number(case.body.short_name, doc_type.number_code, day.year, sequence)
    else:
        number = ""
    version = previous.version + 1 if previous is not None else 1
    context = build_context(case=case, template=template, number=number, day=day, source=source)
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


# The record each review document states.
REVIEW_SOURCES: dict[str, type[ReviewOpinion] | type[CollectiveDiscussion]] = {
    "legal_review_opinion": ReviewOpinion,
    "collective_discussion_record": CollectiveDiscussion,
}


def _review_type(*, actor: Any, case: Case, template: str, source: Any) -> DocumentType:
    """The review document for ``source``, refused unless ``source`` is a recorded record of the
    right kind, of ``case``, and ``actor`` is who recorded it."""
    model = REVIEW_SOURCES.get(template)
    if model is None or template not in REVIEW_DOCUMENTS:
        raise InvalidInput(f"“{template}”不是法制审核文书。", code="not_a_review_document")
    doc_type = DOCUMENTS[template]
    if not isinstance(source, model) or source.pk is None:
        raise InvalidInput(
            f"《{doc_type.title}》须依据已记录的{model._meta.verbose_name}生成。", code="source_mismatch"
        )
    if isinstance(source, ReviewOpinion):
        person = permissions.person_of(actor)
        case_id, recorder = source.request.case_id, person is not None and person.pk == source.reviewer_id
    else:
        case_id, recorder = source.case_id, getattr(actor, "pk", None) == source.recorded_by_id
    if case_id != case.pk:
        raise InvalidInput(f"{model._meta.verbose_name}不属于本案。", code="source_not_of_case")
    if not recorder:
        raise NotPermitted(f"《{doc_type.title}》只能在出具意见或记录讨论的人员办理时生成。")
    return doc_type
