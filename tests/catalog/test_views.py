"""Catalogue pages: versions readable with who/when/why, diffs, and the item form's basis parsing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhifa.catalog import services as catalog
from zhifa.catalog.models import ActType, EnforcementItem, ItemVersion, Law
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def text(response: Any) -> str:
    return response.content.decode("utf-8")


def make_item(bureau: Any, code: str = "ZJ-CF-201") -> EnforcementItem:
    content = ItemContent(
        name="对建设单位未取得施工许可证擅自施工的处罚",
        implementing_unit=bureau.units["稽查支队"],
        bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
        time_limit_code="T8",
        materials="询问笔录",
        brackets=(BracketSpec("一般", "percent_contract", Decimal(1), Decimal(2)),),
    )
    return catalog.create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code=code,
        act_type=ActType.PENALTY,
        content=content,
        effective_from=START,
        reason="依据实施方案首次编制",
    )


def revise(bureau: Any, item: EnforcementItem, effective_from: datetime.date, **changes: Any) -> ItemVersion:
    latest = item.latest_version()
    assert latest is not None
    content = catalog.content_of(latest).replace(**changes)
    return catalog.revise_item(
        actor=bureau.head,
        item=item,
        content=content,
        effective_from=effective_from,
        reason="依据2026年度裁量基准修订",
    )


def form_post_data(response: Any) -> dict[str, Any]:
    """What a browser would send back from the item form as it was rendered."""
    form, formset = response.context["form"], response.context["formset"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool) or value is None:
            if value:
                data[name] = "on"
            continue
        data[name] = getattr(value, "pk", value)
    data |= {f"brackets-{key}": value for key, value in formset.management_form.initial.items()}
    for i, bracket_form in enumerate(formset.forms):
        for name in bracket_form.fields:
            value = bracket_form[name].value()
            if value is not None and name != "DELETE":
                data[f"brackets-{i}-{name}"] = value
    return data


def new_item_data(bureau: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "code": "ZJ-CF-301",
        "act_type": ActType.PENALTY,
        "name": "对施工单位未对建筑材料进行检验的处罚",
        "implementing_unit": bureau.units["稽查支队"].pk,
        "bases_text": "违反条款：建设工程质量管理条例第29条",
        "effective_from": "2025-01-01",
        "change_reason": "首次编制",
        "brackets-TOTAL_FORMS": "2",
        "brackets-INITIAL_FORMS": "0",
        "brackets-MIN_NUM_FORMS": "0",
        "brackets-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


# -- versions, history, diff ---------------------------------------------------------------------


def test_an_older_version_stays_readable_with_who_when_why(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    revise(bureau, item, datetime.date(2025, 6, 1), name="对未取得施工许可证擅自施工的行政处罚")
    client = client_as("officer")
    old = text(client.get(f"/catalog/items/{item.code}/?version=1"))
    assert "对建设单位未取得施工许可证擅自施工的处罚" in old
    assert "第1版" in old and "pilot" in old and "依据实施方案首次编制" in old
    assert "已被第2版取代" in old
    current = text(client.get(f"/catalog/items/{item.code}/"))
    assert "对未取得施工许可证擅自施工的行政处罚" in current
    assert "head" in current and "依据2026年度裁量基准修订" in current and "现行有效" in current


def test_a_future_version_is_shown_but_not_yet_in_force(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    future = datetime.date.today() + datetime.timedelta(days=60)
    revise(bureau, item, future, name="新法施行后的名称")
    client = client_as("officer")
    default = client.get(f"/catalog/items/{item.code}/")
    assert default.context["version"].number == 1
    upcoming = text(client.get(f"/catalog/items/{item.code}/?version=2"))
    assert "新法施行后的名称" in upcoming and "尚未生效" in upcoming
    on_that_day = client.get(f"/catalog/items/{item.code}/?on={future.isoformat()}")
    assert on_that_day.context["version"].number == 2


def test_unknown_versions_and_items_are_404_not_500(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    client = client_as("officer")
    assert client.get(f"/catalog/items/{item.code}/?version=9").status_code == 404
    assert client.get("/catalog/items/NOPE/").status_code == 404
    assert client.get(f"/catalog/items/{item.code}/?version=abc&on=yesterday").status_code == 200


def test_history_lists_every_version_with_its_reason_and_changes(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    revise(bureau, item, datetime.date(2025, 6, 1), materials="询问笔录；现场检查笔录")
    page = text(client_as("officer").get(f"/catalog/items/{item.code}/history/"))
    assert "第2版" in page and "第1版" in page
    assert "依据实施方案首次编制" in page and "依据2026年度裁量基准修订" in page
    assert "1 处变化" in page or "2 处变化" in page
    assert f"/catalog/items/{item.code}/?version=1" in page


def test_diff_shows_exactly_the_changed_fields(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    revise(
        bureau,
        item,
        datetime.date(2025, 6, 1),
        materials="询问笔录；现场检查笔录",
        bases=(
            BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),
            BasisSpec(catalog.find_provision("建设工程质量管理条例", 57), "penalty"),
        ),
    )
    response = client_as("officer").get(f"/catalog/items/{item.code}/diff/?from=1&to=2")
    assert response.status_code == 200
    labels = [change.label for change in response.context["changes"]]
    assert labels == ["申请材料", "法律依据", "生效日期"]
    page = text(response)
    assert "<ins>；现场检查笔录</ins>" in page
    assert "《建设工程质量管理条例》第五十七条（处罚依据）" in page  # labels, not internal codes
    assert "penalty" not in page


def test_diff_of_brackets_is_readable(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    revise(
        bureau,
        item,
        datetime.date(2025, 6, 1),
        brackets=(BracketSpec("一般", "percent_contract", Decimal(1), Decimal("1.5")),),
    )
    changes = client_as("officer").get(f"/catalog/items/{item.code}/diff/?from=1&to=2").context["changes"]
    bracket_change = next(c for c in changes if c.label == "裁量基准")
    assert "% 工程合同价款" in bracket_change.new
    assert "percent_contract" not in bracket_change.new


@pytest.mark.parametrize("query", ["", "?from=1", "?from=1&to=7", "?from=x&to=y"])
def test_a_bad_diff_request_goes_back_to_history_with_a_message(
    bureau: Any, client_as: Any, query: str
) -> None:
    item = make_item(bureau)
    response = client_as("officer").get(f"/catalog/items/{item.code}/diff/{query}", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/catalog/items/{item.code}/history/"
    assert "请选择两个存在的版本" in text(response)


# -- the item form -------------------------------------------------------------------------------


def test_the_form_reads_both_citation_styles(bureau: Any, client_as: Any) -> None:
    bases = "处罚依据：建筑法第64条\n《建筑法》第七条；违反条款:《中华人民共和国建筑法》第 9 条"
    response = client_as("pilot").post("/catalog/items/new/", new_item_data(bureau, bases_text=bases))
    assert response.status_code == 302, response.context["form"].errors
    version = EnforcementItem.objects.get(code="ZJ-CF-301").latest_version()
    cited = [(b.provision.law.short_title, b.provision.number, b.purpose) for b in version.bases.all()]
    assert cited == [("建筑法", 64, "penalty"), ("建筑法", 7, "authority"), ("建筑法", 9, "violated")]


@pytest.mark.parametrize(
    ("bases_text", "message"),
    [
        ("处罚依据：建筑法第999条", "找不到《建筑法》第999条"),
        ("《建筑工程法》第七条", "找不到《建筑工程法》第7条"),
        ("建筑法第七条第一款", "无法识别“建筑法第七条第一款”"),
        ("", "必须有法律依据"),
    ],
)
def test_the_form_refuses_a_basis_it_cannot_find_and_names_it(
    bureau: Any, client_as: Any, bases_text: str, message: str
) -> None:
    response = client_as("pilot").post("/catalog/items/new/", new_item_data(bureau, bases_text=bases_text))
    assert response.status_code == 200
    assert message in text(response)
    assert not EnforcementItem.objects.filter(code="ZJ-CF-301").exists()


def test_the_form_saves_brackets_and_refuses_an_upper_below_lower(bureau: Any, client_as: Any) -> None:
    client = client_as("pilot")
    bracket = {
        "brackets-0-circumstance": "一般",
        "brackets-0-amount_basis": "yuan",
        "brackets-0-lower": "200000",
        "brackets-0-upper": "100000",
    }
    response = client.post("/catalog/items/new/", new_item_data(bureau) | bracket)
    assert response.status_code == 200
    assert "上限不能低于下限" in text(response)
    assert not EnforcementItem.objects.exists()
    response = client.post(
        "/catalog/items/new/", new_item_data(bureau) | bracket | {"brackets-0-upper": "200000"}
    )
    assert response.status_code == 302
    version = EnforcementItem.objects.get(code="ZJ-CF-301").latest_version()
    assert [b.range_display for b in version.brackets.all()] == ["200000–200000 元"]


def test_the_form_refuses_brackets_on_a_licensing_item(bureau: Any, client_as: Any) -> None:
    bracket = {
        "brackets-0-circumstance": "一般",
        "brackets-0-amount_basis": "yuan",
        "brackets-0-lower": "1",
        "brackets-0-upper": "2",
    }
    data = (
        new_item_data(bureau, code="ZJ-XK-301", act_type=ActType.LICENSING, bases_text="建筑法第7条")
        | bracket
    )
    response = client_as("pilot").post("/catalog/items/new/", data)
    assert response.status_code == 200
    assert "只有行政处罚事项设裁量基准" in text(response)
    assert not EnforcementItem.objects.exists()


def test_editing_through_the_form_adds_a_version_and_keeps_untouched_content(
    bureau: Any, client_as: Any
) -> None:
    item = make_item(bureau)
    client = client_as("head")
    data = form_post_data(client.get(f"/catalog/items/{item.code}/edit/"))
    assert "《建筑法》第六十四条" in data["bases_text"]
    data |= {"conditions": "无", "effective_from": "2025-06-01", "change_reason": "补充办理条件"}
    response = client.post(f"/catalog/items/{item.code}/edit/", data)
    assert response.status_code == 302
    first, second = item.versions.order_by("number")
    assert (second.conditions, second.created_by, second.change_reason) == ("无", bureau.head, "补充办理条件")
    assert catalog.content_of(second).replace(conditions="") == catalog.content_of(first)
    assert second.brackets.count() == 1


def test_saving_the_form_unchanged_is_refused_with_a_message(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    client = client_as("pilot")
    data = form_post_data(client.get(f"/catalog/items/{item.code}/edit/")) | {"change_reason": "再存一次"}
    response = client.post(f"/catalog/items/{item.code}/edit/", data)
    assert response.status_code == 200
    assert "内容与现行版本相同" in text(response)
    assert item.versions.count() == 1


def test_the_form_refuses_an_edit_dated_before_the_current_version(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    client = client_as("pilot")
    data = form_post_data(client.get(f"/catalog/items/{item.code}/edit/"))
    data |= {"name": "改名", "effective_from": "2024-12-31", "change_reason": "补录"}
    response = client.post(f"/catalog/items/{item.code}/edit/", data)
    assert response.status_code == 200
    assert "生效日期早于现行版本" in text(response)
    assert item.versions.count() == 1


def test_the_form_needs_a_change_reason_for_an_edit(bureau: Any, client_as: Any) -> None:
    item = make_item(bureau)
    client = client_as("pilot")
    data = form_post_data(client.get(f"/catalog/items/{item.code}/edit/")) | {
        "name": "改名",
        "change_reason": "",
    }
    assert client.post(f"/catalog/items/{item.code}/edit/", data).status_code == 200
    assert item.versions.count() == 1


# -- lists, laws, search -------------------------------------------------------------------------


def test_item_list_filters_and_its_htmx_fragment(bureau: Any, client_as: Any) -> None:
    make_item(bureau)
    client: Client = client_as("officer")
    assert "ZJ-CF-201" in text(client.get("/catalog/?q=建筑法"))
    assert "ZJ-CF-201" not in text(client.get("/catalog/?type=licensing"))
    fragment = client.get("/catalog/?q=施工许可", HTTP_HX_REQUEST="true")
    assert "ZJ-CF-201" in text(fragment) and "<html" not in text(fragment)


def test_law_pages_show_articles_by_number(client_as: Any, bureau: Any) -> None:
    client = client_as("officer")
    law = Law.objects.get(short_title="行政处罚法")
    assert "行政处罚法" in text(client.get("/catalog/laws/"))
    page = text(client.get(f"/catalog/laws/{law.pk}/"))
    assert 'id="a51"' in page and "三千元以下" in page
    found = text(client.get(f"/catalog/laws/{law.pk}/?q=三千元", HTTP_HX_REQUEST="true"))
    assert re.findall(r'id="a(\d+)"', found) == ["51"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("建筑法 64", "《建筑法》第六十四条"), ("建筑法第六十四条", "《建筑法》第六十四条")],
)
def test_provision_search_finds_an_article_by_citation(
    client_as: Any, bureau: Any, query: str, expected: str
) -> None:
    response = client_as("pilot").get("/catalog/provisions/search/", {"q": query})
    assert expected in text(response)
