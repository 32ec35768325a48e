"""组织机构 API: enforcement bodies, units, people, credentials and their history (read only).

A thin face over ``zhifa.org.selectors``; who may see personal data is decided by
``zhifa.org.permissions.can_view_personal_data``, and masked values come from ``zhifa.core.identifiers``.
"""

# No ``from __future__ import annotations``: ninja reads the view signatures (``Query[...]`` behind
# ``paginate``) at import time and needs real objects, not strings.
import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhifa.core.api import errors, paginated
from zhifa.core.errors import NotFound
from zhifa.core.identifiers import mask_phone, mask_resident_id
from zhifa.org import permissions, selectors
from zhifa.org.models import Credential, EnforcementBody, OrgEvent, Person, Role, Unit, UnitKind
from zhifa.org.privacy import mask_personal

router = Router(tags=["组织机构"])

# ---------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------


class BodyOut(Schema):
    id: int = Field(description="执法主体ID")
    name: str = Field(description="名称")
    short_name: str = Field(description="文号简称，如“衡住建”")
    credit_code: str = Field(description="统一社会信用代码")
    legal_status: str = Field(description="主体性质代码：organ/authorised/entrusted")
    legal_status_label: str = Field(description="主体性质，如“法定行政机关”")
    jurisdiction: str = Field(description="管辖区域")
    address: str = Field(description="地址")
    phone: str = Field(description="联系电话（机关电话，非个人信息）")
    supervision_phone: str = Field(description="监督电话")

    @staticmethod
    def resolve_legal_status_label(obj: EnforcementBody) -> str:
        return obj.get_legal_status_display()


class UnitOut(Schema):
    id: int = Field(description="单位ID")
    body_id: int = Field(description="所属执法主体ID")
    name: str = Field(description="名称")
    kind: str = Field(description="类型代码：section 机关科室 / subordinate 局属单位")
    kind_label: str = Field(description="类型，如“机关科室”")
    parent_id: int | None = Field(description="上级单位ID")
    counterpart_id: int | None = Field(description="对口管理科室ID（仅局属单位）")
    enforces: bool = Field(description="是否承担执法职责")
    duties: str = Field(description="职责")
    sort_order: int = Field(description="排序")
    is_active: bool = Field(description="是否在用")

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return obj.get_kind_display()


class RoleOut(Schema):
    role: str = Field(description="角色代码")
    role_label: str = Field(description="角色，如“执法人员”")
    unit_id: int | None = Field(description="适用单位ID；为空表示全局")

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(obj.get_role_display())


class CredentialBriefOut(Schema):
    number: str = Field(description="执法证号")
    status: str = Field(description="登记状态代码：valid/suspended/revoked")
    status_label: str = Field(description="对外显示的状态：有效、已过期、未生效、暂扣或吊销")
    expires_on: datetime.date = Field(description="有效期至")

    @staticmethod
    def resolve_status_label(obj: Credential) -> str:
        return obj.effective_status_label


def _may_see_personal_data(person: Person, context: dict[str, Any] | None) -> bool:
    """Asked once per person and response: both masked fields share the answer."""
    if not context or "request" not in context:
        return False
    cache: dict[int, bool] = context.setdefault("_personal_data_visible", {})
    if person.pk not in cache:
        cache[person.pk] = permissions.can_view_personal_data(context["request"].user, person)
    return cache[person.pk]


class PersonOut(Schema):
    id: int = Field(description="人员ID")
    name: str = Field(description="姓名")
    gender: str = Field(description="性别代码：M/F，未登记为空")
    gender_label: str = Field(description="性别")
    body_id: int = Field(description="执法主体ID")
    unit_id: int = Field(description="所在单位ID")
    unit_name: str = Field(description="所在单位名称")
    title: str = Field(description="职务")
    username: str | None = Field(description="登录账号；无账号为空")
    resident_id: str | None = Field(description="身份证号；调用者无权查看个人信息时为脱敏值")
    phone: str = Field(description="手机号；调用者无权查看个人信息时为脱敏值")
    personal_data_masked: bool = Field(description="身份证号、手机号是否已脱敏")
    legal_qualification_no: str = Field(description="法律职业资格证书编号")
    is_active: bool = Field(description="是否在职")
    roles: list[RoleOut] = Field(description="角色")
    credentials: list[CredentialBriefOut] = Field(description="执法证")

    @staticmethod
    def resolve_gender_label(obj: Person) -> str:
        return obj.get_gender_display() if obj.gender else ""

    @staticmethod
    def resolve_unit_name(obj: Person) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_username(obj: Person) -> str | None:
        return obj.user.get_username() if obj.user else None

    @staticmethod
    def resolve_resident_id(obj: Person, context: dict[str, Any] | None = None) -> str | None:
        if not obj.resident_id or _may_see_personal_data(obj, context):
            return obj.resident_id
        return mask_resident_id(obj.resident_id)

    @staticmethod
    def resolve_phone(obj: Person, context: dict[str, Any] | None = None) -> str:
        if not obj.phone or _may_see_personal_data(obj, context):
            return obj.phone
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_personal_data_masked(obj: Person, context: dict[str, Any] | None = None) -> bool:
        return not _may_see_personal_data(obj, context)


