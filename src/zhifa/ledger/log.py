"""Appending to the log and reading proofs out of it.

``append_rows`` is installed as the write-once insert hook: each new record row becomes a leaf
whose data is the canonical JSON of the row *as the database stores it* (read back, so that the
audit, reading the same row years later, computes the same bytes). The caller's transaction holds
the log head's row lock until it commits, so leaf positions are gap-free and in commit order.

Proofs are computed from stored perfect-subtree hashes: any range of the RFC 9162 tree is a fold
of at most log2(n) of them, so an inclusion or consistency proof costs two indexed queries at any
size, and older tree sizes (those of earlier checkpoints) are as cheap as the current one.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.ledger import merkle
from zhifa.ledger.models import Leaf, LogHead, Node, node_key

HEAD_ID = 1
LEAF_FORMAT = "zhifa-leaf/1"


# ---------------------------------------------------------------------------------------------
# Canonical form of a record row


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@functools.cache
def ledgered_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(sorted(f.attname for f in model._meta.concrete_fields))


def row_payload(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    return {name: _plain(values[name]) for name in ledgered_fields(model)}


def leaf_bytes(kind: str, ref: str, row: dict[str, Any]) -> bytes:
    """The exact bytes a leaf hashes: deterministic JSON, UTF-8, sorted keys, no spaces."""
    document = {"format": LEAF_FORMAT, "kind": kind, "ref": ref, "row": row}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def kind_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def stored_rows(model: type[models.Model], pks: Iterable[Any], using: str) -> dict[str, dict[str, Any]]:
    """The rows as the database holds them, keyed by str(pk), as canonical payloads."""
    fields = ledgered_fields(model)
    pk_name = model._meta.pk.attname
    rows = model._base_manager.using(using).filter(pk__in=list(pks)).values(*fields)
    return {str(row[pk_name]): row_payload(model, row) for row in rows}


# ---------------------------------------------------------------------------------------------
# Appending


def write_once_models() -> list[type[models.Model]]:
    """Every table whose rows are leaves, in a stable order."""
    from django.apps import apps

    from zhifa.core.models import WriteOnceModel

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, WriteOnceModel) and model.ledgered and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _rebuilt_head(using: str) -> LogHead:
    """The head row is a cache: recreate it from the stored subtrees (fresh or flushed database)."""
    size = Leaf.objects.using(using).count()
    frontier = b""
    if size:
        subtrees = _Subtrees(using)
        subtrees.want(0, size)
        subtrees.fetch()
        frontier = b"".join(subtrees.hashes[part] for part in _perfect_parts(0, size))
    head, _ = LogHead.objects.using(using).get_or_create(
        pk=HEAD_ID, defaults={"algorithm": settings.ZHIFA_LEDGER_HASH, "size": size, "frontier": frontier}
    )
    return head


def locked_head(using: str = "default") -> LogHead:
    head = LogHead.objects.using(using).select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        _rebuilt_head(using)
        head = LogHead.objects.using(using).select_for_update().get(pk=HEAD_ID)
    configured = settings.ZHIFA_LEDGER_HASH
    if head.algorithm != configured:
        if head.size:
            raise Conflict(
                f"账本已使用 {head.algorithm} 记账，不能改为 {configured}。",
                code="ledger_algorithm_fixed",
            )
        head.algorithm = configured
    return head


_SAFE_JSON_SCALARS = (str, int, bool, type(None))


def _json_safe(value: Any) -> bool:
    """JSON that every backend stores and returns unchanged (floats are not: jsonb rewrites -0.0)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return isinstance(value, _SAFE_JSON_SCALARS)


_UNSAFE = object()


def _checker(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """For one field: a function giving the canonical value as the database will return it, when
    that is certain without asking it, or ``_UNSAFE`` (the row is then read back)."""

    def when(
        condition: Callable[[Any], bool], convert: Callable[[Any], Any] = lambda v: v
    ) -> Callable[[Any], Any]:
        return lambda v: None if v is None else (convert(v) if condition(v) else _UNSAFE)

    if isinstance(field, models.JSONField):
        return when(_json_safe)
    if isinstance(field, models.DateTimeField):
        return when(
            lambda v: isinstance(v, datetime.datetime) and timezone.is_aware(v),
            lambda v: v.astimezone(datetime.UTC).isoformat(),
        )
    if isinstance(field, models.DateField):
        return when(lambda v: type(v) is datetime.date, lambda v: v.isoformat())
    if isinstance(field, models.BooleanField):
        return when(lambda v: isinstance(v, bool))
    if isinstance(field, models.DecimalField):
        quantum = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))

        def decimal_value(v: Any) -> Any:
            if v is None:
                return None
            if not isinstance(v, decimal.Decimal) or not v.is_finite() or v.quantize(quantum) != v:
                return _UNSAFE
            return str(v.quantize(quantum))

        return decimal_value
    if isinstance(field, models.CharField | models.TextField):
        return when(lambda v: isinstance(v, str), str)
    if isinstance(field, models.IntegerField | models.AutoField) or field.is_relation:
        return when(lambda v: isinstance(v, int) and not isinstance(v, bool), int)
    return lambda v: _UNSAFE


