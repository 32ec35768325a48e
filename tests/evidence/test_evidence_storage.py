"""Content-addressed, write-once storage: the local directory and an S3-compatible bucket."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from tests.evidence.conftest import MP4_HEAD, payload

from zhifa.cases.models import Case
from zhifa.evidence import storage
from zhifa.evidence.models import Evidence


def _source(tmp_path: Path, data: bytes) -> Path:
    """A fresh spool file (each upload has its own; a stored one may share its inode)."""
    path = tmp_path / f"{len(list(tmp_path.glob('*.part')))}.part"
    path.write_bytes(data)
    return path


def test_local_store_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    store = storage.LocalStore(tmp_path / "store")
    data = b"evidence bytes"
    key = storage.key_for(hashlib.sha256(data).hexdigest())
    assert store.put(key, _source(tmp_path, data), len(data)) is True
    assert store.put(key, _source(tmp_path, data), len(data)) is False
    assert store.path(key).read_bytes() == data and store.size(key) == len(data)
    assert b"".join(store.iter_range(key, 2, 5)) == data[2:6]
    with pytest.raises(OSError, match="wrong size"):
        store.put(key, _source(tmp_path, data + b"!"), len(data) + 1)
    with pytest.raises(ValueError, match="not an evidence key"):
        store.path("../../etc/passwd")


def test_local_store_copies_when_it_cannot_link(tmp_path: Path, monkeypatch: Any) -> None:
    """A spool directory on another filesystem: copied through a temporary file, then linked."""
    real_link = os.link
    calls: list[str] = []

    def cross_device_once(src: Any, dst: Any) -> None:
        calls.append(str(src))
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", cross_device_once)
    store = storage.LocalStore(tmp_path / "store")
    data = b"x" * 3_000_000
    key = storage.key_for(hashlib.sha256(data).hexdigest())
    assert store.put(key, _source(tmp_path, data), len(data)) is True
    assert store.path(key).read_bytes() == data
    assert [p.name for p in store.path(key).parent.iterdir()] == [store.path(key).name], "no temporary left"


@pytest.fixture
def bucket(settings: Any) -> Any:
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="zhifa-evidence")
        settings.ZHIFA_EVIDENCE_STORAGE = "s3"
        settings.AWS_ACCESS_KEY_ID = "testing"
        settings.AWS_SECRET_ACCESS_KEY = "testing"
        settings.AWS_S3_REGION_NAME = "us-east-1"
        settings.AWS_STORAGE_BUCKET_NAME = "zhifa-evidence"
        settings.ZHIFA_EVIDENCE_S3_OPTIONS = {"location": "zhifa"}
        yield boto3.client("s3", region_name="us-east-1")


def test_s3_store_writes_once_and_reads_ranges(bucket: Any, tmp_path: Path) -> None:
    store = storage.get_store()
    assert isinstance(store, storage.S3Store)
    data = payload(MP4_HEAD, 20_000)
    key = storage.key_for(hashlib.sha256(data).hexdigest())
    assert store.put(key, _source(tmp_path, data), len(data)) is True
    assert store.put(key, _source(tmp_path, data), len(data)) is False
    assert store.exists(key) and store.size(key) == len(data) and store.local_path(key) is None
    assert b"".join(store.iter_range(key, 100, 199)) == data[100:200]
    listed = bucket.list_objects_v2(Bucket="zhifa-evidence")["Contents"]
    assert [o["Key"] for o in listed] == [f"zhifa/{key}"]


def test_an_upload_lands_in_the_bucket_and_plays_from_it(
    bucket: Any, case: Case, uploader: Any, client_as: Any, evidence_storage: Path
) -> None:
    data = payload(MP4_HEAD, 150_000, seed=5)
    response = uploader("officer", case, data, step="evidence_gathering")
    evidence = Evidence.objects.get(pk=response.json()["evidence_id"])
    obj = bucket.get_object(Bucket="zhifa-evidence", Key=f"zhifa/{evidence.storage_key}")
    assert obj["Body"].read() == data
    assert not (evidence_storage / "store").exists() and list((evidence_storage / "spool").iterdir()) == []
    played = client_as("officer").get(
        reverse("evidence:content", args=[evidence.pk]), headers={"Range": "bytes=10-19"}
    )
    assert played.status_code == 206 and b"".join(played.streaming_content) == data[10:20]


def test_an_unavailable_store_keeps_the_upload_open_for_a_retry(
    case: Case, client_as: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.evidence.conftest import put_chunk, start

    class Broken:
        def put(self, key: str, source: Path, size: int) -> bool:
            raise ConnectionError("bucket unreachable")

    client = client_as("officer")
    data = payload(MP4_HEAD, 5000)
    upload_id = start(client, case, data).json()["upload_id"]
    monkeypatch.setattr(storage, "get_store", lambda: Broken())
    failed = put_chunk(client, upload_id, data, 0, len(data))
    assert failed.status_code == 503 and failed.json()["code"] == "storage_unavailable"
    assert not Evidence.objects.exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = put_chunk(client, upload_id, data[-1000:], len(data) - 1000, len(data))
    assert retried.json()["status"] == "complete"
    assert Evidence.objects.get().sha256 == hashlib.sha256(data).hexdigest()
