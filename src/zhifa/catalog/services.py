"""Every write to the catalogue. An item edit adds a version; a rule edit adds a dated row.

Side effects: none beyond the database.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from zhifa.catalog.lawtext import ParsedLaw
from zhifa.catalog.models import (
    ActType,
    AmountBasis,
    AvRequirement,
    AvRequirementLevel,
    BasisPurpose,
    CaseStep,
    DiscretionBracket,
    EnforcementItem,
    ItemBasis,
    ItemVersion,
    Law,
    LawKind,
    LegalRule,
    Provision,
    RuleUnit,
)
from zhifa.catalog.selectors import clear_rule_cache
from zhifa.core.errors import Conflict, InvalidInput
from zhifa.org.models import EnforcementBody, Unit

ITEM_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


@dataclass(frozen=True)
class BasisSpec:
    provision: Provision
    purpose: str = BasisPurpose.AUTHORITY


@dataclass(frozen=True)
class BracketSpec:
    circumstance: str
    amount_basis: str
    lower: Decimal
    upper: Decimal
    description: str = ""
    other_measures: str = ""


@dataclass(frozen=True)
class ItemContent:
    """Everything a version says. Two versions with equal content are the same version."""

    name: str
    implementing_unit: Unit
    other_basis: str = ""
    procedure_summary: str = ""
    conditions: str = ""
    materials: str = ""
    time_limit_code: str = ""
    time_limit_note: str = ""
    fees: str = ""
    remedies: str = ""
    supervision_channels: str = ""
    random_inspection: bool = False
    bases: tuple[BasisSpec, ...] = ()
    av_requirements: tuple[tuple[str, str], ...] = ()  # (step, level), sorted by step
    brackets: tuple[BracketSpec, ...] = field(default=())

    def replace(self, **changes: Any) -> ItemContent:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        if "av_requirements" in changes:
            values["av_requirements"] = tuple(sorted(values["av_requirements"]))
        return ItemContent(**values)


SCALAR_FIELDS = [
    "name",
    "other_basis",
    "procedure_summary",
    "conditions",
    "materials",
    "time_limit_code",
    "time_limit_note",
    "fees",
    "remedies",
    "supervision_channels",
    "random_inspection",
]


def content_of(version: ItemVersion) -> ItemContent:
    return ItemContent(
        implementing_unit=version.implementing_unit,
        bases=tuple(
            BasisSpec(b.provision, b.purpose) for b in version.bases.select_related("provision__law")
        ),
        av_requirements=tuple(sorted((a.step, a.level) for a in version.av_requirements.all())),
        brackets=tuple(
            BracketSpec(b.circumstance, b.amount_basis, b.lower, b.upper, b.description, b.other_measures)
            for b in version.brackets.all()
        ),
        **{name: getattr(version, name) for name in SCALAR_FIELDS},
    )


def _comparable(content: ItemContent) -> tuple[Any, ...]:
    return (
        tuple(getattr(content, n) for n in SCALAR_FIELDS),
        content.implementing_unit.pk,
        tuple((b.provision.pk, b.purpose) for b in content.bases),
        content.av_requirements,
        tuple(
            (
                b.circumstance,
                b.amount_basis,
                Decimal(b.lower),
                Decimal(b.upper),
                b.description,
                b.other_measures,
            )
            for b in content.brackets
        ),
    )


def _text_limit(model: type[models.Model], name: str) -> tuple[str, int | None]:
    """A text column's label and length limit, so over-long input is refused on every database."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name), field.max_length


def _fits_amount(value: Decimal) -> bool:
    """Whether ``value`` fits the bracket columns (14 digits, 2 of them decimals)."""
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2 and abs(value) < Decimal(10) ** 12


