"""How figures are written in enforcement documents: amounts in capitals (人民币伍万元整), periods
from rule rows (60日, 6个月, 5个工作日), dates (2026年3月2日) and document numbers."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from zhifa.catalog.models import LegalRule, RuleUnit

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_BIG_UNITS = ("", "万", "亿", "万亿")


def document_number(body_short: str, number_code: str, year: int, sequence: int) -> str:
    """衡住建 + 罚决字 + 〔2026〕 + 12号 (REQUIREMENTS §3.2)."""
    return f"{body_short}{number_code}〔{year}〕{sequence}号"


def _group(value: int) -> str:
    """1..9999 in capitals, zeros inside collapsed to one 零 and trailing zeros dropped."""
    digits = (value // 1000, value // 100 % 10, value // 10 % 10, value % 10)
    out = ""
    started = zero = False
    for digit, unit in zip(digits, _SMALL_UNITS, strict=True):
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + unit
        started = True
    return out


def _integer(value: int) -> str:
    if value == 0:
        return "零"
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise ValueError("金额过大")
    out = ""
    gap = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _group(group) + _BIG_UNITS[index]
        gap = False
    return out


def rmb_capital(amount: Decimal) -> str:
    """50000 → 人民币伍万元整; 10500.5 → 人民币壹万零伍佰元伍角; 0.05 → 人民币伍分."""
    if amount < 0:
        raise ValueError("金额不能为负数")
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "人民币零元整"
    out = f"{_integer(yuan)}元" if yuan else ""
    if jiao == 0 and fen == 0:
        return f"人民币{out}整"
    if jiao:
        out += f"{_DIGITS[jiao]}角"
    if fen:
        out += ("零" if yuan and not jiao else "") + f"{_DIGITS[fen]}分"
    return f"人民币{out}"


def yuan_figures(amount: Decimal) -> str:
    """50000 → 50,000.00元."""
    return f"{amount:,.2f}元"


_PERIOD_UNITS: dict[str, str] = {
    RuleUnit.CALENDAR_DAYS: "日",
    RuleUnit.WORKING_DAYS: "个工作日",
    RuleUnit.MONTHS: "个月",
    RuleUnit.YEARS: "年",
    RuleUnit.YUAN: "元",
    RuleUnit.PERCENT: "%",
    RuleUnit.PERCENT_PER_DAY: "%",
    RuleUnit.PERSONS: "人",
}


def plain_number(value: Decimal) -> str:
    """1.30 → 1.3, 60.00 → 60."""
    return format(value.normalize(), "f")


def rule_text(rule: LegalRule) -> str:
    """A rule row as a document states it: 60日, 6个月, 5个工作日, 3% (per day is in the sentence)."""
    return f"{plain_number(rule.quantity)}{_PERIOD_UNITS.get(rule.unit, rule.get_unit_display())}"


def chinese_date(day: datetime.date) -> str:
    """GB/T 9704-2012 writes the date in Arabic numerals: 2026年3月2日."""
    return f"{day.year}年{day.month}月{day.day}日"
