"""执法证: issue, renew, suspend, reinstate, revoke — each with a reason and an OrgEvent; photos."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from org_support import image_bytes, last_event, page_text, upload

from zhifa.core.errors import Conflict, DomainError, InvalidInput
from zhifa.org import services
from zhifa.org.models import Credential, CredentialStatus, OrgEvent, OrgEventType

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2024, 1, 1)
EXPIRES = datetime.date(2029, 12, 31)


def credential_of(bureau: Any, key: str = "officer") -> Credential:
    return bureau.people[key].credentials.get()


def issue(bureau: Any, **overrides: Any) -> Credential:
    fields: dict[str, Any] = {
        "actor": bureau.pilot,
        "person": bureau.people["head"],
        "number": "430400109999",
        "category": "城乡建设",
        "area": "衡阳市",
        "issuing_authority": "衡阳市人民政府",
        "issued_on": ISSUED,
        "expires_on": EXPIRES,
    }
    return services.issue_credential(**(fields | overrides))


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "number": "430400109999",
        "category": "城乡建设",
        "area": "衡阳市",
        "issuing_authority": "衡阳市人民政府",
        "issued_on": "2024-01-01",
        "expires_on": "2029-12-31",
    }
    return data | overrides


# -- issue and correct ---------------------------------------------------------------------------


def test_issuing_records_the_credential_and_who_issued_it(bureau: Any) -> None:
    credential = issue(bureau)
    event = last_event(credential=credential)
    assert event.event_type == OrgEventType.CREDENTIAL_ISSUED
    assert event.actor == bureau.pilot
    assert event.after["number"] == "430400109999"
    assert event.after["expires_on"] == "2029-12-31"
    assert credential.is_valid_on(datetime.date(2025, 6, 1))
    assert not credential.is_valid_on(datetime.date(2030, 1, 1))


@pytest.mark.parametrize("expires_on", [ISSUED, ISSUED - datetime.timedelta(days=1)])
def test_expiry_must_be_after_issue(bureau: Any, expires_on: datetime.date) -> None:
    before = (Credential.objects.count(), OrgEvent.objects.count())
    with pytest.raises(InvalidInput, match="有效期至必须晚于发证日期") as exc:
        issue(bureau, expires_on=expires_on)
    assert "expires_on" in exc.value.details
    assert (Credential.objects.count(), OrgEvent.objects.count()) == before


def test_expiry_before_issue_on_the_form_page_gets_the_clear_message(bureau: Any, client_as: Any) -> None:
    client = client_as("pilot")
    response = client.post(
        f"/org/people/{bureau.people['head'].pk}/credentials/new/", form_data(expires_on="2023-12-31")
    )
    assert response.status_code == 200
    assert "有效期至必须晚于发证日期" in page_text(response)
    assert not Credential.objects.filter(number="430400109999").exists()


def test_credential_numbers_are_unique(bureau: Any) -> None:
    with pytest.raises(InvalidInput):
        issue(bureau, number="430400100001")


def test_renewal_extends_expiry_and_records_before_and_after(bureau: Any) -> None:
    credential = credential_of(bureau)
    services.update_credential(
        actor=bureau.pilot,
        credential=credential,
        reason="年审合格，换发",
        expires_on=datetime.date(2034, 12, 31),
    )
    credential.refresh_from_db()
    assert credential.expires_on == datetime.date(2034, 12, 31)
    event = last_event(credential=credential)
    assert event.event_type == OrgEventType.CREDENTIAL_RENEWED
    assert (event.before["expires_on"], event.after["expires_on"]) == ("2029-12-31", "2034-12-31")
    assert (event.actor, event.reason) == (bureau.pilot, "年审合格，换发")


def test_correcting_particulars_is_an_update_not_a_renewal(bureau: Any) -> None:
    credential = services.update_credential(
        actor=bureau.pilot, credential=credential_of(bureau), reason="录入错误", area="衡阳市本级"
    )
    event = last_event(credential=credential)
    assert event.event_type == OrgEventType.CREDENTIAL_UPDATED
    assert (event.before["area"], event.after["area"]) == ("衡阳市", "衡阳市本级")


def test_every_credential_change_needs_a_reason(bureau: Any) -> None:
    credential = credential_of(bureau)
    events = OrgEvent.objects.count()
    with pytest.raises(InvalidInput, match="原因"):
        services.update_credential(
            actor=bureau.pilot, credential=credential, reason=" ", expires_on=datetime.date(2034, 12, 31)
        )
    credential.refresh_from_db()
    assert credential.expires_on == EXPIRES
    assert OrgEvent.objects.count() == events


def test_renewal_cannot_move_expiry_before_issue(bureau: Any) -> None:
    credential = credential_of(bureau)
    with pytest.raises(InvalidInput, match="有效期至必须晚于发证日期"):
        services.update_credential(
            actor=bureau.pilot, credential=credential, reason="误操作", expires_on=datetime.date(2023, 1, 1)
        )
    credential.refresh_from_db()
    assert credential.expires_on == EXPIRES


def test_status_is_never_changed_by_an_edit(bureau: Any) -> None:
    with pytest.raises(DomainError, match="暂扣、恢复或吊销"):
        services.update_credential(
            actor=bureau.pilot, credential=credential_of(bureau), reason="x", status=CredentialStatus.VALID
        )


# -- status --------------------------------------------------------------------------------------


def test_suspend_reinstate_revoke_each_leave_an_event(bureau: Any) -> None:
    credential = credential_of(bureau)
    steps = [
        (CredentialStatus.SUSPENDED, OrgEventType.CREDENTIAL_SUSPENDED, "年度考核不合格"),
        (CredentialStatus.VALID, OrgEventType.CREDENTIAL_REINSTATED, "整改完成"),
        (CredentialStatus.REVOKED, OrgEventType.CREDENTIAL_REVOKED, "调离执法岗位"),
    ]
    previous = CredentialStatus.VALID
    for status, event_type, reason in steps:
        services.change_credential_status(
            actor=bureau.pilot, credential=credential, status=status, reason=reason
        )
        credential.refresh_from_db()
        assert credential.status == status
        event = last_event(credential=credential)
        assert event.event_type == event_type
        assert (event.before, event.after) == ({"status": previous}, {"status": status})
        assert (event.actor, event.reason) == (bureau.pilot, reason)
        previous = status
    assert list(credential.events.values_list("event_type", flat=True).order_by("id")) == [
        OrgEventType.CREDENTIAL_ISSUED,
        OrgEventType.CREDENTIAL_SUSPENDED,
        OrgEventType.CREDENTIAL_REINSTATED,
        OrgEventType.CREDENTIAL_REVOKED,
    ]
    assert credential.effective_status_label == "吊销"


@pytest.mark.parametrize(
    "target", [CredentialStatus.VALID, CredentialStatus.SUSPENDED, CredentialStatus.REVOKED]
)
def test_a_revoked_credential_stays_revoked(bureau: Any, target: str) -> None:
    credential = credential_of(bureau)
    services.change_credential_status(
        actor=bureau.pilot, credential=credential, status=CredentialStatus.REVOKED, reason="调离"
    )
    events = OrgEvent.objects.count()
    with pytest.raises(Conflict, match="不能变更"):
        services.change_credential_status(
            actor=bureau.pilot, credential=credential, status=target, reason="恢复"
        )
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REVOKED
    assert OrgEvent.objects.count() == events


@pytest.mark.parametrize(
    ("status", "reason", "error"),
    [
        (CredentialStatus.SUSPENDED, "", InvalidInput),
        (CredentialStatus.SUSPENDED, "   ", InvalidInput),
        ("lost", "遗失", InvalidInput),
        (CredentialStatus.VALID, "已经有效", Conflict),
    ],
)
def test_status_change_refusals_leave_no_trace(bureau: Any, status: str, reason: str, error: type) -> None:
    credential = credential_of(bureau)
    events = OrgEvent.objects.count()
    with pytest.raises(error):
        services.change_credential_status(
            actor=bureau.pilot, credential=credential, status=status, reason=reason
        )
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.VALID
    assert OrgEvent.objects.count() == events


def test_status_page_changes_status_for_the_pilot_office(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    client = client_as("pilot")
    response = client.post(
        f"/org/credentials/{credential.pk}/status/",
        {"status": CredentialStatus.SUSPENDED, "reason": "涉嫌违规执法"},
        follow=True,
    )
    assert response.status_code == 200
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.SUSPENDED
    text = page_text(response)
    assert "暂扣执法证" in text and "涉嫌违规执法" in text and "pilot" in text


def test_status_page_shows_why_a_revoked_credential_cannot_be_reinstated(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    services.change_credential_status(
        actor=bureau.pilot, credential=credential, status=CredentialStatus.REVOKED, reason="调离"
    )
    client = client_as("pilot")
    response = client.post(
        f"/org/credentials/{credential.pk}/status/",
        {"status": CredentialStatus.VALID, "reason": "回到岗位"},
        follow=True,
    )
    assert response.status_code == 200
    assert "不能变更为" in page_text(response)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REVOKED


def test_status_page_without_reason_is_refused(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    response = client_as("pilot").post(
        f"/org/credentials/{credential.pk}/status/",
        {"status": CredentialStatus.SUSPENDED, "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "填写原因" in page_text(response)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.VALID


def test_edit_page_requires_a_reason(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    data = form_data(number=credential.number, expires_on="2034-12-31")
    response = client_as("pilot").post(f"/org/credentials/{credential.pk}/edit/", data)
    assert response.status_code == 200
    credential.refresh_from_db()
    assert credential.expires_on == EXPIRES
    response = client_as("pilot").post(f"/org/credentials/{credential.pk}/edit/", data | {"reason": "换发"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.expires_on == datetime.date(2034, 12, 31)


# -- photo ---------------------------------------------------------------------------------------


def post_with_photo(client: Any, bureau: Any, photo: Any) -> Any:
    return client.post(
        f"/org/people/{bureau.people['head'].pk}/credentials/new/", form_data() | {"photo": photo}
    )


def test_a_real_photo_is_stored_and_served_to_signed_in_staff_only(bureau: Any, client_as: Any) -> None:
    client = client_as("pilot")
    content = image_bytes("PNG")
    response = post_with_photo(client, bureau, upload("head.png", content))
    assert response.status_code == 302
    credential = Credential.objects.get(number="430400109999")
    assert credential.photo.name.startswith("credentials/")
    assert last_event(credential=credential).after["photo"] == credential.photo.name

    served = client_as("officer").get(f"/org/credentials/{credential.pk}/photo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == content

    assert client_as("outsider").get(f"/org/credentials/{credential.pk}/photo/").status_code == 403

    client.logout()
    anonymous = client.get(f"/org/credentials/{credential.pk}/photo/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_a_jpeg_photo_is_served_as_jpeg(bureau: Any, client_as: Any) -> None:
    client = client_as("pilot")
    assert (
        post_with_photo(client, bureau, upload("head.jpg", image_bytes("JPEG"), "image/jpeg")).status_code
        == 302
    )
    credential = Credential.objects.get(number="430400109999")
    assert client.get(f"/org/credentials/{credential.pk}/photo/")["Content-Type"] == "image/jpeg"


def test_a_text_file_renamed_jpg_is_refused(bureau: Any, client_as: Any) -> None:
    response = post_with_photo(
        client_as("pilot"), bureau, upload("photo.jpg", "这不是照片，是文本。".encode() * 20, "image/jpeg")
    )
    assert response.status_code == 200
    assert "照片" in page_text(response)
    assert response.context["form"].errors["photo"]
    assert not Credential.objects.filter(number="430400109999").exists()


def test_an_oversize_photo_is_refused(bureau: Any, client_as: Any) -> None:
    content = image_bytes("PNG", size=(900, 900), noise=True)
    assert len(content) > 2 * 1024 * 1024
    response = post_with_photo(client_as("pilot"), bureau, upload("big.png", content))
    assert response.status_code == 200
    assert "照片不能超过 2 MB" in page_text(response)
    assert not Credential.objects.filter(number="430400109999").exists()


def test_an_image_in_another_format_is_refused(bureau: Any, client_as: Any) -> None:
    response = post_with_photo(
        client_as("pilot"), bureau, upload("photo.gif", image_bytes("GIF"), "image/gif")
    )
    assert response.status_code == 200
    assert "JPEG 或 PNG" in page_text(response)
    assert not Credential.objects.filter(number="430400109999").exists()


def test_a_credential_without_photo_has_no_photo_url(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    assert client_as("officer").get(f"/org/credentials/{credential.pk}/photo/").status_code == 404


def test_replacing_the_photo_records_old_and_new_file(bureau: Any, client_as: Any) -> None:
    credential = credential_of(bureau)
    client = client_as("pilot")
    data = form_data(number=credential.number) | {"reason": "补录照片"}
    response = client.post(
        f"/org/credentials/{credential.pk}/edit/", data | {"photo": upload("a.png", image_bytes())}
    )
    assert response.status_code == 302
    event = last_event(credential=credential)
    assert event.before["photo"] == ""
    assert event.after["photo"].startswith("credentials/")
    credential.refresh_from_db()
    assert credential.photo.name == event.after["photo"]


def test_a_corrected_number_is_stored_without_surrounding_spaces(bureau: Any) -> None:
    credential = services.update_credential(
        actor=bureau.pilot, credential=credential_of(bureau), reason="证号录入错误", number=" 430400100009 "
    )
    credential.refresh_from_db()
    assert credential.number == "430400100009"
    assert last_event(credential=credential).after["number"] == "430400100009"
