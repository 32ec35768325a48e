"""Masking: no full 身份证号, 手机号 or natural person's address ever reaches a version, wherever in
the free text it hides."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from zhifa.cases.models import Case
from zhifa.core.identifiers import resident_id_check_digit
from zhifa.disclosure.masking import REDACTED, mask_fields, mask_text, unmasked_numbers


@st.composite
def resident_ids(draw: Any) -> str:
    region = draw(st.sampled_from(["430405", "110101", "440305", "430100"]))
    born = draw(st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31)))
    serial = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_digit(first17)


phones = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(min_value=0, max_value=999_999_999),
)
# Surrounding text: Chinese, ASCII letters and digits, punctuation — digits may touch the number.
filler = st.text(alphabet="违法事实当事人住址电话号码：，。（）abcXx 0123456789-", max_size=30)


def _case(kind: str = "person", **extra: str) -> Case:
    values = {
        "party_kind": kind,
        "party_name": "王小明",
        "party_id_number": "430405198001011234",
        "party_address": "衡阳市珠晖区东风路12号",
        "party_phone": "13911112222",
    }
    values.update(extra)
    return SimpleNamespace(**values)  # type: ignore[return-value]


@given(resident_ids(), phones, filler, filler, filler)
def test_ids_and_phones_in_free_text_never_survive(
    resident_id: str, phone: str, before: str, middle: str, after: str
) -> None:
    facts = f"{before}{resident_id}{middle}{phone}{after}"
    masked = mask_fields(_case(), {"facts": facts, "result": [facts], "basis": facts})
    text = repr(masked)
    assert resident_id not in text
    assert phone not in text
    assert not unmasked_numbers(masked)


@given(resident_ids(), phones)
def test_masking_is_the_same_for_an_organisation(resident_id: str, phone: str) -> None:
    case = _case("organisation", party_id_number="91430400MA4L000001")
    masked = mask_fields(
        case, {"facts": f"联系人身份证{resident_id}，手机{phone}", "party_id": case.party_id_number}
    )
    assert resident_id not in masked["facts"] and phone not in masked["facts"]
    assert masked["party_id"] == case.party_id_number


def test_a_natural_persons_name_address_and_phone_are_hidden() -> None:
    case = _case()
    masked = mask_fields(
        case,
        {
            "facts": "王小明在衡阳市珠晖区东风路12号擅自施工，电话139 1111 2222，座机0734-8123456。",
            "party_name": "王小明",
            "party_id": case.party_id_number,
        },
    )
    assert masked["party_name"] == "王**"
    assert masked["party_id"] == "430405********1234"
    for secret in ("王小明", "东风路12号", "1111", "8123456"):
        assert secret not in masked["facts"]
    assert "（地址已隐去）" in masked["facts"]


def test_an_organisations_name_and_address_stay() -> None:
    case = _case("organisation", party_name="衡阳某建设公司", party_address="衡阳市蒸湘区长丰大道1号")
    masked = mask_fields(case, {"facts": "衡阳某建设公司在衡阳市蒸湘区长丰大道1号施工。"})
    assert masked["facts"] == "衡阳某建设公司在衡阳市蒸湘区长丰大道1号施工。"


def test_trade_secrets_are_replaced() -> None:
    masked = mask_fields(_case("organisation"), {"facts": "采用甲工艺和乙配方。"}, ["乙配方", "甲工艺"])
    assert masked["facts"] == f"采用{REDACTED}和{REDACTED}。"


def test_full_width_digits_are_masked_too() -> None:
    assert "１３９１１１１２２２２" not in mask_text("电话１３９１１１１２２２２")
