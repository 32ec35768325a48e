"""Checkpoints (signed tree heads) in the C2SP checkpoint text form, and witness co-signatures.

The signed body is plain text, so that a court can check it with ``openssl`` and nothing else::

    zhifa/ledger
    1234
    <base64 root hash>
    hash sm3
    time 2026-11-25T02:10:00Z

The signed note adds one line per signature: ``— <key name> <base64(key id[:4] ‖ signature)>``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.ledger import keys, log, signing
from zhifa.ledger.models import Checkpoint, Cosignature, KeyRole, SigningKey
from zhifa.ledger.notes import CheckpointBody, note_line, parse_body, render_body

__all__ = ["CheckpointBody", "note_line", "parse_body", "render_body"]


def signed_note(checkpoint: Checkpoint) -> str:
    """The body followed by the log signature and every witness co-signature."""
    lines = [note_line(checkpoint.key.name, checkpoint.key.key_id, bytes(checkpoint.signature))]
    for cosignature in checkpoint.cosignatures.select_related("key").order_by("key__key_id"):
        lines.append(note_line(cosignature.key.name, cosignature.key.key_id, bytes(cosignature.signature)))
    return checkpoint.body + "\n" + "".join(lines)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.select_related("key").order_by("-size", "-pk").first()


def covering_checkpoint(index: int) -> Checkpoint | None:
    """The latest checkpoint whose tree holds leaf ``index`` (None until one is made)."""
    latest = latest_checkpoint()
    return latest if latest is not None and latest.size > index else None


def make_checkpoint(*, actor: Any, trigger: str = "manual", force: bool = False) -> Checkpoint:
    """Sign the current tree head with the active log key. Without ``force``, a log that has not
    grown since the latest checkpoint gets no new one (the latest is returned)."""
    key = keys.active_log_key()
    if key is None:
        raise Conflict("尚未生成账本签名密钥，请先运行 zhifa keys generate。", code="ledger_no_key")
    private = keys.load_log_private_key(key)
    with transaction.atomic():
        head = log.locked_head()
        if head.size == 0:
            raise Conflict("账本为空，无需签署检查点。", code="ledger_empty")
        latest = latest_checkpoint()
        if latest is not None and latest.size == head.size and latest.key_id == key.pk and not force:
            return latest
        root = log.root_at(head.size)
        body = render_body(
            CheckpointBody(
                origin=settings.ZHIFA_LEDGER_ORIGIN,
                size=head.size,
                root=root,
                algorithm=head.algorithm,
                time=timezone.now().replace(microsecond=0),
            )
        )
        checkpoint = Checkpoint(
            size=head.size,
            root=root,
            algorithm=head.algorithm,
            body=body,
            key=key,
            signature=private.sign(body.encode()),
            trigger=trigger,
        )
        checkpoint.save()
    return checkpoint


def add_cosignature(*, checkpoint: Checkpoint, key: SigningKey, signature: bytes) -> Cosignature:
    """Record a witness's signature after checking it against the witness's registered key."""
    if key.role != KeyRole.WITNESS:
        raise InvalidInput("只有见证密钥可以联署检查点。", code="ledger_not_witness")
    if hasattr(key, "retirement"):
        raise Conflict("该见证密钥已停用。", code="ledger_key_retired")
    try:
        keys.public_key(key).verify(checkpoint.body.encode(), signature)
    except signing.SignatureError as exc:
        raise InvalidInput("见证签名与检查点不符。", code="ledger_bad_cosignature") from exc
    with transaction.atomic():
        if Cosignature.objects.filter(checkpoint=checkpoint, key=key).exists():
            raise Conflict("该见证密钥已联署此检查点。", code="ledger_cosigned")
        cosignature = Cosignature(checkpoint=checkpoint, key=key, signature=signature)
        cosignature.save()
    return cosignature


def get_checkpoint(pk: int) -> Checkpoint:
    found = Checkpoint.objects.select_related("key").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"没有检查点 #{pk}。", code="ledger_checkpoint_not_found")
    return found
