"""Tests for zhifa.catalog.lawtext against the bundled statutes and synthetic texts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.catalog.lawtext import (
    BUNDLED_LAWS_DIR,
    LawParseError,
    ParsedLaw,
    chinese_numeral_to_int,
    int_to_chinese_numeral,
    iter_bundled_laws,
    parse_law,
    parse_law_file,
)

BUNDLED_FILES = sorted(BUNDLED_LAWS_DIR.glob("*.md"))


@pytest.fixture(scope="module")
def laws() -> dict[str, ParsedLaw]:
    return {law.short_title: law for law in iter_bundled_laws()}


# ---------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------

KNOWN_NUMERALS = [
    (1, "一"),
    (9, "九"),
    (10, "十"),
    (11, "十一"),
    (19, "十九"),
    (20, "二十"),
    (21, "二十一"),
    (64, "六十四"),
    (100, "一百"),
    (101, "一百零一"),
    (103, "一百零三"),
    (110, "一百一十"),
    (111, "一百一十一"),
    (120, "一百二十"),
    (999, "九百九十九"),
    (1000, "一千"),
    (1001, "一千零一"),
    (1010, "一千零一十"),
    (1011, "一千零一十一"),
    (1100, "一千一百"),
    (1110, "一千一百一十"),
    (2020, "二千零二十"),
    (9999, "九千九百九十九"),
]


@pytest.mark.parametrize(("number", "numeral"), KNOWN_NUMERALS)
def test_int_to_chinese_numeral_known_values(number: int, numeral: str) -> None:
    assert int_to_chinese_numeral(number) == numeral


@pytest.mark.parametrize(("number", "numeral"), KNOWN_NUMERALS)
def test_chinese_numeral_to_int_known_values(number: int, numeral: str) -> None:
    assert chinese_numeral_to_int(numeral) == number


@pytest.mark.parametrize(("numeral", "number"), [("一十", 10), ("零", 0), ("〇", 0), ("一百〇三", 103)])
def test_chinese_numeral_to_int_accepts_variants(numeral: str, number: int) -> None:
    assert chinese_numeral_to_int(numeral) == number


@pytest.mark.parametrize(
    "numeral",
    ["", "一二", "百", "十十", "一百十", "一百三", "一十百", "一百零", "零一", "一零", "五万", "第一", "1"],
)
def test_chinese_numeral_to_int_refuses_malformed(numeral: str) -> None:
    with pytest.raises(ValueError, match="中文数字"):
        chinese_numeral_to_int(numeral)


@pytest.mark.parametrize("number", [0, -1, 10_000, True])
def test_int_to_chinese_numeral_refuses_out_of_range(number: int) -> None:
    with pytest.raises(ValueError, match="1到9999"):
        int_to_chinese_numeral(number)


@given(st.integers(min_value=1, max_value=9999))
def test_numeral_round_trip(number: int) -> None:
    numeral = int_to_chinese_numeral(number)
    assert chinese_numeral_to_int(numeral) == number
    # Statutory style never starts with 一十 and never ends with 零.
    assert not numeral.startswith("一十")
    assert not numeral.endswith("零")


def test_numeral_conversion_is_injective_over_the_whole_range() -> None:
    numerals = {int_to_chinese_numeral(number) for number in range(1, 10_000)}
    assert len(numerals) == 9999


# ---------------------------------------------------------------------------
# Bundled statutes
# ---------------------------------------------------------------------------


def test_bundled_folder_is_not_empty() -> None:
    assert len(BUNDLED_FILES) >= 17


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda path: path.stem)
def test_every_bundled_file_parses_with_consecutive_articles(path: Path) -> None:
    law = parse_law_file(path)
    numbers = [provision.number for provision in law.provisions]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(provision.text.strip() for provision in law.provisions)
    assert all(
        provision.label == f"第{int_to_chinese_numeral(provision.number)}条" for provision in law.provisions
    )
    # The article label itself is not repeated in the text.
    assert not any(provision.text.startswith(provision.label) for provision in law.provisions)


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda path: path.stem)
def test_bundled_filename_matches_title_and_gives_amendment_date(path: Path) -> None:
    law = parse_law_file(path)
    title_part, _, date_part = path.stem.partition("(")
    assert title_part == law.short_title
    assert law.amended_on == datetime.date.fromisoformat(date_part.rstrip(")"))
    assert law.history
    assert "INFO END" not in law.history


def test_iter_bundled_laws_yields_every_file_in_filename_order() -> None:
    titles = [law.short_title for law in iter_bundled_laws()]
    assert titles == [path.stem.partition("(")[0] for path in BUNDLED_FILES]


@pytest.mark.parametrize(
    ("short_title", "count"),
    [
        ("行政处罚法", 86),
        ("建筑法", 85),
        ("建设工程质量管理条例", 82),
        ("行政许可法", 83),
        ("行政强制法", 71),
        ("城市房地产管理法", 73),
        ("全国年节及纪念日放假办法", 8),
    ],
)
def test_article_counts(laws: dict[str, ParsedLaw], short_title: str, count: int) -> None:
    assert len(laws[short_title].provisions) == count


def test_titles(laws: dict[str, ParsedLaw]) -> None:
    assert laws["建筑法"].title == "中华人民共和国建筑法"
    assert laws["建设工程质量管理条例"].title == "建设工程质量管理条例"
    assert laws["政府信息公开条例"].title == "中华人民共和国政府信息公开条例"


def test_building_law_article_64(laws: dict[str, ParsedLaw]) -> None:
    article = laws["建筑法"].provision(64)
    assert article.label == "第六十四条"
    assert "施工许可证" in article.text
    assert article.chapter == "第七章 法律责任"
    assert article.section == ""


def test_administrative_penalty_law_spot_checks(laws: dict[str, ParsedLaw]) -> None:
    law = laws["行政处罚法"]
    assert law.amended_on == datetime.date(2021, 1, 22)
    assert "法制审核" in law.provision(58).text
    article_51 = law.provision(51)
    assert "二百元" in article_51.text
    assert "三千元" in article_51.text
    assert article_51.chapter == "第五章 行政处罚的决定"
    assert article_51.section == "第二节 简易程序"
    assert law.provision(58).section == "第三节 普通程序"
    # A new chapter resets the section.
    assert law.provision(86).chapter == "第八章 附则"
    assert law.provision(86).section == ""
    assert law.history.splitlines()[0] == "1996年3月17日 第八届全国人民代表大会第四次会议通过"
    assert len(law.history.splitlines()) == 4


def test_construction_quality_regulation_article_57(laws: dict[str, ParsedLaw]) -> None:
    article = laws["建设工程质量管理条例"].provision(57)
    assert article.label == "第五十七条"
    assert "施工许可证" in article.text
    assert article.chapter == "第八章 罚则"


def test_multi_paragraph_article_keeps_paragraphs(laws: dict[str, ParsedLaw]) -> None:
    article = laws["行政处罚法"].provision(5)
    assert article.text.split("\n") == [
        "行政处罚遵循公正、公开的原则。",
        "设定和实施行政处罚必须以事实为依据，与违法行为的事实、性质、情节以及社会危害程度相当。",
        "对违法行为给予行政处罚的规定必须公布；未经公布的，不得作为行政处罚的依据。",
    ]
    enumeration = laws["行政处罚法"].provision(58).text.split("\n")
    assert enumeration[1] == "（一）涉及重大公共利益的；"
    assert len(enumeration) == 6


def test_spaced_headings_are_normalised(laws: dict[str, ParsedLaw]) -> None:
    # Source headings are “## 第一章 总 则”, “### 第二节 发 包” and “## 第二章  房地产开发用地”.
    assert laws["建筑法"].provision(1).chapter == "第一章 总则"
    assert laws["建筑法"].provision(22).section == "第二节 发包"
    assert laws["城市房地产管理法"].provision(8).chapter == "第二章 房地产开发用地"
    assert laws["城市房地产管理法"].provision(8).section == "第一节 土地使用权出让"


def test_statute_without_chapters(laws: dict[str, ParsedLaw]) -> None:
    law = laws["全国年节及纪念日放假办法"]
    assert {(provision.chapter, provision.section) for provision in law.provisions} == {("", "")}


def test_articles_before_the_first_chapter_heading_have_no_chapter(laws: dict[str, ParsedLaw]) -> None:
    # 城市房地产管理法 as bundled lacks the “## 第一章 总则” heading: articles 1-7 are chapterless.
    law = laws["城市房地产管理法"]
    assert law.provision(7).chapter == ""
    assert law.provision(8).chapter.startswith("第二章")


def test_provision_lookup_out_of_range(laws: dict[str, ParsedLaw]) -> None:
    with pytest.raises(KeyError):
        laws["建筑法"].provision(86)
    with pytest.raises(KeyError):
        laws["建筑法"].provision(0)


# ---------------------------------------------------------------------------
# Synthetic texts
# ---------------------------------------------------------------------------

MINIMAL = """# 中华人民共和国测试法

