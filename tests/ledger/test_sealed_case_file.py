"""The sealed case file: ``zhifa export-case`` writes a BagIt archive that ``zhifa verify`` checks
offline with the published public key. Any changed byte is caught; a forger who re-seals the bag
after changing a record, a file, a leaf or the checkpoint is caught by the ledger checks."""

from __future__ import annotations

import datetime
import json
import random
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from tests.evidence.conftest import JPEG_HEAD, payload, upload

from zhifa.documents import services as documents
from zhifa.ledger import bagit, checkpoints, keys, signing, zipper
from zhifa.ledger.verify import verify_archive


@pytest.fixture
def archive(
    opened_case: Any, log_key: Any, bureau: Any, client_as: Any, tmp_path: Path, settings: Any
) -> Path:
    settings.ZHIFA_EVIDENCE_ROOT = str(tmp_path / "store")
    settings.ZHIFA_EVIDENCE_SPOOL_DIR = str(tmp_path / "spool")
    documents.generate_document(
        actor=bureau.officer, case=opened_case, template="case_registration", today=datetime.date(2026, 3, 2)
    )
    response = upload(
        client_as("officer"), opened_case, payload(JPEG_HEAD, 40_000), kind="photo", filename="现场.jpg"
    )
    assert response.status_code == 200, response.content
    out = tmp_path / "sealed.zip"
    call_command("export_case", opened_case.number, "-o", str(out))
    return out


@pytest.fixture
def public_key(log_key: Any, tmp_path: Path) -> bytes:
    return log_key.public_pem.encode()


def _members(path: Path) -> dict[str, bytes]:
    return {m.name: zipper.open_member(path, m).read() for m in zipper.read_entries(path)}


def _reseal(path: Path, change: dict[str, bytes]) -> Path:
    """What a forger with the bag tools would do: change payload files and write a valid bag."""
    members = _members(path)
    root = next(iter(members)).split("/", 1)[0]
    info_text = members[f"{root}/bag-info.txt"].decode()
    info = dict(line.split(": ", 1) for line in info_text.splitlines())
    for generated in ("Payload-Oxum", "Bagging-Date"):
        info.pop(generated, None)
    files = {
        name[len(root) + len("/data/") :]: data
        for name, data in members.items()
        if name.startswith(f"{root}/data/")
    }
    files.update(change)
    forged = path.with_name("forged.zip")
    with forged.open("wb") as out:
        bagit.write_bag(
            out, root, info, [(name, (lambda d=data: [d])) for name, data in sorted(files.items())]
        )
    assert bagit.validate_bag(forged) == []
    return forged


def test_the_exported_archive_verifies_with_the_published_key(archive: Path, public_key: bytes) -> None:
    report = verify_archive(archive, public_key)
    assert report.ok, report.failed
    assert report.warnings == []
    text = "\n".join(report.passed)
    assert "检查点签名有效（SM2" in text and "包含证明均成立" in text and "文书与证据文件" in text
    members = _members(archive)
    names = {name.split("/", 1)[1] for name in members}
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"} <= names
    assert {
        "data/index.html",
        "data/record/events.json",
        "data/ledger/leaves.json",
        "data/ledger/checkpoint.txt",
    } <= names
    assert any(n.startswith("data/documents/") for n in names) and any(
        n.startswith("data/evidence/") for n in names
    )
    leaves = json.loads(next(v for k, v in members.items() if k.endswith("ledger/leaves.json")))
    events = json.loads(next(v for k, v in members.items() if k.endswith("record/events.json")))
    assert {str(e["id"]) for e in events} == {
        leaf["ref"] for leaf in leaves if leaf["kind"] == "records.recordevent"
    }


def test_every_random_byte_change_is_caught(archive: Path, public_key: bytes) -> None:
    original = archive.read_bytes()
    rng = random.Random(20261125)
    offsets = rng.sample(range(len(original)), 60)
    for member in zipper.read_entries(archive):  # and one byte inside every member's content
        if member.size:
            offsets.append(member.offset + rng.randrange(member.size))
    for offset in offsets:
        damaged = bytearray(original)
        damaged[offset] ^= rng.randrange(1, 256)
        archive.write_bytes(bytes(damaged))
        assert not verify_archive(archive, public_key).ok, offset
    archive.write_bytes(original)
    assert verify_archive(archive, public_key).ok


def test_a_resealed_change_to_an_event_is_named(archive: Path, public_key: bytes) -> None:
    members = _members(archive)
    events_name = next(k for k in members if k.endswith("data/record/events.json"))
    events = json.loads(members[events_name])
    events[1]["reason"] = "事后补写的理由"
    forged = _reseal(archive, {"record/events.json": json.dumps(events, ensure_ascii=False).encode()})
    report = verify_archive(forged, public_key)
    assert not report.ok
    assert any(f"全过程记录 #{events[1]['id']} 与账本不一致（reason）" in line for line in report.failed)


