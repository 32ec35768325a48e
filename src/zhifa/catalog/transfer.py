"""The enforcement catalogue (权责清单) as a spreadsheet: export the versions in force, import changes.

One row per item. Structured content is written in cells an Excel user can read and type:

* 法律依据 — citations separated by “；” or line breaks, each optionally prefixed with its purpose:
  ``处罚依据：《建筑法》第六十四条；违反条款：建筑法第7条`` (no prefix means 实施依据).
* 音像记录 — ``执法环节：要求`` separated by “；”, the requirement being 必须 or 根据需要:
  ``查封、扣押：必须；送达：根据需要``.
* 裁量基准 — one bracket per line (Alt+Enter in Excel), fields separated by “|”:
  ``违法情形|下限|上限|计罚方式|其他处罚|情节描述`` — the last two may be left out, e.g.
  ``轻微|1|1.2|% 工程合同价款|``. A “；” right after a “|” also ends a bracket, so
  ``轻微|1|1.2|% 工程合同价款|；一般|1.2|1.6|% 工程合同价款|`` may be written on one line.

An import checks every row and saves nothing unless all are valid; then, in one transaction, a new
code becomes ``create_item``, a changed item ``revise_item`` (a new version; the old ones stay), and
an unchanged row is skipped — so importing an export unchanged creates nothing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.catalog import selectors, services
from zhifa.catalog.citations import LABEL_BY_PURPOSE, PURPOSE_BY_LABEL, format_citation, parse_citation
from zhifa.catalog.models import (
    ActType,
    AmountBasis,
    AvRequirementLevel,
    CaseStep,
    EnforcementItem,
    ItemVersion,
    Law,
    LegalRule,
    Provision,
)
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent, content_of
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.tabular import (
    ImportReport,
    Row,
    RowError,
    Table,
    parse_date_cell,
    parse_decimal_cell,
    read_table,
    rows_invalid,
)
from zhifa.org import permissions
from zhifa.org.models import EnforcementBody, Unit

CODE, NAME, ACT_TYPE, UNIT, BASES, OTHER_BASIS = (
    "事项编码",
    "事项名称",
    "执法类别",
    "实施科室",
    "法律依据",
    "其他依据",
)
TIME_LIMIT, RANDOM, AV, BRACKETS, EFFECTIVE, REASON = (
    "法定时限规则",
    "随机抽查",
    "音像记录",
    "裁量基准",
    "生效日期",
    "调整原因",
)
# Plain text columns and the ItemContent field each one fills, with its length limit (0: none).
TEXT_COLUMNS: dict[str, tuple[str, int]] = {
    OTHER_BASIS: ("other_basis", 0),
    "时限说明": ("time_limit_note", 200),
    "办理流程": ("procedure_summary", 0),
    "办理条件": ("conditions", 0),
    "申请材料": ("materials", 0),
    "收费标准": ("fees", 0),
    "救济途径": ("remedies", 0),
    "监督方式": ("supervision_channels", 0),
}


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    description: str
    example: str


PURPOSE_LABELS = "、".join(PURPOSE_BY_LABEL)
STEP_LABELS = "".join(f"“{label}”" for label in CaseStep.labels)  # quoted: “查封、扣押” holds a 、
AMOUNT_BASIS_LABELS = "、".join(str(label) for label in AmountBasis.labels)
COLUMNS: tuple[Column, ...] = (
    Column(
        CODE,
        True,
        "必填，大写字母、数字和连字符（2–40位）。已有编码的行调整该事项，新编码的行新增事项。",
        "CF-JZ-001",
    ),
    Column(NAME, True, "必填。", "施工单位未按照施工技术标准施工的处罚"),
    Column(
        ACT_TYPE,
        True,
        "必填：" + "、".join(str(label) for label in ActType.labels) + "。已有事项不能改类别。",
        "行政处罚",
    ),
    Column(UNIT, True, "必填，本执法主体承担执法职责的科室或局属单位名称。", "稽查支队"),
    Column(
        BASES,
        True,
        f"多条用“；”或换行分隔，写成“《建筑法》第六十四条”或“建筑法第64条”；可在前面加依据类型和冒号"
        f"（{PURPOSE_LABELS}），不加即为实施依据。",
        "处罚依据：《建筑法》第六十四条；违反条款：《建筑法》第五十八条",
    ),
    Column(OTHER_BASIS, False, "未按条款收录的规章、规范性文件等，写明名称、文号和条款。", ""),
    Column(TIME_LIMIT, False, "法定时限规则编号（见“时限与标准”），可留空。", "T18"),
    Column("时限说明", False, "可留空。", "自立案之日起90日内作出决定"),
    Column("办理流程", False, "可留空，可换行。", "立案—调查—告知—决定—送达"),
    Column("办理条件", False, "可留空。", ""),
    Column("申请材料", False, "可留空。", ""),
    Column("收费标准", False, "可留空。", "不收费"),
    Column("救济途径", False, "可留空。", "行政复议或行政诉讼"),
    Column("监督方式", False, "可留空。", "监督电话"),
    Column(RANDOM, False, "是否纳入随机抽查事项清单：“是”或“否”（留空为否）。", "否"),
    Column(
        AV,
        False,
        f"“执法环节：要求”，多条用“；”分隔；要求为“必须”或“根据需要”；环节可选：{STEP_LABELS}。",
        "查封、扣押：必须；送达：根据需要",
    ),
    Column(
        BRACKETS,
        False,
        "仅行政处罚事项填写。每档一行（Excel 中按 Alt+Enter 换行），"
        "格式“违法情形|下限|上限|计罚方式|其他处罚|情节描述”，"
        f"后两项可省略；计罚方式可选：{AMOUNT_BASIS_LABELS}。也可写在一行内，每档以“|；”结束。",
        "轻微|1|1.2|% 工程合同价款|\n一般|1.2|1.6|% 工程合同价款|责令停业整顿",
    ),
    Column(
        EFFECTIVE,
        False,
        "YYYY-MM-DD。新增事项留空为当天；调整事项时留空或保持导出的原日期，即自导入当天生效。",
        "",
    ),
    Column(REASON, False, "调整已有事项时必填（导出文件中此列为空）；新增事项留空为“首次编制”。", ""),
)
HEADERS: list[str] = [c.header for c in COLUMNS]
REQUIRED: list[str] = [c.header for c in COLUMNS if c.required]

ACT_TYPE_BY_LABEL: dict[str, str] = {str(t.label): str(t.value) for t in ActType}
LEVEL_LABELS: dict[str, str] = {AvRequirementLevel.REQUIRED: "必须", AvRequirementLevel.AS_NEEDED: "根据需要"}
_LEVEL_BY_TEXT: dict[str, str] = {
    **{label: level for level, label in LEVEL_LABELS.items()},
    **{str(level.label): str(level.value) for level in AvRequirementLevel},
}
_YES, _NO = ("是", "Y", "YES", "TRUE", "1", "√"), ("否", "", "N", "NO", "FALSE", "0", "×")
_LIST_SEPARATORS = re.compile(r"[；;\n]+")
_BRACKET_SEPARATORS = re.compile(r"\n|(?<=[|｜])\s*[；;]")
_FIELD_SEPARATOR = re.compile(r"[|｜]")
_CLAUSE = re.compile(r"条(第[\d零〇一二两三四五六七八九十百]+[款项目])+$")
_PURPOSE_PREFIX = re.compile(r"^(?P<label>[^:：《]+?)\s*[:：]\s*(?P<citation>.+)$")
_MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def _key(text: str) -> str:
    """How labels are compared: NFKC (full-width ：（） to ASCII) without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _step_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for step in CaseStep:
        label = _key(str(step.label))
        aliases[label] = str(step.value)
        aliases[re.sub(r"\(.*?\)", "", label)] = str(step.value)  # 现场检查（勘验） → 现场检查
    return aliases


