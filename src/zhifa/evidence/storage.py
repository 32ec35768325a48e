"""Content-addressed, write-once storage for evidence files.

A file is stored under ``evidence/ab/cd/<sha256>``: the same bytes are the same object, stored
once; an object is never overwritten or deleted by the application. Two backends behind one small
interface (``EvidenceStore``):

* ``LocalStore`` (default): a directory, ``ZHIFA_EVIDENCE_ROOT`` (default ``MEDIA_ROOT``). A new
  object is hard-linked from the finished spool file (atomic, and ``link`` refuses to replace an
  existing name, like ``O_EXCL``), or copied through a temporary file when the spool directory is
  on another filesystem; objects are made read-only.
* ``S3Store``: any S3-compatible service through django-storages' ``S3Storage``, chosen with
  ``ZHIFA_EVIDENCE_STORAGE = "s3"``; it reads the usual ``AWS_*`` settings, and
  ``ZHIFA_EVIDENCE_S3_OPTIONS`` (a dict of ``S3Storage`` options) overrides them for evidence only.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File

READ_BLOCK = 1 << 20
_KEY = re.compile(r"^evidence/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")


def key_for(sha256: str) -> str:
    return f"evidence/{sha256[0:2]}/{sha256[2:4]}/{sha256}"


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not an evidence key: {key!r}")
    return key


class EvidenceStore(Protocol):
    def put(self, key: str, source: Path, size: int) -> bool:
        """Store ``source`` under ``key`` unless an object is there already; True when newly stored.
        ``source`` is left in place (the caller removes its spool file)."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def iter_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` (inclusive) of the object, in blocks of at most 1 MiB."""

    def local_path(self, key: str) -> Path | None:
        """The object's file, when it is one (lets the server use sendfile)."""


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / _checked(key)

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def put(self, key: str, source: Path, size: int) -> bool:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return self._existing(target, size)
        except OSError:  # another filesystem, or one without hard links: copy, then link the copy
            return self._copy_in(source, target, size)
        target.chmod(0o444)
        self._sync_dir(target.parent)
        return True

    def _existing(self, target: Path, size: int) -> bool:
        if target.stat().st_size != size:
            raise OSError(f"stored object {target} has the wrong size; refusing to touch it")
        return False

    def _copy_in(self, source: Path, target: Path, size: int) -> bool:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(source, "rb") as src, open(temp, "xb") as dst:
                shutil.copyfileobj(src, dst, READ_BLOCK)
                dst.flush()
                os.fsync(dst.fileno())
            temp.chmod(0o444)
            try:
                os.link(temp, target)
            except FileExistsError:
                return self._existing(target, size)
            self._sync_dir(target.parent)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    @staticmethod
    def _sync_dir(directory: Path) -> None:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def iter_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with open(self.path(key), "rb") as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                block = fh.read(min(READ_BLOCK, left))
                if not block:
                    return
                left -= len(block)
                yield block


class S3Store:
    """Objects in a bucket. Existence is checked before writing; since the key is the content's
    hash, two uploads racing on one key write identical bytes."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def _name(self, key: str) -> str:
        # The storage's own normalisation (its ``location`` prefix), as its save() applies it.
        return str(self.storage._normalize_name(_checked(key)))

    def local_path(self, key: str) -> Path | None:
        return None

    def exists(self, key: str) -> bool:
        return bool(self.storage.exists(_checked(key)))

    def size(self, key: str) -> int:
        return int(self.storage.size(_checked(key)))

    def put(self, key: str, source: Path, size: int) -> bool:
        if self.exists(key):
            if self.size(key) != size:
                raise OSError(f"stored object {key} has the wrong size; refusing to touch it")
            return False
        with open(source, "rb") as fh:  # streamed (multipart for large files), never read whole
            name = self.storage.save(key, File(fh, name=key))
        if name != key:
            raise ImproperlyConfigured("证据存储须按原名保存对象（AWS_S3_FILE_OVERWRITE 不能为 False）。")
        return True

    def iter_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        response = self.storage.bucket.Object(self._name(key)).get(Range=f"bytes={start}-{end}")
        body = response["Body"]
        try:
            yield from body.iter_chunks(READ_BLOCK)
        finally:
            body.close()


def store_root() -> Path:
    return Path(getattr(settings, "ZHIFA_EVIDENCE_ROOT", settings.MEDIA_ROOT))


def get_store() -> EvidenceStore:
    """The configured backend: ``ZHIFA_EVIDENCE_STORAGE`` = ``"local"`` (default) or ``"s3"``."""
    backend = getattr(settings, "ZHIFA_EVIDENCE_STORAGE", "local")
    if backend == "local":
        return LocalStore(store_root())
    if backend == "s3":
        from storages.backends.s3 import S3Storage

        options = {"file_overwrite": True, "default_acl": "private", "querystring_auth": True}
        options.update(getattr(settings, "ZHIFA_EVIDENCE_S3_OPTIONS", {}))
        return S3Store(S3Storage(**options))
    raise ImproperlyConfigured(f"ZHIFA_EVIDENCE_STORAGE 只能是 local 或 s3，当前为 {backend!r}")
