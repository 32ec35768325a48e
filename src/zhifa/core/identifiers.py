"""Validation and masking of Chinese identifiers.

Used wherever an identifier is entered (forms, CSV import, API) so that every entry point refuses
the same values with the same Chinese explanation of which rule failed.

* 统一社会信用代码 (USCC) per GB 32100-2015 and its amendments;
* 居民身份证号码 per GB 11643-1999 (check digit: ISO 7064 MOD 11-2);
* masking helpers for pages shown to the public (行政执法公示).
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Final

from django.core.exceptions import ValidationError

__all__ = [
    "USCC_CHARSET",
    "birthdate_from_resident_id",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "resident_id_check_digit",
    "uscc_check_character",
    "validate_resident_id",
    "validate_uscc",
]

# ---------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------

USCC_LENGTH: Final = 18
# I, O, Z, S, V are left out because they are easily confused with 1, 0, 2, 5, U.
USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final[dict[str, int]] = {char: index for index, char in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_MODULUS: Final = 31

# 登记管理部门代码 (first character).  GB 32100-2015 table 1 only lists 1 机构编制, 5 民政,
# 9 工商 and Y 其他, but amendment No. 1 (GB 32100-2015/XG1-2016) and the code table kept by the
# national code management centre (全国组织机构统一社会信用代码数据服务中心) have since added
# more registration authorities, and codes issued by them are in circulation.  Refusing them
# would block real organisations (e.g. 业主大会 registered by 住建 under J), so all of these are
# accepted:
#   1 机构编制  2 外交  3 司法行政  4 文化  5 民政  6 旅游  7 宗教  8 工会  9 工商（市场监管）
#   A 中央军委改革和编制办公室  G 公安（境外非政府组织代表机构）  J 住房和城乡建设（业主大会）
#   N 农业农村（农村集体经济组织）  Q 侨联  Y 其他
USCC_DEPARTMENTS: Final = frozenset("123456789AGJNQY")

# 机构类别代码 (second character).  Every category in every published version of the table is a
# digit from 1 to 9 (9 meaning 其他 under each department), while the per-department lists keep
# growing (e.g. 3-6 商事调解组织, 8-2 非法人工会).  Checking exact department/category pairs would
# go stale and refuse valid codes, so only the defensible part is checked: a digit 1-9.
USCC_CATEGORIES: Final = frozenset("123456789")


def _normalise(value: str) -> str:
    # NFKC turns full-width letters/digits typed with a Chinese IME (９１３５…) into ASCII;
    # strip() also removes the full-width space U+3000.
    return unicodedata.normalize("NFKC", value).strip().upper()


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100 check character (18th) for the first 17 characters of a USCC."""
    if len(first17) != USCC_LENGTH - 1 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError(f"uscc_check_character needs 17 characters from {USCC_CHARSET!r}: {first17!r}")
    total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(_USCC_MODULUS - total % _USCC_MODULUS) % _USCC_MODULUS]


def _check_uscc_length(code: str) -> None:
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            "统一社会信用代码应为18位，当前为%(length)d位。",
            code="uscc_length",
            params={"length": len(code)},
        )


def _check_uscc_charset(code: str) -> None:
    for position, char in enumerate(code, start=1):
        if char not in _USCC_VALUES:
            raise ValidationError(
                "统一社会信用代码第%(position)d位的字符“%(char)s”不合规："
                "只能使用数字和除I、O、Z、S、V以外的大写英文字母。",
                code="uscc_charset",
                params={"position": position, "char": char},
            )


def _check_uscc_department(code: str) -> None:
    if code[0] not in USCC_DEPARTMENTS:
        raise ValidationError(
            "统一社会信用代码第1位（登记管理部门代码）“%(char)s”不是有效的登记管理部门代码。",
            code="uscc_department",
            params={"char": code[0]},
        )


def _check_uscc_category(code: str) -> None:
    if code[1] not in USCC_CATEGORIES:
        raise ValidationError(
            "统一社会信用代码第2位（机构类别代码）“%(char)s”无效，应为1至9的数字。",
            code="uscc_category",
            params={"char": code[1]},
        )


def _check_uscc_region(code: str) -> None:
    region = code[2:8]
    if not all(char in "0123456789" for char in region):
        raise ValidationError(
            "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字，当前为“%(region)s”。",
            code="uscc_region",
            params={"region": region},
        )


def _check_uscc_check_character(code: str) -> None:
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            "统一社会信用代码校验码错误：第18位应为“%(expected)s”，实为“%(actual)s”，请核对是否录入有误。",
            code="uscc_check",
            params={"expected": expected, "actual": code[17]},
        )


def validate_uscc(value: str) -> str:
    """Validate a 统一社会信用代码 and return it normalised (stripped, upper case).

    Raises ``ValidationError`` whose code names the first rule that failed: ``uscc_length``,
    ``uscc_charset``, ``uscc_department``, ``uscc_category``, ``uscc_region`` or ``uscc_check``.
    """
    code = _normalise(value)
    _check_uscc_length(code)
    _check_uscc_charset(code)
    _check_uscc_department(code)
    _check_uscc_category(code)
    _check_uscc_region(code)
    _check_uscc_check_character(code)
    return code


# ---------------------------------------------------------------------------
# 居民身份证号码 (GB 11643-1999)
# ---------------------------------------------------------------------------

