"""What a file is, from its first bytes (magic numbers), never from its name.

``sniff(head)`` returns the media type and its family (photo/audio/video/document), or raises
``UnsupportedType``. Executables and anything unknown are refused.
"""

from __future__ import annotations

from typing import NamedTuple

from zhifa.core.errors import InvalidInput

# Enough bytes to recognise every type below.
HEAD_BYTES = 512


class Sniffed(NamedTuple):
    media_type: str
    family: str  # an EvidenceKind value: photo, audio, video, document
    label: str


class UnsupportedType(InvalidInput):
    code = "unsupported_type"


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

# What a browser plays in <video>/<audio>/<img>; the rest is offered for download.
_PLAYERS = {
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "audio/mpeg": "audio",
    "audio/wav": "audio",
    "audio/mp4": "audio",
    "audio/aac": "audio",
    "audio/ogg": "audio",
    "image/jpeg": "img",
    "image/png": "img",
}


def player_for(media_type: str) -> str:
    return _PLAYERS.get(media_type, "")


def _ftyp(head: bytes) -> Sniffed | None:
    """ISO base media (MP4, MOV, 3GP, M4A, HEIF): a box size, then ``ftyp`` and the major brand."""
    box_size = int.from_bytes(head[0:4], "big")
    if head[4:8] != b"ftyp" or box_size < 8:
        return None
    brand = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    if brand in _HEIF_BRANDS or (brand in {b"mif1", b"msf1"} and compatible & _HEIF_BRANDS):
        return Sniffed("image/heic", "photo", "HEIC 图片")
    if brand in {b"mif1", b"msf1"}:
        return Sniffed("image/heif", "photo", "HEIF 图片")
    if brand in {b"M4A ", b"M4B "}:
        return Sniffed("audio/mp4", "audio", "M4A 音频")
    if brand == b"qt  ":
        return Sniffed("video/quicktime", "video", "QuickTime 视频")
    if brand.startswith(b"3g"):
        return Sniffed("video/3gpp", "video", "3GP 视频")
    return Sniffed("video/mp4", "video", "MP4 视频")


def _mpeg_audio(head: bytes) -> Sniffed | None:
    """An MPEG audio frame (MP3) or an ADTS frame (AAC) at the start: 11 sync bits."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    if layer == 0:  # ADTS (AAC) has layer 00 and MPEG version bits 1x
        return Sniffed("audio/aac", "audio", "AAC 音频") if version in (2, 3) else None
    bitrate_index = head[2] >> 4
    sample_rate_index = (head[2] >> 2) & 0x03
    if version == 1 or bitrate_index in (0, 15) or sample_rate_index == 3:
        return None
    return Sniffed("audio/mpeg", "audio", "MP3 音频")


def _is_mpeg_ts(head: bytes) -> bool:
    return len(head) >= 377 and head[0] == head[188] == head[376] == 0x47


def sniff(head: bytes) -> Sniffed:
    """The type of a file whose first bytes are ``head`` (at least ``HEAD_BYTES``, or the whole file)."""
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in {
            b"\xfe\xed\xfa\xce",
            b"\xfe\xed\xfa\xcf",
            b"\xcf\xfa\xed\xfe",
            b"\xce\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        }
    ):
        raise UnsupportedType("文件内容是可执行程序，不能作为证据上传（类型按文件内容识别，与文件名无关）。")
    if head.startswith(b"#!") and not head.startswith(b"#!AMR"):
        raise UnsupportedType("文件内容是脚本程序，不能作为证据上传。")
    found: Sniffed | None = None
    if head.startswith(b"\xff\xd8\xff"):
        found = Sniffed("image/jpeg", "photo", "JPEG 图片")
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = Sniffed("image/png", "photo", "PNG 图片")
    elif head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        found = Sniffed("video/x-msvideo", "video", "AVI 视频")
    elif head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        found = Sniffed("audio/wav", "audio", "WAV 音频")
    elif head.startswith(b"#!AMR-WB\n"):
        found = Sniffed("audio/amr-wb", "audio", "AMR-WB 音频")
    elif head.startswith(b"#!AMR\n"):
        found = Sniffed("audio/amr", "audio", "AMR 音频")
    elif head.startswith(b"ID3"):
        found = Sniffed("audio/mpeg", "audio", "MP3 音频")
    elif head.startswith(b"OggS"):
        found = Sniffed("audio/ogg", "audio", "Ogg 音频")
    elif head.startswith(b"\x1a\x45\xdf\xa3"):
        found = Sniffed("video/webm", "video", "WebM/MKV 视频")
    elif head.startswith(b"%PDF-"):
        found = Sniffed("application/pdf", "document", "PDF 文件")
    elif _is_mpeg_ts(head):
        found = Sniffed("video/mp2t", "video", "MPEG-TS 视频")
    elif head[4:8] == b"ftyp":
        found = _ftyp(head)
    elif head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[0:4], "big") >= 8:
        found = Sniffed("video/quicktime", "video", "QuickTime 视频")
    else:
        found = _mpeg_audio(head)
    if found is None:
        raise UnsupportedType(
            "不支持的文件类型：文件内容不是可识别的照片（JPEG/PNG/HEIC）、录音（MP3/WAV/AMR/AAC）、"
            "录像（MP4/MOV/AVI/TS/WebM）或 PDF 文件。系统按文件内容识别类型，与文件名无关。"
        )
    return found
