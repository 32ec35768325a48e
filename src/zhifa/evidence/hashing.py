"""SHA-256 and SM3 of an upload, computed while it streams in.

Both digests are taken in one pass. OpenSSL releases the GIL for buffers over 2 KiB, so for a
large block SHA-256 runs in a helper thread while SM3 (about five times slower) runs in the
caller's: the pass costs about as much as SM3 alone instead of the sum of both. The helper may lag
one block behind, so a helper thread that is scheduled late does not stall the caller; blocks fed
to ``update`` must therefore not be changed afterwards (``bytes`` from a request never are).

Resumption (a chunk arrives at another worker process, or after a restart): ``hashlib`` objects
cannot be persisted, so each process keeps the hashers of the sessions it is serving in a small
in-memory cache (``HASHERS``), keyed by session id, with the offset they have reached. A process
that sees a session's next chunk without a hasher at the right offset hashes only what it lacks
from the spool file (``catch_up``); the final chunk catches up whatever is left. Each byte is thus
hashed once per process that serves the session, never once per chunk, and a process that serves
the whole upload (the usual case) hashes it exactly once, incrementally. The cache key carries
the session's ``rewinds`` count, bumped when received bytes are lost and sent again, so a hasher
never vouches for bytes that were replaced.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

BLOCK = 1 << 20
# Below this, handing the block to a thread costs more than it saves.
_PARALLEL_MIN = 64 * 1024

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="evidence-hash")
    return _pool


class Digests(NamedTuple):
    sha256: str
    sm3: str


class StreamHasher:
    """SHA-256 and SM3 of one byte stream, fed in order; ``offset`` counts the bytes fed."""

    __slots__ = ("_pending", "_sha256", "_sm3", "offset")

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._sm3 = hashlib.new("sm3")
        self._pending: Future[None] | None = None
        self.offset = 0

    def _settle(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def update(self, data: bytes) -> None:
        """Feed ``data`` (immutable: the SHA-256 helper may still be reading it after this returns)."""
        self._settle()  # the previous block's SHA-256, so the helper's updates stay in order
        if len(data) >= _PARALLEL_MIN:
            self._pending = _executor().submit(self._sha256.update, data)
        else:
            self._sha256.update(data)
        self._sm3.update(data)
        self.offset += len(data)

    def digests(self) -> Digests:
        self._settle()
        return Digests(self._sha256.hexdigest(), self._sm3.hexdigest())


def catch_up(hasher: StreamHasher, fd: int, upto: int, *, block: int = BLOCK) -> StreamHasher:
    """Feed the bytes of the open file ``fd`` from ``hasher.offset`` up to ``upto``, a block at a
    time: memory stays at two blocks (one being hashed, one read) however large the file."""
    while hasher.offset < upto:
        data = os.pread(fd, min(block, upto - hasher.offset), hasher.offset)
        if not data:
            raise OSError(f"spool file ended at {hasher.offset}, expected {upto} bytes")
        hasher.update(data)
    return hasher


def hash_file(path: str | os.PathLike[str], *, block: int = BLOCK) -> Digests:
    """Both digests of a whole file, the way the upload path computes them (also the benchmark's)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        return catch_up(StreamHasher(), fd, size, block=block).digests()
    finally:
        os.close(fd)


class HasherCache:
    """The hashers of sessions this process is serving. A chunk takes its session's hasher out
    (so no two threads share one) and puts it back once the chunk is written; a failed chunk
    simply does not put it back. Bounded: abandoned sessions fall out, oldest first."""

    def __init__(self, limit: int = 64) -> None:
        self._items: OrderedDict[str, StreamHasher] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def take(self, key: str) -> StreamHasher | None:
        with self._lock:
            return self._items.pop(key, None)

    def put(self, key: str, hasher: StreamHasher) -> None:
        with self._lock:
            self._items[key] = hasher
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


HASHERS = HasherCache()
