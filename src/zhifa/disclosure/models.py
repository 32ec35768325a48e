"""事后公开 (R-PUB §2.3): the publication of a decision with its 双公示 fields.

A ``Publication`` is the anchor — one per decision of a case. What the public may read is a
``PublicationVersion`` (written once, already masked); what happened to it is a
``PublicationEvent`` (written once: publish, correct, withdraw, expire). Its status is derived
from its events, never stored. Versions and events are leaves of the ledger, so a withdrawn or
expired publication leaves the fact that it was published behind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhifa.core.models import WriteOnceModel
from zhifa.records.models import EventType

# Each step of a publication (recorded, published, corrected, withdrawn, expired) is a 事后公开
# event on the case, with ``after["title"]`` naming the step (e.g. "行政处罚信息公示（公开）").
RECORD_EVENT_TYPE = EventType.PUBLICATION


class PublicationKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENSING = "licensing", "行政许可"
    INSPECTION = "inspection", "行政检查结果"


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "待公开"
    PUBLISHED = "published", "已公开"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已到期"


class PublicationAction(models.TextChoices):
    PUBLISH = "publish", "公开"
    CORRECT = "correct", "更正"
    WITHDRAW = "withdraw", "撤回"
    EXPIRE = "expire", "到期下线"
    REQUEST_RESOLVED = "request_resolved", "处理更正申请"


# The public fields of each kind, in the order a page shows them (REQUIREMENTS §2.3).
FIELD_LABELS: dict[str, str] = {
    "document_number": "决定书文号",
    "facts": "违法事实",
    "basis": "处罚依据",
    "category": "处罚类别",
    "result": "处罚结果",
    "project_name": "项目名称",
    "approval_category": "审批类别",
    "licence_content": "许可内容",
    "item": "检查事项",
    "party_name": "当事人",
    "party_id": "统一社会信用代码/证件号码",
    "authority": "决定机关",
    "decision_date": "决定日期",
}
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    PublicationKind.PENALTY: (
        "document_number", "facts", "basis", "category", "result",
        "party_name", "party_id", "authority", "decision_date",
    ),
    PublicationKind.LICENSING: (
        "document_number", "project_name", "approval_category", "licence_content",
        "party_name", "party_id", "authority", "decision_date",
    ),
    PublicationKind.INSPECTION: (
        "document_number", "item", "result", "party_name", "party_id", "authority", "decision_date",
    ),
}  # fmt: skip


class Publication(models.Model):
    """The publication of one decision (双公示 / 事后公开). Holds no status: see its events."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="publications", verbose_name="案件"
    )
    kind = models.CharField("公示类别", max_length=20, choices=PublicationKind.choices)
    step = models.CharField("决定环节", max_length=40)
    decided_on = models.DateField("决定日期")
    due_rule = models.CharField("公开期限规则", max_length=20, help_text="T2（双公示）或 T1（事后公开）")
    due_on = models.DateField("公开期限", null=True, blank=True)
    due_on_missing = models.BooleanField(
        "期限无法计算", default=False, help_text="工作日历缺少年份或规则缺失，须补录日历后重新计算"
    )
    # Trade secrets the handler asked to hide: internal, re-applied to every later version.
    redactions: Any = models.JSONField("隐去的商业秘密", default=list, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "公示信息"
        verbose_name_plural = "公示信息"
        ordering = ["-decided_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="publication_one_per_decision")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}公示"


class PublicationVersion(WriteOnceModel):
    """One version of the public fields, already masked. A correction is a new version."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="versions", verbose_name="公示信息"
    )
    number = models.PositiveIntegerField("版本")
    fields: Any = models.JSONField("公示内容")
    digest = models.CharField("摘要(SHA-256)", max_length=64)
    reason = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "公示内容版本"
        verbose_name_plural = "公示内容版本"
        ordering = ["publication", "number"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="publication_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} 第{self.number}版"


class PublicationEvent(WriteOnceModel):
    """What happened to a publication, with its reason (shown publicly for corrections and
    withdrawals, 行政处罚法 Art. 48)."""

    write_once_verb = "追加"

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="events", verbose_name="公示信息"
    )
    action = models.CharField("操作", max_length=20, choices=PublicationAction.choices)
    version = models.ForeignKey(
        PublicationVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("理由", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    occurred_at = models.DateTimeField("时间", default=timezone.now)
    occurred_on = models.DateField("日期")

    class Meta:
        verbose_name = "公示操作记录"
        verbose_name_plural = "公示操作记录"
        ordering = ["publication", "id"]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.get_action_display()}"


class RequestOutcome(models.TextChoices):
    OPEN = "open", "待处理"
    ACCEPTED = "accepted", "已更正"
    REJECTED = "rejected", "不予更正"


class CorrectionRequest(models.Model):
    """A member of the public asks for a correction (§2.5). Their contact details stay internal."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="correction_requests", verbose_name="公示信息"
    )
    name = models.CharField("申请人", max_length=100)
    contact = models.CharField("联系方式", max_length=100)
    text = models.TextField("更正请求")
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    outcome = models.CharField("处理结果", max_length=20, choices=RequestOutcome.choices, default="open")
    resolution = models.TextField("处理说明", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "更正申请"
        verbose_name_plural = "更正申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.name}"
