"""The six enforcement acts as declarative workflows (REQUIREMENTS §5).

Roles are ``zhifa.org.models.Role`` values; guards are names in ``zhifa.cases.guards.GUARDS``;
documents are template codes of ``zhifa.cases.documents_catalog.DOCUMENTS``; clocks name the
statutory rule rows (T8 …) seeded in the catalogue.
"""

from __future__ import annotations

from zhifa.cases.workflow import ClockRule, State, Transition, Workflow

OFFICER = frozenset({"officer"})
HEAD = frozenset({"unit_head", "leader"})
LEADER = frozenset({"leader"})
OFFICER_OR_HEAD = OFFICER | HEAD

S, T, C = State, Transition, ClockRule


def _close(source: tuple[str, ...], label: str, before_index: tuple[str, ...] = ()) -> Transition:
    """结案/办结: a head or leader closes a complete case file; the file's index is made here."""
    return T(
        "close_case",
        label,
        source,
        "closed",
        HEAD,
        on_case_only=False,
        guards=("case_file_complete",),
        documents=(*before_index, "case_file_index"),
    )


def _archive() -> Transition:
    """归档: the complete file (index included) is sealed; nothing is added after this."""
    return T(
        "archive_case",
        "归档",
        ("closed",),
        "archived",
        OFFICER_OR_HEAD,
        on_case_only=False,
        guards=("case_file_complete",),
    )


PENALTY_GENERAL = Workflow(
    key="penalty.general",
    act_type="penalty",
    procedure="general",
    label="行政处罚（普通程序）",
    initial="lead",
    states=(
        S("lead", "线索登记"),
        S("checking", "线索核查"),
        S("declined", "不予立案", terminal=True),
        S("investigating", "调查取证"),
        S("appraising", "检测鉴定中"),
        S("investigated", "调查终结"),
        S("notified", "已告知（陈述申辩）"),
        S("defended", "已听取陈述申辩"),
        S("hearing", "听证中"),
        S("heard", "听证结束"),
        S("decided", "已作出决定"),
        S("served", "已送达"),
        S("demanded", "已催告"),
        S("court_applied", "已申请法院强制执行"),
        S("executed", "执行完毕"),
        S("closed", "已结案"),
        S("archived", "已归档", terminal=True),
    ),
    transitions=(
        T(
            "check_lead",
            "核查线索",
            ("lead",),
            "checking",
            OFFICER,
            clocks=(C("start", "T9"),),
            documents=("case_registration",),
        ),
        T(
            "approve_opening",
            "立案审批",
            ("checking",),
            "investigating",
            HEAD,
            on_case_only=False,
            clocks=(C("stop", "T9"), C("start", "T8")),
            documents=("opening_approval",),
        ),
        T(
            "decline_opening",
            "不予立案",
            ("checking",),
            "declined",
            HEAD,
            on_case_only=False,
            clocks=(C("stop", "T9"),),
            needs_reason=True,
        ),
        T(
            "start_appraisal",
            "委托检测、鉴定（期限中止）",
            ("investigating",),
            "appraising",
            OFFICER,
            clocks=(C("pause", "T8"),),
            needs_reason=True,
        ),
        T(
            "finish_appraisal",
            "检测、鉴定完成（期限恢复）",
            ("appraising",),
            "investigating",
            OFFICER,
            clocks=(C("resume", "T8"),),
        ),
        T(
            "finish_investigation",
            "调查终结",
            ("investigating",),
            "investigated",
            OFFICER,
            guards=("two_certified_officers", "av_recorded"),
            av_step="evidence_gathering",
            documents=("inspection_record", "inquiry_record", "investigation_report"),
        ),
        T(
            "notify_party",
            "告知拟处罚（陈述申辩、听证权利）",
            ("investigated",),
            "notified",
            OFFICER,
            guards=("amount_set", "two_certified_officers"),
            fields=("amount",),
            clocks=(C("start", "T10"),),
            documents=("penalty_approval", "prior_notice"),
        ),
        T(
            "request_hearing",
            "当事人申请听证",
            ("notified",),
            "hearing",
            OFFICER,
            clocks=(C("stop", "T10"), C("pause", "T8")),
            documents=("hearing_notice",),
        ),
        T(
            "hold_hearing",
            "举行听证",
            ("hearing",),
            "heard",
            OFFICER,
            av_step="hearing",
            guards=("av_recorded",),
            clocks=(C("resume", "T8"),),
            documents=("hearing_record",),
        ),
        T(
            "record_defence",
            "记录陈述申辩（或当事人放弃）",
            ("notified",),
            "defended",
            OFFICER,
            clocks=(C("stop", "T10"),),
            needs_reason=True,
        ),
        T(
            "decide",
            "作出处罚决定",
            ("notified", "defended", "heard"),
            "decided",
            HEAD,
            on_case_only=False,
            guards=("statement_period_over", "no_heavier_after_defence", "amount_set", "legal_review"),
            fields=("amount",),
            clocks=(C("stop", "T10"), C("stop", "T8"), C("start", "T12")),
            documents=("penalty_decision",),
        ),
        T(
            "serve_decision",
            "送达决定书",
            ("decided",),
            "served",
            OFFICER,
            av_step="service",
            guards=("av_recorded",),
            clocks=(C("stop", "T12"), C("start", "T14")),
            documents=("service_receipt",),
        ),
        T(
            "record_payment",
            "履行完毕（缴纳罚款）",
            ("served", "demanded"),
            "executed",
            OFFICER,
            clocks=(C("stop", "T14"), C("stop", "T25", "demand_notice")),
        ),
        T(
            "demand_performance",
            "催告履行",
            ("served",),
            "demanded",
            OFFICER,
            clocks=(C("stop", "T14"), C("start", "T25", "demand_notice")),
            documents=("demand_notice",),
        ),
        T(
            "apply_to_court",
            "申请法院强制执行",
            ("demanded",),
            "court_applied",
            HEAD,
            on_case_only=False,
            clocks=(C("stop", "T25", "demand_notice"),),
            documents=("enforcement_application",),
        ),
        _close(("executed", "court_applied"), "结案", before_index=("closing_approval",)),
        _archive(),
    ),
)

