"""Every write to evidence: chunked uploads that become write-once ``Evidence`` rows.

An upload is a session: ``start_upload`` checks who, what and where, and opens a spool file;
``receive_chunk`` appends bytes at the expected offset, hashing them as they pass; the chunk that
completes the file checks its type from the bytes, puts it into content-addressed storage, and
creates the ``Evidence`` row and its ``evidence_added`` record event in one transaction. Until
then nothing is recorded: an aborted or abandoned session leaves no evidence and no event, and
``abort_upload`` / ``cleanup_uploads`` remove its spool file.

Side effects: spool files (``ZHIFA_EVIDENCE_SPOOL_DIR``) and stored objects (``storage``).
Device register writes are in ``zhifa.evidence.devices``.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.catalog.models import CaseStep
from zhifa.core.errors import Conflict, DomainError, InvalidInput, NotPermitted
from zhifa.evidence import permissions, spool, storage
from zhifa.evidence.hashing import HASHERS, StreamHasher, catch_up
from zhifa.evidence.models import AV_KINDS, Device, Evidence, EvidenceKind, UploadSession, UploadStatus
from zhifa.evidence.sniffing import HEAD_BYTES, Sniffed, UnsupportedType, sniff
from zhifa.org import permissions as org_permissions
from zhifa.org.models import Person
from zhifa.records.models import EventType
from zhifa.records.services import append_event

logger = logging.getLogger(__name__)

SEALED_STATES = frozenset({"archived"})
SEALED_MESSAGE = "案件已归档，案卷已封存，不能再添加证据或音像记录。"


def max_upload_bytes() -> int:
    return int(getattr(settings, "ZHIFA_EVIDENCE_MAX_BYTES", 8 * 1024**3))


def chunk_bytes() -> int:
    return int(getattr(settings, "ZHIFA_EVIDENCE_CHUNK_BYTES", 8 * 1024**2))


class ChunkTooLarge(DomainError):
    code = "chunk_too_large"
    status = 413


class StorageUnavailable(DomainError):
    """The evidence store refused or failed; the upload stays open and the last chunk can be resent."""

    code = "storage_unavailable"
    status = 503


@dataclass(frozen=True)
class ContentRange:
    start: int
    end: int  # inclusive
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+)\s*$")


def parse_content_range(value: str | None) -> ContentRange:
    match = _RANGE.match(value or "")
    if not match:
        raise InvalidInput(
            "缺少或无法识别 Content-Range 请求头，应为 “bytes 起始-结束/总大小”。", code="bad_content_range"
        )
    start, end, total = (int(g) for g in match.groups())
    if start > end or end >= total:
        raise InvalidInput("Content-Range 的范围不合法。", code="bad_content_range")
    return ContentRange(start, end, total)


def _check_not_sealed(case: Case) -> None:
    if case.state in SEALED_STATES:
        raise Conflict(SEALED_MESSAGE, code="case_sealed")


def _require_upload(actor: Any, case: Case) -> None:
    if not permissions.can_upload(actor, case):
        raise NotPermitted("只有本案承办人员（未回避）或承办单位负责人、局领导可以上传证据。")


@transaction.atomic
def start_upload(
    *,
    actor: Any,
    case: Case,
    filename: str,
    size: int,
    kind: str,
    captured_at: datetime.datetime,
    step: str = "",
    device_serial: str = "",
    officer: Person | None = None,
    place: str = "",
    description: str = "",
    chunk_size: int | None = None,
) -> UploadSession:
    """Open an upload session and its empty spool file. Records nothing yet."""
    _require_upload(actor, case)
    _check_not_sealed(case)
    errors: dict[str, list[str]] = {}
    filename = os.path.basename((filename or "").replace("\\", "/")).strip()[:255]
    if not filename:
        errors["filename"] = ["请提供原文件名。"]
    limit = max_upload_bytes()
    if size < 1:
        errors["size"] = ["文件为空。"]
    elif size > limit:
        errors["size"] = [f"文件超过上限 {limit / 1024**3:.1f} GB。"]
    if kind not in EvidenceKind.values:
        errors["kind"] = ["请选择证据类别。"]
    if step and step not in CaseStep.values:
        errors["step"] = ["未知的执法环节。"]
    if kind in AV_KINDS and not place.strip():
        errors["place"] = ["音像记录须填写采集地点。"]
    if timezone.is_naive(captured_at):
        captured_at = timezone.make_aware(captured_at)
    if captured_at > timezone.now() + datetime.timedelta(minutes=10):
        errors["captured_at"] = ["采集时间不能晚于现在。"]
    device = None
    if device_serial.strip():
        device = Device.objects.select_related("unit").filter(serial_number=device_serial.strip()).first()
        if device is None or device.unit.body_id != case.body_id:
            errors["device_serial"] = [f"执法记录仪登记册中没有编号为“{device_serial.strip()}”的设备。"]
    officer = officer or org_permissions.person_of(actor)
    if officer is None:
        errors["officer"] = ["请指定采集人。"]
    elif officer.body_id != case.body_id:
        errors["officer"] = [f"{officer.name}不属于本案的执法主体。"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, details=errors)
    assert officer is not None
    server_chunk = chunk_bytes()
    session = UploadSession(
        case=case,
        uploader=actor,
        filename=filename,
        declared_size=size,
        chunk_size=max(64 * 1024, min(chunk_size or server_chunk, server_chunk)),
        kind=kind,
        step=step,
        device=device,
        officer=officer,
        captured_at=captured_at,
        place=place.strip(),
        description=description.strip(),
    )
    session.spool_name = f"{session.pk}.part"
    session.save(force_insert=True)
    spool.create(session.spool_name)
    return session


def _require_writer(actor: Any, session: UploadSession) -> None:
    """Chunks come from the person who opened the upload, while they may still upload to the case."""
    if getattr(actor, "pk", None) != session.uploader_id:
        raise NotPermitted("只有发起该上传的人可以继续上传。")
    _require_upload(actor, session.case)


def _require_canceller(actor: Any, session: UploadSession) -> None:
    if getattr(actor, "pk", None) != session.uploader_id and not permissions.can_upload(actor, session.case):
        raise NotPermitted("只有上传人或本案承办人员、负责人可以取消该上传。")


def receive_chunk(
    *,
    actor: Any,
    session: UploadSession,
    content_range: str | None,
    body: spool.Readable,
    content_length: int | None = None,
) -> UploadSession:
    """Append one chunk (``Content-Range: bytes start-end/total``) read from ``body`` as a stream.

    Only the expected offset is written: a chunk already received is acknowledged again, a chunk
    past the offset is refused (``upload_gap``, 409, with the offset to resume from). The chunk
    that completes the file finalises the upload (see module docstring). Not one transaction on
    purpose: no database lock is held while bytes arrive."""
    rng = parse_content_range(content_range)
    session = UploadSession.objects.select_related("case").get(pk=session.pk)
    _require_writer(actor, session)
    if session.status == UploadStatus.COMPLETE:
        spool.drain(body, rng.length)
        return session
    if session.status == UploadStatus.ABORTED:
        raise Conflict(f"该上传已中止（{session.failure or '已取消'}），请重新上传。", code="upload_aborted")
    if rng.total != session.declared_size:
        raise InvalidInput(
            f"Content-Range 中的总大小 {rng.total} 与登记的文件大小 {session.declared_size} 不符。",
            code="size_mismatch",
        )
    if content_length is not None and content_length != rng.length:
        raise InvalidInput("请求体长度与 Content-Range 不符。", code="bad_content_range")
    if rng.length > session.chunk_size:
        raise ChunkTooLarge(
            f"分片不能超过 {session.chunk_size} 字节。", details={"chunk_size": session.chunk_size}
        )
    # A complete spool file may already be linked into (read-only) storage: open it read-only.
    writable = session.received_bytes < session.declared_size
    with spool.locked(session.spool_name, writable=writable) as handle:
        session.refresh_from_db()
        if session.status == UploadStatus.COMPLETE:  # finished by a concurrent request
            spool.remove(session.spool_name)
            spool.drain(body, rng.length)
            return session
        if session.status != UploadStatus.OPEN:
            spool.remove(session.spool_name)
            raise Conflict(f"该上传已中止（{session.failure}），请重新上传。", code="upload_aborted")
        offset = spool.settle(handle, session.received_bytes)
        if offset != session.received_bytes:  # bytes lost (a crash): hashers of the old bytes are void
            session.rewinds += 1
            session.received_bytes = offset
            session.save(update_fields=["received_bytes", "rewinds", "updated_at"])
        key = _hasher_key(session)
        if rng.start > offset:
            raise Conflict(
                f"分片不连续：服务器已接收 {offset} 字节，请从该位置续传。",
                code="upload_gap",
                details={"offset": offset},
            )
        if rng.end < offset:
            spool.drain(body, rng.length)
        else:
            hasher = _hasher_at(key, handle, offset)
            received = spool.append(
                handle, body, offset=offset, skip=offset - rng.start, length=rng.length, hasher=hasher
            )
            _set_received(session, received)
            if hasher is not None:
                HASHERS.put(key, hasher)
            if offset < HEAD_BYTES <= received or received == session.declared_size:
                _sniff_or_abort(session, handle)
        if session.received_bytes == session.declared_size:
            _finalise(actor=actor, session=session, handle=handle)
    return session


def _hasher_key(session: UploadSession) -> str:
    return f"{session.pk}/{session.rewinds}"


def _hasher_at(key: str, handle: Any, offset: int) -> StreamHasher | None:
    """This process's hasher for the session, brought up to ``offset`` (see ``hashing``)."""
    hasher = HASHERS.take(key)
    if hasher is None:
        return StreamHasher() if offset == 0 else None
    if hasher.offset > offset:  # the file was cut back after a failure: start again at finalisation
        return None
    return catch_up(hasher, handle.fileno(), offset)


