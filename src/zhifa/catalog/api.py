"""执法事项目录 API: enforcement items and their versions, laws article by article, statutory rules.

A thin face over ``zhifa.catalog.selectors`` (reads) and ``zhifa.catalog.diffing`` (version diffs).
Items are looked up by code alone: a deployment serves one enforcement body in practice, and a code
used by two bodies is answered with 409 rather than a guess.
"""

# No ``from __future__ import annotations``: ninja reads the view signatures (``Query[...]`` behind
# ``paginate``) at import time and needs real objects, not strings.
import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhifa.catalog import selectors
from zhifa.catalog.citations import format_citation
from zhifa.catalog.diffing import diff_versions
from zhifa.catalog.models import (
    ActType,
    AvRequirement,
    DiscretionBracket,
    EnforcementItem,
    ItemBasis,
    ItemVersion,
    Law,
    LegalRule,
    Provision,
)
from zhifa.core.api import errors, paginated
from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.org import selectors as org_selectors

router = Router(tags=["执法事项目录"])


# ---------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------


class UnitRefOut(Schema):
    id: int = Field(description="单位ID")
    name: str = Field(description="单位名称")


def _unit_name(unit_id: int, context: dict[str, Any] | None) -> str:
    """Unit names for a page of items, read once per response."""
    cache: dict[int, str] = {}
    if context is not None:
        cache = context.setdefault("_unit_names", {})
    if unit_id not in cache:
        cache.update(org_selectors.units().values_list("pk", "name"))
    return cache.get(unit_id, "")


class ItemOut(Schema):
    code: str = Field(description="事项编码")
    body_id: int = Field(description="执法主体ID")
    act_type: str = Field(description="执法类别代码")
    act_type_label: str = Field(description="执法类别，如“行政处罚”")
    name: str = Field(description="事项名称（最新版本）")
    implementing_unit: UnitRefOut = Field(description="实施科室（最新版本）")
    random_inspection: bool = Field(description="是否纳入随机抽查事项清单（最新版本）")
    latest_version: int = Field(description="最新版本号")

    @staticmethod
    def resolve_act_type_label(obj: EnforcementItem) -> str:
        return obj.get_act_type_display()

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.latest_name)

    @staticmethod
    def resolve_implementing_unit(obj: Any, context: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"id": obj.latest_unit_id, "name": _unit_name(obj.latest_unit_id, context)}

    @staticmethod
    def resolve_random_inspection(obj: Any) -> bool:
        return bool(obj.latest_random)

    @staticmethod
    def resolve_latest_version(obj: Any) -> int:
        return int(obj.version_count)


class ProvisionRefOut(Schema):
    id: int = Field(description="条款ID")
    law_short_title: str = Field(description="法律法规简称")
    label: str = Field(description="条文编号")
    citation: str = Field(description="引用写法")

    @staticmethod
    def resolve_law_short_title(obj: Provision) -> str:
        return obj.law.short_title

    @staticmethod
    def resolve_citation(obj: Provision) -> str:
        return format_citation(obj.law.short_title, obj.label)


class ProvisionOut(ProvisionRefOut):
    law_id: int = Field(description="法律法规ID")
    number: int = Field(description="条号（阿拉伯数字）")
    chapter: str = Field(description="所在章")
    section: str = Field(description="所在节")
    text: str = Field(description="条文")


class BasisOut(Schema):
    law_short_title: str = Field(description="法律法规简称，如“建筑法”")
    law_title: str = Field(description="法律法规全称")
    label: str = Field(description="条文编号，如“第六十四条”")
    citation: str = Field(description="引用写法，如“《建筑法》第六十四条”")
    purpose: str = Field(description="依据类型代码")
    purpose_label: str = Field(description="依据类型，如“处罚依据”")
    text: str = Field(description="条文")
    provision_id: int = Field(description="条款ID")

    @staticmethod
    def resolve_law_short_title(obj: ItemBasis) -> str:
        return obj.provision.law.short_title

    @staticmethod
    def resolve_law_title(obj: ItemBasis) -> str:
        return obj.provision.law.title

    @staticmethod
    def resolve_label(obj: ItemBasis) -> str:
        return obj.provision.label

    @staticmethod
    def resolve_citation(obj: ItemBasis) -> str:
        return format_citation(obj.provision.law.short_title, obj.provision.label)

    @staticmethod
    def resolve_purpose_label(obj: ItemBasis) -> str:
        return obj.get_purpose_display()

    @staticmethod
    def resolve_text(obj: ItemBasis) -> str:
        return obj.provision.text


