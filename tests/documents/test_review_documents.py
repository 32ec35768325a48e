"""The legal review's documents: the 法制审核意见书 made when an opinion is recorded and the 集体讨论笔录
made when a discussion is, numbered, hashed and recorded like every document — and never made from
the step list nor required by the case file."""

from __future__ import annotations

import datetime
import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from django.urls import reverse
from tests.documents.conftest import open_penalty_case

from zhifa.cases.definitions import WORKFLOWS
from zhifa.cases.documents_catalog import REVIEW_DOCUMENTS
from zhifa.cases.guards import missing_for_case_file
from zhifa.cases.models import Case
from zhifa.cases.selectors import workflow_of
from zhifa.core.errors import InvalidInput, NotPermitted
from zhifa.documents import services
from zhifa.documents.models import Document, DocumentCounter
from zhifa.documents.rendering import RenderingFailed
from zhifa.documents.selectors import case_documents_context
from zhifa.records.models import EventType, RecordEvent
from zhifa.review import services as review
from zhifa.review.models import CHECKLIST, ReviewOpinion, ReviewRequest

DAY = datetime.date(2026, 3, 2)
OPINION_DAY = datetime.date(2026, 3, 5)
FACTS = "当事人于2026年1月在蒸湘区某地块未取得施工许可证擅自开工建设，现场已完成基础施工。"
FAILED_FACTS = "未附施工现场检查照片，擅自施工的起始时间证据不足。"


def _pdf_text(doc: Document) -> str:
    path = Path(doc.pdf_file.path)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)  # noqa: S603, S607
    return "".join(out.stdout.decode().split())  # line breaks fall anywhere in Chinese text


def _docx_text(doc: Document) -> str:
    with doc.docx_file.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "".join("".join(parts).split())


def _checklist(failed: dict[str, str] | None = None) -> dict[str, Any]:
    failed = failed or {}
    return {
        code: {"passed": code not in failed, "comment": failed.get(code, "")} for code, _label in CHECKLIST
    }


def _draft(bureau: Any, case: Case, amount: str = "150000") -> Any:
    return review.save_draft(
        actor=bureau.officer,
        case=case,
        measures=["fine"],
        fine_amount=amount,
        facts=FACTS,
        legal_basis="《中华人民共和国建筑法》第七条、第六十四条",
        decision_text=f"对当事人处以罚款{amount}元，并责令改正。",
        today=DAY,
    )


def _submitted(bureau: Any, case: Case) -> ReviewRequest:
    request = review.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    return review.assign_reviewer(actor=bureau.pilot, request=request, reviewer=bureau.people["reviewer"])


@pytest.fixture
def major_case(bureau: Any, penalty_item: Any) -> Case:
    """Investigated (the investigation documents made), with a draft fine of 150,000 元 on an
    organisation (R02) submitted for review and assigned to the reviewer."""
    case = open_penalty_case(bureau, penalty_item, amount=None)
    for template in ("inspection_record", "inquiry_record", "investigation_report"):
        services.generate_document(actor=bureau.officer, case=case, template=template, today=DAY)
    _draft(bureau, case)
    _submitted(bureau, case)
    return case


def _request(case: Case) -> ReviewRequest:
    return ReviewRequest.objects.filter(case=case).order_by("-round").first()  # type: ignore[return-value]


def _approve(bureau: Any, case: Case) -> ReviewOpinion:
    return review.record_opinion(
        actor=bureau.reviewer,
        request=_request(case),
        result="approved",
        checklist=_checklist(),
        today=OPINION_DAY,
    )


def _generated_events(case: Case, template: str) -> list[RecordEvent]:
    return list(
        RecordEvent.objects.filter(
            case=case, event_type=EventType.DOCUMENT_GENERATED, step=template
        ).order_by("id")
    )


