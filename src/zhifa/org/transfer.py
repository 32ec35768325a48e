"""The officer list (执法人员名单) as a spreadsheet: export, and import through the org services.

An import checks every row first and saves nothing unless all rows are valid; then, in one
transaction, it registers or updates each person (matched on 身份证号, then on 执法证号), grants the
roles they lack (it never revokes one) and issues or corrects their credential. Each change goes
through ``zhifa.org.services`` and so leaves its ``OrgEvent``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.identifiers import mask_phone, mask_resident_id, validate_resident_id
from zhifa.core.tabular import ImportReport, Row, RowError, Table, parse_date_cell, read_table, rows_invalid
from zhifa.org import permissions, selectors, services
from zhifa.org.models import (
    REVIEW_ROLES,
    Credential,
    CredentialStatus,
    EnforcementBody,
    Gender,
    Person,
    Role,
    Unit,
)

NAME, GENDER, RESIDENT_ID, PHONE, UNIT, TITLE, ROLES = (
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "所属单位",
    "职务",
    "角色",
)
NUMBER, CATEGORY, AREA, AUTHORITY, ISSUED, EXPIRES = (
    "执法证号",
    "执法类别",
    "执法区域",
    "发证机关",
    "发证日期",
    "有效期至",
)
USERNAME = "用户名"


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    description: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(NAME, True, "必填。", "张三"),
    Column(GENDER, False, "“男”或“女”，可留空。", "男"),
    Column(
        RESIDENT_ID,
        True,
        "必填，18位居民身份证号码，按国家标准核对出生日期和校验码；用于识别已登记的人员。"
        "请把该列设为“文本”格式，以免 Excel 改成科学计数法。",
        "430400199001011231",
    ),
    Column(PHONE, False, "可留空。", "13800000000"),
    Column(UNIT, True, "必填，本执法主体已有的科室或局属单位名称。", "稽查支队"),
    Column(TITLE, False, "可留空。", "科员"),
    Column(
        ROLES,
        False,
        "多个角色用顿号“、”分隔，可选："
        + "、".join(Role.labels)
        + "。导入只增加缺少的角色，不撤销已有角色。",
        "执法人员、科室负责人",
    ),
    Column(NUMBER, True, "持证人员填写；未持证的人员留空，并同时留空以下五列。", "430400100001"),
    Column(CATEGORY, True, "填写执法证号时必填。", "城乡建设"),
    Column(AREA, True, "填写执法证号时必填。", "衡阳市"),
    Column(AUTHORITY, True, "填写执法证号时必填。", "衡阳市人民政府"),
    Column(ISSUED, True, "填写执法证号时必填，格式 YYYY-MM-DD（也可用 Excel 日期）。", "2024-01-01"),
    Column(EXPIRES, True, "填写执法证号时必填，须晚于发证日期。", "2029-12-31"),
    Column(
        USERNAME,
        False,
        "可选：为新登记的人员开设的登录账号（字母、数字及 @ . + - _），密码由管理员另行设置。",
        "zhangsan",
    ),
)
HEADERS: list[str] = [c.header for c in COLUMNS]
REQUIRED: list[str] = [c.header for c in COLUMNS if c.required]
CREDENTIAL_COLUMNS = (CATEGORY, AREA, AUTHORITY, ISSUED, EXPIRES)
# Roles that hand out the power to manage others; only an administrator grants them by import.
ADMIN_ONLY_ROLES = frozenset({Role.ADMIN, Role.PILOT_OFFICE})
ROLE_BY_LABEL: dict[str, str] = {str(role.label): str(role.value) for role in Role}
GENDER_BY_LABEL: dict[str, str] = {str(g.label): str(g.value) for g in Gender}
_ROLE_SEPARATORS = re.compile(r"[、，,；;/\s]+")
_PHONE_RE = re.compile(r"^[0-9+\-() ]{3,20}$")


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def export_officers(*, user: Any) -> tuple[list[str], list[list[str]]]:
    """The active staff of the user's body, one row per person with their current credential.

    身份证号 and 手机号 are masked unless the user may see that person's personal data.
    """
    people = selectors.people(active_only=True)
    me = permissions.person_of(user)
    if me is not None:
        people = people.filter(body=me.body)
    return HEADERS, [_officer_row(person, user) for person in people]


def _officer_row(person: Person, user: Any) -> list[str]:
    show = permissions.can_view_personal_data(user, person)
    credential = current_credential(person)
    held = {assignment.role for assignment in person.roles.all()}
    values = {
        NAME: person.name,
        GENDER: person.get_gender_display() if person.gender else "",
        RESIDENT_ID: (person.resident_id or "") if show else mask_resident_id(person.resident_id),
        PHONE: person.phone if show else mask_phone(person.phone),
        UNIT: person.unit.name,
        TITLE: person.title,
        ROLES: "、".join(str(role.label) for role in Role if role.value in held),
        USERNAME: person.user.get_username() if person.user else "",
    }
    if credential is not None:
        values.update(
            {
                NUMBER: credential.number,
                CATEGORY: credential.category,
                AREA: credential.area,
                AUTHORITY: credential.issuing_authority,
                ISSUED: credential.issued_on.isoformat(),
                EXPIRES: credential.expires_on.isoformat(),
            }
        )
    return [values.get(header, "") for header in HEADERS]


def current_credential(person: Person) -> Credential | None:
    """The credential valid today, else the one that runs longest (of the prefetched ones)."""
    today = timezone.localdate()
    held = list(person.credentials.all())
    valid = [c for c in held if c.is_valid_on(today)]
    pool = valid or [c for c in held if c.status != CredentialStatus.REVOKED] or held
    return max(pool, key=lambda c: (c.expires_on, c.issued_on, c.pk), default=None)


# ---------------------------------------------------------------------------
# Import: parse and check every row
# ---------------------------------------------------------------------------


@dataclass
class OfficerRow:
    """One valid row, and what it will change."""

    number: int
    person_fields: dict[str, Any]
    roles: list[str]
    credential: dict[str, Any] | None
    username: str
    person: Person | None = None
    existing_credential: Credential | None = None
    person_changes: dict[str, Any] = field(default_factory=dict)
    credential_changes: dict[str, Any] = field(default_factory=dict)
    missing_roles: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return (
            self.person is not None
            and not self.person_changes
            and not self.missing_roles
            and (
                self.credential is None
                or (self.existing_credential is not None and not self.credential_changes)
            )
        )


class _Checker:
    """Collects every problem of every row; ``rows`` holds the rows that parsed."""

    def __init__(self, *, actor: Any, body: EnforcementBody, table: Table) -> None:
        self.actor = actor
        self.body = body
        self.table = table
        self.errors: list[RowError] = []
        self.rows: list[OfficerRow] = []
        # Every row's keys, bad rows too, so that a duplicate is reported even beside other errors.
        self.keys: list[tuple[int, dict[str, str]]] = []
        self.units = {unit.name: unit for unit in Unit.objects.filter(body=body)}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def has(self, column: str) -> bool:
        return column in self.table.headers

    # -- one row on its own ------------------------------------------------------------------

    def parse(self, row: Row) -> None:
        before = len(self.errors)
        person_fields: dict[str, Any] = {
            "name": self._name(row),
            "resident_id": self._resident_id(row),
            "unit": self._unit(row),
        }
        if self.has(GENDER):
            person_fields["gender"] = self._gender(row)
        if self.has(PHONE):
            person_fields["phone"] = self._phone(row)
        if self.has(TITLE):
            person_fields["title"] = self._limited(row, TITLE, 50)
        roles = self._roles(row)
        credential = self._credential(row)
        username = self._username(row)
        number = credential["number"] if credential else ""
        self.keys.append(
            (row.number, {RESIDENT_ID: person_fields["resident_id"], NUMBER: number, USERNAME: username})
        )
        if len(self.errors) == before:
            self.rows.append(OfficerRow(row.number, person_fields, roles, credential, username))

    def _name(self, row: Row) -> str:
        name = self._limited(row, NAME, 50)
        if not name:
            self.error(row.number, NAME, "请填写姓名。")
        return name

    def _limited(self, row: Row, column: str, length: int) -> str:
        value = row.get(column)
        if len(value) > length:
            self.error(row.number, column, f"{column}最多{length}个字，当前{len(value)}个字。")
        return value

    def _resident_id(self, row: Row) -> str:
        value = row.get(RESIDENT_ID)
        if not value:
            self.error(row.number, RESIDENT_ID, "请填写身份证号。")
            return ""
        if "*" in value:
            self.error(
                row.number,
                RESIDENT_ID,
                "身份证号已脱敏（含“*”），不能用于导入；请由有权查看完整信息的人员导出后再导入。",
            )
            return ""
        if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", value):
            self.error(
                row.number,
                RESIDENT_ID,
                f"身份证号“{value}”被 Excel 改成了科学计数法：请把该列设为“文本”格式后重新填写。",
            )
            return ""
        try:
            return validate_resident_id(value)
        except ValidationError as exc:
            self.error(row.number, RESIDENT_ID, exc.messages[0])
            return ""

    def _unit(self, row: Row) -> Unit | None:
        name = row.get(UNIT)
        if not name:
            self.error(row.number, UNIT, "请填写所属单位。")
            return None
        unit = self.units.get(name)
        if unit is None:
            self.error(row.number, UNIT, f"本执法主体没有名为“{name}”的单位。")
        elif not unit.is_active:
            self.error(row.number, UNIT, f"单位“{name}”已停用。")
        return unit

    def _gender(self, row: Row) -> str:
        value = row.get(GENDER)
        if value and value not in GENDER_BY_LABEL:
            self.error(row.number, GENDER, f"性别应为“男”或“女”，不能是“{value}”。")
        return GENDER_BY_LABEL.get(value, "")

    def _phone(self, row: Row) -> str:
        value = row.get(PHONE)
        if "*" in value:
            self.error(row.number, PHONE, "手机号已脱敏（含“*”），不能用于导入。")
        elif value and not _PHONE_RE.match(value):
            self.error(row.number, PHONE, f"手机号“{value}”格式不正确：只能包含数字，最多20位。")
        return value

    def _roles(self, row: Row) -> list[str]:
        roles: list[str] = []
        for label in filter(None, _ROLE_SEPARATORS.split(row.get(ROLES))):
            role = ROLE_BY_LABEL.get(label)
            if role is None:
                self.error(row.number, ROLES, f"未知角色“{label}”，可选：{'、'.join(ROLE_BY_LABEL)}。")
            elif role not in roles:
                roles.append(role)
        return roles

    def _credential(self, row: Row) -> dict[str, Any] | None:
        number = row.get(NUMBER)
        filled = [c for c in CREDENTIAL_COLUMNS if row.get(c)]
        if not number:
            if filled:
                self.error(row.number, NUMBER, f"填写了{'、'.join(filled)}，但没有填写执法证号。")
            return None
        for column in CREDENTIAL_COLUMNS:
            if not row.get(column):
                self.error(row.number, column, f"填写执法证号时须填写{column}。")
        issued, expires = self._date(row, ISSUED), self._date(row, EXPIRES)
        if issued and expires and expires <= issued:
            self.error(row.number, EXPIRES, f"有效期至（{expires}）必须晚于发证日期（{issued}）。")
        return {
            "number": self._limited(row, NUMBER, 30),
            "category": self._limited(row, CATEGORY, 50),
            "area": self._limited(row, AREA, 100),
            "issuing_authority": self._limited(row, AUTHORITY, 100),
            "issued_on": issued,
            "expires_on": expires,
        }

    def _date(self, row: Row, column: str) -> datetime.date | None:
        value = row.get(column)
        if not value:
            return None
        day = parse_date_cell(value)
        if day is None:
            self.error(row.number, column, f"“{value}”不是有效日期，请写成 YYYY-MM-DD，如 2024-01-01。")
        return day

    def _username(self, row: Row) -> str:
        value = row.get(USERNAME)
        if value:
            try:
                UnicodeUsernameValidator()(value)
            except ValidationError:
                self.error(row.number, USERNAME, f"用户名“{value}”只能包含字母、数字和 @ . + - _。")
            if len(value) > 150:
                self.error(row.number, USERNAME, "用户名最多150个字符。")
        return value

    # -- rows against each other -------------------------------------------------------------

    def check_duplicates(self) -> None:
        for column in (RESIDENT_ID, NUMBER, USERNAME):
            first: dict[str, int] = {}
            for number, keys in self.keys:
                value = keys[column]
                if value and value in first:
                    self.error(number, column, f"{column}“{value}”与第{first[value]}行重复。")
                elif value:
                    first[value] = number

    # -- rows against the database -----------------------------------------------------------

    def match(self) -> None:
        rids = [r.person_fields["resident_id"] for r in self.rows]
        numbers = [r.credential["number"] for r in self.rows if r.credential]
        by_rid = {
            p.resident_id: p
            for p in Person.objects.filter(resident_id__in=rids).select_related("body", "unit", "user")
        }
        by_number = {
            c.number: c
            for c in Credential.objects.filter(number__in=numbers).select_related(
                "person__body", "person__unit", "person__user"
            )
        }
        for row in self.rows:
            self._match_row(row, by_rid, by_number)

    def _match_row(
        self, row: OfficerRow, by_rid: dict[str | None, Person], by_number: dict[str, Credential]
    ) -> None:
        rid = row.person_fields["resident_id"]
        credential = by_number.get(row.credential["number"]) if row.credential else None
        person = by_rid.get(rid)
        if person is None and credential is not None:
            if credential.person.resident_id and credential.person.resident_id != rid:
                self.error(
                    row.number,
                    NUMBER,
                    f"执法证号“{credential.number}”已登记在{credential.person.name}名下（身份证号不同）。",
                )
                return
            person = credential.person
        if person is not None and person.body_id != self.body.pk:
            self.error(
                row.number,
                RESIDENT_ID,
                f"该人员已登记在其他执法主体（{person.body.name}），不能导入到本主体。",
            )
            return
        if credential is not None and person is not None and credential.person_id != person.pk:
            self.error(
                row.number, NUMBER, f"执法证号“{credential.number}”已登记在{credential.person.name}名下。"
            )
            return
        row.person, row.existing_credential = person, credential

    def plan(self) -> None:
        usernames = [r.username for r in self.rows if r.username and r.person is None]
        taken = set(
            get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        for row in self.rows:
            self._check_username(row, taken)
            self._check_roles(row)
            if row.person is not None:
                self._changes(row, row.person)

    def _check_username(self, row: OfficerRow, taken: set[str]) -> None:
        if not row.username:
            return
        if row.person is None:
            if row.username in taken:
                self.error(row.number, USERNAME, f"用户名“{row.username}”已被使用。")
            return
        current = row.person.user.get_username() if row.person.user else ""
        if not current:
            self.error(
                row.number, USERNAME, "导入不为已登记的人员开设登录账号，请在人员页面办理，或将此格留空。"
            )
        elif current != row.username:
            self.error(row.number, USERNAME, f"该人员的登录账号是“{current}”，导入不修改登录账号。")

    def _check_roles(self, row: OfficerRow) -> None:
        held = {a.role for a in row.person.roles.all()} if row.person else set()
        row.missing_roles = [role for role in row.roles if role not in held]
        qualified = bool(row.person and row.person.legal_qualification_no)
        for role in row.missing_roles:
            label = Role(role).label
            if role in ADMIN_ONLY_ROLES and not permissions.is_admin(self.actor):
                self.error(row.number, ROLES, f"只有系统管理员可以授予“{label}”角色。")
            if role in REVIEW_ROLES and not qualified:
                self.error(
                    row.number,
                    ROLES,
                    f"“{label}”须具备法律职业资格：请先在人员页面登记其法律职业资格证书编号。",
                )

    def _changes(self, row: OfficerRow, person: Person) -> None:
        row.person_changes = {
            name: value for name, value in row.person_fields.items() if getattr(person, name) != value
        }
        if row.credential is not None and row.existing_credential is not None:
            row.credential_changes = {
                name: value
                for name, value in row.credential.items()
                if name != "number" and getattr(row.existing_credential, name) != value
            }


# ---------------------------------------------------------------------------
# Import: write
# ---------------------------------------------------------------------------


def import_officers(*, actor: Any, body: EnforcementBody, content: bytes, filename: str) -> ImportReport:
    """Import the officer list. All rows valid → saved in one transaction; otherwise nothing.

    Raises ``InvalidInput`` whose ``details`` lists every (row, column, message).
    Side effects: people, roles, credentials and their ``OrgEvent`` rows.
    """
    if not permissions.can_manage_credentials(actor):
        raise NotPermitted("只有试点办或系统管理员可以导入执法人员名单。")
    table = read_table(content, filename)
    table.require_columns(REQUIRED)
    checker = _Checker(actor=actor, body=body, table=table)
    for row in table:
        checker.parse(row)
    checker.check_duplicates()
    if not checker.errors:
        checker.match()
    if not checker.errors:
        checker.plan()
    if checker.errors:
        raise rows_invalid(checker.errors)
    if not checker.rows:
        raise rows_invalid([RowError(table.header_row + 1, "", "文件中没有人员数据。")])
    return _save(actor=actor, rows=checker.rows, reason=f"批量导入：{filename}")


def _save(*, actor: Any, rows: list[OfficerRow], reason: str) -> ImportReport:
    created = updated = unchanged = 0
    with transaction.atomic():
        for row in rows:
            if row.unchanged:
                unchanged += 1
                continue
            try:
                _apply(actor=actor, row=row, reason=reason)
            except DomainError as exc:  # a rule only the service knows; the whole import rolls back
                raise rows_invalid([RowError(row.number, "", exc.message)]) from exc
            if row.person is None:
                created += 1
            else:
                updated += 1
    return ImportReport(created=created, updated=updated, unchanged=unchanged)


def _apply(*, actor: Any, row: OfficerRow, reason: str) -> None:
    person = row.person
    if person is None:
        fields = dict(row.person_fields)
        person = services.register_person(
            actor=actor, unit=fields.pop("unit"), name=fields.pop("name"), username=row.username, **fields
        )
    elif row.person_changes:
        person = services.update_person(actor=actor, person=person, reason=reason, **row.person_changes)
    for role in row.missing_roles:
        services.grant_role(actor=actor, person=person, role=role, reason=reason)
    if row.credential is None:
        return
    if row.existing_credential is None:
        services.issue_credential(actor=actor, person=person, **row.credential)
    elif row.credential_changes:
        services.update_credential(
            actor=actor, credential=row.existing_credential, reason=reason, **row.credential_changes
        )