class AvRequirementOut(Schema):
    step: str = Field(description="执法环节代码")
    step_label: str = Field(description="执法环节，如“查封、扣押”")
    level: str = Field(description="要求代码：required/as_needed")
    level_label: str = Field(description="要求，如“必须全程音像记录”")

    @staticmethod
    def resolve_step_label(obj: AvRequirement) -> str:
        return obj.get_step_display()

    @staticmethod
    def resolve_level_label(obj: AvRequirement) -> str:
        return obj.get_level_display()


class BracketOut(Schema):
    circumstance: str = Field(description="违法情形")
    description: str = Field(description="情节描述")
    amount_basis: str = Field(description="计罚方式代码")
    amount_basis_label: str = Field(description="计罚方式，如“% 工程合同价款”")
    lower: str = Field(description="下限（字符串形式的十进制数，避免精度损失）")
    upper: str = Field(description="上限（字符串形式的十进制数）")
    range_display: str = Field(description="裁量幅度，如“1–2 % 工程合同价款”")
    other_measures: str = Field(description="其他处罚")

    @staticmethod
    def resolve_amount_basis_label(obj: DiscretionBracket) -> str:
        return obj.get_amount_basis_display()

    @staticmethod
    def resolve_lower(obj: DiscretionBracket) -> str:
        return str(obj.lower)

    @staticmethod
    def resolve_upper(obj: DiscretionBracket) -> str:
        return str(obj.upper)


class RuleOut(Schema):
    code: str = Field(description="规则编号，如 T18")
    variant: str = Field(description="适用情形，如 individual / organisation；为空表示通用")
    name: str = Field(description="名称")
    quantity: str = Field(description="数值（字符串形式的十进制数）")
    unit: str = Field(description="单位代码")
    unit_label: str = Field(description="单位，如“个工作日”")
    extension: str | None = Field(description="可延长的数值；不可延长为空")
    value_display: str = Field(description="显示值，如“20个工作日（可延长10）”")
    basis: str = Field(description="依据")
    provision: ProvisionRefOut | None = Field(description="依据条款")
    confidence: str = Field(description="来源性质代码：V/L/K")
    confidence_label: str = Field(description="来源性质，如“已核对原文”")
    notes: str = Field(description="说明")
    effective_from: datetime.date = Field(description="生效日期")
    change_reason: str = Field(description="调整原因")
    created_by: str | None = Field(description="调整人账号；初始化数据为空")
    created_at: datetime.datetime = Field(description="记录时间")

    @staticmethod
    def resolve_quantity(obj: LegalRule) -> str:
        return str(obj.quantity)

    @staticmethod
    def resolve_unit_label(obj: LegalRule) -> str:
        return obj.get_unit_display()

    @staticmethod
    def resolve_extension(obj: LegalRule) -> str | None:
        return None if obj.extension is None else str(obj.extension)

    @staticmethod
    def resolve_confidence_label(obj: LegalRule) -> str:
        return obj.get_confidence_display()

    @staticmethod
    def resolve_created_by(obj: LegalRule) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class VersionOut(Schema):
    number: int = Field(description="版本号")
    name: str = Field(description="事项名称")
    effective_from: datetime.date = Field(description="生效日期")
    change_reason: str = Field(description="调整原因")
    created_by: str | None = Field(description="调整人账号")
    created_at: datetime.datetime = Field(description="记录时间")

    @staticmethod
    def resolve_created_by(obj: ItemVersion) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class ItemVersionOut(VersionOut):
    code: str = Field(description="事项编码")
    body_id: int = Field(description="执法主体ID")
    act_type: str = Field(description="执法类别代码")
    act_type_label: str = Field(description="执法类别")
    latest_version: int = Field(description="最新版本号")
    implementing_unit: UnitRefOut = Field(description="实施科室")
    procedure_summary: str = Field(description="办理流程")
    conditions: str = Field(description="办理条件")
    materials: str = Field(description="申请材料")
    time_limit_code: str = Field(description="法定时限规则编号，如 T18")
    time_limit_note: str = Field(description="时限说明")
    time_limit: RuleOut | None = Field(
        description="time_limit_code 所指规则在所查日期（未指定 on 则为今天）的现行内容"
    )
    fees: str = Field(description="收费标准")
    remedies: str = Field(description="救济途径")
    supervision_channels: str = Field(description="监督方式")
    random_inspection: bool = Field(description="是否纳入随机抽查事项清单")
    bases: list[BasisOut] = Field(description="法律依据")
    av_requirements: list[AvRequirementOut] = Field(description="音像记录要求")
    brackets: list[BracketOut] = Field(description="裁量基准（仅行政处罚事项）")

    @staticmethod
    def resolve_code(obj: ItemVersion) -> str:
        return obj.item.code

    @staticmethod
    def resolve_body_id(obj: ItemVersion) -> int:
        return obj.item.body_id

    @staticmethod
    def resolve_act_type(obj: ItemVersion) -> str:
        return obj.item.act_type

    @staticmethod
    def resolve_act_type_label(obj: ItemVersion) -> str:
        return obj.item.get_act_type_display()

    @staticmethod
    def resolve_latest_version(obj: ItemVersion) -> int:
        latest = obj.item.latest_version()
        return latest.number if latest else obj.number