def test_an_opinion_makes_a_numbered_legal_review_opinion_stating_every_point(
    bureau: Any, major_case: Case
) -> None:
    opinion = _approve(bureau, major_case)

    doc = Document.objects.get(case=major_case, template="legal_review_opinion")
    assert (doc.title, doc.number, doc.version) == ("法制审核意见书", "衡住建法审字〔2026〕1号", 1)
    assert doc.context["source"] == {"model": "review.reviewopinion", "id": opinion.pk}
    assert doc.generated_by == bureau.reviewer and doc.generated_by_name == "陈审核"
    with doc.pdf_file.open("rb") as handle:
        pdf = handle.read()
    assert doc.sha256 == hashlib.sha256(pdf).hexdigest() and doc.sm3 == hashlib.new("sm3", pdf).hexdigest()
    assert doc.pdf_file.name == f"documents/{doc.sha256[:2]}/{doc.sha256[2:4]}/{doc.sha256}.pdf"

    text = _pdf_text(doc)
    for expected in [
        "法制审核意见书",
        "衡住建法审字〔2026〕1号",
        f"案号：{major_case.number}",
        f"当事人：{major_case.party_name}",
        "送审日期：2026年3月2日",
        "审核轮次：第1轮",
        "第1版",
        "罚款",
        "150,000.00元（大写：人民币壹拾伍万元整）",
        "R02对法人或其他组织处以较大数额罚款",  # why it is major
        "三、审核结论：同意",
        "审核人员：陈审核",
        "法律职业资格证书编号：A20154301000123",
        "衡阳市住房和城乡建设局（印章）2026年3月5日",
    ]:
        assert expected in text, expected
    for _code, label in CHECKLIST:
        assert f"{label}通过" in text, label
    assert "不通过" not in text

    words = _docx_text(doc)
    assert "衡住建法审字〔2026〕1号" in words and "陈审核" in words and "A20154301000123" in words
    assert all(label in words for _code, label in CHECKLIST)
    assert "{{" not in words and "{%" not in words

    # The opinion and then its document are in the record.
    events = list(
        RecordEvent.objects.filter(
            case=major_case, event_type__in=[EventType.REVIEW_OPINION, EventType.DOCUMENT_GENERATED]
        )
        .order_by("id")
        .values_list("event_type", "step")
    )
    assert events[-2:] == [
        (EventType.REVIEW_OPINION, major_case.state),
        (EventType.DOCUMENT_GENERATED, "legal_review_opinion"),
    ]
    (event,) = _generated_events(major_case, "legal_review_opinion")
    assert event.actor == bureau.reviewer
    assert event.after == {
        "template": "legal_review_opinion",
        "document_id": doc.pk,
        "number": doc.number,
        "version": 1,
        "sha256": doc.sha256,
        "sm3": doc.sm3,
        "title": "法制审核意见书",
    }


def test_a_problems_opinion_states_what_failed_and_each_round_gets_its_own_number(
    bureau: Any, major_case: Case
) -> None:
    review.record_opinion(
        actor=bureau.reviewer,
        request=_request(major_case),
        result="problems",
        checklist=_checklist({"facts": FAILED_FACTS}),
        problems="违法事实的证据不够充分。",
        changes_required="补充现场检查照片和施工日志后重新送审。",
        today=OPINION_DAY,
    )
    first = Document.objects.get(case=major_case, template="legal_review_opinion")
    text = _pdf_text(first)
    assert "案件事实清楚，证据确凿充分意见：" + FAILED_FACTS + "不通过" in text
    assert "执法主体合法，执法人员具备执法资格通过" in text
    assert "三、审核结论：存在问题" in text
    assert "违法事实的证据不够充分。" in text and "补充现场检查照片和施工日志后重新送审。" in text

    # The revised draft is reviewed in round 2: a new opinion, so a new number, as the next version.
    _draft(bureau, major_case, amount="120000")
    _submitted(bureau, major_case)
    _approve(bureau, major_case)
    second = Document.objects.get(case=major_case, template="legal_review_opinion", version=2)
    assert second.number == "衡住建法审字〔2026〕2号" and first.number == "衡住建法审字〔2026〕1号"
    text = _pdf_text(second)
    assert "审核轮次：第2轮" in text and "第2版" in text and "120,000.00元" in text and "同意" in text
    assert DocumentCounter.objects.get(body=bureau.body, number_code="法审字", year=2026).last == 2
    assert [e.after["number"] for e in _generated_events(major_case, "legal_review_opinion")] == [
        first.number,
        second.number,
    ]

    # Regenerating the same opinion keeps its number.
    again = services.generate_review_document(
        actor=bureau.reviewer,
        case=major_case,
        template="legal_review_opinion",
        source=ReviewOpinion.objects.get(request=_request(major_case)),
        today=OPINION_DAY,
    )
    assert (again.number, again.version) == (second.number, 3)
    assert DocumentCounter.objects.get(body=bureau.body, number_code="法审字", year=2026).last == 2


