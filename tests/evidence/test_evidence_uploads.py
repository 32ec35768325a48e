"""Chunked, resumable uploads: the bytes, the hashes, the record event, and nothing recorded
until the upload completes."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.evidence.conftest import (
    EXE_HEAD,
    JPEG_HEAD,
    MP4_HEAD,
    payload,
    put_chunk,
    start,
)

from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput
from zhifa.evidence import services, spool
from zhifa.evidence.hashing import HASHERS
from zhifa.evidence.models import Evidence, UploadSession, UploadStatus
from zhifa.records.models import EventType, RecordEvent


def _events(case: Case) -> list[RecordEvent]:
    return list(RecordEvent.objects.filter(case=case, event_type=EventType.EVIDENCE_ADDED))


def test_three_chunks_become_one_hashed_evidence_row_and_one_record_event(
    bureau: Any, case: Case, uploader: Any, evidence_storage: Path
) -> None:
    data = payload(MP4_HEAD, 300_001)
    response = uploader("officer", case, data, step="evidence_gathering", chunks=3)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == "complete" and body["offset"] == len(data)
    evidence = Evidence.objects.get(pk=body["evidence_id"])
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.sm3 == hashlib.new("sm3", data).hexdigest()
    assert (evidence.kind, evidence.media_type, evidence.size) == ("video", "video/mp4", len(data))
    assert evidence.is_av and evidence.step == "evidence_gathering"
    assert evidence.officer == bureau.people["officer"] and evidence.original_filename == "现场.mp4"
    stored = (
        evidence_storage
        / "store"
        / f"evidence/{evidence.sha256[:2]}/{evidence.sha256[2:4]}/{evidence.sha256}"
    )
    assert evidence.storage_key == f"evidence/{evidence.sha256[:2]}/{evidence.sha256[2:4]}/{evidence.sha256}"
    assert stored.read_bytes() == data
    assert not stat.S_IMODE(stored.stat().st_mode) & 0o222, "stored objects are read-only"
    assert list((evidence_storage / "spool").iterdir()) == [], "the spool file is gone"
    [event] = _events(case)
    assert event.step == "evidence_gathering"
    assert event.after["is_av"] is True and event.after["evidence_id"] == evidence.pk
    assert event.after["sha256"] == evidence.sha256 and event.after["sm3"] == evidence.sm3
    assert event.after["officer"] == "李执法" and event.after["place"] == "衡阳市蒸湘区某工地"
    assert event.after["captured_at"].startswith("2026-03-02T10:30")
    assert event.actor == bureau.officer


def test_a_gap_is_refused_with_the_offset_and_the_upload_resumes_from_it(
    case: Case, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("officer")
    data = payload(MP4_HEAD, 250_000)
    upload_id = start(client, case, data).json()["upload_id"]
    assert put_chunk(client, upload_id, data[:100_000], 0, len(data)).json()["offset"] == 100_000
    # The second chunk was lost; the third arrives.
    response = put_chunk(client, upload_id, data[200_000:], 200_000, len(data))
    assert response.status_code == 409
    assert response.json()["code"] == "upload_gap" and response.json()["details"] == {"offset": 100_000}
    status = client.get(reverse("evidence:upload_detail", args=[upload_id])).json()
    assert (status["status"], status["offset"]) == ("open", 100_000)
    with django_capture_on_commit_callbacks(execute=True):
        put_chunk(client, upload_id, data[100_000:200_000], 100_000, len(data))
        done = put_chunk(client, upload_id, data[200_000:], 200_000, len(data)).json()
    assert done["status"] == "complete"
    assert Evidence.objects.get(pk=done["evidence_id"]).sha256 == hashlib.sha256(data).hexdigest()


def test_a_repeated_chunk_is_acknowledged_and_not_written_twice(
    case: Case, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("officer")
    data = payload(JPEG_HEAD, 200_000)
    upload_id = start(client, case, data, kind="photo").json()["upload_id"]
    first = put_chunk(client, upload_id, data[:120_000], 0, len(data))
    again = put_chunk(client, upload_id, data[:120_000], 0, len(data))
    assert first.status_code == again.status_code == 200
    assert again.json()["offset"] == 120_000
    # A chunk overlapping what was received: only the new part is appended.
    with django_capture_on_commit_callbacks(execute=True):
        done = put_chunk(client, upload_id, data[100_000:], 100_000, len(data)).json()
    evidence = Evidence.objects.get(pk=done["evidence_id"])
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.kind == "photo"
    # The final chunk sent again after completion: acknowledged, nothing new recorded.
    assert put_chunk(client, upload_id, data[100_000:], 100_000, len(data)).json()["status"] == "complete"
    assert Evidence.objects.count() == 1


def test_hashes_are_right_when_chunks_arrive_at_another_process(
    case: Case, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """No hasher in this process's cache (another worker, a restart): the spool file is re-read."""
    client = client_as("officer")
    data = payload(MP4_HEAD, 300_000, seed=7)
    upload_id = start(client, case, data).json()["upload_id"]
    for offset in (0, 100_000):
        put_chunk(client, upload_id, data[offset : offset + 100_000], offset, len(data))
        HASHERS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = put_chunk(client, upload_id, data[200_000:], 200_000, len(data)).json()
    evidence = Evidence.objects.get(pk=done["evidence_id"])
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.sm3 == hashlib.new("sm3", data).hexdigest()


