"""The main journeys of issue 2, as a member of staff would walk them."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD, build_bureau

from zhifa.catalog import services as catalog
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference_data"),
]


def _seed() -> Any:
    bureau = build_bureau()
    content = ItemContent(
        name="对建设单位未取得施工许可证擅自施工的处罚",
        implementing_unit=bureau.units["稽查支队"],
        bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
        time_limit_code="T8",
        brackets=(BracketSpec("一般", "percent_contract", 1, 2),),
    )
    catalog.create_item(
        actor=None,
        body=bureau.body,
        code="ZJ-CF-001",
        act_type="penalty",
        content=content,
        effective_from=datetime.date(2025, 1, 1),
    )
    return bureau


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("工作台")


def test_anonymous_visitor_is_sent_to_login(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/catalog/")
    assert "/login/" in page.url
    expect(page.locator("h1")).to_have_text("工作人员登录")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".form-error")).to_contain_text("用户名或密码错误")


def test_officer_finds_an_item_and_reads_its_legal_basis(page: Any, live_server: Any) -> None:
    _seed()
    _login(page, live_server, "officer")
    expect(page.get_by_text("我的执法证")).to_be_visible()
    page.click("nav.mainnav >> text=执法事项")
    page.fill("input[name=q]", "施工许可")
    expect(page.locator("#item-rows")).to_contain_text("ZJ-CF-001")
    page.click("#item-rows >> text=ZJ-CF-001")
    expect(page.locator("h1")).to_contain_text("未取得施工许可证擅自施工")
    expect(page.locator("details.provision").first).to_contain_text("《建筑法》第六十四条")
    expect(page.locator("details.provision").first).to_contain_text("施工许可证")
    # An officer may read but not adjust the catalogue.
    expect(page.get_by_text("调整事项")).to_have_count(0)


def test_programme_office_adjusts_an_item_and_the_old_version_stays(page: Any, live_server: Any) -> None:
    _seed()
    _login(page, live_server, "pilot")
    page.goto(f"{live_server.url}/catalog/items/ZJ-CF-001/edit/")
    page.fill("input[name=name]", "对建设单位未取得施工许可证擅自施工的行政处罚")
    page.click("button:has-text('保存为新版本')")
    # No reason given: the page refuses to submit, nothing saved.
    assert page.locator("textarea[name=change_reason]").evaluate("e => e.validity.valueMissing")
    assert EnforcementItem.objects.get(code="ZJ-CF-001").versions.count() == 1
    page.fill("textarea[name=change_reason]", "规范事项名称")
    page.click("button:has-text('保存为新版本')")
    expect(page.locator(".msg-success")).to_contain_text("已发布第2版")
    page.click("text=版本历史")
    expect(page.locator(".timeline")).to_contain_text("规范事项名称")
    page.click("button:has-text('比较')")
    expect(page.locator("table.diff")).to_contain_text("事项名称")
    name_row = page.locator("table.diff tbody tr", has_text="事项名称")
    expect(name_row.locator("ins")).to_have_text("行政")
    expect(name_row.locator("del")).to_have_count(0)
    page.goto(f"{live_server.url}/catalog/items/ZJ-CF-001/?version=1")
    expect(page.locator("h1")).to_have_text(re.compile("^对建设单位未取得施工许可证擅自施工的处罚"))


def test_admin_registering_a_person_gets_a_clear_refusal_for_a_bad_id_number(
    page: Any, live_server: Any
) -> None:
    bureau = _seed()
    _login(page, live_server, "admin")
    page.goto(f"{live_server.url}/org/people/new/")
    page.fill("input[name=name]", "新同事")
    page.select_option("select[name=unit]", label="稽查支队")
    page.fill("input[name=resident_id]", "430400198501010010")  # wrong check digit
    page.click("button:has-text('保存')")
    expect(page.locator(".field-error")).to_contain_text("校验")
    assert not bureau.body.people.filter(name="新同事").exists()
    page.fill("input[name=resident_id]", "")
    page.click("button:has-text('保存')")
    expect(page.locator(".msg-success")).to_contain_text("已登记新同事")
