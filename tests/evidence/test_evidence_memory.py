"""A large upload keeps memory flat: chunks are streamed to the spool file in 1 MiB blocks.

64 MiB in 8 MiB chunks through the whole stack (middleware, CSRF, authentication, the view or the
API), each chunk's body generated on the fly as a socket would deliver it, so what is measured
is what the server holds. The 2 GB figure is in ``benchmarks/bench_evidence.py``."""

from __future__ import annotations

import gc
import hashlib
import os
import tracemalloc
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.evidence.conftest import MP4_HEAD, start

from zhifa.cases.models import Case
from zhifa.evidence.models import Evidence

MiB = 1024 * 1024
SIZE = 64 * MiB
CHUNK = 8 * MiB


class GeneratedBody:
    """A request body of ``length`` bytes made of ``block`` repeated, produced as it is read."""

    def __init__(self, block: bytes, length: int, head: bytes = b"") -> None:
        self.block, self.left, self.head = block, length, head

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        out = (self.head + self.block)[:size] if self.head else self.block[:size]
        self.head = b""
        self.left -= len(out)
        return out

    readline = read


def send_chunk(client: Client, url: str, body: GeneratedBody, offset: int, **extra: Any) -> Any:
    return client.request(
        REQUEST_METHOD="PUT",
        PATH_INFO=url,
        CONTENT_TYPE="application/octet-stream",
        CONTENT_LENGTH=str(body.left),
        HTTP_CONTENT_RANGE=f"bytes {offset}-{offset + body.left - 1}/{SIZE}",
        **{"wsgi.input": body},
        **extra,
    )


@pytest.mark.parametrize("face", ["page", "api"])
def test_a_64_mib_upload_never_holds_the_file_in_memory(
    case: Case, client_as: Any, api_token: Any, django_capture_on_commit_callbacks: Any, face: str
) -> None:
    client = client_as("officer")
    block = os.urandom(MiB)
    first = (MP4_HEAD + block)[:MiB]  # what the first 1 MiB read returns
    if face == "page":
        upload_id = start(client, case, b"", size=SIZE).json()["upload_id"]
        url, auth = reverse("evidence:upload_detail", args=[upload_id]), {}
    else:
        auth = api_token("officer")
        created = client.post(
            f"/api/v1/evidence/cases/{case.pk}/uploads",
            {"filename": "big.mp4", "size": SIZE, "kind": "video", "captured_at": "2026-03-02T09:00:00+08:00"}
            | {"place": "现场"},
            content_type="application/json",
            **auth,
        )
        url = f"/api/v1/evidence/uploads/{created.json()['upload_id']}"
    assert client.get(url, **auth).json()["chunk_size"] == CHUNK
    gc.collect()
    tracemalloc.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for offset in range(0, SIZE, CHUNK):
                body = GeneratedBody(block, CHUNK, head=MP4_HEAD if offset == 0 else b"")
                response = send_chunk(client, url, body, offset, **auth)
                assert response.status_code == 200, response.content
                gc.collect()  # the test client keeps request/response cycles around
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.json()["status"] == "complete"
    expected = first + block * (CHUNK // MiB - 1) + block * ((SIZE - CHUNK) // MiB)
    evidence = Evidence.objects.get()
    assert (evidence.size, evidence.sha256) == (SIZE, hashlib.sha256(expected).hexdigest())
    del expected
    # Not even one 8 MiB chunk is held whole: 1 MiB blocks go straight to the spool file.
    assert peak < 6 * MiB, f"peak {peak / MiB:.1f} MiB for a {SIZE // MiB} MiB upload"