def test_an_aborted_upload_leaves_no_evidence_no_event_and_no_spool_file(
    case: Case, client_as: Any, evidence_storage: Path
) -> None:
    client = client_as("officer")
    data = payload(MP4_HEAD, 200_000)
    upload_id = start(client, case, data).json()["upload_id"]
    put_chunk(client, upload_id, data[:100_000], 0, len(data))
    assert (evidence_storage / "spool" / f"{upload_id}.part").stat().st_size == 100_000
    response = client.delete(reverse("evidence:upload_detail", args=[upload_id]))
    assert response.status_code == 200 and response.json()["status"] == "aborted"
    assert not (evidence_storage / "spool" / f"{upload_id}.part").exists()
    refused = put_chunk(client, upload_id, data[100_000:], 100_000, len(data))
    assert refused.status_code == 409 and refused.json()["code"] == "upload_aborted"
    assert not Evidence.objects.exists() and _events(case) == []
    assert not (evidence_storage / "store").exists()


def test_an_interrupted_upload_is_cleaned_up_and_leaves_nothing_recorded(
    case: Case, client_as: Any, evidence_storage: Path
) -> None:
    client = client_as("officer")
    data = payload(MP4_HEAD, 200_000)
    upload_id = start(client, case, data).json()["upload_id"]
    put_chunk(client, upload_id, data[:100_000], 0, len(data))
    stray = evidence_storage / "spool" / "left-by-a-crash.part"
    stray.write_bytes(b"x" * 10)
    os.utime(stray, (1_000_000_000, 1_000_000_000))
    out = io.StringIO()
    call_command("evidence", "cleanup", "--older-than", "0", stdout=out)
    assert "已中止上传 1 个" in out.getvalue()
    session = UploadSession.objects.get(pk=upload_id)
    assert session.status == UploadStatus.ABORTED and session.failure == "超时未完成，已清理"
    assert list((evidence_storage / "spool").iterdir()) == []
    assert not Evidence.objects.exists() and _events(case) == []


def test_cleanup_leaves_recent_uploads_alone(case: Case, client_as: Any, evidence_storage: Path) -> None:
    client = client_as("officer")
    upload_id = start(client, case, payload(MP4_HEAD, 1000)).json()["upload_id"]
    call_command("evidence", "cleanup", "--older-than", "24", stdout=io.StringIO())
    assert UploadSession.objects.get(pk=upload_id).status == UploadStatus.OPEN
    assert (evidence_storage / "spool" / f"{upload_id}.part").exists()


def test_a_chunk_cut_off_mid_way_is_not_kept(bureau: Any, case: Case, evidence_storage: Path) -> None:
    data = payload(MP4_HEAD, 200_000)
    session = services.start_upload(
        actor=bureau.officer,
        case=case,
        filename="a.mp4",
        size=len(data),
        kind="video",
        captured_at=case.created_at,
        place="现场",
    )
    services.receive_chunk(
        actor=bureau.officer,
        session=session,
        content_range=f"bytes 0-99999/{len(data)}",
        body=io.BytesIO(data[:100_000]),
    )
    with pytest.raises(InvalidInput, match="分片不完整"):
        services.receive_chunk(
            actor=bureau.officer,
            session=session,
            content_range=f"bytes 100000-199999/{len(data)}",
            body=io.BytesIO(data[100_000:150_000]),  # the connection dropped
        )
    session.refresh_from_db()
    assert session.received_bytes == 100_000 and session.status == UploadStatus.OPEN
    assert (evidence_storage / "spool" / session.spool_name).stat().st_size == 100_000


def test_a_spool_file_longer_than_the_record_is_cut_back(
    bureau: Any, case: Case, evidence_storage: Path
) -> None:
    """A crash after writing a chunk but before recording it: the unrecorded bytes are dropped."""
    data = payload(MP4_HEAD, 200_000)
    session = services.start_upload(
        actor=bureau.officer,
        case=case,
        filename="a.mp4",
        size=len(data),
        kind="video",
        captured_at=case.created_at,
        place="现场",
    )
    (evidence_storage / "spool" / session.spool_name).write_bytes(b"garbage" * 1000)
    with pytest.raises(Conflict) as refused:
        services.receive_chunk(
            actor=bureau.officer,
            session=session,
            content_range=f"bytes 7000-199999/{len(data)}",
            body=io.BytesIO(data[7000:]),
        )
    assert refused.value.details == {"offset": 0}
    assert (evidence_storage / "spool" / session.spool_name).stat().st_size == 0


