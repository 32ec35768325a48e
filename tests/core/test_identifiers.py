"""Tests for zhifa.core.identifiers (pure Python, no database)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhifa.core import identifiers
from zhifa.core.identifiers import (
    USCC_CHARSET,
    birthdate_from_resident_id,
    mask_name,
    mask_phone,
    mask_resident_id,
    resident_id_check_digit,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

# Widely published sample (福州, 企业) and the example from GB 11643-1999 itself.
SAMPLE_USCC = "91350100M000100Y43"
SAMPLE_RESIDENT_ID = "11010519491231002X"


def refusal(validator: Callable[[str], object], value: str) -> ValidationError:
    """Run a validator expected to refuse ``value`` and return the error."""
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value


# ---------------------------------------------------------------------------
# USCC: known values
# ---------------------------------------------------------------------------


def test_sample_uscc_check_character_is_computed_not_copied() -> None:
    assert uscc_check_character(SAMPLE_USCC[:17]) == "3"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("91350100M000100Y4", "3"),
        # Values below were computed by hand from the GB 32100 weights, independently of the module.
        ("91110000802100433", "B"),
        ("11100000000013127", "D"),
        ("52440300MJL1234AA", "N"),
        ("Y1110000MA0000001", "Y"),
        ("00000000000000000", "0"),  # all-zero sum: check must be 0, not 31
    ],
)
def test_uscc_check_character_known_values(first17: str, expected: str) -> None:
    assert uscc_check_character(first17) == expected


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100Y4X", "91350100M000100I4"])
def test_uscc_check_character_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_character(bad)


def test_validate_uscc_accepts_and_returns_sample() -> None:
    assert validate_uscc(SAMPLE_USCC) == SAMPLE_USCC


def test_validate_uscc_normalises_whitespace_case_and_full_width() -> None:
    assert validate_uscc("  91350100m000100y43\t") == SAMPLE_USCC
    assert validate_uscc("\u3000９１３５０１００Ｍ０００１００Ｙ４３") == SAMPLE_USCC


@pytest.mark.parametrize("department", list("123456789AGJNQY"))
def test_validate_uscc_accepts_every_registration_department(department: str) -> None:
    first17 = department + "1" + "110000" + "MA0000001"
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code) == code


# ---------------------------------------------------------------------------
# USCC: each refusal with its code and message
# ---------------------------------------------------------------------------


def with_check(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("91350100M000100Y4", "uscc_length", "统一社会信用代码应为18位，当前为17位。"),
        ("91350100M000100Y431", "uscc_length", "统一社会信用代码应为18位，当前为19位。"),
        ("", "uscc_length", "统一社会信用代码应为18位，当前为0位。"),
        (
            "91350100M000100I43",
            "uscc_charset",
            "统一社会信用代码第16位的字符“I”不合规：只能使用数字和除I、O、Z、S、V以外的大写英文字母。",
        ),
        (
            "9135010-M000100Y43",
            "uscc_charset",
            "统一社会信用代码第8位的字符“-”不合规：只能使用数字和除I、O、Z、S、V以外的大写英文字母。",
        ),
        (
            with_check("B1350100M000100Y4"),
            "uscc_department",
            "统一社会信用代码第1位（登记管理部门代码）“B”不是有效的登记管理部门代码。",
        ),
        (
            with_check("01350100M000100Y4"),
            "uscc_department",
            "统一社会信用代码第1位（登记管理部门代码）“0”不是有效的登记管理部门代码。",
        ),
        (
            with_check("90350100M000100Y4"),
            "uscc_category",
            "统一社会信用代码第2位（机构类别代码）“0”无效，应为1至9的数字。",
        ),
        (
            with_check("9A350100M000100Y4"),
            "uscc_category",
            "统一社会信用代码第2位（机构类别代码）“A”无效，应为1至9的数字。",
        ),
        (
            with_check("9135A100M000100Y4"),
            "uscc_region",
            "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字，当前为“35A100”。",
        ),
        (
            "91350100M000100Y44",
            "uscc_check",
            "统一社会信用代码校验码错误：第18位应为“3”，实为“4”，请核对是否录入有误。",
        ),
    ],
)
def test_validate_uscc_refusals(value: str, code: str, message: str) -> None:
    error = refusal(validate_uscc, value)
    assert error.code == code
    assert error.messages == [message]


def test_uscc_length_is_checked_before_charset() -> None:
    assert refusal(validate_uscc, "ISOZV").code == "uscc_length"


# ---------------------------------------------------------------------------
# USCC: properties
# ---------------------------------------------------------------------------

uscc_first17 = st.builds(
    lambda department, category, region, subject: department + category + region + subject,
    st.sampled_from("123456789AGJNQY"),
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
)


@given(uscc_first17)
def test_uscc_built_with_computed_check_character_validates(first17: str) -> None:
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code) == code


@given(uscc_first17, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET))
def test_uscc_any_single_substitution_is_refused(first17: str, position: int, replacement: str) -> None:
    code = first17 + uscc_check_character(first17)
    if code[position] == replacement:
        # Make it a real change: pick the next character of the set instead.
        replacement = USCC_CHARSET[(USCC_CHARSET.index(replacement) + 1) % len(USCC_CHARSET)]
    mutated = code[:position] + replacement + code[position + 1 :]
    assert mutated != code
    with pytest.raises(ValidationError):
        validate_uscc(mutated)


@given(uscc_first17, st.sampled_from(["", " ", "\t", "\u3000"]), st.booleans())
def test_validate_uscc_is_idempotent(first17: str, padding: str, lower: bool) -> None:
    code = first17 + uscc_check_character(first17)
    raw = padding + (code.lower() if lower else code) + padding
    once = validate_uscc(raw)
    assert once == code
    assert validate_uscc(once) == once


# ---------------------------------------------------------------------------
# Resident ID: known values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # GB 11643-1999 example
        ("44052418800101001", "4"),  # GB 11643-1999 example
        ("43040519800101123", "9"),
        # One number per remainder 0..10, computed by hand, so every check character is covered.
        ("32016819560619059", "1"),
        ("32018119620611560", "0"),
        ("32016419630111444", "X"),
        ("32015419530213645", "9"),
        ("32014119590710074", "8"),
        ("32018019870119599", "7"),
        ("32015019530410570", "6"),
        ("32013819830815746", "5"),
        ("32015319540411564", "4"),
        ("32018719610219584", "3"),
        ("32017919910117921", "2"),
    ],
)
def test_resident_id_check_digit_known_values(first17: str, expected: str) -> None:
    assert resident_id_check_digit(first17) == expected


@pytest.mark.parametrize("bad", ["", "1101051949123100", "1101051949123100X", "110105194912310021"])
def test_resident_id_check_digit_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        resident_id_check_digit(bad)


def test_validate_resident_id_accepts_gb_example() -> None:
    assert validate_resident_id(SAMPLE_RESIDENT_ID) == SAMPLE_RESIDENT_ID


def test_gb_example_born_1880_is_refused_by_the_1900_rule_not_the_check_digit() -> None:
    assert refusal(validate_resident_id, "440524188001010014").code == "rid_birthdate"


def test_validate_resident_id_accepts_lower_case_x_and_normalises_it() -> None:
    assert validate_resident_id(" 11010519491231002x ") == SAMPLE_RESIDENT_ID


@pytest.mark.parametrize("province", ["11", "15", "46", "50", "54", "65", "71", "81", "82", "83"])
def test_validate_resident_id_accepts_province_codes(province: str) -> None:
    first17 = province + "010519800101123"
    number = first17 + resident_id_check_digit(first17)
    assert validate_resident_id(number) == number


def test_birthdate_from_resident_id() -> None:
    assert birthdate_from_resident_id(SAMPLE_RESIDENT_ID) == datetime.date(1949, 12, 31)
    assert birthdate_from_resident_id("11010519491231002x") == datetime.date(1949, 12, 31)


def test_birthdate_from_resident_id_refuses_invalid_number() -> None:
    assert refusal(birthdate_from_resident_id, "110105194912310021").code == "rid_check"


# ---------------------------------------------------------------------------
# Resident ID: each refusal with its code and message
# ---------------------------------------------------------------------------


def rid(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("430405800101123", "rid_length", "居民身份证号码应为18位，当前为15位。"),
        ("", "rid_length", "居民身份证号码应为18位，当前为0位。"),
        (
            "1101051949123100XX",
            "rid_charset",
            "居民身份证号码第17位的字符“X”不合规：前17位只能是数字，第18位只能是数字或X。",
        ),
        (
            "11010519491231002Y",
            "rid_charset",
            "居民身份证号码第18位的字符“Y”不合规：前17位只能是数字，第18位只能是数字或X。",
        ),
        (rid("10010519491231002"), "rid_region", "居民身份证号码前2位“10”不是有效的省级行政区划代码。"),
        (rid("16010519491231002"), "rid_region", "居民身份证号码前2位“16”不是有效的省级行政区划代码。"),
        (rid("84010519491231002"), "rid_region", "居民身份证号码前2位“84”不是有效的省级行政区划代码。"),
        (
            rid("11010519990229002"),
            "rid_birthdate",
            "居民身份证号码第7至14位“19990229”不是有效的出生日期。",
        ),
        (
            rid("11010519801301002"),
            "rid_birthdate",
            "居民身份证号码第7至14位“19801301”不是有效的出生日期。",
        ),
        (
            rid("11010518991231002"),
            "rid_birthdate",
            "居民身份证号码中的出生日期1899-12-31早于1900年1月1日。",
        ),
        (
            rid("11010529990101002"),
            "rid_birthdate",
            "居民身份证号码中的出生日期2999-01-01晚于今天。",
        ),
        (
            "110105194912310021",
            "rid_check",
            "居民身份证号码校验码错误：第18位应为“X”，实为“1”，请核对是否录入有误。",
        ),
    ],
)
def test_validate_resident_id_refusals(value: str, code: str, message: str) -> None:
    error = refusal(validate_resident_id, value)
    assert error.code == code
    assert error.messages == [message]


def test_birthdate_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identifiers, "_china_today", lambda: datetime.date(2024, 2, 29))
    assert validate_resident_id(rid("11010520240229002"))  # born today: fine
    assert validate_resident_id(rid("11010519000101002"))  # earliest accepted date
    assert refusal(validate_resident_id, rid("11010520240301002")).code == "rid_birthdate"


# ---------------------------------------------------------------------------
# Resident ID: properties
# ---------------------------------------------------------------------------

PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
]  # fmt: skip

resident_first17 = st.builds(
    lambda province, area, born, sequence: province + area + born.strftime("%Y%m%d") + sequence,
    st.sampled_from(PROVINCES),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    # Yesterday at the latest, so the test does not depend on the time zone it runs in.
    st.dates(
        min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today() - datetime.timedelta(days=1)
    ),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@given(resident_first17)
def test_resident_id_built_with_computed_check_digit_validates(first17: str) -> None:
    number = first17 + resident_id_check_digit(first17)
    assert validate_resident_id(number) == number


@given(resident_first17, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_resident_id_any_single_substitution_is_refused(
    first17: str, position: int, replacement: str
) -> None:
    number = first17 + resident_id_check_digit(first17)
    allowed = "0123456789X" if position == 17 else "0123456789"
    if replacement not in allowed or replacement == number[position]:
        # Make it a real change to another allowed character.
        current = allowed.index(number[position])
        replacement = allowed[(current + 1) % len(allowed)]
    mutated = number[:position] + replacement + number[position + 1 :]
    assert mutated != number
    with pytest.raises(ValidationError):
        validate_resident_id(mutated)


@given(resident_first17, st.sampled_from(["", " ", "\u3000"]))
def test_validate_resident_id_is_idempotent(first17: str, padding: str) -> None:
    number = first17 + resident_id_check_digit(first17)
    once = validate_resident_id(padding + number.lower() + padding)
    assert once == number
    assert validate_resident_id(once) == once


# ---------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("430405198001011234", "430405********1234"),
        ("11010519491231002X", "110105********002X"),
        (" 430405800101123 ", "430405*****1123"),  # old 15-digit number
        ("12345678901234", "123456****1234"),  # shortest that keeps both ends
        ("1234567890123", "*************"),  # too short: ends would reveal nearly all
        ("", ""),
        (None, ""),
    ],
)
def test_mask_resident_id(value: str | None, expected: str) -> None:
    assert mask_resident_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("01012345678", "010****5678"),
        ("12345678", "********"),
        ("1234567890", "**********"),
        ("110", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿依古丽·买买提", "阿*******"),
        (" 李四 ", "李*"),
        ("张", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value: str | None, expected: str) -> None:
    assert mask_name(value) == expected


@given(st.text(max_size=40))
def test_masks_never_lengthen_and_hide_something(value: str) -> None:
    for mask in (mask_resident_id, mask_phone, mask_name):
        masked = mask(value)
        assert len(masked) == len(value.strip())
        if masked:
            assert "*" in masked
