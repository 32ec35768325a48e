"""执法文书 API: a case's documents, generating the next version, one document's metadata and files.

A thin face over ``zhifa.documents.services`` and ``selectors``. Refusals are ``DomainError``s,
answered as ``{code, message, details}`` by the handlers in ``zhifa.core.api``. Paths are meant
for mounting at the API root: ``/cases/{case_id}/documents`` and ``/documents/{id}``.
"""

# No ``from __future__ import annotations``: ninja reads the view signatures at import time.
import datetime
import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from zhifa.cases.models import Case
from zhifa.core.api import errors
from zhifa.core.errors import Conflict, NotFound, NotPermitted
from zhifa.documents import selectors, services
from zhifa.documents.models import Document
from zhifa.documents.permissions import can_view

router = Router(tags=["执法文书"])


def _file_url(obj: Document, kind: str, context: dict[str, Any] | None) -> str:
    """The download path on the API this request came through (its URL namespace)."""
    request = (context or {}).get("request")
    match = getattr(request, "resolver_match", None)
    namespace = f"{match.namespace}:" if match is not None and match.namespace else ""
    try:
        return reverse(f"{namespace}document_file", kwargs={"document_id": obj.pk, "kind": kind})
    except NoReverseMatch:
        return ""


class DocumentOut(Schema):
    id: int = Field(description="文书ID")
    case_id: int = Field(description="案件ID")
    case_number: str = Field(description="案号")
    template: str = Field(description="文书模板代码，如 penalty_decision")
    title: str = Field(description="文书名称，如“行政处罚决定书”")
    number: str = Field(description="文号，如“衡住建罚决字〔2026〕12号”；内部表格为空")
    version: int = Field(description="版本（同一案件同一文书从1起）")
    sha256: str = Field(description="PDF的SHA-256摘要")
    sm3: str = Field(description="PDF的SM3摘要")
    size: int = Field(description="PDF大小（字节）")
    docx_sha256: str = Field(description="Word文件的SHA-256摘要")
    generated_by: str = Field(description="生成人")
    generated_at: datetime.datetime = Field(description="生成时间")
    pdf_url: str = Field(description="下载PDF的接口路径")
    docx_url: str = Field(description="下载Word文件的接口路径")

    @staticmethod
    def resolve_case_number(obj: Document) -> str:
        return obj.case.number

    @staticmethod
    def resolve_generated_by(obj: Document) -> str:
        return obj.generated_by_name

    @staticmethod
    def resolve_pdf_url(obj: Document, context: dict[str, Any] | None = None) -> str:
        return _file_url(obj, "pdf", context)

    @staticmethod
    def resolve_docx_url(obj: Document, context: dict[str, Any] | None = None) -> str:
        return _file_url(obj, "docx", context)


class GenerateIn(Schema):
    template: str = Field(description="文书模板代码，须是本案办理流程使用的文书")


def _case(request: HttpRequest, case_id: int) -> Case:
    case = Case.objects.select_related("body", "unit", "item", "item_version").filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在。")
    if not can_view(request.user, case):
        raise NotPermitted("您无权查看本案文书。")
    return case


@router.get(
    "/cases/{case_id}/documents",
    response={200: list[DocumentOut], **errors(401, 403, 404)},
    summary="案件的全部文书（各版本，新版本在前）",
)
def list_case_documents(request: HttpRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    return list(selectors.case_documents(case).select_related("case"))


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut, **errors(401, 403, 404, 409, 422)},
    summary="生成文书（已有的生成新版本，文号不变）",
)
def generate_case_document(request: HttpRequest, case_id: int, payload: GenerateIn) -> Any:
    case = _case(request, case_id)
    document = services.generate_document(actor=request.user, case=case, template=payload.template)
    return Status(201, document)


@router.get(
    "/documents/{document_id}", response={200: DocumentOut, **errors(401, 403, 404)}, summary="文书信息"
)
def get_document(request: HttpRequest, document_id: int) -> Any:
    document = selectors.get_document(document_id)
    if not can_view(request.user, document.case):
        raise NotPermitted("您无权查看本案文书。")
    return document


@router.get(
    "/documents/{document_id}/{kind}",
    response=errors(401, 403, 404, 409),
    url_name="document_file",
    summary="下载文书文件（kind 为 pdf 或 docx）",
)
def download_document(request: HttpRequest, document_id: int, kind: str) -> HttpResponse:
    document = selectors.get_document(document_id)
    if not can_view(request.user, document.case):
        raise NotPermitted("您无权下载本案文书。")
    stored, filename, content_type = selectors.document_file(document, kind)
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise NotFound("文书文件缺失。") from exc
    if hashlib.sha256(data).hexdigest() != selectors.expected_digest(document, kind):
        raise Conflict("文书文件与生成时记录的摘要不一致，已停止下载。", code="digest_mismatch")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    return response