def test_a_chunk_for_a_session_busy_with_another_chunk_is_refused(bureau: Any, case: Case) -> None:
    data = payload(MP4_HEAD, 1000)
    session = services.start_upload(
        actor=bureau.officer,
        case=case,
        filename="a.mp4",
        size=len(data),
        kind="video",
        captured_at=case.created_at,
        place="现场",
    )
    with spool.locked(session.spool_name), pytest.raises(Conflict) as refused:
        services.receive_chunk(
            actor=bureau.officer,
            session=session,
            content_range=f"bytes 0-999/{len(data)}",
            body=io.BytesIO(data),
        )
    assert refused.value.code == "upload_busy"


@pytest.mark.parametrize(
    ("content_range", "code", "status"),
    [
        (None, "bad_content_range", 422),
        ("bytes 0-99/100", "size_mismatch", 422),
        ("bytes 10-5/1000", "bad_content_range", 422),
        ("items 0-9/1000", "bad_content_range", 422),
    ],
)
def test_malformed_chunks_are_refused_clearly(
    case: Case, client_as: Any, content_range: str | None, code: str, status: int
) -> None:
    client = client_as("officer")
    upload_id = start(client, case, payload(MP4_HEAD, 1000)).json()["upload_id"]
    headers = {"Content-Range": content_range} if content_range else {}
    response = client.put(
        reverse("evidence:upload_detail", args=[upload_id]),
        data=b"x" * 100,
        content_type="application/octet-stream",
        headers=headers,
    )
    assert response.status_code == status and response.json()["code"] == code


def test_a_chunk_larger_than_the_chunk_size_is_refused(case: Case, client_as: Any, settings: Any) -> None:
    settings.ZHIFA_EVIDENCE_CHUNK_BYTES = 64 * 1024
    client = client_as("officer")
    data = payload(MP4_HEAD, 200_000)
    created = start(client, case, data).json()
    assert created["chunk_size"] == 64 * 1024
    response = put_chunk(client, created["upload_id"], data[:100_000], 0, len(data))
    assert response.status_code == 413 and response.json()["code"] == "chunk_too_large"


def test_declared_size_is_limited(case: Case, client_as: Any, settings: Any) -> None:
    settings.ZHIFA_EVIDENCE_MAX_BYTES = 1000
    response = start(client_as("officer"), case, payload(MP4_HEAD, 1001))
    assert response.status_code == 422 and "超过上限" in response.json()["message"]
    assert not UploadSession.objects.exists()


def test_audio_video_needs_a_place_and_time(case: Case, client_as: Any) -> None:
    client = client_as("officer")
    response = start(client, case, payload(MP4_HEAD, 1000), place="")
    assert response.status_code == 422 and response.json()["details"]["place"] == ["音像记录须填写采集地点。"]
    response = start(client, case, payload(MP4_HEAD, 1000), captured_at="")
    assert response.status_code == 422 and "captured_at" in response.json()["details"]
    response = start(client, case, payload(MP4_HEAD, 1000), captured_at="2999-01-01T00:00")
    assert response.status_code == 422 and response.json()["details"]["captured_at"] == [
        "采集时间不能晚于现在。"
    ]


def test_an_unknown_device_is_refused(case: Case, client_as: Any) -> None:
    response = start(client_as("officer"), case, payload(MP4_HEAD, 1000), device_serial="NO-SUCH")
    assert response.status_code == 422 and "device_serial" in response.json()["details"]


def test_an_executable_named_mp4_is_refused_by_its_bytes(
    case: Case, uploader: Any, evidence_storage: Path
) -> None:
    response = uploader("officer", case, payload(EXE_HEAD, 50_000), filename="执法记录.mp4", chunks=2)
    assert response.status_code == 422
    assert response.json()["code"] == "unsupported_type" and "可执行程序" in response.json()["message"]
    session = UploadSession.objects.get()
    assert session.status == UploadStatus.ABORTED and "可执行程序" in session.failure
    assert list((evidence_storage / "spool").iterdir()) == []
    assert not Evidence.objects.exists() and _events(session.case) == []


def test_bytes_that_do_not_match_the_chosen_kind_are_refused(case: Case, uploader: Any) -> None:
    response = uploader("officer", case, payload(JPEG_HEAD, 5000), kind="video", chunks=1)
    assert response.status_code == 422 and "JPEG 图片" in response.json()["message"]
    assert not Evidence.objects.exists()