def _set_received(session: UploadSession, received: int) -> None:
    session.received_bytes = received
    session.save(update_fields=["received_bytes", "updated_at"])


def _sniff_or_abort(session: UploadSession, handle: Any) -> Sniffed:
    try:
        found = sniff(spool.read_head(handle, HEAD_BYTES))
        kind = _resolve_kind(session.kind, found)
    except DomainError as exc:
        _abort(session, exc.message)
        raise
    if session.media_type != found.media_type:
        session.media_type = found.media_type
        session.save(update_fields=["media_type", "updated_at"])
    return found._replace(family=kind)


def _resolve_kind(declared: str, found: Sniffed) -> str:
    """Photo/audio/video must be what the bytes say; a document or other may be any accepted type."""
    if declared in AV_KINDS and found.family != declared:
        raise UnsupportedType(
            f"文件内容是{found.label}，与所选类别“{EvidenceKind(declared).label}”不符。",
            details={"kind": [f"文件内容是{found.label}。"]},
        )
    return declared


def _abort(session: UploadSession, reason: str) -> None:
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.status == UploadStatus.OPEN:
            locked.status = UploadStatus.ABORTED
            locked.failure = reason[:300]
            locked.save(update_fields=["status", "failure", "updated_at"])
        session.status, session.failure = locked.status, locked.failure
    spool.remove(session.spool_name)
    HASHERS.drop(_hasher_key(session))


