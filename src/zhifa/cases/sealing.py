"""The sealed electronic case file (封存电子案卷): a BagIt bag in a canonical ZIP holding the case
file (index, documents, evidence, the whole-process record) and, under ``data/ledger/``, every
leaf of the case with its inclusion proof, the signed checkpoint they lead to, and the public
keys — so that ``zhifa verify`` can check it offline with nothing but the published key.

Sealing appends a ``case_file_sealed`` event listing every event and file of the archive, and
signs a checkpoint covering it (on demand), so nothing can be left out of an archive unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from zhifa.cases import casefile
from zhifa.cases.models import Case
from zhifa.cases.selectors import state_label, timeline
from zhifa.core.errors import Conflict
from zhifa.ledger import bagit, checkpoints, log, signing
from zhifa.ledger.models import Checkpoint, Leaf
from zhifa.records.models import EventType
from zhifa.records.services import append_event

VERIFY_TEXT = """本案卷为封存电子案卷（BagIt 1.0 格式，ZIP 封装）。核验方法：

1. 用平台命令离线核验（推荐）：
   zhifa verify 本文件.zip --key 执法机关公开的公钥.pem
   逐项列出：封装完整性、检查点签名、每条记录的包含证明、文书与证据文件的摘要。

2. 只用 OpenSSL 核验检查点签名（公钥请从执法机关公开渠道取得，并与 log-key.pem 比对）：
   {command}

3. 包含证明：leaves.json 中每个叶子的 data 按 RFC 9162 计算叶子哈希 {algorithm}(0x00 || data)，
   沿 proof 逐级计算 {algorithm}(0x01 || 左 || 右)，结果应等于 checkpoint.txt 第三行（Base64）的树根。