@dataclass(frozen=True)
class VersionWithRule:
    """A version together with its time-limit rule as in force on the day asked about.

    Reads as the version itself (``ItemVersionOut`` resolves its fields from it) plus ``time_limit``.
    """

    version: ItemVersion
    time_limit: LegalRule | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.version, name)


class ChangeOut(Schema):
    label: str = Field(description="字段，如“事项名称”")
    old: str = Field(description="原值")
    new: str = Field(description="新值")


class LawOut(Schema):
    id: int = Field(description="法律法规ID")
    title: str = Field(description="名称")
    short_title: str = Field(description="简称")
    kind: str = Field(description="效力层级代码")
    kind_label: str = Field(description="效力层级，如“法律”")
    amended_on: datetime.date | None = Field(description="最近修订日期")
    article_count: int = Field(description="条文数")

    @staticmethod
    def resolve_kind_label(obj: Law) -> str:
        return obj.get_kind_display()


# ---------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------


def _item_or_404(code: str) -> EnforcementItem:
    matches = list(selectors.items().filter(code=code.strip().upper())[:2])
    if not matches:
        raise NotFound(f"执法事项“{code}”不存在。", details={"code": code})
    if len(matches) > 1:
        raise Conflict(f"事项编码“{code}”在多个执法主体中使用，无法确定所指事项。", code="ambiguous_code")
    return matches[0]


def _version_or_404(item: EnforcementItem, number: int) -> ItemVersion:
    version = selectors.item_versions(item).filter(number=number).first()
    if version is None:
        raise NotFound(f"执法事项“{item.code}”没有第{number}版。", details={"version": number})
    return version


def _law_or_404(law_id: int) -> Law:
    law = selectors.laws().filter(pk=law_id).first()
    if law is None:
        raise NotFound(f"法律法规（ID {law_id}）不存在。")
    return law


# ---------------------------------------------------------------------------
# Endpoints: items
# ---------------------------------------------------------------------------


class ItemFilter(Schema):
    q: str = Field("", max_length=100, description="按编码、名称或依据的法律简称搜索")
    act_type: ActType | None = Field(None, description="执法类别代码，如 penalty（行政处罚）")
    unit_id: int | None = Field(None, description="实施科室ID（按最新版本）")
    random_inspection: bool | None = Field(None, description="是否纳入随机抽查事项清单（按最新版本）")


@router.get("/items", response={200: list[ItemOut], **errors(401, 422)}, summary="执法事项列表")
@paginated
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:
    return selectors.items(
        query=filters.q.strip(),
        act_type=filters.act_type or "",
        unit_id=filters.unit_id,
        random_inspection=filters.random_inspection,
    )


class VersionChoice(Schema):
    on: datetime.date | None = Field(None, description="查看该日（YYYY-MM-DD）生效的版本；默认今天")
    version: int | None = Field(None, ge=1, description="查看指定版本号；不能与 on 同时使用")


@router.get(
    "/items/{code}",
    response={200: ItemVersionOut, **errors(401, 404, 409, 422)},
    summary="执法事项详情（某一版本的完整内容）",
    description="默认返回今天生效的版本；`?on=YYYY-MM-DD` 返回该日生效的版本，`?version=N` 返回第N版。",
)
def get_item(request: HttpRequest, code: str, choice: Query[VersionChoice]) -> Any:
    if choice.on is not None and choice.version is not None:
        raise InvalidInput("on 与 version 只能指定一个。", details={"version": ["不能与 on 同时使用。"]})
    item = _item_or_404(code)
    if choice.version is not None:
        version = _version_or_404(item, choice.version)
    else:
        found = selectors.current_version(item, on=choice.on)
        if found is None:
            day = choice.on.isoformat() if choice.on else "今天"
            raise NotFound(f"执法事项“{item.code}”在{day}没有生效的版本。", code="no_version_in_force")
        version = found
    rule = selectors.rule_in_force(version.time_limit_code, on=choice.on) if version.time_limit_code else None
    return VersionWithRule(version, rule)