def _finalise(*, actor: Any, session: UploadSession, handle: Any) -> Evidence:
    key = _hasher_key(session)
    found = _sniff_or_abort(session, handle)
    hasher = HASHERS.take(key) or StreamHasher()
    digests = catch_up(hasher, handle.fileno(), session.declared_size).digests()
    handle.flush()
    os.fsync(handle.fileno())
    object_key = storage.key_for(digests.sha256)
    # Stored before the transaction (a multi-GB copy must not hold the database); the object is
    # content-addressed, so one left behind by a failed transaction is simply reused later.
    try:
        storage.get_store().put(object_key, spool.spool_path(session.spool_name), session.declared_size)
    except Exception as exc:
        logger.exception("evidence store failed for upload %s", session.pk)
        raise StorageUnavailable("证据存储暂时不可用，请稍后重新提交最后一个分片。") from exc
    try:
        with transaction.atomic():
            locked = UploadSession.objects.select_for_update().get(pk=session.pk)
            if locked.status != UploadStatus.OPEN:
                raise Conflict("该上传已中止，未登记为证据。", code="upload_aborted")
            case = Case.objects.select_for_update().get(pk=session.case_id)
            _check_not_sealed(case)
            evidence = _create_evidence(actor, locked, case, found, digests.sha256, digests.sm3, object_key)
            locked.status = UploadStatus.COMPLETE
            locked.media_type = found.media_type
            locked.save(update_fields=["status", "media_type", "updated_at"])
            transaction.on_commit(lambda: spool.remove(session.spool_name))
    except Conflict as exc:
        if exc.code == "case_sealed":
            _abort(session, exc.message)
        raise
    session.status = UploadStatus.COMPLETE
    HASHERS.drop(key)
    return evidence


