"""Offline verification of a sealed case file — the archive and a public key, nothing else.

No Django, no database, no network: a court's or a reviewer's machine runs ``zhifa verify
ARCHIVE --key log-key.pem`` (or this module with Python) and gets every check by name.

What is checked, in order:
1. the BagIt bag: the container is byte-canonical, every payload file matches the manifest, the
   tag manifest matches the tag files (so any changed byte anywhere is caught);
2. the checkpoint: its body is canonical and its signature verifies with the given public key
   (witness co-signatures with theirs);
3. every leaf: its hash, and its inclusion proof up to the checkpoint's root;
4. the payload is what the leaves say: every event in record/events.json equals its leaf, and
   every document and evidence file has the SHA-256 and SM3 its leaf recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhifa.ledger import bagit, merkle, signing
from zhifa.ledger.notes import CheckpointBody, parse_body

LEDGER_DIR = "data/ledger"
EVENT_FIELDS = {
    "type": "event_type",
    "step": "step",
    "actor": "actor_name",
    "at": "occurred_at",
    "before": "before",
    "after": "after",
    "reason": "reason",
    "corrects": "corrects_id",
    "digest": "digest",
}


VERDICT = (
    "核验通过：案卷中的每条全过程记录、每个文书与证据文件均与已签名检查点中的账本叶子一致。"
    "（index.html 与 VERIFY.txt 仅供阅读，不在签名范围内。）"
)


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def check(self, condition: bool, good: str, bad: str) -> bool:
        (self.passed if condition else self.failed).append(good if condition else bad)
        return condition


def _read_json(path: Path, name: str) -> Any:
    return json.loads(bagit.read_member(path, name))


def _file_hashes(path: Path, name: str) -> tuple[str, str]:
    sha256, sm3 = hashlib.sha256(), hashlib.new("sm3")
    for block in bagit.iter_member(path, name):
        sha256.update(block)
        sm3.update(block)
    return sha256.hexdigest(), sm3.hexdigest()


def _checkpoint(path: Path, report: Report, key_pem: bytes | None) -> CheckpointBody | None:
    body_text = bagit.read_member(path, f"{LEDGER_DIR}/checkpoint.txt").decode("utf-8")
    signature = bagit.read_member(path, f"{LEDGER_DIR}/checkpoint.sig")
    try:
        body = parse_body(body_text)
    except ValueError as exc:
        report.failed.append(f"检查点正文无效：{exc}")
        return None
    if key_pem is None:
        key_pem = bagit.read_member(path, f"{LEDGER_DIR}/log-key.pem")
        report.warnings.append(
            "未提供独立取得的公钥（--key），仅用案卷自带的公钥核验签名：这只能证明案卷内部一致；"
            "请从执法机关公开的公钥核验。"
        )
    try:
        public = signing.load_public_key(key_pem)
        public.verify(body_text.encode(), signature)
        report.passed.append(
            f"检查点签名有效（{public.algorithm.upper()}，密钥 {public.key_id()}，树大小 {body.size}）"
        )
    except signing.SignatureError as exc:
        report.failed.append(f"检查点签名无效：{exc}{_other_key_hint(path, key_pem)}")
    _note(path, report, body_text, signature)
    manifest = _read_json(path, f"{LEDGER_DIR}/witnesses.json")
    for witness in manifest:
        witnessed_file = witness.get("checkpoint_file", "checkpoint.txt")
        try:
            if witnessed_file == "checkpoint.txt":
                witnessed_text, extension = body_text, ""
            elif witnessed_file == "witnessed-checkpoint.txt":
                witnessed_text = _earlier_checkpoint(path, body, public_key_pem=key_pem or b"")
                extension = "，本检查点是其延续（一致性证明成立）"
            else:
                raise KeyError(witnessed_file)
            wkey = signing.load_public_key(bagit.read_member(path, f"{LEDGER_DIR}/{witness['key_file']}"))
            wkey.verify(
                witnessed_text.encode(), bagit.read_member(path, f"{LEDGER_DIR}/{witness['signature_file']}")
            )
            size = parse_body(witnessed_text).size
            report.passed.append(
                f"见证联署有效：{witness['holder']}（密钥 {wkey.key_id()}）"
                f"联署了树大小 {size} 的检查点{extension}"
            )
        except (signing.SignatureError, KeyError, ValueError, merkle.ProofError) as exc:
            report.failed.append(f"见证联署无效：{witness.get('holder', '?')}：{exc}")
    return body


def _earlier_checkpoint(path: Path, body: CheckpointBody, *, public_key_pem: bytes) -> str:
    """The earlier, witnessed checkpoint: signed by the same log key, and extended by this one
    (RFC 9162 consistency proof). Raises what fails."""
    text = bagit.read_member(path, f"{LEDGER_DIR}/witnessed-checkpoint.txt").decode("utf-8")
    earlier = parse_body(text)
    key_pem = public_key_pem or bagit.read_member(path, f"{LEDGER_DIR}/log-key.pem")
    try:
        signing.load_public_key(key_pem).verify(
            text.encode(), bagit.read_member(path, f"{LEDGER_DIR}/witnessed-checkpoint.sig")
        )
    except signing.SignatureError as exc:
        raise ValueError(f"被联署的检查点的账本签名无效：{exc}") from exc
    proof = _read_json(path, f"{LEDGER_DIR}/witnessed-consistency.json")
    if (proof["size1"], proof["size2"]) != (earlier.size, body.size) or earlier.algorithm != body.algorithm:
        raise ValueError("一致性证明与两个检查点的大小不符")
    merkle.verify_consistency(
        earlier.size,
        body.size,
        [bytes.fromhex(h) for h in proof["proof"]],
        earlier.root,
        body.root,
        body.algorithm,
    )
    return text


FILE_KINDS = ("documents.document", "evidence.evidence")
# Payload files that are not records themselves: checked through the leaves (leaves.json,
# events.json), the signature (checkpoint.*) or only for reading (index.html, VERIFY.txt).
FIXED_PAYLOAD = {
    "data/index.html",
    "data/record/events.json",
    *(
        f"{LEDGER_DIR}/{name}"
        for name in (
            "witnessed-checkpoint.txt",
            "witnessed-checkpoint.sig",
            "witnessed-consistency.json",
            "checkpoint.txt",
            "checkpoint.sig",
            "checkpoint.note",
            "log-key.pem",
            "leaves.json",
            "witnesses.json",
            "VERIFY.txt",
        )
    ),
}


@dataclass
class _Leaves:
    """The proven leaves: rows by (kind, ref), and every (file, row, where) the archive names."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    files: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


