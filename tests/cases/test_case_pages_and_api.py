"""The staff pages and the API drive the same services; refusals are messages and 4xx, never 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code, person_id

from zhifa.cases import services
from zhifa.cases.models import Case


def _case(bureau: Any) -> Case:
    return services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某建设公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
    )


def test_an_officer_opens_a_case_from_a_catalogue_item_on_the_page(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    client = client_as("officer")
    page = client.get("/cases/new/")
    assert page.status_code == 200 and item.code in page.content.decode()
    bad = client.post(
        "/cases/new/",
        {
            "item": item.pk,
            "procedure": "general",
            "party_kind": "person",
            "party_name": "张三",
            "party_id_number": "430400199001010010",
            "officers": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
    )
    assert bad.status_code == 200 and "校验" in bad.content.decode()
    assert not Case.objects.exists()
    good = client.post(
        "/cases/new/",
        {
            "item": item.pk,
            "procedure": "general",
            "party_kind": "person",
            "party_name": "张三",
            "party_id_number": person_id(),
            "officers": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
    )
    case = Case.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/cases/{case.pk}/"
    detail = client.get(good["Location"]).content.decode()
    assert case.number in detail and "核查线索" in detail and "立案/受理" in detail


def test_the_case_page_offers_only_the_steps_the_user_may_take(bureau: Any, client_as: Any) -> None:
    case = _case(bureau)
    assert "核查线索" in client_as("officer").get(f"/cases/{case.pk}/").content.decode()
    services.perform_transition(actor=bureau.officer, case=case, transition="check_lead")
    officer_page = client_as("officer").get(f"/cases/{case.pk}/").content.decode()
    head_page = client_as("head").get(f"/cases/{case.pk}/").content.decode()
    step_url = f"/cases/{case.pk}/steps/approve_opening/"
    assert step_url not in officer_page
    assert step_url in head_page


def test_a_refused_step_shows_its_reason_on_the_page(bureau: Any, client_as: Any) -> None:
    case = _case(bureau)
    client = client_as("officer")
    response = client.post(f"/cases/{case.pk}/steps/check_lead/", {"check_lead-version": 999}, follow=True)
    assert "已被他人更新" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "lead"
    forbidden = client.post(
        f"/cases/{case.pk}/steps/approve_opening/", {"approve_opening-version": case.version}
    )
    assert forbidden.status_code in (302, 403)
    assert Case.objects.get(pk=case.pk).state == "lead"


def test_officers_of_other_units_cannot_see_the_case(bureau: Any, client_as: Any) -> None:
    from zhifa.org import services as org
    from zhifa.org.models import Role

    case = _case(bureau)
    stranger = org.register_person(
        actor=None,
        unit=bureau.units["审批一科"],
        name="审批员",
        username="approver",
        password="Zhifa-test-2026",
    )
    org.grant_role(actor=None, person=stranger, role=Role.OFFICER)
    client = Client()
    client.login(username="approver", password="Zhifa-test-2026")
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert case.number not in client.get("/cases/?scope=all").content.decode()


def test_the_api_opens_and_drives_a_case_with_structured_errors(
    bureau: Any, client: Client, api_token: Any
) -> None:
    item = make_item(bureau)
    officer = api_token("officer")
    created = client.post(
        "/api/v1/cases",
        {
            "item_code": item.code,
            "party_kind": "organisation",
            "party_name": "某公司",
            "party_id_number": org_code(),
            "officer_ids": [bureau.people["officer"].pk, bureau.people["officer2"].pk],
        },
        content_type="application/json",
        **officer,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == f"衡住建罚案〔{body['opened_on'][:4]}〕1号"
    assert [s["code"] for s in body["available_steps"]] == ["check_lead"]
    moved = client.post(
        f"/api/v1/cases/{body['id']}/transitions/check_lead",
        {"expected_version": body["version"]},
        content_type="application/json",
        **officer,
    )
    assert moved.status_code == 200 and moved.json()["state"] == "checking"
    stale = client.post(
        f"/api/v1/cases/{body['id']}/transitions/approve_opening",
        {"expected_version": body["version"]},
        content_type="application/json",
        **api_token("head"),
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_case"
    forbidden = client.post(
        f"/api/v1/cases/{body['id']}/transitions/approve_opening",
        {"expected_version": moved.json()["version"]},
        content_type="application/json",
        **officer,
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    bad_party = client.post(
        "/api/v1/cases",
        {"item_code": item.code, "party_kind": "person", "party_name": "张三", "party_id_number": "123"},
        content_type="application/json",
        **officer,
    )
    assert bad_party.status_code == 422 and "18" in bad_party.json()["message"]
    events = client.get(f"/api/v1/cases/{body['id']}/events", **officer).json()
    assert [e["event_type"] for e in events][:2] == ["case_opened", "officer_assigned"]
    assert all(len(e["digest"]) == 64 for e in events)


def test_the_workflow_definitions_are_published_in_the_api(
    bureau: Any, client: Client, api_token: Any
) -> None:
    flows = client.get("/api/v1/cases/workflows/", **api_token("officer")).json()
    assert {f["key"] for f in flows} >= {
        "penalty.general",
        "penalty.summary",
        "licensing.general",
        "coercion.general",
        "fee.general",
        "levy.general",
        "inspection.general",
    }


def test_case_list_pages_render(bureau: Any, client_as: Any) -> None:
    _case(bureau)
    for path in ("/cases/", "/cases/?scope=all", "/cases/?scope=all&type=penalty&open=1&q=某"):
        response = client_as("head").get(path)
        assert response.status_code == 200, path
    assert "衡住建罚案" in client_as("officer").get("/cases/").content.decode()


def test_corrections_and_extensions_from_the_case_page(bureau: Any, client_as: Any) -> None:
    from zhifa.records.models import RecordEvent

    case = _case(bureau)
    opened = RecordEvent.objects.get(case=case, event_type="case_opened")
    client = client_as("officer")
    client.post(
        f"/cases/{case.pk}/events/correct/",
        {"event": opened.pk, "correction": "当事人名称应为某某建设公司", "reason": "笔误"},
    )
    fix = RecordEvent.objects.get(case=case, event_type="correction")
    assert fix.corrects_id == opened.pk and fix.reason == "笔误"
    assert RecordEvent.objects.get(pk=opened.pk).digest == opened.digest
    refused = client.post(f"/cases/{case.pk}/clocks/extend/", {"clock": "T9/", "reason": "x"})
    assert refused.status_code == 403


@pytest.mark.parametrize("amount", ["99999999999999999999", "1e400", "-5", "12.345", "abc"])
def test_bad_amounts_through_the_api_are_refused_and_nothing_is_stored(
    bureau: Any, client: Client, api_token: Any, amount: str
) -> None:
    item = make_item(bureau)
    response = client.post(
        "/api/v1/cases",
        {
            "item_code": item.code,
            "party_kind": "organisation",
            "party_name": "某公司",
            "party_id_number": org_code(),
            "amount": amount,
        },
        content_type="application/json",
        **api_token("officer"),
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert not Case.objects.exists()
    assert client.get("/api/v1/cases", **api_token("officer")).status_code == 200


def test_a_summary_case_above_the_ceiling_is_refused_when_opened(bureau: Any) -> None:
    from zhifa.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="简易程序"):
        services.open_case(
            actor=bureau.officer,
            item=make_item(bureau),
            procedure="summary",
            party_kind="organisation",
            party_name="某公司",
            party_id_number=org_code(),
            amount=Decimal("3000.01"),
        )


def test_crafted_posts_get_a_message_or_404_not_a_500(bureau: Any, client_as: Any) -> None:
    case = _case(bureau)
    head = client_as("head")
    assert (
        head.post(
            f"/cases/{case.pk}/events/correct/", {"event": "abc", "correction": "x", "reason": "y"}
        ).status_code
        == 302
    )
    assert head.post(f"/cases/{case.pk}/officers/", {"person": "abc"}).status_code == 404


def test_the_api_has_the_page_operations(bureau: Any, client: Client, api_token: Any, log_key: Any) -> None:
    case = _case(bureau)
    head, officer = api_token("head"), api_token("officer")
    extra = bureau.people["reviewer"]  # not an officer: refused
    refused = client.post(
        f"/api/v1/cases/{case.pk}/officers", {"person_id": extra.pk}, content_type="application/json", **head
    )
    assert refused.status_code == 422
    recused = client.post(
        f"/api/v1/cases/{case.pk}/officers/{bureau.people['officer2'].pk}/recusal",
        {"reason": "与当事人有利害关系"},
        content_type="application/json",
        **head,
    )
    assert recused.status_code == 200
    assert [o["recused"] for o in recused.json()["officers"]] == [False, True]
    event = client.get(f"/api/v1/cases/{case.pk}/events", **officer).json()[0]
    fix = client.post(
        f"/api/v1/cases/{case.pk}/corrections",
        {"event_id": event["id"], "correction": "地址更正", "reason": "笔误"},
        content_type="application/json",
        **officer,
    )
    assert fix.status_code == 201 and fix.json()["corrects_id"] == event["id"]
    no_clock = client.post(
        f"/api/v1/cases/{case.pk}/extensions",
        {"code": "T8", "reason": "复杂"},
        content_type="application/json",
        **head,
    )
    assert no_clock.status_code == 409 and no_clock.json()["code"] == "no_running_clock"
    archive = client.get(f"/api/v1/cases/{case.pk}/case-file.zip", **officer)
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    ledger = client.get(f"/api/v1/cases/{case.pk}/ledger", **officer).json()
    assert ledger and all(row["leaf_index"] is not None and row["checkpoint_id"] for row in ledger)
    proof = client.get(ledger[0]["proof_url"], **officer).json()
    assert proof["leaf_index"] == ledger[0]["leaf_index"] and proof["proof"]
    assert client.get("/api/v1/cases/deadlines/mine", **officer).status_code == 200


def test_the_timeline_shows_step_names_not_codes(bureau: Any, client_as: Any) -> None:
    case = _case(bureau)
    services.perform_transition(actor=bureau.officer, case=case, transition="check_lead")
    page = client_as("officer").get(f"/cases/{case.pk}/").content.decode()
    timeline = page.split("<h2>执法全过程记录</h2>")[1]
    assert "核查线索" in timeline and "线索登记 → 线索核查" in timeline and "T9起算" in timeline
    assert "check_lead" not in timeline.split("追加更正")[-1].split("</form>")[-1]
