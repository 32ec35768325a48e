"""工作台: one page whose panels follow the user's roles (and, for a head, the unit)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from org_support import page_text

from zhifa.org import services

pytestmark = pytest.mark.django_db

PANELS = {
    "admin": "系统管理",
    "officer": "我的执法证",
    "expiring": "60日内到期的执法证",
    "reviewer": "法制审核须具备法律职业资格",
    "stats": "有效执法证",
    "rules": "法定时限与标准（节选）",
}
EXPECTED = {
    "admin": {"admin", "expiring", "stats", "rules"},
    "officer": {"officer"},
    "officer2": {"officer"},
    "head": {"expiring"},
    "reviewer": {"reviewer"},
    "supervisor": {"expiring", "stats", "rules"},
    "pilot": {"expiring", "stats", "rules"},
    "leader": {"expiring", "stats", "rules"},
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_home_shows_the_panels_of_each_role_and_no_others(client_as: Any, key: str) -> None:
    response = client_as(key).get("/")
    assert response.status_code == 200
    text = page_text(response)
    shown = {panel for panel, heading in PANELS.items() if heading in text}
    assert shown == EXPECTED[key]


def test_home_for_a_login_without_role_is_a_clear_refusal(client_as: Any) -> None:
    response = client_as("outsider").get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in page_text(response)


def test_an_officer_sees_his_own_credential(bureau: Any, client_as: Any) -> None:
    text = page_text(client_as("officer").get("/"))
    assert "430400100001" in text
    assert "430400100002" not in text


def test_an_officer_without_credential_is_told_to_get_one(bureau: Any, client_as: Any) -> None:
    bureau.people["officer"].credentials.update(number="X")  # rows are not events; plain data setup
    services.change_credential_status(
        actor=None, credential=bureau.people["officer"].credentials.get(), status="revoked", reason="测试"
    )
    text = page_text(client_as("officer").get("/"))
    assert "吊销" in text


def test_expiring_credentials_are_limited_to_the_heads_units(bureau: Any, client_as: Any) -> None:
    soon = timezone.localdate() + datetime.timedelta(days=20)
    issued = soon - datetime.timedelta(days=365)
    in_scope = bureau.people["officer"].credentials.get()
    services.update_credential(
        actor=None, credential=in_scope, reason="测试临期", issued_on=issued, expires_on=soon
    )
    outside = services.register_person(actor=None, unit=bureau.units["审批一科"], name="钱审批")
    services.issue_credential(
        actor=None,
        person=outside,
        number="430400177777",
        category="城乡建设",
        area="衡阳市",
        issuing_authority="衡阳市人民政府",
        issued_on=issued,
        expires_on=soon,
    )
    head_text = page_text(client_as("head").get("/"))
    assert in_scope.number in head_text
    assert "430400177777" not in head_text
    pilot_text = page_text(client_as("pilot").get("/"))
    assert in_scope.number in pilot_text and "430400177777" in pilot_text