def _other_key_hint(path: Path, key_pem: bytes) -> str:
    """When the key given is not the one the archive names (a rotated key, say), say so: the
    checkpoint may be genuine, signed by the bureau's earlier key, which stays published."""
    try:
        given = signing.load_public_key(key_pem).key_id()
        named = signing.load_public_key(bagit.read_member(path, f"{LEDGER_DIR}/log-key.pem")).key_id()
    except (signing.SignatureError, bagit.BagError, KeyError):
        return ""
    if given == named:
        return ""
    return (
        f"。案卷由密钥 {named} 签署，而提供的是密钥 {given}：若执法机关已轮换密钥，"
        f"请从其公开核验页取得密钥 {named}（已停用的公钥仍公开）再核验"
    )


def _leaves(path: Path, report: Report, body: CheckpointBody) -> _Leaves:
    leaves = _read_json(path, f"{LEDGER_DIR}/leaves.json")
    found = _Leaves()
    bad = 0
    for leaf in leaves:
        data = leaf["data"].encode("utf-8")
        leaf_hash = merkle.leaf_hash(data, body.algorithm)
        where = f"叶子 #{leaf['index']}（{leaf['kind']} #{leaf['ref']}）"
        try:
            merkle.verify_inclusion(
                leaf["index"],
                body.size,
                leaf_hash,
                [bytes.fromhex(h) for h in leaf["proof"]],
                body.root,
                body.algorithm,
            )
        except (merkle.ProofError, ValueError) as exc:
            report.failed.append(f"{where} 的包含证明不成立：{exc}")
            bad += 1
            continue
        document = json.loads(data)
        if (document.get("kind"), document.get("ref")) != (leaf["kind"], leaf["ref"]):
            report.failed.append(f"{where} 的内容与其标注不符")
            bad += 1
            continue
        row = document["row"]
        found.rows[(leaf["kind"], leaf["ref"])] = row
        # Every entry counts, not one per leaf: the same record may be filed twice.
        if leaf.get("file"):
            found.files.append((str(leaf["file"]), row, where))
        elif leaf["kind"] in FILE_KINDS:
            report.failed.append(f"{where} 登记了文件摘要，但案卷没有指明对应的文件")
    report.check(
        bad == 0, f"{len(leaves)} 个叶子的包含证明均成立（树根见检查点）", f"{bad} 个叶子的证明不成立"
    )
    return found


