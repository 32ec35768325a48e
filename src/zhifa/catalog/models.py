"""The enforcement catalogue: laws article by article (法律依据清单), enforcement items
(权责清单 / 执法事项) in immutable versions, and the statutory rules (time limits and thresholds)
as dated rows with their legal source.

Writes go through ``zhifa.catalog.services``. A version row is never updated: an edit is a new
version (动态调整), so every earlier version stays readable with who, when and why.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.core.models import WriteOnceModel
from zhifa.org.models import EnforcementBody, Unit


class LawKind(models.TextChoices):
    LAW = "law", "法律"
    ADMINISTRATIVE_REGULATION = "regulation", "行政法规"
    DEPARTMENTAL_RULE = "rule", "部门规章"
    LOCAL_REGULATION = "local", "地方性法规"
    LOCAL_RULE = "local_rule", "地方政府规章"
    NORMATIVE_DOCUMENT = "normative", "规范性文件"


class Law(models.Model):
    """A law or regulation as loaded from its published text."""

    title = models.CharField("名称", max_length=200, unique=True)
    short_title = models.CharField("简称", max_length=100, unique=True)
    kind = models.CharField("效力层级", max_length=20, choices=LawKind.choices)
    amended_on = models.DateField("最近修订日期", null=True, blank=True)
    history = models.TextField("制定修订沿革", blank=True)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    source_sha256 = models.CharField("来源文件SHA-256", max_length=64, blank=True)
    loaded_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "法律法规"
        verbose_name_plural = "法律法规"
        ordering = ["kind", "short_title"]

    def __str__(self) -> str:
        return f"《{self.short_title}》"


class Provision(models.Model):
    """One article (条) of a law."""

    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="provisions", verbose_name="法律法规")
    number = models.PositiveIntegerField("条号")
    label = models.CharField("条文编号", max_length=20)
    chapter = models.CharField("章", max_length=100, blank=True)
    section = models.CharField("节", max_length=100, blank=True)
    text = models.TextField("条文")

    class Meta:
        verbose_name = "条款"
        verbose_name_plural = "条款"
        ordering = ["law", "number"]
        constraints = [models.UniqueConstraint(fields=["law", "number"], name="provision_unique_number")]

    def __str__(self) -> str:
        return f"《{self.law.short_title}》{self.label}"


class ActType(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    FEE = "fee", "行政收费"
    LEVY = "levy", "行政征收"
    INSPECTION = "inspection", "行政检查"


class RuleUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "个工作日"
    CALENDAR_DAYS = "calendar_days", "日（自然日）"
    MONTHS = "months", "个月"
    YEARS = "years", "年"
    YUAN = "yuan", "元"
    PERCENT = "percent", "%"
    PERCENT_PER_DAY = "percent_per_day", "%/日"
    PERSONS = "persons", "人"


class SourceConfidence(models.TextChoices):
    VERIFIED = "V", "已核对原文"
    LOCAL = "L", "地方规定"
    DEFAULT = "K", "通行做法（可调整）"


class LegalRule(WriteOnceModel):
    """A statutory time limit or threshold (REQUIREMENTS §1, T1–T31) in force from a date.

    ``code`` + ``variant`` identify the rule (``T15`` / ``organisation``); the row in force on a
    day is the one with the latest ``effective_from`` not after it. Editing adds a row.
    """

    code = models.CharField("规则编号", max_length=20)
    variant = models.CharField(
        "适用情形", max_length=40, blank=True, help_text="如 individual / organisation"
    )
    name = models.CharField("名称", max_length=200)
    quantity = models.DecimalField("数值", max_digits=14, decimal_places=2)
    unit = models.CharField("单位", max_length=20, choices=RuleUnit.choices)
    extension = models.DecimalField("可延长", max_digits=14, decimal_places=2, null=True, blank=True)
    basis = models.CharField("依据", max_length=300)
    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, null=True, blank=True, related_name="rules", verbose_name="条款"
    )
    confidence = models.CharField("来源性质", max_length=1, choices=SourceConfidence.choices)
    notes = models.TextField("说明", blank=True)
    effective_from = models.DateField("生效日期")
    change_reason = models.TextField("调整原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="调整人",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "法定时限与标准"
        verbose_name_plural = "法定时限与标准"
        ordering = ["code", "variant", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "variant", "effective_from"], name="rule_unique_effective"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="rule_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def value_display(self) -> str:
        text = f"{_plain(self.quantity)}{self.get_unit_display()}"
        if self.extension:
            text += f"（可延长{_plain(self.extension)}）"
        return text


def _plain(value: Decimal) -> str:
    """1.30 → "1.3", 100000.00 → "100000"."""
    return format(value.normalize(), "f")


class EnforcementItem(models.Model):
    """The stable identity of an enforcement item; its content lives in ``ItemVersion`` rows."""

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="items", verbose_name="执法主体"
    )
    code = models.CharField("事项编码", max_length=40)
    act_type = models.CharField("执法类别", max_length=20, choices=ActType.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法事项"
        verbose_name_plural = "执法事项"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["body", "code"], name="item_unique_code_per_body")]

    def __str__(self) -> str:
        version = self.latest_version()
        return f"{self.code} {version.name if version else ''}".strip()

    def latest_version(self) -> ItemVersion | None:
        return self.versions.order_by("-number").first()

    def version_on(self, day: datetime.date) -> ItemVersion | None:
        """The version in force on ``day`` (the latest-numbered one that had taken effect)."""
        return self.versions.filter(effective_from__lte=day).order_by("-effective_from", "-number").first()


class ItemVersion(WriteOnceModel):
    """One version of an enforcement item's content. Never updated; an edit adds a version."""

    item = models.ForeignKey(
        EnforcementItem, on_delete=models.PROTECT, related_name="versions", verbose_name="执法事项"
    )
    number = models.PositiveIntegerField("版本号")
    name = models.CharField("事项名称", max_length=200)
    implementing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="item_versions", verbose_name="实施科室"
    )
    other_basis = models.TextField(
        "其他依据",
        blank=True,
        help_text="未按条款导入的地方性法规、规章或规范性文件，写明文件名称、文号和条款",
    )
    procedure_summary = models.TextField("办理流程", blank=True)
    conditions = models.TextField("办理条件", blank=True)
    materials = models.TextField("申请材料", blank=True)
    time_limit_code = models.CharField("法定时限规则", max_length=20, blank=True, help_text="如 T18")
    time_limit_note = models.CharField("时限说明", max_length=200, blank=True)
    fees = models.TextField("收费标准", blank=True)
    remedies = models.TextField("救济途径", blank=True)
    supervision_channels = models.TextField("监督方式", blank=True)
    random_inspection = models.BooleanField("纳入随机抽查事项清单", default=False)
    effective_from = models.DateField("生效日期")
    change_reason = models.TextField("调整原因")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="调整人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法事项版本"
        verbose_name_plural = "执法事项版本"
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"


