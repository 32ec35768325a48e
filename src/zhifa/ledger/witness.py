"""The witness's side: co-sign a checkpoint only if it extends the last one this witness signed.

The supervising body keeps its private key and a small state file (origin, size, root of the last
checkpoint it co-signed). A bureau that rewrote its history could sign a new checkpoint with its
own key, but it could not get the witness to co-sign it: the consistency proof from the witnessed
tree would fail. Pure functions over text and bytes, so a witness can run this anywhere.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zhifa.ledger import merkle, signing
from zhifa.ledger.notes import CheckpointBody, parse_body


class WitnessRefused(ValueError):
    """The witness will not co-sign; the message says why."""


@dataclass(frozen=True)
class WitnessState:
    origin: str
    size: int
    root: bytes
    algorithm: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": self.origin,
                "size": self.size,
                "root": base64.b64encode(self.root).decode(),
                "algorithm": self.algorithm,
            },
            ensure_ascii=False,
            indent=2,
        )


def read_state(path: Path) -> WitnessState | None:
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return WitnessState(
            origin=str(raw["origin"]),
            size=int(raw["size"]),
            root=base64.b64decode(raw["root"], validate=True),
            algorithm=str(raw["algorithm"]),
        )
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError, binascii.Error are ValueErrors
        raise WitnessRefused(
            f"见证状态文件 {path} 已损坏（{exc}）；请从备份恢复，不要删除后重来——那会丢失上次见证的树根"
        ) from exc


def check_extension(
    previous: WitnessState | None,
    body: CheckpointBody,
    consistency: Sequence[bytes],
) -> None:
    """Raise WitnessRefused unless ``body`` is a later (or the same) tree of the witnessed log."""
    if previous is None:
        return  # first use: the witness anchors here
    if body.origin != previous.origin:
        raise WitnessRefused(f"账本来源不同：{body.origin!r}，见证的是 {previous.origin!r}")
    if body.algorithm != previous.algorithm:
        raise WitnessRefused("账本哈希算法与见证记录不同")
    if body.size < previous.size:
        raise WitnessRefused(f"检查点大小 {body.size} 小于已见证的 {previous.size}：账本被截短")
    try:
        merkle.verify_consistency(
            previous.size, body.size, consistency, previous.root, body.root, body.algorithm
        )
    except merkle.ProofError as exc:
        raise WitnessRefused(f"一致性证明不成立：{exc}（账本历史可能被改写）") from exc


def cosign(
    *,
    body_text: str,
    log_signature: bytes,
    log_public_key: signing.PublicKey,
    witness_key: signing.PrivateKey,
    previous: WitnessState | None,
    consistency: Sequence[bytes],
) -> tuple[bytes, WitnessState]:
    """Check the log's signature and the extension, then sign the same body. Returns the
    co-signature and the state to store for next time."""
    try:
        log_public_key.verify(body_text.encode(), log_signature)
    except signing.SignatureError as exc:
        raise WitnessRefused("检查点的账本签名无效") from exc
    body = parse_body(body_text)
    check_extension(previous, body, consistency)
    signature = witness_key.sign(body_text.encode())
    return signature, WitnessState(
        origin=body.origin, size=body.size, root=body.root, algorithm=body.algorithm
    )
