"""The whole-process record (执法全过程记录): typed, append-only events.

Every state change, document, piece of evidence and correction of an enforcement act is one
``RecordEvent``. Nothing here is ever updated or deleted; a correction is a new event that points
at the one it corrects. Each event has a canonical byte form (``canonical_bytes``) so that a Merkle
log can be put under the table: the event's id is its position in the log.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhifa.core.models import WriteOnceModel


class EventType(models.TextChoices):
    CASE_OPENED = "case_opened", "立案/受理"
    TRANSITION = "transition", "程序环节"
    OFFICER_ASSIGNED = "officer_assigned", "指派执法人员"
    OFFICER_RECUSED = "officer_recused", "执法人员回避"
    FACTS_RECORDED = "facts_recorded", "记录案情"
    DOCUMENT_GENERATED = "document_generated", "生成文书"
    EVIDENCE_ADDED = "evidence_added", "提交证据/音像记录"
    CLOCK_STARTED = "clock_started", "期限起算"
    CLOCK_PAUSED = "clock_paused", "期限中止"
    CLOCK_RESUMED = "clock_resumed", "期限恢复"
    CLOCK_EXTENDED = "clock_extended", "期限延长"
    CLOCK_STOPPED = "clock_stopped", "期限终止"
    CORRECTION = "correction", "更正"
    CASE_FILE_ASSEMBLED = "case_file_assembled", "案卷归档"
    CASE_FILE_SEALED = "case_file_sealed", "封存导出电子案卷"
    DRAFT_DECISION = "draft_decision", "拟定处理决定"
    MAJOR_DETERMINED = "major_determined", "认定为重大执法决定"
    REVIEW_SUBMITTED = "review_submitted", "提交法制审核"
    REVIEW_ASSIGNED = "review_assigned", "指定法制审核人员"
    REVIEW_EXTENDED = "review_extended", "延长法制审核期限"
    REVIEW_OPINION = "review_opinion", "法制审核意见"
    REVIEW_ESCALATED = "review_escalated", "提交集体讨论"
    COLLECTIVE_DISCUSSION = "collective_discussion", "集体讨论"
    ACCOUNTABILITY = "accountability", "责任追究记录"
    PUBLICATION = "publication", "事后公开"


class RecordEvent(WriteOnceModel):
    write_once_verb = "追加"

    """One entry of the record. ``id`` is the position; ``digest`` is SHA-256 of the canonical form."""

    event_type = models.CharField("事件类型", max_length=40, choices=EventType.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="案件",
        db_index=False,  # covered by the (case, id) index below
    )
    step = models.CharField("环节", max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    occurred_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)
    reason = models.TextField("理由/说明", blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="更正对象",
    )
    digest = models.CharField("摘要(SHA-256)", max_length=64, editable=False)

    class Meta:
        verbose_name = "全过程记录"
        verbose_name_plural = "全过程记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"], name="record_case_order")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_event_type_display()} {self.step}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.occurred_at = timezone.now()  # the server's clock, never the caller's
        self.digest = hashlib.sha256(self.canonical_bytes()).hexdigest()
        super().save(*args, **kwargs)  # WriteOnceModel: insert only

    def canonical_bytes(self) -> bytes:
        """Deterministic bytes of what the event says (not its id): the future Merkle leaf."""
        payload: dict[str, Any] = {
            "type": self.event_type,
            "case": self.case_id,
            "step": self.step,
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "at": self.occurred_at.isoformat() if self.occurred_at else None,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "corrects": self.corrects_id,
        }
        return json.dumps(
            payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
        ).encode()
