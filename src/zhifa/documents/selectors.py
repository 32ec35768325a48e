"""Reads of enforcement documents shared by the case page, the documents pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile

from zhifa.cases.definitions import workflow_for
from zhifa.cases.documents_catalog import DOCUMENTS, MADE_BY_STEP
from zhifa.cases.guards import documents_due
from zhifa.cases.models import Case
from zhifa.core.errors import NotFound
from zhifa.documents.models import Document
from zhifa.documents.permissions import can_generate

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class DocumentRow:
    """The latest version of one template of a case, with the earlier versions."""

    latest: Document
    history: list[Document] = field(default_factory=list)

    @property
    def regenerable(self) -> bool:
        """Whether staff may generate a new version from the list: not for the documents the legal
        review makes when it records an opinion or a discussion."""
        doc_type = DOCUMENTS.get(self.latest.template)
        return doc_type is not None and doc_type.made_by == MADE_BY_STEP


@dataclass
class CaseDocuments:
    """What the case page's documents panel shows."""

    case: Case
    rows: list[DocumentRow]
    to_generate: list[tuple[str, str]]  # (template code, title) the workflow uses but not yet made
    can_generate: bool

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)


def case_documents(case: Case) -> QuerySet[Document]:
    """Every version of every document of the case, in case-file order then newest first."""
    return Document.objects.filter(case=case).select_related("generated_by").order_by("template", "-version")


def latest_documents(case: Case) -> list[DocumentRow]:
    """The latest version per template (with its history), in the statutory case-file order."""
    rows: dict[str, DocumentRow] = {}
    for doc in case_documents(case):
        if doc.template in rows:
            rows[doc.template].history.append(doc)
        else:
            rows[doc.template] = DocumentRow(latest=doc)
    order = {code: d.order for code, d in DOCUMENTS.items()}
    return sorted(rows.values(), key=lambda r: (order.get(r.latest.template, 999), r.latest.template))


def document_history(case: Case, template: str) -> QuerySet[Document]:
    return case_documents(case).filter(template=template)


def templates_for(case: Case) -> list[tuple[str, str]]:
    """(code, title) of the documents the steps taken so far produce, in the order of the steps;
    none once the case is archived (sealed)."""
    workflow = workflow_for(case.act_type, case.procedure)
    if workflow.state(case.state).terminal:
        return []
    return [(code, DOCUMENTS[code].title) for code in documents_due(case, workflow)]


def get_document(pk: int) -> Document:
    document = Document.objects.select_related("case", "case__unit", "generated_by").filter(pk=pk).first()
    if document is None:
        raise NotFound("文书不存在。")
    return document


def document_file(document: Document, kind: str) -> tuple[FieldFile, str, str]:
    """(stored file, download file name, content type) of the PDF or the Word version."""
    if kind not in CONTENT_TYPES:
        raise NotFound("没有该格式的文书文件。")
    stored = document.pdf_file if kind == "pdf" else document.docx_file
    label = document.number or document.case.number
    filename = f"{document.title}_{label}_第{document.version}版.{kind}"
    return stored, filename, CONTENT_TYPES[kind]


def expected_digest(document: Document, kind: str) -> str:
    return document.sha256 if kind == "pdf" else document.docx_sha256


def case_documents_context(case: Case, user: Any) -> dict[str, Any]:
    """For the case page: ``{% include "documents/_case_documents.html" %}`` with this context
    (``documents`` is a ``CaseDocuments``: ``rows``, ``to_generate``, ``can_generate``)."""
    rows = latest_documents(case)
    made = {row.latest.template for row in rows}
    return {
        "case": case,
        "documents": CaseDocuments(
            case=case,
            rows=rows,
            to_generate=[(code, title) for code, title in templates_for(case) if code not in made],
            can_generate=can_generate(user, case),
        ),
    }
