"""The ledger (防篡改账本): an append-only Merkle log (RFC 9162 style) under every record row.

Every row of every write-once table (``core.models.WriteOnceModel``: record events, documents,
evidence, catalogue versions, organisation history …) becomes one ``Leaf`` in the same
transaction that inserts it. ``Node`` keeps the hash of every complete perfect subtree, so a proof
at any tree size needs O(log n) lookups. ``Checkpoint`` is a signed tree head; a witness key held
by the supervising body may co-sign it (``Cosignature``). ``LogHead`` is the only mutable row: the
current size and the roots of the perfect subtrees that make up the tree (its "frontier"), kept so
that an append does not have to read the tree.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from zhifa.core.models import WriteOnceModel

# A node is stored under one integer key: level in the high bits, index in the low 42 bits
# (4.4 × 10^12 leaves is far beyond any bureau).
INDEX_BITS = 42


def node_key(level: int, index: int) -> int:
    return (level << INDEX_BITS) | index


class PositionField(models.BigIntegerField):
    """A 64-bit primary key that SQLite stores as the row id itself ("integer primary key"):
    one B-tree per table instead of two, which halves the pages an append writes."""

    def db_type(self, connection: Any) -> str | None:
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class LogHead(models.Model):
    """The tip of the log (one row). Everything here can be recomputed from the leaves."""

    algorithm = models.CharField("哈希算法", max_length=10)
    size = models.BigIntegerField("叶子数", default=0)
    frontier = models.BinaryField("完全子树根", default=b"")
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "账本状态"
        verbose_name_plural = "账本状态"

    def __str__(self) -> str:
        return f"{self.algorithm} size={self.size}"


class Leaf(WriteOnceModel):
    """One entry of the log: ``data`` is exactly the bytes that were hashed (canonical JSON of
    the record row), so the leaf can be checked against its row and by anyone outside."""

    ledgered = False  # the log does not log itself
    write_once_verb = "追加"

    index = PositionField("序号", primary_key=True)
    kind = models.CharField("记录类型", max_length=60)
    ref = models.CharField("记录主键", max_length=64)
    data = models.BinaryField("叶子内容")
    hash = models.BinaryField("叶子哈希", max_length=32)
    appended_at = models.DateTimeField("入账时间", default=timezone.now)

    class Meta:
        verbose_name = "账本叶子"
        verbose_name_plural = "账本叶子"
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="ledger_leaf_one_per_row")]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}:{self.ref}"


class Node(WriteOnceModel):
    """The hash of a complete perfect subtree of 2^level leaves starting at leaf index·2^level."""

    ledgered = False
    write_once_verb = "追加"

    key = PositionField("位置", primary_key=True)
    hash = models.BinaryField("哈希", max_length=32)

    class Meta:
        verbose_name = "账本节点"
        verbose_name_plural = "账本节点"

    @property
    def level(self) -> int:
        return int(self.key) >> INDEX_BITS

    @property
    def position(self) -> int:
        return int(self.key) & ((1 << INDEX_BITS) - 1)

    def __str__(self) -> str:
        return f"L{self.level}[{self.position}]"


class KeyRole(models.TextChoices):
    LOG = "log", "账本签名密钥"
    WITNESS = "witness", "见证（监督机关）密钥"


class SigningKey(WriteOnceModel):
    """A published public key. The private half never enters the database: the bureau's log key
    lives in ``ZHIFA_LEDGER_KEYS_DIR``; a witness key stays with the supervising body."""

    key_id = models.CharField("密钥标识", max_length=16, unique=True)
    name = models.CharField("名称", max_length=100)
    role = models.CharField("用途", max_length=10, choices=KeyRole.choices)
    algorithm = models.CharField("签名算法", max_length=10)
    public_pem = models.TextField("公钥(PEM)")
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    holder = models.CharField("持有方", max_length=100, blank=True)

    class Meta:
        verbose_name = "签名公钥"
        verbose_name_plural = "签名公钥"
        ordering = ["created_at", "key_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.algorithm} {self.key_id})"


class KeyRetirement(WriteOnceModel):
    """A key taken out of use (rotation or compromise). Its old signatures stay checkable."""

    key = models.OneToOneField(SigningKey, on_delete=models.PROTECT, related_name="retirement")
    retired_at = models.DateTimeField("停用时间", default=timezone.now)
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "密钥停用"
        verbose_name_plural = "密钥停用"


class Checkpoint(WriteOnceModel):
    """A signed tree head: ``body`` (the signed text, C2SP checkpoint form) names the origin, the
    size, the root and — on extension lines — the hash algorithm and the time."""

    ledgered = False
    write_once_verb = "新增"

    size = models.BigIntegerField("叶子数", db_index=True)
    root = models.BinaryField("根哈希", max_length=32)
    algorithm = models.CharField("哈希算法", max_length=10)
    made_at = models.DateTimeField("签署时间", default=timezone.now)
    body = models.TextField("签署内容")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="checkpoints")
    signature = models.BinaryField("签名")
    trigger = models.CharField("产生方式", max_length=20, default="manual")

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
        ordering = ["-size", "-id"]

    def __str__(self) -> str:
        return f"检查点 #{self.pk} size={self.size}"


class Cosignature(WriteOnceModel):
    """A witness's signature over the same checkpoint body, given only after the witness checked
    that this checkpoint extends the last one it co-signed."""

    ledgered = False
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="cosignatures")
    signature = models.BinaryField("签名")
    made_at = models.DateTimeField("见证时间", default=timezone.now)

    class Meta:
        verbose_name = "见证签名"
        verbose_name_plural = "见证签名"
        constraints = [models.UniqueConstraint(fields=["checkpoint", "key"], name="ledger_one_cosig_per_key")]


class AuditRun(models.Model):
    """One run of ``zhifa audit``: what it checked and every divergence it found."""

    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    trigger = models.CharField("触发方式", max_length=20, default="manual")
    ok = models.BooleanField("是否一致", null=True)
    leaves = models.BigIntegerField("核验叶子数", default=0)
    checkpoints = models.IntegerField("核验检查点数", default=0)
    findings: Any = models.JSONField("发现的问题", default=list)

    class Meta:
        verbose_name = "账本核验"
        verbose_name_plural = "账本核验"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"核验 {self.started_at:%Y-%m-%d %H:%M} {'一致' if self.ok else '不一致'}"