def test_a_resealed_dropped_event_is_named(archive: Path, public_key: bytes) -> None:
    members = _members(archive)
    events_name = next(k for k in members if k.endswith("data/record/events.json"))
    events = json.loads(members[events_name])
    dropped = events.pop()
    forged = _reseal(archive, {"record/events.json": json.dumps(events, ensure_ascii=False).encode()})
    assert any(
        f"#{dropped['id']} 不在 events.json 中" in line for line in verify_archive(forged, public_key).failed
    )


def test_a_resealed_replaced_file_is_named(archive: Path, public_key: bytes) -> None:
    members = _members(archive)
    photo = next(k for k in members if "/data/evidence/" in k)
    relative = photo.split("/data/", 1)[1]
    forged = _reseal(archive, {relative: payload(JPEG_HEAD, 40_000, seed=99)})
    failed = verify_archive(forged, public_key).failed
    assert any(relative in line and "摘要不符" in line for line in failed), failed


def test_a_resealed_leaf_or_checkpoint_change_is_named(
    archive: Path, public_key: bytes, log_key: Any
) -> None:
    members = _members(archive)
    leaves_name = next(k for k in members if k.endswith("ledger/leaves.json"))
    leaves = json.loads(members[leaves_name])
    leaves[0]["data"] = leaves[0]["data"].replace('"step":"', '"step":"x', 1)
    forged = _reseal(archive, {"ledger/leaves.json": json.dumps(leaves, ensure_ascii=False).encode()})
    assert any("包含证明不成立" in line for line in verify_archive(forged, public_key).failed)

    body = members[next(k for k in members if k.endswith("ledger/checkpoint.txt"))].decode()
    parsed = checkpoints.parse_body(body)
    fake = checkpoints.render_body(
        checkpoints.CheckpointBody(parsed.origin, parsed.size, b"\x05" * 32, parsed.algorithm, parsed.time)
    )
    forged = _reseal(archive, {"ledger/checkpoint.txt": fake.encode()})
    assert any("检查点签名无效" in line for line in verify_archive(forged, public_key).failed)

    # A forger's own key signs a rewritten checkpoint: fine inside the archive, refused with the
    # bureau's published key.
    mine = signing.generate_key("sm2")
    signature = signing.load_private_key(mine.private_pem).sign(fake.encode())
    forged = _reseal(
        archive,
        {
            "ledger/checkpoint.txt": fake.encode(),
            "ledger/checkpoint.sig": signature,
            "ledger/log-key.pem": mine.public_pem,
        },
    )
    report = verify_archive(forged, public_key)
    assert any("检查点签名无效" in line for line in report.failed)
    assert not verify_archive(forged, None).ok  # the proofs no longer reach the forged root


def test_the_verify_command_exits_non_zero_and_names_the_failure(
    archive: Path, public_key: bytes, tmp_path: Path, capsys: Any
) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(public_key)
    call_command("verify", str(archive), "--key", str(key_file))
    assert "核验通过" in capsys.readouterr().out
    call_command("verify", str(archive))
    assert "未提供独立取得的公钥" in capsys.readouterr().out
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0x40
    archive.write_bytes(bytes(damaged))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", str(archive), "--key", str(key_file))
    assert exit_info.value.code == 1
    assert "核验不通过" in capsys.readouterr().out


def test_openssl_alone_checks_the_archived_checkpoint_signature(
    archive: Path, tmp_path: Path, log_key: Any
) -> None:
    members = _members(archive)
    for name in ("checkpoint.txt", "checkpoint.sig", "log-key.pem"):
        (tmp_path / name).write_bytes(members[next(k for k in members if k.endswith(f"ledger/{name}"))])
    assert (tmp_path / "log-key.pem").read_bytes() == keys.public_key(log_key).public_pem()
    command = signing.openssl_verify_command(
        log_key.algorithm, "log-key.pem", "checkpoint.txt", "checkpoint.sig"
    )
    result = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr + result.stdout
    (tmp_path / "checkpoint.txt").write_text((tmp_path / "checkpoint.txt").read_text().replace("sm3", "sm3 "))
    result = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode != 0


def test_the_case_page_download_is_the_sealed_archive(
    opened_case: Any, log_key: Any, client_as: Any, tmp_path: Path
) -> None:
    response = client_as("officer").get(f"/cases/{opened_case.pk}/case-file.zip")
    assert response.status_code == 200
    out = tmp_path / "download.zip"
    out.write_bytes(b"".join(response.streaming_content))
    assert verify_archive(out, log_key.public_pem.encode()).ok


