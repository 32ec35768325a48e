"""An officer opens a case in the browser, takes the first step and generates its document."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect
from tests.cases.helpers import org_code
from tests.conftest import PASSWORD, build_bureau

from zhifa.cases.models import Case
from zhifa.catalog import services as catalog
from zhifa.catalog.services import BasisSpec, ItemContent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference_data"),
]


def test_officer_opens_a_case_and_takes_the_first_step(page: Any, live_server: Any) -> None:
    bureau = build_bureau()
    catalog.create_item(
        actor=None,
        body=bureau.body,
        code="ZJ-CF-001",
        act_type="penalty",
        effective_from=datetime.date(2025, 1, 1),
        content=ItemContent(
            name="对建设单位未取得施工许可证擅自施工的处罚",
            implementing_unit=bureau.units["稽查支队"],
            bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
            time_limit_code="T8",
        ),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=True):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "officer")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        expect(page.locator("h1")).to_have_text("工作台")
        page.click("nav.mainnav >> text=案件")
        page.click("text=立案 / 受理")
        page.select_option("select[name=item]", index=1)
        page.select_option("select[name=party_kind]", "organisation")
        page.fill("input[name=party_name]", "衡阳某建设公司")
        page.fill("input[name=party_id_number]", "91430400MA4L000001")  # wrong check character
        page.select_option(
            "select[name=officers]", [str(bureau.people["officer"].pk), str(bureau.people["officer2"].pk)]
        )
        page.click("main button[type=submit]")
        expect(page.locator(".field-error")).to_contain_text("校验")
        assert not Case.objects.exists()
        page.fill("input[name=party_id_number]", org_code())
        page.click("main button[type=submit]")
        expect(page.locator(".msg-success")).to_contain_text("已登记案件 衡住建罚案〔2026〕1号")
        page.click("button:has-text('核查线索')")
        expect(page.locator(".msg-success")).to_contain_text("已办理")
        expect(page.locator(".pagehead .badge.status-valid")).to_have_text("线索核查")
        page.click("#documents button:has-text('案件登记表')")
        expect(page.locator("#documents table")).to_contain_text("案件登记表")
        expect(page.locator(".timeline")).to_contain_text("生成文书")
