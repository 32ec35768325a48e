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
        report.failed.append(f"检查点签名无效：{exc}")
    manifest = _read_json(path, f"{LEDGER_DIR}/witnesses.json")
    for witness in manifest:
        try:
            wkey = signing.load_public_key(bagit.read_member(path, f"{LEDGER_DIR}/{witness['key_file']}"))
            wkey.verify(
                body_text.encode(), bagit.read_member(path, f"{LEDGER_DIR}/{witness['signature_file']}")
            )
            report.passed.append(f"见证联署有效：{witness['holder']}（密钥 {wkey.key_id()}）")
        except (signing.SignatureError, KeyError) as exc:
            report.failed.append(f"见证联署无效：{witness.get('holder', '?')}：{exc}")
    return body


def _leaves(path: Path, report: Report, body: CheckpointBody) -> dict[tuple[str, str], dict[str, Any]]:
    leaves = _read_json(path, f"{LEDGER_DIR}/leaves.json")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
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
        rows[(leaf["kind"], leaf["ref"])] = {**document["row"], "_file": leaf.get("file"), "_where": where}
    report.check(
        bad == 0, f"{len(leaves)} 个叶子的包含证明均成立（树根见检查点）", f"{bad} 个叶子的证明不成立"
    )
    return rows


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
    if len(report.failed) == failures_before:
        report.passed.append(f"{len(events)} 条全过程记录与账本逐条一致")


def _files(path: Path, report: Report, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    count = 0
    for row in rows.values():
        name = row.get("_file")
        if not name:
            continue
        count += 1
        sha256, sm3 = _file_hashes(path, f"data/{name}")
        if sha256 != row.get("sha256") or (row.get("sm3") and sm3 != row["sm3"]):
            report.failed.append(f"{name} 与账本登记的摘要不符（{row['_where']}）")
    if count:
        report.passed.append(f"{count} 个文书与证据文件的 SHA-256/SM3 与账本登记一致")


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
        rows = _leaves(path, report, body)
        _events(path, report, rows)
        _files(path, report, rows)
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
    report = verify_archive(args.archive, Path(args.key).read_bytes() if args.key else None)
    for mark, lines in (("✓", report.passed), ("!", report.warnings), ("✗", report.failed)):
        for line in lines:
            print(f"{mark} {line}")
    print("核验通过。" if report.ok else f"核验不通过：{len(report.failed)} 项。")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
