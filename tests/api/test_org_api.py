"""The 组织机构 API: token flow, the persona data, masking of personal data, errors, docs."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.core.models import ApiToken
from zhifa.org import services as org
from zhifa.org.models import CredentialStatus

ORG = "/api/v1/org"
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """A structured error: the status, a stable code and a message in Chinese."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert CJK.search(body["message"]), body["message"]
    return body


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows}


# ---------------------------------------------------------------------------
# Token flow
# ---------------------------------------------------------------------------


def post_token(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_good_password_gives_a_token_that_opens_the_api(client: Client, bureau: Any) -> None:
    bureau.officer.set_password("Known-pass-2026")
    bureau.officer.save(update_fields=["password"])
    response = post_token(client, "officer", "Known-pass-2026")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert ApiToken.objects.filter(user=bureau.officer).count() == 1
    listed = client.get(f"{ORG}/bodies", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert listed.status_code == 200


def test_wrong_password_is_refused(client: Client, bureau: Any) -> None:
    assert_error(post_token(client, "officer", "not-the-password"), 401, "bad_credentials")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer garbled-token", "Token abc", "garbage"])
def test_missing_or_garbled_token_is_unauthenticated(client: Client, bureau: Any, header: str | None) -> None:
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    assert_error(client.get(f"{ORG}/people", **extra), 401, "unauthenticated")


def test_expired_token_is_unauthenticated(client: Client, api_token: Any) -> None:
    headers = api_token("officer")
    assert client.get(f"{ORG}/people", **headers).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert_error(client.get(f"{ORG}/people", **headers), 401, "unauthenticated")


def test_revoked_token_is_unauthenticated(client: Client, api_token: Any) -> None:
    headers = api_token("officer")
    ApiToken.objects.update(revoked=True)
    assert_error(client.get(f"{ORG}/credentials", **headers), 401, "unauthenticated")


# ---------------------------------------------------------------------------
# Bodies and units
# ---------------------------------------------------------------------------


def test_bodies_list_and_detail(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    listed = client.get(f"{ORG}/bodies", **headers).json()
    assert listed["count"] == 1
    [body] = listed["items"]
    assert body["name"] == "衡阳市住房和城乡建设局"
    assert body["short_name"] == "衡住建"
    assert body["legal_status_label"] == "法定行政机关"
    detail = client.get(f"{ORG}/bodies/{bureau.body.pk}", **headers).json()
    assert detail == body


def test_unknown_body_is_404(client: Client, api_token: Any) -> None:
    assert_error(client.get(f"{ORG}/bodies/99999", **api_token("officer")), 404, "not_found")


def test_units_carry_kind_parent_and_counterpart(client: Client, bureau: Any, api_token: Any) -> None:
    listed = client.get(f"{ORG}/units", **api_token("officer")).json()
    assert listed["count"] == 4
    units = by_name(listed["items"])
    squad = units["稽查支队"]
    assert squad["kind"] == "subordinate"
    assert squad["kind_label"] == "局属单位"
    assert squad["counterpart_id"] == bureau.units["工程管理科"].pk
    assert squad["parent_id"] is None
    assert squad["body_id"] == bureau.body.pk
    assert units["工程管理科"]["kind_label"] == "机关科室"
    assert units["工程管理科"]["counterpart_id"] is None


def test_units_filter_by_kind_and_body(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    sections = client.get(f"{ORG}/units", {"kind": "section"}, **headers).json()
    assert {u["name"] for u in sections["items"]} == {"政策法规科", "工程管理科", "审批一科"}
    subordinate = client.get(
        f"{ORG}/units", {"kind": "subordinate", "body_id": bureau.body.pk}, **headers
    ).json()
    assert [u["name"] for u in subordinate["items"]] == ["稽查支队"]


def test_units_refuse_an_unknown_kind(client: Client, api_token: Any) -> None:
    body = assert_error(
        client.get(f"{ORG}/units", {"kind": "bureau"}, **api_token("officer")), 422, "invalid_input"
    )
    assert body["details"][0]["field"].endswith("kind")


def test_units_filter_by_unknown_body_is_404(client: Client, api_token: Any) -> None:
    assert_error(client.get(f"{ORG}/units", {"body_id": 99999}, **api_token("officer")), 404, "not_found")


def test_unit_detail_and_404(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    squad = bureau.units["稽查支队"]
    detail = client.get(f"{ORG}/units/{squad.pk}", **headers).json()
    assert (detail["id"], detail["name"], detail["kind"]) == (squad.pk, "稽查支队", "subordinate")
    assert_error(client.get(f"{ORG}/units/99999", **headers), 404, "not_found")


def test_lists_are_paginated_by_page_number(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    first = client.get(f"{ORG}/people", {"page_size": 3}, **headers).json()
    third = client.get(f"{ORG}/people", {"page_size": 3, "page": 3}, **headers).json()
    assert first["count"] == third["count"] == 8
    assert len(first["items"]) == 3
    assert len(third["items"]) == 2
    assert_error(client.get(f"{ORG}/people", {"page": 0}, **headers), 422, "invalid_input")


# ---------------------------------------------------------------------------
# People and masking
# ---------------------------------------------------------------------------


def test_people_carry_roles_unit_and_credentials(client: Client, bureau: Any, api_token: Any) -> None:
    people = by_name(client.get(f"{ORG}/people", **api_token("officer")).json()["items"])
    assert len(people) == 8
    officer = people["李执法"]
    squad = bureau.units["稽查支队"]
    assert officer["username"] == "officer"
    assert (officer["unit_id"], officer["unit_name"]) == (squad.pk, "稽查支队")
    assert officer["roles"] == [{"role": "officer", "role_label": "执法人员", "unit_id": squad.pk}]
    assert [c["number"] for c in officer["credentials"]] == ["430400100001"]
    assert people["管理员"]["roles"] == [{"role": "admin", "role_label": "系统管理员", "unit_id": None}]
    assert people["陈审核"]["legal_qualification_no"] == "A20154301000123"


def test_officer_sees_another_officers_resident_id_masked(
    client: Client, bureau: Any, api_token: Any
) -> None:
    people = by_name(client.get(f"{ORG}/people", **api_token("officer")).json()["items"])
    other = people["王执法"]
    full = bureau.people["officer2"].resident_id
    assert other["resident_id"] == full[:6] + "********" + full[-4:]
    assert other["personal_data_masked"] is True
    own = people["李执法"]
    assert own["resident_id"] == bureau.people["officer"].resident_id
    assert own["personal_data_masked"] is False


def test_admin_sees_resident_ids_whole(client: Client, bureau: Any, api_token: Any) -> None:
    people = by_name(client.get(f"{ORG}/people", **api_token("admin")).json()["items"])
    assert people["王执法"]["resident_id"] == bureau.people["officer2"].resident_id
    assert all(not p["personal_data_masked"] for p in people.values())


def test_counterpart_section_head_sees_the_squad_whole(client: Client, bureau: Any, api_token: Any) -> None:
    # 赵科长 heads 工程管理科, the counterpart of 稽查支队, but not 政策法规科.
    people = by_name(client.get(f"{ORG}/people", **api_token("head")).json()["items"])
    assert people["王执法"]["resident_id"] == bureau.people["officer2"].resident_id
    assert people["陈审核"]["personal_data_masked"] is True


def test_phone_is_masked_like_the_resident_id(client: Client, bureau: Any, api_token: Any) -> None:
    org.update_person(
        actor=bureau.admin, person=bureau.people["officer2"], phone="13812345678", reason="补录"
    )
    url = f"{ORG}/people/{bureau.people['officer2'].pk}"
    assert client.get(url, **api_token("officer")).json()["phone"] == "138****5678"
    assert client.get(url, **api_token("admin")).json()["phone"] == "13812345678"


def test_people_filters(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")

    def names(**params: Any) -> set[str]:
        response = client.get(f"{ORG}/people", params, **headers)
        assert response.status_code == 200, response.content
        return {p["name"] for p in response.json()["items"]}

    assert names(q="王执法") == {"王执法"}
    assert names(q="430400100001") == {"李执法"}
    assert names(unit_id=bureau.units["稽查支队"].pk) == {"李执法", "王执法"}
    assert names(role="reviewer") == {"陈审核"}
    assert names(role="officer", q="李") == {"李执法"}


def test_people_refuse_an_unknown_role(client: Client, api_token: Any) -> None:
    assert_error(client.get(f"{ORG}/people", {"role": "boss"}, **api_token("officer")), 422, "invalid_input")


def test_person_detail_and_404(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    reviewer = bureau.people["reviewer"]
    detail = client.get(f"{ORG}/people/{reviewer.pk}", **headers).json()
    assert (detail["name"], detail["unit_name"]) == ("陈审核", "政策法规科")
    assert detail["roles"][0]["role_label"] == "法制审核人员"
    assert_error(client.get(f"{ORG}/people/99999", **headers), 404, "not_found")
    assert_error(client.get(f"{ORG}/people/99999/history", **headers), 404, "not_found")


def test_person_history_masks_personal_data_in_changes(client: Client, bureau: Any, api_token: Any) -> None:
    person = bureau.people["officer2"]
    org.update_person(actor=bureau.admin, person=person, phone="13812345678", reason="补录手机号")
    url = f"{ORG}/people/{person.pk}/history"

    seen_by_officer = client.get(url, **api_token("officer")).json()["items"]
    assert [e["type"] for e in seen_by_officer] == [
        "person_updated",
        "credential_issued",
        "role_granted",
        "person_created",
    ]
    updated, created = seen_by_officer[0], seen_by_officer[-1]
    assert (updated["label"], updated["actor"], updated["reason"]) == ("修改人员", "admin", "补录手机号")
    assert updated["before"]["phone"] == ""
    assert updated["after"]["phone"] == "138****5678"
    assert updated["after"]["resident_id"] == mask(person.resident_id)
    assert (created["label"], created["actor"]) == ("登记人员", None)
    assert created["after"]["resident_id"] == mask(person.resident_id)
    assert created["after"]["name"] == "王执法"

    seen_by_admin = client.get(url, **api_token("admin")).json()["items"]
    assert seen_by_admin[0]["after"]["phone"] == "13812345678"
    assert seen_by_admin[-1]["after"]["resident_id"] == person.resident_id


def mask(resident_id: str | None) -> str:
    assert resident_id
    return resident_id[:6] + "*" * 8 + resident_id[-4:]


# ---------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------


def issue_for_head(bureau: Any, number: str, issued_on: datetime.date, expires_on: datetime.date) -> None:
    org.issue_credential(
        actor=bureau.pilot,
        person=bureau.people["head"],
        number=number,
        category="城乡建设",
        area="衡阳市",
        issuing_authority="衡阳市人民政府",
        issued_on=issued_on,
        expires_on=expires_on,
    )


def test_credentials_list(client: Client, bureau: Any, api_token: Any) -> None:
    listed = client.get(f"{ORG}/credentials", **api_token("officer")).json()
    assert listed["count"] == 2
    first = next(c for c in listed["items"] if c["number"] == "430400100001")
    assert first == {
        "number": "430400100001",
        "holder_id": bureau.people["officer"].pk,
        "holder_name": "李执法",
        "unit_id": bureau.units["稽查支队"].pk,
        "unit_name": "稽查支队",
        "category": "城乡建设",
        "area": "衡阳市",
        "issuing_authority": "衡阳市人民政府",
        "issued_on": "2024-01-01",
        "expires_on": "2029-12-31",
        "status": "valid",
        "status_label": "有效",
        "valid_today": True,
    }


def test_credentials_filter_by_status(client: Client, bureau: Any, api_token: Any) -> None:
    org.change_credential_status(
        actor=bureau.pilot,
        credential=bureau.people["officer2"].credentials.get(),
        status=CredentialStatus.SUSPENDED,
        reason="涉嫌违规执法，暂扣待查",
    )
    issue_for_head(bureau, "430400109999", datetime.date(2018, 1, 1), datetime.date(2021, 1, 1))
    headers = api_token("officer")

    def numbers(status: str) -> list[tuple[str, str]]:
        items = client.get(f"{ORG}/credentials", {"status": status}, **headers).json()["items"]
        return [(c["number"], c["status_label"]) for c in items]

    assert numbers("valid") == [("430400100001", "有效")]
    assert numbers("suspended") == [("430400100002", "暂扣")]
    assert numbers("expired") == [("430400109999", "已过期")]
    assert numbers("revoked") == []
    assert_error(client.get(f"{ORG}/credentials", {"status": "lost"}, **headers), 422, "invalid_input")


def test_credentials_expiring_within_days(client: Client, bureau: Any, api_token: Any) -> None:
    today = datetime.date.today()
    issue_for_head(
        bureau, "430400108888", today - datetime.timedelta(days=700), today + datetime.timedelta(days=20)
    )
    headers = api_token("officer")
    soon = client.get(f"{ORG}/credentials", {"expiring_within_days": 30}, **headers).json()
    assert [c["number"] for c in soon["items"]] == ["430400108888"]
    assert client.get(f"{ORG}/credentials", {"expiring_within_days": 10}, **headers).json()["count"] == 0
    assert_error(
        client.get(f"{ORG}/credentials", {"expiring_within_days": -1}, **headers), 422, "invalid_input"
    )


def test_credentials_search(client: Client, bureau: Any, api_token: Any) -> None:
    items = client.get(f"{ORG}/credentials", {"q": "王执法"}, **api_token("officer")).json()["items"]
    assert [c["number"] for c in items] == ["430400100002"]


def test_credential_verification_lookup(client: Client, bureau: Any, api_token: Any) -> None:
    headers = api_token("officer")
    found = client.get(f"{ORG}/credentials/430400100002", **headers).json()
    assert (found["holder_name"], found["status_label"], found["valid_today"]) == ("王执法", "有效", True)
    body = assert_error(client.get(f"{ORG}/credentials/430400000000", **headers), 404, "not_found")
    assert "430400000000" in body["message"]
    assert_error(client.get(f"{ORG}/credentials/430400000000/history", **headers), 404, "not_found")


def test_revoked_credential_verifies_as_revoked(client: Client, bureau: Any, api_token: Any) -> None:
    credential = bureau.people["officer"].credentials.get()
    org.change_credential_status(
        actor=bureau.pilot, credential=credential, status=CredentialStatus.REVOKED, reason="调离执法岗位"
    )
    found = client.get(f"{ORG}/credentials/{credential.number}", **api_token("officer2")).json()
    assert (found["status"], found["status_label"], found["valid_today"]) == ("revoked", "吊销", False)


def test_credential_history(client: Client, bureau: Any, api_token: Any) -> None:
    credential = bureau.people["officer2"].credentials.get()
    org.change_credential_status(
        actor=bureau.pilot,
        credential=credential,
        status=CredentialStatus.SUSPENDED,
        reason="涉嫌违规执法，暂扣待查",
    )
    history = client.get(f"{ORG}/credentials/{credential.number}/history", **api_token("officer")).json()
    assert history["count"] == 2
    suspended, issued = history["items"]
    assert suspended["type"] == "credential_suspended"
    assert suspended["label"] == "暂扣执法证"
    assert suspended["actor"] == "pilot"
    assert suspended["reason"] == "涉嫌违规执法，暂扣待查"
    assert (suspended["before"], suspended["after"]) == ({"status": "valid"}, {"status": "suspended"})
    assert suspended["occurred_at"]
    assert issued["type"] == "credential_issued"
    assert issued["after"]["expires_on"] == "2029-12-31"


# ---------------------------------------------------------------------------
# OpenAPI and the docs page
# ---------------------------------------------------------------------------


def test_openapi_lists_the_org_paths(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "bodies",
        "bodies/{body_id}",
        "units",
        "units/{unit_id}",
        "people",
        "people/{person_id}",
        "people/{person_id}/history",
        "credentials",
        "credentials/{number}",
        "credentials/{number}/history",
    ]:
        assert f"{ORG}/{path}" in paths, path
    people = paths[f"{ORG}/people"]["get"]
    assert people["tags"] == ["组织机构"]
    assert people["security"] == [{"BearerToken": []}]
    role = next(p for p in people["parameters"] if p["name"] == "role")
    assert "officer" in str(role["schema"])  # an enum, so bad values are refused
    assert schema["components"]["schemas"]["PersonOut"]["properties"]["resident_id"]["description"]


def test_docs_page_serves_bundled_swagger(client: Client, settings: Any) -> None:
    # Tests do not run collectstatic, so the manifest storage of production has no entries.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg" not in html