def _validate_content(content: ItemContent, *, body: EnforcementBody, act_type: str) -> None:
    errors: dict[str, list[str]] = {}
    if not content.name.strip():
        errors.setdefault("name", []).append("请填写事项名称。")
    if content.implementing_unit.body_id != body.pk:
        errors.setdefault("implementing_unit", []).append("实施科室必须属于本执法主体。")
    elif not content.implementing_unit.enforces:
        errors.setdefault("implementing_unit", []).append(
            f"“{content.implementing_unit.name}”不承担执法职责。"
        )
    if not content.bases and not content.other_basis.strip():
        errors.setdefault("bases", []).append("执法事项必须有法律依据：至少引用一条条款，或填写其他依据。")
    # Checked here, not left to the database: a duplicate would fail half-way as an IntegrityError,
    # and SQLite would silently store an over-long text that PostgreSQL refuses.
    cited = [(b.provision.pk, b.purpose) for b in content.bases]
    if len(cited) != len(set(cited)):
        errors.setdefault("bases", []).append("同一条款不能以同一依据类型重复引用。")
    if any(b.purpose not in BasisPurpose.values for b in content.bases):
        errors.setdefault("bases", []).append("依据类型无效。")
    for name in SCALAR_FIELDS:
        label, limit = _text_limit(ItemVersion, name)
        value = getattr(content, name)
        if limit and isinstance(value, str) and len(value) > limit:
            errors.setdefault(name, []).append(f"{label}不能超过{limit}个字。")
    if content.time_limit_code and not LegalRule.objects.filter(code=content.time_limit_code).exists():
        errors.setdefault("time_limit_code", []).append(f"时限规则“{content.time_limit_code}”不存在。")
    steps = [step for step, _ in content.av_requirements]
    for step, level in content.av_requirements:
        if step not in CaseStep.values:
            errors.setdefault("av_requirements", []).append(f"未知执法环节：{step}")
        if level not in AvRequirementLevel.values:
            errors.setdefault("av_requirements", []).append(f"未知音像记录要求：{level}")
    if len(steps) != len(set(steps)):
        errors.setdefault("av_requirements", []).append("同一执法环节只能有一条音像记录要求。")
    if content.brackets and act_type != ActType.PENALTY:
        errors.setdefault("brackets", []).append("只有行政处罚事项设裁量基准。")
    for i, b in enumerate(content.brackets, start=1):
        if not b.circumstance.strip():
            errors.setdefault("brackets", []).append(f"第{i}档裁量基准缺少违法情形。")
        if b.amount_basis not in AmountBasis.values:
            errors.setdefault("brackets", []).append(f"第{i}档裁量基准的计罚方式无效。")
        if b.lower < 0 or b.upper < b.lower:
            errors.setdefault("brackets", []).append(f"第{i}档裁量基准的上限不能低于下限，且不能为负数。")
        if any(not _fits_amount(Decimal(v)) for v in (b.lower, b.upper)):
            errors.setdefault("brackets", []).append(
                f"第{i}档裁量基准的金额最多保留两位小数，且须小于一万亿。"
            )
        for attr in ("circumstance", "other_measures"):
            label, limit = _text_limit(DiscretionBracket, attr)
            if limit and len(getattr(b, attr)) > limit:
                errors.setdefault("brackets", []).append(f"第{i}档裁量基准的{label}不能超过{limit}个字。")
    if errors:
        raise InvalidInput("；".join(m for ms in errors.values() for m in ms), details=errors)


def _write_version(
    *,
    actor: Any,
    item: EnforcementItem,
    number: int,
    content: ItemContent,
    effective_from: datetime.date,
    reason: str,
) -> ItemVersion:
    version = ItemVersion.objects.create(
        item=item,
        number=number,
        implementing_unit=content.implementing_unit,
        effective_from=effective_from,
        change_reason=reason,
        created_by=actor,
        **{name: getattr(content, name) for name in SCALAR_FIELDS},
    )
    ItemBasis.objects.bulk_create(
        ItemBasis(version=version, provision=b.provision, purpose=b.purpose, sort_order=i)
        for i, b in enumerate(content.bases)
    )
    AvRequirement.objects.bulk_create(
        AvRequirement(version=version, step=step, level=level) for step, level in content.av_requirements
    )
    DiscretionBracket.objects.bulk_create(
        DiscretionBracket(
            version=version,
            circumstance=b.circumstance,
            description=b.description,
            amount_basis=b.amount_basis,
            lower=b.lower,
            upper=b.upper,
            other_measures=b.other_measures,
            sort_order=i,
        )
        for i, b in enumerate(content.brackets)
    )
    return version