class CredentialOut(Schema):
    number: str = Field(description="执法证号")
    holder_id: int = Field(description="持证人ID")
    holder_name: str = Field(description="持证人姓名")
    unit_id: int = Field(description="持证人所在单位ID")
    unit_name: str = Field(description="持证人所在单位")
    category: str = Field(description="执法类别")
    area: str = Field(description="执法区域")
    issuing_authority: str = Field(description="发证机关")
    issued_on: datetime.date = Field(description="发证日期")
    expires_on: datetime.date = Field(description="有效期至")
    status: str = Field(description="登记状态代码：valid/suspended/revoked（过期由有效期判断）")
    status_label: str = Field(description="对外显示的状态：有效、已过期、未生效、暂扣或吊销")
    valid_today: bool = Field(description="今天是否可以持证执法")

    @staticmethod
    def resolve_holder_id(obj: Credential) -> int:
        return obj.person_id

    @staticmethod
    def resolve_holder_name(obj: Credential) -> str:
        return obj.person.name

    @staticmethod
    def resolve_unit_id(obj: Credential) -> int:
        return obj.person.unit_id

    @staticmethod
    def resolve_unit_name(obj: Credential) -> str:
        return obj.person.unit.name

    @staticmethod
    def resolve_status_label(obj: Credential) -> str:
        return obj.effective_status_label

    @staticmethod
    def resolve_valid_today(obj: Credential) -> bool:
        return obj.is_valid_on(timezone.localdate())


def _event_data(event: OrgEvent, data: dict[str, Any], context: dict[str, Any] | None) -> dict[str, Any]:
    """An event's before/after, with personal data masked unless the caller may see the person's."""
    if event.person is not None and _may_see_personal_data(event.person, context):
        return data
    return mask_personal(data)


class EventOut(Schema):
    id: int = Field(description="记录ID")
    type: str = Field(description="事件类型代码")
    label: str = Field(description="事件，如“暂扣执法证”")
    actor: str | None = Field(description="操作人账号；系统初始化为空")
    occurred_at: datetime.datetime = Field(description="发生时间")
    reason: str = Field(description="原因")
    before: dict[str, Any] = Field(description="变更前的值")
    after: dict[str, Any] = Field(description="变更后的值")

    @staticmethod
    def resolve_type(obj: OrgEvent) -> str:
        return obj.event_type

    @staticmethod
    def resolve_label(obj: OrgEvent) -> str:
        return obj.get_event_type_display()

    @staticmethod
    def resolve_actor(obj: OrgEvent) -> str | None:
        return obj.actor.get_username() if obj.actor else None

    @staticmethod
    def resolve_before(obj: OrgEvent, context: dict[str, Any] | None = None) -> dict[str, Any]:
        return _event_data(obj, obj.before, context)

    @staticmethod
    def resolve_after(obj: OrgEvent, context: dict[str, Any] | None = None) -> dict[str, Any]:
        return _event_data(obj, obj.after, context)


# ---------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------


def _body_or_404(body_id: int) -> EnforcementBody:
    body = selectors.bodies().filter(pk=body_id).first()
    if body is None:
        raise NotFound(f"执法主体（ID {body_id}）不存在。")
    return body


def _unit_or_404(unit_id: int) -> Unit:
    unit = selectors.units().filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"单位（ID {unit_id}）不存在。")
    return unit


