"""重大执法决定法制审核: the catalogue of what makes a decision major, the draft decisions that are
reviewed, the review rounds and opinions, 集体讨论, and accountability records (责任追究).

Everything here except the review request's assignment is written once: a new draft version, a
new opinion, a new discussion. So each row is also a leaf of the ledger.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhifa.core.models import WriteOnceModel


class CriterionKind(models.TextChoices):
    AMOUNT_AT_LEAST = "amount_at_least", "金额达到标准"
    MEASURE = "measure", "处理措施"
    OUTSIDE_BRACKET = "outside_bracket", "超出裁量基准"
    HEARING_HELD = "hearing_held", "经过听证"
    FLAG = "flag", "承办人标注"


class Measure(models.TextChoices):
    WARNING = "warning", "警告/通报批评"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    SUSPENSION = "suspension", "责令停产停业、责令停止施工"
    REVOCATION = "revocation", "吊销许可证件"
    DOWNGRADE = "downgrade", "降低资质等级"
    LICENSING_REFUSAL = "licensing_refusal", "不予行政许可"
    LICENSING_GRANT = "licensing_grant", "准予行政许可"
    STOP_PRODUCTION = "stop_production", "查封、扣押致停产停业"
    SEIZURE = "seizure", "查封、扣押（不影响生产经营）"
    OTHER = "other", "其他"


class Flag(models.TextChoices):
    PUBLIC_INTEREST = "public_interest", "涉及重大公共利益"
    SOCIAL_IMPACT = "social_impact", "可能造成重大社会影响或引发社会风险"
    THIRD_PARTY = "third_party", "直接关系当事人或第三人重大权益"
    COMPLEX = "complex", "案件情况疑难复杂、涉及多个法律关系"


class AmountField(models.TextChoices):
    FINE = "fine_amount", "罚款金额"
    CONFISCATION = "confiscation_value", "没收金额（价值）"


class MajorCriterion(WriteOnceModel):
    """One entry of the 法制审核目录清单, in force from ``effective_from``; a change adds a row with
    the same ``code`` (``active=False`` takes the entry out from that day)."""

    code = models.CharField("编号", max_length=20)
    name = models.CharField("情形", max_length=200)
    kind = models.CharField("判定方式", max_length=20, choices=CriterionKind.choices)
    act_types = models.CharField("适用执法类别", max_length=100, blank=True, help_text="逗号分隔；空为全部")
    party_kind = models.CharField(
        "当事人类型", max_length=20, blank=True, help_text="person / organisation；空为全部"
    )
    amount_field = models.CharField("金额项", max_length=30, choices=AmountField.choices, blank=True)
    threshold = models.DecimalField("标准（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    measure = models.CharField("措施", max_length=30, choices=Measure.choices, blank=True)
    flag = models.CharField("标注", max_length=30, choices=Flag.choices, blank=True)
    needs_hearing = models.BooleanField("须经听证", default=False, help_text="如：听证后不予许可")
    collective_discussion = models.BooleanField(
        "须集体讨论", default=False, help_text="行政处罚法第五十七条：情节复杂或重大违法行为"
    )
    basis = models.CharField("依据", max_length=300)
    active = models.BooleanField("有效", default=True)
    effective_from = models.DateField("生效日期")
    change_reason = models.TextField("调整原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "法制审核目录"
        verbose_name_plural = "法制审核目录"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="criterion_unique_effective"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=0),
                name="criterion_threshold_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to(self, act_type: str) -> bool:
        return not self.act_types or act_type in {a.strip() for a in self.act_types.split(",")}


class DecisionDraft(WriteOnceModel):
    """A version of the decision the handler proposes (拟作出的决定). Review approves one version;
    a change is a new version, which the earlier approval does not cover."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="drafts", verbose_name="案件"
    )
    version = models.PositiveIntegerField("版本")
    measures: Any = models.JSONField("处理措施", default=list)
    fine_amount = models.DecimalField("罚款金额", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_value = models.DecimalField(
        "没收金额（价值）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    bracket = models.ForeignKey(
        "catalog.DiscretionBracket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="适用裁量基准",
    )
    outside_bracket = models.BooleanField("超出裁量基准", default=False)
    outside_bracket_reason = models.TextField("超出裁量基准的理由", blank=True)
    flags: Any = models.JSONField("承办人标注", default=list)
    facts = models.TextField("违法事实")
    legal_basis = models.TextField("法律依据")
    decision_text = models.TextField("拟决定内容")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("拟定时间", default=timezone.now)

    class Meta:
        verbose_name = "拟作出的决定"
        verbose_name_plural = "拟作出的决定"
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="draft_unique_version")]

    def __str__(self) -> str:
        return f"{self.case} 拟决定第{self.version}版"


