"""The history pages speak the reader's language: field labels and display values."""

from __future__ import annotations

from typing import Any

from zhifa.org import services
from zhifa.org.models import Credential, RoleAssignment


def test_credential_history_shows_labels_and_display_values(bureau: Any, client_as: Any) -> None:
    credential = Credential.objects.get(person__user__username="officer")
    services.change_credential_status(
        actor=bureau.pilot, credential=credential, status="suspended", reason="年度考核不合格"
    )
    page = client_as("pilot").get(f"/org/credentials/{credential.pk}/").content.decode()
    assert "状态</span>：<del>有效</del> → <ins>暂扣</ins>" in page
    assert "年度考核不合格" in page
    assert ">suspended<" not in page


def test_role_history_names_the_role_and_the_unit(bureau: Any, client_as: Any) -> None:
    person = bureau.people["officer"]
    assignment = RoleAssignment.objects.get(person=person, role="officer")
    services.revoke_role(actor=bureau.admin, assignment=assignment, reason="调离执法岗位")
    page = client_as("admin").get(f"/org/people/{person.pk}/").content.decode()
    assert "<del>执法人员</del>" in page
    assert "<del>稽查支队</del>" in page
