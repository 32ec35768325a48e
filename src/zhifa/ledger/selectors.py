"""Reads shared by the ledger's pages, its API and the sealed case file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from zhifa.core.errors import Conflict
from zhifa.ledger import checkpoints, keys, log, merkle
from zhifa.ledger.models import Checkpoint, Leaf, SigningKey


@dataclass(frozen=True)
class LeafStatus:
    index: int
    checkpoint_id: int | None  # the latest checkpoint covering it, None while waiting for one


def statuses(objects: Iterable[models.Model]) -> dict[Any, LeafStatus]:
    """For each object (of one model), its leaf and whether a checkpoint covers it; keyed by pk."""
    items = list(objects)
    if not items:
        return {}
    kind = log.kind_of(type(items[0]))
    by_ref = dict(
        Leaf.objects.filter(kind=kind, ref__in=[str(o.pk) for o in items]).values_list("ref", "index")
    )
    latest = checkpoints.latest_checkpoint()
    result: dict[Any, LeafStatus] = {}
    for item in items:
        index = by_ref.get(str(item.pk))
        if index is not None:
            covered = latest.pk if latest is not None and latest.size > index else None
            result[item.pk] = LeafStatus(index=index, checkpoint_id=covered)
    return result


def inclusion_bundle(
    index: int, checkpoint: Checkpoint | None = None, *, with_data: bool = True
) -> dict[str, Any]:
    """Everything needed to check one leaf offline: its data, its hash, the audit path to the
    checkpoint's root, and the checkpoint (signed note) itself."""
    leaf = log.leaf_at(index)
    checkpoint = checkpoint or checkpoints.covering_checkpoint(index)
    if checkpoint is None:
        raise Conflict(
            f"叶子 #{index} 尚未纳入检查点；请等待下一个检查点，或由管理员立即签署。",
            code="ledger_not_yet_checkpointed",
        )
    if checkpoint.size <= index:
        raise Conflict(f"检查点 #{checkpoint.pk} 不包含叶子 #{index}。", code="ledger_not_in_checkpoint")
    proof = log.inclusion_proof(index, checkpoint.size)
    bundle: dict[str, Any] = {
        "leaf_index": index,
        "kind": leaf.kind,
        "ref": leaf.ref,
        "leaf_hash": bytes(leaf.hash).hex(),
        "algorithm": checkpoint.algorithm,
        "tree_size": checkpoint.size,
        "root": bytes(checkpoint.root).hex(),
        "proof": [h.hex() for h in proof],
        "checkpoint_id": checkpoint.pk,
        "checkpoint": checkpoints.signed_note(checkpoint),
    }
    if with_data:
        bundle["leaf_data"] = bytes(leaf.data).decode()
    return bundle


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """What fails in a bundle (empty if it verifies). Used by the proof page; the offline
    verifier does the same from the archive alone."""
    problems: list[str] = []
    algorithm = bundle["algorithm"]
    if (
        "leaf_data" in bundle
        and merkle.leaf_hash(bundle["leaf_data"].encode(), algorithm).hex() != bundle["leaf_hash"]
    ):
        problems.append("叶子内容与叶子哈希不符")
    try:
        merkle.verify_inclusion(
            bundle["leaf_index"],
            bundle["tree_size"],
            bytes.fromhex(bundle["leaf_hash"]),
            [bytes.fromhex(h) for h in bundle["proof"]],
            bytes.fromhex(bundle["root"]),
            algorithm,
        )
    except merkle.ProofError as exc:
        problems.append(f"包含证明不成立：{exc}")
    return problems


def leaf_row(index: int) -> dict[str, Any]:
    return json.loads(bytes(log.leaf_at(index).data))


def key_rows() -> list[dict[str, Any]]:
    rows = []
    for key in keys.published_keys():
        retirement = getattr(key, "retirement", None)
        rows.append(
            {
                "key_id": key.key_id,
                "name": key.name,
                "role": key.role,
                "role_label": key.get_role_display(),
                "algorithm": key.algorithm,
                "holder": key.holder,
                "created_at": key.created_at,
                "retired_at": retirement.retired_at if retirement else None,
                "retired_reason": retirement.reason if retirement else "",
                "public_pem": key.public_pem,
            }
        )
    return rows


def checkpoint_row(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "id": checkpoint.pk,
        "size": checkpoint.size,
        "root": bytes(checkpoint.root).hex(),
        "algorithm": checkpoint.algorithm,
        "made_at": checkpoint.made_at,
        "key_id": checkpoint.key.key_id,
        "signature_algorithm": checkpoint.key.algorithm,
        "witnesses": [c.key.key_id for c in checkpoint.cosignatures.select_related("key")],
        "body": checkpoint.body,
        "note": checkpoints.signed_note(checkpoint),
    }


def recent_checkpoints(limit: int = 20) -> list[Checkpoint]:
    return list(Checkpoint.objects.select_related("key").order_by("-size", "-pk")[:limit])


def key_by_id(key_id: str) -> SigningKey | None:
    return SigningKey.objects.filter(key_id=key_id).first()


# Record kinds whose rows carry personal data of staff (ID numbers, phone numbers in history):
# readable by those who manage the organisation or supervise, not by every member of staff.
_STAFF_DATA_KINDS = ("org.", "evidence.devicehandover")


def may_read_leaf(user: Any, document: dict[str, Any]) -> str:
    """Why ``user`` may not read this leaf's record ("" if they may): a case's record only for
    those who may see the case; staff history only for administrators and supervisors."""
    from zhifa.org import permissions
    from zhifa.org.models import Role

    row = document.get("row", {})
    case_id = row.get("case_id")
    if case_id is not None:
        from zhifa.cases.selectors import visible_cases

        if not visible_cases(user).filter(pk=case_id).exists():
            return "您无权查看该案件的记录。"
        return ""
    if str(document.get("kind", "")).startswith(_STAFF_DATA_KINDS) and not (
        permissions.can_manage_org(user) or permissions.has_role(user, (Role.SUPERVISOR, Role.ADMIN))
    ):
        return "只有管理员和监督人员可以查看人员与设备的变更记录。"
    return ""