def test_a_collective_discussion_makes_its_record(bureau: Any, major_case: Case) -> None:
    _approve(bureau, major_case)
    discussion = review.record_collective_discussion(
        actor=bureau.leader,
        case=major_case,
        held_on=datetime.date(2026, 3, 6),
        chair="郑局长",
        attendees=["郑局长", "赵科长", "陈审核"],
        minutes="承办人汇报案情及拟处理意见。\n与会人员一致认为事实清楚、证据充分，同意拟处理决定。",
        decision="proceed",
        request=_request(major_case),
    )

    doc = Document.objects.get(case=major_case, template="collective_discussion_record")
    assert (doc.title, doc.number, doc.version) == ("集体讨论笔录", "", 1)  # an internal form
    assert doc.context["source"] == {"model": "review.collectivediscussion", "id": discussion.pk}
    text = _pdf_text(doc)
    for expected in [
        "集体讨论笔录",
        f"案号：{major_case.number}",
        "讨论时间：2026年3月6日",
        "主持人：郑局长",
        "参加人员：郑局长、赵科长、陈审核",
        "记录人：郑局长",
        "第1版",
        "150,000.00元",
        "法制审核情况：第1轮法制审核意见为“同意”",
        "承办人汇报案情及拟处理意见。",
        "同意拟处理决定。",
        "三、讨论决定：同意作出决定",
    ]:
        assert expected in text, expected
    (event,) = _generated_events(major_case, "collective_discussion_record")
    assert event.actor == bureau.leader and event.after["document_id"] == doc.pk
    assert event.after["sha256"] == doc.sha256


@pytest.mark.parametrize("template", sorted(REVIEW_DOCUMENTS))
def test_the_step_list_never_makes_a_review_document(bureau: Any, major_case: Case, template: str) -> None:
    _approve(bureau, major_case)
    before = (Document.objects.count(), RecordEvent.objects.count())
    for actor in (bureau.officer, bureau.head):
        with pytest.raises(InvalidInput) as refused:
            services.generate_document(actor=actor, case=major_case, template=template, today=OPINION_DAY)
        assert refused.value.code == "template_not_generatable"
        assert "法制审核" in refused.value.message
    assert (Document.objects.count(), RecordEvent.objects.count()) == before


def test_only_the_recorder_of_a_matching_record_of_the_case_makes_its_document(
    bureau: Any, penalty_item: Any, major_case: Case
) -> None:
    opinion = _approve(bureau, major_case)
    before = Document.objects.count()
    with pytest.raises(NotPermitted):
        services.generate_review_document(
            actor=bureau.officer, case=major_case, template="legal_review_opinion", source=opinion
        )
    with pytest.raises(InvalidInput) as wrong_kind:
        services.generate_review_document(
            actor=bureau.reviewer, case=major_case, template="collective_discussion_record", source=opinion
        )
    assert wrong_kind.value.code == "source_mismatch"
    with pytest.raises(InvalidInput) as step_template:
        services.generate_review_document(
            actor=bureau.reviewer, case=major_case, template="penalty_decision", source=opinion
        )
    assert step_template.value.code == "not_a_review_document"
    other = open_penalty_case(bureau, penalty_item, amount=None)
    with pytest.raises(InvalidInput) as other_case:
        services.generate_review_document(
            actor=bureau.reviewer, case=other, template="legal_review_opinion", source=opinion
        )
    assert other_case.value.code == "source_not_of_case"
    assert Document.objects.count() == before