def test_a_photo_may_be_filed_as_a_document_and_then_is_not_av(case: Case, uploader: Any) -> None:
    response = uploader("officer", case, payload(JPEG_HEAD, 5000), kind="document", place="", chunks=1)
    evidence = Evidence.objects.get(pk=response.json()["evidence_id"])
    assert (evidence.kind, evidence.media_type, evidence.is_av) == ("document", "image/jpeg", False)
    [event] = _events(case)
    assert event.after["is_av"] is False and event.step == ""


def test_same_bytes_twice_share_one_stored_object_and_make_two_evidence_rows(
    case: Case, uploader: Any, evidence_storage: Path
) -> None:
    data = payload(MP4_HEAD, 100_000)
    first = uploader("officer", case, data, step="on_site_inspection")
    stored = evidence_storage / "store" / Evidence.objects.get(pk=first.json()["evidence_id"]).storage_key
    inode, mtime = stored.stat().st_ino, stored.stat().st_mtime_ns
    second = uploader("officer2", case, data, step="evidence_gathering", place="另一处")
    a, b = Evidence.objects.order_by("pk")
    assert second.json()["evidence_id"] == b.pk
    assert a.storage_key == b.storage_key and (a.step, b.step) == ("on_site_inspection", "evidence_gathering")
    assert (stored.stat().st_ino, stored.stat().st_mtime_ns) == (inode, mtime), "never rewritten"
    assert b.officer.name == "王执法" and len(_events(case)) == 2


def test_evidence_rows_are_write_once(case: Case, uploader: Any) -> None:
    uploader("officer", case, payload(MP4_HEAD, 10_000))
    evidence = Evidence.objects.get()
    evidence.place = "改过的地点"
    with pytest.raises(ValueError, match="不能修改"):
        evidence.save()
    with pytest.raises(ValueError, match="不能删除"):
        evidence.delete()
    with pytest.raises(ValueError, match="不能修改"):
        Evidence.objects.filter(pk=evidence.pk).update(place="x")
    with pytest.raises(ValueError, match="不能删除"):
        Evidence.objects.all().delete()
    assert Evidence.objects.get().place == "衡阳市蒸湘区某工地"


def test_a_completed_upload_cannot_be_aborted(case: Case, uploader: Any, client_as: Any) -> None:
    upload_id = str(uploader("officer", case, payload(MP4_HEAD, 10_000)).json()["upload_id"])
    response = client_as("officer").delete(reverse("evidence:upload_detail", args=[upload_id]))
    assert response.status_code == 409 and response.json()["code"] == "upload_complete"
    assert Evidence.objects.count() == 1


def test_an_unknown_upload_is_404(client_as: Any, bureau: Any) -> None:
    client = client_as("officer")
    assert client.get(reverse("evidence:upload_detail", args=["not-a-uuid"])).status_code == 404
    assert (
        client.get(
            reverse("evidence:upload_detail", args=["4d6f6e63-0000-4000-8000-000000000000"])
        ).status_code
        == 404
    )


def test_bytes_lost_and_sent_again_are_hashed_as_they_now_are(
    case: Case, client_as: Any, evidence_storage: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """A crash lost the tail of the spool file; the client resends (here, different) bytes. A hasher
    another process still holds for the old bytes must not be used."""
    client = client_as("officer")
    data = payload(MP4_HEAD, 300_000, seed=1)
    upload_id = start(client, case, data).json()["upload_id"]
    put_chunk(client, upload_id, data[:100_000], 0, len(data))
    put_chunk(client, upload_id, data[100_000:200_000], 100_000, len(data))
    stale = HASHERS.take(f"{upload_id}/0")
    assert stale is not None and stale.offset == 200_000
    with open(evidence_storage / "spool" / f"{upload_id}.part", "r+b") as fh:
        fh.truncate(100_000)
    replaced = data[:100_000] + payload(b"", 200_000, seed=2)
    refused = put_chunk(client, upload_id, replaced[200_000:], 200_000, len(data))
    assert refused.status_code == 409 and refused.json()["details"] == {"offset": 100_000}
    assert UploadSession.objects.get(pk=upload_id).rewinds == 1
    put_chunk(client, upload_id, replaced[100_000:200_000], 100_000, len(data))  # at another worker
    HASHERS.clear()
    HASHERS.put(f"{upload_id}/0", stale)  # this worker still has its hasher of the old bytes
    with django_capture_on_commit_callbacks(execute=True):
        done = put_chunk(client, upload_id, replaced[200_000:], 200_000, len(data)).json()
    evidence = Evidence.objects.get(pk=done["evidence_id"])
    assert evidence.sha256 == hashlib.sha256(replaced).hexdigest()
    assert evidence.sm3 == hashlib.new("sm3", replaced).hexdigest()
