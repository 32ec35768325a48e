"""The standard 住建 enforcement documents (REQUIREMENTS §5), in the statutory order of a case file.

``number_code`` makes document numbers such as 衡住建罚决字〔2026〕12号; documents without one are
internal forms numbered by the case. ``order`` is the position in the assembled case file.

``made_by`` says who makes a document: ``"step"`` — a workflow step produces it and staff generate
it from the case's document list; ``"review"`` — the legal review makes it when an opinion or a
集体讨论 is recorded (``zhifa.documents.services.generate_review_document``), never a step, so
the case-file completeness rules never ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass

MADE_BY_STEP = "step"
MADE_BY_REVIEW = "review"


@dataclass(frozen=True)
class DocumentType:
    code: str
    title: str
    number_code: str  # "" for forms that carry no external document number
    order: int
    served_on_party: bool = False
    made_by: str = MADE_BY_STEP


_ALL = [
    DocumentType("case_registration", "案件登记表", "", 10),
    DocumentType("opening_approval", "立案审批表", "立", 20),
    DocumentType("application_record", "申请材料登记表", "", 22),
    DocumentType("correction_notice", "补正材料通知书", "补字", 24, served_on_party=True),
    DocumentType("acceptance_notice", "受理通知书", "受字", 26, served_on_party=True),
    DocumentType("coercion_approval", "行政强制措施审批表", "", 28),
    DocumentType("inspection_record", "现场检查（勘验）笔录", "", 30),
    DocumentType("inquiry_record", "询问笔录", "", 40),
    DocumentType("seizure_list", "查封（扣押）物品清单", "", 45),
    DocumentType("coercion_decision", "查封（扣押）决定书", "强决字", 46, served_on_party=True),
    DocumentType("rectification_order", "责令（限期）改正通知书", "责改字", 50, served_on_party=True),
    DocumentType("investigation_report", "调查终结报告", "", 60),
    DocumentType("penalty_approval", "行政处罚审批表", "", 70),
    DocumentType("prior_notice", "行政处罚事先告知书", "罚告字", 80, served_on_party=True),
    DocumentType("hearing_notice", "听证通知书", "听字", 90, served_on_party=True),
    DocumentType("hearing_record", "听证笔录", "", 100),
    DocumentType("legal_review_opinion", "法制审核意见书", "法审字", 104, made_by=MADE_BY_REVIEW),
    DocumentType("collective_discussion_record", "集体讨论笔录", "", 106, made_by=MADE_BY_REVIEW),
    DocumentType("penalty_decision", "行政处罚决定书", "罚决字", 110, served_on_party=True),
    DocumentType("summary_decision", "当场行政处罚决定书", "当罚字", 111, served_on_party=True),
    DocumentType("licensing_decision", "准予行政许可决定书", "许决字", 112, served_on_party=True),
    DocumentType("licensing_refusal", "不予行政许可决定书", "不许字", 113, served_on_party=True),
    DocumentType("fee_notice", "收费缴款通知书", "费字", 114, served_on_party=True),
    DocumentType("levy_notice", "征收缴款通知书", "征字", 115, served_on_party=True),
    DocumentType("inspection_result", "行政检查结果告知书", "检字", 116, served_on_party=True),
    DocumentType("coercion_release", "解除查封（扣押）决定书", "强解字", 117, served_on_party=True),
    DocumentType("service_receipt", "送达回证", "", 120),
    DocumentType("demand_notice", "催告书", "催字", 130, served_on_party=True),
    DocumentType("enforcement_application", "强制执行申请书", "执申字", 140),
    DocumentType("closing_approval", "结案审批表", "", 150),
    DocumentType("case_file_index", "卷内文件目录", "", 5),
]

DOCUMENTS: dict[str, DocumentType] = {d.code: d for d in _ALL}
REVIEW_DOCUMENTS = frozenset(d.code for d in _ALL if d.made_by == MADE_BY_REVIEW)