def _person_or_404(person_id: int) -> Person:
    person = selectors.people(active_only=False).filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"人员（ID {person_id}）不存在。")
    return person


def _credential_or_404(number: str) -> Credential:
    credential = selectors.lookup_credential(number)
    if credential is None:
        raise NotFound(
            f"未找到执法证号为“{number.strip()}”的执法证，请核对证号。", details={"number": number}
        )
    return credential


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------


@router.get("/bodies", response={200: list[BodyOut], **errors(401, 422)}, summary="执法主体列表")
@paginated
def list_bodies(request: HttpRequest) -> Any:
    return selectors.bodies()


@router.get("/bodies/{body_id}", response={200: BodyOut, **errors(401, 404)}, summary="执法主体详情")
def get_body(request: HttpRequest, body_id: int) -> Any:
    return _body_or_404(body_id)


class UnitFilter(Schema):
    body_id: int | None = Field(None, description="只看该执法主体的单位")
    kind: UnitKind | None = Field(None, description="section 机关科室 / subordinate 局属单位")


@router.get(
    "/units", response={200: list[UnitOut], **errors(401, 404, 422)}, summary="单位（科室、局属单位）列表"
)
@paginated
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> Any:
    body = _body_or_404(filters.body_id) if filters.body_id is not None else None
    units = selectors.units(body)
    return units.filter(kind=filters.kind) if filters.kind else units


@router.get("/units/{unit_id}", response={200: UnitOut, **errors(401, 404)}, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return _unit_or_404(unit_id)


class PeopleFilter(Schema):
    q: str = Field("", max_length=100, description="按姓名、执法证号或单位名称搜索")
    unit_id: int | None = Field(None, description="所在单位ID")
    role: Role | None = Field(None, description="角色代码，如 officer（执法人员）")


@router.get(
    "/people",
    response={200: list[PersonOut], **errors(401, 404, 422)},
    summary="人员列表（在职）",
    description="身份证号、手机号仅对本人、系统管理员、试点办和所在单位负责人显示完整值，其他调用者得到脱敏值。",
)
@paginated
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    unit = _unit_or_404(filters.unit_id) if filters.unit_id is not None else None
    return selectors.people(query=filters.q.strip(), unit=unit, role=filters.role or "")


@router.get("/people/{person_id}", response={200: PersonOut, **errors(401, 404)}, summary="人员详情")
def get_person(request: HttpRequest, person_id: int) -> Any:
    return _person_or_404(person_id)


@router.get(
    "/people/{person_id}/history",
    response={200: list[EventOut], **errors(401, 404, 422)},
    summary="人员变更记录",
    description="最新的在前。变更前后值中的身份证号、手机号按调用者权限脱敏。",
)
@paginated
def person_history(request: HttpRequest, person_id: int) -> Any:
    return selectors.person_history(_person_or_404(person_id))


class CredentialFilter(Schema):
    q: str = Field("", max_length=100, description="按执法证号或持证人姓名搜索")
    status: Literal["valid", "expired", "suspended", "revoked"] | None = Field(
        None, description="valid 有效 / expired 已过期 / suspended 暂扣 / revoked 吊销"
    )
    expiring_within_days: int | None = Field(
        None, ge=0, le=3650, description="只看在这么多天内到期的有效证件"
    )


@router.get("/credentials", response={200: list[CredentialOut], **errors(401, 422)}, summary="执法证列表")
@paginated
def list_credentials(request: HttpRequest, filters: Query[CredentialFilter]) -> Any:
    return selectors.credentials(
        query=filters.q.strip(),
        status=filters.status or "",
        expiring_within_days=filters.expiring_within_days,
    )


@router.get(
    "/credentials/{number}",
    response={200: CredentialOut, **errors(401, 404)},
    summary="执法证核验（按证号精确查询）",
    description="亮证核验：按完整执法证号查询持证人、执法类别、区域和当前状态；证号不存在时返回404。",
)
def get_credential(request: HttpRequest, number: str) -> Any:
    return _credential_or_404(number)


@router.get(
    "/credentials/{number}/history",
    response={200: list[EventOut], **errors(401, 404, 422)},
    summary="执法证变更记录",
    description="登记、换发、暂扣、恢复、吊销等记录，最新的在前。",
)
@paginated
def credential_history(request: HttpRequest, number: str) -> Any:
    return selectors.credential_history(_credential_or_404(number))
