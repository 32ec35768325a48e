"""Who gets in: staff pages need a login and a role; the API needs a token of a user with a role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.conftest import PASSWORD

STAFF_PAGES = [
    "/",
    "/catalog/",
    "/catalog/laws/",
    "/catalog/rules/",
    "/org/",
    "/org/people/",
    "/org/credentials/",
    "/calendar/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_login_without_any_role_is_refused_with_a_message(client_as: Any, path: str) -> None:
    response = client_as("outsider").get(path)
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_a_login_without_any_role_may_still_sign_out(client_as: Any) -> None:
    client = client_as("outsider")
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("persona", ["admin", "officer", "head", "reviewer", "supervisor", "pilot", "leader"])
def test_every_role_has_a_home_page(client_as: Any, persona: str) -> None:
    response = client_as(persona).get("/")
    assert response.status_code == 200
    assert "工作台" in response.content.decode()


def test_the_api_refuses_a_token_to_a_user_without_a_role(client: Client, bureau: Any) -> None:
    response = client.post(
        "/api/v1/auth/token", {"username": "outsider", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "no_role"
    assert "尚未分配角色" in response.json()["message"]


def test_a_token_stops_working_once_its_user_loses_every_role(
    client: Client, bureau: Any, api_token: Any
) -> None:
    from zhifa.org import services
    from zhifa.org.models import RoleAssignment

    headers = api_token("officer")
    assert client.get("/api/v1/org/bodies", **headers).status_code == 200
    for assignment in RoleAssignment.objects.filter(person__user__username="officer"):
        services.revoke_role(actor=None, assignment=assignment, reason="调离执法岗位")
    response = client.get("/api/v1/org/bodies", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_csrf_is_enforced_on_staff_forms(bureau: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    response = client.post("/org/people/new/", {"name": "某人"})
    assert response.status_code == 403


def test_unknown_pages_answer_404_in_chinese(client_as: Any) -> None:
    response = client_as("officer").get("/catalog/items/NO-SUCH-ITEM/")
    assert response.status_code == 404
    assert "不存在" in response.content.decode()


def test_health_check_needs_no_login(client: Client, db: None) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
