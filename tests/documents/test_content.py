"""What the documents say (read back from the PDF with poppler and from the DOCX), how they look
(fonts embedded, page 1 as PNG), and the figures they are written with."""

from __future__ import annotations

import datetime
import io
import logging
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from django.db import transaction

from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.catalog.selectors import rule_in_force
from zhifa.catalog.services import revise_rule
from zhifa.documents import build_docx_templates, services
from zhifa.documents.context import build_context
from zhifa.documents.formatting import rmb_capital, rule_text
from zhifa.documents.models import Document
from zhifa.documents.rendering import DOCX_DIR, TYPST_DIR, render_docx, render_pdf
from zhifa.records.services import append_event

DAY = datetime.date(2026, 3, 20)


def _pdf_text(doc: Document) -> str:
    path = Path(doc.pdf_file.path)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return "".join(out.stdout.decode().split())  # line breaks fall anywhere in Chinese text


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "".join("".join(parts).split())


def _generate(bureau: Any, case: Any, template: str = "penalty_decision") -> Document:
    return services.generate_document(actor=bureau.officer, case=case, template=template, today=DAY)


def test_the_penalty_decision_states_what_article_59_requires(bureau: Any, penalty_case: Any) -> None:
    notice = _generate(bureau, penalty_case, "prior_notice")
    with transaction.atomic():
        append_event(
            actor=bureau.officer,
            event_type="evidence_added",
            case=penalty_case,
            step="evidence_gathering",
            after={"title": "现场检查笔录及照片12张"},
        )
    doc = _generate(bureau, penalty_case)
    text = _pdf_text(doc)
    for expected in [
        "行政处罚决定书",
        "衡住建罚决字〔2026〕1号",
        "当事人：衡阳市恒通建设工程有限公司",
        penalty_case.party_id_number,
        "衡阳市蒸湘区解放大道18号",
        "未取得施工许可证擅自开工建设",  # the facts
        "现场检查笔录及照片12张",  # the evidence from the record
        f"本机关于2026年3月20日向你单位送达了《行政处罚事先告知书》（{notice.number}）",
        "违反了《建筑法》第七条的规定",
        "《建筑法》第六十四条规定：“违反本法规定，未取得施工许可证",
        "罚款50,000.00元（大写：人民币伍万元整）",
        "自收到本决定书之日起15日内",  # T14
        "每日按罚款数额的3%加处罚款",  # T14 late_penalty
        "60日内向衡阳市人民政府申请行政复议",  # T27 reconsideration
        "6个月内依法向人民法院提起行政诉讼",  # T27 litigation
        "衡阳市住房和城乡建设局（印章）2026年3月20日",
    ]:
        assert expected in text, expected
    assert "见案卷" not in text


def test_the_remedy_periods_come_from_the_rule_rows(bureau: Any, penalty_case: Any) -> None:
    rule = rule_in_force("T27", "reconsideration")
    assert rule is not None
    revise_rule(
        actor=bureau.pilot,
        rule=rule,
        effective_from=datetime.date(2026, 3, 10),
        reason="测试：复议期限调整",
        quantity=Decimal("90"),
    )
    text = _pdf_text(_generate(bureau, penalty_case))
    assert "90日内向衡阳市人民政府申请行政复议" in text
    assert "60日内" not in text
    assert "6个月内依法向人民法院提起行政诉讼" in text


def test_the_prior_notice_states_the_rights_and_the_t10_period(bureau: Any, penalty_case: Any) -> None:
    text = _pdf_text(_generate(bureau, penalty_case, "prior_notice"))
    assert "衡住建罚告字〔2026〕1号" in text
    assert "拟对你单位作出如下行政处罚：罚款50,000.00元（大写：人民币伍万元整）" in text
    assert "有权进行陈述和申辩" in text
    assert "有权要求举行听证" in text  # 50,000 元 ≥ T30 for an organisation
    assert "自收到本告知书之日起5个工作日内" in text
    assert "见案卷" in text  # no evidence recorded yet


