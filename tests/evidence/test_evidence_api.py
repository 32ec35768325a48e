"""The evidence API: bearer tokens, raw-body chunks with Content-Range, structured errors."""

from __future__ import annotations

import hashlib
from typing import Any

from django.test import Client
from tests.evidence.conftest import EXE_HEAD, MP4_HEAD, payload

from zhifa.cases.models import Case
from zhifa.evidence import devices
from zhifa.evidence.models import Evidence

BASE = "/api/v1/evidence"


def _create(client: Client, auth: dict[str, str], case: Case, data: bytes, **extra: Any) -> Any:
    body = {
        "filename": "ZFJLY_0001.MP4",
        "size": len(data),
        "kind": "video",
        "step": "on_site_inspection",
        "captured_at": "2026-03-02T09:00:00+08:00",
        "place": "衡阳市石鼓区某小区",
        "chunk_size": 65536,
        **extra,
    }
    return client.post(f"{BASE}/cases/{case.pk}/uploads", body, content_type="application/json", **auth)


def _put(client: Client, auth: dict[str, str], upload_id: str, data: bytes, start: int, total: int) -> Any:
    return client.put(
        f"{BASE}/uploads/{upload_id}",
        data=data,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{start + len(data) - 1}/{total}",
        **auth,
    )


def test_upload_through_the_api_in_chunks_with_a_resume(
    bureau: Any, case: Case, client: Client, api_token: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth = api_token("officer")
    devices.register_device(
        actor=bureau.head,
        serial_number="DSJ-7",
        model="V9",
        unit=bureau.units["稽查支队"],
        assignee=bureau.people["officer"],
    )
    data = payload(MP4_HEAD, 150_000, seed=11)
    created = _create(client, auth, case, data, device_serial="DSJ-7")
    assert created.status_code == 201, created.content
    upload = created.json()
    assert (upload["offset"], upload["chunk_size"], upload["status"]) == (0, 65536, "open")
    uid = upload["upload_id"]
    assert _put(client, auth, uid, data[:65536], 0, len(data)).json()["offset"] == 65536
    gap = _put(client, auth, uid, data[131072:], 131072, len(data))
    assert gap.status_code == 409
    assert gap.json() == {
        "code": "upload_gap",
        "message": "分片不连续：服务器已接收 65536 字节，请从该位置续传。",
        "details": {"offset": 65536},
    }
    assert client.get(f"{BASE}/uploads/{uid}", **auth).json()["offset"] == 65536
    with django_capture_on_commit_callbacks(execute=True):
        _put(client, auth, uid, data[65536:131072], 65536, len(data))
        done = _put(client, auth, uid, data[131072:], 131072, len(data))
    assert done.status_code == 200 and done.json()["status"] == "complete"
    listing = client.get(f"{BASE}/cases/{case.pk}/evidence", **auth).json()
    [item] = listing
    assert (
        item["sha256"] == hashlib.sha256(data).hexdigest()
        and item["sm3"] == hashlib.new("sm3", data).hexdigest()
    )
    assert (
        item["device_serial"] == "DSJ-7"
        and item["step_label"] == "现场检查（勘验）"
        and item["is_av"] is True
    )
    assert item["id"] == done.json()["evidence_id"] == Evidence.objects.get().pk
    register = client.get(f"{BASE}/devices", **auth).json()
    assert register["count"] == 1 and register["items"][0]["assignee_name"] == "李执法"


def test_api_refusals_are_structured(bureau: Any, case: Case, client: Client, api_token: Any) -> None:
    assert client.get(f"{BASE}/devices").status_code == 401
    officer = api_token("officer")
    data = payload(EXE_HEAD, 1000)
    uid = _create(client, officer, case, data).json()["upload_id"]
    refused = _put(client, officer, uid, data, 0, len(data))
    assert refused.status_code == 422 and refused.json()["code"] == "unsupported_type"
    assert client.get(f"{BASE}/uploads/{uid}", **officer).json()["status"] == "aborted"
    assert client.delete(f"{BASE}/uploads/{uid}", **officer).json()["status"] == "aborted"
    reviewer = api_token("reviewer")
    forbidden = _create(client, reviewer, case, payload(MP4_HEAD, 1000))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert client.get(f"{BASE}/cases/{case.pk}/evidence", **reviewer).status_code == 200
    bad = _create(client, officer, case, payload(MP4_HEAD, 1000), kind="film", step="nowhere")
    assert bad.status_code == 422 and set(bad.json()["details"]) == {"kind", "step"}
    assert _create(client, officer, case, payload(MP4_HEAD, 1000), officer_id=999999).status_code == 422
    assert client.get(f"{BASE}/cases/999999/evidence", **officer).status_code == 404
    assert client.get(f"{BASE}/uploads/4d6f6e63-0000-4000-8000-000000000000", **officer).status_code == 404