PENALTY_SUMMARY = Workflow(
    key="penalty.summary",
    act_type="penalty",
    procedure="summary",
    label="行政处罚（简易程序）",
    initial="on_site",
    states=(
        S("on_site", "现场处置"),
        S("decided", "当场作出决定"),
        S("executed", "执行完毕"),
        S("closed", "已结案"),
        S("archived", "已归档", terminal=True),
    ),
    transitions=(
        T(
            "decide_on_site",
            "当场处罚",
            ("on_site",),
            "decided",
            OFFICER,
            guards=("two_certified_officers", "summary_ceiling", "av_recorded"),
            av_step="summary_penalty",
            fields=("amount",),
            clocks=(C("start", "T14"),),
            documents=("summary_decision",),
        ),
        T(
            "record_payment",
            "履行完毕（缴纳罚款）",
            ("decided",),
            "executed",
            OFFICER,
            clocks=(C("stop", "T14"),),
        ),
        _close(("executed",), "结案"),
        _archive(),
    ),
)

LICENSING = Workflow(
    key="licensing.general",
    act_type="licensing",
    procedure="general",
    label="行政许可",
    initial="applied",
    states=(
        S("applied", "已申请"),
        S("correction_requested", "补正材料"),
        S("accepted", "已受理"),
        S("reviewing", "审查中"),
        S("hearing", "听证中"),
        S("approved", "准予许可"),
        S("refused", "不予许可"),
        S("issued", "已发证"),
        S("closed", "已办结"),
        S("archived", "已归档", terminal=True),
    ),
    transitions=(
        T(
            "request_correction",
            "一次性告知补正",
            ("applied",),
            "correction_requested",
            OFFICER,
            clocks=(C("start", "T17"),),
            documents=("correction_notice",),
        ),
        T(
            "accept",
            "受理",
            ("applied", "correction_requested"),
            "accepted",
            OFFICER,
            clocks=(C("stop", "T17"), C("start", "T18")),
            documents=("acceptance_notice",),
        ),
        T(
            "start_review",
            "审查（含现场核查）",
            ("accepted",),
            "reviewing",
            OFFICER,
            guards=("two_certified_officers",),
            av_step="on_site_inspection",
        ),
        T(
            "request_hearing",
            "听证",
            ("reviewing",),
            "hearing",
            OFFICER,
            clocks=(C("pause", "T18"),),
            documents=("hearing_notice",),
        ),
        T(
            "hold_hearing",
            "举行听证",
            ("hearing",),
            "reviewing",
            OFFICER,
            clocks=(C("resume", "T18"),),
            documents=("hearing_record",),
        ),
        T(
            "approve",
            "准予许可",
            ("reviewing",),
            "approved",
            HEAD,
            on_case_only=False,
            guards=("legal_review",),
            clocks=(C("stop", "T18"), C("start", "T19")),
            documents=("licensing_decision",),
        ),
        T(
            "refuse",
            "不予许可",
            ("reviewing",),
            "refused",
            HEAD,
            on_case_only=False,
            guards=("legal_review",),
            needs_reason=True,
            clocks=(C("stop", "T18"),),
            documents=("licensing_refusal",),
        ),
        T(
            "issue_licence",
            "颁发证件并送达",
            ("approved",),
            "issued",
            OFFICER,
            clocks=(C("stop", "T19"),),
            documents=("service_receipt",),
        ),
        _close(("issued", "refused"), "办结"),
        _archive(),
    ),
)