@transaction.atomic
def create_item(
    *,
    actor: Any,
    body: EnforcementBody,
    code: str,
    act_type: str,
    content: ItemContent,
    effective_from: datetime.date,
    reason: str = "首次编制",
) -> EnforcementItem:
    """Add an enforcement item with its first version."""
    code = code.strip().upper()
    if not ITEM_CODE_RE.match(code):
        raise InvalidInput(
            "事项编码只能由大写字母、数字和连字符组成（2–40位）。", details={"code": ["编码格式不正确。"]}
        )
    if act_type not in ActType.values:
        raise InvalidInput("请选择执法类别。", details={"act_type": ["未知执法类别。"]})
    if EnforcementItem.objects.filter(body=body, code=code).exists():
        raise Conflict(f"事项编码“{code}”已存在。", details={"code": ["编码已存在。"]})
    _validate_content(content, body=body, act_type=act_type)
    item = EnforcementItem.objects.create(body=body, code=code, act_type=act_type)
    _write_version(
        actor=actor,
        item=item,
        number=1,
        content=content,
        effective_from=effective_from,
        reason=reason.strip() or "首次编制",
    )
    return item


@transaction.atomic
def revise_item(
    *, actor: Any, item: EnforcementItem, content: ItemContent, effective_from: datetime.date, reason: str
) -> ItemVersion:
    """Adjust an item (动态调整): a new version; the earlier ones stay as they were.

    Refused when nothing changed, when no reason is given, or when the new version would take
    effect before the current one (history is not rewritten; correct forward instead).
    """
    item = EnforcementItem.objects.select_for_update().get(pk=item.pk)
    if not reason.strip():
        raise InvalidInput("调整执法事项须说明调整原因。", details={"reason": ["请填写调整原因。"]})
    latest = item.latest_version()
    assert latest is not None
    if effective_from < latest.effective_from:
        raise InvalidInput(
            f"新版本的生效日期不能早于现行第{latest.number}版的生效日期（{latest.effective_from:%Y-%m-%d}）。",
            details={"effective_from": ["生效日期早于现行版本。"]},
        )
    _validate_content(content, body=item.body, act_type=item.act_type)
    if _comparable(content) == _comparable(content_of(latest)):
        raise InvalidInput("内容与现行版本相同，无需创建新版本。", code="no_change")
    return _write_version(
        actor=actor,
        item=item,
        number=latest.number + 1,
        content=content,
        effective_from=effective_from,
        reason=reason.strip(),
    )


RULE_FIELDS = ["name", "quantity", "unit", "extension", "basis", "provision", "confidence", "notes"]


