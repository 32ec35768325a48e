"""A deterministic, streaming ZIP writer and a strict reader for sealed case-file archives.

Why not ``zipfile`` for writing: a sealed archive must be *canonical* — the same member names
and contents always give the same bytes — so that anyone can check offline that not one byte
was changed, including bytes no member's content depends on (headers, the central directory,
trailing junk). Every entry is therefore STORED with fixed metadata: timestamp 1980-01-01 00:00,
the UTF-8 name flag (0x0800), Unix attributes 0o100644, no comments and no extra fields except
ZIP64 ones, which are used by one fixed rule (see ``ZIP64_LIMIT``). Data is written once, in
order, never seeking back, so the output may be a pipe: each source is read twice, first for
its CRC-32 and size (which the local header needs), then to copy it; memory stays flat however
large the file. ``first_difference`` regenerates that canonical stream from an archive's own
names and contents and compares it with the archive's bytes as it goes.

Only the standard library is used, so an offline verifier can ship this file alone.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Source = Callable[[], Iterable[bytes]]
Entry = tuple[str, Source]

ZIP64_LIMIT = 0xFFFFFFFF  # a size or offset >= this goes in a ZIP64 field (tests lower it)
ZIP64_COUNT_LIMIT = 0xFFFF  # an entry count >= this needs the ZIP64 end record
CHUNK = 1 << 20

_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_UTF8_FLAG = 0x0800
_MADE_BY_UNIX = 3 << 8
_EXTERNAL_ATTR = 0o100644 << 16
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ZipFormatError(ValueError):
    """The archive (or a name for it) is not one this module writes or will accept."""


@dataclass(frozen=True)
class ZipMember:
    """One stored member: ``offset`` is where its data starts in the archive file."""

    name: str
    size: int
    crc: int
    offset: int


def check_name(name: str) -> None:
    """Refuse names that could escape or confuse an extraction directory.

    Absolute paths, drive letters, backslashes, control characters (``unzip`` silently drops a
    newline from a name, so the extracted file would no longer match its manifest line), empty,
    ``.`` and ``..`` components (so no trailing ``/``: directories are implied, never stored).
    """
    if not name or name.startswith("/") or _DRIVE.match(name):
        raise ZipFormatError(f"absolute or empty member name: {name!r}")
    if "\\" in name or _CONTROL.search(name):
        raise ZipFormatError(f"backslash or control character in member name: {name!r}")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise ZipFormatError(f"empty, '.' or '..' component in member name: {name!r}")
    if len(name.encode("utf-8")) > 0xFFFF:
        raise ZipFormatError(f"member name too long: {name[:40]!r}…")


class _NameSet:
    """Names seen so far; refuses duplicates and a name that is also another name's directory."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.dirs: set[str] = set()

    def add(self, name: str) -> None:
        check_name(name)
        if name in self.files or name in self.dirs:
            raise ZipFormatError(f"duplicate member name (or file and directory at once): {name!r}")
        parents = {name[:i] for i, ch in enumerate(name) if ch == "/"}
        if parents & self.files:
            raise ZipFormatError(f"member {name!r} lies under another member that is a file")
        self.files.add(name)
        self.dirs |= parents


def _scan(source: Source) -> tuple[int, int]:
    """CRC-32 and size of one pass over ``source``."""
    crc = size = 0
    for chunk in _chunks(source):
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
    return crc, size