@router.get(
    "/items/{code}/versions",
    response={200: list[VersionOut], **errors(401, 404, 409, 422)},
    summary="执法事项的版本记录",
    description="全部版本，最新的在前；每一版都可用 `/items/{code}?version=N` 查看。",
)
@paginated
def list_item_versions(request: HttpRequest, code: str) -> Any:
    return selectors.item_versions(_item_or_404(code))


class DiffChoice(Schema):
    from_version: int = Field(..., alias="from", ge=1, description="原版本号")
    to_version: int = Field(..., alias="to", ge=1, description="新版本号")


@router.get(
    "/items/{code}/diff",
    response={200: list[ChangeOut], **errors(401, 404, 409, 422)},
    summary="比较两个版本",
    description="`?from=1&to=2`：列出有变化的字段及其原值、新值。",
)
def diff_item_versions(request: HttpRequest, code: str, choice: Query[DiffChoice]) -> Any:
    item = _item_or_404(code)
    old = _version_or_404(item, choice.from_version)
    new = _version_or_404(item, choice.to_version)
    return diff_versions(old, new)


# ---------------------------------------------------------------------------
# Endpoints: laws and provisions
# ---------------------------------------------------------------------------


@router.get("/laws", response={200: list[LawOut], **errors(401, 422)}, summary="法律法规列表")
@paginated
def list_laws(request: HttpRequest) -> Any:
    return selectors.laws()


class ProvisionFilter(Schema):
    q: str = Field("", max_length=100, description="按条文内容或条文编号搜索")


@router.get(
    "/laws/{law_id}/provisions",
    response={200: list[ProvisionOut], **errors(401, 404, 422)},
    summary="某部法律法规的条款",
)
@paginated
def list_law_provisions(request: HttpRequest, law_id: int, filters: Query[ProvisionFilter]) -> Any:
    return selectors.provisions(_law_or_404(law_id), filters.q.strip())


class ProvisionSearch(Schema):
    q: str = Field(
        ..., min_length=1, max_length=100, description="如“建筑法 64”“建筑法第六十四条”或条文中的词语"
    )
    limit: int = Field(20, ge=1, le=50, description="最多返回条数")


@router.get(
    "/provisions/search",
    response={200: list[ProvisionOut], **errors(401, 422)},
    summary="查找条款",
    description=(
        "供选择依据时使用：识别“建筑法 64”这类引用，否则按法律简称和条文内容搜索。不分页，最多返回 limit 条。"
    ),
)
def search_provisions(request: HttpRequest, search: Query[ProvisionSearch]) -> Any:
    return selectors.search_provisions(search.q.strip(), limit=search.limit)


# ---------------------------------------------------------------------------
# Endpoints: statutory rules
# ---------------------------------------------------------------------------


class RuleDay(Schema):
    on: datetime.date | None = Field(None, description="查看该日（YYYY-MM-DD）现行的规则；默认今天")


@router.get(
    "/rules",
    response={200: list[RuleOut], **errors(401, 422)},
    summary="现行法定时限与标准",
    description="每个规则编号和适用情形各取在所查日期现行的一条。",
)
@paginated
def list_rules(request: HttpRequest, day: Query[RuleDay]) -> Any:
    return selectors.rules_in_force(on=day.on)


class RuleVariant(Schema):
    variant: str = Field("", max_length=40, description="适用情形，如 individual；为空表示通用规则")


@router.get(
    "/rules/{code}/history",
    response={200: list[RuleOut], **errors(401, 404, 422)},
    summary="法定时限与标准的调整记录",
    description="同一规则编号、同一适用情形的全部版本，生效日期最新的在前。",
)
@paginated
def rule_history(request: HttpRequest, code: str, choice: Query[RuleVariant]) -> Any:
    history = selectors.rule_history(code, choice.variant)
    if not history.exists():
        suffix = f"（{choice.variant}）" if choice.variant else ""
        raise NotFound(f"规则“{code}”{suffix}不存在。", details={"code": code, "variant": choice.variant})
    return history