"""


def _checked(source: Callable[[], Iterable[bytes]], sha256: str, path: str) -> Callable[[], Iterator[bytes]]:
    """Stream a stored file and refuse, at its end, if it no longer has the hash it was filed with."""

    def read() -> Iterator[bytes]:
        digest = hashlib.sha256()
        for block in source():
            digest.update(block)
            yield block
        if digest.hexdigest() != sha256:
            raise Conflict(f"{path} 与登记时的摘要不一致：存储的文件已被改动。", code="case_file_tampered")

    return read


def _constant(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: [data]


def _leaves_of(objects: Iterable[models.Model]) -> dict[tuple[str, str], Leaf]:
    wanted: dict[str, list[str]] = {}
    for obj in objects:
        wanted.setdefault(log.kind_of(type(obj)), []).append(str(obj.pk))
    found: dict[tuple[str, str], Leaf] = {}
    for kind, refs in wanted.items():
        for leaf in Leaf.objects.filter(kind=kind, ref__in=refs):
            found[(kind, leaf.ref)] = leaf
    return found


def _covering(max_index: int, actor: Any) -> Checkpoint:
    """The latest checkpoint if it covers the case and its key is still in use; else a new one
    (a checkpoint signed with a retired — perhaps compromised — key does not seal anything new)."""
    latest = checkpoints.latest_checkpoint()
    if latest is not None and latest.size > max_index and not hasattr(latest.key, "retirement"):
        return latest
    if latest is not None and latest.size > max_index:
        return checkpoints.make_checkpoint(actor=actor, trigger="export", force=True)
    return checkpoints.make_checkpoint(actor=actor, trigger="export")


def _witnessed(checkpoint: Checkpoint) -> Checkpoint | None:
    """This checkpoint if co-signed, else the latest co-signed one before it under the same key."""
    if checkpoint.cosignatures.exists():
        return checkpoint
    return (
        Checkpoint.objects.filter(key=checkpoint.key, size__lte=checkpoint.size, cosignatures__isnull=False)
        .exclude(pk=checkpoint.pk)
        .order_by("-size", "-pk")
        .first()
    )


def write_sealed(case: Case, out: BinaryIO, *, actor: Any) -> dict[str, Any]:
    """Write the sealed case file to ``out``; return the bag summary (with the archive's SHA-256).
    Side effect: signs a checkpoint when none covers the case yet."""
    items = casefile.entries(case)
    # The seal: a record event, signed through the checkpoint like every other, that lists every
    # event and every file of this archive — so a verifier can tell that nothing was left out,
    # not even the last event.
    with transaction.atomic():
        append_event(
            actor=actor,
            event_type=EventType.CASE_FILE_SEALED,
            case=case,
            step=case.state,
            after={
                "events": list(timeline(case).values_list("pk", flat=True)),
                "files": [{"path": entry.path, "sha256": entry.sha256} for entry in items],
            },
        )
    events = list(timeline(case))
    filed: list[tuple[models.Model, str | None]] = [(event, None) for event in events]
    # Each file with its own row: two pieces of evidence with the same bytes stay two leaves.
    filed += [(entry.record, entry.path) for entry in items if entry.record is not None]
    leaves = _leaves_of(obj for obj, _ in filed)
    unlogged = [obj for obj, _ in filed if (log.kind_of(type(obj)), str(obj.pk)) not in leaves]
    if unlogged:
        raise Conflict(
            f"{len(unlogged)} 条记录不在账本中，不能封存；请管理员运行 zhifa audit。", code="case_unlogged"
        )
    checkpoint = _covering(max((leaf.index for leaf in leaves.values()), default=0), actor)
    leaf_rows = []
    for obj, path in filed:
        leaf = leaves[(log.kind_of(type(obj)), str(obj.pk))]
        row: dict[str, Any] = {
            "index": leaf.index,
            "kind": leaf.kind,
            "ref": leaf.ref,
            "data": bytes(leaf.data).decode("utf-8"),
            "proof": [h.hex() for h in log.inclusion_proof(leaf.index, checkpoint.size)],
        }
        if path:
            row["file"] = path
        leaf_rows.append(row)
    leaf_rows.sort(key=lambda r: r["index"])
    key = checkpoint.key
    witnesses = []
    ledger_files: list[tuple[str, bytes]] = [
        ("ledger/checkpoint.txt", checkpoint.body.encode()),
        ("ledger/checkpoint.sig", bytes(checkpoint.signature)),
        ("ledger/checkpoint.note", checkpoints.signed_note(checkpoint).encode()),
        ("ledger/log-key.pem", key.public_pem.encode()),
        ("ledger/leaves.json", json.dumps(leaf_rows, ensure_ascii=False, indent=1).encode()),
    ]
    # The witness: co-signatures of this checkpoint if it has any; otherwise those of the latest
    # co-signed checkpoint under the same key, with a consistency proof showing that this one
    # extends it — so the history the supervising body witnessed is provably unchanged here.
    witnessed = _witnessed(checkpoint)
    witnessed_file = (
        "checkpoint.txt" if witnessed is None or witnessed.pk == checkpoint.pk else "witnessed-checkpoint.txt"
    )
    if witnessed is not None and witnessed.pk != checkpoint.pk:
        ledger_files += [
            ("ledger/witnessed-checkpoint.txt", witnessed.body.encode()),
            ("ledger/witnessed-checkpoint.sig", bytes(witnessed.signature)),
            (
                "ledger/witnessed-consistency.json",
                json.dumps(
                    {
                        "size1": witnessed.size,
                        "size2": checkpoint.size,
                        "proof": [h.hex() for h in log.consistency_proof(witnessed.size, checkpoint.size)],
                    },
                    indent=1,
                ).encode(),
            ),
        ]
    for cosignature in (
        witnessed.cosignatures.select_related("key").order_by("key__key_id") if witnessed else []
    ):
        wkey = cosignature.key
        witnesses.append(
            {
                "holder": wkey.holder,
                "key_id": wkey.key_id,
                "key_file": f"witness-{wkey.key_id}.pem",
                "signature_file": f"witness-{wkey.key_id}.sig",
                "checkpoint_file": witnessed_file,
            }
        )
        ledger_files.append((f"ledger/witness-{wkey.key_id}.pem", wkey.public_pem.encode()))
        ledger_files.append((f"ledger/witness-{wkey.key_id}.sig", bytes(cosignature.signature)))
    ledger_files.append(
        ("ledger/witnesses.json", json.dumps(witnesses, ensure_ascii=False, indent=1).encode())
    )
    command = signing.openssl_verify_command(key.algorithm, "log-key.pem", "checkpoint.txt", "checkpoint.sig")
    verify_text = VERIFY_TEXT.format(command=command, algorithm=checkpoint.algorithm.upper())
    ledger_files.append(("ledger/VERIFY.txt", verify_text.encode()))

    index = render_to_string(
        "cases/casefile_index.html",
        {
            "case": case,
            "entries": items,
            "state_label": state_label(case),
            "missing": casefile.completeness(case),
            "generated_at": timezone.now(),
            "checkpoint": checkpoint,
        },
    ).encode()
    payload: list[tuple[str, Callable[[], Iterable[bytes]]]] = [("index.html", _constant(index))]
    payload += [(entry.path, _checked(entry.source, entry.sha256, entry.path)) for entry in items]
    payload.append(("record/events.json", _constant(casefile._events_json(case))))
    payload += [(name, _constant(data)) for name, data in ledger_files]
    info = {
        "Source-Organization": case.unit.body.name,
        "External-Identifier": case.number,
        "External-Description": case.title,
        "Zhifa-Ledger-Hash": checkpoint.algorithm,
        "Zhifa-Ledger-Tree-Size": str(checkpoint.size),
        "Zhifa-Log-Key": key.key_id,
    }
    return dict(bagit.write_bag(out, case.number, info, payload))
