"""Pages to export and import the officer list (执法人员名单) as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.errors import DomainError
from zhifa.core.tabular import ImportFileForm, ImportReport, spreadsheet_response
from zhifa.org import permissions, transfer
from zhifa.org.models import EnforcementBody


def body_for(user: Any) -> EnforcementBody:
    """The body an import writes into: the user's own, or the only one (a superuser without a person)."""
    person = permissions.person_of(user)
    if person is not None:
        return person.body
    bodies = list(EnforcementBody.objects.all()[:2])
    if len(bodies) == 1:
        return bodies[0]
    raise PermissionDenied("请以所属执法主体的人员账号登录后再导入。")


def import_failure(exc: DomainError) -> dict[str, Any]:
    """The page context for a refused import: the message and every (row, column, reason)."""
    errors = exc.details if isinstance(exc.details, list) else []
    return {"import_error": exc.message, "row_errors": errors}


def import_page(
    request: HttpRequest,
    *,
    importer: Callable[..., ImportReport],
    success_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The import page shared by the officer list and the catalogue: upload, one service call,
    and either a summary or the table of every bad row (nothing saved)."""
    body = body_for(request.user)
    form = ImportFileForm(request.POST, request.FILES) if request.method == "POST" else ImportFileForm()
    page: dict[str, Any] = {**context, "form": form, "body": body}
    if request.method == "POST" and form.is_valid():
        try:
            report = importer(actor=request.user, body=body, content=form.content(), filename=form.filename())
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            page.update(import_failure(exc))
        else:
            messages.success(request, report.summary())
            return redirect(success_url)
    return render(request, template, page)


@require_GET
def officer_export(request: HttpRequest) -> HttpResponse:
    """``?format=csv|xlsx``; ``?template=1`` gives the header row only."""
    permissions.require(permissions.is_staff_member(request.user))
    template = request.GET.get("template") == "1"
    headers, rows = transfer.export_officers(user=request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return spreadsheet_response(
        headers,
        [] if template else rows,
        fmt=request.GET.get("format", "xlsx"),
        filename="执法人员名单-导入模板" if template else f"执法人员名单-{stamp}",
        ascii_name="officers-template" if template else f"officers-{stamp}",
        sheet_title="执法人员名单",
    )


@require_http_methods(["GET", "POST"])
def officer_import(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.can_manage_credentials(request.user), "只有试点办或系统管理员可以导入执法人员名单。"
    )
    return import_page(
        request,
        importer=transfer.import_officers,
        success_url="org:officer_import",
        template="org/transfer/officer_import.html",
        context={"columns": transfer.COLUMNS, "active_nav": "people"},
    )
