"""Organisation: enforcement bodies (执法主体), units (科室/局属单位), people, roles, credentials (执法证).

Writes go through ``zhifa.org.services``; every change leaves an ``OrgEvent``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhifa.core.identifiers import validate_resident_id, validate_uscc
from zhifa.core.models import WriteOnceModel


def uscc_validator(value: str) -> None:
    validate_uscc(value)


def resident_id_validator(value: str) -> None:
    validate_resident_id(value)


class LegalStatus(models.TextChoices):
    ADMINISTRATIVE_ORGAN = "organ", "法定行政机关"
    AUTHORISED_ORGANISATION = "authorised", "法律法规授权组织"
    ENTRUSTED_ORGANISATION = "entrusted", "受委托组织"


class EnforcementBody(models.Model):
    """执法主体: the authority that acts in its own name."""

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField(
        "文号简称", max_length=20, unique=True, help_text="用于文书文号，如“衡住建”"
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[uscc_validator]
    )
    legal_status = models.CharField("主体性质", max_length=20, choices=LegalStatus.choices)
    jurisdiction = models.CharField("管辖区域", max_length=200)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=50, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    SECTION = "section", "机关科室"
    SUBORDINATE = "subordinate", "局属单位"


class Unit(models.Model):
    """科室 or 局属单位, as a tree under an enforcement body.

    A subordinate unit (局属单位) reports through its counterpart section (对口管理科室), which
    reviews and consolidates what it submits before it reaches the programme office.
    """

    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="units", verbose_name="执法主体"
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, default=UnitKind.SECTION)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级单位",
    )
    counterpart = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_units",
        verbose_name="对口管理科室",
    )
    enforces = models.BooleanField("承担执法职责", default=True)
    duties = models.TextField("职责", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["body", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="unit_unique_name_per_body"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Unit]:
        chain: list[Unit] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    UNIT_HEAD = "unit_head", "科室负责人"
    LEADER = "leader", "局领导"
    REVIEWER = "reviewer", "法制审核人员"
    LEGAL_ADVISER = "legal_adviser", "法律顾问"
    PUBLIC_LAWYER = "public_lawyer", "公职律师"
    PILOT_OFFICE = "pilot_office", "试点办"
    SUPERVISOR = "supervisor", "监督员"
    ADMIN = "admin", "系统管理员"


# Roles that act for the whole body rather than for one unit.
BODY_WIDE_ROLES = frozenset({Role.LEADER, Role.PILOT_OFFICE, Role.SUPERVISOR, Role.ADMIN})
# Roles that may perform legal review (法制审核), given a recorded legal qualification.
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.LEGAL_ADVISER, Role.PUBLIC_LAWYER})


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """A member of staff. ``user`` is the login; people without a login (e.g. retired officers
    whose credentials stay on record) keep ``user`` empty."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name="登录账号",
    )
    body = models.ForeignKey(
        EnforcementBody, on_delete=models.PROTECT, related_name="people", verbose_name="执法主体"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name="所在单位")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    resident_id = models.CharField(
        "身份证号", max_length=18, null=True, blank=True, unique=True, validators=[resident_id_validator]
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    title = models.CharField("职务", max_length=50, blank=True)
    legal_qualification_no = models.CharField(
        "法律职业资格证书编号", max_length=50, blank=True, help_text="法制审核人员须具备法律职业资格"
    )
    legal_qualification_date = models.DateField("法律职业资格取得日期", null=True, blank=True)
    is_active = models.BooleanField("在职", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["unit__sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_legal_qualification(self) -> bool:
        return bool(self.legal_qualification_no.strip())

    def valid_credential(self, on: datetime.date | None = None) -> Credential | None:
        day = on or timezone.localdate()
        for credential in self.credentials.all():
            if credential.is_valid_on(day):
                return credential
        return None


class RoleAssignment(models.Model):
    """A role a person holds; ``unit`` limits it to one unit, empty means the whole body."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles", verbose_name="人员")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name="适用单位",
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["person", "role", "unit"], name="role_unique_per_unit"),
            models.UniqueConstraint(
                fields=["person", "role"], condition=Q(unit__isnull=True), name="role_unique_body_wide"
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit.name if self.unit_id and self.unit else "全局"
        return f"{self.person.name}：{self.get_role_display()}（{scope}）"


class CredentialStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "吊销"


class Credential(models.Model):
    """执法证. Its status changes only through services, each change an ``OrgEvent``."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="credentials", verbose_name="持证人"
    )
    number = models.CharField("执法证号", max_length=30, unique=True)
    category = models.CharField("执法类别", max_length=50)
    area = models.CharField("执法区域", max_length=100)
    issuing_authority = models.CharField("发证机关", max_length=100)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=20, choices=CredentialStatus.choices, default=CredentialStatus.VALID
    )
    photo = models.ImageField("照片", upload_to="credentials/%Y/", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法证"
        verbose_name_plural = "执法证"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")), name="credential_expiry_after_issue"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == CredentialStatus.VALID and self.issued_on <= day <= self.expires_on

    @property
    def effective_status_label(self) -> str:
        """What a member of the public should read: 有效, 已过期, 暂扣 or 吊销."""
        if self.status == CredentialStatus.VALID:
            today = timezone.localdate()
            if today > self.expires_on:
                return "已过期"
            if today < self.issued_on:
                return "未生效"
        return self.get_status_display()


class OrgEventType(models.TextChoices):
    BODY_CREATED = "body_created", "创建执法主体"
    BODY_UPDATED = "body_updated", "修改执法主体"
    UNIT_CREATED = "unit_created", "创建单位"
    UNIT_UPDATED = "unit_updated", "修改单位"
    PERSON_CREATED = "person_created", "登记人员"
    PERSON_UPDATED = "person_updated", "修改人员"
    ROLE_GRANTED = "role_granted", "授予角色"
    ROLE_REVOKED = "role_revoked", "撤销角色"
    CREDENTIAL_ISSUED = "credential_issued", "登记执法证"
    CREDENTIAL_UPDATED = "credential_updated", "修改执法证信息"
    CREDENTIAL_RENEWED = "credential_renewed", "执法证换发/延期"
    CREDENTIAL_SUSPENDED = "credential_suspended", "暂扣执法证"
    CREDENTIAL_REINSTATED = "credential_reinstated", "恢复执法证"
    CREDENTIAL_REVOKED = "credential_revoked", "吊销执法证"


class OrgEvent(WriteOnceModel):
    """Append-only history of organisation changes: who changed what, when, and why."""

    write_once_verb = "追加"

    event_type = models.CharField("事件", max_length=40, choices=OrgEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    occurred_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    body = models.ForeignKey(EnforcementBody, on_delete=models.PROTECT, null=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="events")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, null=True, related_name="events")
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)
    reason = models.TextField("原因", blank=True)

    class Meta:
        verbose_name = "组织变更记录"
        verbose_name_plural = "组织变更记录"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
