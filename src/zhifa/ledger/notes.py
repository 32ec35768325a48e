"""The checkpoint text (C2SP tlog-checkpoint form) and signed-note lines, without Django, so that
the offline verifier and a witness can read them anywhere."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass

from zhifa.ledger import merkle


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    size: int
    root: bytes
    algorithm: str
    time: datetime.datetime


def render_body(body: CheckpointBody) -> str:
    stamp = body.time.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{body.origin}\n{body.size}\n{base64.b64encode(body.root).decode()}\n"
        f"hash {body.algorithm}\ntime {stamp}\n"
    )


def parse_body(text: str) -> CheckpointBody:
    """The inverse of ``render_body``; raises ValueError naming the bad line."""
    lines = text.split("\n")
    if len(lines) != 6 or lines[-1] != "":
        raise ValueError("检查点正文应为5行，以换行结尾")
    origin, size_text, root_text, hash_line, time_line = lines[:5]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise ValueError(f"检查点大小行无效：{size_text!r}")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"检查点根哈希行无效：{root_text!r}") from exc
    if base64.b64encode(root).decode() != root_text or len(root) != 32:
        raise ValueError(f"检查点根哈希行无效：{root_text!r}")
    if not hash_line.startswith("hash ") or hash_line[5:] not in merkle.ALGORITHMS:
        raise ValueError(f"检查点哈希算法行无效：{hash_line!r}")
    if not time_line.startswith("time "):
        raise ValueError(f"检查点时间行无效：{time_line!r}")
    try:
        time = datetime.datetime.strptime(time_line[5:], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError as exc:
        raise ValueError(f"检查点时间行无效：{time_line!r}") from exc
    body = CheckpointBody(origin=origin, size=int(size_text), root=root, algorithm=hash_line[5:], time=time)
    if render_body(body) != text:
        raise ValueError("检查点正文不是规范形式")
    return body


def note_line(key_name: str, key_id: str, signature: bytes) -> str:
    return f"— {key_name} {base64.b64encode(bytes.fromhex(key_id)[:4] + signature).decode()}\n"
