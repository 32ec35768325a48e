"""Signing keys: the bureau's log key (private half on disk, never in the database) and witness
keys held by the supervising body (only their public half is registered here).

Every registered key is a write-once row and so a leaf of the log: the history of which key
signed when is itself tamper-evident. Rotation registers a new key and retires the old one; the
old key's checkpoints stay checkable with its published public key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.ledger import signing
from zhifa.ledger.models import KeyRetirement, KeyRole, SigningKey


def keys_dir() -> Path:
    path = Path(settings.ZHIFA_LEDGER_KEYS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def private_key_path(key: SigningKey) -> Path:
    return keys_dir() / f"{key.key_id}.pem"


def _write_private(path: Path, pem: bytes) -> None:
    """Create the file 0600 from the start: the private key is never world-readable, not even briefly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _algorithm(algorithm: str | None) -> str:
    chosen = algorithm or settings.ZHIFA_LEDGER_SIGNING_ALGORITHM
    if chosen not in signing.ALGORITHMS:
        raise InvalidInput(
            f"不支持的签名算法：{chosen}（可选：{'、'.join(signing.ALGORITHMS)}）。",
            code="ledger_bad_algorithm",
            details={"algorithm": [chosen]},
        )
    return chosen


def active_keys(role: str) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(role=role, retirement__isnull=True)


def active_log_key() -> SigningKey | None:
    return active_keys(KeyRole.LOG).order_by("-created_at", "-pk").first()


def published_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.select_related("retirement").order_by("created_at", "pk")


def _register(*, public_pem: bytes, name: str, role: str, holder: str) -> SigningKey:
    try:
        public = signing.load_public_key(public_pem)
    except signing.SignatureError as exc:
        raise InvalidInput(f"公钥无法读取：{exc}", code="ledger_bad_key") from exc
    if SigningKey.objects.filter(key_id=public.key_id()).exists():
        raise Conflict("该公钥已登记。", code="ledger_key_exists")
    key = SigningKey(
        key_id=public.key_id(),
        name=name or f"{role}-{public.key_id()}",
        role=role,
        algorithm=public.algorithm,
        public_pem=public.public_pem().decode(),
        holder=holder,
    )
    key.save()
    return key


def generate_log_key(*, actor: Any, algorithm: str | None = None, name: str = "") -> SigningKey:
    """A new log key: the private PEM goes to the keys folder (0600), the public half is
    registered. Refused while another log key is active (use ``rotate_log_key``)."""
    chosen = _algorithm(algorithm)
    with transaction.atomic():
        if active_log_key() is not None:
            raise Conflict(
                "已有在用的账本签名密钥；如需更换，请轮换（zhifa keys rotate）。", code="ledger_key_active"
            )
        pair = signing.generate_key(chosen)
        key = _register(
            public_pem=pair.public_pem, name=name, role=KeyRole.LOG, holder=settings.ZHIFA_LEDGER_ORIGIN
        )
        _write_private(private_key_path(key), pair.private_pem)
    return key


def ensure_log_key(*, actor: Any) -> tuple[SigningKey, bool]:
    """The active log key, generating one on first setup. Returns (key, created)."""
    key = active_log_key()
    if key is not None:
        return key, False
    return generate_log_key(actor=actor), True


def rotate_log_key(*, actor: Any, reason: str, algorithm: str | None = None) -> SigningKey:
    if not reason.strip():
        raise InvalidInput(
            "轮换密钥须说明原因。", code="ledger_reason_required", details={"reason": ["请填写原因。"]}
        )
    chosen = _algorithm(algorithm)
    with transaction.atomic():
        for old in active_keys(KeyRole.LOG).select_for_update(of=("self",)):
            KeyRetirement(key=old, reason=reason).save()
        pair = signing.generate_key(chosen)
        key = _register(
            public_pem=pair.public_pem, name="", role=KeyRole.LOG, holder=settings.ZHIFA_LEDGER_ORIGIN
        )
        _write_private(private_key_path(key), pair.private_pem)
    return key


def register_witness_key(*, actor: Any, public_pem: bytes, name: str, holder: str) -> SigningKey:
    if not holder.strip():
        raise InvalidInput(
            "请写明见证密钥的持有机关。", code="ledger_holder_required", details={"holder": ["必填"]}
        )
    with transaction.atomic():
        return _register(public_pem=public_pem, name=name, role=KeyRole.WITNESS, holder=holder)


def generate_witness_key(
    *, actor: Any, out: Path, name: str, holder: str, algorithm: str | None = None
) -> SigningKey:
    """For the supervising body: write a new private key to ``out`` (a path it controls, 0600)
    and register the public half. The bureau keeps no copy."""
    if out.exists():
        raise Conflict(f"文件已存在：{out}", code="ledger_key_file_exists")
    pair = signing.generate_key(_algorithm(algorithm))
    with transaction.atomic():
        key = register_witness_key(actor=actor, public_pem=pair.public_pem, name=name, holder=holder)
        _write_private(out, pair.private_pem)
    return key


def retire_key(*, actor: Any, key: SigningKey, reason: str) -> KeyRetirement:
    if not reason.strip():
        raise InvalidInput(
            "停用密钥须说明原因。", code="ledger_reason_required", details={"reason": ["请填写原因。"]}
        )
    with transaction.atomic():
        if KeyRetirement.objects.filter(key=key).exists():
            raise Conflict("该密钥已停用。", code="ledger_key_retired")
        retirement = KeyRetirement(key=key, reason=reason)
        retirement.save()
    return retirement


def load_log_private_key(key: SigningKey) -> signing.PrivateKey:
    path = private_key_path(key)
    if not path.exists():
        raise NotFound(
            f"找不到账本签名私钥 {path}；请恢复密钥文件，或轮换密钥（zhifa keys rotate）。",
            code="ledger_private_key_missing",
        )
    try:
        return signing.load_private_key(path.read_bytes())
    except (OSError, signing.SignatureError) as exc:
        raise Conflict(
            f"账本签名私钥 {path} 无法读取（{exc}）；请恢复密钥文件，或轮换密钥（zhifa keys rotate）。",
            code="ledger_private_key_unreadable",
        ) from exc


def public_key(key: SigningKey) -> signing.PublicKey:
    return signing.load_public_key(key.public_pem.encode())
