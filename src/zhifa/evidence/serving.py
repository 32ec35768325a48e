"""Serving stored evidence with HTTP Range support (RFC 9110 §14), so a video can be sought.

One range per request (what players send); a multi-range request gets the whole file, which the
RFC allows. The ETag is the SHA-256: the object behind it never changes.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from zhifa.evidence.models import Evidence
from zhifa.evidence.storage import get_store

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (start, end) inclusive byte range asked for, or None for the whole file.

    Raises ``Unsatisfiable`` when the range lies wholly past the end."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None  # unknown unit, several ranges or garbage: ignore, send everything
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and start > end:
        return None  # invalid: ignored, as the RFC says
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _disposition(evidence: Evidence, attachment: bool) -> str:
    kind = "attachment" if attachment else "inline"
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", evidence.original_filename) or "evidence"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(evidence.original_filename)}"


def evidence_response(
    request: HttpRequest, evidence: Evidence, *, attachment: bool = False
) -> HttpResponseBase:
    """The bytes of ``evidence`` (a 200, or a 206 for a Range request); the caller checked permission."""
    size = evidence.size
    etag = f'"{evidence.sha256}"'
    if_range = request.headers.get("If-Range")
    header = request.headers.get("Range") if not if_range or if_range == etag else None
    try:
        wanted = parse_range(header, size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    store = get_store()
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(content_type=evidence.media_type, status=206 if wanted else 200)
    elif wanted is None:
        path = store.local_path(evidence.storage_key)
        if path is not None:  # lets the server use sendfile
            response = FileResponse(path.open("rb"), content_type=evidence.media_type)
        else:
            response = StreamingHttpResponse(
                store.iter_range(evidence.storage_key, 0, size - 1), content_type=evidence.media_type
            )
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            store.iter_range(evidence.storage_key, start, end), content_type=evidence.media_type, status=206
        )
    start, end = wanted if wanted else (0, size - 1)
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = _disposition(evidence, attachment)
    return response
