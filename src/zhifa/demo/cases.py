"""Demo cases: every act type at many stages, with their documents, photos and recordings.

Steps are dated in 2026 so that every clock falls inside the loaded working-day calendar.
"""

from __future__ import annotations

import datetime
import io
import math
import struct
import wave
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from zhifa.cases import services
from zhifa.cases.definitions import workflow_for
from zhifa.cases.models import Case
from zhifa.catalog.models import EnforcementItem
from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.demo import reviews
from zhifa.org.models import EnforcementBody, Person

D = datetime.date


def _org(code17: str) -> str:
    return code17 + uscc_check_character(code17)


def _person(code17: str) -> str:
    return code17 + resident_id_check_digit(code17)


# The draft decision of the building-materials case (ZJ-CF-005), revised between review rounds.
MATERIALS_FACTS = "当事人承建的某学校教学楼项目，未对进场钢筋进行见证取样检验即投入使用，涉案钢筋约36吨。"
MATERIALS_DRAFT: dict[str, Any] = {
    "measures": ["fine"],
    "fine_amount": "120000",
    "bracket": "一般",
    "legal_basis": "《建设工程质量管理条例》第二十九条、第六十五条",
    "decision_text": "责令改正，对当事人处以罚款人民币120,000元。",
}

# Each scenario: the catalogue item, the party (kind, name, identifier, address), the officers (usernames)
# and the steps taken, each (step, username, day, data). A step may also be a legal review action of
# ``zhifa.demo.reviews`` (drafting, submitting, assigning, the opinion, 集体讨论, a refused attempt).
SCENARIOS: list[dict[str, Any]] = [
    {
        "item": "ZJ-CF-001",
        "party": (
            "organisation",
            "衡阳市某置业有限公司（演示）",
            _org("91430400MA4L1A2B3"),
            "衡阳市蒸湘区（演示地址）",
        ),
        "title": "某置业有限公司未取得施工许可证擅自施工案",
        "officers": ["officer", "officer2"],
        "facts": (
            "经查，当事人开发的某小区3#楼项目于2026年1月开工，至检查时已施工至地上五层，"
            "未取得建筑工程施工许可证。"
        ),
        "location": "衡阳市蒸湘区某小区3#楼施工现场",
        "contract_price": "12000000",
        "opened": D(2026, 2, 2),
        "steps": [
            ("check_lead", "officer", D(2026, 2, 2), {}),
            ("approve_opening", "head", D(2026, 2, 4), {}),
            ("finish_investigation", "officer", D(2026, 3, 10), {}),
            ("notify_party", "officer", D(2026, 3, 12), {"amount": "150000"}),
            # A fine of 150,000 元 on an organisation is major (R02): deciding before review is refused
            # and kept as an accountability record.
            (
                "attempt_without_review",
                "head",
                D(2026, 3, 20),
                {"step": "decide", "data": {"amount": "150000"}},
            ),
            (
                "draft_decision",
                "officer",
                D(2026, 3, 20),
                {
                    "measures": ["fine"],
                    "fine_amount": "150000",
                    "bracket": "轻微：主动停工并补办手续",
                    "facts": (
                        "当事人开发的某小区3#楼项目于2026年1月开工，至检查时已施工至地上五层，未取得建筑工程施工"
                        "许可证。立案前当事人已主动停止施工并申请补办施工许可手续，未造成危害后果。"
                    ),
                    "legal_basis": (
                        "《中华人民共和国建筑法》第七条、第六十四条；《建设工程质量管理条例》第五十七条"
                    ),
                    "decision_text": (
                        "责令改正，对当事人处以工程合同价款1.25%的罚款，计人民币150,000元（合同价款1,200万元，"
                        "适用裁量基准“轻微”情形1%–1.3%）。"
                    ),
                },
            ),
            ("submit_review", "officer", D(2026, 3, 20), {}),
            ("assign_reviewer", "pilot_office", D(2026, 3, 20), {"reviewer": "reviewer"}),
            ("review_opinion", "reviewer", D(2026, 3, 23), {"result": "approved"}),
            ("decide", "head", D(2026, 3, 24), {"amount": "150000"}),
            ("serve_decision", "officer", D(2026, 3, 25), {}),
            ("record_payment", "officer", D(2026, 4, 3), {}),
            ("close_case", "head", D(2026, 4, 8), {}),
            ("archive_case", "officer", D(2026, 4, 10), {}),
        ],
    },
    {
        "item": "ZJ-CF-005",
        "party": (
            "organisation",
            "衡阳某建筑工程有限公司（演示）",
            _org("91430400MA4L2C4D5"),
            "衡阳市石鼓区（演示地址）",
        ),
        "title": "某建筑工程公司未对建筑材料进行检验案",
        "officers": ["officer", "officer2"],
        "facts": "当事人承建的某学校教学楼项目，未对进场钢筋进行见证取样检验即投入使用。",
        "opened": D(2026, 9, 1),
        "steps": [
            ("check_lead", "officer", D(2026, 9, 1), {}),
            ("approve_opening", "head", D(2026, 9, 3), {}),
            ("finish_investigation", "officer", D(2026, 10, 20), {}),
            ("notify_party", "officer", D(2026, 10, 22), {"amount": "120000"}),
            ("request_hearing", "officer", D(2026, 10, 26), {}),
            ("hold_hearing", "officer", D(2026, 11, 5), {}),
            # Major (R02, and R09 after the hearing): round 1 finds problems, the revised draft waits
            # in the reviewer's queue.
            ("draft_decision", "officer", D(2026, 11, 9), {**MATERIALS_DRAFT, "facts": MATERIALS_FACTS}),
            ("submit_review", "officer", D(2026, 11, 9), {}),
            ("assign_reviewer", "pilot_office", D(2026, 11, 9), {"reviewer": "reviewer"}),
            (
                "review_opinion",
                "reviewer",
                D(2026, 11, 13),
                {
                    "result": "problems",
                    "failed": {
                        "facts": (
                            "卷内无进场钢筋的见证取样送检记录和检测报告，“未经检验即使用”的事实证据不足。"
                        ),
                    },
                    "problems": "违法事实的证据不充分：未能证明涉案钢筋未经检验即投入使用。",
                    "changes_required": (
                        "补充钢筋进场验收记录、见证取样送检记录、第三方检测报告及监理日志，完善违法事实认定后重新送审。"
                    ),
                },
            ),
            (
                "draft_decision",
                "officer",
                D(2026, 11, 19),
                {
                    **MATERIALS_DRAFT,
                    "facts": MATERIALS_FACTS
                    + "经调取钢筋进场验收记录、监理日志及第三方检测报告，涉案两批次钢筋均无见证取样送检记录，"
                    "已用于二至四层框架柱施工。",
                },
            ),
            ("submit_review", "officer", D(2026, 11, 20), {}),
            ("assign_reviewer", "pilot_office", D(2026, 11, 20), {"reviewer": "reviewer"}),
        ],
    },
    {
        "item": "ZJ-CF-006",
        "party": (
            "organisation",
            "湖南某建设集团有限公司（演示）",
            _org("91430000MA4L3E6F7"),
            "长沙市（演示地址）",
        ),
        "title": "某建设集团施工现场安全防护不到位案",
        "officers": ["officer2", "officer"],
        "facts": "检查发现施工现场临边防护缺失、塔吊未经验收即投入使用。",
        "opened": D(2026, 9, 14),
        "steps": [
            ("check_lead", "officer2", D(2026, 9, 14), {}),
            ("approve_opening", "head", D(2026, 9, 15), {}),
            ("finish_investigation", "officer2", D(2026, 10, 9), {}),
            ("notify_party", "officer2", D(2026, 10, 13), {"amount": "150000"}),
            ("record_defence", "officer2", D(2026, 10, 19), {"reason": "当事人书面陈述申辩，明确放弃听证"}),
            # 责令停业整顿 is major and needs 集体讨论 (R05, 行政处罚法第五十七条).
            (
                "draft_decision",
                "officer2",
                D(2026, 10, 20),
                {
                    "measures": ["fine", "suspension"],
                    "fine_amount": "150000",
                    "bracket": "一般：逾期未改正",
                    "facts": (
                        "2026年9月检查发现，当事人承建的某商业综合体项目施工现场五至八层临边防护缺失，1#塔吊未经"
                        "验收即投入使用；经责令限期改正，当事人逾期未改正。"
                    ),
                    "legal_basis": "《建设工程安全生产管理条例》第六十五条",
                    "decision_text": "对当事人处以罚款人民币150,000元，并责令停业整顿30日。",
                },
            ),
            ("submit_review", "officer2", D(2026, 10, 20), {}),
            ("assign_reviewer", "reviewer", D(2026, 10, 20), {"reviewer": "reviewer"}),
            ("review_opinion", "reviewer", D(2026, 10, 23), {"result": "approved"}),
            (
                "collective_discussion",
                "leader",
                D(2026, 10, 26),
                {
                    "chair": "欧阳正",
                    "attendees": ["欧阳正", "彭建国", "廖法审", "郭监督"],
                    "minutes": (
                        "承办人陈晓燕汇报案件事实、证据和拟处理意见；法制审核人员廖法审汇报审核意见（同意）。\n"
                        "彭建国：当事人逾期未改正，塔吊未经验收即使用，隐患突出，责令停业整顿是必要的。\n"
                        "郭监督：程序合法，当事人已放弃听证，同意拟处理决定。\n"
                        "主持人归纳：与会人员一致同意按拟处理决定作出行政处罚。"
                    ),
                    "decision": "proceed",
                },
            ),
            ("decide", "head", D(2026, 10, 27), {"amount": "150000"}),
        ],
    },
    {
        "item": "ZJ-CF-008",
        "procedure": "summary",
        "party": ("person", "王某（演示）", _person("43040219800312001"), "衡阳市雁峰区（演示地址）"),
        "title": "王某无证销售瓶装燃气案（简易程序）",
        "officers": ["officer7", "officer3"],
        "facts": "当事人在自家门店零售瓶装液化气两瓶，违法事实确凿，当事人当场承认。",
        "opened": D(2026, 6, 8),
        "steps": [
            ("decide_on_site", "officer7", D(2026, 6, 8), {"amount": "200"}),
            ("record_payment", "officer7", D(2026, 6, 9), {}),
        ],
    },
    {
        "item": "ZJ-XK-001",
        "party": (
            "organisation",
            "衡阳某房地产开发有限公司（演示）",
            _org("91430400MA4L4G8H9"),
            "衡阳市珠晖区（演示地址）",
        ),
        "title": "某花园二期建筑工程施工许可",
        "officers": ["officer4", "officer5"],
        "facts": "申请人申请某花园二期1#—6#楼建筑工程施工许可证，建筑面积8.6万平方米。",
        "opened": D(2026, 11, 9),
        "steps": [
            ("request_correction", "officer4", D(2026, 11, 10), {}),
            ("accept", "officer4", D(2026, 11, 16), {}),
            ("start_review", "officer4", D(2026, 11, 18), {}),
        ],
    },
    {
        "item": "ZJ-XK-002",
        "party": (
            "organisation",
            "衡阳某置业有限公司（演示）",
            _org("91430400MA4L5J1K2"),
            "衡阳市高新区（演示地址）",
        ),
        "title": "某广场商品房预售许可",
        "officers": ["officer5", "officer4"],
        "opened": D(2026, 5, 6),
        "facts": "申请人申请某广场A栋商品房预售许可。",
        "steps": [
            ("accept", "officer5", D(2026, 5, 6), {}),
            ("start_review", "officer5", D(2026, 5, 8), {}),
            ("approve", "leader", D(2026, 5, 20), {}),
            ("issue_licence", "officer5", D(2026, 5, 22), {}),
            ("close_case", "leader", D(2026, 5, 25), {}),
            ("archive_case", "officer5", D(2026, 5, 26), {}),
        ],
    },
    {
        "item": "ZJ-QZ-001",
        "party": (
            "organisation",
            "衡阳某建筑劳务有限公司（演示）",
            _org("91430400MA4L6M3N4"),
            "衡阳市蒸湘区（演示地址）",
        ),
        "title": "查封某违法建设项目施工现场",
        "officers": ["officer", "officer2"],
        "opened": D(2026, 10, 12),
        "facts": "当事人在责令停止施工后仍继续施工，经批准依法查封施工现场及施工机具。",
        "steps": [
            ("approve_measure", "head", D(2026, 10, 12), {}),
            ("implement_measure", "officer", D(2026, 10, 13), {}),
        ],
    },
    {
        "item": "ZJ-SF-001",
        "party": (
            "organisation",
            "衡阳某燃气管网工程有限公司（演示）",
            _org("91430400MA4L7P5Q6"),
            "衡阳市石鼓区（演示地址）",
        ),
        "title": "挖掘城市道路修复费收取",
        "officers": ["officer7", "officer3"],
        "amount": "38600",
        "opened": D(2026, 11, 2),
        "facts": "因燃气管道敷设挖掘解放路人行道120平方米。",
        "steps": [("notify_payment", "officer7", D(2026, 11, 3), {})],
    },
    {
        "item": "ZJ-ZS-001",
        "party": (
            "organisation",
            "衡阳某开发建设有限公司（演示）",
            _org("91430400MA4L8R7T8"),
            "衡阳市华新区（演示地址）",
        ),
        "title": "某项目城市基础设施配套费征收",
        "officers": ["officer8", "officer"],
        "amount": "2150000",
        "opened": D(2026, 7, 1),
        "facts": "按核定建筑面积计征城市基础设施配套费。",
        "steps": [
            ("notify_payment", "officer8", D(2026, 7, 2), {}),
            ("record_payment", "officer8", D(2026, 7, 20), {}),
            ("close_case", "leader", D(2026, 7, 24), {}),
        ],
    },
    {
        "item": "ZJ-JC-001",
        "party": (
            "organisation",
            "衡阳某建设工程有限公司（演示）",
            _org("91430400MA4L9T9U1"),
            "衡阳市雁峰区（演示地址）",
        ),
        "title": "某安置小区工程质量监督检查",
        "officers": ["officer9", "officer10"],
        "opened": D(2026, 10, 28),
        "facts": "双随机抽查：对某安置小区在建工程实体质量和质量行为进行监督检查。",
        "steps": [
            ("inspect", "officer9", D(2026, 10, 28), {}),
            ("order_rectification", "officer9", D(2026, 10, 28), {}),
        ],
    },
]


