"""The demo bureau's ledger: its log key, a witness key standing in for the supervising body
(衡阳市司法局, kept in the data folder — a real witness key never is), a signed checkpoint and
the witness's co-signature, so the ledger pages and sealed case files show the whole chain."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from zhifa.ledger import checkpoints, keys, log, signing, witness
from zhifa.ledger.models import Cosignature, KeyRole, SigningKey

WITNESS_HOLDER = "衡阳市司法局（演示）"


def witness_dir() -> Path:
    path = Path(settings.DATA_DIR) / "demo-witness"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_ledger() -> list[str]:
    created: list[str] = []
    _, made = keys.ensure_log_key(actor=None)
    if made:
        created.append("账本签名密钥")
    key_file = witness_dir() / "witness.pem"
    witness_key = SigningKey.objects.filter(role=KeyRole.WITNESS, holder=WITNESS_HOLDER).first()
    if witness_key is None or not key_file.exists():
        key_file.unlink(missing_ok=True)
        (witness_dir() / "state.json").unlink(missing_ok=True)  # a new witness starts afresh
        witness_key = keys.generate_witness_key(
            actor=None, out=key_file, name="hengyang-sfj-witness", holder=WITNESS_HOLDER
        )
        created.append("见证密钥（演示）")
    if log.head().size == 0:
        return created
    latest = checkpoints.latest_checkpoint()
    checkpoint = checkpoints.make_checkpoint(actor=None, trigger="demo")
    if checkpoint != latest:
        created.append(f"检查点 #{checkpoint.pk}")
    if not Cosignature.objects.filter(checkpoint=checkpoint, key=witness_key).exists():
        state_file = witness_dir() / "state.json"
        previous = witness.read_state(state_file)
        if previous is not None and previous.size > checkpoint.size:
            previous = None  # a fresh database under an old state file: anchor again
        proof = (
            log.consistency_proof(previous.size, checkpoint.size)
            if previous and previous.size < checkpoint.size
            else []
        )
        try:
            signature, state = witness.cosign(
                body_text=checkpoint.body,
                log_signature=bytes(checkpoint.signature),
                log_public_key=keys.public_key(checkpoint.key),
                witness_key=signing.load_private_key(key_file.read_bytes()),
                previous=previous,
                consistency=proof,
            )
        except witness.WitnessRefused:
            return created  # an old state from another database: the demo leaves it uncosigned
        checkpoints.add_cosignature(checkpoint=checkpoint, key=witness_key, signature=signature)
        state_file.write_text(state.to_json(), encoding="utf-8")
        created.append("见证联署")
    return created
