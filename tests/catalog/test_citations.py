"""Citations as people write them: 《建筑法》第六十四条, 建筑法第64条, 建筑法 64, with a purpose prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.catalog.citations import (
    LABEL_BY_PURPOSE,
    PURPOSE_BY_LABEL,
    basis_lines,
    format_citation,
    parse_citation,
    split_basis_line,
)
from zhifa.catalog.lawtext import BUNDLED_LAWS_DIR, int_to_chinese_numeral
from zhifa.catalog.models import Provision

SHORT_TITLES = sorted(path.name.split("(")[0] for path in BUNDLED_LAWS_DIR.glob("*.md"))
titles = st.sampled_from(SHORT_TITLES)
numbers = st.integers(min_value=1, max_value=9999)


def label(number: int) -> str:
    return f"第{int_to_chinese_numeral(number)}条"


def test_the_bundle_has_laws_to_cite() -> None:
    assert "建筑法" in SHORT_TITLES and "行政处罚法" in SHORT_TITLES


@given(titles, numbers)
def test_format_then_parse_gives_back_law_and_number(title: str, number: int) -> None:
    assert parse_citation(format_citation(title, label(number))) == (title, number)


@given(
    titles,
    numbers,
    st.sampled_from(
        [
            "{t}第{n}条",
            "{t} {n}",
            "{t}{n}条",
            "《{t}》第 {n} 条",
            " {t}第{n}条 ",
            "《中华人民共和国{t}》{c}",
            "中华人民共和国{t}{c}",
            "{t}{c}",
        ]
    ),
)
def test_every_way_of_writing_a_citation_parses_the_same(title: str, number: int, pattern: str) -> None:
    written = pattern.format(t=title, n=number, c=label(number))
    assert parse_citation(written) == (title, number)


@pytest.mark.parametrize(
    "written",
    [
        "",
        "建筑法",
        "第六十四条",
        "建筑法第0条",
        "建筑法第零条",
        "建筑法第六十四条第一款",
        "建筑法第64条、第65条",
        "《》第一条",
        "hello",
    ],
)
def test_what_is_not_one_citation_is_none(written: str) -> None:
    assert parse_citation(written) is None


@given(st.sampled_from(sorted(PURPOSE_BY_LABEL)), st.sampled_from(["：", ":"]), titles, numbers)
def test_a_purpose_prefix_is_split_off(prefix: str, sep: str, title: str, number: int) -> None:
    citation = format_citation(title, label(number))
    purpose, rest = split_basis_line(f"{prefix}{sep} {citation}")
    assert purpose == PURPOSE_BY_LABEL[prefix]
    assert LABEL_BY_PURPOSE[purpose] == prefix
    assert parse_citation(rest) == (title, number)


def test_no_prefix_means_authority() -> None:
    assert split_basis_line("《建筑法》第七条") == ("authority", "《建筑法》第七条")


@given(
    st.lists(st.tuples(titles, numbers), min_size=1, max_size=6), st.sampled_from(["\n", "；", ";", "\n\n"])
)
def test_basis_lines_split_a_block_into_its_citations(cited: list[tuple[str, int]], sep: str) -> None:
    block = sep.join(format_citation(t, label(n)) for t, n in cited) + sep
    assert [parse_citation(line) for line in basis_lines(block)] == cited


@pytest.mark.django_db
def test_every_stored_provision_parses_back_to_itself() -> None:
    """The edit form writes ``str(provision)`` into the basis field; reading it must find the same row."""
    for provision in Provision.objects.select_related("law").iterator():
        assert parse_citation(str(provision)) == (provision.law.short_title, provision.number), provision