def _jpeg(label: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (90, 110, 130))
    ImageDraw.Draw(image).text((12, 12), f"DEMO {label}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = b"".join(
            struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / 8000)))
            for i in range(int(8000 * seconds))
        )
        out.writeframes(frames)
    return buffer.getvalue()


# 执法记录仪: serial, model, holder (username)
DEVICES = [
    ("HYZJ-JLY-001", "DSJ-A8 执法记录仪（演示）", "officer"),
    ("HYZJ-JLY-002", "DSJ-A8 执法记录仪（演示）", "officer2"),
    ("HYZJ-JLY-003", "DSJ-A8 执法记录仪（演示）", "officer7"),
    ("HYZJ-JLY-004", "DSJ-A8 执法记录仪（演示）", "officer9"),
    ("HYZJ-JLY-005", "DSJ-A8 执法记录仪（演示）", ""),
]


def _devices(body: EnforcementBody, actor: Any) -> dict[str, str]:
    """Register the demo body-worn cameras; return holder username → serial."""
    from zhifa.evidence.devices import register_device
    from zhifa.evidence.models import Device

    held: dict[str, str] = {}
    for serial, model, holder in DEVICES:
        person = Person.objects.filter(user__username=holder).first() if holder else None
        unit = person.unit if person else body.units.get(name="稽查支队")
        if not Device.objects.filter(serial_number=serial).exists():
            register_device(
                actor=actor,
                serial_number=serial,
                model=model,
                unit=unit,
                assignee=person,
                reason="演示数据：配发",
            )
        if holder:
            held[holder] = serial
    return held


