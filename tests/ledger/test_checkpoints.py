"""Signed checkpoints, key rotation and witness co-signing."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from zhifa.core.errors import Conflict, InvalidInput
from zhifa.ledger import checkpoints, keys, log, merkle, signing, witness
from zhifa.ledger.models import Checkpoint, KeyRole, SigningKey
from zhifa.records.models import EventType
from zhifa.records.services import append_event


def _grow(case: Any, n: int = 3) -> None:
    with transaction.atomic():
        for i in range(n):
            append_event(actor=None, event_type=EventType.FACTS_RECORDED, case=case, after={"i": i})


def test_a_checkpoint_signs_the_current_root_with_the_log_key(opened_case: Any, log_key: SigningKey) -> None:
    checkpoint = checkpoints.make_checkpoint(actor=None)
    head = log.head()
    assert checkpoint.size == head.size and bytes(checkpoint.root) == log.root_at(head.size)
    body = checkpoints.parse_body(checkpoint.body)
    assert (body.origin, body.size, body.root, body.algorithm) == (
        "zhifa/ledger",
        head.size,
        bytes(checkpoint.root),
        "sm3",
    )
    keys.public_key(log_key).verify(checkpoint.body.encode(), bytes(checkpoint.signature))
    assert log_key.algorithm == "sm2"
    note = checkpoints.signed_note(checkpoint)
    assert note.startswith(checkpoint.body + "\n— " + log_key.name + " ")
    signature_b64 = note.rstrip("\n").rsplit(" ", 1)[1]
    raw = base64.b64decode(signature_b64)
    assert raw[:4] == bytes.fromhex(log_key.key_id)[:4] and raw[4:] == bytes(checkpoint.signature)


def test_no_new_checkpoint_until_the_log_grows(opened_case: Any, log_key: SigningKey) -> None:
    first = checkpoints.make_checkpoint(actor=None)
    assert checkpoints.make_checkpoint(actor=None) == first
    _grow(opened_case)
    second = checkpoints.make_checkpoint(actor=None)
    assert second.size == first.size + 3
    proof = log.consistency_proof(first.size, second.size)
    merkle.verify_consistency(first.size, second.size, proof, bytes(first.root), bytes(second.root), "sm3")


def test_without_a_key_the_checkpoint_is_refused_clearly(opened_case: Any) -> None:
    assert keys.active_log_key() is None
    with pytest.raises(Conflict, match="zhifa keys generate"):
        checkpoints.make_checkpoint(actor=None)


def test_rotation_retires_the_old_key_and_old_checkpoints_stay_checkable(
    opened_case: Any, log_key: SigningKey
) -> None:
    old = checkpoints.make_checkpoint(actor=None)
    with pytest.raises(InvalidInput):
        keys.rotate_log_key(actor=None, reason=" ")
    new_key = keys.rotate_log_key(actor=None, reason="年度轮换", algorithm="ed25519")
    assert keys.active_log_key() == new_key and new_key.algorithm == "ed25519"
    assert SigningKey.objects.get(pk=log_key.pk).retirement.reason == "年度轮换"
    new = checkpoints.make_checkpoint(actor=None)
    assert new.key == new_key and new.pk != old.pk  # re-signed under the new key though the size is unchanged
    keys.public_key(log_key).verify(old.body.encode(), bytes(old.signature))
    keys.public_key(new_key).verify(new.body.encode(), bytes(new.signature))
    with pytest.raises(Conflict):
        keys.generate_log_key(actor=None)


def test_private_keys_are_written_0600_and_never_stored_in_the_database(log_key: SigningKey) -> None:
    path = keys.private_key_path(log_key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE" not in log_key.public_pem


def _witness(tmp_path: Path) -> tuple[SigningKey, signing.PrivateKey]:
    out = tmp_path / "witness.pem"
    key = keys.generate_witness_key(actor=None, out=out, name="衡阳市司法局见证", holder="衡阳市司法局")
    assert key.role == KeyRole.WITNESS and out.stat().st_mode & 0o777 == 0o600
    return key, signing.load_private_key(out.read_bytes())


def test_a_witness_cosigns_only_an_extension_of_what_it_saw(
    opened_case: Any, log_key: SigningKey, tmp_path: Path
) -> None:
    witness_key, private = _witness(tmp_path)
    first = checkpoints.make_checkpoint(actor=None)
    signature, state = witness.cosign(
        body_text=first.body,
        log_signature=bytes(first.signature),
        log_public_key=keys.public_key(log_key),
        witness_key=private,
        previous=None,
        consistency=[],
    )
    checkpoints.add_cosignature(checkpoint=first, key=witness_key, signature=signature)
    assert witness_key.name in checkpoints.signed_note(first)
    _grow(opened_case)
    second = checkpoints.make_checkpoint(actor=None)
    proof = log.consistency_proof(first.size, second.size)
    witness.cosign(
        body_text=second.body,
        log_signature=bytes(second.signature),
        log_public_key=keys.public_key(log_key),
        witness_key=private,
        previous=state,
        consistency=proof,
    )
    # A rewritten history: a checkpoint body with another root at the same or larger size.
    forged_body = checkpoints.render_body(
        checkpoints.CheckpointBody(
            origin="zhifa/ledger", size=second.size, root=b"\x07" * 32, algorithm="sm3", time=second.made_at
        )
    )
    forged_signature = keys.load_log_private_key(log_key).sign(forged_body.encode())
    with pytest.raises(witness.WitnessRefused, match="一致性证明不成立"):
        witness.cosign(
            body_text=forged_body,
            log_signature=forged_signature,
            log_public_key=keys.public_key(log_key),
            witness_key=private,
            previous=state,
            consistency=proof,
        )
    with pytest.raises(witness.WitnessRefused, match="账本签名无效"):
        witness.cosign(
            body_text=second.body,
            log_signature=forged_signature,
            log_public_key=keys.public_key(log_key),
            witness_key=private,
            previous=state,
            consistency=proof,
        )


def test_a_cosignature_must_verify_and_come_from_a_witness_key(
    opened_case: Any, log_key: SigningKey, tmp_path: Path
) -> None:
    witness_key, private = _witness(tmp_path)
    checkpoint = checkpoints.make_checkpoint(actor=None)
    with pytest.raises(InvalidInput, match="不符"):
        checkpoints.add_cosignature(checkpoint=checkpoint, key=witness_key, signature=private.sign(b"other"))
    with pytest.raises(InvalidInput, match="只有见证密钥"):
        checkpoints.add_cosignature(checkpoint=checkpoint, key=log_key, signature=bytes(checkpoint.signature))
    checkpoints.add_cosignature(
        checkpoint=checkpoint, key=witness_key, signature=private.sign(checkpoint.body.encode())
    )
    with pytest.raises(Conflict):
        checkpoints.add_cosignature(
            checkpoint=checkpoint, key=witness_key, signature=private.sign(checkpoint.body.encode())
        )


def test_the_checkpoint_body_parser_refuses_anything_but_the_canonical_form(
    opened_case: Any, log_key: SigningKey
) -> None:
    checkpoint = checkpoints.make_checkpoint(actor=None)
    body = checkpoint.body
    assert checkpoints.render_body(checkpoints.parse_body(body)) == body
    size_line = f"\n{checkpoint.size}\n"
    for bad in [
        body.replace("\n", "\r\n"),
        body + "extra\n",
        body.replace("hash sm3", "hash md5"),
        body[:-1],
        body.replace(size_line, "\n0" + size_line[1:]),
        body.replace("Z\n", "+00:00\n"),
    ]:
        with pytest.raises(ValueError):
            checkpoints.parse_body(bad)


def test_key_registration_is_itself_in_the_log(log_key: SigningKey) -> None:
    assert log.leaf_for(log_key) is not None
    assert Checkpoint.objects.count() == 0