_STEP_BY_KEY = _step_aliases()
_BASIS_BY_KEY: dict[str, str] = {_key(str(b.label)): str(b.value) for b in AmountBasis}


# ---------------------------------------------------------------------------
# Cell formats: each ``format_`` is undone exactly by its ``parse_``
# ---------------------------------------------------------------------------


def format_bases(bases: tuple[BasisSpec, ...]) -> str:
    parts = []
    for basis in bases:
        citation = format_citation(basis.provision.law.short_title, basis.provision.label)
        prefix = "" if basis.purpose == "authority" else f"{LABEL_BY_PURPOSE.get(basis.purpose, '')}："
        parts.append(prefix + citation)
    return "；".join(parts)


def format_av(requirements: tuple[tuple[str, str], ...]) -> str:
    return "；".join(
        f"{CaseStep(step).label}：{LEVEL_LABELS.get(level, level)}" for step, level in requirements
    )


def format_amount(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def format_brackets(brackets: tuple[BracketSpec, ...]) -> str:
    lines = []
    for b in brackets:
        fields = [
            b.circumstance,
            format_amount(b.lower),
            format_amount(b.upper),
            AmountBasis(b.amount_basis).label,
            b.other_measures,
        ]
        if b.description:
            fields.append(b.description)
        lines.append("|".join(str(f) for f in fields))
    return "\n".join(lines)


class _Citations:
    """Turns citation text into provisions, remembering what it has looked up."""

    def __init__(self) -> None:
        self.laws: dict[str, Law] = {}
        for law in Law.objects.all():
            self.laws[law.short_title] = law
            self.laws.setdefault(law.title, law)
        self.cache: dict[tuple[int, int], Provision | None] = {}

    def provision(self, law: Law, number: int) -> Provision | None:
        key = (law.pk, number)
        if key not in self.cache:
            self.cache[key] = Provision.objects.select_related("law").filter(law=law, number=number).first()
        return self.cache[key]

    def parse(self, text: str) -> tuple[tuple[BasisSpec, ...], list[str]]:
        specs: list[BasisSpec] = []
        problems: list[str] = []
        for part in (p.strip() for p in _LIST_SEPARATORS.split(text)):
            if not part:
                continue
            spec = self._one(part, problems)
            if spec is not None and spec not in specs:
                specs.append(spec)
        return tuple(specs), problems

    def _one(self, part: str, problems: list[str]) -> BasisSpec | None:
        purpose, citation_text = "authority", part
        prefixed = _PURPOSE_PREFIX.match(part)
        if prefixed and parse_citation(prefixed.group("label")) is None:
            label, citation_text = prefixed.group("label"), prefixed.group("citation")
            purpose = PURPOSE_BY_LABEL.get(label, "")
            if not purpose:
                problems.append(f"“{part}”的依据类型“{label}”未知，可选：{PURPOSE_LABELS}。")
                return None
        citation = parse_citation(citation_text)
        clause = _CLAUSE.search(citation_text)
        if citation is None and clause:
            article = citation_text[: clause.start() + 1]
            problems.append(
                f"法律依据“{part}”：按条引用即可，请去掉“{clause.group(0)[1:]}”，写成“{article}”。"
            )
            return None
        if citation is None:
            problems.append(f"无法识别法律依据“{part}”，请写成“《建筑法》第六十四条”或“建筑法第64条”。")
            return None
        short_title, number = citation
        law = self.laws.get(short_title)
        if law is None:
            problems.append(
                f"法律依据“{part}”：系统中没有《{short_title}》，请先在“法律依据”中导入该法律法规。"
            )
            return None
        provision = self.provision(law, number)
        if provision is None:
            problems.append(f"法律依据“{part}”：《{law.short_title}》没有第{number}条。")
            return None
        return BasisSpec(provision, purpose)


def parse_av(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    found: dict[str, str] = {}
    problems: list[str] = []
    for part in (p.strip() for p in _LIST_SEPARATORS.split(text)):
        if not part:
            continue
        step_text, colon, level_text = _key(part).rpartition(":")
        step, level = _STEP_BY_KEY.get(step_text), _LEVEL_BY_TEXT.get(level_text)
        if not colon:
            problems.append(f"“{part}”应写成“执法环节：必须”或“执法环节：根据需要”。")
        elif step is None:
            problems.append(f"“{part}”中的执法环节未知，可选：{STEP_LABELS}。")
        elif level is None:
            problems.append(f"“{part}”中的要求应为“必须”或“根据需要”。")
        elif step in found:
            problems.append(f"执法环节“{CaseStep(step).label}”写了不止一次。")
        else:
            found[step] = level
    return tuple(sorted(found.items())), problems


def parse_brackets(text: str) -> tuple[tuple[BracketSpec, ...], list[str]]:
    brackets: list[BracketSpec] = []
    problems: list[str] = []
    lines = [line.strip() for line in _BRACKET_SEPARATORS.split(text)]
    for index, line in enumerate((line for line in lines if line), start=1):
        bracket = _bracket(index, line, problems)
        if bracket is not None:
            brackets.append(bracket)
    return tuple(brackets), problems


def _bracket(index: int, line: str, problems: list[str]) -> BracketSpec | None:
    fields = [f.strip() for f in _FIELD_SEPARATOR.split(line, maxsplit=5)]
    if len(fields) < 4:
        problems.append(
            f"第{index}档“{line}”应写成“违法情形|下限|上限|计罚方式|其他处罚|情节描述”（后两项可省略）。"
        )
        return None
    circumstance, lower_text, upper_text, basis_text = fields[:4]
    other = fields[4] if len(fields) > 4 else ""
    description = fields[5] if len(fields) > 5 else ""
    before = len(problems)
    if not circumstance:
        problems.append(f"第{index}档缺少违法情形。")
    elif len(circumstance) > 100:
        problems.append(f"第{index}档的违法情形最多100个字。")
    if len(other) > 200:
        problems.append(f"第{index}档的其他处罚最多200个字。")
    basis = _BASIS_BY_KEY.get(_key(basis_text))
    if basis is None:
        problems.append(f"第{index}档的计罚方式“{basis_text}”无效，可选：{AMOUNT_BASIS_LABELS}。")
    lower, upper = _amount(index, "下限", lower_text, problems), _amount(index, "上限", upper_text, problems)
    if lower is not None and upper is not None and upper < lower:
        problems.append(f"第{index}档的上限（{upper_text}）低于下限（{lower_text}）。")
    if len(problems) > before or basis is None or lower is None or upper is None:
        return None
    return BracketSpec(circumstance, basis, lower, upper, description, other)


def _amount(index: int, label: str, text: str, problems: list[str]) -> Decimal | None:
    value = parse_decimal_cell(text)
    if value is None:
        problems.append(f"第{index}档的{label}“{text}”不是数字。")
    elif value < 0 or value > _MAX_AMOUNT:
        problems.append(f"第{index}档的{label}“{text}”超出范围（0至{_MAX_AMOUNT}）。")
    elif value != value.quantize(Decimal("0.01")):
        problems.append(f"第{index}档的{label}“{text}”最多保留两位小数。")
    else:
        return value
    return None


def parse_yes_no(text: str) -> bool | None:
    value = _key(text).upper()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def export_catalog(
    *, on: datetime.date | None = None, body: EnforcementBody | None = None
) -> tuple[list[str], list[list[str]]]:
    """One row per item: the version in force on ``on`` (default today), items not yet in force omitted."""
    return HEADERS, [catalog_row(version) for version in versions_in_force(on=on, body=body)]


def versions_in_force(
    *, on: datetime.date | None = None, body: EnforcementBody | None = None
) -> list[ItemVersion]:
    day = on or timezone.localdate()
    qs = selectors.version_detail_queryset().filter(effective_from__lte=day)
    if body is not None:
        qs = qs.filter(item__body=body)
    chosen: dict[int, ItemVersion] = {}
    for version in qs.order_by("item__code", "-effective_from", "-number"):
        chosen.setdefault(version.item_id, version)
    return list(chosen.values())


def catalog_row(version: ItemVersion) -> list[str]:
    content = content_of(version)
    values = {
        CODE: version.item.code,
        NAME: content.name,
        ACT_TYPE: str(ActType(version.item.act_type).label),
        UNIT: content.implementing_unit.name,
        BASES: format_bases(content.bases),
        TIME_LIMIT: content.time_limit_code,
        RANDOM: "是" if content.random_inspection else "否",
        AV: format_av(content.av_requirements),
        BRACKETS: format_brackets(content.brackets),
        EFFECTIVE: version.effective_from.isoformat(),
        REASON: "",
    }
    values.update({column: str(getattr(content, name)) for column, (name, _) in TEXT_COLUMNS.items()})
    return [values.get(header, "") for header in HEADERS]


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _fingerprint(content: ItemContent) -> dict[str, Any]:
    """What a row is compared on, by field label; text compared as a spreadsheet cell would hold it."""
    return {
        **{label: _text(str(getattr(content, name))) for label, (name, _) in TEXT_COLUMNS.items()},
        NAME: _text(content.name),
        UNIT: content.implementing_unit.pk,
        TIME_LIMIT: content.time_limit_code,
        RANDOM: content.random_inspection,
        BASES: tuple((b.provision.pk, b.purpose) for b in content.bases),
        AV: tuple(sorted(content.av_requirements)),
        BRACKETS: tuple(
            (
                _text(b.circumstance),
                b.amount_basis,
                Decimal(b.lower),
                Decimal(b.upper),
                _text(b.description),
                _text(b.other_measures),
            )
            for b in content.brackets
        ),
    }


def _changed_columns(new: ItemContent, old: ItemContent) -> list[str]:
    before, after = _fingerprint(old), _fingerprint(new)
    return [column for column in HEADERS if column in after and before[column] != after[column]]


@dataclass
class ItemRow:
    number: int
    code: str
    act_type: str
    content: ItemContent
    effective_from: datetime.date
    reason: str
    item: EnforcementItem | None = None
    unchanged: bool = False


class _Checker:
    """Checks every row against the rules and the database, collecting every problem."""

    def __init__(self, *, actor: Any, body: EnforcementBody, table: Table) -> None:
        self.actor, self.body, self.table = actor, body, table
        self.errors: list[RowError] = []
        self.rows: list[ItemRow] = []
        self.units = {unit.name: unit for unit in Unit.objects.filter(body=body)}
        self.items = {item.code: item for item in EnforcementItem.objects.filter(body=body)}
        self.rule_codes = set(LegalRule.objects.values_list("code", flat=True))
        self.citations = _Citations()
        self.seen_codes: dict[str, int] = {}
        self.today = timezone.localdate()

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, message))

    def has(self, column: str) -> bool:
        return column in self.table.headers

    def check(self, row: Row) -> None:
        before = len(self.errors)
        code = self._code(row)
        item = self.items.get(code)
        act_type = self._act_type(row, item)
        unit = self._unit(row, item)
        fields = self._fields(row, act_type)
        effective = self._date(row)
        if len(self.errors) > before or unit is None:
            return
        if item is None:
            content = ItemContent(name=fields.pop("name"), implementing_unit=unit, **fields)
            reason = row.get(REASON) or "首次编制"
            self.rows.append(ItemRow(row.number, code, act_type, content, effective or self.today, reason))
        else:
            self._revision(row, item, unit, fields, effective)

    def _code(self, row: Row) -> str:
        code = row.get(CODE).strip().upper()
        if not code:
            self.error(row, CODE, "请填写事项编码。")
        elif not services.ITEM_CODE_RE.match(code):
            self.error(row, CODE, f"事项编码“{code}”只能由大写字母、数字和连字符组成（2–40位）。")
        elif code in self.seen_codes:
            self.error(row, CODE, f"事项编码“{code}”与第{self.seen_codes[code]}行重复。")
        else:
            self.seen_codes[code] = row.number
        return code

    def _act_type(self, row: Row, item: EnforcementItem | None) -> str:
        label = row.get(ACT_TYPE)
        act_type = ACT_TYPE_BY_LABEL.get(label, "")
        if not act_type:
            options = "、".join(ACT_TYPE_BY_LABEL)
            self.error(
                row, ACT_TYPE, f"执法类别“{label}”无效，可选：{options}。" if label else "请填写执法类别。"
            )
        elif item is not None and item.act_type != act_type:
            current = ActType(item.act_type).label
            self.error(row, ACT_TYPE, f"事项{item.code}的执法类别是“{current}”，导入不能修改执法类别。")
        return act_type

    def _unit(self, row: Row, item: EnforcementItem | None) -> Unit | None:
        name = row.get(UNIT)
        unit = self.units.get(name)
        if not name:
            self.error(row, UNIT, "请填写实施科室。")
        elif unit is None:
            self.error(row, UNIT, f"本执法主体没有名为“{name}”的单位。")
        elif not unit.enforces or not unit.is_active:
            self.error(row, UNIT, f"“{name}”不承担执法职责或已停用，不能作为实施科室。")
        elif not permissions.can_edit_catalog(self.actor, unit):
            self.error(row, UNIT, f"您无权编制或调整由“{name}”实施的事项。")
        else:
            current = item.latest_version() if item else None
            if current is not None and not permissions.can_edit_catalog(
                self.actor, current.implementing_unit
            ):
                self.error(
                    row,
                    UNIT,
                    f"您无权调整由“{current.implementing_unit.name}”实施的事项{item.code if item else ''}。",
                )
            return unit
        return None

    def _fields(self, row: Row, act_type: str) -> dict[str, Any]:
        """ItemContent fields from the columns present (an absent column keeps what the item has)."""
        fields: dict[str, Any] = {"name": self._name(row)}
        bases, problems = self.citations.parse(row.get(BASES))
        for problem in problems:
            self.error(row, BASES, problem)
        fields["bases"] = bases
        for column, (name, limit) in TEXT_COLUMNS.items():
            if self.has(column):
                fields[name] = row.get(column)
                if limit and len(fields[name]) > limit:
                    self.error(row, column, f"{column}最多{limit}个字，当前{len(fields[name])}个字。")
        if not bases and not problems and not row.get(OTHER_BASIS):
            self.error(row, BASES, "请填写法律依据（至少一条条款），或在“其他依据”中写明。")
        if self.has(TIME_LIMIT):
            fields["time_limit_code"] = self._time_limit(row)
        if self.has(RANDOM):
            fields["random_inspection"] = self._random(row)
        if self.has(AV):
            fields["av_requirements"] = self._parsed(row, AV, parse_av)
        if self.has(BRACKETS):
            fields["brackets"] = self._parsed(row, BRACKETS, parse_brackets)
            if fields["brackets"] and act_type and act_type != ActType.PENALTY:
                self.error(row, BRACKETS, f"只有行政处罚事项设裁量基准，本事项是{ActType(act_type).label}。")
        return fields

    def _name(self, row: Row) -> str:
        name = row.get(NAME)
        if not name:
            self.error(row, NAME, "请填写事项名称。")
        elif len(name) > 200:
            self.error(row, NAME, f"事项名称最多200个字，当前{len(name)}个字。")
        return name

    def _time_limit(self, row: Row) -> str:
        code = row.get(TIME_LIMIT).upper()
        if code and code not in self.rule_codes:
            self.error(row, TIME_LIMIT, f"时限规则“{code}”不存在，请填写“时限与标准”中的编号，如 T18。")
        return code

    def _random(self, row: Row) -> bool:
        value = parse_yes_no(row.get(RANDOM))
        if value is None:
            self.error(row, RANDOM, f"随机抽查应填“是”或“否”，不能是“{row.get(RANDOM)}”。")
        return bool(value)

    def _parsed(self, row: Row, column: str, parse: Any) -> Any:
        value, problems = parse(row.get(column))
        for problem in problems:
            self.error(row, column, problem)
        return value

    def _date(self, row: Row) -> datetime.date | None:
        text = row.get(EFFECTIVE)
        day = parse_date_cell(text) if text else None
        if text and day is None:
            self.error(row, EFFECTIVE, f"生效日期“{text}”不是有效日期，请写成 YYYY-MM-DD。")
        return day

    def _revision(
        self,
        row: Row,
        item: EnforcementItem,
        unit: Unit,
        fields: dict[str, Any],
        effective: datetime.date | None,
    ) -> None:
        latest = selectors.item_versions(item).first()
        assert latest is not None
        in_force = selectors.current_version(item, self.today)
        content = content_of(latest).replace(implementing_unit=unit, **fields)
        # Matching the version in force counts too: re-importing an export made before a scheduled
        # version takes effect must not undo that version.
        candidates = [v for v in (latest, in_force) if v is not None]
        if any(not _changed_columns(content, content_of(v)) for v in candidates):
            self.rows.append(
                ItemRow(row.number, item.code, item.act_type, content, self.today, "", item, True)
            )
            return
        changed = _changed_columns(content, content_of(latest))
        reason = row.get(REASON)
        if not reason:
            self.error(row, REASON, f"该行修改了事项{item.code}的{'、'.join(changed)}，请填写调整原因。")
        day = (
            self.today
            if effective is None or effective in {v.effective_from for v in candidates}
            else effective
        )
        if day < latest.effective_from:
            self.error(
                row,
                EFFECTIVE,
                f"生效日期（{day}）不能早于现行第{latest.number}版的生效日期（{latest.effective_from}）。",
            )
        if reason and day >= latest.effective_from:
            self.rows.append(ItemRow(row.number, item.code, item.act_type, content, day, reason, item))


