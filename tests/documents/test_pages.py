"""The staff pages: the case's documents panel, generating (POST), downloading; refusals are
messages and 4xx pages, never 500."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse
from tests.conftest import login
from tests.documents.conftest import another_officer

from zhifa.documents.models import Document
from zhifa.documents.selectors import case_documents_context

pytestmark = pytest.mark.urls("tests.documents.urls")


def _post_generate(client: Any, case: Any, template: str, next_url: str = "") -> Any:
    data = {"template": template}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("documents:generate", args=[case.pk]), data)


def test_the_panel_offers_the_workflow_documents_and_generating_goes_back(
    bureau: Any, penalty_case: Any, client_as: Any
) -> None:
    client = client_as("officer")
    page = client.get(reverse("documents:case_documents", args=[penalty_case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "本案尚未生成文书" in html and ">生成《行政处罚决定书》</button>" in html
    assert "准予行政许可决定书" not in html  # not a step of the penalty workflow

    back = f"/cases/{penalty_case.pk}/#documents"
    response = _post_generate(client, penalty_case, "penalty_decision", back)
    assert response.status_code == 302 and response["Location"] == back
    doc = Document.objects.get(case=penalty_case)

    page = client.get(reverse("documents:case_documents", args=[penalty_case.pk]))
    html = page.content.decode()
    assert "已生成《行政处罚决定书》（衡住建罚决字〔2026〕1号）第1版" in html
    assert "衡住建罚决字〔2026〕1号" in html and doc.sha256[:12] in html and "李执法" in html
    assert reverse("documents:download", args=[doc.pk, "pdf"]) in html
    assert ">生成《行政处罚决定书》</button>" not in html and "重新生成" in html


def test_an_unsafe_next_is_ignored(bureau: Any, penalty_case: Any, client_as: Any) -> None:
    client = client_as("officer")
    response = _post_generate(client, penalty_case, "case_registration", "https://evil.example/steal")
    assert response["Location"] == reverse("documents:case_documents", args=[penalty_case.pk])


def test_regenerating_keeps_the_old_version_downloadable(
    bureau: Any, penalty_case: Any, client_as: Any
) -> None:
    client = client_as("officer")
    _post_generate(client, penalty_case, "penalty_decision")
    _post_generate(client, penalty_case, "penalty_decision")
    old, new = Document.objects.filter(case=penalty_case).order_by("version")
    assert (old.number, new.number, new.version) == (new.number, "衡住建罚决字〔2026〕1号", 2)
    for doc in (old, new):
        response = client.get(reverse("documents:download", args=[doc.pk, "pdf"]))
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(body).hexdigest() == doc.sha256
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment") and "filename*=utf-8''" in disposition
        assert "%E8%A1%8C%E6%94%BF" in disposition  # 行政… in RFC 5987 form
    word = client.get(reverse("documents:download", args=[new.pk, "docx"]))
    assert word.status_code == 200 and word["Content-Type"].endswith("wordprocessingml.document")
    html = client.get(reverse("documents:case_documents", args=[penalty_case.pk])).content.decode()
    assert "历史版本（1）" in html and reverse("documents:download", args=[old.pk, "pdf"]) in html


def test_an_officer_not_on_the_case_gets_a_403_page(bureau: Any, penalty_case: Any, client: Any) -> None:
    another_officer(bureau)
    login(client, "officer3")
    response = _post_generate(client, penalty_case, "penalty_decision")
    assert response.status_code == 403
    assert "只有本案承办人员" in response.content.decode()
    assert not Document.objects.exists()
    html = client.get(reverse("documents:case_documents", args=[penalty_case.pk])).content.decode()
    assert ">生成《" not in html and "重新生成" not in html  # may read, may not generate


def test_refusals_become_messages(bureau: Any, penalty_case: Any, client_as: Any) -> None:
    client = client_as("officer")
    response = _post_generate(client, penalty_case, "licensing_decision")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "未能生成文书" in page.content.decode() and "不使用《准予行政许可决定书》" in page.content.decode()
    assert not Document.objects.exists()


def test_downloads_need_a_staff_role_and_an_intact_file(
    bureau: Any, penalty_case: Any, client_as: Any, client: Any
) -> None:
    officer = client_as("officer")
    _post_generate(officer, penalty_case, "penalty_decision")
    doc = Document.objects.get()
    url = reverse("documents:download", args=[doc.pk, "pdf"])
    assert client_as("reviewer").get(url).status_code == 200
    assert client_as("outsider").get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    officer = client_as("officer")
    assert officer.get(reverse("documents:download", args=[doc.pk, "exe"])).status_code == 404
    assert officer.get(reverse("documents:download", args=[doc.pk + 99, "pdf"])).status_code == 404
    with open(doc.pdf_file.path, "ab") as handle:
        handle.write(b"tampered")
    tampered = officer.get(url)
    assert tampered.status_code == 409 and "摘要不一致" in tampered.content.decode()
    assert officer.get(reverse("documents:generate", args=[penalty_case.pk])).status_code == 405


def test_the_context_helper_for_the_case_page(bureau: Any, penalty_case: Any, client_as: Any) -> None:
    _post_generate(client_as("officer"), penalty_case, "case_registration")
    context = case_documents_context(penalty_case, bureau.officer)
    panel = context["documents"]
    assert context["case"] == penalty_case and panel.can_generate
    assert [row.latest.template for row in panel.rows] == ["case_registration"]
    codes = [code for code, _ in panel.to_generate]
    assert codes[0] == "opening_approval" and "penalty_decision" in codes and "case_registration" not in codes
    assert not case_documents_context(penalty_case, bureau.reviewer)["documents"].can_generate