@functools.cache
def _checkers(model: type[models.Model]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    return tuple((name, _checker(by_name[name])) for name in ledgered_fields(model))


def memory_payload(obj: models.Model) -> dict[str, Any] | None:
    """The canonical row from the saved instance, or None if any field needs the database's word."""
    payload: dict[str, Any] = {}
    for name, check in _checkers(type(obj)):
        value = check(getattr(obj, name))
        if value is _UNSAFE:
            return None
        payload[name] = value
    return payload


def append_rows(rows: Sequence[models.Model]) -> None:
    """Enter freshly inserted write-once rows in the log (the insert hook). Runs in the caller's
    transaction; side effects: leaf and node rows, the head's size and frontier.

    The leaf holds the row as the database stores it: computed from the instance when every value
    is of a type the database returns unchanged, read back otherwise."""
    rows = [row for row in rows if getattr(type(row), "ledgered", False)]
    if not rows:
        return
    using = rows[0]._state.db or "default"
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("ledger appends must run inside the inserting transaction")
    entries: list[tuple[str, str, bytes] | None] = []
    unsure: dict[type[models.Model], list[tuple[int, models.Model]]] = {}
    for row in rows:
        kind, ref = kind_of(type(row)), str(row.pk)
        payload = memory_payload(row)
        if payload is None:
            unsure.setdefault(type(row), []).append((len(entries), row))
            entries.append(None)
        else:
            entries.append((kind, ref, leaf_bytes(kind, ref, payload)))
    for model, items in unsure.items():
        stored = stored_rows(model, [item.pk for _, item in items], using)
        kind = kind_of(model)
        for position, item in items:
            ref = str(item.pk)
            entries[position] = (kind, ref, leaf_bytes(kind, ref, stored[ref]))
    _append([entry for entry in entries if entry is not None], using)


@functools.cache
def _statements(vendor: str, using: str) -> tuple[str, str, str, str]:
    """The four statements of an append, for the driver's own cursor (its placeholder style)."""
    from django.db import connections

    connection = connections[using]
    q = connection.ops.quote_name
    p = "?" if vendor == "sqlite" else "%s"
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    head_table, leaf_table, node_table = (q(m._meta.db_table) for m in (LogHead, Leaf, Node))
    # Table and column names come from the models; every value is a bound parameter.
    return (
        f"SELECT algorithm, size, frontier FROM {head_table} WHERE id = {p}{lock}",  # noqa: S608
        f"INSERT INTO {leaf_table} ({q('index')}, kind, ref, data, hash, appended_at) "  # noqa: S608
        f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
        f"INSERT INTO {node_table} ({q('key')}, hash) VALUES ({p}, {p})",  # noqa: S608
        f"UPDATE {head_table} SET algorithm = {p}, size = {p}, frontier = {p}, "  # noqa: S608
        f"updated_at = {p} WHERE id = {p}",
    )


def _append(entries: Sequence[tuple[str, str, bytes]], using: str) -> None:
    """Append leaves and the nodes they complete, and move the head — in plain SQL: this runs
    once per record row, in the row's transaction, and must cost little."""
    from django.db import connections

    connection = connections[using]
    select_head, insert_leaf, insert_node, update_head = _statements(connection.vendor, using)
    connection.ensure_connection()
    # The driver's cursor, not Django's wrapper: it is the same connection and transaction, and
    # the wrapper's bookkeeping would cost a third of the append.
    with closing(connection.connection.cursor()) as cursor, connection.wrap_database_errors:
        cursor.execute(select_head, [HEAD_ID])
        found = cursor.fetchone()
        if found is None:  # a fresh or flushed database: the head is rebuilt from the stored tree
            _rebuilt_head(using)
            cursor.execute(select_head, [HEAD_ID])
            found = cursor.fetchone()
        algorithm, size, raw_frontier = found[0], int(found[1]), bytes(found[2])
        configured = settings.ZHIFA_LEDGER_HASH
        if algorithm != configured:
            if size:
                raise Conflict(
                    f"账本已使用 {algorithm} 记账，不能改为 {configured}。", code="ledger_algorithm_fixed"
                )
            algorithm = configured
        frontier = [raw_frontier[i : i + 32] for i in range(0, len(raw_frontier), 32)]
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        leaves: list[tuple[Any, ...]] = []
        nodes: list[tuple[int, bytes]] = []
        for kind, ref, data in entries:
            leaf = merkle.leaf_hash(data, algorithm)
            leaves.append((size, kind, ref, data, leaf, stamp))
            current, level, position = leaf, 0, size
            while position & 1:  # the left sibling at this level is complete: close the pair
                current = merkle.node_hash(frontier.pop(), current, algorithm)
                level, position = level + 1, position >> 1
                nodes.append((node_key(level, position), current))
            frontier.append(current)
            size += 1
        if len(leaves) == 1:
            cursor.execute(insert_leaf, leaves[0])
        else:
            cursor.executemany(insert_leaf, leaves)
        if len(nodes) == 1:
            cursor.execute(insert_node, nodes[0])
        elif nodes:
            cursor.executemany(insert_node, nodes)
        cursor.execute(update_head, [algorithm, size, b"".join(frontier), stamp, HEAD_ID])


# ---------------------------------------------------------------------------------------------
# Reading: roots and proofs at any size up to the current one


def head(using: str = "default") -> LogHead:
    found = LogHead.objects.using(using).filter(pk=HEAD_ID).first()
    return found if found is not None else _rebuilt_head(using)


def _perfect_parts(lo: int, hi: int) -> list[tuple[int, int]]:
    """MTH(D[lo:hi]) as the perfect subtrees it folds, (level, position), largest first."""
    parts: list[tuple[int, int]] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        parts.append((level, lo >> level))
        lo += 1 << level
    return parts


class _Subtrees:
    """Collects the perfect subtrees a computation needs, then fetches them in two queries."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.wanted: set[tuple[int, int]] = set()
        self.hashes: dict[tuple[int, int], bytes] = {}

    def want(self, lo: int, hi: int) -> None:
        self.wanted.update(_perfect_parts(lo, hi))

    def fetch(self) -> None:
        leaf_positions = [p for level, p in self.wanted if level == 0]
        node_keys = [node_key(level, p) for level, p in self.wanted if level > 0]
        if leaf_positions:
            for index, value in (
                Leaf.objects.using(self.using).filter(index__in=leaf_positions).values_list("index", "hash")
            ):
                self.hashes[(0, index)] = bytes(value)
        if node_keys:
            for key, value in (
                Node.objects.using(self.using).filter(key__in=node_keys).values_list("key", "hash")
            ):
                node = Node(key=key)
                self.hashes[(node.level, node.position)] = bytes(value)
        missing = self.wanted - self.hashes.keys()
        if missing:
            raise Conflict(
                f"账本缺少 {len(missing)} 个节点，请运行 zhifa audit。", code="ledger_nodes_missing"
            )

    def root(self, lo: int, hi: int, algorithm: str) -> bytes:
        return merkle.fold_right([self.hashes[part] for part in _perfect_parts(lo, hi)], algorithm)


def _check_size(size: int, using: str) -> LogHead:
    current = head(using)
    if not 0 < size <= current.size:
        raise InvalidInput(
            f"树的大小须在 1 到 {current.size} 之间。", code="ledger_bad_size", details={"size": [str(size)]}
        )
    return current


def root_at(size: int, using: str = "default") -> bytes:
    current = _check_size(size, using)
    subtrees = _Subtrees(using)
    subtrees.want(0, size)
    subtrees.fetch()
    return subtrees.root(0, size, current.algorithm)


def inclusion_proof(index: int, size: int, using: str = "default") -> list[bytes]:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1)."""
    current = _check_size(size, using)
    if not 0 <= index < size:
        raise InvalidInput(
            f"叶子 #{index} 不在大小为 {size} 的树中。",
            code="ledger_bad_index",
            details={"index": [str(index)]},
        )
    ranges = merkle.inclusion_ranges(index, size)
    subtrees = _Subtrees(using)
    for lo, hi in ranges:
        subtrees.want(lo, hi)
    subtrees.fetch()
    return [subtrees.root(lo, hi, current.algorithm) for lo, hi in ranges]


def consistency_proof(size1: int, size2: int, using: str = "default") -> list[bytes]:
    """PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
    current = _check_size(size2, using)
    if not 0 < size1 <= size2:
        raise InvalidInput(
            "一致性证明要求 0 < size1 ≤ size2。", code="ledger_bad_size", details={"size1": [str(size1)]}
        )
    if size1 == size2:
        return []
    ranges = merkle.consistency_ranges(size1, size2)
    subtrees = _Subtrees(using)
    for lo, hi in ranges:
        subtrees.want(lo, hi)
    subtrees.fetch()
    return [subtrees.root(lo, hi, current.algorithm) for lo, hi in ranges]


def leaf_for(obj: models.Model, using: str = "default") -> Leaf | None:
    return Leaf.objects.using(using).filter(kind=kind_of(type(obj)), ref=str(obj.pk)).first()


def leaf_at(index: int, using: str = "default") -> Leaf:
    leaf = Leaf.objects.using(using).filter(index=index).first()
    if leaf is None:
        raise NotFound(f"账本中没有叶子 #{index}。", code="ledger_leaf_not_found")
    return leaf