def import_catalog(*, actor: Any, body: EnforcementBody, content: bytes, filename: str) -> ImportReport:
    """Import the catalogue. All rows valid → saved in one transaction; otherwise nothing.

    Raises ``InvalidInput`` whose ``details`` lists every (row, column, message).
    Side effects: new items and item versions.
    """
    if not permissions.can_edit_catalog(actor):
        raise NotPermitted("只有试点办、系统管理员或科室负责人可以导入执法事项清单。")
    table = read_table(content, filename)
    table.require_columns(REQUIRED)
    checker = _Checker(actor=actor, body=body, table=table)
    for row in table:
        checker.check(row)
    if checker.errors:
        raise rows_invalid(checker.errors)
    if not checker.rows:
        raise rows_invalid([RowError(table.header_row + 1, "", "文件中没有执法事项数据。")])
    return _save(actor=actor, body=body, rows=checker.rows)


def _save(*, actor: Any, body: EnforcementBody, rows: list[ItemRow]) -> ImportReport:
    created = revised = unchanged = 0
    with transaction.atomic():
        for row in rows:
            if row.unchanged:
                unchanged += 1
                continue
            try:
                if row.item is None:
                    services.create_item(
                        actor=actor,
                        body=body,
                        code=row.code,
                        act_type=row.act_type,
                        content=row.content,
                        effective_from=row.effective_from,
                        reason=row.reason,
                    )
                    created += 1
                else:
                    services.revise_item(
                        actor=actor,
                        item=row.item,
                        content=row.content,
                        effective_from=row.effective_from,
                        reason=row.reason,
                    )
                    revised += 1
            except DomainError as exc:  # a rule only the service knows; the whole import rolls back
                raise rows_invalid([RowError(row.number, "", exc.message)]) from exc
    return ImportReport(created=created, updated=revised, unchanged=unchanged, updated_label="调整")
