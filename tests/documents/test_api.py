"""The documents API: list, generate (201), metadata and files; refusals as {code, message}."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from tests.documents.conftest import another_officer

pytestmark = pytest.mark.urls("tests.documents.urls")


def _url(case: Any) -> str:
    return f"/api/v1/cases/{case.pk}/documents"


def test_generate_list_and_read_a_document(
    bureau: Any, penalty_case: Any, client: Client, api_token: Any
) -> None:
    auth = api_token("officer")
    created = client.post(
        _url(penalty_case), {"template": "penalty_decision"}, content_type="application/json", **auth
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "衡住建罚决字〔2026〕1号" and body["version"] == 1
    assert body["title"] == "行政处罚决定书" and body["case_number"] == penalty_case.number
    assert body["generated_by"] == "李执法" and len(body["sha256"]) == 64 and len(body["sm3"]) == 64

    again = client.post(
        _url(penalty_case), {"template": "penalty_decision"}, content_type="application/json", **auth
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    assert again.json()["number"] == body["number"]

    listed = client.get(_url(penalty_case), **api_token("reviewer"))
    assert listed.status_code == 200
    assert [(d["template"], d["version"]) for d in listed.json()] == [
        ("penalty_decision", 2),
        ("penalty_decision", 1),
    ]

    meta = client.get(f"/api/v1/documents/{body['id']}", **auth)
    assert meta.status_code == 200 and meta.json()["sha256"] == body["sha256"]
    pdf = client.get(meta.json()["pdf_url"], **auth)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == body["sha256"]
    assert "filename*=utf-8''" in pdf["Content-Disposition"]
    word = client.get(meta.json()["docx_url"], **auth)
    assert word.status_code == 200 and hashlib.sha256(word.content).hexdigest() == body["docx_sha256"]


def test_refusals_are_structured(bureau: Any, penalty_case: Any, client: Client, api_token: Any) -> None:
    auth = api_token("officer")
    wrong = client.post(
        _url(penalty_case), {"template": "licensing_decision"}, content_type="application/json", **auth
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "template_not_in_workflow" and "不使用" in wrong.json()["message"]

    another_officer(bureau)
    outsider = api_token("officer3")
    refused = client.post(
        _url(penalty_case), {"template": "penalty_decision"}, content_type="application/json", **outsider
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

    assert client.get("/api/v1/cases/999999/documents", **auth).status_code == 404
    assert client.get("/api/v1/documents/999999", **auth).json()["code"] == "not_found"
    assert client.get(_url(penalty_case)).status_code == 401
    missing = client.post(_url(penalty_case), {}, content_type="application/json", **auth)
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"
