"""Every rule of the case workflow, tried and refused with a clear message; nothing half-written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code, person_id, record_av, record_documents, walk

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.org import services as org
from zhifa.org.models import Credential
from zhifa.records.models import RecordEvent

DAY = datetime.date(2026, 3, 2)


def _open(bureau: Any, item: Any, officers: list[str] | None = None, **kw: Any) -> Case:
    people = [bureau.people[k] for k in (officers or ["officer", "officer2"])]
    return services.open_case(
        actor=bureau.officer,
        item=item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=people,
        today=DAY,
        **kw,
    )


def _to_investigating(bureau: Any, case: Case) -> Case:
    return walk(case, [("check_lead", bureau.officer, {}), ("approve_opening", bureau.head, {})], day=DAY)


def test_a_bad_party_identifier_is_refused_naming_the_rule(bureau: Any) -> None:
    item = make_item(bureau)
    with pytest.raises(InvalidInput, match="校验"):
        services.open_case(
            actor=bureau.officer,
            item=item,
            party_kind="person",
            party_name="张三",
            party_id_number="430400199001010010",
            today=DAY,
        )
    assert not Case.objects.exists()
    assert not RecordEvent.objects.exists()


def test_case_numbers_run_per_type_and_year_and_are_never_reused(bureau: Any) -> None:
    item = make_item(bureau)
    numbers = [_open(bureau, item).number for _ in range(3)]
    assert numbers == [f"衡住建罚案〔2026〕{n}号" for n in (1, 2, 3)]
    inspection = make_item(bureau, code="ZJ-JC-1", act_type="inspection")
    assert _open(bureau, inspection).number == "衡住建检案〔2026〕1号"


def test_a_single_certified_officer_cannot_finish_the_investigation(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau), officers=["officer"]))
    with pytest.raises(services.TransitionRefused, match="不少于2名"):
        services.perform_transition(
            actor=bureau.officer, case=case, transition="finish_investigation", today=DAY
        )
    assert Case.objects.get(pk=case.pk).state == "investigating"


def test_an_officer_whose_credential_is_suspended_does_not_count(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    credential = Credential.objects.get(person=bureau.people["officer2"])
    org.change_credential_status(actor=None, credential=credential, status="suspended", reason="考核")
    with pytest.raises(services.TransitionRefused, match="王执法无有效执法证"):
        services.perform_transition(
            actor=bureau.officer, case=case, transition="finish_investigation", today=DAY
        )


def test_a_recused_officer_no_longer_counts(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    with pytest.raises(InvalidInput):
        services.recuse_officer(actor=bureau.head, case=case, person=bureau.people["officer2"], reason=" ")
    services.recuse_officer(
        actor=bureau.head, case=case, person=bureau.people["officer2"], reason="与当事人有亲属关系"
    )
    with pytest.raises(services.TransitionRefused, match="只有1名"):
        services.perform_transition(
            actor=bureau.officer, case=case, transition="finish_investigation", today=DAY
        )


def test_a_step_that_requires_audio_video_cannot_complete_without_it(bureau: Any) -> None:
    item = make_item(bureau, code="ZJ-QZ-1", act_type="coercion", av=(("seal_or_seize", "required"),))
    case = walk(_open(bureau, item), [("approve_measure", bureau.head, {})], day=DAY)
    with pytest.raises(services.TransitionRefused, match=r"查封、扣押.*音像记录"):
        services.perform_transition(
            actor=bureau.officer, case=case, transition="implement_measure", today=DAY
        )
    record_av(case, "seal_or_seize")
    services.perform_transition(actor=bureau.officer, case=case, transition="implement_measure", today=DAY)


def test_closing_lists_exactly_what_the_case_file_lacks(bureau: Any) -> None:
    case = _open(bureau, make_item(bureau, code="ZJ-F-1", act_type="fee"), amount=100)
    case = services.perform_transition(
        actor=bureau.officer, case=case, transition="notify_payment", today=DAY
    )
    case = services.perform_transition(
        actor=bureau.officer, case=case, transition="record_payment", today=DAY
    )
    with pytest.raises(services.TransitionRefused) as refusal:
        services.perform_transition(actor=bureau.head, case=case, transition="close_case", today=DAY)
    assert refusal.value.details == ["案卷不完整，不能结案", "缺少文书：收费缴款通知书（送达缴款通知）"]
    record_documents(case, ("fee_notice",))
    services.perform_transition(actor=bureau.head, case=case, transition="close_case", today=DAY)


def test_steps_are_refused_in_the_wrong_state_to_the_wrong_role_and_off_the_case(bureau: Any) -> None:
    case = _open(bureau, make_item(bureau), officers=["officer"])
    with pytest.raises(Conflict, match="不能办理"):
        services.perform_transition(actor=bureau.head, case=case, transition="decide", today=DAY)
    with pytest.raises(NotPermitted, match="不是本案承办人员"):
        services.perform_transition(actor=bureau.officer2, case=case, transition="check_lead", today=DAY)
    case = services.perform_transition(actor=bureau.officer, case=case, transition="check_lead", today=DAY)
    with pytest.raises(NotPermitted, match="科室负责人"):
        services.perform_transition(actor=bureau.officer, case=case, transition="approve_opening", today=DAY)
    with pytest.raises(InvalidInput, match="理由"):
        services.perform_transition(actor=bureau.head, case=case, transition="decline_opening", today=DAY)


def test_a_stale_version_is_a_conflict_and_changes_nothing(bureau: Any) -> None:
    case = _open(bureau, make_item(bureau))
    read_version = case.version
    services.perform_transition(
        actor=bureau.officer, case=case, transition="check_lead", expected_version=read_version, today=DAY
    )
    events = RecordEvent.objects.count()
    with pytest.raises(Conflict, match="已被他人更新"):
        services.perform_transition(
            actor=bureau.head,
            case=case,
            transition="approve_opening",
            expected_version=read_version,
            today=DAY,
        )
    assert RecordEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).state == "checking"


def test_no_heavier_penalty_after_the_statement_and_defence(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    case = walk(
        case,
        [("finish_investigation", bureau.officer, {}), ("notify_party", bureau.officer, {"amount": "10000"})],
        day=DAY,
    )
    with pytest.raises(services.TransitionRefused, match="第四十五条"):
        services.perform_transition(
            actor=bureau.head, case=case, transition="decide", data={"amount": "10000.01"}, today=DAY
        )


def test_hearing_time_is_not_counted_in_the_decision_clock(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    due = case.clocks.get(code="T8").due_on
    case = walk(
        case,
        [
            ("finish_investigation", bureau.officer, {}),
            ("notify_party", bureau.officer, {"amount": "1"}),
            ("request_hearing", bureau.officer, {}),
        ],
        day=DAY,
    )
    walk(case, [("hold_hearing", bureau.officer, {})], day=DAY + datetime.timedelta(days=10))
    assert case.clocks.get(code="T8").due_on == due + datetime.timedelta(days=10)


def test_record_events_cannot_be_edited_or_deleted(bureau: Any) -> None:
    case = _open(bureau, make_item(bureau))
    event = RecordEvent.objects.filter(case=case).first()
    assert event is not None
    event.reason = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    with pytest.raises(ValueError, match="不能删除"):
        event.delete()


def test_a_correction_points_at_what_it_corrects(bureau: Any) -> None:
    from zhifa.records.services import correct_event

    case = _open(bureau, make_item(bureau))
    opened = RecordEvent.objects.get(case=case, event_type="case_opened")
    fix = correct_event(
        actor=bureau.officer, event=opened, correction={"party_name": "某某公司"}, reason="笔误"
    )
    assert fix.corrects == opened and fix.before == {"party_name": "某公司"}
    assert RecordEvent.objects.get(pk=opened.pk).after["party_name"] == "某公司"


def test_officers_outside_the_unit_cannot_open_its_cases(bureau: Any) -> None:
    with pytest.raises(NotPermitted):
        services.open_case(
            actor=bureau.reviewer,
            item=make_item(bureau),
            party_kind="person",
            party_name="张三",
            party_id_number=person_id(),
            today=DAY,
        )


def test_a_deadline_into_an_unloaded_year_refuses_the_step_and_writes_nothing(bureau: Any) -> None:
    from zhifa.workdays.calendar import CalendarYearMissing

    day = datetime.date(2026, 11, 20)
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        today=day,
    )
    case = services.perform_transition(actor=bureau.officer, case=case, transition="check_lead", today=day)
    events = RecordEvent.objects.count()
    with pytest.raises(CalendarYearMissing, match="2027年"):
        services.perform_transition(actor=bureau.head, case=case, transition="approve_opening", today=day)
    assert RecordEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).state == "checking"
    assert case.clocks.get(code="T9").stopped_on is None


def test_an_approved_extension_moves_the_due_date_once(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    due = case.clocks.get(code="T8").due_on
    with pytest.raises(NotPermitted):
        services.extend_clock(actor=bureau.officer, case=case, code="T8", reason="案情复杂")
    with pytest.raises(InvalidInput):
        services.extend_clock(actor=bureau.head, case=case, code="T8", reason="")
    clock = services.extend_clock(
        actor=bureau.head, case=case, code="T8", reason="案情复杂，需补充鉴定", today=DAY
    )
    assert clock.due_on == due + datetime.timedelta(days=30)
    assert RecordEvent.objects.filter(case=case, event_type="clock_extended").count() == 1
    with pytest.raises(Conflict, match="集体讨论"):
        services.extend_clock(actor=bureau.head, case=case, code="T8", reason="再次延长", today=DAY)


def test_the_admin_cannot_change_or_delete_record_events(bureau: Any, client_as: Any) -> None:
    from django.contrib.auth import get_user_model

    case = _open(bureau, make_item(bureau))
    event = RecordEvent.objects.filter(case=case).first()
    assert event is not None
    root = get_user_model().objects.create_superuser("root", "root@example.cn", "Root-pass-2026")
    from django.test import Client

    client = Client()
    client.force_login(root)
    assert client.get(f"/django-admin/records/recordevent/{event.pk}/change/").status_code == 200  # view only
    client.post(f"/django-admin/records/recordevent/{event.pk}/change/", {"reason": "改写"})
    client.post(f"/django-admin/records/recordevent/{event.pk}/delete/", {"post": "yes"})
    assert RecordEvent.objects.get(pk=event.pk).reason == event.reason


def test_appraisal_time_is_not_counted_in_the_decision_clock(bureau: Any) -> None:
    case = _to_investigating(bureau, _open(bureau, make_item(bureau)))
    due = case.clocks.get(code="T8").due_on
    with pytest.raises(InvalidInput, match="理由"):
        services.perform_transition(actor=bureau.officer, case=case, transition="start_appraisal", today=DAY)
    case = services.perform_transition(
        actor=bureau.officer,
        case=case,
        transition="start_appraisal",
        reason="委托检测机构对钢筋进行检测",
        today=DAY,
    )
    services.perform_transition(
        actor=bureau.officer,
        case=case,
        transition="finish_appraisal",
        today=DAY + datetime.timedelta(days=21),
    )
    assert case.clocks.get(code="T8").due_on == due + datetime.timedelta(days=21)
