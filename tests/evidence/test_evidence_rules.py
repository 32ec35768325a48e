"""Who may upload and see evidence, sealed cases, and the workflow's audio/video guard."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from tests.cases.conftest import make_item
from tests.evidence.conftest import MP4_HEAD, open_case, payload, start

from zhifa.cases import engine
from zhifa.cases import services as case_services
from zhifa.cases.services import TransitionRefused
from zhifa.evidence.models import Evidence, UploadSession
from zhifa.records.models import EventType, RecordEvent


def test_the_seal_or_seize_step_needs_its_video_before_it_can_be_implemented(
    bureau: Any, uploader: Any
) -> None:
    item = make_item(bureau, code="ZJ-QZ-001", act_type="coercion", av=(("seal_or_seize", "required"),))
    case = open_case(bureau, item)
    case_services.perform_transition(actor=bureau.head, case=case, transition="approve_measure")
    with pytest.raises(TransitionRefused, match="查封、扣押"):
        case_services.perform_transition(actor=bureau.officer, case=case, transition="implement_measure")
    # Evidence for another step, or not audio/video, does not count.
    uploader("officer", case, payload(MP4_HEAD, 20_000, seed=1), step="on_site_inspection")
    uploader("officer", case, payload(b"%PDF-1.7\n", 20_000, seed=2), kind="document", step="seal_or_seize")
    with pytest.raises(TransitionRefused):
        case_services.perform_transition(actor=bureau.officer, case=case, transition="implement_measure")
    response = uploader("officer", case, payload(MP4_HEAD, 20_000, seed=3), step="seal_or_seize")
    assert response.json()["status"] == "complete"
    case = case_services.perform_transition(actor=bureau.officer, case=case, transition="implement_measure")
    assert case.state == "implemented"
    steps = RecordEvent.objects.filter(case=case, event_type=EventType.EVIDENCE_ADDED).values_list(
        "step", "after__is_av"
    )
    assert list(steps) == [("on_site_inspection", True), ("seal_or_seize", False), ("seal_or_seize", True)]


@pytest.mark.parametrize("username", ["officer", "officer2", "head", "leader"])
def test_case_officers_and_unit_heads_and_leaders_may_upload(
    bureau: Any, uploader: Any, username: str
) -> None:
    case = open_case(bureau)
    response = uploader(username, case, payload(MP4_HEAD, 5000))
    assert response.status_code == 200 and response.json()["status"] == "complete"


@pytest.mark.parametrize("username", ["officer2", "reviewer", "supervisor", "pilot"])
def test_others_are_refused_an_upload_and_nothing_is_opened(
    bureau: Any, client_as: Any, username: str
) -> None:
    case = open_case(bureau, officers=("officer",))
    response = start(client_as(username), case, payload(MP4_HEAD, 5000))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not UploadSession.objects.exists()


def test_a_recused_officer_may_no_longer_upload(bureau: Any, client_as: Any) -> None:
    case = open_case(bureau)
    case_services.recuse_officer(
        actor=bureau.head, case=case, person=bureau.people["officer2"], reason="与当事人有利害关系"
    )
    response = start(client_as("officer2"), case, payload(MP4_HEAD, 5000))
    assert response.status_code == 403


def test_someone_else_cannot_send_chunks_to_my_upload(bureau: Any, client_as: Any) -> None:
    case = open_case(bureau, officers=("officer",))
    upload_id = start(client_as("officer"), case, payload(MP4_HEAD, 5000)).json()["upload_id"]
    other = client_as("reviewer")
    url = reverse("evidence:upload_detail", args=[upload_id])
    response = other.put(
        url, data=b"x", content_type="application/octet-stream", headers={"Content-Range": "bytes 0-0/5000"}
    )
    assert response.status_code == 403
    assert other.get(url).status_code == 403
    assert other.delete(url).status_code == 403
    assert UploadSession.objects.get().received_bytes == 0


def test_no_role_no_upload(bureau: Any, client_as: Any) -> None:
    case = open_case(bureau)
    response = start(client_as("outsider"), case, payload(MP4_HEAD, 5000))
    assert response.status_code == 403 and not UploadSession.objects.exists()


def test_an_archived_case_is_sealed(bureau: Any, client_as: Any, uploader: Any) -> None:
    case = open_case(bureau)
    client = client_as("officer")
    data = payload(MP4_HEAD, 20_000)
    upload_id = start(client, case, data).json()["upload_id"]
    engine.set_initial_state(case, "archived")  # as the archive step would leave it
    case.save(update_fields=["state"])
    response = start(client, case, data)
    assert (
        response.status_code == 409
        and response.json()["message"] == "案件已归档，案卷已封存，不能再添加证据或音像记录。"
    )
    # An upload begun before archiving cannot complete into the sealed file either.
    finished = client.put(
        reverse("evidence:upload_detail", args=[upload_id]),
        data=data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert finished.status_code == 409 and finished.json()["code"] == "case_sealed"
    assert UploadSession.objects.get(pk=upload_id).status == "aborted"
    assert not Evidence.objects.exists()
    page = client.get(reverse("evidence:case_evidence", args=[case.pk]))
    assert "案卷已封存" in page.content.decode() and "upload.js" not in page.content.decode()


def test_an_officer_recused_mid_upload_cannot_finish_it(bureau: Any, client_as: Any) -> None:
    case = open_case(bureau)
    client = client_as("officer2")
    data = payload(MP4_HEAD, 5000)
    upload_id = start(client, case, data).json()["upload_id"]
    case_services.recuse_officer(
        actor=bureau.head, case=case, person=bureau.people["officer2"], reason="回避"
    )
    url = reverse("evidence:upload_detail", args=[upload_id])
    response = client.put(
        url,
        data=data,
        content_type="application/octet-stream",
        headers={"Content-Range": "bytes 0-4999/5000"},
    )
    assert response.status_code == 403 and not Evidence.objects.exists()
    # The unit's head may cancel what was left.
    assert client_as("head").delete(url).json()["status"] == "aborted"


def test_the_upload_endpoints_need_the_csrf_token(bureau: Any, case: Any) -> None:
    from django.test import Client
    from tests.conftest import login

    client = login(Client(enforce_csrf_checks=True), "officer")
    page = client.get(reverse("evidence:case_evidence", args=[case.pk]))
    token = page.content.decode().split('name="csrf-token" content="')[1].split('"')[0]
    data = payload(MP4_HEAD, 5000)
    form = {
        "kind": "video",
        "captured_at": "2026-03-02T10:00",
        "place": "现场",
        "filename": "a.mp4",
        "size": 5000,
    }
    assert client.post(reverse("evidence:upload_start", args=[case.pk]), form).status_code == 403
    created = client.post(
        reverse("evidence:upload_start", args=[case.pk]), form, headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201
    url = reverse("evidence:upload_detail", args=[created.json()["upload_id"]])
    headers = {"Content-Range": "bytes 0-999/5000"}
    refused = client.put(url, data=data[:1000], content_type="application/octet-stream", headers=headers)
    assert refused.status_code == 403
    accepted = client.put(
        url,
        data=data[:1000],
        content_type="application/octet-stream",
        headers={**headers, "X-CSRFToken": token},
    )
    assert accepted.status_code == 200 and accepted.json()["offset"] == 1000
