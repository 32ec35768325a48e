"""Enforcement cases (案件) for the six act types, their officers, numbers and running clocks.

``Case.state`` is written only by ``zhifa.cases.engine`` (a test enforces it): every state change
is a transition of the act type's declarative workflow, recorded as a ``RecordEvent``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.catalog.models import ActType, EnforcementItem, ItemVersion
from zhifa.org.models import EnforcementBody, Person, Unit


class PartyKind(models.TextChoices):
    PERSON = "person", "公民"
    ORGANISATION = "organisation", "法人或者其他组织"


class Procedure(models.TextChoices):
    GENERAL = "general", "普通程序"
    SUMMARY = "summary", "简易程序"


# Document-number codes per act type: 衡住建罚决字〔2026〕12号 and the case numbers beside them.
CASE_NUMBER_CODES: dict[str, str] = {
    ActType.LICENSING: "许",
    ActType.PENALTY: "罚",
    ActType.COERCION: "强",
    ActType.FEE: "费",
    ActType.LEVY: "征",
    ActType.INSPECTION: "检",
}


class CaseCounter(models.Model):
    """The last number issued per body, act type and year. Numbers are never reused."""

    body = models.ForeignKey(EnforcementBody, on_delete=models.PROTECT, related_name="+")
    act_type = models.CharField(max_length=20, choices=ActType.choices)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "act_type", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.act_type} {self.year}: {self.last_number}"


class Case(models.Model):
    """案件: one enforcement act from its start to the archive."""

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="cases", verbose_name="执法主体"
    )
    number = models.CharField("案号", max_length=60, unique=True)
    act_type = models.CharField("执法类别", max_length=20, choices=ActType.choices)
    procedure = models.CharField("程序", max_length=20, choices=Procedure.choices, default=Procedure.GENERAL)
    year = models.PositiveIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    item = models.ForeignKey(
        EnforcementItem, on_delete=models.PROTECT, related_name="cases", verbose_name="执法事项"
    )
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="cases", verbose_name="适用事项版本"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name="承办单位")
    title = models.CharField("案由/事项", max_length=300)
    state = models.CharField("状态", max_length=40, editable=False)
    party_kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    party_name = models.CharField("当事人", max_length=200)
    party_id_number = models.CharField(
        "证件号码", max_length=18, help_text="公民填居民身份证号，组织填统一社会信用代码"
    )
    party_representative = models.CharField("法定代表人/负责人", max_length=100, blank=True)
    party_address = models.CharField("住所/地址", max_length=300, blank=True)
    party_phone = models.CharField("联系电话", max_length=30, blank=True)
    facts = models.TextField("案情/申请事项", blank=True)
    location = models.CharField("发生地点", max_length=300, blank=True)
    amount = models.DecimalField(
        "拟处罚款/收费/征收金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_price = models.DecimalField(
        "工程合同价款（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    opened_on = models.DateField("立案/受理日期")
    closed_on = models.DateField("结案日期", null=True, blank=True)
    version = models.PositiveIntegerField(
        "版本", default=1, editable=False, help_text="每次状态变化加一，用于并发控制"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "act_type", "year", "sequence"], name="case_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="case_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OfficerRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSISTING = "assisting", "协办"


class CaseOfficer(models.Model):
    """An officer on the case. A recused officer stays on record but no longer counts."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="officers", verbose_name="案件")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="case_assignments", verbose_name="执法人员"
    )
    role = models.CharField("分工", max_length=20, choices=OfficerRole.choices, default=OfficerRole.ASSISTING)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    recused_at = models.DateTimeField("回避时间", null=True, blank=True)
    recusal_reason = models.TextField("回避理由", blank=True)

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_officer_once")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_role_display()}）"


class ClockKind(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日"
    CALENDAR_DAYS = "calendar_days", "自然日"
    MONTHS = "months", "月"


class Clock(models.Model):
    """A running statutory time limit on a case (e.g. T8: 立案 → 决定 in 90 days).

    Written only by the engine. ``due_on`` moves when the clock is paused and resumed (hearing,
    appraisal and service time are not counted) or extended with approval.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clocks", verbose_name="案件")
    code = models.CharField("规则编号", max_length=20)
    variant = models.CharField("适用情形", max_length=40, blank=True)
    label = models.CharField("期限", max_length=200)
    basis = models.CharField("法律依据", max_length=300)
    kind = models.CharField("计算方式", max_length=20, choices=ClockKind.choices)
    quantity = models.PositiveIntegerField("期限长度")
    started_on = models.DateField("起算事件日")
    due_on = models.DateField("届满日")
    paused_on = models.DateField("中止日", null=True, blank=True)
    extended_by = models.PositiveIntegerField("已延长", default=0)
    stopped_on = models.DateField("终止日", null=True, blank=True)
    stop_reason = models.CharField("终止原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "法定期限"
        verbose_name_plural = "法定期限"
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "code", "variant"],
                condition=Q(stopped_on__isnull=True),
                name="clock_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.due_on:%Y-%m-%d}"

    @property
    def running(self) -> bool:
        return self.stopped_on is None and self.paused_on is None

    def days_left(self, today: datetime.date) -> int:
        return (self.due_on - today).days
