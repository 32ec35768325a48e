"""Enforcement documents (执法文书): each generated PDF + DOCX is one write-once ``Document`` row.

A document is stored content-addressed (``documents/ab/cd/<sha256>.pdf``), hashed with SHA-256 and
SM3, and recorded as a ``document_generated`` event. Regenerating adds a version with the same
document number; no version is ever replaced or deleted. ``DocumentCounter`` issues the numbers
(衡住建罚决字〔2026〕12号) per body, document code and year; a number is never reused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.models import Case
from zhifa.core.models import WriteOnceModel
from zhifa.org.models import EnforcementBody

TEMPLATE_CHOICES = [(d.code, d.title) for d in sorted(DOCUMENTS.values(), key=lambda d: d.order)]


class DocumentCounter(models.Model):
    """The last sequence issued per body, document code (罚决字 …) and year."""

    body = models.ForeignKey(EnforcementBody, on_delete=models.PROTECT, related_name="+")
    number_code = models.CharField("文书代字", max_length=20)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "文号计数"
        verbose_name_plural = "文号计数"
        constraints = [
            models.UniqueConstraint(fields=["body", "number_code", "year"], name="document_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number_code}〔{self.year}〕{self.last}"


class Document(WriteOnceModel):
    """文书: one version of one document of a case. Written once, never updated or deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents", verbose_name="案件")
    template = models.CharField("文书模板", max_length=40, choices=TEMPLATE_CHOICES)
    title = models.CharField("文书名称", max_length=100)
    number = models.CharField("文号", max_length=80, blank=True, help_text="内部表格无文号")
    version = models.PositiveIntegerField("版本")
    pdf_file = models.FileField("PDF文件", max_length=200)
    docx_file = models.FileField("Word文件", max_length=200)
    sha256 = models.CharField("PDF摘要(SHA-256)", max_length=64)
    sm3 = models.CharField("PDF摘要(SM3)", max_length=64)
    size = models.PositiveIntegerField("PDF大小（字节）")
    docx_sha256 = models.CharField("Word摘要(SHA-256)", max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    generated_by_name = models.CharField("生成人姓名", max_length=100, blank=True)
    generated_at = models.DateTimeField("生成时间", default=timezone.now)
    context = models.JSONField("填入内容", default=dict, help_text="生成时填入模板的内容快照")

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["case", "template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "template", "version"], name="document_unique_version")
        ]
        indexes = [models.Index(fields=["case", "template", "version"], name="document_case_template")]

    def __str__(self) -> str:
        return f"{self.title} {self.number}（第{self.version}版）".replace(" （", "（")

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]
