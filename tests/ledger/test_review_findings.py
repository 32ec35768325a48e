"""Regressions found in the review of issue 4: forgeries the offline verifier let through, and
wrong inputs that ended in a traceback instead of a Chinese message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from tests.evidence.conftest import JPEG_HEAD, payload
from tests.ledger.test_sealed_case_file import _members, _reseal, archive, public_key  # noqa: F401

from zhifa.ledger import audit, checkpoints, keys, signing, verify
from zhifa.ledger.models import AuditRun
from zhifa.ledger.verify import verify_archive


def _json(members: dict[str, bytes], suffix: str) -> Any:
    return json.loads(members[next(k for k in members if k.endswith(suffix))])


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode()


# --- the offline verifier ---------------------------------------------------------------------


def test_a_file_unlinked_from_its_leaf_and_replaced_is_caught(archive: Path, public_key: bytes) -> None:  # noqa: F811
    members = _members(archive)
    leaves = _json(members, "ledger/leaves.json")
    photo = next(leaf for leaf in leaves if leaf.get("file", "").startswith("evidence/"))
    name = photo.pop("file")
    forged = _reseal(archive, {"ledger/leaves.json": _dump(leaves), name: payload(JPEG_HEAD, 40_000, seed=7)})
    failed = verify_archive(forged, public_key).failed
    assert any("没有指明对应的文件" in line for line in failed), failed
    assert any(name in line and "多出的文件" in line for line in failed), failed


def test_an_extra_payload_file_is_caught(archive: Path, public_key: bytes) -> None:  # noqa: F811
    forged = _reseal(archive, {"evidence/999-planted.jpg": payload(JPEG_HEAD, 1_000, seed=3)})
    failed = verify_archive(forged, public_key).failed
    assert any("evidence/999-planted.jpg 不对应任何账本叶子" in line for line in failed), failed


def test_every_file_of_a_leaf_filed_twice_is_checked(archive: Path, public_key: bytes) -> None:  # noqa: F811
    members = _members(archive)
    leaves = _json(members, "ledger/leaves.json")
    photo = next(leaf for leaf in leaves if leaf.get("file", "").startswith("evidence/"))
    # The same leaf listed first with a second, forged file: only the last entry used to count.
    leaves.insert(0, {**photo, "file": "evidence/000-copy.jpg"})
    forged = _reseal(
        archive,
        {"ledger/leaves.json": _dump(leaves), "evidence/000-copy.jpg": payload(JPEG_HEAD, 40_000, seed=11)},
    )
    failed = verify_archive(forged, public_key).failed
    assert any("evidence/000-copy.jpg 与账本登记的摘要不符" in line for line in failed), failed


def test_evidence_dropped_with_its_leaf_is_named_by_its_event(archive: Path, public_key: bytes) -> None:  # noqa: F811
    members = _members(archive)
    leaves = _json(members, "ledger/leaves.json")
    photo = next(leaf for leaf in leaves if leaf["kind"] == "evidence.evidence")
    leaves.remove(photo)
    root = next(iter(members)).split("/", 1)[0]
    forged = _reseal(archive, {"ledger/leaves.json": _dump(leaves)})
    # Drop the file as well, as a forger would (``_reseal`` keeps every original member).
    kept = {
        name[len(root) + len("/data/") :]: data
        for name, data in _members(forged).items()
        if name.startswith(f"{root}/data/") and not name.endswith(photo["file"])
    }
    forged.rename(forged.with_name("step.zip"))
    rebuilt = _rebuild(forged.with_name("step.zip"), kept)
    failed = verify_archive(rebuilt, public_key).failed
    assert any(f"登记的证据 #{photo['ref']} 不在案卷中" in line for line in failed), failed


def _rebuild(path: Path, files: dict[str, bytes]) -> Path:
    from zhifa.ledger import bagit

    members = _members(path)
    root = next(iter(members)).split("/", 1)[0]
    info = dict(line.split(": ", 1) for line in members[f"{root}/bag-info.txt"].decode().splitlines())
    for generated in ("Payload-Oxum", "Bagging-Date"):
        info.pop(generated, None)
    out = path.with_name("rebuilt.zip")
    with out.open("wb") as handle:
        bagit.write_bag(handle, root, info, [(n, (lambda d=d: [d])) for n, d in sorted(files.items())])
    return out


def test_a_dropped_transition_breaks_the_state_chain() -> None:
    report = verify.Report()
    events = [
        {"id": 1, "event_type": "case_opened", "before": {}, "after": {"state": "lead"}},
        {"id": 2, "event_type": "transition", "before": {"state": "lead"}, "after": {"state": "checking"}},
        # id 3 (checking → investigating) dropped with its leaf
        {"id": 4, "event_type": "transition", "before": {"state": "investigating"}, "after": {"state": "x"}},
    ]
    verify._continuity(report, {("records.recordevent", str(e["id"])): e for e in events})
    assert len(report.failed) == 1 and "#4" in report.failed[0] and "checking" in report.failed[0]


def test_a_changed_signed_note_is_caught(archive: Path, public_key: bytes) -> None:  # noqa: F811
    forged = _reseal(archive, {"ledger/checkpoint.note": b"zhifa/ledger\n1\n"})
    failed = verify_archive(forged, public_key).failed
    assert "checkpoint.note 与 checkpoint.txt、checkpoint.sig 不符" in failed


def test_checking_an_old_archive_with_the_new_key_names_the_key_to_fetch(
    archive: Path,  # noqa: F811
    public_key: bytes,  # noqa: F811
    log_key: Any,
) -> None:
    new = keys.rotate_log_key(actor=None, reason="年度轮换")
    assert verify_archive(archive, public_key).ok  # the old key still checks the old archive
    failed = verify_archive(archive, new.public_pem.encode()).failed
    assert any(f"案卷由密钥 {log_key.key_id} 签署" in line and new.key_id in line for line in failed), failed


# --- clear messages instead of tracebacks -----------------------------------------------------


def test_verify_with_a_missing_key_file_is_a_clear_error(archive: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(CommandError, match="无法读取公钥文件"):
        call_command("verify", str(archive), "--key", str(tmp_path / "nope.pem"))
    assert verify.main([str(archive), "--key", str(tmp_path / "nope.pem")]) == 2


def test_register_witness_with_a_missing_file_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="无法读写文件"):
        call_command("keys", "register-witness", str(tmp_path / "nope.pem"), "--name", "a", "--holder", "b")


def test_cosign_with_a_damaged_state_file_is_a_clear_error(log_key: Any, bureau: Any, tmp_path: Path) -> None:
    checkpoints.make_checkpoint(actor=None)
    witness_key = tmp_path / "w.pem"
    call_command("keys", "witness", "--out", str(witness_key), "--name", "w", "--holder", "司法局")
    state = tmp_path / "state.json"
    state.write_text("{damaged", encoding="utf-8")
    with pytest.raises(CommandError, match=r"见证状态文件.*已损坏"):
        call_command("witness", "cosign", "--key", str(witness_key), "--state", str(state))
    with pytest.raises(CommandError, match="无法读写文件"):
        call_command("witness", "cosign", "--key", str(tmp_path / "nope.pem"), "--state", str(state))


def test_an_unreadable_private_key_is_a_clear_error(log_key: Any, bureau: Any) -> None:
    keys.private_key_path(log_key).write_bytes(b"not a key")
    with pytest.raises(CommandError, match=r"账本签名私钥.*无法读取"):
        call_command("checkpoint", "--force")
    with pytest.raises(signing.SignatureError):  # the key loader itself still refuses
        signing.load_private_key(b"not a key")


# --- API and audit ----------------------------------------------------------------------------


def test_inclusion_proof_for_checkpoint_zero_is_not_found(client: Any, log_key: Any, bureau: Any) -> None:
    checkpoints.make_checkpoint(actor=None)
    response = client.get("/api/v1/ledger/proofs/inclusion?index=0&checkpoint_id=0")
    assert response.status_code == 404
    assert response.json()["code"] == "ledger_checkpoint_not_found"


def test_an_audit_that_cannot_finish_is_kept_as_failed(bureau: Any, monkeypatch: Any) -> None:
    def broken(*, using: str = "default") -> Any:
        raise DatabaseError("no such table: review_accountabilityrecord")

    monkeypatch.setattr(audit, "audit", broken)
    run = audit.run_audit(trigger="manual")
    run = AuditRun.objects.get(pk=run.pk)
    assert run.ok is False and run.finished_at is not None
    assert run.findings[0]["code"] == "audit_failed" and "zhifa setup" in run.findings[0]["message"]
