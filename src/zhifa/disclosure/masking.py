"""Masking before anything reaches the public side (R-PUB §2.4): 身份证号, 手机号 and other long
numbers, a natural person's name, address and phone, and the trade secrets the handler names.

Masking errs towards hiding: any run of eleven or more digits is masked, whatever it is, so a
number hidden in free text (facts, decision text) never comes out whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from zhifa.cases.models import Case, PartyKind
from zhifa.core.identifiers import mask_name, mask_phone, mask_resident_id

REDACTED = "＊＊"
ADDRESS_HIDDEN = "（地址已隐去）"

# \d also matches full-width digits. 11+ digits: mobile numbers, resident IDs (with a final X),
# bank accounts — all hidden. Mobile numbers written in groups (138 1234 5678) and landlines with
# an area code (0734-8123456) are caught separately.
_LONG_NUMBER = re.compile(r"\d{10,}[\dXx]")
_GROUPED_MOBILE = re.compile(r"1\d{2}[\s\-－]\d{4}[\s\-－]\d{4}")
_LANDLINE = re.compile(r"(0\d{2,3})([\-－])(\d{7,8})")
# The only field that may hold a full 18-character code: an organisation's 统一社会信用代码.
PUBLIC_CODE_FIELD = "party_id"


def _mask_number(match: re.Match[str]) -> str:
    run = match.group(0)
    return mask_resident_id(run) if len(run) == 18 else mask_phone(run)


def _mask_landline(match: re.Match[str]) -> str:
    area, dash, local = match.groups()
    return f"{area}{dash}{'*' * (len(local) - 2)}{local[-2:]}"


def mask_text(text: str, *, exact: Iterable[tuple[str, str]] = ()) -> str:
    """Hide what ``exact`` lists (text → replacement), then every long number and phone."""
    for secret, replacement in exact:
        if secret:
            text = text.replace(secret, replacement)
    text = _GROUPED_MOBILE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))), text)
    text = _LANDLINE.sub(_mask_landline, text)
    return _LONG_NUMBER.sub(_mask_number, text)


def _replacements(case: Case, extra_redactions: Iterable[str]) -> list[tuple[str, str]]:
    # Longest first, so a span containing another is hidden whole.
    pairs = [(span.strip(), REDACTED) for span in extra_redactions if span.strip()]
    if case.party_kind == PartyKind.PERSON:
        pairs += [
            (case.party_address.strip(), ADDRESS_HIDDEN),
            (case.party_phone.strip(), mask_phone(case.party_phone)),
            (case.party_id_number.strip(), mask_resident_id(case.party_id_number)),
        ]
        name = case.party_name.strip()
        if len(name) > 1:
            pairs.append((name, mask_name(name)))
    return sorted((p for p in pairs if p[0]), key=lambda p: -len(p[0]))


def _walk(value: Any, exact: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return mask_text(value, exact=exact)
    if isinstance(value, list):
        return [_walk(v, exact) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, exact) for k, v in value.items()}
    return value


def mask_fields(case: Case, fields: dict[str, Any], extra_redactions: Iterable[str] = ()) -> dict[str, Any]:
    """The public fields with personal data and trade secrets hidden. The party's identifier is
    shown in full only for an organisation (its 统一社会信用代码 is public by law)."""
    exact = _replacements(case, extra_redactions)
    masked = {key: _walk(value, exact) for key, value in fields.items()}
    if PUBLIC_CODE_FIELD in fields:
        raw = str(fields[PUBLIC_CODE_FIELD]).strip()
        if case.party_kind == PartyKind.ORGANISATION and raw == case.party_id_number:
            masked[PUBLIC_CODE_FIELD] = raw
        elif case.party_kind == PartyKind.PERSON:
            masked[PUBLIC_CODE_FIELD] = mask_resident_id(raw)
    return masked


def unmasked_numbers(fields: dict[str, Any], *, allowed: str = "") -> list[str]:
    """Any run of 11+ digits left in the fields (other than ``allowed``): a last check before a
    version is written."""
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            found.extend(m for m in _LONG_NUMBER.findall(value) if m != allowed)
        elif isinstance(value, list):
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)

    visit(fields)
    return found