class MajorFinding(WriteOnceModel):
    """Why a case is major: an automatic match of a catalogue entry against a draft, or a
    handler's marking. Neither is ever removed."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="major_findings")
    draft = models.ForeignKey(DecisionDraft, on_delete=models.PROTECT, null=True, blank=True)
    criterion = models.ForeignKey(MajorCriterion, on_delete=models.PROTECT, null=True, blank=True)
    automatic = models.BooleanField("自动判定")
    reason = models.TextField("说明")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "重大执法决定认定"
        verbose_name_plural = "重大执法决定认定"
        ordering = ["case", "id"]


class ReviewRequest(models.Model):
    """One round of review of one draft version: the package as submitted (frozen), the reviewer
    assigned and the time limit T28. Its outcome is a ``ReviewOpinion``."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="review_requests")
    draft = models.ForeignKey(DecisionDraft, on_delete=models.PROTECT, related_name="review_requests")
    round = models.PositiveIntegerField("轮次")
    package: Any = models.JSONField("送审材料")
    package_digest = models.CharField("材料摘要(SHA-256)", max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("送审时间", default=timezone.now)
    submitted_on = models.DateField("送审日期")
    due_on = models.DateField("审核期限（T28）")
    extended = models.BooleanField("已延长", default=False)
    reviewer = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="review_requests"
    )
    assigned_at = models.DateTimeField("指定时间", null=True, blank=True)
    escalated_at = models.DateTimeField("提交集体讨论时间", null=True, blank=True)
    escalation_reason = models.TextField("提交集体讨论的理由", blank=True)

    class Meta:
        verbose_name = "法制审核送审"
        verbose_name_plural = "法制审核送审"
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="review_round_unique")]

    def __str__(self) -> str:
        return f"{self.case} 第{self.round}轮法制审核"


class ReviewResult(models.TextChoices):
    APPROVED = "approved", "同意"
    PROBLEMS = "problems", "存在问题"
    MORE_MATERIAL = "more_material", "补充材料"


CHECKLIST: list[tuple[str, str]] = [
    ("subject", "执法主体合法，执法人员具备执法资格"),
    ("authority", "是否超越法定权限"),
    ("facts", "案件事实清楚，证据确凿充分"),
    ("basis", "适用法律、法规、规章准确"),
    ("discretion", "行政裁量基准适用适当"),
    ("procedure", "程序合法"),
    ("documents", "执法文书使用规范"),
    ("crime", "涉嫌犯罪的已依法移送司法机关（或不涉嫌犯罪）"),
]


class ReviewOpinion(WriteOnceModel):
    """The reviewer's opinion on one round: every checklist point pass/fail with a comment."""

    request = models.OneToOneField(ReviewRequest, on_delete=models.PROTECT, related_name="opinion")
    reviewer = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="review_opinions")
    result = models.CharField("审核结论", max_length=20, choices=ReviewResult.choices)
    checklist: Any = models.JSONField("审核要点")
    problems = models.TextField("存在的问题/需补充的材料", blank=True)
    changes_required = models.TextField("修改意见", blank=True)
    late = models.BooleanField("超期", default=False)
    decided_at = models.DateTimeField("审核时间", default=timezone.now)

    class Meta:
        verbose_name = "法制审核意见"
        verbose_name_plural = "法制审核意见"


class DiscussionDecision(models.TextChoices):
    PROCEED = "proceed", "同意作出决定"
    REVISE = "revise", "修改后重新审核"
    DO_NOT_DECIDE = "do_not_decide", "不予作出决定"


class CollectiveDiscussion(WriteOnceModel):
    """集体讨论 (行政处罚法 Art. 57): who attended, the minutes and the decision, for a draft."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="discussions")
    draft = models.ForeignKey(DecisionDraft, on_delete=models.PROTECT, related_name="discussions")
    request = models.ForeignKey(ReviewRequest, on_delete=models.PROTECT, null=True, blank=True)
    held_on = models.DateField("讨论日期")
    chair = models.CharField("主持人", max_length=100)
    attendees: Any = models.JSONField("参加人员")
    minutes = models.TextField("讨论记录")
    decision = models.CharField("讨论决定", max_length=20, choices=DiscussionDecision.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["case", "id"]


class AccountabilityKind(models.TextChoices):
    DECIDE_WITHOUT_REVIEW = "decide_without_review", "未经法制审核试图作出重大执法决定"
    LATE_REVIEW = "late_review", "法制审核超过期限"
    BYPASS = "bypass", "重大执法决定未经法制审核"


class AccountabilityRecord(WriteOnceModel):
    """责任追究: who, when, what — for supervisors."""

    kind = models.CharField("类别", max_length=30, choices=AccountabilityKind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="accountability")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("责任人", max_length=100)
    occurred_at = models.DateTimeField("发生时间", default=timezone.now)
    details = models.TextField("情况")

    class Meta:
        verbose_name = "责任追究记录"
        verbose_name_plural = "责任追究记录"
        ordering = ["-occurred_at"]
