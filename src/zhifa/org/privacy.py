"""Personal data (身份证号, 手机号) in organisation records, masked for viewers who may not see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhifa.core.identifiers import mask_phone, mask_resident_id

PERSONAL_MASKS: dict[str, Callable[[str | None], str]] = {
    "resident_id": mask_resident_id,
    "phone": mask_phone,
}


def mask_personal(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event payload with the personal fields masked."""
    if not PERSONAL_MASKS.keys() & data.keys():
        return data
    return {
        key: PERSONAL_MASKS[key](value) if key in PERSONAL_MASKS and value else value
        for key, value in data.items()
    }