class BasisPurpose(models.TextChoices):
    AUTHORITY = "authority", "实施依据"
    PENALTY = "penalty", "处罚依据"
    VIOLATED = "violated", "违反条款"
    PROCEDURE = "procedure", "程序依据"


class ItemBasis(WriteOnceModel):
    version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="bases", verbose_name="版本"
    )
    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, related_name="item_bases", verbose_name="条款"
    )
    purpose = models.CharField(
        "依据类型", max_length=20, choices=BasisPurpose.choices, default=BasisPurpose.AUTHORITY
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "法律依据"
        verbose_name_plural = "法律依据"
        ordering = ["version", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "provision", "purpose"], name="basis_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}：{self.provision}"


class CaseStep(models.TextChoices):
    """Steps of an enforcement act at which audio/video may be required (音像记录事项清单)."""

    ON_SITE_INSPECTION = "on_site_inspection", "现场检查（勘验）"
    EVIDENCE_GATHERING = "evidence_gathering", "调查取证"
    INQUIRY = "inquiry", "询问"
    REGISTERED_PRESERVATION = "registered_preservation", "先行登记保存"
    SEAL_OR_SEIZE = "seal_or_seize", "查封、扣押"
    FORCED_DEMOLITION = "forced_demolition", "强制拆除"
    SUMMARY_PENALTY = "summary_penalty", "当场处罚"
    HEARING = "hearing", "听证"
    SERVICE = "service", "送达"
    EXECUTION = "execution", "执行"


class AvRequirementLevel(models.TextChoices):
    REQUIRED = "required", "必须全程音像记录"
    AS_NEEDED = "as_needed", "根据需要音像记录"


class AvRequirement(WriteOnceModel):
    version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="av_requirements", verbose_name="版本"
    )
    step = models.CharField("执法环节", max_length=40, choices=CaseStep.choices)
    level = models.CharField("要求", max_length=20, choices=AvRequirementLevel.choices)

    class Meta:
        verbose_name = "音像记录要求"
        verbose_name_plural = "音像记录要求"
        ordering = ["version", "step"]
        constraints = [models.UniqueConstraint(fields=["version", "step"], name="av_unique_step_per_version")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}：{self.get_level_display()}"


class AmountBasis(models.TextChoices):
    FIXED_YUAN = "yuan", "元"
    PERCENT_OF_CONTRACT = "percent_contract", "% 工程合同价款"
    MULTIPLE_OF_GAIN = "multiple_gain", "倍 违法所得"
    PERCENT_OF_FEE = "percent_fee", "% 应缴费用"


class DiscretionBracket(WriteOnceModel):
    """裁量基准: for a circumstance (情形), the range of the penalty (行政处罚法 Art. 34)."""

    version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="brackets", verbose_name="版本"
    )
    circumstance = models.CharField("违法情形", max_length=100)
    description = models.TextField("情节描述", blank=True)
    amount_basis = models.CharField("计罚方式", max_length=20, choices=AmountBasis.choices)
    lower = models.DecimalField("下限", max_digits=14, decimal_places=2)
    upper = models.DecimalField("上限", max_digits=14, decimal_places=2)
    other_measures = models.CharField("其他处罚", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["version", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(upper__gte=models.F("lower")), name="bracket_upper_gte_lower")
        ]

    def __str__(self) -> str:
        return f"{self.circumstance}：{self.range_display}"

    @property
    def range_display(self) -> str:
        return f"{_plain(self.lower)}–{_plain(self.upper)} {self.get_amount_basis_display()}"
