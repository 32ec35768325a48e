"""Units form a tree inside one body; a 局属单位 reports through a 机关科室 (对口管理科室)."""

from __future__ import annotations

from typing import Any

import pytest
from org_support import last_event, page_text

from zhifa.core.errors import InvalidInput
from zhifa.core.identifiers import uscc_check_character
from zhifa.org import selectors, services
from zhifa.org.models import EnforcementBody, OrgEvent, OrgEventType, Unit, UnitKind

pytestmark = pytest.mark.django_db


def other_body() -> EnforcementBody:
    return services.create_body(
        actor=None,
        name="衡阳市自然资源和规划局",
        short_name="衡自规",
        credit_code="11430400MB7654321" + uscc_check_character("11430400MB7654321"),
        legal_status="organ",
        jurisdiction="衡阳市",
    )


def counts() -> tuple[int, int]:
    return Unit.objects.count(), OrgEvent.objects.count()


def test_create_unit_records_who_and_what(bureau: Any) -> None:
    unit = services.create_unit(
        actor=bureau.admin,
        body=bureau.body,
        name="质量安全科",
        kind=UnitKind.SECTION,
        parent=bureau.units["工程管理科"],
    )
    event = last_event(unit=unit)
    assert event.event_type == OrgEventType.UNIT_CREATED
    assert event.actor == bureau.admin
    assert event.after["parent"] == bureau.units["工程管理科"].pk
    assert [u.name for u in unit.ancestors()] == ["工程管理科"]


def test_parent_must_belong_to_the_same_body(bureau: Any) -> None:
    foreign = services.create_unit(actor=None, body=other_body(), name="执法支队")
    before = counts()
    with pytest.raises(InvalidInput, match="同一执法主体") as exc:
        services.create_unit(actor=bureau.admin, body=bureau.body, name="二大队", parent=foreign)
    assert "parent" in exc.value.details
    assert counts() == before


def test_moving_a_unit_under_its_own_descendant_is_refused(bureau: Any) -> None:
    top = bureau.units["工程管理科"]
    middle = services.create_unit(actor=None, body=bureau.body, name="一组", parent=top)
    bottom = services.create_unit(actor=None, body=bureau.body, name="一组甲班", parent=middle)
    events = OrgEvent.objects.count()
    with pytest.raises(InvalidInput, match="循环"):
        services.update_unit(actor=bureau.admin, unit=top, parent=bottom, reason="调整")
    top.refresh_from_db()
    assert top.parent is None
    assert OrgEvent.objects.count() == events


def test_a_unit_cannot_be_its_own_parent(bureau: Any) -> None:
    unit = bureau.units["审批一科"]
    with pytest.raises(InvalidInput):
        services.update_unit(actor=bureau.admin, unit=unit, parent=unit, reason="误操作")
    unit.refresh_from_db()
    assert unit.parent_id is None


def test_unit_tree_lists_children_under_their_parent_with_depth(bureau: Any) -> None:
    middle = services.create_unit(
        actor=None, body=bureau.body, name="一组", parent=bureau.units["工程管理科"]
    )
    services.create_unit(actor=None, body=bureau.body, name="一组甲班", parent=middle)
    tree = [(u.name, depth) for u, depth in selectors.unit_tree(bureau.body)]
    position = tree.index(("工程管理科", 0))
    assert tree[position + 1 : position + 3] == [("一组", 1), ("一组甲班", 2)]


@pytest.mark.parametrize("kind", [UnitKind.SECTION])
def test_only_a_subordinate_unit_has_a_counterpart(bureau: Any, kind: str) -> None:
    before = counts()
    with pytest.raises(InvalidInput, match="只有局属单位") as exc:
        services.create_unit(
            actor=bureau.admin,
            body=bureau.body,
            name="审批二科",
            kind=kind,
            counterpart=bureau.units["工程管理科"],
        )
    assert "counterpart" in exc.value.details
    assert counts() == before


def test_counterpart_must_be_a_section_not_another_subordinate_unit(bureau: Any) -> None:
    before = counts()
    with pytest.raises(InvalidInput, match="机关科室"):
        services.create_unit(
            actor=bureau.admin,
            body=bureau.body,
            name="质监站",
            kind=UnitKind.SUBORDINATE,
            counterpart=bureau.units["稽查支队"],
        )
    assert counts() == before


