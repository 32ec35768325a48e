"""The 执法事项目录 API: items and their versions, laws, provisions and statutory rules.

Items are written through ``zhifa.catalog.services`` so every version carries who, when and why.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhifa.catalog import services as catalog
from zhifa.catalog.models import BasisPurpose, EnforcementItem, LegalRule
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent, find_provision
from zhifa.core.identifiers import uscc_check_character
from zhifa.org import services as org

CATALOG = "/api/v1/catalog"
CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = datetime.date.today()
NEXT_MONTH = TODAY + datetime.timedelta(days=30)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert CJK.search(body["message"]), body["message"]
    return body


@dataclass
class Catalogue:
    penalty: EnforcementItem  # JZ-0001: v1 2024-01-01, v2 2025-01-01, v3 from next month
    licence: EnforcementItem  # XK-0001: one version, random inspection, time limit T18


@pytest.fixture
def catalogue(bureau: Any) -> Catalogue:
    squad, approvals = bureau.units["稽查支队"], bureau.units["审批一科"]
    article_64 = find_provision("建筑法", 64)
    v1 = ItemContent(
        name="对未取得施工许可证擅自施工的行政处罚",
        implementing_unit=squad,
        time_limit_code="T8",
        bases=(BasisSpec(article_64, BasisPurpose.PENALTY),),
        av_requirements=(("on_site_inspection", "required"), ("service", "as_needed")),
        brackets=(
            BracketSpec("轻微", "percent_contract", Decimal("1"), Decimal("1.5"), other_measures="责令改正"),
            BracketSpec("严重", "percent_contract", Decimal("1.5"), Decimal("2")),
        ),
    )
    penalty = catalog.create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code="jz-0001",
        act_type="penalty",
        content=v1,
        effective_from=datetime.date(2024, 1, 1),
    )
    catalog.revise_item(
        actor=bureau.head,
        item=penalty,
        content=v1.replace(name="对未取得施工许可证或者开工报告未经批准擅自施工的行政处罚"),
        effective_from=datetime.date(2025, 1, 1),
        reason="名称与条文表述一致",
    )
    catalog.revise_item(
        actor=bureau.pilot,
        item=penalty,
        content=v1.replace(
            name="对未取得施工许可证或者开工报告未经批准擅自施工的行政处罚",
            brackets=(BracketSpec("一般", "percent_contract", Decimal("1"), Decimal("2")),),
        ),
        effective_from=NEXT_MONTH,
        reason="裁量基准合并为一档",
    )
    licence = catalog.create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code="XK-0001",
        act_type="licensing",
        content=ItemContent(
            name="建筑工程施工许可",
            implementing_unit=approvals,
            time_limit_code="T18",
            random_inspection=True,
            bases=(BasisSpec(find_provision("建筑法", 7)),),
        ),
        effective_from=datetime.date(2024, 1, 1),
    )
    return Catalogue(penalty=penalty, licence=licence)


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def test_items_list(client: Client, bureau: Any, catalogue: Catalogue, api_token: Any) -> None:
    listed = client.get(f"{CATALOG}/items", **api_token("officer")).json()
    assert listed["count"] == 2
    items = {i["code"]: i for i in listed["items"]}
    assert items["JZ-0001"] == {
        "code": "JZ-0001",
        "body_id": bureau.body.pk,
        "act_type": "penalty",
        "act_type_label": "行政处罚",
        "name": "对未取得施工许可证或者开工报告未经批准擅自施工的行政处罚",
        "implementing_unit": {"id": bureau.units["稽查支队"].pk, "name": "稽查支队"},
        "random_inspection": False,
        "latest_version": 3,
    }
    assert items["XK-0001"]["implementing_unit"]["name"] == "审批一科"
    assert items["XK-0001"]["latest_version"] == 1


def test_items_filters(client: Client, bureau: Any, catalogue: Catalogue, api_token: Any) -> None:
    headers = api_token("officer")

    def codes(**params: Any) -> list[str]:
        response = client.get(f"{CATALOG}/items", params, **headers)
        assert response.status_code == 200, response.content
        return [i["code"] for i in response.json()["items"]]

    assert codes(act_type="penalty") == ["JZ-0001"]
    assert codes(unit_id=bureau.units["审批一科"].pk) == ["XK-0001"]
    assert codes(random_inspection="true") == ["XK-0001"]
    assert codes(random_inspection="false") == ["JZ-0001"]
    assert codes(q="开工报告") == ["JZ-0001"]
    assert sorted(codes(q="建筑法")) == ["JZ-0001", "XK-0001"]
    assert codes(q="xk-0001") == ["XK-0001"]


def test_items_refuse_an_unknown_act_type(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    body = assert_error(
        client.get(f"{CATALOG}/items", {"act_type": "fine"}, **api_token("officer")), 422, "invalid_input"
    )
    assert body["details"][0]["field"].endswith("act_type")


def test_item_detail_is_the_version_in_force_today(
    client: Client, catalogue: Catalogue, api_token: Any
) -> None:
    item = client.get(f"{CATALOG}/items/JZ-0001", **api_token("officer")).json()
    # Version 3 is recorded but takes effect next month: today version 2 is in force.
    assert (item["number"], item["latest_version"]) == (2, 3)
    assert item["effective_from"] == "2025-01-01"
    assert item["change_reason"] == "名称与条文表述一致"
    assert item["created_by"] == "head"
    assert item["created_at"]
    assert item["name"] == "对未取得施工许可证或者开工报告未经批准擅自施工的行政处罚"
    assert (item["code"], item["act_type_label"]) == ("JZ-0001", "行政处罚")
    assert item["implementing_unit"]["name"] == "稽查支队"


def test_item_detail_has_the_full_content(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    item = client.get(f"{CATALOG}/items/JZ-0001", **api_token("officer")).json()
    [basis] = item["bases"]
    assert basis["law_short_title"] == "建筑法"
    assert basis["label"] == "第六十四条"
    assert basis["citation"] == "《建筑法》第六十四条"
    assert (basis["purpose"], basis["purpose_label"]) == ("penalty", "处罚依据")
    assert "未取得施工许可证或者开工报告未经批准擅自施工" in basis["text"]
    assert item["av_requirements"] == [
        {
            "step": "on_site_inspection",
            "step_label": "现场检查（勘验）",
            "level": "required",
            "level_label": "必须全程音像记录",
        },
        {"step": "service", "step_label": "送达", "level": "as_needed", "level_label": "根据需要音像记录"},
    ]
    light, heavy = item["brackets"]
    assert (light["circumstance"], light["lower"], light["upper"]) == ("轻微", "1.00", "1.50")
    assert light["amount_basis_label"] == "% 工程合同价款"
    assert light["other_measures"] == "责令改正"
    assert (heavy["lower"], heavy["upper"]) == ("1.50", "2.00")
    time_limit = item["time_limit"]
    assert (time_limit["code"], time_limit["name"]) == ("T8", "立案至作出处罚决定期限")
    assert time_limit["value_display"] == "90日（自然日）"
    assert time_limit["basis"] == "行政处罚法第六十条"
    assert time_limit["provision"]["citation"] == "《行政处罚法》第六十条"


def test_item_on_a_day_and_by_number(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    headers = api_token("officer")

    def number(**params: Any) -> int:
        response = client.get(f"{CATALOG}/items/JZ-0001", params, **headers)
        assert response.status_code == 200, response.content
        return int(response.json()["number"])

    assert number(on="2024-06-30") == 1
    assert number(on="2024-12-31") == 1
    assert number(on="2025-01-01") == 2
    assert number(on=NEXT_MONTH.isoformat()) == 3
    assert number(version=1) == 1
    assert number(version=3) == 3
    future = client.get(f"{CATALOG}/items/JZ-0001", {"version": 3}, **headers).json()
    assert [b["circumstance"] for b in future["brackets"]] == ["一般"]
    assert future["created_by"] == "pilot"


def test_item_lookup_errors(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    headers = api_token("officer")
    url = f"{CATALOG}/items/JZ-0001"
    assert_error(client.get(f"{CATALOG}/items/NOPE-1", **headers), 404, "not_found")
    assert_error(client.get(url, {"version": 9}, **headers), 404, "not_found")
    assert_error(client.get(url, {"on": "2023-12-31"}, **headers), 404, "no_version_in_force")
    assert_error(client.get(url, {"on": "2024-02-30"}, **headers), 422, "invalid_input")
    assert_error(client.get(url, {"on": "yesterday"}, **headers), 422, "invalid_input")
    assert_error(client.get(url, {"version": 0}, **headers), 422, "invalid_input")
    assert_error(client.get(url, {"version": "1", "on": "2025-01-01"}, **headers), 422, "invalid_input")


def test_item_time_limit_follows_the_day_asked_about(
    client: Client, bureau: Any, catalogue: Catalogue, api_token: Any
) -> None:
    t18 = LegalRule.objects.get(code="T18", variant="")
    catalog.revise_rule(
        actor=bureau.pilot,
        rule=t18,
        effective_from=NEXT_MONTH,
        reason="地方承诺时限缩短",
        quantity=Decimal("15"),
    )
    headers = api_token("officer")
    today = client.get(f"{CATALOG}/items/XK-0001", **headers).json()
    later = client.get(f"{CATALOG}/items/XK-0001", {"on": NEXT_MONTH.isoformat()}, **headers).json()
    assert today["time_limit"]["value_display"] == "20个工作日（可延长10）"
    assert later["time_limit"]["value_display"] == "15个工作日（可延长10）"
    assert later["time_limit"]["change_reason"] == "地方承诺时限缩短"
    assert later["random_inspection"] is True


def test_item_versions(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    listed = client.get(f"{CATALOG}/items/JZ-0001/versions", **api_token("officer")).json()
    assert listed["count"] == 3
    assert [(v["number"], v["created_by"], v["change_reason"]) for v in listed["items"]] == [
        (3, "pilot", "裁量基准合并为一档"),
        (2, "head", "名称与条文表述一致"),
        (1, "pilot", "首次编制"),
    ]
    assert listed["items"][2]["effective_from"] == "2024-01-01"
    assert_error(client.get(f"{CATALOG}/items/NOPE-1/versions", **api_token("officer")), 404, "not_found")


def test_item_diff(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    headers = api_token("officer")
    changes = client.get(f"{CATALOG}/items/JZ-0001/diff", {"from": 1, "to": 2}, **headers).json()
    assert changes == [
        {
            "label": "事项名称",
            "old": "对未取得施工许可证擅自施工的行政处罚",
            "new": "对未取得施工许可证或者开工报告未经批准擅自施工的行政处罚",
        },
        {"label": "生效日期", "old": "2024-01-01", "new": "2025-01-01"},
    ]
    brackets = client.get(f"{CATALOG}/items/JZ-0001/diff", {"from": 2, "to": 3}, **headers).json()
    assert [c["label"] for c in brackets] == ["裁量基准", "生效日期"]
    assert "轻微" in brackets[0]["old"]
    assert "一般" in brackets[0]["new"]


def test_item_diff_errors(client: Client, catalogue: Catalogue, api_token: Any) -> None:
    headers = api_token("officer")
    url = f"{CATALOG}/items/JZ-0001/diff"
    assert_error(client.get(url, {"from": 1, "to": 7}, **headers), 404, "not_found")
    assert_error(client.get(url, {"from": 1}, **headers), 422, "invalid_input")
    assert_error(client.get(url, {"from": "one", "to": "2"}, **headers), 422, "invalid_input")


# ---------------------------------------------------------------------------
# Laws and provisions
# ---------------------------------------------------------------------------


def test_laws_list(client: Client, api_token: Any) -> None:
    listed = client.get(f"{CATALOG}/laws", {"page_size": 100}, **api_token("officer")).json()
    laws = {law["short_title"]: law for law in listed["items"]}
    assert listed["count"] == len(laws) >= 10
    building = laws["建筑法"]
    assert building["title"] == "中华人民共和国建筑法"
    assert (building["kind"], building["kind_label"]) == ("law", "法律")
    assert building["amended_on"] == "2019-04-23"
    assert building["article_count"] >= 85
    assert laws["建设工程质量管理条例"]["kind_label"] == "行政法规"


def test_law_provisions(client: Client, api_token: Any) -> None:
    headers = api_token("officer")
    law_id = find_provision("建筑法", 64).law_id
    everything = client.get(f"{CATALOG}/laws/{law_id}/provisions", **headers).json()
    assert everything["items"][0]["label"] == "第一条"
    found = client.get(f"{CATALOG}/laws/{law_id}/provisions", {"q": "开工报告未经批准"}, **headers).json()
    assert "第六十四条" in [p["label"] for p in found["items"]]
    assert all(p["law_short_title"] == "建筑法" for p in found["items"])
    assert_error(client.get(f"{CATALOG}/laws/99999/provisions", **headers), 404, "not_found")


@pytest.mark.parametrize("query", ["建筑法 64", "建筑法第六十四条", "《建筑法》第64条"])
def test_provision_search_reads_citations(client: Client, api_token: Any, query: str) -> None:
    found = client.get(f"{CATALOG}/provisions/search", {"q": query}, **api_token("officer")).json()
    assert [(p["law_short_title"], p["number"], p["label"]) for p in found] == [("建筑法", 64, "第六十四条")]
    assert found[0]["citation"] == "《建筑法》第六十四条"


def test_provision_search_by_words_and_limit(client: Client, api_token: Any) -> None:
    headers = api_token("officer")
    found = client.get(f"{CATALOG}/provisions/search", {"q": "施工许可证", "limit": "3"}, **headers).json()
    assert 1 <= len(found) <= 3
    assert all("施工许可证" in p["text"] or "施工许可证" in p["law_short_title"] for p in found)
    assert_error(client.get(f"{CATALOG}/provisions/search", **headers), 422, "invalid_input")
    too_many = client.get(f"{CATALOG}/provisions/search", {"q": "x", "limit": "500"}, **headers)
    assert_error(too_many, 422, "invalid_input")


# ---------------------------------------------------------------------------
# Statutory rules
# ---------------------------------------------------------------------------


def test_rules_in_force(client: Client, api_token: Any) -> None:
    listed = client.get(f"{CATALOG}/rules", {"page_size": 100}, **api_token("officer")).json()
    rules = {(r["code"], r["variant"]): r for r in listed["items"]}
    assert listed["count"] == len(rules) == LegalRule.objects.values("code", "variant").distinct().count()
    t18 = rules[("T18", "")]
    assert (t18["quantity"], t18["extension"], t18["unit_label"]) == ("20.00", "10.00", "个工作日")
    assert t18["provision"]["citation"] == "《行政许可法》第四十二条"
    assert t18["confidence_label"] == "已核对原文"
    assert rules[("T15", "organisation")]["value_display"] == "3000元"
    assert [r["code"] for r in listed["items"]][:2] == ["T1", "T2"]


def test_rules_on_a_day(client: Client, bureau: Any, api_token: Any) -> None:
    t18 = LegalRule.objects.get(code="T18", variant="")
    catalog.revise_rule(
        actor=bureau.pilot,
        rule=t18,
        effective_from=datetime.date(2030, 1, 1),
        reason="地方承诺时限缩短",
        quantity=Decimal("15"),
    )
    headers = api_token("officer")

    def t18_on(day: str) -> str:
        items = client.get(f"{CATALOG}/rules", {"on": day, "page_size": "100"}, **headers).json()["items"]
        return next(r["quantity"] for r in items if r["code"] == "T18")

    assert t18_on("2029-12-31") == "20.00"
    assert t18_on("2030-01-01") == "15.00"
    assert client.get(f"{CATALOG}/rules", {"on": "2021-07-14"}, **headers).json()["count"] == 0
    assert_error(client.get(f"{CATALOG}/rules", {"on": "2030-13-01"}, **headers), 422, "invalid_input")


def test_rule_history(client: Client, bureau: Any, api_token: Any) -> None:
    t18 = LegalRule.objects.get(code="T18", variant="")
    catalog.revise_rule(
        actor=bureau.pilot,
        rule=t18,
        effective_from=datetime.date(2030, 1, 1),
        reason="地方承诺时限缩短",
        quantity=Decimal("15"),
    )
    headers = api_token("officer")
    history = client.get(f"{CATALOG}/rules/T18/history", **headers).json()
    assert [(r["effective_from"], r["quantity"], r["created_by"]) for r in history["items"]] == [
        ("2030-01-01", "15.00", "pilot"),
        ("2021-07-15", "20.00", None),
    ]
    individual = client.get(f"{CATALOG}/rules/T15/history", {"variant": "individual"}, **headers).json()
    assert [r["value_display"] for r in individual["items"]] == ["200元"]
    assert_error(client.get(f"{CATALOG}/rules/T15/history", **headers), 404, "not_found")
    assert_error(client.get(f"{CATALOG}/rules/T99/history", **headers), 404, "not_found")


# ---------------------------------------------------------------------------
# Auth and OpenAPI
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["items", "items/JZ-0001", "items/JZ-0001/versions", "laws", "provisions/search?q=建筑法", "rules"],
)
def test_catalog_needs_a_token(client: Client, bureau: Any, path: str) -> None:
    assert_error(client.get(f"{CATALOG}/{path}"), 401, "unauthenticated")


def test_openapi_lists_the_catalog_paths(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "items",
        "items/{code}",
        "items/{code}/versions",
        "items/{code}/diff",
        "laws",
        "laws/{law_id}/provisions",
        "provisions/search",
        "rules",
        "rules/{code}/history",
    ]:
        assert f"{CATALOG}/{path}" in paths, path
    item = paths[f"{CATALOG}/items/{{code}}"]["get"]
    assert item["tags"] == ["执法事项目录"]
    assert CJK.search(item["summary"])
    assert {p["name"] for p in item["parameters"]} == {"code", "on", "version"}
    diff = paths[f"{CATALOG}/items/{{code}}/diff"]["get"]
    assert {p["name"] for p in diff["parameters"]} == {"code", "from", "to"}
    listing = paths[f"{CATALOG}/items"]["get"]
    assert {"page", "page_size", "act_type"} <= {p["name"] for p in listing["parameters"]}


def test_code_used_by_two_bodies_is_ambiguous(
    client: Client, bureau: Any, catalogue: Catalogue, api_token: Any
) -> None:
    other = org.create_body(
        actor=None,
        name="衡阳市城市管理和综合执法局",
        short_name="衡城管",
        credit_code="11430400MB7654321" + uscc_check_character("11430400MB7654321"),
        legal_status="organ",
        jurisdiction="衡阳市",
    )
    unit = org.create_unit(actor=None, body=other, name="执法支队", kind="section")
    catalog.create_item(
        actor=None,
        body=other,
        code="XK-0001",
        act_type="licensing",
        content=ItemContent(
            name="另一事项", implementing_unit=unit, bases=(BasisSpec(find_provision("建筑法", 7)),)
        ),
        effective_from=datetime.date(2024, 1, 1),
    )
    assert_error(client.get(f"{CATALOG}/items/XK-0001", **api_token("officer")), 409, "ambiguous_code")
    assert client.get(f"{CATALOG}/items/JZ-0001", **api_token("officer")).status_code == 200