RESIDENT_ID_LENGTH: Final = 18
_DIGITS: Final = "0123456789"
# ISO 7064 MOD 11-2: weight of position i (1-based) is 2^(18-i) mod 11.
_RID_WEIGHTS: Final = tuple(pow(2, 17 - index, 11) for index in range(17))
_RID_CHECK_CHARACTERS: Final = "10X98765432"

# Province-level codes of GB/T 2260.  71 (台湾) exists in GB/T 2260 even though no 居民身份证 is
# issued there; 81/82/83 prefix the 港澳台居民居住证 numbers, which share this format and are
# entered in the same fields, so they are accepted too.
_PROVINCE_CODES: Final = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)
_EARLIEST_BIRTHDATE: Final = datetime.date(1900, 1, 1)
# Numbers are issued in China, so "the future" is judged in China Standard Time.  A fixed offset
# (no DST since 1991) avoids depending on a tz database being installed.
_CHINA_STANDARD_TIME: Final = datetime.timezone(datetime.timedelta(hours=8), "CST")


def _china_today() -> datetime.date:
    return datetime.datetime.now(_CHINA_STANDARD_TIME).date()


def resident_id_check_digit(first17: str) -> str:
    """Return the GB 11643 check character (``0``-``9`` or ``X``) for the first 17 digits."""
    if len(first17) != RESIDENT_ID_LENGTH - 1 or any(char not in _DIGITS for char in first17):
        raise ValueError(f"resident_id_check_digit needs 17 ASCII digits: {first17!r}")
    total = sum(int(char) * weight for char, weight in zip(first17, _RID_WEIGHTS, strict=True))
    return _RID_CHECK_CHARACTERS[total % 11]


def _check_rid_length(number: str) -> None:
    if len(number) != RESIDENT_ID_LENGTH:
        raise ValidationError(
            "居民身份证号码应为18位，当前为%(length)d位。",
            code="rid_length",
            params={"length": len(number)},
        )


def _check_rid_charset(number: str) -> None:
    for position, char in enumerate(number, start=1):
        allowed = _DIGITS + "X" if position == RESIDENT_ID_LENGTH else _DIGITS
        if char not in allowed:
            raise ValidationError(
                "居民身份证号码第%(position)d位的字符“%(char)s”不合规：前17位只能是数字，第18位只能是数字或X。",
                code="rid_charset",
                params={"position": position, "char": char},
            )


def _check_rid_region(number: str) -> None:
    if number[:2] not in _PROVINCE_CODES:
        raise ValidationError(
            "居民身份证号码前2位“%(code)s”不是有效的省级行政区划代码。",
            code="rid_region",
            params={"code": number[:2]},
        )


def _parse_birthdate(digits: str) -> datetime.date:
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            "居民身份证号码第7至14位“%(digits)s”不是有效的出生日期。",
            code="rid_birthdate",
            params={"digits": digits},
        ) from None


def _check_rid_birthdate(number: str) -> None:
    birthdate = _parse_birthdate(number[6:14])
    if birthdate < _EARLIEST_BIRTHDATE:
        raise ValidationError(
            "居民身份证号码中的出生日期%(date)s早于1900年1月1日。",
            code="rid_birthdate",
            params={"date": birthdate.isoformat()},
        )
    if birthdate > _china_today():
        raise ValidationError(
            "居民身份证号码中的出生日期%(date)s晚于今天。",
            code="rid_birthdate",
            params={"date": birthdate.isoformat()},
        )


def _check_rid_check_digit(number: str) -> None:
    expected = resident_id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "居民身份证号码校验码错误：第18位应为“%(expected)s”，实为“%(actual)s”，请核对是否录入有误。",
            code="rid_check",
            params={"expected": expected, "actual": number[17]},
        )


def validate_resident_id(value: str) -> str:
    """Validate an 18-digit 居民身份证号码 and return it normalised (lower-case x becomes X).

    Raises ``ValidationError`` whose code names the first rule that failed: ``rid_length``,
    ``rid_charset``, ``rid_region``, ``rid_birthdate`` or ``rid_check``.
    """
    number = _normalise(value)
    _check_rid_length(number)
    _check_rid_charset(number)
    _check_rid_region(number)
    _check_rid_birthdate(number)
    _check_rid_check_digit(number)
    return number


def birthdate_from_resident_id(value: str) -> datetime.date:
    """Date of birth encoded in a 居民身份证号码; raises ``ValidationError`` if the number is invalid."""
    # Validating first means a typo never yields a plausible-looking but wrong birthdate.
    return _parse_birthdate(validate_resident_id(value)[6:14])


# ---------------------------------------------------------------------------
# Masking for public pages
# ---------------------------------------------------------------------------


def _mask_middle(value: str, keep_start: int, keep_end: int, min_masked: int) -> str:
    # When the value is too short to hide a meaningful middle part, showing its ends would reveal
    # (nearly) all of it, so everything is masked instead.
    if len(value) < keep_start + keep_end + min_masked:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_resident_id(value: str | None) -> str:
    """``430405198001011234`` -> ``430405********1234``: region and last 4 stay, birthdate is hidden."""
    return _mask_middle((value or "").strip(), keep_start=6, keep_end=4, min_masked=4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``."""
    return _mask_middle((value or "").strip(), keep_start=3, keep_end=4, min_masked=4)


def mask_name(value: str | None) -> str:
    """``张三丰`` -> ``张**``: only the first character (the surname) stays visible."""
    name = (value or "").strip()
    # A one-character "name" would be shown in full by keeping its first character.
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