def _events(path: Path, report: Report, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    events = _read_json(path, "data/record/events.json")
    failures_before = len(report.failed)
    listed = set()
    for event in events:
        key = ("records.recordevent", str(event["id"]))
        listed.add(key)
        row = rows.get(key)
        if row is None:
            report.failed.append(f"全过程记录 #{event['id']} 没有账本叶子")
            continue
        differing = [name for name, column in EVENT_FIELDS.items() if event.get(name) != row.get(column)]
        if differing:
            report.failed.append(f"全过程记录 #{event['id']} 与账本不一致（{'、'.join(differing)}）")
    missing = {k for k in rows if k[0] == "records.recordevent"} - listed
    for _, ref in sorted(missing, key=lambda k: int(k[1])):
        report.failed.append(f"账本中的全过程记录 #{ref} 不在 events.json 中")
    _continuity(report, rows)
    if len(report.failed) == failures_before:
        report.passed.append(f"{len(events)} 条全过程记录与账本逐条一致")


def _continuity(report: Report, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    """What the signed events say about each other: every state transition starts where the
    previous one ended (a dropped transition breaks the chain), and every evidence item an event
    records is in the archive with the hashes the event gives (a dropped evidence file is named)."""
    events = sorted(
        (row for (kind, _), row in rows.items() if kind == "records.recordevent"),
        key=lambda row: int(row.get("id") or 0),
    )
    evidence = {ref: row for (kind, ref), row in rows.items() if kind == "evidence.evidence"}
    state: str | None = None
    for row in events:
        before, after = row.get("before") or {}, row.get("after") or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        if row.get("event_type") == "transition" and state is not None and before.get("state") != state:
            report.failed.append(
                f"全过程记录 #{row.get('id')} 从“{before.get('state')}”状态开始，而上一条记录止于"
                f"“{state}”：两者之间的记录不在案卷中"
            )
        if row.get("event_type") in ("case_opened", "transition") and "state" in after:
            state = after["state"]
        if row.get("event_type") == "evidence_added" and after.get("evidence_id") is not None:
            item = evidence.get(str(after["evidence_id"]))
            if item is None:
                report.failed.append(
                    f"全过程记录 #{row.get('id')} 登记的证据 #{after['evidence_id']} 不在案卷中"
                )
            elif after.get("sha256") and item.get("sha256") != after["sha256"]:
                report.failed.append(
                    f"证据 #{after['evidence_id']} 的摘要与全过程记录 #{row.get('id')} 登记的不同"
                )


def _seal(report: Report, found: _Leaves) -> None:
    """The archive's own seal (the last event, signed like the others) lists every event and
    file the archive must hold: a dropped event — even the last one — or file is named."""
    events = {ref: row for (kind, ref), row in found.rows.items() if kind == "records.recordevent"}
    seals = [row for row in events.values() if row.get("event_type") == "case_file_sealed"]
    if not seals:
        report.failed.append("案卷缺少封存记录（case_file_sealed），无法确认记录与文件齐全")
        return
    seal = max(seals, key=lambda row: int(row.get("id") or 0))
    if int(seal.get("id") or 0) != max(int(ref) for ref in events):
        report.failed.append("封存记录之后还有记录：案卷封存后被追加过内容")
    listed = {str(i) for i in (seal.get("after") or {}).get("events", [])}
    present = set(events) - {str(seal.get("id"))}
    for ref in sorted(listed - present, key=int):
        report.failed.append(f"封存记录列明的全过程记录 #{ref} 不在案卷中")
    for ref in sorted(present - listed, key=int):
        report.failed.append(f"全过程记录 #{ref} 不在封存记录的清单中")
    sealed_files = {(f.get("path"), f.get("sha256")) for f in (seal.get("after") or {}).get("files", [])}
    filed = {(name, row.get("sha256")) for name, row, _ in found.files}
    for name, _ in sorted(sealed_files - filed, key=str):
        report.failed.append(f"封存记录列明的文件 {name} 不在案卷中（或摘要不同）")
    for name, _ in sorted(filed - sealed_files, key=str):
        report.failed.append(f"文件 {name} 不在封存记录的清单中")
    if listed == present and sealed_files == filed:
        report.passed.append(
            f"封存记录（全过程记录 #{seal.get('id')}）列明的 {len(listed)} 条记录和 {len(filed)} 个文件齐全"
        )


def _files(path: Path, report: Report, found: _Leaves) -> None:
    named: set[str] = set()
    for name, row, where in found.files:
        named.add(f"data/{name}")
        sha256, sm3 = _file_hashes(path, f"data/{name}")
        if sha256 != row.get("sha256") or (row.get("sm3") and sm3 != row["sm3"]):
            report.failed.append(f"{name} 与账本登记的摘要不符（{where}）")
    witnesses = _read_json(path, f"{LEDGER_DIR}/witnesses.json")
    expected = FIXED_PAYLOAD | named
    for witness in witnesses:
        expected |= {f"{LEDGER_DIR}/{witness.get(k)}" for k in ("key_file", "signature_file")}
    for name in bagit.member_names(path):
        if name.startswith("data/") and name not in expected:
            report.failed.append(f"{name[len('data/') :]} 不对应任何账本叶子（案卷中多出的文件）")
    if found.files:
        report.passed.append(f"{len(found.files)} 个文书与证据文件的 SHA-256/SM3 与账本登记一致")


def _note(path: Path, report: Report, body_text: str, signature: bytes) -> None:
    """checkpoint.note (the signed note a court may use instead) must say what the .txt/.sig say."""
    note = bagit.read_member(path, f"{LEDGER_DIR}/checkpoint.note").decode("utf-8")
    head, _, lines = note.partition("\n\n") if note.startswith(body_text) else ("", "", "")
    first = lines.split("\n", 1)[0]
    try:
        blob = base64.b64decode(first.rsplit(" ", 1)[-1], validate=True) if first.startswith("— ") else b""
    except ValueError:
        blob = b""
    if head + "\n" != body_text or blob[4:] != signature:
        report.failed.append("checkpoint.note 与 checkpoint.txt、checkpoint.sig 不符")


def verify_archive(archive: str | Path, key_pem: bytes | None = None) -> Report:
    """Every check, by name. ``key_pem`` is the log's public key obtained independently."""
    path = Path(archive)
    report = Report()
    problems = bagit.validate_bag(path)
    for problem in problems:
        report.failed.append(f"{problem.path}：{problem.message}")
    if problems:
        return report  # the bag itself is damaged: its contents cannot be trusted further
    report.passed.append("BagIt 封装完整：每个文件的 SHA-256 与清单一致，封装字节为规范形式")
    try:
        body = _checkpoint(path, report, key_pem)
        if body is None:
            return report
        found = _leaves(path, report, body)
        _events(path, report, found.rows)
        _files(path, report, found)
        _seal(report, found)
    except (bagit.BagError, KeyError, ValueError, TypeError) as exc:
        report.failed.append(f"案卷内容不完整或格式错误：{exc}")
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m zhifa.ledger.verify ARCHIVE [--key PEM]``: the same check without Django."""
    import argparse

    parser = argparse.ArgumentParser(description="离线核验封存电子案卷")
    parser.add_argument("archive")
    parser.add_argument("--key", help="执法机关公开的账本公钥（PEM）")
    args = parser.parse_args(argv)
    try:
        key = Path(args.key).read_bytes() if args.key else None
    except OSError as exc:
        print(f"无法读取公钥文件 {args.key}：{exc.strerror or exc}")
        return 2
    if not Path(args.archive).exists():
        print(f"找不到文件：{args.archive}")
        return 2
    report = verify_archive(args.archive, key)
    for mark, lines in (("✓", report.passed), ("!", report.warnings), ("✗", report.failed)):
        for line in lines:
            print(f"{mark} {line}")
    print(VERDICT if report.ok else f"核验不通过：{len(report.failed)} 项。")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
