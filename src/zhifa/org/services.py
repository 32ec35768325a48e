"""Every write to the organisation. Each function runs in one transaction and appends an OrgEvent.

Side effects: none beyond the database (credential photos are written to the default storage).
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction

from zhifa.core.errors import Conflict, DomainError, InvalidInput
from zhifa.core.identifiers import validate_resident_id
from zhifa.org.models import (
    BODY_WIDE_ROLES,
    REVIEW_ROLES,
    Credential,
    CredentialStatus,
    EnforcementBody,
    OrgEvent,
    OrgEventType,
    Person,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)

User = get_user_model()


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe copy of the named fields, for before/after in the event log."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
            value = value.name or ""
        data[name] = value
    return data


def _full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages), details=exc.message_dict) from exc


def _record(
    event_type: str,
    *,
    actor: Any,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **subjects: Any,
) -> OrgEvent:
    return OrgEvent.objects.create(
        event_type=event_type, actor=actor, reason=reason, before=before or {}, after=after or {}, **subjects
    )


BODY_FIELDS = [
    "name",
    "short_name",
    "credit_code",
    "legal_status",
    "jurisdiction",
    "address",
    "phone",
    "supervision_phone",
]


@transaction.atomic
def create_body(*, actor: Any, **fields: Any) -> EnforcementBody:
    body = EnforcementBody(**fields)
    _full_clean(body)
    body.save()
    _record(OrgEventType.BODY_CREATED, actor=actor, body=body, after=snapshot(body, BODY_FIELDS))
    return body


@transaction.atomic
def update_body(*, actor: Any, body: EnforcementBody, reason: str = "", **changes: Any) -> EnforcementBody:
    body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
    before = snapshot(body, BODY_FIELDS)
    for name, value in changes.items():
        setattr(body, name, value)
    _full_clean(body)
    body.save()
    _record(
        OrgEventType.BODY_UPDATED,
        actor=actor,
        body=body,
        reason=reason,
        before=before,
        after=snapshot(body, BODY_FIELDS),
    )
    return body


UNIT_FIELDS = ["name", "kind", "parent", "counterpart", "enforces", "duties", "sort_order", "is_active"]


def _check_unit_links(unit: Unit) -> None:
    if unit.parent_id:
        parent = Unit.objects.get(pk=unit.parent_id)
        if parent.body_id != unit.body_id:
            raise InvalidInput(
                "上级单位必须属于同一执法主体。", details={"parent": ["上级单位必须属于同一执法主体。"]}
            )
        node: Unit | None = parent
        while node is not None:
            if unit.pk and node.pk == unit.pk:
                raise InvalidInput(
                    "单位不能成为自己下级单位的下级（会形成循环）。", details={"parent": ["会形成循环。"]}
                )
            node = node.parent
    if unit.counterpart_id:
        counterpart = Unit.objects.get(pk=unit.counterpart_id)
        if unit.kind != UnitKind.SUBORDINATE:
            raise InvalidInput(
                "只有局属单位才设对口管理科室。", details={"counterpart": ["只有局属单位才设对口管理科室。"]}
            )
        if counterpart.kind != UnitKind.SECTION or counterpart.body_id != unit.body_id:
            raise InvalidInput(
                "对口管理科室必须是同一执法主体的机关科室。",
                details={"counterpart": ["对口管理科室必须是同一执法主体的机关科室。"]},
            )
    # The rule holds from the other side too: a section that manages 局属单位 stays a section.
    if unit.pk and unit.kind != UnitKind.SECTION and Unit.objects.filter(counterpart_id=unit.pk).exists():
        raise InvalidInput(
            "该单位是局属单位的对口管理科室，不能改为局属单位；请先调整其对口管理关系。",
            details={"kind": ["该单位是局属单位的对口管理科室。"]},
        )


@transaction.atomic
def create_unit(*, actor: Any, body: EnforcementBody, **fields: Any) -> Unit:
    unit = Unit(body=body, **fields)
    _full_clean(unit)
    _check_unit_links(unit)
    unit.save()
    _record(OrgEventType.UNIT_CREATED, actor=actor, body=body, unit=unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, reason: str = "", **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    for name, value in changes.items():
        setattr(unit, name, value)
    _full_clean(unit)
    _check_unit_links(unit)
    unit.save()
    _record(
        OrgEventType.UNIT_UPDATED,
        actor=actor,
        body=unit.body,
        unit=unit,
        reason=reason,
        before=before,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit


def _normalise_resident_id(fields: dict[str, Any]) -> None:
    """Store the validator's normal form (upper-case X, ASCII digits) so uniqueness really holds:
    otherwise ``…x`` and ``…X`` (or full-width digits) would register the same person twice."""
    value = fields.get("resident_id")
    if value == "":
        fields["resident_id"] = None
    elif isinstance(value, str):
        with contextlib.suppress(ValidationError):  # full_clean reports which rule failed
            fields["resident_id"] = validate_resident_id(value)


PERSON_FIELDS = [
    "name",
    "gender",
    "resident_id",
    "phone",
    "unit",
    "title",
    "legal_qualification_no",
    "legal_qualification_date",
    "is_active",
]


@transaction.atomic
def register_person(
    *, actor: Any, unit: Unit, name: str, username: str = "", password: str | None = None, **fields: Any
) -> Person:
    """Register a member of staff, with a login when ``username`` is given."""
    _normalise_resident_id(fields)
    person = Person(body=unit.body, unit=unit, name=name, **fields)
    _full_clean(person, exclude=["user"])
    if username:
        if User.objects.filter(username=username).exists():
            raise Conflict(f"用户名“{username}”已被使用。", details={"username": ["用户名已被使用。"]})
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise InvalidInput("；".join(exc.messages), details={"password": exc.messages}) from exc
        user = User.objects.create_user(username=username, password=password)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        person.user = user
    person.save()
    _record(
        OrgEventType.PERSON_CREATED,
        actor=actor,
        body=unit.body,
        unit=unit,
        person=person,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def update_person(*, actor: Any, person: Person, reason: str = "", **changes: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    _normalise_resident_id(changes)
    for name, value in changes.items():
        setattr(person, name, value)
    if person.unit.body_id != person.body_id:
        raise InvalidInput("人员只能调入同一执法主体的单位。", details={"unit": ["单位不属于本执法主体。"]})
    if not person.has_legal_qualification and person.roles.filter(role__in=list(REVIEW_ROLES)).exists():
        raise InvalidInput(
            "该人员担任法制审核角色，须保留法律职业资格证书编号；请先撤销其法制审核角色。",
            details={"legal_qualification_no": ["法制审核人员须具备法律职业资格。"]},
        )
    _full_clean(person, exclude=["user"])
    person.save()
    if person.user_id and "is_active" in changes:
        User.objects.filter(pk=person.user_id).update(is_active=person.is_active)
    _record(
        OrgEventType.PERSON_UPDATED,
        actor=actor,
        body=person.body,
        unit=person.unit,
        person=person,
        reason=reason,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def grant_role(
    *, actor: Any, person: Person, role: str, unit: Unit | None = None, reason: str = ""
) -> RoleAssignment:
    """Give ``person`` a role, scoped to ``unit`` (body-wide roles take no unit)."""
    if role not in Role.values:
        raise InvalidInput(f"未知角色：{role}", details={"role": ["未知角色。"]})
    if role in BODY_WIDE_ROLES:
        unit = None
    elif unit is None:
        unit = person.unit
    if unit is not None and unit.body_id != person.body_id:
        raise InvalidInput("角色适用单位必须属于同一执法主体。", details={"unit": ["单位不属于本执法主体。"]})
    if role in REVIEW_ROLES and not person.has_legal_qualification:
        raise DomainError(
            "法制审核人员须具备法律职业资格：请先登记其法律职业资格证书编号。",
            code="legal_qualification_missing",
        )
    if RoleAssignment.objects.filter(person=person, role=role, unit=unit).exists():
        raise Conflict(f"{person.name}已具有该角色。")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(person=person, role=role, unit=unit)
    except IntegrityError as exc:
        raise Conflict(f"{person.name}已具有该角色。") from exc
    _record(
        OrgEventType.ROLE_GRANTED,
        actor=actor,
        body=person.body,
        unit=unit,
        person=person,
        reason=reason,
        after={"role": role, "unit": unit.pk if unit else None},
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor: Any, assignment: RoleAssignment, reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("撤销角色须说明原因。", details={"reason": ["请填写原因。"]})
    person = assignment.person
    before = {"role": assignment.role, "unit": assignment.unit_id}
    assignment.delete()
    _record(
        OrgEventType.ROLE_REVOKED, actor=actor, body=person.body, person=person, reason=reason, before=before
    )


CREDENTIAL_FIELDS = [
    "number",
    "category",
    "area",
    "issuing_authority",
    "issued_on",
    "expires_on",
    "status",
    "photo",
]


@transaction.atomic
def issue_credential(
    *,
    actor: Any,
    person: Person,
    number: str,
    category: str,
    area: str,
    issuing_authority: str,
    issued_on: datetime.date,
    expires_on: datetime.date,
    photo: UploadedFile | None = None,
) -> Credential:
    """Register an enforcement credential (执法证) held by ``person``."""
    credential = Credential(
        person=person,
        number=number.strip(),
        category=category,
        area=area,
        issuing_authority=issuing_authority,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    _check_dates(issued_on, expires_on)
    _full_clean(credential, exclude=["photo"])
    if photo is not None:
        credential.photo.save(photo.name or "photo.jpg", photo, save=False)
    credential.save()
    _record(
        OrgEventType.CREDENTIAL_ISSUED,
        actor=actor,
        body=person.body,
        person=person,
        credential=credential,
        after=snapshot(credential, CREDENTIAL_FIELDS),
    )
    return credential


def _check_dates(issued_on: datetime.date, expires_on: datetime.date) -> None:
    if expires_on <= issued_on:
        raise InvalidInput(
            "有效期至必须晚于发证日期。", details={"expires_on": ["有效期至必须晚于发证日期。"]}
        )


@transaction.atomic
def update_credential(
    *, actor: Any, credential: Credential, reason: str, photo: UploadedFile | None = None, **changes: Any
) -> Credential:
    """Correct the particulars of a credential; status has its own services."""
    if "status" in changes:
        raise DomainError("证件状态须通过暂扣、恢复或吊销办理。", code="status_via_actions")
    if not reason.strip():
        raise InvalidInput("修改执法证信息须说明原因。", details={"reason": ["请填写修改原因。"]})
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    before = snapshot(credential, CREDENTIAL_FIELDS)
    if isinstance(changes.get("number"), str):
        changes["number"] = changes["number"].strip()  # as on issue: verification looks numbers up exactly
    for name, value in changes.items():
        setattr(credential, name, value)
    _check_dates(credential.issued_on, credential.expires_on)
    _full_clean(credential, exclude=["photo"])
    if photo is not None:
        credential.photo.save(photo.name or "photo.jpg", photo, save=False)
    credential.save()
    renewed = credential.expires_on > datetime.date.fromisoformat(before["expires_on"])
    _record(
        OrgEventType.CREDENTIAL_RENEWED if renewed else OrgEventType.CREDENTIAL_UPDATED,
        actor=actor,
        body=credential.person.body,
        person=credential.person,
        credential=credential,
        reason=reason,
        before=before,
        after=snapshot(credential, CREDENTIAL_FIELDS),
    )
    return credential


_STATUS_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    CredentialStatus.SUSPENDED: ({CredentialStatus.VALID}, OrgEventType.CREDENTIAL_SUSPENDED),
    CredentialStatus.VALID: ({CredentialStatus.SUSPENDED}, OrgEventType.CREDENTIAL_REINSTATED),
    CredentialStatus.REVOKED: (
        {CredentialStatus.VALID, CredentialStatus.SUSPENDED},
        OrgEventType.CREDENTIAL_REVOKED,
    ),
}


@transaction.atomic
def change_credential_status(*, actor: Any, credential: Credential, status: str, reason: str) -> Credential:
    """Suspend (暂扣), reinstate (恢复) or revoke (吊销) a credential. A revoked one stays revoked."""
    if not reason.strip():
        raise InvalidInput("变更执法证状态须说明原因。", details={"reason": ["请填写原因。"]})
    if status not in _STATUS_TRANSITIONS:
        raise InvalidInput(f"未知的证件状态：{status}", details={"status": ["未知状态。"]})
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    allowed_from, event_type = _STATUS_TRANSITIONS[status]
    if credential.status not in allowed_from:
        raise Conflict(
            f"执法证当前状态为“{credential.get_status_display()}”，不能变更为“{CredentialStatus(status).label}”。",
            code="credential_status_conflict",
        )
    before = {"status": credential.status}
    credential.status = status
    credential.save(update_fields=["status"])
    _record(
        event_type,
        actor=actor,
        body=credential.person.body,
        person=credential.person,
        credential=credential,
        reason=reason,
        before=before,
        after={"status": status},
    )
    return credential