COERCION = Workflow(
    key="coercion.general",
    act_type="coercion",
    procedure="general",
    label="行政强制（查封、扣押、强制拆除）",
    initial="proposed",
    states=(
        S("proposed", "拟采取强制措施"),
        S("approved", "负责人已批准"),
        S("implemented", "已实施"),
        S("lifted", "已解除/已处理"),
        S("closed", "已结案"),
        S("archived", "已归档", terminal=True),
    ),
    transitions=(
        T(
            "approve_measure",
            "负责人批准",
            ("proposed",),
            "approved",
            HEAD,
            on_case_only=False,
            guards=("legal_review",),
            documents=("coercion_approval",),
        ),
        T(
            "implement_measure",
            "实施强制措施",
            ("approved",),
            "implemented",
            OFFICER,
            guards=("two_certified_officers", "av_recorded"),
            av_step="seal_or_seize",
            clocks=(C("start", "T23"),),
            documents=("coercion_decision", "seizure_list", "inspection_record"),
        ),
        T(
            "lift_measure",
            "解除或依法处理",
            ("implemented",),
            "lifted",
            OFFICER,
            clocks=(C("stop", "T23"),),
            documents=("coercion_release",),
        ),
        _close(("lifted",), "结案"),
        _archive(),
    ),
)


def _collection(key: str, act_type: str, label: str, notice: str) -> Workflow:
    return Workflow(
        key=key,
        act_type=act_type,
        procedure="general",
        label=label,
        initial="assessed",
        states=(
            S("assessed", "已核定"),
            S("notified", "已通知缴纳"),
            S("paid", "已缴纳"),
            S("closed", "已办结"),
            S("archived", "已归档", terminal=True),
        ),
        transitions=(
            T(
                "notify_payment",
                "送达缴款通知",
                ("assessed",),
                "notified",
                OFFICER,
                guards=("amount_set",),
                fields=("amount",),
                clocks=(C("start", "T26"),),
                documents=(notice,),
            ),
            T("record_payment", "确认缴纳", ("notified",), "paid", OFFICER, clocks=(C("stop", "T26"),)),
            _close(("paid",), "办结"),
            _archive(),
        ),
    )


FEE = _collection("fee.general", "fee", "行政收费", "fee_notice")
LEVY = _collection("levy.general", "levy", "行政征收", "levy_notice")

INSPECTION = Workflow(
    key="inspection.general",
    act_type="inspection",
    procedure="general",
    label="行政检查",
    initial="planned",
    states=(
        S("planned", "已列入检查计划"),
        S("inspected", "已现场检查"),
        S("rectification", "责令整改中"),
        S("concluded", "检查结论已作出"),
        S("closed", "已办结"),
        S("archived", "已归档", terminal=True),
    ),
    transitions=(
        T(
            "inspect",
            "现场检查（亮证、告知）",
            ("planned",),
            "inspected",
            OFFICER,
            guards=("two_certified_officers", "av_recorded"),
            av_step="on_site_inspection",
            documents=("inspection_record",),
        ),
        T(
            "order_rectification",
            "责令限期整改",
            ("inspected",),
            "rectification",
            OFFICER,
            documents=("rectification_order",),
        ),
        T(
            "conclude",
            "作出检查结论",
            ("inspected", "rectification"),
            "concluded",
            OFFICER,
            documents=("inspection_result",),
        ),
        _close(("concluded",), "办结"),
        _archive(),
    ),
)

WORKFLOWS: dict[str, Workflow] = {
    w.key: w for w in (PENALTY_GENERAL, PENALTY_SUMMARY, LICENSING, COERCION, FEE, LEVY, INSPECTION)
}


def workflow_for(act_type: str, procedure: str = "general") -> Workflow:
    return WORKFLOWS[f"{act_type}.{procedure}"]
