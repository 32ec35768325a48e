"""The canonical ZIP writer and its strict reader (no database).

What matters: the same names and contents always give the same bytes; the standard library and
Info-ZIP ``unzip`` read what we write (ZIP64 included); and ``first_difference`` finds every
single changed, added or removed byte of an archive, not only changes to member contents.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from zhifa.ledger import zipper

Entries = list[tuple[str, Callable[[], Iterable[bytes]]]]


def _entries(files: dict[str, bytes], chunk: int = 7) -> Entries:
    def source(data: bytes) -> Callable[[], Iterator[bytes]]:
        return lambda: (data[i : i + chunk] for i in range(0, len(data), chunk))

    return [(name, source(data)) for name, data in files.items()]


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    zipper.write_zip(out, _entries(files))
    return out.getvalue()


FILES = {
    "案卷/bagit.txt": b"BagIt-Version: 1.0\n",
    "案卷/data/证据/现场照片01.jpg": bytes(range(256)) * 3,
    "案卷/data/空文件.txt": b"",
    "案卷/data/询问笔录.pdf": "询问笔录：当事人陈述……".encode(),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "a.zip"
    path.write_bytes(_zip(FILES))
    return path


def test_same_input_gives_identical_bytes_whatever_the_chunking() -> None:
    first = _zip(FILES)
    out = io.BytesIO()
    zipper.write_zip(out, _entries(FILES, chunk=1000))
    assert first == _zip(FILES) == out.getvalue()


def test_stdlib_reads_every_member_with_fixed_metadata(archive: Path) -> None:
    with zipfile.ZipFile(archive) as z:
        assert z.testzip() is None
        assert [i.filename for i in z.infolist()] == list(FILES)
        for info in z.infolist():
            assert z.read(info) == FILES[info.filename]
            assert zlib.crc32(FILES[info.filename]) == info.CRC
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.flag_bits == 0x0800
            assert info.extra == b"" and info.comment == b""
            assert info.external_attr == 0o100644 << 16
        assert z.comment == b""


def test_read_entries_and_open_member(archive: Path) -> None:
    members = zipper.read_entries(archive)
    assert [m.name for m in members] == list(FILES)
    raw = archive.read_bytes()
    for m in members:
        assert m.size == len(FILES[m.name]) and m.crc == zlib.crc32(FILES[m.name])
        assert raw[m.offset : m.offset + m.size] == FILES[m.name]
        with zipper.open_member(archive, m) as fh:
            assert fh.read() == FILES[m.name]
        assert b"".join(zipper.iter_member(archive, m)) == FILES[m.name]


def test_output_need_not_be_seekable_and_each_source_is_read_twice() -> None:
    calls: list[str] = []
    written = bytearray()

    class Pipe:
        def write(self, data: bytes) -> int:
            written.extend(data)
            return len(data)

    def source(name: str) -> Callable[[], Iterable[bytes]]:
        def read() -> Iterable[bytes]:
            calls.append(name)
            return [name.encode()]

        return read

    zipper.write_zip(Pipe(), [("x", source("x")), ("y", source("y"))])  # type: ignore[arg-type]
    assert calls == ["x", "x", "y", "y"]
    assert bytes(written) == _zip({"x": b"x", "y": b"y"})


def test_a_source_that_changes_between_reads_is_refused() -> None:
    reads = iter([[b"first"], [b"other"]])
    with pytest.raises(zipper.ZipFormatError, match="changed"):
        zipper.write_zip(io.BytesIO(), [("a", lambda: next(reads))])


def test_unzip_accepts_the_archive(archive: Path) -> None:
    if shutil.which("unzip") is None:
        pytest.skip("Info-ZIP unzip is not installed")
    result = subprocess.run(["unzip", "-t", str(archive)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    assert result.returncode == 0, result.stdout + result.stderr


def test_zip64_records_on_small_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lowering the thresholds runs every ZIP64 path (sizes, offsets, entry count, end record)."""
    monkeypatch.setattr(zipper, "ZIP64_LIMIT", 40)
    monkeypatch.setattr(zipper, "ZIP64_COUNT_LIMIT", 3)
    files = {f"d/{i}.bin": bytes([i]) * (i * 13) for i in range(6)}
    data = _zip(files)
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    path = tmp_path / "z64.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {i.filename: z.read(i) for i in z.infolist()} == files
        assert any(i.file_size >= 40 and i.extra for i in z.infolist())
    assert [m.size for m in zipper.read_entries(path)] == [len(v) for v in files.values()]
    assert zipper.is_canonical(path)
    if shutil.which("unzip"):
        result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)  # noqa: S603, S607
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not os.environ.get("ZHIFA_BIG_ZIP64"), reason="writes 4 GiB; set ZHIFA_BIG_ZIP64=1")
def test_real_zip64_member_over_4_gib(tmp_path: Path) -> None:
    block = b"\0" * (1 << 24)
    size = zipper.ZIP64_LIMIT + 5

    def big() -> Iterator[bytes]:
        left = size
        while left:
            yield block[: min(left, len(block))]
            left -= min(left, len(block))

    path = tmp_path / "big.zip"
    with open(path, "wb") as out:
        zipper.write_zip(out, [("small", lambda: [b"s"]), ("big", big), ("after", lambda: [b"a"])])
    with zipfile.ZipFile(path) as z:
        assert [i.file_size for i in z.infolist()] == [1, size, 1]
        assert z.read("after") == b"a"
    assert zipper.is_canonical(path)


