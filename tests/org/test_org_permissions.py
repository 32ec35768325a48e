"""Who may do what — by role AND unit — and what a refusal looks like (a page, never a 500)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from org_support import page_text

from zhifa.catalog import services as catalog
from zhifa.catalog.models import ActType, EnforcementItem, ItemVersion
from zhifa.catalog.services import BasisSpec, ItemContent
from zhifa.core.identifiers import mask_phone, mask_resident_id
from zhifa.org import permissions, services
from zhifa.org.models import CredentialStatus, Person, Role, RoleAssignment, Unit

pytestmark = pytest.mark.django_db

# -- every staff page needs a login --------------------------------------------------------------

PUBLIC_PATHS = {"login/", "logout/", "healthz"}
SKIPPED_PREFIXES = ("api/", "django-admin/", "media/", "static/")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.callback


def staff_paths() -> list[str]:
    """Every page of the staff site, with placeholder arguments (the login check comes first)."""
    paths = []
    for route, view in _walk(get_resolver().url_patterns):
        if route in PUBLIC_PATHS or route.startswith(SKIPPED_PREFIXES) or route.startswith("^"):
            continue
        if not getattr(view, "login_required", True):
            continue
        filled = re.sub(r"<int:[^>]+>", "1", route)
        filled = re.sub(r"<(?:str|slug|path):[^>]+>", "T10", filled)
        paths.append("/" + filled)
    return sorted(set(paths))


def test_the_staff_site_has_the_pages_this_suite_expects() -> None:
    paths = staff_paths()
    for expected in [
        "/",
        "/org/",
        "/org/people/new/",
        "/org/credentials/1/photo/",
        "/catalog/items/T10/edit/",
        "/catalog/rules/T10/edit/",
    ]:
        assert expected in paths


@pytest.mark.parametrize("path", staff_paths())
def test_anonymous_users_are_sent_to_login_from_every_staff_page(client: Any, path: str) -> None:
    for response in (client.get(path), client.post(path, {})):
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


def test_a_login_without_a_role_gets_a_clear_refusal_on_every_staff_page(bureau: Any, client_as: Any) -> None:
    client = client_as("outsider")
    for path in staff_paths():
        response = client.get(path)
        assert response.status_code == 403, path
        assert "尚未分配角色" in page_text(response), path
    outsider = type(bureau.admin).objects.get(username="outsider")
    assert permissions.role_codes(outsider) == set()


# -- an officer can't edit the catalogue, create people or change credential status ------------


def officer_forbidden_requests(bureau: Any, item_code: str) -> list[tuple[str, str, dict[str, str]]]:
    person = bureau.people["officer2"]
    credential = person.credentials.get()
    role = person.roles.get()
    body, unit = bureau.body.pk, bureau.units["稽查支队"].pk
    return [
        ("get", "/catalog/items/new/", {}),
        ("post", "/catalog/items/new/", {"code": "ZJ-X-1"}),
        ("get", f"/catalog/items/{item_code}/edit/", {}),
        ("get", "/catalog/rules/T10/edit/", {}),
        ("get", "/org/people/new/", {}),
        ("post", "/org/people/new/", {"name": "冒名", "unit": str(unit)}),
        ("get", f"/org/people/{person.pk}/edit/", {}),
        ("post", f"/org/people/{person.pk}/roles/", {"role": Role.ADMIN}),
        ("post", f"/org/roles/{role.pk}/revoke/", {"reason": "x"}),
        ("get", "/org/bodies/new/", {}),
        ("get", f"/org/bodies/{body}/edit/", {}),
        ("get", f"/org/bodies/{body}/units/new/", {}),
        ("get", f"/org/units/{unit}/edit/", {}),
        ("get", f"/org/people/{person.pk}/credentials/new/", {}),
        ("get", f"/org/credentials/{credential.pk}/edit/", {}),
        (
            "post",
            f"/org/credentials/{credential.pk}/status/",
            {"status": CredentialStatus.REVOKED, "reason": "x"},
        ),
    ]


def test_an_officer_is_refused_every_management_page_with_a_403_page(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau, "ZJ-CF-901", bureau.units["稽查支队"])
    client = client_as("officer")
    for method, path, data in officer_forbidden_requests(bureau, item.code):
        response = getattr(client, method)(path, data)
        assert response.status_code == 403, path
        assert "无权访问" in page_text(response), path
    officer2 = bureau.people["officer2"]
    assert officer2.credentials.get().status == CredentialStatus.VALID
    assert officer2.roles.count() == 1
    assert not Person.objects.filter(name="冒名").exists()
    assert not EnforcementItem.objects.filter(code="ZJ-X-1").exists()


@pytest.mark.parametrize("key", ["officer", "reviewer", "supervisor", "leader", "head"])
def test_only_admin_and_pilot_office_manage_credentials(bureau: Any, key: str) -> None:
    assert not permissions.can_manage_credentials(bureau.user(key))
    assert permissions.can_manage_credentials(bureau.admin)
    assert permissions.can_manage_credentials(bureau.pilot)


def test_only_the_admin_manages_the_organisation(bureau: Any) -> None:
    allowed = {key for key in bureau.people if permissions.can_manage_org(bureau.user(key))}
    assert allowed == {"admin"}


# -- catalogue editing: role AND unit ------------------------------------------------------------


def make_item(bureau: Any, code: str, unit: Unit) -> EnforcementItem:
    content = ItemContent(
        name=f"事项{code}",
        implementing_unit=unit,
        bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
    )
    return catalog.create_item(
        actor=None,
        body=bureau.body,
        code=code,
        act_type=ActType.PENALTY,
        content=content,
        effective_from=datetime.date(2025, 1, 1),
    )


@pytest.mark.parametrize(
    ("unit_name", "allowed"), [("稽查支队", True), ("工程管理科", True), ("审批一科", False)]
)
def test_the_head_of_a_section_edits_items_of_the_section_and_its_subordinate_units(
    bureau: Any, client_as: Any, unit_name: str, allowed: bool
) -> None:
    item = make_item(bureau, "ZJ-CF-902", bureau.units[unit_name])
    assert permissions.can_edit_catalog(bureau.head, bureau.units[unit_name]) is allowed
    client = client_as("head")
    assert client.get(f"/catalog/items/{item.code}/edit/").status_code == (200 if allowed else 403)
    detail = page_text(client.get(f"/catalog/items/{item.code}/"))
    assert ("调整事项" in detail) is allowed


def test_the_head_cannot_move_an_item_to_a_unit_outside_his_scope(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau, "ZJ-CF-903", bureau.units["稽查支队"])
    client = client_as("head")
    form = client.get(f"/catalog/items/{item.code}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data |= {
        "implementing_unit": bureau.units["审批一科"].pk,
        "effective_from": "2025-06-01",
        "change_reason": "职能调整",
        "brackets-TOTAL_FORMS": "0",
        "brackets-INITIAL_FORMS": "0",
    }
    response = client.post(f"/catalog/items/{item.code}/edit/", data)
    assert response.status_code == 200
    assert "无权管理的单位" in page_text(response)
    assert ItemVersion.objects.filter(item=item).count() == 1


def test_the_head_cannot_create_an_item_for_a_unit_outside_his_scope(bureau: Any, client_as: Any) -> None:
    data = {
        "code": "ZJ-XK-901",
        "act_type": ActType.LICENSING,
        "name": "建筑工程施工许可证核发",
        "implementing_unit": bureau.units["审批一科"].pk,
        "bases_text": "建筑法第7条",
        "effective_from": "2025-01-01",
        "brackets-TOTAL_FORMS": "0",
        "brackets-INITIAL_FORMS": "0",
    }
    client = client_as("head")
    response = client.post("/catalog/items/new/", data)
    assert response.status_code == 200
    assert "您只能为本单位" in page_text(response)
    assert not EnforcementItem.objects.filter(code="ZJ-XK-901").exists()
    response = client.post("/catalog/items/new/", data | {"implementing_unit": bureau.units["稽查支队"].pk})
    assert response.status_code == 302
    assert EnforcementItem.objects.get(code="ZJ-XK-901").latest_version().created_by == bureau.head


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("admin", True),
        ("pilot", True),
        ("head", False),
        ("officer", False),
        ("reviewer", False),
        ("supervisor", False),
        ("leader", False),
    ],
)
def test_statutory_rules_are_edited_by_the_pilot_office_and_admin_only(
    bureau: Any, client_as: Any, key: str, allowed: bool
) -> None:
    assert permissions.can_edit_rules(bureau.user(key)) is allowed
    assert client_as(key).get("/catalog/rules/T10/edit/").status_code == (200 if allowed else 403)


def test_a_deactivated_person_loses_every_grant(bureau: Any) -> None:
    head = bureau.people["head"]
    services.update_person(actor=bureau.admin, person=head, is_active=False, reason="退休")
    head.user.refresh_from_db()
    fresh_user = type(head.user).objects.get(pk=head.user.pk)
    assert permissions.grants_of(fresh_user) == frozenset()
    assert RoleAssignment.objects.filter(person=head).exists()  # kept on record, just not in force


# -- personal data -------------------------------------------------------------------------------

FULL_PHONE = "13907341234"


@pytest.fixture
def officer2_with_phone(bureau: Any) -> Person:
    return services.update_person(
        actor=None, person=bureau.people["officer2"], phone=FULL_PHONE, reason="补录"
    )


@pytest.mark.parametrize(
    ("viewer", "shown"),
    [
        ("officer2", True),
        ("admin", True),
        ("pilot", True),
        ("head", True),
        ("officer", False),
        ("reviewer", False),
        ("supervisor", False),
        ("leader", False),
    ],
)
def test_personal_data_is_masked_unless_the_viewer_may_see_it(
    client_as: Any, officer2_with_phone: Person, viewer: str, shown: bool
) -> None:
    person = officer2_with_phone
    assert person.resident_id
    text = page_text(client_as(viewer).get(f"/org/people/{person.pk}/"))
    full, masked = (
        (person.resident_id, FULL_PHONE),
        (mask_resident_id(person.resident_id), mask_phone(FULL_PHONE)),
    )
    visible, hidden = (full, masked) if shown else (masked, full)
    for value in visible:
        assert value in text
    for value in hidden:
        assert value not in text  # neither in the facts nor in the change history


def test_the_head_of_another_section_does_not_see_personal_data(bureau: Any) -> None:
    other_head = services.register_person(actor=None, unit=bureau.units["审批一科"], name="钱科长")
    services.grant_role(actor=None, person=other_head, role=Role.UNIT_HEAD)
    user = type(bureau.admin).objects.create_user(username="qian", password="Qian-pass-2026")
    other_head.user = user
    other_head.save(update_fields=["user"])
    assert not permissions.can_view_personal_data(user, bureau.people["officer2"])
    assert permissions.can_view_personal_data(user, other_head)
