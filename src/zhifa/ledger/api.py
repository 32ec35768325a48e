"""The ledger in the JSON API: checkpoints, public keys and proofs are open to anyone (they hold
hashes, not records); a leaf's data is a record, so it needs a staff token and the right to see
the record's case. Witnesses post co-signatures, which are checked against their registered key.

No ``from __future__ import annotations``: ninja reads the signatures at import time.
"""

import base64
import binascii
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from zhifa.core.api import errors
from zhifa.core.errors import InvalidInput, NotFound, NotPermitted
from zhifa.ledger import checkpoints, log, selectors
from zhifa.ledger.audit import run_audit
from zhifa.ledger.models import AuditRun
from zhifa.org import permissions
from zhifa.org.models import Role

router = Router(tags=["防篡改账本"])


class KeyOut(Schema):
    key_id: str = Field(description="SHA-256(公钥DER) 的前16位十六进制")
    name: str
    role: str = Field(description="log 账本签名 / witness 见证（监督机关）")
    algorithm: str = Field(description="sm2 或 ed25519")
    holder: str
    created_at: datetime.datetime
    retired_at: datetime.datetime | None
    public_pem: str


class CheckpointOut(Schema):
    id: int
    size: int
    root: str = Field(description="根哈希（十六进制）")
    algorithm: str = Field(description="哈希算法：sm3 或 sha256")
    made_at: datetime.datetime
    key_id: str
    signature_algorithm: str
    witnesses: list[str] = Field(description="已联署的见证密钥")
    body: str = Field(description="被签署的正文（C2SP checkpoint 格式）")
    note: str = Field(description="正文 + 签名行（signed note）")


class HeadOut(Schema):
    size: int
    algorithm: str
    latest_checkpoint: CheckpointOut | None


class InclusionOut(Schema):
    leaf_index: int
    kind: str
    ref: str
    leaf_hash: str
    algorithm: str
    tree_size: int
    root: str
    proof: list[str] = Field(description="审计路径（十六进制），自叶子向根")
    checkpoint_id: int
    checkpoint: str


class LeafOut(InclusionOut):
    leaf_data: str = Field(description="被哈希的原始内容（规范JSON）")


class ConsistencyOut(Schema):
    size1: int
    size2: int
    algorithm: str
    proof: list[str]


class CosignatureIn(Schema):
    key_id: str
    signature: str = Field(description="对检查点正文的签名，Base64")


class AuditOut(Schema):
    id: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    trigger: str
    ok: bool | None
    leaves: int
    checkpoints: int
    findings: list[dict[str, Any]]


def _can_audit(user: Any) -> bool:
    return permissions.has_role(user, (Role.ADMIN, Role.SUPERVISOR))


@router.get("/head", auth=None, response={200: HeadOut}, summary="账本当前大小与最新检查点")
def get_head(request: HttpRequest) -> Any:
    head = log.head()
    latest = checkpoints.latest_checkpoint()
    return {
        "size": head.size,
        "algorithm": head.algorithm,
        "latest_checkpoint": selectors.checkpoint_row(latest) if latest else None,
    }


@router.get("/keys", auth=None, response={200: list[KeyOut]}, summary="公开的签名公钥（含已停用的）")
def list_keys(request: HttpRequest) -> Any:
    return selectors.key_rows()


@router.get("/checkpoints", auth=None, response={200: list[CheckpointOut]}, summary="最近的检查点")
def list_checkpoints(request: HttpRequest, limit: int = 20) -> Any:
    return [selectors.checkpoint_row(c) for c in selectors.recent_checkpoints(max(1, min(limit, 200)))]


@router.post("/checkpoints", response={201: CheckpointOut, **errors(401, 403, 409)}, summary="立即签署检查点")
def create_checkpoint(request: HttpRequest) -> Any:
    if not permissions.is_admin(request.user):
        raise NotPermitted("只有管理员可以签署检查点。")
    checkpoint = checkpoints.make_checkpoint(actor=request.user, trigger="api")
    return Status(201, selectors.checkpoint_row(checkpoint))


@router.get(
    "/checkpoints/{checkpoint_id}", auth=None, response={200: CheckpointOut, **errors(404)}, summary="检查点"
)
def get_checkpoint(request: HttpRequest, checkpoint_id: int) -> Any:
    return selectors.checkpoint_row(checkpoints.get_checkpoint(checkpoint_id))


@router.post(
    "/checkpoints/{checkpoint_id}/cosignatures",
    auth=None,
    response={201: CheckpointOut, **errors(404, 409, 422)},
    summary="见证联署（监督机关提交对检查点正文的签名）",
)
def add_cosignature(request: HttpRequest, checkpoint_id: int, payload: CosignatureIn) -> Any:
    checkpoint = checkpoints.get_checkpoint(checkpoint_id)
    key = selectors.key_by_id(payload.key_id)
    if key is None:
        raise NotFound("见证公钥未登记。", code="ledger_key_not_found")
    try:
        signature = base64.b64decode(payload.signature, validate=True)
    except binascii.Error as exc:
        raise InvalidInput("签名不是有效的 Base64。", details={"signature": ["Base64"]}) from exc
    checkpoints.add_cosignature(checkpoint=checkpoint, key=key, signature=signature)
    return Status(201, selectors.checkpoint_row(checkpoint))


@router.get(
    "/proofs/inclusion",
    auth=None,
    response={200: InclusionOut, **errors(404, 409, 422)},
    summary="包含证明：叶子在检查点树中的审计路径",
)
def inclusion_proof(request: HttpRequest, index: int, checkpoint_id: int | None = None) -> Any:
    checkpoint = checkpoints.get_checkpoint(checkpoint_id) if checkpoint_id is not None else None
    return selectors.inclusion_bundle(index, checkpoint, with_data=False)


@router.get(
    "/proofs/consistency",
    auth=None,
    response={200: ConsistencyOut, **errors(422)},
    summary="一致性证明：较大的树是较小的树的延续",
)
def consistency_proof(request: HttpRequest, size1: int, size2: int) -> Any:
    proof = log.consistency_proof(size1, size2)
    return {
        "size1": size1,
        "size2": size2,
        "algorithm": log.head().algorithm,
        "proof": [h.hex() for h in proof],
    }


@router.get(
    "/leaves/{index}", response={200: LeafOut, **errors(401, 403, 404, 409)}, summary="叶子内容及其包含证明"
)
def get_leaf(request: HttpRequest, index: int) -> Any:
    refusal = selectors.may_read_leaf(request.user, selectors.leaf_row(index))
    if refusal:
        raise NotPermitted(refusal)
    return selectors.inclusion_bundle(index)


@router.get("/audits", response={200: list[AuditOut], **errors(401, 403)}, summary="账本核验记录")
def list_audits(request: HttpRequest) -> Any:
    if not _can_audit(request.user):
        raise NotPermitted("只有管理员和监督人员可以查看账本核验。")
    return list(AuditRun.objects.order_by("-started_at")[:50])


@router.post("/audits", response={201: AuditOut, **errors(401, 403)}, summary="立即核验账本")
def create_audit(request: HttpRequest) -> Any:
    if not _can_audit(request.user):
        raise NotPermitted("只有管理员和监督人员可以核验账本。")
    return Status(201, run_audit(trigger="api"))