def _chunks(source: Source) -> Iterator[bytes]:
    iterator = iter(source())
    try:
        yield from iterator
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _write_zip(write: Callable[[bytes], object], entries: Iterable[Entry]) -> int:
    """The writer proper, on a bare ``write`` callable; returns the number of bytes written."""
    names = _NameSet()
    central: list[bytes] = []
    offset = 0

    def emit(data: bytes) -> None:
        nonlocal offset
        write(data)
        offset += len(data)

    for name, source in entries:
        names.add(name)
        raw = name.encode("utf-8")
        crc, size = _scan(source)
        big_size, big_offset = size >= ZIP64_LIMIT, offset >= ZIP64_LIMIT
        version = 45 if big_size or big_offset else 20
        stored = 0xFFFFFFFF if big_size else size
        local_extra = struct.pack("<HHQQ", 1, 16, size, size) if big_size else b""
        fields = ([size, size] if big_size else []) + ([offset] if big_offset else [])
        central_extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
        central_header = _CENTRAL.pack(
            0x02014B50, _MADE_BY_UNIX | version, version, _UTF8_FLAG, 0, _DOS_TIME, _DOS_DATE,
            crc, stored, stored, len(raw), len(central_extra), 0, 0, 0, _EXTERNAL_ATTR,
            0xFFFFFFFF if big_offset else offset,
        )  # fmt: skip
        central.append(central_header + raw + central_extra)
        local_header = _LOCAL.pack(
            0x04034B50, version, _UTF8_FLAG, 0, _DOS_TIME, _DOS_DATE, crc, stored, stored,
            len(raw), len(local_extra),
        )  # fmt: skip
        emit(local_header + raw + local_extra)
        crc2 = written = 0
        for chunk in _chunks(source):
            emit(chunk)
            crc2 = zlib.crc32(chunk, crc2)
            written += len(chunk)
        if (crc2, written) != (crc, size):
            raise ZipFormatError(f"source of {name!r} changed between its two reads")

    cd_offset = offset
    for record in central:
        emit(record)
    count, cd_size = len(central), offset - cd_offset
    if count >= ZIP64_COUNT_LIMIT or cd_size >= ZIP64_LIMIT or cd_offset >= ZIP64_LIMIT:
        end64 = offset
        emit(_END64.pack(0x06064B50, 44, _MADE_BY_UNIX | 45, 45, 0, 0, count, count, cd_size, cd_offset))
        emit(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
    short_count = 0xFFFF if count >= ZIP64_COUNT_LIMIT else count
    end = _END.pack(
        0x06054B50, 0, 0, short_count, short_count,
        0xFFFFFFFF if cd_size >= ZIP64_LIMIT else cd_size,
        0xFFFFFFFF if cd_offset >= ZIP64_LIMIT else cd_offset, 0,
    )  # fmt: skip
    emit(end)
    return offset


def write_zip(out: BinaryIO, entries: Iterable[tuple[str, Callable[[], Iterable[bytes]]]]) -> None:
    """Write the canonical ZIP of ``entries`` (name, callable giving the content's chunks) to ``out``.

    Each callable is called twice and must give the same bytes both times (checked). ``entries``
    is consumed lazily: the next entry is drawn only once the previous one is fully written, so
    a later entry may depend on what was learned writing earlier ones (bagit's manifests do).
    ``out`` is only ever appended to; it need not be seekable.
    """
    _write_zip(out.write, entries)


def read_entries(path: str | os.PathLike[str]) -> list[ZipMember]:
    """The members of an archive, in central-directory order, refusing anything not STORED,
    encrypted, unsafely or doubly named, or whose data would lie outside the file."""
    file_size = os.path.getsize(path)  # a missing file is an OSError, not a format problem
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except Exception as exc:  # a hostile archive can make zipfile raise almost anything
        raise ZipFormatError(f"not a readable ZIP archive: {exc!r}") from exc
    members: list[ZipMember] = []
    names = _NameSet()
    with open(path, "rb") as fh:
        for info in infos:
            if not 0 <= info.header_offset < file_size:
                raise ZipFormatError(f"local header of {info.filename!r} lies outside the archive")
            names.add(info.filename)
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise ZipFormatError(f"member {info.filename!r} is compressed or encrypted")
            fh.seek(info.header_offset)
            header = fh.read(_LOCAL.size)
            if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
                raise ZipFormatError(f"no local header for member {info.filename!r}")
            fields = _LOCAL.unpack(header)
            start = info.header_offset + _LOCAL.size + fields[9] + fields[10]
            if start + info.file_size > file_size:
                raise ZipFormatError(f"member {info.filename!r} runs past the end of the archive")
            members.append(ZipMember(info.filename, info.file_size, info.CRC, start))
    return members


class _Slice(io.RawIOBase):
    """``length`` bytes of a file from ``start``: a member's raw stored data."""

    def __init__(self, path: str | os.PathLike[str], start: int, length: int) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._fh.seek(start)
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer)
        n = min(len(view), self._left)
        got = self._fh.readinto(view[:n]) if n else 0
        self._left -= got
        return got

    def close(self) -> None:
        self._fh.close()
        super().close()


def open_member(path: str | os.PathLike[str], member: ZipMember) -> BinaryIO:
    """A binary reader over a member's stored bytes (no CRC check: ``first_difference`` does that)."""
    return io.BufferedReader(_Slice(path, member.offset, member.size), CHUNK)


def iter_member(path: str | os.PathLike[str], member: ZipMember) -> Iterator[bytes]:
    """A member's content in chunks of at most ``CHUNK`` bytes."""
    with open_member(path, member) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class _Differs(Exception):
    pass


def first_difference(path: str | os.PathLike[str]) -> int | None:
    """The first byte offset at which the archive differs from the canonical archive of its own
    member names and contents, or None when it is canonical (0 when it cannot even be read).

    The canonical stream is regenerated and compared chunk by chunk against the file, so a
    changed header byte, name, CRC, central-directory field or any byte appended or cut off is
    found, not only changes to a member's content. Nothing is held whole in memory.
    """
    try:
        members = read_entries(path)
    except ZipFormatError:
        return 0
    position = 0
    with open(path, "rb") as fh:

        def compare(data: bytes) -> None:
            nonlocal position
            actual = fh.read(len(data))
            if actual != data:
                at = next((i for i, (a, b) in enumerate(zip(actual, data, strict=False)) if a != b), None)
                position += len(actual) if at is None else at
                raise _Differs
            position += len(data)

        def entry(member: ZipMember) -> Entry:
            return member.name, lambda: iter_member(path, member)

        try:
            _write_zip(compare, (entry(m) for m in members))
        except _Differs:
            return position
        except ZipFormatError:  # e.g. a name the writer refuses
            return 0
        return position if fh.read(1) else None


def is_canonical(path: str | os.PathLike[str]) -> bool:
    """True when the archive is byte for byte what ``write_zip`` makes of its names and contents."""
    return first_difference(path) is None