2020年1月1日 通过

<!-- INFO END -->

## 第一章 总 则

第一条 第一款。

第二款。

### 第一节 一般规定

第二条\u3000有下列情形之一的：
（一）甲；
（二）乙。
第三条
正文在下一行。

## 第二章 附则

第四条 第三条规定的情形除外。
第三条规定的事项，另行规定。
"""


def test_parse_minimal_text() -> None:
    law = parse_law(MINIMAL, filename="测试法(2020-01-01).md")
    assert law.title == "中华人民共和国测试法"
    assert law.short_title == "测试法"
    assert law.amended_on == datetime.date(2020, 1, 1)
    assert law.history == "2020年1月1日 通过"
    assert [provision.text for provision in law.provisions] == [
        "第一款。\n第二款。",
        "有下列情形之一的：\n（一）甲；\n（二）乙。",
        "正文在下一行。",
        # A line starting with “第三条规定” is a cross-reference, not a new article.
        "第三条规定的情形除外。\n第三条规定的事项，另行规定。",
    ]
    assert [(provision.chapter, provision.section) for provision in law.provisions] == [
        ("第一章 总则", ""),
        ("第一章 总则", "第一节 一般规定"),
        ("第一章 总则", "第一节 一般规定"),
        ("第二章 附则", ""),
    ]


def test_parse_without_filename_or_marker() -> None:
    law = parse_law("# 某条例\n\n2000年1月1日 公布\n\n第一条 内容。\r\n第二条 内容。")
    assert law.amended_on is None
    assert law.history == "2000年1月1日 公布"
    assert [provision.number for provision in law.provisions] == [1, 2]


def test_parse_accepts_byte_order_mark_and_full_width_filename_parentheses() -> None:
    law = parse_law("\ufeff# 某条例\n第一条 内容。", filename="某条例（2001-02-03）.md")
    assert law.title == "某条例"
    assert law.amended_on == datetime.date(2001, 2, 3)


def lines_of(body: str) -> str:
    return "# 某法\n\n<!-- INFO END -->\n\n" + body


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "法规文本：文本为空"),
        ("  \n\n\u3000\n", "法规文本：文本为空"),
        ("第一条 没有标题。", "法规文本第1行：第一行应为“# 法规标题”（“第一条 没有标题。”）"),
        ("## 第一章 总则\n第一条 内容。", "第1行：第一行应为“# 法规标题”"),
        ("#\n第一条 内容。", "第1行：第一行应为“# 法规标题”"),
        (lines_of("## 第一章 总则\n"), "没有找到任何条文"),
        (lines_of("第二条 从第二条开始。"), "第5行：条号不连续：应为第一条，实为第二条"),
        (lines_of("第一条 甲。\n第三条 丙。"), "第6行：条号不连续：应为第二条，实为第三条"),
        (lines_of("第一条 甲。\n第二条 乙。\n第二条 又是乙。"), "第7行：重复的条号：第二条已经出现过"),
        (lines_of("第一条 甲。\n第二条 乙。\n第一条 又是甲。"), "第7行：重复的条号：第一条已经出现过"),
        (lines_of("第一条 甲。\n第一百三条 乙。"), "第6行：条号无法识别"),
        (lines_of("前言文字。\n第一条 甲。"), "第5行：条文之前出现无法归属于任何条的文字"),
        (lines_of("第一条\n## 第二章 附则\n第二条 乙。"), "第5行：该条没有正文"),
        (lines_of("第一条 甲。\n#### 小标题"), "第6行：无法识别的标题层级"),
        (lines_of("第一条 甲。\n# 又一个标题"), "第6行：无法识别的标题层级"),
        (lines_of("第一条 甲。\n##   "), "第6行：标题为空"),
    ],
)
def test_malformed_texts_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(LawParseError) as excinfo:
        parse_law(text)
    assert fragment in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_error_names_the_file_and_line() -> None:
    with pytest.raises(LawParseError) as excinfo:
        parse_law(lines_of("第一条 甲。\n第三条 丙。"), filename="/some/dir/某法(2020-01-01).md")
    error = excinfo.value
    assert str(error) == "《某法(2020-01-01).md》第6行：条号不连续：应为第二条，实为第三条（“第三条 丙。”）"
    assert error.lineno == 6
    assert error.problem == "条号不连续：应为第二条，实为第三条"


def test_invalid_date_in_filename_is_refused() -> None:
    with pytest.raises(LawParseError, match="文件名中的日期“2019-02-30”无效"):
        parse_law("# 某法\n第一条 甲。", filename="某法(2019-02-30).md")


def test_parse_law_file_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "临时条例(2022-05-06).md"
    path.write_text("# 临时条例\n\n<!-- INFO END -->\n\n第一条 甲。\n\n第二条 乙。\n", encoding="utf-8")
    law = parse_law_file(path)
    assert law.short_title == "临时条例"
    assert law.amended_on == datetime.date(2022, 5, 6)
    assert [provision.label for provision in law.provisions] == ["第一条", "第二条"]


def test_parsed_objects_are_frozen(laws: dict[str, ParsedLaw]) -> None:
    law = laws["建筑法"]
    with pytest.raises(AttributeError):
        law.title = "改"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        law.provisions[0].text = "改"  # type: ignore[misc]
