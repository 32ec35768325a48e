# ruff: noqa: E501 - the wording is Chinese prose; ruff counts each CJK character as two columns.
"""Build the Word templates (docxtpl) of the enforcement documents: ``templates_docx/<code>.docx``.

    python -m zhifa.documents.build_docx_templates [code ...]

Each template mirrors ``templates_typst/<code>.typ``: the same wording and the same context names
(``zhifa.documents.context.build_context``), written as Jinja tags into a python-docx document:
A4, 标题 in 方正小标宋简体, body in 仿宋, leads in 黑体 (Word substitutes what is not installed).
The generated files are committed; run this after changing a template here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent / "templates_docx"
HEADING_FONT = "方正小标宋简体"
BODY_FONT = "仿宋"
STRONG_FONT = "黑体"
BODY_SIZE = Pt(15)

Block = tuple[Any, ...]

# ---------------------------------------------------------------------------
# The building blocks (each mirrors a function of templates_typst/common.typ)
# ---------------------------------------------------------------------------


def P(text: str) -> Block:
    return ("p", text)


def L(text: str) -> Block:
    return ("l", text)


def IF(condition: str, *blocks: Block) -> Block:
    return ("if", condition, blocks)


def FOR(loop: str, *blocks: Block) -> Block:
    return ("for", loop, blocks)


def FORM(rows: list[tuple[str, str]], opinions: Iterable[str] = ()) -> Block:
    return ("form", rows, tuple(opinions))


def TABLE(headers: list[str], row: list[str] | None = None, loop: str = "", blank_rows: int = 0) -> Block:
    return ("table", headers, row or [], loop, blank_rows)


def GRID(rows: list[tuple[str, str]]) -> Block:
    return ("grid", rows)


SIGN: Block = ("sign",)
BLANK = "＿＿＿＿＿＿"
DATE_BLANK = "＿＿年＿＿月＿＿日"
YOU = "{{ party.you }}"


def CITES(expr: str) -> str:
    return f'{{{{ {expr}|map(attribute="citation")|join("、") }}}}'


def SIGNATURES(*labels: str) -> list[Block]:
    return [L(f"{label}（签名）：{BLANK}　　　年　　月　　日") for label in labels]


def PARTY(label: str = "当事人") -> list[Block]:
    return [
        L(f"{label}：{{{{ party.name }}}}"),
        L("{{ party.id_label }}：{{ party.id_number }}"),
        IF(
            "party.representative_label and party.representative",
            L("{{ party.representative_label }}：{{ party.representative }}"),
        ),
        IF("party.address", L("住所（地址）：{{ party.address }}")),
    ]


ADDRESSEE: Block = L("{{ party.name }}：")
FACTS: Block = FOR("para in case.facts", P("{{ para }}"))
OFFICERS = '{{ officers|map(attribute="name")|join("、") }}'
OFFICERS_CREDENTIALS = (
    "{% for o in officers %}{{ o.name }}（{{ o.credential }}）{% if not loop.last %}、{% endif %}{% endfor %}"
)


def EVIDENCE(lead: str = "以上事实有下列证据证明") -> list[Block]:
    return [
        IF('evidence == ["见案卷"]', P(f"{lead}：见案卷。")),
        IF(
            'evidence != ["见案卷"]',
            P(f"{lead}："),
            FOR("e in evidence", P("{{ loop.index }}. {{ e }}")),
        ),
    ]


def QUOTES(expr: str) -> Block:
    return FOR(f"b in {expr}", P("{{ b.citation }}规定：“{{ b.text }}”"))


def REMEDIES(act: str = "本决定", doc: str = "本决定书", lead: str = "**救济途径和期限：**") -> Block:
    return P(
        f"{lead}{YOU}如不服{act}，可以自收到{doc}之日起{{{{ rules.reconsideration }}}}内向"
        f"{{{{ reconsideration_body }}}}申请行政复议，或者自收到{doc}之日起{{{{ rules.litigation }}}}内"
        "依法向人民法院提起行政诉讼。"
    )


CONTACT: list[Block] = [
    IF("officers", L("联系人：{{ officers[0].name }}")),
    IF("body.phone", L("联系电话：{{ body.phone }}")),
    IF("body.address", L("联系地址：{{ body.address }}")),
]
TIME_LINE = "＿＿＿＿年＿＿月＿＿日＿＿时＿＿分至＿＿时＿＿分"
LINES = [L("＿" * 30) for _ in range(6)]
AMOUNT = "罚款{{ case.amount }}（大写：{{ case.amount_capital }}）"
PENALTY_BASES = "(bases.penalty if bases.penalty else bases.authority)"
# The draft decision a legal review or a 集体讨论 considered (``draft`` of review_context.py).
DRAFT_ROWS = [
    ("拟决定版本", "{{ draft.version }}"),
    ("违法事实", '{{ draft.facts|join("") }}'),
    ("法律依据", '{{ draft.legal_basis|join("；") }}'),
    ("处理措施", "{{ draft.measures }}"),
    ("罚款金额", "{{ draft.fine }}"),
    ("没收金额", "{{ draft.confiscation }}"),
    ("适用裁量基准", "{{ draft.bracket }}"),
    ("超出裁量基准", "{{ draft.outside_bracket }}"),
    ("拟决定内容", '{{ draft.decision_text|join("") }}'),
]

# ---------------------------------------------------------------------------
# The documents (same order and wording as templates_typst/)
# ---------------------------------------------------------------------------

SPECS: dict[str, list[Block]] = {
    "case_registration": [
        FORM(
            [
                ("案由", "{{ case.title }}"),
                ("执法事项", "{{ item.code }} {{ item.name }}"),
                ("当事人", "{{ party.name }}"),
                ("{{ party.id_label }}", "{{ party.id_number }}"),
                ("法定代表人（负责人）", "{{ party.representative }}"),
                ("住所（地址）", "{{ party.address }}"),
                ("联系电话", "{{ party.phone }}"),
                ("发生地点", "{{ case.location }}"),
                ("登记日期", "{{ case.opened_on }}"),
                ("简要案情", '{{ case.facts|join("") }}'),
                ("承办单位", "{{ case.unit }}"),
                ("承办人员", OFFICERS),
            ],
            ["承办人意见", "负责人意见"],
        )
    ],
    "opening_approval": [
        FORM(
            [
                ("案由", "{{ case.title }}"),
                ("当事人", "{{ party.name }}（{{ party.id_label }}：{{ party.id_number }}）"),
                ("住所（地址）", "{{ party.address }}"),
                ("发生地点", "{{ case.location }}"),
                ("简要案情", '{{ case.facts|join("") }}'),
                ("涉嫌违反条款", CITES("bases.violated")),
                ("处罚依据", CITES("bases.penalty")),
                ("承办人员", OFFICERS_CREDENTIALS),
            ],
            ["承办人意见", "承办单位负责人意见", "机关负责人审批意见"],
        )
    ],
    "application_record": [
        FORM(
            [
                ("申请事项", "{{ item.code }} {{ item.name }}"),
                ("申请人", "{{ party.name }}"),
                ("{{ party.id_label }}", "{{ party.id_number }}"),
                ("法定代表人（负责人）", "{{ party.representative }}"),
                ("住所（地址）", "{{ party.address }}"),
                ("联系电话", "{{ party.phone }}"),
                ("申请日期", "{{ case.opened_on }}"),
                ("申请内容", '{{ case.facts|join("") }}'),
                (
                    "应交材料",
                    "{% for m in item.materials %}{{ loop.index }}. {{ m }}{% if not loop.last %}；"
                    "{% endif %}{% else %}见服务指南{% endfor %}",
                ),
                ("收件人", OFFICERS),
            ],
            ["申请人确认"],
        )
    ],
    "correction_notice": [
        ADDRESSEE,
        P(
            f"{YOU}于{{{{ case.opened_on }}}}提出的“{{{{ item.name }}}}”申请，经审查，申请材料不齐全或者不符合"
            "法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知"
            f"{YOU}需要补正的全部内容如下："
        ),
        FOR("m in item.materials", P("{{ loop.index }}. {{ m }}")),
        IF("not item.materials", P(BLANK * 3)),
        P(
            f"请{YOU}按照上述要求补正材料后重新提交。补正材料齐全、符合法定形式的，本机关将依法受理。"
            "本通知在收到申请材料之日起{{ rules.correction }}内作出。"
        ),
        *CONTACT,
        SIGN,
    ],
    "acceptance_notice": [
        ADDRESSEE,
        P(
            f"{YOU}于{{{{ case.opened_on }}}}提出的“{{{{ item.name }}}}”申请，申请材料齐全、符合法定形式。"
            "根据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理（受理编号：{{ case.number }}）。"
        ),
        P(
            "本机关将自受理之日起{{ rules.licensing }}内作出行政许可决定；依法需要听证、招标、拍卖、检验、检测、"
            "检疫、鉴定和专家评审的，所需时间不计算在上述期限内。"
        ),
        *CONTACT,
        SIGN,
    ],
    "coercion_approval": [
        FORM(
            [
                ("案由", "{{ case.title }}"),
                ("当事人", "{{ party.name }}（{{ party.id_label }}：{{ party.id_number }}）"),
                ("地点", "{{ case.location }}"),
                ("理由", '{{ case.facts|join("") }}'),
                ("法律依据", CITES("(bases.authority + bases.penalty)")),
                ("拟采取措施", "查封 / 扣押（期限{{ rules.seizure }}）"),
                ("承办人员", OFFICERS),
            ],
            ["承办人意见", "承办单位负责人意见", "机关负责人审批意见"],
        )
    ],
    "inspection_record": [
        L(f"检查时间：{TIME_LINE}"),
        L("检查地点：{{ case.location }}"),
        L("被检查人：{{ party.name }}（{{ party.id_label }}：{{ party.id_number }}）"),
        L("法定代表人（负责人）/现场负责人：{{ party.representative }}"),
        L(f"执法人员及执法证号：{OFFICERS_CREDENTIALS}"),
        L(f"记录人：{BLANK}"),
        P(
            "告知：我们是{{ body.name }}的执法人员，已向你出示执法证件。现依法进行现场检查（勘验），请予配合。"
            f"你有权申请执法人员回避，有陈述和申辩的权利。你是否申请回避？{BLANK}"
        ),
        P("**现场检查（勘验）情况：**"),
        FACTS,
        *LINES,
        *SIGNATURES("被检查人", "执法人员", "记录人"),
    ],
    "inquiry_record": [
        L(f"询问时间：{TIME_LINE}"),
        L(f"询问地点：{BLANK * 2}"),
        L(f"询问人及执法证号：{OFFICERS_CREDENTIALS}"),
        L(f"记录人：{BLANK}"),
        L(f"被询问人：{BLANK}　工作单位及职务：{{{{ party.name }}}} {BLANK}"),
        L(f"身份证件号码：{BLANK * 2}　联系电话：{BLANK}"),
        P(
            "问：我们是{{ body.name }}的执法人员，这是我们的执法证件（出示证件）。现就{{ case.title }}有关情况"
            "向你进行询问，你应当如实回答，不得作伪证。你有权申请执法人员回避，有陈述和申辩的权利。你是否申请回避？"
        ),
        P(f"答：{BLANK * 3}"),
        *LINES,
        P("（被询问人核对意见）：以上笔录我已看过，与我所说的一致。"),
        *SIGNATURES("被询问人", "询问人", "记录人"),
    ],
    "seizure_list": [
        L("当事人：{{ party.name }}　　地点：{{ case.location }}"),
        TABLE(["序号", "名称", "规格（型号）", "数量", "备注"], blank_rows=8),
        P("本清单一式两份，一份交当事人，一份附卷。"),
        *SIGNATURES("当事人", "执法人员", "见证人"),
    ],
    "coercion_decision": [
        *PARTY(),
        P('经查，{{ case.facts|join("") }}'),
        P(
            f"依据{CITES('(bases.authority + bases.penalty)')}及《中华人民共和国行政强制法》第二十二条、第二十四条的"
            f"规定，本机关决定对{YOU}位于{{{{ case.location }}}}的有关场所、设施或者财物予以查封（扣押），查封（扣押）的"
            "场所、设施或者财物的名称、数量详见《查封（扣押）物品清单》。"
        ),
        P(
            "查封（扣押）期限为{{ rules.seizure }}，自本决定书送达之日起计算；情况复杂的，经本机关负责人批准可以延长，"
            f"但延长期限不得超过法定期限。对查封的场所、设施或者财物，{YOU}不得擅自启封、转移、损毁或者使用。"
        ),
        REMEDIES(),
        SIGN,
    ],
    "rectification_order": [
        *PARTY(),
        P(f"经查，{YOU}存在以下违法行为："),
        FACTS,
        IF("bases.violated", P(f"上述行为违反了{CITES('bases.violated')}的规定。")),
        P(
            f"根据{CITES('(bases.penalty + bases.authority)')}及《中华人民共和国行政处罚法》第二十八条的规定，"
            f"现责令{YOU}立即（于{DATE_BLANK}前）改正上述违法行为，并将改正情况书面报告本机关。"
            "逾期不改正的，本机关将依法处理。"
        ),
        REMEDIES(act="本通知", doc="本通知书"),
        *CONTACT,
        SIGN,
    ],
    "investigation_report": [
        L("案号：{{ case.number }}　　案由：{{ case.title }}"),
        P("**一、当事人基本情况**"),
        *PARTY(),
        P("**二、案件来源及调查经过**"),
        P(
            "本案于{{ case.opened_on }}立案，由{{ case.unit }}承办，承办人员"
            + OFFICERS_CREDENTIALS.replace("（{{ o.credential }}）", "（执法证号{{ o.credential }}）")
            + "。承办人员依法进行了调查取证，现已调查终结。"
        ),
        P("**三、违法事实及证据**"),
        FACTS,
        *EVIDENCE(),
        P("**四、违法行为性质及法律依据**"),
        IF("bases.violated", P(f"当事人的行为违反了{CITES('bases.violated')}的规定。")),
        QUOTES("bases.penalty"),
        P("**五、处理意见**"),
        P(
            f"建议依据{CITES('bases.penalty')}的规定{{% if case.amount %}}，对当事人处以罚款{{{{ case.amount }}}}"
            "（大写：{{ case.amount_capital }}）{% endif %}。"
        ),
        *SIGNATURES("承办人", "承办人"),
    ],
    "penalty_approval": [
        FORM(
            [
                ("案由", "{{ case.title }}"),
                ("当事人", "{{ party.name }}（{{ party.id_label }}：{{ party.id_number }}）"),
                ("违法事实", '{{ case.facts|join("") }}'),
                ("证据", '{{ evidence|join("；") }}'),
                ("违反条款", CITES("bases.violated")),
                ("处罚依据", CITES("bases.penalty")),
                ("拟处罚意见", AMOUNT),
            ],
            ["承办人意见", "法制审核意见", "承办单位负责人意见", "机关负责人审批意见"],
        )
    ],
    "prior_notice": [
        ADDRESSEE,
        P(f"经查，{YOU}存在以下违法事实："),
        FACTS,
        *EVIDENCE(),
        IF("bases.violated", P(f"{YOU}的上述行为违反了{CITES('bases.violated')}的规定。")),
        P(f"依据{CITES('bases.penalty')}的规定，本机关拟对{YOU}作出如下行政处罚：**{AMOUNT}**。"),
        P(
            f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{YOU}有权进行陈述和申辩。"
            "{% if hearing_right %}根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，"
            f"{YOU}有权要求举行听证。{{% endif %}}"
        ),
        P(
            f"{YOU}如需进行陈述、申辩{{% if hearing_right %}}或者要求听证{{% endif %}}，应当自收到本告知书之日起"
            f"{{{{ rules.hearing_request }}}}内向本机关提出；逾期未提出的，视为放弃上述权利。本机关不因{YOU}的陈述、"
            "申辩而给予更重的处罚。"
        ),
        *CONTACT,
        SIGN,
    ],
    "hearing_notice": [
        ADDRESSEE,
        P(
            f"根据{YOU}的申请，本机关决定就{{{{ case.title }}}}一案（案号：{{{{ case.number }}}}）举行听证。"
            "现将有关事项通知如下："
        ),
        P("一、听证时间：＿＿＿＿年＿＿月＿＿日＿＿时。"),
        P(f"二、听证地点：{BLANK * 2}。"),
        P(f"三、听证主持人：{BLANK}；听证员：{BLANK}；记录员：{BLANK}。"),
        P(f"四、{YOU}可以亲自参加听证，也可以委托一至二人代理；委托代理人参加的，应当提交授权委托书。"),
        P(f"五、{YOU}认为主持人与本案有直接利害关系的，有权申请回避。"),
        P(f"六、{YOU}无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证。"),
        P("本通知于举行听证的{{ rules.hearing_notice }}前送达。"),
        *CONTACT,
        SIGN,
    ],
    "hearing_record": [
        L("案由：{{ case.title }}　　案号：{{ case.number }}"),
        L("听证时间：＿＿＿＿年＿＿月＿＿日＿＿时至＿＿时"),
        L(f"听证地点：{BLANK * 2}"),
        L(f"听证主持人：{BLANK}　听证员：{BLANK}　记录员：{BLANK}"),
        L("当事人：{{ party.name }}　法定代表人（负责人）：{{ party.representative }}"),
        L(f"委托代理人：{BLANK}"),
        L(f"案件调查人员：{OFFICERS}"),
        P("**听证记录：**"),
        P(
            "主持人宣布听证纪律，告知当事人的权利义务，询问当事人是否申请回避。案件调查人员提出当事人违法的事实、"
            "证据和行政处罚建议；当事人进行申辩和质证；双方进行辩论；当事人作最后陈述。"
        ),
        *LINES,
        *SIGNATURES("当事人或其代理人", "案件调查人员", "听证主持人", "记录员"),
    ],
    "legal_review_opinion": [
        L("案号：{{ case.number }}"),
        L("案由：{{ case.title }}"),
        L("当事人：{{ party.name }}"),
        L(f"承办单位：{{{{ case.unit }}}}　　承办人员：{OFFICERS}"),
        L("送审日期：{{ review.submitted_on }}　　审核轮次：{{ review.round }}"),
        L("审核期限：{{ review.due_on }}"),
        P("**一、送审的拟处理决定**"),
        GRID([*DRAFT_ROWS, ("认定重大的依据", '{{ review.major_reasons|join("；") }}')]),
        P("**二、审核要点**"),
        TABLE(
            ["序号", "审核要点及意见", "结论"],
            row=[
                "{{ p.no }}",
                "{{ p.label }}{% if p.comment %}。意见：{{ p.comment }}{% endif %}",
                "{{ p.verdict }}",
            ],
            loop="p in review.checklist",
        ),
        P("**三、审核结论：**{{ review.result }}"),
        IF("review.late", P("本意见超过审核期限出具，已记录备查。")),
        P("**四、存在的问题或需补充的材料：**{% if not review.problems %}无{% endif %}"),
        FOR("para in review.problems", P("{{ para }}")),
        P("**五、修改意见：**{% if not review.changes_required %}无{% endif %}"),
        FOR("para in review.changes_required", P("{{ para }}")),
        L("审核机构：{{ review.unit }}"),
        L(
            "审核人员：{{ review.reviewer }}{% if review.reviewer_title %}（{{ review.reviewer_title }}）{% endif %}"
            f"　　签名：{BLANK}"
        ),
        L("法律职业资格证书编号：{{ review.qualification }}"),
        SIGN,
    ],
    "collective_discussion_record": [
        L("案号：{{ case.number }}"),
        L("案由：{{ case.title }}"),
        L("当事人：{{ party.name }}"),
        L("讨论时间：{{ discussion.held_on }}"),
        L("主持人：{{ discussion.chair }}"),
        L("参加人员：{{ discussion.attendees }}"),
        L("记录人：{{ discussion.recorded_by }}"),
        P("**一、讨论的拟处理决定**"),
        GRID(DRAFT_ROWS),
        IF("discussion.review", P("**法制审核情况：**{{ discussion.review }}。")),
        P("**二、讨论记录**"),
        IF("not discussion.minutes", *LINES),
        FOR("para in discussion.minutes", P("{{ para }}")),
        P("**三、讨论决定：**{{ discussion.decision }}"),
        *SIGNATURES("主持人", "参加人员", "记录人"),
    ],
    "penalty_decision": [
        *PARTY(),
        P(
            f"本机关于{{{{ case.opened_on }}}}对{YOU}依法立案调查（案号：{{{{ case.number }}}}；"
            "案由：{{ case.title }}），现已调查终结。"
        ),
        IF(
            '"prior_notice" in refs',
            P(
                f"本机关于{{{{ refs.prior_notice.date }}}}向{YOU}送达了《行政处罚事先告知书》"
                "（{{ refs.prior_notice.number }}），告知了拟作出行政处罚的事实、理由、依据及依法享有的陈述、申辩"
                '{% if hearing_right %}和要求听证{% endif %}的权利。{% if "hold_hearing" in steps %}本机关应'
                f"{YOU}的申请依法举行了听证，并对{YOU}提出的事实、理由和证据进行了复核。{{% endif %}}"
            ),
        ),
        P("**经查明：**"),
        FACTS,
        *EVIDENCE(),
        IF("bases.violated", P(f"本机关认为，{YOU}的上述行为违反了{CITES('bases.violated')}的规定。")),
        QUOTES(PENALTY_BASES),
        FOR("line in other_basis", P("{{ line }}")),
        P(
            f"依据{{% if {PENALTY_BASES} %}}{CITES(PENALTY_BASES)}{{% else %}}上述规定{{% endif %}}的规定，"
            f"本机关决定对{YOU}作出如下行政处罚："
        ),
        P(f"**{AMOUNT}。**"),
        FOR("measure in decision_measures", P("**{{ measure }}。**")),
        P(
            f"**履行方式和期限：**{YOU}应当自收到本决定书之日起{{{{ rules.payment }}}}内，到指定的银行或者通过电子支付"
            "系统缴纳罚款。到期不缴纳罚款的，本机关可以每日按罚款数额的{{ rules.late_penalty }}加处罚款，"
            "加处罚款的数额不得超出罚款的数额。"
        ),
        REMEDIES(),
        P(
            f"行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。{YOU}逾期不申请行政复议、"
            "不提起行政诉讼，又不履行本决定的，本机关将依法申请人民法院强制执行。"
        ),
        SIGN,
    ],
    "summary_decision": [
        *PARTY(),
        P('**违法事实：**{{ case.facts|join("") }}（地点：{{ case.location }}）'),
        IF("bases.violated", P(f"上述行为违反了{CITES('bases.violated')}的规定。")),
        P(
            f"依据{CITES('bases.penalty')}及《中华人民共和国行政处罚法》第五十一条的规定，当场作出如下行政处罚："
            f"**{AMOUNT}**。"
        ),
        P(
            f"**履行方式和期限：**{YOU}应当自收到本决定书之日起{{{{ rules.payment }}}}内，到指定的银行或者通过电子支付"
            "系统缴纳罚款；依法可以当场收缴的，由执法人员当场收缴并出具专用票据。到期不缴纳罚款的，每日按罚款数额的"
            "{{ rules.late_penalty }}加处罚款，加处罚款的数额不得超出罚款的数额。"
        ),
        REMEDIES(),
        P(f"执法人员及执法证号：{OFFICERS_CREDENTIALS}"),
        *SIGNATURES("当事人", "执法人员"),
        SIGN,
    ],
    "licensing_decision": [
        ADDRESSEE,
        P(
            f"{YOU}于{{{{ case.opened_on }}}}提出的“{{{{ item.name }}}}”申请（受理编号：{{{{ case.number }}}}），"
            f"经审查，符合法定条件、标准。依据{{% if bases.authority %}}{CITES('bases.authority')}{{% else %}}"
            "有关法律法规{% endif %}及《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
        ),
        P(f"本机关将自作出本决定之日起{{{{ rules.licence_issue }}}}内向{YOU}颁发、送达行政许可证件。"),
        *CONTACT,
        SIGN,
    ],
    "licensing_refusal": [
        ADDRESSEE,
        P(
            f"{YOU}于{{{{ case.opened_on }}}}提出的“{{{{ item.name }}}}”申请（受理编号：{{{{ case.number }}}}），"
            "经审查，不符合法定条件、标准，理由如下："
        ),
        P(f"{{% if steps.refuse %}}{{{{ steps.refuse }}}}{{% else %}}{BLANK * 3}{{% endif %}}"),
        P("根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。"),
        REMEDIES(),
        SIGN,
    ],
    "fee_notice": [
        *PARTY("缴款人"),
        P(
            f"根据{{% if bases.authority %}}{CITES('bases.authority')}{{% else %}}有关规定{{% endif %}}"
            f"{{% for line in other_basis %}}、{{{{ line }}}}{{% endfor %}}，{YOU}应缴纳“{{{{ item.name }}}}”费用"
            "**{{ case.amount }}（大写：{{ case.amount_capital }}）**。"
        ),
        P(f"请{YOU}持本通知书到指定银行或者通过电子支付系统按规定期限缴纳。"),
        REMEDIES(act="本收费决定", doc="本通知书"),
        *CONTACT,
        SIGN,
    ],
    "levy_notice": [
        *PARTY("缴款人"),
        P(
            f"根据{{% if bases.authority %}}{CITES('bases.authority')}{{% else %}}有关规定{{% endif %}}"
            f"{{% for line in other_basis %}}、{{{{ line }}}}{{% endfor %}}，本机关依法对{YOU}征收“{{{{ item.name }}}}”"
            "**{{ case.amount }}（大写：{{ case.amount_capital }}）**。"
        ),
        P(f"请{YOU}持本通知书到指定银行或者通过电子支付系统按规定期限缴纳。"),
        REMEDIES(act="本征收决定", doc="本通知书"),
        *CONTACT,
        SIGN,
    ],
    "inspection_result": [
        ADDRESSEE,
        P(
            f"本机关依据{{% if bases.authority %}}{CITES('bases.authority')}{{% else %}}有关法律法规{{% endif %}}的规定，"
            f"对{YOU}进行了“{{{{ item.name }}}}”行政检查（编号：{{{{ case.number }}}}）。现将检查结果告知如下："
        ),
        FACTS,
        IF(
            '"order_rectification" in steps',
            P(
                f'对检查中发现的问题，本机关已责令{YOU}限期整改{{% if "rectification_order" in refs %}}'
                "（{{ refs.rectification_order.number }}）{% endif %}，请按要求落实。"
            ),
        ),
        REMEDIES(act="本检查结论", doc="本告知书"),
        *CONTACT,
        SIGN,
    ],
    "coercion_release": [
        *PARTY(),
        P(
            '本机关{% if "coercion_decision" in refs %}于{{ refs.coercion_decision.date }}作出《查封（扣押）决定书》'
            f"（{{{{ refs.coercion_decision.number }}}}），{{% endif %}}对{YOU}位于{{{{ case.location }}}}的有关场所、设施"
            "或者财物予以查封（扣押）。"
        ),
        P(
            "根据《中华人民共和国行政强制法》第二十八条的规定，本机关决定自本决定书送达之日起解除上述查封（扣押）。"
            f"已将查封（扣押）的财物清点无误，请{YOU}签收。"
        ),
        *SIGNATURES("当事人"),
        SIGN,
    ],
    "service_receipt": [
        L("案号：{{ case.number }}　　案由：{{ case.title }}"),
        GRID(
            [
                (
                    "送达文书名称及文号",
                    "{% for x in served_documents %}《{{ x.title }}》{% if x.number %}（{{ x.number }}）{% endif %}"
                    "{% if not loop.last %}；{% endif %}{% endfor %}",
                ),
                ("受送达人", "{{ party.name }}"),
                ("送达地点", "{{ party.address }}"),
                ("送达方式", "直接送达 / 留置送达 / 邮寄送达 / 委托送达 / 电子送达 / 公告送达"),
                ("受送达人签名或盖章", "\n\n　　　　　　　　　　　　　　年　　月　　日"),
                ("代收人及代收理由", "\n"),
                ("送达人", "\n　　　　　　　　　　　　　　年　　月　　日"),
                ("见证人", "\n"),
                ("备注", "\n"),
            ]
        ),
        SIGN,
    ],
    "demand_notice": [
        *PARTY(),
        P(
            '本机关{% if "penalty_decision" in refs %}于{{ refs.penalty_decision.date }}作出《行政处罚决定书》'
            f"（{{{{ refs.penalty_decision.number }}}}），{{% endif %}}依法决定对{YOU}处以{AMOUNT}。该决定已依法送达，"
            f"{YOU}在法定期限内未申请行政复议或者提起行政诉讼，又未履行缴纳罚款的义务。"
        ),
        P(
            f"根据《中华人民共和国行政强制法》第三十五条、第五十四条的规定，现催告{YOU}自收到本催告书之日起"
            "{{ rules.demand }}内履行上述义务。根据《中华人民共和国行政处罚法》第七十二条的规定，到期不缴纳罚款的，"
            "每日按罚款数额的{{ rules.late_penalty }}加处罚款，加处罚款的数额不得超出罚款的数额。"
        ),
        P(
            f"{YOU}有权进行陈述和申辩（《中华人民共和国行政强制法》第三十六条）。逾期仍不履行且无正当理由的，"
            "本机关将依法申请人民法院强制执行。"
        ),
        *CONTACT,
        SIGN,
    ],
    "enforcement_application": [
        L("申请人：{{ body.name }}"),
        IF("body.address", L("地址：{{ body.address }}")),
        IF("body.phone", L("联系电话：{{ body.phone }}")),
        L("被申请人：{{ party.name }}"),
        L("{{ party.id_label }}：{{ party.id_number }}"),
        IF("party.representative", L("法定代表人（负责人）：{{ party.representative }}")),
        L("住所（地址）：{{ party.address }}"),
        P(
            '**申请事项：**请求人民法院强制执行申请人作出的{% if "penalty_decision" in refs %}《行政处罚决定书》'
            f"（{{{{ refs.penalty_decision.number }}}}）{{% else %}}行政决定{{% endif %}}，即{AMOUNT}及依法加处的罚款。"
        ),
        P("**事实和理由：**"),
        FACTS,
        P(
            '申请人依法作出上述决定并送达被申请人{% if "demand_notice" in refs %}，并于{{ refs.demand_notice.date }}'
            "送达《催告书》（{{ refs.demand_notice.number }}）{% endif %}。被申请人在法定期限内未申请行政复议或者"
            "提起行政诉讼，经催告仍未履行。根据《中华人民共和国行政强制法》第五十三条、第五十四条的规定，申请人在"
            "法定期限届满之日起{{ rules.court_application }}内，特向贵院申请强制执行。"
        ),
        P("此致"),
        L(f"{BLANK}人民法院"),
        P("附：行政决定书及作出决定的事实、理由和依据；当事人的意见及催告情况；申请强制执行标的情况。"),
        SIGN,
    ],
    "closing_approval": [
        FORM(
            [
                ("案由", "{{ case.title }}"),
                ("当事人", "{{ party.name }}"),
                ("立案日期", "{{ case.opened_on }}"),
                (
                    "处理决定",
                    '{% if "penalty_decision" in refs %}{{ refs.penalty_decision.number }}；{% endif %}'
                    "{% if case.amount %}罚款{{ case.amount }}{% endif %}",
                ),
                ("执行情况", "\n"),
                ("当前环节", "{{ case.state }}"),
            ],
            ["承办人意见", "承办单位负责人意见", "机关负责人审批意见"],
        )
    ],
    "case_file_index": [
        L("案号：{{ case.number }}　　案由：{{ case.title }}　　当事人：{{ party.name }}"),
        TABLE(
            ["序号", "文书名称", "文号", "日期", "页号"],
            row=["{{ loop.index }}", "{{ x.title }}", "{{ x.number }}", "{{ x.date }}", ""],
            loop="x in case_file",
        ),
    ],
}

# ---------------------------------------------------------------------------
# Writing the .docx files
# ---------------------------------------------------------------------------


def _fonts(run: Any, east_asian: str, latin: str = "Times New Roman") -> None:
    run.font.name = latin
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _text(paragraph: Any, text: str, *, font: str = BODY_FONT, size: Any = None) -> None:
    """Write ``text`` as runs; ``**…**`` is a bold lead in 黑体. Each Jinja tag stays in one run."""
    for i, part in enumerate(text.split("**")):
        if not part:
            continue
        run = paragraph.add_run(part)
        _fonts(run, STRONG_FONT if i % 2 else font)
        if size is not None:
            run.font.size = size


def _paragraph(doc: Any, text: str, *, indent: bool, align: Any = None, size: Any = None) -> Any:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(30) if indent else Pt(0)
    if align is not None:
        paragraph.alignment = align
    _text(paragraph, text, size=size)
    return paragraph


def _control(doc: Any, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph-level tag ({%p … %}); it disappears when rendered."""
    doc.add_paragraph(tag)


