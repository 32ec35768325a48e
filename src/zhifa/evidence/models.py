"""Evidence (证据) and audio/video records (音像记录), their chunked uploads, and the register of
body-worn cameras (执法记录仪) with their handover log.

Writes go through ``zhifa.evidence.services``. ``Evidence`` and ``DeviceHandover`` rows are
written once: ``save()`` refuses an update, ``delete()`` and the queryset's ``update()`` /
``delete()`` refuse outright. The bytes live in content-addressed storage
(``zhifa.evidence.storage``), keyed by their SHA-256, and are never overwritten.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from zhifa.cases.models import Case
from zhifa.catalog.models import CaseStep
from zhifa.core.models import WriteOnceModel
from zhifa.org.models import Person, Unit


class DeviceStatus(models.TextChoices):
    IN_SERVICE = "in_service", "在用"
    REPAIR = "repair", "维修"
    RETIRED = "retired", "停用报废"


class Device(models.Model):
    """执法记录仪: a body-worn camera, its unit and the officer who holds it now."""

    serial_number = models.CharField("设备编号", max_length=60, unique=True)
    model = models.CharField("型号", max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="devices", verbose_name="配发单位")
    assignee = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name="当前领用人",
    )
    status = models.CharField(
        "状态", max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.IN_SERVICE
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法记录仪"
        verbose_name_plural = "执法记录仪"
        ordering = ["unit__sort_order", "serial_number"]

    def __str__(self) -> str:
        return f"{self.serial_number}（{self.model}）"


class DeviceHandover(WriteOnceModel):
    """One entry of a device's log: registered, handed over, returned, sent to repair or retired.

    ``status`` is the device's status after the entry; ``from_person`` / ``to_person`` are the
    holders before and after (equal when only the status changed)."""

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="handovers", verbose_name="执法记录仪"
    )
    from_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="交出人"
    )
    to_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接收人"
    )
    status = models.CharField("交接后状态", max_length=20, choices=DeviceStatus.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="经办人",
    )
    reason = models.CharField("事由", max_length=300, blank=True)

    class Meta:
        verbose_name = "执法记录仪交接记录"
        verbose_name_plural = "执法记录仪交接记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.device.serial_number}：{self.from_person or '—'} → {self.to_person or '—'}"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"
    DOCUMENT = "document", "书证/文件"
    OTHER = "other", "其他"


# Kinds taken as 音像记录 (audio/video record of the step), as the workflow's av_recorded guard reads.
AV_KINDS = frozenset({EvidenceKind.PHOTO, EvidenceKind.AUDIO, EvidenceKind.VIDEO})


class UploadStatus(models.TextChoices):
    OPEN = "open", "上传中"
    COMPLETE = "complete", "已完成"
    ABORTED = "aborted", "已中止"


class UploadSession(models.Model):
    """A chunked, resumable upload. The bytes go to a spool file; only a complete, accepted upload
    becomes ``Evidence`` (and a record event). ``received_bytes`` is the truth about the spool
    file: a longer file (a chunk cut off mid-write) is truncated back to it on the next chunk."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="uploads", verbose_name="案件")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    filename = models.CharField("原文件名", max_length=255)
    declared_size = models.BigIntegerField("文件大小（字节）")
    chunk_size = models.PositiveIntegerField("分片大小（字节）")
    received_bytes = models.BigIntegerField("已接收（字节）", default=0)
    rewinds = models.PositiveIntegerField(
        "回退次数", default=0, help_text="暂存文件丢失已接收部分而回退的次数；缓存的摘要状态随之作废"
    )
    status = models.CharField("状态", max_length=20, choices=UploadStatus.choices, default=UploadStatus.OPEN)
    spool_name = models.CharField("暂存文件", max_length=100, editable=False)
    kind = models.CharField("类别", max_length=20, choices=EvidenceKind.choices)
    step = models.CharField("执法环节", max_length=40, choices=CaseStep.choices, blank=True)
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="执法记录仪"
    )
    officer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="采集人")
    captured_at = models.DateTimeField("采集时间")
    place = models.CharField("采集地点", max_length=300, blank=True)
    description = models.TextField("说明", blank=True)
    media_type = models.CharField("检测到的文件类型", max_length=100, blank=True)
    failure = models.CharField("中止原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = "上传任务"
        verbose_name_plural = "上传任务"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_bytes__gte=0)
                & models.Q(received_bytes__lte=models.F("declared_size")),
                name="upload_received_within_size",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.received_bytes}/{self.declared_size}）"


class Evidence(WriteOnceModel):
    """证据/音像记录: one file on a case, linked to step, officer, device, time and place, hashed
    (SHA-256 and SM3) on intake. Written once; a correction is a new row and a new record event."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence", verbose_name="案件")
    session = models.OneToOneField(
        UploadSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="上传任务",
    )
    kind = models.CharField("类别", max_length=20, choices=EvidenceKind.choices)
    media_type = models.CharField("文件类型", max_length=100, help_text="按文件内容检测，与文件名无关")
    original_filename = models.CharField("原文件名", max_length=255)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    sm3 = models.CharField("SM3", max_length=64)
    storage_key = models.CharField("存储位置", max_length=200)
    step = models.CharField("执法环节", max_length=40, choices=CaseStep.choices, blank=True)
    is_av = models.BooleanField("音像记录", default=False)
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="执法记录仪",
    )
    officer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="evidence", verbose_name="采集人"
    )
    captured_at = models.DateTimeField("采集时间")
    place = models.CharField("采集地点", max_length=300, blank=True)
    description = models.TextField("说明", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证据"
        verbose_name_plural = "证据"
        ordering = ["captured_at", "id"]
        indexes = [models.Index(fields=["case", "step"], name="evidence_case_step")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_filename}"

    @property
    def step_label(self) -> str:
        return CaseStep(self.step).label if self.step in CaseStep.values else ""

    @property
    def player(self) -> str:
        """Which HTML5 element plays it: video, audio, img, or '' (download only)."""
        from zhifa.evidence.sniffing import player_for

        return player_for(self.media_type)
