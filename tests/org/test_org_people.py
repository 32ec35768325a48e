"""People: validated 身份证号, logins, roles scoped by unit, the legal qualification of reviewers."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from org_support import last_event, page_text

from zhifa.core.errors import Conflict, DomainError, InvalidInput
from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.org import permissions, services
from zhifa.org.models import OrgEvent, OrgEventType, Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db
User = get_user_model()

FIRST17 = "43040419900307123"
VALID_ID = FIRST17 + resident_id_check_digit(FIRST17)
WRONG_CHECK_DIGIT = FIRST17 + str((int(resident_id_check_digit(FIRST17).replace("X", "10")) + 1) % 10)


def state() -> tuple[int, int, int]:
    return Person.objects.count(), User.objects.count(), OrgEvent.objects.count()


def register(bureau: Any, **fields: Any) -> Person:
    defaults: dict[str, Any] = {"actor": bureau.admin, "unit": bureau.units["稽查支队"], "name": "孙新人"}
    return services.register_person(**(defaults | fields))


# -- 身份证号 -----------------------------------------------------------------------------------


def test_wrong_check_digit_is_refused_naming_the_rule_and_nothing_is_saved(bureau: Any) -> None:
    assert WRONG_CHECK_DIGIT != VALID_ID
    before = state()
    with pytest.raises(InvalidInput) as exc:
        register(bureau, resident_id=WRONG_CHECK_DIGIT, username="sun", password="Sun-pass-2026")
    assert "校验码" in exc.value.message
    assert f"应为“{VALID_ID[-1]}”" in exc.value.message
    assert "resident_id" in exc.value.details
    assert state() == before


@pytest.mark.parametrize(
    ("resident_id", "rule"),
    [
        ("4304041990030712", "18位"),
        ("43040419900307A23" + "4", "第15位"),
        ("99040419900307123" + "4", "省级行政区划代码"),
        ("43040419901307123" + "4", "出生日期"),
    ],
)
def test_each_resident_id_rule_is_named_in_the_refusal(bureau: Any, resident_id: str, rule: str) -> None:
    with pytest.raises(InvalidInput, match=rule):
        register(bureau, resident_id=resident_id)


def test_person_form_page_shows_which_resident_id_rule_failed(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    before = state()
    response = client.post(
        "/org/people/new/",
        {
            "name": "孙新人",
            "unit": bureau.units["稽查支队"].pk,
            "resident_id": WRONG_CHECK_DIGIT,
            "is_active": "on",
            "username": "sun",
            "password": "Sun-pass-2026",
        },
    )
    assert response.status_code == 200
    assert "校验码错误" in page_text(response)
    assert state() == before


def test_person_form_page_registers_a_valid_person_with_a_login(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    response = client.post(
        "/org/people/new/",
        {
            "name": "孙新人",
            "unit": bureau.units["稽查支队"].pk,
            "resident_id": VALID_ID,
            "is_active": "on",
            "username": "sun",
            "password": "Sun-pass-2026",
        },
    )
    person = Person.objects.get(name="孙新人")
    assert response.status_code == 302
    assert response["Location"] == f"/org/people/{person.pk}/"
    assert person.user is not None and person.user.check_password("Sun-pass-2026")
    event = last_event(person=person)
    assert (event.event_type, event.actor) == (OrgEventType.PERSON_CREATED, bureau.admin)


def test_a_login_needs_an_initial_password_on_the_form(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    response = client.post(
        "/org/people/new/",
        {
            "name": "孙新人",
            "unit": bureau.units["稽查支队"].pk,
            "is_active": "on",
            "username": "sun",
        },
    )
    assert response.status_code == 200
    assert "须设置初始密码" in page_text(response)
    assert not User.objects.filter(username="sun").exists()


def test_lower_case_x_is_stored_normalised_so_duplicates_are_caught(bureau: Any) -> None:
    first17 = next(
        f"430404199003071{n:02d}"
        for n in range(100)
        if resident_id_check_digit(f"430404199003071{n:02d}") == "X"
    )
    person = register(bureau, resident_id=first17 + "x")
    assert person.resident_id == first17 + "X"
    with pytest.raises(InvalidInput):
        register(bureau, name="孙重复", resident_id=first17 + "X")


def test_a_resident_id_belongs_to_one_person_only(bureau: Any) -> None:
    register(bureau, resident_id=VALID_ID)
    before = state()
    with pytest.raises(InvalidInput):
        register(bureau, name="孙重复", resident_id=VALID_ID)
    assert state() == before


def test_a_taken_username_is_refused_and_nothing_is_saved(bureau: Any) -> None:
    before = state()
    with pytest.raises(Conflict, match="已被使用"):
        register(bureau, username="officer", password="Whatever-2026")
    assert state() == before


def test_a_person_cannot_move_to_a_unit_of_another_body(bureau: Any) -> None:
    body = services.create_body(
        actor=None,
        name="另一局",
        short_name="另局",
        credit_code="11430400MB7654321" + uscc_check_character("11430400MB7654321"),
        legal_status="organ",
        jurisdiction="衡阳市",
    )
    foreign = services.create_unit(actor=None, body=body, name="执法队")
    person = bureau.people["officer"]
    with pytest.raises(InvalidInput, match="同一执法主体"):
        services.update_person(actor=bureau.admin, person=person, unit=foreign, reason="调动")
    person.refresh_from_db()
    assert person.unit == bureau.units["稽查支队"]


def test_deactivating_a_person_also_closes_the_login(bureau: Any, client: Any) -> None:
    person = services.update_person(
        actor=bureau.admin, person=bureau.people["officer2"], is_active=False, reason="调离执法岗位"
    )
    event = last_event(person=person, event_type=OrgEventType.PERSON_UPDATED)
    assert (event.before["is_active"], event.after["is_active"], event.reason) == (
        True,
        False,
        "调离执法岗位",
    )
    assert not User.objects.get(username="officer2").is_active
    assert not client.login(username="officer2", password="Zhifa-test-2026")


# -- roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEGAL_ADVISER, Role.PUBLIC_LAWYER])
def test_a_review_role_needs_a_recorded_legal_qualification(bureau: Any, role: str) -> None:
    person = bureau.people["officer"]
    before = (RoleAssignment.objects.count(), OrgEvent.objects.count())
    with pytest.raises(DomainError, match="法律职业资格") as exc:
        services.grant_role(actor=bureau.admin, person=person, role=role)
    assert exc.value.code == "legal_qualification_missing"
    assert (RoleAssignment.objects.count(), OrgEvent.objects.count()) == before
    assert not permissions.can_review(person)


def test_a_blank_qualification_number_is_not_a_qualification(bureau: Any) -> None:
    person = register(bureau, legal_qualification_no="   ")
    with pytest.raises(DomainError, match="法律职业资格"):
        services.grant_role(actor=bureau.admin, person=person, role=Role.REVIEWER)


def test_a_qualified_person_becomes_a_reviewer_with_an_event(bureau: Any) -> None:
    person = register(bureau, legal_qualification_no="A20204301000999", unit=bureau.units["政策法规科"])
    assignment = services.grant_role(
        actor=bureau.admin, person=person, role=Role.REVIEWER, reason="充实法审力量"
    )
    assert assignment.unit == bureau.units["政策法规科"]  # a unit role defaults to the person's unit
    event = last_event(person=person, event_type=OrgEventType.ROLE_GRANTED)
    assert event.after == {"role": Role.REVIEWER, "unit": bureau.units["政策法规科"].pk}
    assert (event.actor, event.reason) == (bureau.admin, "充实法审力量")
    assert permissions.can_review(person)


def test_a_reviewer_keeps_the_qualification_while_holding_the_role(bureau: Any) -> None:
    reviewer = bureau.people["reviewer"]
    with pytest.raises(InvalidInput, match="法律职业资格"):
        services.update_person(
            actor=bureau.admin, person=reviewer, legal_qualification_no="", reason="录入错误"
        )
    reviewer.refresh_from_db()
    assert reviewer.legal_qualification_no == "A20154301000123"
    assert permissions.can_review(reviewer)


def test_body_wide_roles_take_no_unit(bureau: Any) -> None:
    assignment = services.grant_role(
        actor=bureau.admin,
        person=bureau.people["officer"],
        role=Role.SUPERVISOR,
        unit=bureau.units["审批一科"],
    )
    assert assignment.unit is None


def test_a_role_cannot_be_scoped_to_a_unit_of_another_body(bureau: Any) -> None:
    body = services.create_body(
        actor=None,
        name="另一局",
        short_name="另局",
        credit_code="11430400MB7654321" + uscc_check_character("11430400MB7654321"),
        legal_status="organ",
        jurisdiction="衡阳市",
    )
    foreign = services.create_unit(actor=None, body=body, name="执法队")
    with pytest.raises(InvalidInput, match="同一执法主体"):
        services.grant_role(
            actor=bureau.admin, person=bureau.people["officer"], role=Role.OFFICER, unit=foreign
        )


def test_the_same_role_twice_and_unknown_roles_are_refused(bureau: Any) -> None:
    officer = bureau.people["officer"]
    with pytest.raises(Conflict):
        services.grant_role(
            actor=bureau.admin, person=officer, role=Role.OFFICER, unit=bureau.units["稽查支队"]
        )
    with pytest.raises(Conflict):
        services.grant_role(actor=bureau.admin, person=bureau.people["pilot"], role=Role.PILOT_OFFICE)
    with pytest.raises(InvalidInput, match="未知角色"):
        services.grant_role(actor=bureau.admin, person=officer, role="boss")


def test_revoking_a_role_needs_a_reason_and_is_recorded(bureau: Any) -> None:
    officer = bureau.people["officer"]
    assignment = officer.roles.get()
    with pytest.raises(InvalidInput, match="原因"):
        services.revoke_role(actor=bureau.admin, assignment=assignment, reason="  ")
    assert officer.roles.count() == 1
    services.revoke_role(actor=bureau.admin, assignment=assignment, reason="调离")
    assert officer.roles.count() == 0
    event = last_event(person=officer, event_type=OrgEventType.ROLE_REVOKED)
    assert event.before == {"role": Role.OFFICER, "unit": bureau.units["稽查支队"].pk}
    assert (event.actor, event.reason) == (bureau.admin, "调离")


def test_role_grant_page_shows_the_qualification_refusal(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    officer = bureau.people["officer"]
    response = client.post(f"/org/people/{officer.pk}/roles/", {"role": Role.REVIEWER}, follow=True)
    assert response.status_code == 200
    assert "法律职业资格" in page_text(response)
    assert not officer.roles.filter(role=Role.REVIEWER).exists()


def test_role_revoke_page_without_reason_keeps_the_role(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    assignment = bureau.people["officer"].roles.get()
    response = client.post(f"/org/roles/{assignment.pk}/revoke/", {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert "撤销角色须说明原因" in page_text(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_person_edit_page_refuses_to_clear_a_reviewers_qualification(bureau: Any, client_as: Any) -> None:
    reviewer = bureau.people["reviewer"]
    response = client_as("admin").post(
        f"/org/people/{reviewer.pk}/edit/",
        {
            "name": reviewer.name,
            "unit": reviewer.unit_id,
            "resident_id": reviewer.resident_id,
            "is_active": "on",
            "legal_qualification_no": "",
        },
    )
    assert response.status_code == 200
    assert "法制审核人员须具备法律职业资格" in page_text(response)
    reviewer.refresh_from_db()
    assert reviewer.legal_qualification_no == "A20154301000123"