def test_page_one_renders_chinese_in_embedded_cjk_fonts(
    bureau: Any, penalty_case: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="zhifa.documents.rendering"):
        doc = _generate(bureau, penalty_case)
    assert not [r for r in caplog.records if "typst warning" in r.getMessage()]  # no missing glyphs
    pdf = Path(doc.pdf_file.path)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True)  # noqa: S603, S607
    rows = fonts.stdout.splitlines()[2:]
    assert rows and any("NotoSerifCJK" in row for row in rows), fonts.stdout
    assert all(row.split()[-5] == "yes" for row in rows), fonts.stdout  # every font embedded
    assert not fonts.stderr
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    png = tmp_path / "page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = _pdf_text(doc)
    assert "\ufffd" not in text and "行政处罚决定书" in text


def test_the_word_version_says_the_same(bureau: Any, penalty_case: Any) -> None:
    doc = _generate(bureau, penalty_case)
    with doc.docx_file.open("rb") as handle:
        text = _docx_text(handle.read())
    for expected in [
        "衡住建罚决字〔2026〕1号",
        "当事人：衡阳市恒通建设工程有限公司",
        "《建筑法》第六十四条",
        "人民币伍万元整",
        "15日内",
        "60日内向衡阳市人民政府申请行政复议",
        "6个月内依法向人民法院提起行政诉讼",
        "（印章）",
    ]:
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_every_template_renders_to_pdf_and_word(bureau: Any, penalty_case: Any) -> None:
    for code, doc_type in DOCUMENTS.items():
        context = build_context(case=penalty_case, template=code, number="衡住建测字〔2026〕1号", day=DAY)
        pdf = render_pdf(code, context)
        assert pdf.startswith(b"%PDF"), code
        words = _docx_text(render_docx(code, context))
        assert doc_type.title in words and "{{" not in words and "{%" not in words, code
        assert "衡阳市恒通建设工程有限公司" in words, code


def test_there_is_a_typst_and_a_word_template_for_every_document() -> None:
    assert set(build_docx_templates.SPECS) == set(DOCUMENTS)
    for code in DOCUMENTS:
        assert (TYPST_DIR / f"{code}.typ").is_file(), code
        assert (DOCX_DIR / f"{code}.docx").is_file(), code


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        ("50000", "人民币伍万元整"),
        ("10500.5", "人民币壹万零伍佰元伍角"),
        ("100010", "人民币壹拾万零壹拾元整"),
        ("1000000", "人民币壹佰万元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("12.34", "人民币壹拾贰元叁角肆分"),
        ("10.05", "人民币壹拾元零伍分"),
        ("0.5", "人民币伍角"),
        ("200", "人民币贰佰元整"),
        ("3001", "人民币叁仟零壹元整"),
        ("0", "人民币零元整"),
    ],
)
def test_amounts_in_capitals(amount: str, capital: str) -> None:
    assert rmb_capital(Decimal(amount)) == capital


def test_rule_rows_read_as_the_documents_write_them(db: None) -> None:
    expected = {
        ("T27", "reconsideration"): "60日",
        ("T27", "litigation"): "6个月",
        ("T10", ""): "5个工作日",
        ("T14", ""): "15日",
        ("T14", "late_penalty"): "3%",
    }
    for (code, variant), text in expected.items():
        rule = rule_in_force(code, variant)
        assert rule is not None and rule_text(rule) == text


def test_case_text_is_printed_as_text_not_markup(bureau: Any, penalty_item: Any) -> None:
    from tests.documents.conftest import party_uscc, take_steps

    from zhifa.cases.services import open_case

    odd = "当事人在#图纸*上标注$x$与<b>&“{{ 金额 }}”{% if %}[附件]_下划线"
    case = open_case(
        actor=bureau.officer,
        item=penalty_item,
        party_kind="organisation",
        party_name="衡阳市A&B<建设>公司",
        party_id_number=party_uscc(),
        facts=odd,
        amount=Decimal("1200.5"),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=datetime.date(2026, 3, 2),
    )
    case = take_steps(bureau, case, "1200.5")
    doc = _generate(bureau, case)
    text = _pdf_text(doc)
    assert "".join(odd.split()) in text and "衡阳市A&B<建设>公司" in text
    assert "人民币壹仟贰佰元伍角" in text
    with doc.docx_file.open("rb") as handle:
        words = _docx_text(handle.read())
    assert "".join(odd.split()) in words and "衡阳市A&B<建设>公司" in words