def test_every_single_byte_change_is_found(archive: Path) -> None:
    original = archive.read_bytes()
    rng = random.Random(8493)
    for offset in range(len(original)):
        mutated = bytearray(original)
        mutated[offset] ^= rng.randrange(1, 256)
        archive.write_bytes(mutated)
        assert zipper.first_difference(archive) is not None, offset


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b + b"\0",
        lambda b: b + b"PK\x05\x06" + b"\0" * 18,
        lambda b: b"\0" + b,
        lambda b: b[:-1],
        lambda b: b[:-22] + b[-22:-2] + struct.pack("<H", 3) + b"abc",  # an archive comment
    ],
    ids=["appended byte", "appended end record", "prepended byte", "truncated", "comment"],
)
def test_appended_prepended_truncated_or_commented_is_not_canonical(
    archive: Path, change: Callable[[bytes], bytes]
) -> None:
    assert zipper.is_canonical(archive)
    archive.write_bytes(change(archive.read_bytes()))
    assert not zipper.is_canonical(archive)


def test_same_content_rewritten_by_stdlib_is_not_canonical(tmp_path: Path) -> None:
    path = tmp_path / "std.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in FILES.items():
            z.writestr(name, data)
    assert zipper.first_difference(path) is not None


BAD_NAMES = ["", "/abs", "C:/x", "a\\b", "../x", "a/../b", "a/./b", "a//b", "dir/", "a\x00b", "a\nb", "a\rb"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_unsafe_names_are_refused_when_writing(name: str) -> None:
    with pytest.raises(zipper.ZipFormatError):
        zipper.write_zip(io.BytesIO(), [(name, lambda: [b"x"])])


@pytest.mark.parametrize("names", [["a", "a"], ["a", "a/b"], ["a/b", "a"]])
def test_duplicates_and_file_directory_clashes_are_refused(names: list[str]) -> None:
    with pytest.raises(zipper.ZipFormatError):
        zipper.write_zip(io.BytesIO(), [(n, lambda: [b"x"]) for n in names])


@pytest.mark.parametrize("names", [["../evil"], ["/etc/passwd"], ["a\\b"], ["a", "a"]])
def test_unsafe_or_duplicate_names_are_refused_when_reading(tmp_path: Path, names: list[str]) -> None:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stdlib warns about the duplicate, and writes it anyway
        for name in names:
            z.writestr(zipfile.ZipInfo(name), b"x")
    with pytest.raises(zipper.ZipFormatError):
        zipper.read_entries(path)
    assert not zipper.is_canonical(path)


def test_compressed_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "deflated.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", b"a" * 100)
    with pytest.raises(zipper.ZipFormatError, match="compressed"):
        zipper.read_entries(path)


def test_garbage_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "garbage.zip"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(zipper.ZipFormatError):
        zipper.read_entries(path)
    assert zipper.first_difference(path) == 0
