"""Evidence fixtures: a case with two officers, file bytes with real magic numbers, and a client
helper that uploads in chunks through the staff endpoints (as upload.js does)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.evidence.hashing import HASHERS

CAPTURED = "2026-03-02T10:30"

# Tiny files whose first bytes are what the real formats start with.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXE_HEAD = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode"
)


def payload(head: bytes, size: int, seed: int = 1) -> bytes:
    """``head`` followed by deterministic filler up to ``size`` bytes."""
    filler = hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    return (head + filler)[:size]


@pytest.fixture(autouse=True)
def evidence_storage(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Each test stores into and spools under its own directory."""
    settings.ZHIFA_EVIDENCE_ROOT = str(tmp_path / "store")
    settings.ZHIFA_EVIDENCE_SPOOL_DIR = str(tmp_path / "spool")
    settings.ZHIFA_EVIDENCE_STORAGE = "local"
    HASHERS.clear()
    yield tmp_path
    HASHERS.clear()


def open_case(
    bureau: Any, item: Any = None, officers: tuple[str, ...] = ("officer", "officer2"), actor: str = "officer"
) -> Case:
    return case_services.open_case(
        actor=bureau.user(actor),
        item=item or make_item(bureau),
        party_kind="organisation",
        party_name="衡阳某建设公司",
        party_id_number=org_code(),
        officers=[bureau.people[k] for k in officers],
        today=datetime.date(2026, 3, 2),
    )


@pytest.fixture
def case(bureau: Any) -> Case:
    return open_case(bureau)


def start(client: Client, case: Case, data: bytes, **fields: Any) -> Any:
    form = {
        "kind": "video",
        "step": "",
        "captured_at": CAPTURED,
        "place": "衡阳市蒸湘区某工地",
        "filename": "现场.mp4",
        "size": len(data),
        **fields,
    }
    return client.post(reverse("evidence:upload_start", args=[case.pk]), form)


def put_chunk(client: Client, upload_id: str, data: bytes, start_at: int, total: int, **headers: Any) -> Any:
    return client.put(
        reverse("evidence:upload_detail", args=[upload_id]),
        data=data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {start_at}-{start_at + len(data) - 1}/{total}", **headers},
    )


def upload(client: Client, case: Case, data: bytes, *, chunks: int = 3, **fields: Any) -> Any:
    """Start a session and send ``data`` in ``chunks`` pieces; the last response."""
    response = start(client, case, data, **fields)
    assert response.status_code == 201, response.content.decode()
    upload_id = response.json()["upload_id"]
    step = -(-len(data) // chunks)
    for offset in range(0, len(data), step):
        response = put_chunk(client, upload_id, data[offset : offset + step], offset, len(data))
        if response.status_code != 200:
            return response
    return response


@pytest.fixture
def uploader(client_as: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """``uploader("officer", case, data, **fields)``: log in and upload, running on-commit work."""

    def _upload(username: str, case: Case, data: bytes, **fields: Any) -> Any:
        client = client_as(username)
        with django_capture_on_commit_callbacks(execute=True):
            return upload(client, case, data, **fields)

    return _upload
