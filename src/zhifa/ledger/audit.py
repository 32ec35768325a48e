"""``zhifa audit``: recompute the log from the stored rows and name every divergence.

It trusts nothing stored but the record rows themselves and the published public keys:
1. the UPDATE/DELETE triggers are in place;
2. each leaf's hash is the hash of its data, positions run 0..n-1 without gaps;
3. each leaf's data is exactly the canonical form of its row as stored now (a changed row, a
   deleted row, a changed leaf are all named), and every record row has a leaf;
4. every stored node and the head equal what the recomputed leaves give;
5. every checkpoint's root equals the recomputed root at its size, its body says so, and its
   signature and every co-signature verify with the registered public keys.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from django.db import DatabaseError, models, transaction
from django.utils import timezone

from zhifa.ledger import keys, log, merkle, signing
from zhifa.ledger.models import INDEX_BITS, AuditRun, Checkpoint, Leaf, LogHead, Node
from zhifa.ledger.notes import parse_body
from zhifa.ledger.triggers import missing_triggers

BATCH = 2000


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    leaf: int | None = None
    kind: str = ""
    ref: str = ""
    checkpoint: int | None = None


def _label(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name)


def _differing_fields(leaf_data: bytes, row: dict[str, Any]) -> list[str]:
    try:
        logged = json.loads(leaf_data)["row"]
    except (ValueError, KeyError, TypeError):
        return ["(叶子内容无法解析)"]
    names = sorted(set(logged) | set(row))
    return [name for name in names if logged.get(name, "<缺>") != row.get(name, "<缺>")]


class _Auditor:
    def __init__(self, using: str) -> None:
        self.using = using
        self.findings: list[Finding] = []
        self.models = {log.kind_of(model): model for model in log.write_once_models()}
        self.refs: dict[str, set[str]] = {kind: set() for kind in self.models}
        self.level0: list[bytes] = []
        self.algorithm = log.head(using).algorithm

    def add(self, code: str, message: str, **where: Any) -> None:
        self.findings.append(Finding(code=code, message=message, **where))

    # -- leaves against rows ------------------------------------------------------------------

    def leaves(self) -> None:
        expected = 0
        batch: list[tuple[int, str, str, bytes, bytes]] = []
        rows = (
            Leaf.objects.using(self.using)
            .order_by("index")
            .values_list("index", "kind", "ref", "data", "hash")
        )
        for index, kind, ref, data, stored_hash in rows.iterator(chunk_size=BATCH):
            if index != expected:
                self.add("leaf_gap", f"账本叶子 #{expected}–#{index - 1} 缺失（被删除）", leaf=expected)
                self.level0.extend([b"\0" * 32] * (index - expected))
            data, stored_hash = bytes(data), bytes(stored_hash)
            computed = merkle.leaf_hash(data, self.algorithm)
            if computed != stored_hash:
                self.add("leaf_hash", f"账本叶子 #{index} 的哈希与其内容不符", leaf=index, kind=kind, ref=ref)
            self.level0.append(computed)
            batch.append((index, kind, ref, data, stored_hash))
            if len(batch) >= BATCH:
                self._compare(batch)
                batch = []
            expected = index + 1
        self._compare(batch)

    def _compare(self, batch: list[tuple[int, str, str, bytes, bytes]]) -> None:
        wanted: dict[str, list[str]] = {}
        for _, kind, ref, _, _ in batch:
            wanted.setdefault(kind, []).append(ref)
        stored = {
            kind: log.stored_rows(self.models[kind], refs, self.using)
            for kind, refs in wanted.items()
            if kind in self.models
        }
        for index, kind, ref, data, _ in batch:
            model = self.models.get(kind)
            if model is None:
                self.add(
                    "leaf_kind", f"账本叶子 #{index} 的记录类型 {kind} 未知", leaf=index, kind=kind, ref=ref
                )
                continue
            if ref in self.refs[kind]:
                self.add(
                    "leaf_duplicate",
                    f"{_label(model)} #{ref} 在账本中出现两次",
                    leaf=index,
                    kind=kind,
                    ref=ref,
                )
            self.refs[kind].add(ref)
            row = stored[kind].get(ref)
            if row is None:
                self.add(
                    "row_deleted",
                    f"{_label(model)} #{ref} 已从数据库删除（账本叶子 #{index} 仍在）",
                    leaf=index,
                    kind=kind,
                    ref=ref,
                )
            elif log.leaf_bytes(kind, ref, row) != data:
                fields = "、".join(_differing_fields(data, row))
                self.add(
                    "row_changed",
                    f"{_label(model)} #{ref} 与账本叶子 #{index} 不一致（字段：{fields}）",
                    leaf=index,
                    kind=kind,
                    ref=ref,
                )

    def unlogged_rows(self) -> None:
        for kind, model in self.models.items():
            for pk in (
                model._base_manager.using(self.using).values_list("pk", flat=True).iterator(chunk_size=BATCH)
            ):
                if str(pk) not in self.refs[kind]:
                    self.add(
                        "row_unlogged",
                        f"{_label(model)} #{pk} 不在账本中（绕过账本写入）",
                        kind=kind,
                        ref=str(pk),
                    )

    # -- tree, head, checkpoints ----------------------------------------------------------------

    def tree(self) -> list[list[bytes]]:
        levels = [self.level0]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [
                    merkle.node_hash(below[i], below[i + 1], self.algorithm)
                    for i in range(0, len(below) - 1, 2)
                ]
            )
        for level in range(1, len(levels)):
            lo, hi = level << INDEX_BITS, (level + 1) << INDEX_BITS
            stored = dict(
                Node.objects.using(self.using)
                .filter(key__gte=lo, key__lt=hi)
                .values_list("key", "hash")
                .iterator()
            )
            for position, computed in enumerate(levels[level]):
                value = stored.pop(lo | position, None)
                if value is None:
                    self.add("node_missing", f"账本节点 L{level}[{position}] 缺失")
                elif bytes(value) != computed:
                    self.add("node_changed", f"账本节点 L{level}[{position}] 与重算结果不符")
            for key in stored:
                self.add("node_extra", f"账本节点 L{level}[{key - lo}] 不属于任何完整子树")
        return levels

    @staticmethod
    def root_at(levels: list[list[bytes]], size: int, algorithm: str) -> bytes:
        parts = [levels[level][position] for level, position in log._perfect_parts(0, size)]
        return merkle.fold_right(parts, algorithm)

    def head(self, levels: list[list[bytes]]) -> None:
        head = LogHead.objects.using(self.using).filter(pk=log.HEAD_ID).first()
        size = len(self.level0)
        if head is None:
            return
        frontier = b"".join(levels[level][position] for level, position in log._perfect_parts(0, size))
        if head.size != size or bytes(head.frontier) != frontier:
            self.add("head_changed", f"账本状态（大小 {head.size}）与重算结果（大小 {size}）不符")

    def checkpoints(self, levels: list[list[bytes]]) -> int:
        count = 0
        size = len(self.level0)
        for checkpoint in Checkpoint.objects.using(self.using).select_related("key").order_by("size", "pk"):
            count += 1
            where = {"checkpoint": checkpoint.pk}
            if checkpoint.size > size or checkpoint.size < 1:
                self.add(
                    "checkpoint_size", f"检查点 #{checkpoint.pk} 的大小 {checkpoint.size} 超出账本", **where
                )
                continue
            root = self.root_at(levels, checkpoint.size, checkpoint.algorithm)
            if bytes(checkpoint.root) != root:
                self.add(
                    "checkpoint_root",
                    f"检查点 #{checkpoint.pk} 的根哈希与重算结果不符（账本历史被改写）",
                    **where,
                )
            try:
                body = parse_body(checkpoint.body)
                if (body.size, body.root, body.algorithm) != (checkpoint.size, root, checkpoint.algorithm):
                    self.add("checkpoint_body", f"检查点 #{checkpoint.pk} 的签署内容与重算结果不符", **where)
            except ValueError as exc:
                self.add("checkpoint_body", f"检查点 #{checkpoint.pk} 的签署内容无效：{exc}", **where)
            self._signature(checkpoint, checkpoint.key, bytes(checkpoint.signature), "账本签名", where)
            for cosignature in checkpoint.cosignatures.select_related("key"):
                self._signature(checkpoint, cosignature.key, bytes(cosignature.signature), "见证签名", where)
        return count

    def _signature(
        self, checkpoint: Checkpoint, key: Any, signature: bytes, what: str, where: dict[str, Any]
    ) -> None:
        try:
            keys.public_key(key).verify(checkpoint.body.encode(), signature)
        except signing.SignatureError:
            self.add(
                "checkpoint_signature", f"检查点 #{checkpoint.pk} 的{what}（{key.name}）验证失败", **where
            )


def audit(*, using: str = "default") -> tuple[list[Finding], int, int]:
    """Run every check; returns (findings, leaves checked, checkpoints checked)."""
    auditor = _Auditor(using)
    missing = missing_triggers(using=using)
    if missing:
        shown = "、".join(missing[:6]) + (f" 等 {len(missing)} 项" if len(missing) > 6 else "")
        auditor.add("trigger_missing", f"数据库保护触发器缺失（有人删除了触发器）：{shown}")
    auditor.leaves()
    auditor.unlogged_rows()
    levels = auditor.tree() if auditor.level0 else [[]]
    if auditor.level0:
        auditor.head(levels)
    checked = auditor.checkpoints(levels) if auditor.level0 else 0
    return auditor.findings, len(auditor.level0), checked


def run_audit(*, trigger: str = "manual", using: str = "default") -> AuditRun:
    """Audit and keep the result; a divergence alerts administrators and supervisors."""
    run = AuditRun.objects.using(using).create(trigger=trigger)
    try:
        with transaction.atomic(using=using):  # a savepoint: PostgreSQL can go on after an error
            findings, leaves, checkpoints = audit(using=using)
    except DatabaseError as exc:
        # Not a divergence we can name, but not a pass either: keep the run as failed (it would
        # otherwise stay "in progress" forever) and alert, since a table may have been dropped.
        findings = [
            Finding(
                code="audit_failed",
                message=f"核验无法完成：数据库报错（{exc}）。"
                "若刚升级，请先运行 zhifa setup；否则数据表可能被删除或改动。",
            )
        ]
        leaves, checkpoints = 0, 0
    run.finished_at = timezone.now()
    run.ok = not findings
    run.leaves = leaves
    run.checkpoints = checkpoints
    run.findings = [asdict(finding) for finding in findings]
    run.save(update_fields=["finished_at", "ok", "leaves", "checkpoints", "findings"])
    if findings:
        from zhifa.ledger.alerts import alert_divergence

        alert_divergence(run)
    return run
