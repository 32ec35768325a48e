"""Staff pages for documents: generate (POST), download the PDF or Word file, and a case's list.

Thin: check permission, call the service, turn a refusal into a message (403 page when it is a
permission refusal), redirect back where the form came from when that is a safe same-site URL.
"""

from __future__ import annotations

import hashlib
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhifa.cases.models import Case
from zhifa.core.errors import DomainError, NotFound
from zhifa.documents import selectors, services
from zhifa.documents.permissions import can_view


def _case(case_id: int) -> Case:
    case = Case.objects.select_related("body", "unit", "item", "item_version").filter(pk=case_id).first()
    if case is None:
        raise Http404("案件不存在")
    return case


def _back(request: HttpRequest, case: Case) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("documents:case_documents", args=[case.pk])


@require_GET
def case_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    if not can_view(request.user, case):
        raise PermissionDenied("您无权查看本案文书。")
    context = selectors.case_documents_context(case, request.user)
    context["active_nav"] = "cases"
    return render(request, "documents/case_documents.html", context)


@require_POST
def generate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    template = request.POST.get("template", "")
    try:
        document = services.generate_document(actor=request.user, case=case, template=template)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, f"未能生成文书：{exc.message}")
    else:
        number = f"（{document.number}）" if document.number else ""
        messages.success(request, f"已生成《{document.title}》{number}第{document.version}版。")
    return redirect(_back(request, case))


@require_GET
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    try:
        document = selectors.get_document(pk)
        stored, filename, content_type = selectors.document_file(document, kind)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not can_view(request.user, document.case):
        raise PermissionDenied("您无权下载本案文书。")
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except OSError:
        return render(
            request, "documents/file_error.html", {"message": "文书文件缺失，请联系系统管理员。"}, status=404
        )
    if hashlib.sha256(data).hexdigest() != selectors.expected_digest(document, kind):
        return render(
            request,
            "documents/file_error.html",
            {"message": "文书文件与生成时记录的摘要不一致，可能已被篡改，已停止下载。请联系系统管理员。"},
            status=409,
        )
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type)