def test_a_failed_rendering_records_no_opinion_either(
    bureau: Any, major_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document is made in the opinion's transaction: no opinion without its 意见书."""

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RenderingFailed("文书“legal_review_opinion”排版失败：测试")

    monkeypatch.setattr(services, "render_docx", broken)
    events = RecordEvent.objects.count()
    with pytest.raises(RenderingFailed):
        _approve(bureau, major_case)
    assert not ReviewOpinion.objects.exists()
    assert not Document.objects.filter(template="legal_review_opinion").exists()
    assert RecordEvent.objects.count() == events
    assert not DocumentCounter.objects.filter(number_code="法审字").exists()  # no number used up


def test_the_case_file_never_asks_for_them(bureau: Any, major_case: Case) -> None:
    titles = {"法制审核意见书", "集体讨论笔录"}
    for workflow in WORKFLOWS.values():
        for transition in workflow.transitions:
            assert not REVIEW_DOCUMENTS & set(transition.documents), (workflow.key, transition.code)
    missing = missing_for_case_file(major_case, workflow_of(major_case))
    assert not [m for m in missing if any(t in m for t in titles)]
    _approve(bureau, major_case)
    assert missing_for_case_file(major_case, workflow_of(major_case)) == missing


@pytest.mark.urls("tests.documents.urls")
def test_the_case_documents_list_shows_them_without_a_generate_button(
    bureau: Any, major_case: Case, client_as: Any
) -> None:
    _approve(bureau, major_case)
    context = case_documents_context(major_case, bureau.officer)["documents"]
    rows = {row.latest.template: row for row in context.rows}
    assert "legal_review_opinion" in rows and not rows["legal_review_opinion"].regenerable
    assert rows["investigation_report"].regenerable
    assert not REVIEW_DOCUMENTS & {code for code, _title in context.to_generate}

    page = client_as("officer").get(reverse("documents:case_documents", args=[major_case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "法制审核意见书" in html and "衡住建法审字〔2026〕1号" in html and "法制审核生成" in html
    assert 'name="template" value="legal_review_opinion"' not in html
    assert 'name="template" value="investigation_report"' in html


def test_the_decision_states_every_reviewed_measure_not_only_the_fine(bureau: Any, media_root: Any) -> None:
    """A draft with 责令停产停业 besides the fine, approved and discussed: the 行政处罚决定书 says both."""
    from tests.review.conftest import DAY, case_at_decision

    from zhifa.cases import services as cases
    from zhifa.review import services as review
    from zhifa.review.models import CHECKLIST, Measure

    case = case_at_decision(bureau, amount="40000")
    review.save_draft(
        actor=bureau.officer,
        case=case,
        measures=[Measure.FINE, Measure.SUSPENSION],
        fine_amount="40000",
        facts="当事人未取得施工许可证擅自施工。",
        legal_basis="《中华人民共和国建筑法》第六十四条",
        decision_text="罚款4万元，责令停止施工。",
        today=DAY,
    )
    request = review.submit_for_review(actor=bureau.officer, case=case, today=DAY)
    reviewer = bureau.people["reviewer"]
    review.assign_reviewer(actor=reviewer.user, request=request, reviewer=reviewer)
    review.record_opinion(
        actor=reviewer.user,
        request=request,
        result="approved",
        checklist={key: {"passed": True, "comment": ""} for key, _ in CHECKLIST},
        today=DAY,
    )
    review.record_collective_discussion(
        actor=bureau.leader,
        case=case,
        held_on=DAY,
        chair="郑局长",
        attendees=["郑局长", "副局长甲", "副局长乙"],
        minutes="同意罚款并责令停止施工。",
        decision="proceed",
    )
    case = cases.perform_transition(
        actor=bureau.head, case=case, transition="decide", data={"amount": "40000"}, today=DAY
    )
    document = services.generate_document(
        actor=bureau.officer, case=case, template="penalty_decision", today=DAY
    )
    text = _pdf_text(document).replace("\n", "")
    assert "罚款" in text and "责令停产停业、责令停止施工。" in text