def test_counterpart_must_be_in_the_same_body(bureau: Any) -> None:
    foreign_section = services.create_unit(actor=None, body=other_body(), name="法规科")
    with pytest.raises(InvalidInput, match="同一执法主体的机关科室"):
        services.create_unit(
            actor=bureau.admin,
            body=bureau.body,
            name="质监站",
            kind=UnitKind.SUBORDINATE,
            counterpart=foreign_section,
        )


def test_turning_a_subordinate_with_counterpart_into_a_section_is_refused(bureau: Any) -> None:
    with pytest.raises(InvalidInput, match="只有局属单位"):
        services.update_unit(
            actor=bureau.admin, unit=bureau.units["稽查支队"], kind=UnitKind.SECTION, reason="改制"
        )
    assert Unit.objects.get(name="稽查支队").kind == UnitKind.SUBORDINATE


def test_a_counterpart_section_cannot_become_a_subordinate_unit(bureau: Any) -> None:
    """Otherwise 稽查支队 would silently report through a 局属单位."""
    section = bureau.units["工程管理科"]
    events = OrgEvent.objects.count()
    with pytest.raises(InvalidInput, match="对口管理"):
        services.update_unit(actor=bureau.admin, unit=section, kind=UnitKind.SUBORDINATE, reason="改制")
    section.refresh_from_db()
    assert section.kind == UnitKind.SECTION
    assert OrgEvent.objects.count() == events


def test_update_unit_keeps_before_and_after_with_the_reason(bureau: Any) -> None:
    unit = services.update_unit(
        actor=bureau.admin, unit=bureau.units["审批一科"], duties="建筑工程施工许可", reason="三定方案调整"
    )
    event = last_event(unit=unit, event_type=OrgEventType.UNIT_UPDATED)
    assert (event.before["duties"], event.after["duties"]) == ("", "建筑工程施工许可")
    assert event.reason == "三定方案调整"
    assert event.actor == bureau.admin


def test_unit_edit_page_shows_the_cycle_refusal_and_saves_nothing(bureau: Any, client_as: Any) -> None:
    top = bureau.units["工程管理科"]
    child = services.create_unit(actor=None, body=bureau.body, name="一组", parent=top)
    client = client_as("admin")
    response = client.post(
        f"/org/units/{top.pk}/edit/",
        {
            "name": top.name,
            "kind": UnitKind.SECTION,
            "parent": child.pk,
            "sort_order": 100,
            "enforces": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "循环" in page_text(response)
    top.refresh_from_db()
    assert top.parent is None


def test_unit_create_page_refuses_counterpart_for_a_section(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    response = client.post(
        f"/org/bodies/{bureau.body.pk}/units/new/",
        {
            "name": "审批二科",
            "kind": UnitKind.SECTION,
            "counterpart": bureau.units["工程管理科"].pk,
            "sort_order": 100,
            "enforces": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "只有局属单位才设对口管理科室" in page_text(response)
    assert not Unit.objects.filter(name="审批二科").exists()


def test_unit_pages_render_tree_and_counterpart(bureau: Any, client_as: Any) -> None:
    client = client_as("officer")
    listing = page_text(client.get("/org/"))
    assert "稽查支队" in listing and "对口管理科室" in listing
    detail = page_text(client.get(f"/org/units/{bureau.units['工程管理科'].pk}/"))
    assert "对口管理的局属单位" in detail and "稽查支队" in detail


def unit_form(unit: Unit, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": unit.name,
        "kind": unit.kind,
        "sort_order": 100,
        "enforces": "on",
        "is_active": "on",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("unit_name", "overrides", "message"),
    [
        ("审批一科", {"parent": "self"}, "单位不能以自己为上级单位"),
        ("工程管理科", {"kind": UnitKind.SUBORDINATE}, "对口管理科室"),
        ("稽查支队", {"kind": UnitKind.SECTION, "counterpart": "工程管理科"}, "只有局属单位才设对口管理科室"),
    ],
)
def test_unit_edit_page_names_the_broken_rule(
    bureau: Any, client_as: Any, unit_name: str, overrides: dict[str, str], message: str
) -> None:
    unit = bureau.units[unit_name]
    resolved = {
        key: (unit.pk if value == "self" else bureau.units[value].pk if value in bureau.units else value)
        for key, value in overrides.items()
    }
    before = (Unit.objects.filter(pk=unit.pk).values().get(), OrgEvent.objects.count())
    response = client_as("admin").post(f"/org/units/{unit.pk}/edit/", unit_form(unit, **resolved))
    assert response.status_code == 200
    assert message in page_text(response)
    assert (Unit.objects.filter(pk=unit.pk).values().get(), OrgEvent.objects.count()) == before