@transaction.atomic
def revise_rule(
    *, actor: Any, rule: LegalRule, effective_from: datetime.date, reason: str, **changes: Any
) -> LegalRule:
    """Adjust a statutory rule from ``effective_from``: a new dated row; the old one stays."""
    if not reason.strip():
        raise InvalidInput("调整时限或标准须说明原因。", details={"reason": ["请填写调整原因。"]})
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"不能调整字段：{'、'.join(sorted(unknown))}")
    if changes.get("unit", rule.unit) not in RuleUnit.values:
        raise InvalidInput("单位无效。", details={"unit": ["单位无效。"]})
    quantity = changes.get("quantity", rule.quantity)
    if quantity is None or Decimal(quantity) < 0:
        raise InvalidInput("数值不能为负数。", details={"quantity": ["数值不能为负数。"]})
    extension = changes.get("extension", rule.extension)
    if extension is not None and Decimal(extension) < 0:
        raise InvalidInput("可延长的数值不能为负数。", details={"extension": ["数值不能为负数。"]})
    # As for items: history is not rewritten. A row dated before the newest one would change
    # which limit applied to days already counted.
    newest = (
        LegalRule.objects.filter(code=rule.code, variant=rule.variant).order_by("-effective_from").first()
    )
    if newest is not None and effective_from < newest.effective_from:
        raise InvalidInput(
            f"生效日期不能早于{rule.code}现行规则的生效日期（{newest.effective_from:%Y-%m-%d}）。",
            details={"effective_from": ["生效日期早于现行规则。"]},
        )
    if LegalRule.objects.filter(code=rule.code, variant=rule.variant, effective_from=effective_from).exists():
        raise Conflict(
            f"{rule.code}在{effective_from:%Y-%m-%d}已有一条规则，请选择其他生效日期。",
            details={"effective_from": ["该日期已有规则。"]},
        )
    values = {name: getattr(rule, name) for name in RULE_FIELDS}
    values.update(changes)
    if all(values[name] == getattr(rule, name) for name in RULE_FIELDS):
        raise InvalidInput("内容与现行规则相同，无需调整。", code="no_change")
    clear_rule_cache()
    transaction.on_commit(clear_rule_cache)
    return LegalRule.objects.create(
        code=rule.code,
        variant=rule.variant,
        effective_from=effective_from,
        change_reason=reason.strip(),
        created_by=actor,
        **values,
    )


def law_kind_for(title: str) -> str:
    """National statutes in the bundle: 《…法》 are laws; 条例 and 办法 are State Council regulations."""
    is_law = title.endswith("法") and not title.endswith("办法")
    return LawKind.LAW if is_law else LawKind.ADMINISTRATIVE_REGULATION


@transaction.atomic
def load_law(
    *, parsed: ParsedLaw, source_name: str = "", source_bytes: bytes = b"", kind: str | None = None
) -> tuple[Law, int, int]:
    """Load or refresh one law article by article. Returns (law, articles added, articles changed).

    An article whose text changed is updated in place only while no catalogue version cites it;
    a cited article is never rewritten under its citations (the load is refused instead).
    """
    law, _ = Law.objects.update_or_create(
        title=parsed.title,
        defaults={
            "short_title": parsed.short_title,
            "kind": kind or law_kind_for(parsed.title),
            "amended_on": parsed.amended_on,
            "history": parsed.history,
            "source_name": source_name,
            "source_sha256": hashlib.sha256(source_bytes).hexdigest() if source_bytes else "",
        },
    )
    existing = {p.number: p for p in law.provisions.all()}
    added = changed = 0
    for article in parsed.provisions:
        current = existing.get(article.number)
        if current is None:
            Provision.objects.create(
                law=law,
                number=article.number,
                label=article.label,
                chapter=article.chapter,
                section=article.section,
                text=article.text,
            )
            added += 1
        elif (current.text, current.chapter, current.section) != (
            article.text,
            article.chapter,
            article.section,
        ):
            if current.item_bases.exists() or current.rules.exists():
                raise Conflict(f"{current}已被执法事项或规则引用，文本变化须先调整引用它的事项。")
            current.text, current.chapter, current.section = article.text, article.chapter, article.section
            current.save(update_fields=["text", "chapter", "section"])
            changed += 1
    return law, added, changed


def find_provision(short_title: str, number: int) -> Provision:
    """A provision by law short title (e.g. 建筑法) and article number; a clear error if absent."""
    provision = (
        Provision.objects.select_related("law").filter(law__short_title=short_title, number=number).first()
    )
    if provision is None:
        raise InvalidInput(f"找不到《{short_title}》第{number}条。", code="provision_not_found")
    return provision