def _cell(cell: Any, text: str, *, center: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if n:
            paragraph = cell.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(0)
        _text(paragraph, line, size=Pt(12))


def _grid(doc: Any, rows: list[tuple[str, str]], opinions: Iterable[str] = ()) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        _cell(cells[0], label, center=True)
        _cell(cells[1], value)
    for label in opinions:
        cells = table.add_row().cells
        _cell(cells[0], label, center=True)
        _cell(cells[1], "\n\n签名：　　　　　　　　　年　　月　　日")
    for row in table.rows:
        row.cells[0].width = Cm(3.6)
        row.cells[1].width = Cm(12)


def _table(doc: Any, headers: list[str], row: list[str], loop: str, blank_rows: int) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, header, center=True)
    if loop:
        _cell(table.add_row().cells[0], f"{{%tr for {loop} %}}")
        for cell, value in zip(table.add_row().cells, row, strict=True):
            _cell(cell, value)
        _cell(table.add_row().cells[0], "{%tr endfor %}")
    for i in range(blank_rows):
        cells = table.add_row().cells
        _cell(cells[0], str(i + 1), center=True)


def _signature(doc: Any) -> None:
    doc.add_paragraph()
    for text in ("{{ body.name }}", "{{ seal }}", "{{ date }}"):
        paragraph = _paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Cm(1)