def test_the_verifier_runs_without_django_or_a_database(
    archive: Path, public_key: bytes, tmp_path: Path
) -> None:
    import os
    import sys

    key_file = tmp_path / "key.pem"
    key_file.write_bytes(public_key)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "ZHIFA"))}
    code = (
        "import sys, zhifa.ledger.verify as v; rc = v.main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'the verifier imported Django'; sys.exit(rc)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, str(archive), "--key", str(key_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "核验通过" in result.stdout


def test_two_pieces_of_evidence_with_the_same_bytes_are_both_sealed(
    opened_case: Any, log_key: Any, client_as: Any, tmp_path: Path, settings: Any
) -> None:
    settings.ZHIFA_EVIDENCE_ROOT = str(tmp_path / "store")
    settings.ZHIFA_EVIDENCE_SPOOL_DIR = str(tmp_path / "spool")
    photo = payload(JPEG_HEAD, 30_000, seed=7)
    for name in ("第一张.jpg", "第二张.jpg"):
        response = upload(client_as("officer"), opened_case, photo, kind="photo", filename=name)
        assert response.status_code == 200, response.content
    out = tmp_path / "same.zip"
    call_command("export_case", opened_case.number, "-o", str(out))
    leaves = json.loads(next(v for k, v in _members(out).items() if k.endswith("ledger/leaves.json")))
    evidence_refs = [leaf["ref"] for leaf in leaves if leaf["kind"] == "evidence.evidence"]
    assert len(evidence_refs) == 2 and len(set(evidence_refs)) == 2
    assert verify_archive(out, log_key.public_pem.encode()).ok


def test_a_retired_key_does_not_seal_new_archives(opened_case: Any, log_key: Any, tmp_path: Path) -> None:
    old = checkpoints.make_checkpoint(actor=None)
    new_key = keys.rotate_log_key(actor=None, reason="密钥泄露")
    out = tmp_path / "after-rotation.zip"
    call_command("export_case", opened_case.number, "-o", str(out))
    assert verify_archive(out, new_key.public_pem.encode()).ok
    assert not verify_archive(out, log_key.public_pem.encode()).ok
    assert checkpoints.latest_checkpoint().pk != old.pk  # type: ignore[union-attr]


def test_export_into_a_missing_folder_says_so(opened_case: Any, log_key: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command("export_case", opened_case.number, "-o", str(tmp_path / "nope" / "x.zip"))
    with pytest.raises(CommandError, match="没有案件"):
        call_command("export_case", "衡住建罚案〔2099〕1号", "-o", str(tmp_path / "x.zip"))


def test_dropping_the_last_event_from_events_and_leaves_is_caught_by_the_seal(
    archive: Path, public_key: bytes
) -> None:
    members = _members(archive)
    events_name = next(k for k in members if k.endswith("data/record/events.json"))
    leaves_name = next(k for k in members if k.endswith("ledger/leaves.json"))
    events = json.loads(members[events_name])
    assert events[-1]["type"] == "case_file_sealed"
    dropped = events.pop(-2)  # the last event before the seal
    leaves = [
        leaf
        for leaf in json.loads(members[leaves_name])
        if not (leaf["kind"] == "records.recordevent" and leaf["ref"] == str(dropped["id"]))
    ]
    forged = _reseal(
        archive,
        {
            "record/events.json": json.dumps(events, ensure_ascii=False).encode(),
            "ledger/leaves.json": json.dumps(leaves, ensure_ascii=False).encode(),
        },
    )
    failed = verify_archive(forged, public_key).failed
    assert any(f"封存记录列明的全过程记录 #{dropped['id']} 不在案卷中" in line for line in failed), failed


def test_an_archive_carries_the_witnessed_history_it_extends(
    opened_case: Any, log_key: Any, tmp_path: Path
) -> None:
    """The export signs a fresh checkpoint (for its seal), which no witness has seen yet; the
    archive then carries the latest co-signed checkpoint and a consistency proof to its own."""
    from zhifa.ledger import witness as witnessing

    witness_file = tmp_path / "w.pem"
    witness_key = keys.generate_witness_key(actor=None, out=witness_file, name="sfj", holder="衡阳市司法局")
    witnessed = checkpoints.make_checkpoint(actor=None)
    signature, _ = witnessing.cosign(
        body_text=witnessed.body,
        log_signature=bytes(witnessed.signature),
        log_public_key=keys.public_key(log_key),
        witness_key=signing.load_private_key(witness_file.read_bytes()),
        previous=None,
        consistency=[],
    )
    checkpoints.add_cosignature(checkpoint=witnessed, key=witness_key, signature=signature)
    out = tmp_path / "witnessed.zip"
    call_command("export_case", opened_case.number, "-o", str(out))
    report = verify_archive(out, log_key.public_pem.encode())
    assert report.ok, report.failed
    assert any(f"联署了树大小 {witnessed.size} 的检查点，本检查点是其延续" in line for line in report.passed)
    # A rewritten history: the witnessed checkpoint replaced by one with another root fails.
    members = _members(out)
    body = next(v for k, v in members.items() if k.endswith("ledger/witnessed-checkpoint.txt")).decode()
    parsed = checkpoints.parse_body(body)
    fake = checkpoints.render_body(
        checkpoints.CheckpointBody(parsed.origin, parsed.size, b"\x09" * 32, parsed.algorithm, parsed.time)
    )
    forged = _reseal(
        out,
        {
            "ledger/witnessed-checkpoint.txt": fake.encode(),
            "ledger/witnessed-checkpoint.sig": keys.load_log_private_key(log_key).sign(fake.encode()),
        },
    )
    assert any("见证联署无效" in line for line in verify_archive(forged, log_key.public_pem.encode()).failed)
