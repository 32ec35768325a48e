"""Generating documents: numbering, versions, hashes, storage, the record, and every refusal."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from tests.documents.conftest import DAY as OPENED
from tests.documents.conftest import another_officer, make_item, open_penalty_case, party_uscc

from zhifa.cases import services as cases
from zhifa.cases.guards import produced_documents
from zhifa.core.errors import InvalidInput, NotPermitted
from zhifa.documents import services
from zhifa.documents.models import Document, DocumentCounter
from zhifa.records.models import EventType, RecordEvent

DAY = datetime.date(2026, 3, 20)


def _generate(bureau: Any, case: Any, template: str = "penalty_decision", actor: Any = None) -> Document:
    return services.generate_document(actor=actor or bureau.officer, case=case, template=template, today=DAY)


def test_numbers_run_per_body_type_and_year_and_a_regeneration_keeps_its_number(
    bureau: Any, penalty_item: Any, penalty_case: Any
) -> None:
    first = _generate(bureau, penalty_case)
    assert (first.number, first.version, first.title) == ("衡住建罚决字〔2026〕1号", 1, "行政处罚决定书")

    other_case = open_penalty_case(bureau, penalty_item)
    second = _generate(bureau, other_case)
    assert second.number == "衡住建罚决字〔2026〕2号"

    again = _generate(bureau, penalty_case)
    assert (again.number, again.version) == ("衡住建罚决字〔2026〕1号", 2)
    assert again.pk != first.pk
    # The first version is still there, unchanged, with its own file.
    first.refresh_from_db()
    assert first.version == 1 and default_storage.exists(first.pdf_file.name)
    assert DocumentCounter.objects.get(body=bureau.body, number_code="罚决字", year=2026).last == 2

    # Another document code has its own sequence; a new year starts again at 1.
    notice = _generate(bureau, penalty_case, "prior_notice")
    assert notice.number == "衡住建罚告字〔2026〕1号"
    next_year = services.generate_document(
        actor=bureau.officer, case=other_case, template="prior_notice", today=datetime.date(2027, 1, 4)
    )
    assert next_year.number == "衡住建罚告字〔2027〕1号"


def test_internal_forms_carry_no_document_number(bureau: Any, penalty_case: Any) -> None:
    form = _generate(bureau, penalty_case, "case_registration")
    assert form.number == "" and form.version == 1
    assert not DocumentCounter.objects.exists()


def test_files_are_stored_content_addressed_and_the_hashes_match_the_bytes(
    bureau: Any, penalty_case: Any
) -> None:
    doc = _generate(bureau, penalty_case)
    with doc.pdf_file.open("rb") as handle:
        pdf = handle.read()
    with doc.docx_file.open("rb") as handle:
        docx = handle.read()
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    assert doc.sha256 == hashlib.sha256(pdf).hexdigest()
    assert doc.sm3 == hashlib.new("sm3", pdf).hexdigest() and doc.sm3 != doc.sha256
    assert doc.size == len(pdf)
    assert doc.docx_sha256 == hashlib.sha256(docx).hexdigest()
    assert doc.pdf_file.name == f"documents/{doc.sha256[:2]}/{doc.sha256[2:4]}/{doc.sha256}.pdf"
    assert doc.docx_file.name.endswith(f"/{doc.docx_sha256}.docx")
    assert doc.context["number"] == doc.number and doc.context["party"]["name"] == penalty_case.party_name
    assert doc.generated_by == bureau.officer and doc.generated_by_name == "李执法"


def test_each_version_is_recorded_with_its_template_hashes_and_number(bureau: Any, penalty_case: Any) -> None:
    first = _generate(bureau, penalty_case)
    second = _generate(bureau, penalty_case)
    events = list(
        RecordEvent.objects.filter(case=penalty_case, event_type=EventType.DOCUMENT_GENERATED).order_by("id")
    )
    assert [e.after["version"] for e in events] == [1, 2]
    last = events[-1]
    assert last.step == "penalty_decision" and last.actor == bureau.officer
    assert last.after == {
        "template": "penalty_decision",
        "document_id": second.pk,
        "number": "衡住建罚决字〔2026〕1号",
        "version": 2,
        "sha256": second.sha256,
        "sm3": second.sm3,
        "title": "行政处罚决定书",
    }
    assert last.before == {"document_id": first.pk, "version": 1}
    assert produced_documents(penalty_case) == {"penalty_decision"}


def test_a_document_is_written_once(bureau: Any, penalty_case: Any) -> None:
    doc = _generate(bureau, penalty_case)
    doc.number = "改过的文号"
    with pytest.raises(ValueError, match="不能修改"):
        doc.save()
    with pytest.raises(ValueError, match="不能删除"):
        doc.delete()
    copy = Document.objects.get(pk=doc.pk)
    copy._state.adding = True
    with pytest.raises(ValueError, match="不能修改"):
        copy.save()
    assert Document.objects.get(pk=doc.pk).number == "衡住建罚决字〔2026〕1号"


def test_heads_and_leaders_of_the_unit_may_generate(bureau: Any, penalty_case: Any) -> None:
    by_head = _generate(bureau, penalty_case, actor=bureau.head)
    by_leader = _generate(bureau, penalty_case, actor=bureau.leader)
    assert (by_head.version, by_leader.version) == (1, 2)
    assert by_head.generated_by_name == "赵科长"


@pytest.mark.parametrize("who", ["officer3", "reviewer", "pilot", "supervisor"])
def test_others_may_not_generate_and_nothing_is_written(bureau: Any, penalty_case: Any, who: str) -> None:
    actor = another_officer(bureau) if who == "officer3" else bureau.user(who)
    with pytest.raises(NotPermitted, match="承办人员"):
        _generate(bureau, penalty_case, actor=actor)
    assert not Document.objects.exists()
    assert not RecordEvent.objects.filter(event_type=EventType.DOCUMENT_GENERATED).exists()
    assert not DocumentCounter.objects.exists()


def test_a_recused_officer_may_no_longer_generate(bureau: Any, penalty_case: Any) -> None:
    from zhifa.cases.services import recuse_officer

    recuse_officer(
        actor=bureau.head, case=penalty_case, person=bureau.people["officer2"], reason="与当事人有利害关系"
    )
    with pytest.raises(NotPermitted):
        _generate(bureau, penalty_case, actor=bureau.officer2)


def test_a_template_the_workflow_does_not_use_is_refused(bureau: Any, penalty_case: Any) -> None:
    with pytest.raises(InvalidInput, match="不使用《准予行政许可决定书》") as refused:
        _generate(bureau, penalty_case, "licensing_decision")
    assert refused.value.code == "template_not_in_workflow"
    with pytest.raises(InvalidInput, match="未知的文书模板"):
        _generate(bureau, penalty_case, "no_such_document")
    assert not Document.objects.exists()


def test_a_penalty_document_needs_a_decided_amount(bureau: Any, penalty_item: Any) -> None:
    case = open_penalty_case(bureau, penalty_item, amount=None)  # still 调查取证: no amount decided
    with pytest.raises(InvalidInput, match="之后才能生成"):
        _generate(bureau, case)
    # The number was not consumed: the next decision still gets 1号.
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    assert _generate(bureau, case, "case_registration").number == ""


def test_a_failure_after_the_files_were_written_leaves_nothing_behind(
    bureau: Any, penalty_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    real_store = services._store

    def spy(data: bytes, digest: str, extension: str, created: list[str]) -> str:
        name = real_store(data, digest, extension, created)
        written.append(name)
        return name

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("记录写入失败")

    monkeypatch.setattr(services, "_store", spy)
    monkeypatch.setattr(services, "append_event", fail)
    with pytest.raises(RuntimeError):
        _generate(bureau, penalty_case)
    assert len(written) == 2
    assert not any(default_storage.exists(name) for name in written)
    assert not Document.objects.exists() and not DocumentCounter.objects.filter(last__gt=0).exists()


def test_a_rendering_failure_is_a_chinese_domain_error(
    bureau: Any, penalty_case: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from zhifa.documents import rendering

    broken = tmp_path / "penalty_decision.typ"
    broken.write_text('#import "common.typ": *\n#let d = load()\n#d.no_such_field\n', encoding="utf-8")
    (tmp_path / "common.typ").write_text((rendering.TYPST_DIR / "common.typ").read_text(encoding="utf-8"))
    monkeypatch.setattr(rendering, "TYPST_DIR", tmp_path)
    with pytest.raises(rendering.RenderingFailed, match="排版失败") as failed:
        _generate(bureau, penalty_case)
    assert failed.value.status == 422
    assert not Document.objects.exists()


def test_a_document_is_made_only_after_its_step_and_never_on_an_archived_case(
    bureau: Any, penalty_item: Any
) -> None:
    from tests.cases.helpers import walk
    from tests.documents.conftest import _open

    from zhifa.core.errors import Conflict

    case = _open(bureau, penalty_item, amount="1000")
    with pytest.raises(InvalidInput, match="之后才能生成"):
        _generate(bureau, case, "penalty_decision")
    with pytest.raises(InvalidInput, match="之后才能生成"):
        _generate(bureau, case, "case_registration")
    case = walk(case, [("check_lead", bureau.officer, {})], day=OPENED)
    assert _generate(bureau, case, "case_registration").number == ""
    fee_item = make_item(bureau, code="ZJ-SF-909", act_type="fee")
    fee = cases.open_case(
        actor=bureau.officer,
        item=fee_item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=party_uscc(),
        amount=Decimal(500),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    for code, who in (("notify_payment", bureau.officer), ("record_payment", bureau.officer)):
        fee = cases.perform_transition(actor=who, case=fee, transition=code, today=OPENED)
    _generate(bureau, fee, "fee_notice")
    fee = cases.perform_transition(actor=bureau.head, case=fee, transition="close_case", today=OPENED)
    with pytest.raises(cases.TransitionRefused, match="卷内文件目录"):
        cases.perform_transition(actor=bureau.officer, case=fee, transition="archive_case", today=OPENED)
    _generate(bureau, fee, "case_file_index")
    fee = cases.perform_transition(actor=bureau.officer, case=fee, transition="archive_case", today=OPENED)
    with pytest.raises(Conflict, match="封存"):
        _generate(bureau, fee, "fee_notice")
