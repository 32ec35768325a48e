"""Spool files of uploads in progress: one file per session, appended chunk by chunk.

A chunk is written under an exclusive ``flock`` on the session's spool file, so two requests for
one session (two threads, two worker processes) never interleave; the lock is per session, never
a database lock held while bytes cross the network. The database row (``received_bytes``) is the
truth: a file longer than it (a chunk cut off mid-write, a crash before the row was updated) is
cut back to it before the next chunk, and a file shorter than it (lost on a crash) lowers it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from zhifa.core.errors import Conflict, InvalidInput
from zhifa.evidence.hashing import BLOCK, StreamHasher


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def spool_dir() -> Path:
    configured = getattr(settings, "ZHIFA_EVIDENCE_SPOOL_DIR", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "evidence-spool"


def spool_path(name: str) -> Path:
    return spool_dir() / name


def create(name: str) -> Path:
    path = spool_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return path


def remove(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        spool_path(name).unlink()


@contextlib.contextmanager
def locked(name: str, *, wait: bool = False, writable: bool = True) -> Iterator[BinaryIO]:
    """The session's spool file, open and exclusively locked. Without ``wait``, a lock held by
    another request is refused (the client retries) rather than queued. Once complete, the file
    may share its inode with the stored object (a hard link): it is then only ever read."""
    path = spool_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, (os.O_RDWR if writable else os.O_RDONLY) | os.O_CREAT, 0o600)
    except PermissionError:  # a complete file already linked into read-only storage
        fd, writable = os.open(path, os.O_RDONLY), False
    handle = os.fdopen(fd, "r+b" if writable else "rb")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise Conflict("该上传的另一个分片正在写入，请稍后重试。", code="upload_busy") from exc
            raise
        yield handle
    finally:
        handle.close()  # closing releases the lock


def settle(handle: BinaryIO, received: int) -> int:
    """Make the file exactly the recorded length (or shorter, if bytes were lost); the offset."""
    size = os.fstat(handle.fileno()).st_size
    if size > received:
        handle.truncate(received)
        return received
    return size


def append(
    handle: BinaryIO,
    stream: Readable,
    *,
    offset: int,
    skip: int,
    length: int,
    hasher: StreamHasher | None,
) -> int:
    """Read ``length`` bytes of the request body in 1 MiB blocks, drop the first ``skip`` (already
    received), write the rest at ``offset`` and feed them to ``hasher``. Memory stays at one
    block. A body that ends early leaves the file as it was and raises ``InvalidInput``."""
    handle.seek(offset)
    left = length
    position = offset
    try:
        while left > 0:
            block = stream.read(min(BLOCK, left))
            if not block:
                raise InvalidInput(
                    f"分片不完整：应为 {length} 字节，只收到 {length - left} 字节，请从断点续传。",
                    code="incomplete_chunk",
                    details={"offset": offset},
                )
            left -= len(block)
            if skip:
                dropped = min(skip, len(block))
                block, skip = block[dropped:], skip - dropped
                if not block:
                    continue
            handle.write(block)
            if hasher is not None:
                hasher.update(block)
            position += len(block)
        handle.flush()
    except BaseException:
        handle.truncate(offset)
        raise
    return position


def drain(stream: Readable, length: int) -> None:
    """Read and discard a chunk already received (a repeated chunk), so the connection stays usable."""
    left = length
    while left > 0:
        block = stream.read(min(BLOCK, left))
        if not block:
            return
        left -= len(block)


def read_head(handle: BinaryIO, size: int) -> bytes:
    return os.pread(handle.fileno(), size, 0)


def orphans(known: set[str]) -> Iterator[Path]:
    """Spool files that belong to no open session."""
    directory = spool_dir()
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.is_file() and path.name not in known:
            yield path
