"""The catalogue: export of the versions in force, import as new items and new versions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhifa.catalog.models import EnforcementItem, ItemVersion
from zhifa.catalog.services import BracketSpec, content_of, revise_item
from zhifa.catalog.transfer import HEADERS, export_catalog, import_catalog, parse_brackets
from zhifa.core.errors import InvalidInput, NotPermitted
from zhifa.core.tabular import write_csv, write_xlsx


def exported(bureau: Any) -> dict[str, dict[str, str]]:
    _, rows = export_catalog(body=bureau.body)
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows}


def csv_of(rows: list[dict[str, str]], headers: list[str] = HEADERS) -> bytes:
    return write_csv(headers, [[row.get(h, "") for h in headers] for row in rows])


def details(exc: InvalidInput) -> list[tuple[int, str, str]]:
    return [tuple(d) for d in exc.details]


def versions() -> int:
    return ItemVersion.objects.count()


def test_export_writes_the_documented_cell_formats(bureau: Any, catalog: Any) -> None:
    row = exported(bureau)["CF-JZ-001"]
    assert row["执法类别"] == "行政处罚"
    assert row["实施科室"] == "稽查支队"
    assert row["法律依据"] == "处罚依据：《建筑法》第六十四条；违反条款：《建筑法》第五十八条"
    assert row["音像记录"] == "查封、扣押：必须；送达：根据需要"
    assert (
        row["裁量基准"] == "轻微|1|1.2|% 工程合同价款|\n严重|1.6|2|% 工程合同价款|责令停业整顿|造成质量事故的"
    )
    assert (row["随机抽查"], row["法定时限规则"], row["生效日期"], row["调整原因"]) == (
        "是",
        "T18",
        "2025-01-01",
        "",
    )
    assert exported(bureau)["XK-JZ-001"]["法律依据"] == "《建筑法》第七条"


def test_export_gives_the_version_in_force_on_the_day(bureau: Any, catalog: Any) -> None:
    item = catalog["licensing"]
    latest = item.latest_version()
    revise_item(
        actor=bureau.pilot,
        item=item,
        content=content_of(latest).replace(name="建筑工程施工许可（新）"),
        effective_from=datetime.date(2030, 1, 1),
        reason="改名",
    )
    assert exported(bureau)["XK-JZ-001"]["事项名称"] == "建筑工程施工许可"
    _, rows = export_catalog(on=datetime.date(2030, 1, 1), body=bureau.body)
    assert {r[0]: r[1] for r in rows}["XK-JZ-001"] == "建筑工程施工许可（新）"
    # re-importing today's export does not undo the scheduled version
    report = import_catalog(
        actor=bureau.pilot,
        body=bureau.body,
        content=write_csv(*export_catalog(body=bureau.body)),
        filename="a.csv",
    )
    assert (report.created, report.revised, report.unchanged) == (0, 0, 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_unchanged_export_creates_no_versions(bureau: Any, catalog: Any, fmt: str) -> None:
    headers, rows = export_catalog(body=bureau.body)
    content = write_csv(headers, rows) if fmt == "csv" else write_xlsx(headers, rows, "执法事项")
    before = versions()
    report = import_catalog(actor=bureau.pilot, body=bureau.body, content=content, filename=f"清单.{fmt}")
    assert (report.created, report.revised, report.unchanged) == (0, 0, 2)
    assert versions() == before


def test_changing_one_name_creates_exactly_one_version_with_the_reason(bureau: Any, catalog: Any) -> None:
    rows = exported(bureau)
    rows["XK-JZ-001"].update({"事项名称": "建筑工程施工许可证核发", "调整原因": "按省级清单统一名称"})
    before = versions()
    report = import_catalog(
        actor=bureau.pilot, body=bureau.body, content=csv_of(list(rows.values())), filename="a.csv"
    )
    assert (report.created, report.revised, report.unchanged) == (0, 1, 1)
    assert versions() == before + 1
    item = EnforcementItem.objects.get(code="XK-JZ-001")
    new, old = item.versions.order_by("-number")
    assert (new.number, new.name, new.change_reason, new.created_by) == (
        2,
        "建筑工程施工许可证核发",
        "按省级清单统一名称",
        bureau.pilot,
    )
    assert new.effective_from == timezone.localdate()  # the exported date kept → in force from today
    assert (old.number, old.name) == (1, "建筑工程施工许可")  # the old version stays
    assert [b.provision.number for b in new.bases.all()] == [7]


def test_change_without_reason_is_refused_and_says_what_changed(bureau: Any, catalog: Any) -> None:
    rows = exported(bureau)
    rows["CF-JZ-001"]["裁量基准"] = "轻微|1|1.3|% 工程合同价款|"
    before = versions()
    with pytest.raises(InvalidInput) as refused:
        import_catalog(
            actor=bureau.pilot, body=bureau.body, content=csv_of(list(rows.values())), filename="a.csv"
        )
    assert versions() == before
    [(row, column, message)] = details(refused.value)
    assert (row, column) == (2, "调整原因")
    assert "裁量基准" in message and "调整原因" in message


def test_new_code_creates_an_item_from_the_spec_example_formats(bureau: Any, catalog: Any) -> None:
    row = {
        "事项编码": "CF-JZ-002",
        "事项名称": "未取得施工许可证擅自施工的处罚",
        "执法类别": "行政处罚",
        "实施科室": "稽查支队",
        "法律依据": "处罚依据：《建筑法》第64条\n违反条款:建筑法第七条",
        "音像记录": "查封、扣押:必须；送达:根据需要音像记录；现场检查：必须",
        "裁量基准": "轻微|1|1.2|% 工程合同价款|；一般|1.2|1.6|%工程合同价款|",
        "随机抽查": "否",
        "生效日期": "2025/6/1",
    }
    report = import_catalog(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert (report.created, report.revised, report.unchanged) == (1, 0, 0)
    version = EnforcementItem.objects.get(code="CF-JZ-002").latest_version()
    assert version is not None
    content = content_of(version)
    assert [(b.provision.number, b.purpose) for b in content.bases] == [(64, "penalty"), (7, "violated")]
    assert content.av_requirements == (
        ("on_site_inspection", "required"),
        ("seal_or_seize", "required"),
        ("service", "as_needed"),
    )
    assert content.brackets == (
        BracketSpec("轻微", "percent_contract", Decimal("1.00"), Decimal("1.20")),
        BracketSpec("一般", "percent_contract", Decimal("1.20"), Decimal("1.60")),
    )
    assert (version.effective_from, version.change_reason) == (datetime.date(2025, 6, 1), "首次编制")


def test_every_bad_row_is_reported_and_nothing_saved(bureau: Any, catalog: Any) -> None:
    good = exported(bureau)["XK-JZ-001"]
    base = {"事项名称": "某事项", "执法类别": "行政处罚", "实施科室": "稽查支队", "法律依据": "建筑法第64条"}
    rows = [
        {**good, "事项名称": "新名称", "调整原因": "改名"},  # a good change, not saved because others fail
        {**base, "事项编码": "A-1", "实施科室": "不存在科"},
        {**base, "事项编码": "A-2", "法律依据": "《建筑法》第六十四条；不存在法第3条"},
        {**base, "事项编码": "A-3", "法律依据": "建筑法第999条"},
        {**base, "事项编码": "A-4", "执法类别": "行政处分"},
        {**base, "事项编码": "A-5", "裁量基准": "轻微|2|1|元|\n一般|x|2|元\n严重|1|2|斤"},
        {**base, "事项编码": "A-6", "执法类别": "行政许可", "裁量基准": "轻微|1|2|元|"},
        {**base, "事项编码": "A-1"},
        {
            **base,
            "事项编码": "A-7",
            "音像记录": "吃饭：必须；送达：偶尔",
            "法定时限规则": "T99",
            "随机抽查": "也许",
        },
    ]
    before = (EnforcementItem.objects.count(), versions())
    with pytest.raises(InvalidInput) as refused:
        import_catalog(actor=bureau.pilot, body=bureau.body, content=csv_of(rows), filename="a.csv")
    assert (EnforcementItem.objects.count(), versions()) == before
    messages = {(row, column): message for row, column, message in details(refused.value)}
    assert "不存在科" in messages[(3, "实施科室")]
    assert "不存在法第3条" in messages[(4, "法律依据")] and "没有《不存在法》" in messages[(4, "法律依据")]
    assert "没有第999条" in messages[(5, "法律依据")]
    assert "行政处分" in messages[(6, "执法类别")]
    bracket_problems = [
        message for row, column, message in details(refused.value) if (row, column) == (7, "裁量基准")
    ]
    assert [p[:3] for p in bracket_problems] == ["第1档", "第2档", "第3档"]  # every bracket's problem
    assert "只有行政处罚事项设裁量基准" in messages[(8, "裁量基准")]
    assert "与第3行重复" in messages[(9, "事项编码")]
    assert {(10, "音像记录"), (10, "法定时限规则"), (10, "随机抽查")} <= set(messages)
    assert (2, "调整原因") not in messages


def test_missing_required_columns_are_named(bureau: Any, catalog: Any) -> None:
    headers = [h for h in HEADERS if h != "法律依据"]
    with pytest.raises(InvalidInput) as refused:
        import_catalog(actor=bureau.pilot, body=bureau.body, content=csv_of([{}], headers), filename="a.csv")
    assert details(refused.value) == [(1, "法律依据", refused.value.message)]


def test_absent_optional_columns_keep_what_the_item_has(bureau: Any, catalog: Any) -> None:
    headers = ["事项编码", "事项名称", "执法类别", "实施科室", "法律依据", "调整原因"]
    row = {**exported(bureau)["CF-JZ-001"], "事项名称": "改名后的处罚事项", "调整原因": "改名"}
    report = import_catalog(
        actor=bureau.pilot, body=bureau.body, content=csv_of([row], headers), filename="a.csv"
    )
    assert report.revised == 1
    version = EnforcementItem.objects.get(code="CF-JZ-001").latest_version()
    assert version is not None
    assert version.name == "改名后的处罚事项"
    assert (
        version.brackets.count() == 2 and version.av_requirements.count() == 2 and version.random_inspection
    )


def test_effective_date_before_the_current_version_is_refused(bureau: Any, catalog: Any) -> None:
    row = {
        **exported(bureau)["XK-JZ-001"],
        "事项名称": "新名称",
        "调整原因": "改名",
        "生效日期": "2024-01-01",
    }
    with pytest.raises(InvalidInput) as refused:
        import_catalog(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert details(refused.value)[0][1] == "生效日期"


def test_unit_head_imports_only_items_of_the_units_they_head(bureau: Any, catalog: Any) -> None:
    rows = exported(bureau)
    rows["CF-JZ-001"].update(
        {"事项名称": "稽查支队的事项", "调整原因": "改名"}
    )  # 稽查支队: counterpart of 工程管理科
    report = import_catalog(
        actor=bureau.head, body=bureau.body, content=csv_of([rows["CF-JZ-001"]]), filename="a.csv"
    )
    assert report.revised == 1
    rows["XK-JZ-001"].update({"事项名称": "审批一科的事项", "调整原因": "改名"})
    with pytest.raises(InvalidInput) as refused:
        import_catalog(
            actor=bureau.head, body=bureau.body, content=csv_of([rows["XK-JZ-001"]]), filename="a.csv"
        )
    assert "无权" in details(refused.value)[0][2]


@pytest.mark.parametrize("persona", ["officer", "reviewer", "outsider"])
def test_others_may_not_import_the_catalogue(bureau: Any, catalog: Any, persona: str) -> None:
    user = get_user_model().objects.get(username=persona)
    with pytest.raises(NotPermitted):
        import_catalog(
            actor=user,
            body=bureau.body,
            content=write_csv(*export_catalog(body=bureau.body)),
            filename="a.csv",
        )


def test_bracket_cell_round_trips_descriptions_with_bars() -> None:
    brackets, problems = parse_brackets("严重|1.6|2|% 工程合同价款|责令停业整顿|情节|严重的")
    assert problems == []
    assert brackets == (
        BracketSpec("严重", "percent_contract", Decimal("1.6"), Decimal("2"), "情节|严重的", "责令停业整顿"),
    )
    _, problems = parse_brackets("轻微|1.234|2|元")
    assert problems == ["第1档的下限“1.234”最多保留两位小数。"]


def test_citation_with_a_clause_is_refused_with_the_article_to_write(bureau: Any, catalog: Any) -> None:
    row = {**exported(bureau)["XK-JZ-001"], "法律依据": "《建筑法》第七条第一款"}
    with pytest.raises(InvalidInput) as refused:
        import_catalog(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert details(refused.value) == [
        (
            2,
            "法律依据",
            "法律依据“《建筑法》第七条第一款”：按条引用即可，请去掉“第一款”，写成“《建筑法》第七条”。",
        )
    ]


def test_text_entered_through_a_web_form_round_trips(bureau: Any, catalog: Any) -> None:
    item = catalog["licensing"]
    latest = item.latest_version()
    revise_item(
        actor=bureau.pilot,
        item=item,
        effective_from=datetime.date(2025, 2, 1),
        reason="补充流程",
        content=content_of(latest).replace(procedure_summary="受理\r\n审查\r\n决定 ", fees="=不收费"),
    )
    before = versions()
    for content in (
        write_csv(*export_catalog(body=bureau.body)),
        write_xlsx(*export_catalog(body=bureau.body), "清单"),
    ):
        report = import_catalog(actor=bureau.pilot, body=bureau.body, content=content, filename="a")
        assert report.unchanged == 2
    assert versions() == before
