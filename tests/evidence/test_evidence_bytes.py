"""Type detection from the bytes, and the streaming SHA-256 + SM3 pass."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from zhifa.evidence.hashing import HasherCache, StreamHasher, catch_up, hash_file
from zhifa.evidence.sniffing import UnsupportedType, player_for, sniff

PAD = bytes(range(256)) * 2


@pytest.mark.parametrize(
    ("head", "media_type", "family"),
    [
        (b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", "image/jpeg", "photo"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "photo"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic", "photo"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf", "image/heic", "photo"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video/mp4", "video"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "video/quicktime", "video"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "video/quicktime", "video"),
        (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", "video/3gpp", "video"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42", "audio/mp4", "audio"),
        (b"RIFF\x24\x00\x10\x00AVI LIST", "video/x-msvideo", "video"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav", "audio"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x23", "audio/mpeg", "audio"),
        (b"\xff\xfb\x90\x64\x00\x00", "audio/mpeg", "audio"),
        (b"\xff\xf1\x50\x80\x02\x1f\xfc", "audio/aac", "audio"),
        (b"#!AMR\n\x3c", "audio/amr", "audio"),
        (b"#!AMR-WB\n", "audio/amr-wb", "audio"),
        (b"OggS\x00\x02", "audio/ogg", "audio"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "video/webm", "video"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/pdf", "document"),
        ((b"\x47" + b"\x00" * 187) * 3, "video/mp2t", "video"),
    ],
)
def test_known_types_are_recognised_by_their_magic_bytes(head: bytes, media_type: str, family: str) -> None:
    found = sniff(head + PAD)
    assert (found.media_type, found.family) == (media_type, family)


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"MZ\x90\x00\x03\x00", "可执行程序"),
        (b"\x7fELF\x02\x01\x01", "可执行程序"),
        (b"\xcf\xfa\xed\xfe\x07\x00", "可执行程序"),
        (b"#!/bin/sh\nrm -rf /\n", "脚本"),
        (b"PK\x03\x04\x14\x00", "不支持的文件类型"),
        (b"<html><body>", "不支持的文件类型"),
        (b"", "不支持的文件类型"),
        (b"\xff\xfe\x00\x00", "不支持的文件类型"),
    ],
)
def test_executables_and_unknown_bytes_are_refused(head: bytes, message: str) -> None:
    with pytest.raises(UnsupportedType, match=message):
        sniff(head + (PAD if head else b""))


def test_browsers_get_players_only_for_what_they_play() -> None:
    assert player_for("video/mp4") == "video" and player_for("image/jpeg") == "img"
    assert player_for("audio/amr") == "" and player_for("application/pdf") == ""


@pytest.mark.parametrize("size", [0, 1, 2047, 65_535, 65_536, 3 * 1024 * 1024 + 17])
def test_streaming_hash_equals_hashlib_over_the_whole(size: int) -> None:
    rng = random.Random(size)
    data = rng.randbytes(size)
    hasher = StreamHasher()
    position = 0
    while position < size:
        step = rng.choice([1, 100, 4096, 70_000, 1 << 20])
        hasher.update(data[position : position + step])
        position += step
    assert hasher.offset == size
    assert hasher.digests() == (hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest())


def test_catch_up_and_hash_file_read_the_file_in_blocks(tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024 + 5)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert hash_file(path, block=65536) == (
        hashlib.sha256(data).hexdigest(),
        hashlib.new("sm3", data).hexdigest(),
    )
    hasher = StreamHasher()
    hasher.update(data[:1000])
    fd = os.open(path, os.O_RDONLY)
    try:
        catch_up(hasher, fd, len(data))
        with pytest.raises(OSError, match="ended"):
            catch_up(StreamHasher(), fd, len(data) + 1)
    finally:
        os.close(fd)
    assert hasher.digests().sm3 == hashlib.new("sm3", data).hexdigest()


def test_the_hasher_cache_is_bounded_and_hands_out_each_hasher_once() -> None:
    cache = HasherCache(limit=2)
    first, second, third = StreamHasher(), StreamHasher(), StreamHasher()
    cache.put("a", first)
    cache.put("b", second)
    cache.put("c", third)
    assert cache.take("a") is None, "the oldest fell out"
    assert cache.take("b") is second and cache.take("b") is None
