"""The JSON endpoints behind the upload form (session login + CSRF header), used by ``upload.js``.

The same services as the API (``zhifa.evidence.api``), which uses bearer tokens instead.
A chunk's body is read from the request as a stream, 1 MiB at a time: never ``request.body``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from zhifa.core.errors import DomainError
from zhifa.evidence import selectors, services
from zhifa.evidence.forms import UploadForm


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(exc: DomainError) -> JsonResponse:
    return _json({"code": exc.code, "message": exc.message, "details": exc.details}, exc.status)


def _forbidden(exc: PermissionDenied) -> JsonResponse:
    return _json(
        {"code": "forbidden", "message": str(exc) or "您没有执行此操作的权限。", "details": None}, 403
    )


def content_length(request: HttpRequest) -> int | None:
    value = request.META.get("CONTENT_LENGTH") or ""
    return int(value) if value.isdigit() else None


@require_POST
def upload_start(request: HttpRequest, case_id: int) -> JsonResponse:
    try:
        case = selectors.get_case(case_id)
        form = UploadForm(request.POST, case=case)
        if not form.is_valid():
            details = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            first = next(iter(details.values()))[0]
            return _json({"code": "invalid_input", "message": first, "details": details}, 422)
        d = form.cleaned_data
        device = d["device_serial"]
        session = services.start_upload(
            actor=request.user,
            case=case,
            filename=d["filename"] or "",
            size=d["size"] or 0,
            kind=d["kind"],
            step=d["step"],
            device_serial=device.serial_number if device else "",
            officer=d["officer"],
            captured_at=d["captured_at"],
            place=d["place"],
            description=d["description"],
        )
    except DomainError as exc:
        return _error(exc)
    return _json(selectors.upload_state(session), 201)


@require_http_methods(["GET", "PUT", "DELETE"])
def upload_detail(request: HttpRequest, upload_id: str) -> JsonResponse:
    """GET: where the upload stands (to resume); PUT: one chunk; DELETE: abort."""
    try:
        session = selectors.get_upload(upload_id)
        if request.method == "PUT":
            session = services.receive_chunk(
                actor=request.user,
                session=session,
                content_range=request.headers.get("Content-Range"),
                body=request,
                content_length=content_length(request),
            )
        elif request.method == "DELETE":
            session = services.abort_upload(actor=request.user, session=session)
        elif not selectors.can_see_upload(request.user, session):
            raise PermissionDenied("您无权查看该上传。")
    except DomainError as exc:
        return _error(exc)
    except PermissionDenied as exc:
        return _forbidden(exc)
    return _json(selectors.upload_state(session))
