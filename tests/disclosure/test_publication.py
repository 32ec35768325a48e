"""事后公开: a decision issued in the staff system is published, masked, without anyone copying
it; correction, withdrawal and expiry keep their history; nothing else reaches the public side."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.conftest import make_resident_id
from tests.disclosure.conftest import PERSON_ADDRESS, PERSON_PHONE, decide, person_case_at_decision
from tests.review.conftest import DAY

from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from zhifa.disclosure import selectors, services
from zhifa.disclosure.models import (
    Publication,
    PublicationAction,
    PublicationEvent,
    PublicationStatus,
    PublicationVersion,
    RequestOutcome,
)
from zhifa.ledger.log import leaf_for
from zhifa.records.models import RecordEvent


def _publication_events(case: Case) -> list[dict[str, Any]]:
    return [e.after for e in RecordEvent.objects.filter(case=case) if "publication" in e.after]


def test_a_decision_gets_a_pending_publication_with_the_double_publicity_fields(decided: Case) -> None:
    publication = Publication.objects.get(case=decided)
    assert (publication.kind, publication.step, publication.decided_on) == ("penalty", "decide", DAY)
    assert selectors.status_of(publication) == PublicationStatus.PENDING
    [version] = publication.versions.all()
    fields = version.fields
    assert fields["party_name"] == "衡阳某建设公司"
    assert fields["party_id"] == decided.party_id_number  # an organisation's credit code is public
    assert fields["authority"] == "衡阳市住房和城乡建设局"
    assert fields["decision_date"] == "2026-03-02"
    assert "建筑法" in fields["basis"]
    assert "5,000.00" in fields["result"] and fields["category"]
    assert set(fields) >= {"document_number", "facts", "basis", "category", "result"}
    # Nothing public yet, and the case record says what happened.
    assert not selectors.public_publications().exists()
    [recorded] = _publication_events(decided)
    assert recorded["action"] == "recorded" and recorded["sha256"] == version.digest
    assert leaf_for(version) is not None


def test_deciding_again_does_not_duplicate(decided: Case, bureau: Any) -> None:
    publication = Publication.objects.get(case=decided)
    assert services.record_decision_for_publication(case=decided, step="decide", actor=bureau.head) == (
        publication
    )
    assert Publication.objects.filter(case=decided).count() == 1
    assert publication.versions.count() == 1


def test_publish_puts_the_latest_version_on_the_public_side(publication: Publication, bureau: Any) -> None:
    version = services.publish(actor=bureau.officer, publication=publication, today=DAY)
    assert selectors.status_of(publication) == PublicationStatus.PUBLISHED
    [public] = selectors.public_publications()
    assert public.pk == version.pk and public.published_at is not None and public.corrected_at is None
    assert [e["action"] for e in _publication_events(publication.case)] == ["recorded", "publish"]
    with pytest.raises(Conflict):
        services.publish(actor=bureau.officer, publication=publication, today=DAY)


def test_publish_can_hide_trade_secrets_in_a_new_version(bureau: Any) -> None:
    case = decide(
        bureau, _case_with_facts(bureau, "当事人使用专有配方X-7工艺施工，未取得施工许可证。"), amount="5000"
    )
    publication = Publication.objects.get(case=case)
    version = services.publish(
        actor=bureau.head, publication=publication, trade_secret_notes="专有配方X-7工艺\n", today=DAY
    )
    assert version.number == 2
    assert "专有配方X-7工艺" not in version.fields["facts"] and "＊＊" in version.fields["facts"]
    # A later correction keeps the secret hidden.
    corrected = services.correct(
        actor=bureau.head,
        publication=publication,
        fields={"facts": "当事人以专有配方X-7工艺施工，且未取得施工许可证。"},
        reason="补充违法事实表述",
        today=DAY,
    )
    assert "专有配方X-7工艺" not in corrected.fields["facts"]


def _case_with_facts(bureau: Any, facts: str) -> Case:
    from tests.review.conftest import case_at_decision

    from zhifa.review import services as review

    case = case_at_decision(bureau, amount="5000")
    review.save_draft(
        actor=bureau.officer,
        case=case,
        measures=["fine"],
        fine_amount="5000",
        bracket=case.item_version.brackets.first(),
        outside_bracket_reason="测试",
        facts=facts,
        legal_basis="《中华人民共和国建筑法》第六十四条",
        decision_text="责令改正，处罚款。",
        today=DAY,
    )
    return case


def test_correct_adds_a_version_and_keeps_the_old_one_and_the_reason(
    publication: Publication, bureau: Any
) -> None:
    first = services.publish(actor=bureau.officer, publication=publication, today=DAY)
    second = services.correct(
        actor=bureau.officer,
        publication=publication,
        fields={"document_number": "衡住建罚决字〔2026〕7号"},
        reason="补录决定书文号",
        today=DAY,
    )
    assert second.number == first.number + 1 and second.reason == "补录决定书文号"
    assert PublicationVersion.objects.get(pk=first.pk).fields == first.fields  # unchanged
    [public] = selectors.public_publications()
    assert public.pk == second.pk and public.fields["document_number"] == "衡住建罚决字〔2026〕7号"
    assert public.corrected_at is not None
    event = publication.events.get(action=PublicationAction.CORRECT)
    assert event.reason == "补录决定书文号" and event.version == second
    with pytest.raises(InvalidInput):
        services.correct(actor=bureau.officer, publication=publication, fields={"facts": "x"}, reason=" ")
    with pytest.raises(InvalidInput):
        services.correct(actor=bureau.officer, publication=publication, fields={"secret": "x"}, reason="r")


def test_withdraw_takes_it_off_the_public_side_but_keeps_every_row(
    publication: Publication, bureau: Any
) -> None:
    version = services.publish(actor=bureau.officer, publication=publication, today=DAY)
    with pytest.raises(InvalidInput):
        services.withdraw(actor=bureau.head, publication=publication, reason="")
    event = services.withdraw(
        actor=bureau.head, publication=publication, reason="原处罚决定经行政复议被撤销", today=DAY
    )
    assert not selectors.public_publications().exists()
    assert selectors.status_of(publication) == PublicationStatus.WITHDRAWN
    assert PublicationVersion.objects.filter(pk=version.pk).exists()
    publish_event = publication.events.get(action=PublicationAction.PUBLISH)
    assert leaf_for(version) and leaf_for(publish_event) and leaf_for(event)
    assert event.reason == "原处罚决定经行政复议被撤销"
    with pytest.raises(ValueError, match="不能删除"):
        version.delete()
    for action in (
        lambda: services.publish(actor=bureau.head, publication=publication),
        lambda: services.withdraw(actor=bureau.head, publication=publication, reason="再次"),
        lambda: services.correct(
            actor=bureau.head, publication=publication, fields={"facts": "x"}, reason="r"
        ),
    ):
        with pytest.raises(Conflict):
            action()


def test_expiry_after_the_t6_period(bureau: Any) -> None:
    organisation = Publication.objects.get(
        case=decide(bureau, _case_with_facts(bureau, "未取得施工许可证擅自施工。"), amount="5000")
    )
    person = Publication.objects.get(case=decide(bureau, person_case_at_decision(bureau), amount="500"))
    for publication in (organisation, person):
        services.publish(actor=bureau.officer, publication=publication, today=DAY)
    assert services.expire_due(today=datetime.date(2028, 3, 2)) == []  # the last day of 2 years
    assert services.expire_due(today=datetime.date(2028, 3, 3)) == [person]  # natural person: 2 years
    assert [v.publication for v in selectors.public_publications()] == [organisation]
    assert services.expire_due(today=datetime.date(2031, 3, 3)) == [organisation]  # organisation: 5
    assert not selectors.public_publications().exists()
    for publication in (organisation, person):
        assert selectors.status_of(publication) == PublicationStatus.EXPIRED
        expired = publication.events.get(action=PublicationAction.EXPIRE)
        assert "T6" in expired.reason and leaf_for(expired) is not None
        assert leaf_for(publication.events.get(action=PublicationAction.PUBLISH)) is not None


def test_a_natural_persons_data_is_masked_from_the_first_version(bureau: Any) -> None:
    case = decide(bureau, person_case_at_decision(bureau), amount="500")
    [version] = Publication.objects.get(case=case).versions.all()
    text = repr(version.fields)
    for secret in (case.party_id_number, PERSON_PHONE, PERSON_ADDRESS, "张三丰"):
        assert secret not in text
    assert version.fields["party_name"] == "张**"
    assert version.fields["party_id"] == case.party_id_number[:6] + "*" * 8 + case.party_id_number[-4:]


def _licensing_case(bureau: Any) -> Case:
    from tests.cases.conftest import make_item
    from tests.cases.helpers import org_code, walk

    from zhifa.cases import services as cases

    case = cases.open_case(
        actor=bureau.officer,
        item=make_item(bureau, code="ZJ-XK-001", act_type="licensing"),
        party_kind="organisation",
        party_name="衡阳某建设公司",
        party_id_number=org_code(),
        title="某小区二期工程施工许可",
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )
    return walk(case, [("accept", bureau.officer, {}), ("start_review", bureau.officer, {})], day=DAY)


def test_a_refused_licence_creates_nothing(bureau: Any) -> None:
    from tests.cases.helpers import walk

    case = walk(_licensing_case(bureau), [("refuse", bureau.head, {"reason": "不符合法定条件"})], day=DAY)
    assert case.state == "refused"
    assert not Publication.objects.filter(case=case).exists()
    assert _publication_events(case) == []


def test_a_granted_licence_is_published_with_its_fields(bureau: Any) -> None:
    from tests.cases.helpers import walk

    case = walk(_licensing_case(bureau), [("approve", bureau.head, {})], day=DAY)
    publication = Publication.objects.get(case=case)
    assert publication.kind == "licensing"
    fields = publication.versions.get().fields
    assert fields["project_name"] == "某小区二期工程施工许可"
    assert set(fields) == {
        "document_number", "project_name", "approval_category", "licence_content",
        "party_name", "party_id", "authority", "decision_date",
    }  # fmt: skip


def test_only_officers_of_the_unit_heads_and_the_pilot_office_publish(
    publication: Publication, bureau: Any
) -> None:
    from django.contrib.auth import get_user_model

    from zhifa.org import services as org
    from zhifa.org.models import Role

    other = org.register_person(
        actor=None,
        unit=bureau.units["审批一科"],
        name="孙审批",
        username="licensing_officer",
        password="Zhifa-test-2026",
        resident_id=make_resident_id("43040019870101771"),
    )
    org.grant_role(actor=None, person=other, role=Role.OFFICER, unit=bureau.units["审批一科"])
    login_only = get_user_model().objects.get(username="outsider")
    for outsider in (bureau.reviewer, bureau.supervisor, login_only, bureau.admin, other.user):
        with pytest.raises(NotPermitted):
            services.publish(actor=outsider, publication=publication, today=DAY)
    assert selectors.status_of(publication) == PublicationStatus.PENDING
    assert not PublicationEvent.objects.filter(publication=publication).exists()
    services.publish(actor=bureau.pilot, publication=publication, today=DAY)
    services.correct(
        actor=bureau.leader, publication=publication, fields={"facts": "经查实的违法事实。"}, reason="措辞"
    )
    services.withdraw(actor=bureau.officer2, publication=publication, reason="决定变更")


def test_a_correction_request_from_the_public_is_handled_by_staff(
    publication: Publication, bureau: Any
) -> None:
    with pytest.raises(NotFound):  # not published yet
        services.request_correction(publication=publication, name="李四", contact="13800000000", text="错")
    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    with pytest.raises(InvalidInput):
        services.request_correction(publication=publication, name="", contact="", text="")
    request = services.request_correction(
        publication=publication, name="李四", contact="13800000000", text="违法事实中的工程名称有误"
    )
    with pytest.raises(NotPermitted):
        services.resolve_correction_request(actor=bureau.reviewer, request=request, accept=False, reason="无")
    services.resolve_correction_request(
        actor=bureau.officer,
        request=request,
        accept=True,
        reason="核实后更正工程名称",
        fields={"facts": "当事人在某小区二期工程未取得施工许可证擅自施工。"},
        today=DAY,
    )
    request.refresh_from_db()
    assert request.outcome == RequestOutcome.ACCEPTED and request.resolved_by == bureau.officer
    actions = list(publication.events.values_list("action", flat=True))
    assert actions == ["publish", "correct", "request_resolved"]
    [public] = selectors.public_publications()
    assert "二期" in public.fields["facts"]
    with pytest.raises(Conflict):
        services.resolve_correction_request(actor=bureau.officer, request=request, accept=False, reason="x")


def test_public_reasons_are_masked_too(bureau: Any) -> None:
    case = decide(bureau, person_case_at_decision(bureau), amount="500")
    publication = Publication.objects.get(case=case)
    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    event = services.withdraw(
        actor=bureau.head,
        publication=publication,
        reason=f"张三丰（电话{PERSON_PHONE}）申请行政复议，原决定被撤销",
        today=DAY,
    )
    assert PERSON_PHONE not in event.reason and "张三丰" not in event.reason
    assert "原决定被撤销" in event.reason


def test_the_daily_scheduler_expires_what_is_past_its_period(bureau: Any, publication: Publication) -> None:
    """``zhifa scheduler`` runs the T6 expiry with its daily checks (and the ledger audit)."""
    import time_machine
    from django.core.management import call_command

    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    with time_machine.travel(datetime.datetime(2031, 3, 4, 9, 0, tzinfo=datetime.UTC)):
        call_command("scheduler", "--once")
    assert selectors.status_of(publication) == PublicationStatus.EXPIRED
    assert not selectors.public_publications().exists()