def _upload(user: Any, case: Case, step: str, when: datetime.date, place: str, device: str = "") -> None:
    from zhifa.evidence import services as evidence

    moments = datetime.datetime.combine(when, datetime.time(10, 0), tzinfo=datetime.UTC)
    for kind, name, data in (("photo", "现场照片.jpg", _jpeg(step)), ("audio", "执法记录仪录音.wav", _wav())):
        session = evidence.start_upload(
            actor=user,
            case=case,
            filename=name,
            size=len(data),
            kind=kind,
            captured_at=moments,
            step=step,
            place=place,
            description="演示数据",
            device_serial=device if kind == "audio" else "",
        )
        evidence.receive_chunk(
            actor=user,
            session=session,
            content_range=f"bytes 0-{len(data) - 1}/{len(data)}",
            body=io.BytesIO(data),
            content_length=len(data),
        )


def _documents(user: Any, case: Case, codes: tuple[str, ...], when: datetime.date) -> None:
    from zhifa.documents.services import generate_document

    for code in codes:
        generate_document(actor=user, case=case, template=code, today=when)


def load_cases(body: EnforcementBody) -> int:
    """Create the demo cases once; later runs leave existing cases alone."""
    if Case.objects.filter(body=body).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(person__body=body)}
    with_docs = apps.is_installed("zhifa.documents")
    with_evidence = apps.is_installed("zhifa.evidence")
    devices = _devices(body, users["admin"]) if with_evidence else {}
    for spec in SCENARIOS:
        item = EnforcementItem.objects.get(body=body, code=spec["item"])
        kind, name, id_number, address = spec["party"]
        officers = [Person.objects.get(user__username=u) for u in spec["officers"]]
        opener = users[spec["officers"][0]]
        case = services.open_case(
            actor=opener,
            item=item,
            procedure=spec.get("procedure", "general"),
            party_kind=kind,
            party_name=name,
            party_id_number=id_number,
            party_address=address,
            title=spec["title"],
            facts=spec["facts"],
            location=spec.get("location", address),
            officers=officers,
            today=spec["opened"],
            amount=spec.get("amount"),
            contract_price=spec.get("contract_price"),
        )
        workflow = workflow_for(case.act_type, case.procedure)
        for code, username, day, data in spec["steps"]:
            if code in reviews.ACTIONS:
                reviews.ACTIONS[code](users[username], case, day, data)
                continue
            step = workflow.transition(code)
            if step.av_step and with_evidence:
                _upload(users[username], case, step.av_step, day, case.location, devices.get(username, ""))
            case = services.perform_transition(
                actor=users[username],
                case=case,
                transition=code,
                data=data,
                today=day,
                reason=data.get("reason", ""),
            )
            if with_docs:
                _documents(users[username], case, step.documents, day)
    return len(SCENARIOS)