def _create_evidence(
    actor: Any, session: UploadSession, case: Case, found: Sniffed, sha256: str, sm3: str, object_key: str
) -> Evidence:
    evidence = Evidence.objects.create(
        case=case,
        session=session,
        kind=found.family,
        media_type=found.media_type,
        original_filename=session.filename,
        size=session.declared_size,
        sha256=sha256,
        sm3=sm3,
        storage_key=object_key,
        step=session.step,
        is_av=found.family in AV_KINDS,
        device=session.device,
        officer=session.officer,
        captured_at=session.captured_at,
        place=session.place,
        description=session.description,
        uploaded_by=actor,
    )
    append_event(
        actor=actor,
        event_type=EventType.EVIDENCE_ADDED,
        case=case,
        step=session.step,
        after={
            "evidence_id": evidence.pk,
            "is_av": evidence.is_av,
            "kind": evidence.kind,
            "media_type": evidence.media_type,
            "filename": evidence.original_filename,
            "sha256": sha256,
            "sm3": sm3,
            "size": evidence.size,
            "device": session.device.serial_number if session.device else None,
            "officer": session.officer.name,
            "captured_at": timezone.localtime(session.captured_at).isoformat(),
            "place": session.place,
        },
        reason=session.description,
    )
    return evidence


def abort_upload(*, actor: Any, session: UploadSession, reason: str = "") -> UploadSession:
    """Cancel an unfinished upload: its spool file is removed; nothing was recorded, nothing is."""
    session = UploadSession.objects.select_related("case").get(pk=session.pk)
    _require_canceller(actor, session)
    if session.status == UploadStatus.COMPLETE:
        raise Conflict("该上传已完成并登记为证据，不能中止；证据只能更正，不能删除。", code="upload_complete")
    if session.status == UploadStatus.OPEN:
        with spool.locked(session.spool_name, wait=True, writable=False):
            session.refresh_from_db()
            if session.status == UploadStatus.COMPLETE:
                raise Conflict("该上传已完成并登记为证据，不能中止。", code="upload_complete")
            _abort(session, reason.strip() or "上传人取消")
    return session


@dataclass(frozen=True)
class CleanupReport:
    aborted: int
    removed_files: int


def cleanup_uploads(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> CleanupReport:
    """Abort sessions idle for longer than ``older_than`` and remove spool files no open session
    owns (left by a crash). A session busy with a chunk right now is left alone."""
    cutoff = (now or timezone.now()) - older_than
    aborted = 0
    for session in UploadSession.objects.filter(status=UploadStatus.OPEN, updated_at__lt=cutoff):
        try:
            with spool.locked(session.spool_name, writable=False):
                session.refresh_from_db()
                if session.status == UploadStatus.OPEN and session.updated_at < cutoff:
                    _abort(session, "超时未完成，已清理")
                    aborted += 1
        except Conflict:
            continue
    open_names = set(
        UploadSession.objects.filter(status=UploadStatus.OPEN).values_list("spool_name", flat=True)
    )
    removed = 0
    for path in spool.orphans(open_names):
        if datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return CleanupReport(aborted=aborted, removed_files=removed)