def _blocks(doc: Any, blocks: Iterable[Block]) -> None:
    for block in blocks:
        kind = block[0]
        if kind == "p":
            _paragraph(doc, block[1], indent=True)
        elif kind == "l":
            _paragraph(doc, block[1], indent=False)
        elif kind in ("if", "for"):
            _control(doc, f"{{%p {kind} {block[1]} %}}")
            _blocks(doc, block[2])
            _control(doc, f"{{%p end{kind} %}}")
        elif kind == "form":
            _paragraph(doc, "案件编号：{{ case.number }}", indent=False, size=Pt(12))
            _grid(doc, block[1], block[2])
        elif kind == "grid":
            _grid(doc, block[1])
        elif kind == "table":
            _table(doc, *block[1:])
        elif kind == "sign":
            _signature(doc)
        else:  # pragma: no cover - a typo in SPECS
            raise ValueError(f"unknown block {kind}")


def build(code: str, blocks: list[Block]) -> Any:
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3), Cm(2.6)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.font.name = "Times New Roman"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(26)
    _paragraph(doc, "{{ body.name }}", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(18))
    title = _paragraph(doc, "", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = title.add_run("{{ title }}")
    _fonts(run, HEADING_FONT)
    run.font.size = Pt(22)
    _control(doc, "{%p if number %}")
    _paragraph(doc, "{{ number }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _control(doc, "{%p endif %}")
    _blocks(doc, blocks)
    doc.core_properties.title = code
    return doc


def main(argv: list[str] | None = None) -> int:
    """Build every template, or only the codes named on the command line."""
    from zhifa.cases.documents_catalog import DOCUMENTS

    missing = set(DOCUMENTS) - set(SPECS)
    if missing:
        print(f"missing Word templates: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    codes = list(argv if argv is not None else sys.argv[1:]) or list(SPECS)
    unknown = [code for code in codes if code not in SPECS]
    if unknown:
        print(f"unknown templates: {', '.join(unknown)}", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    for code in codes:
        build(code, SPECS[code]).save(str(OUT / f"{code}.docx"))
    print(f"wrote {len(codes)} templates to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
