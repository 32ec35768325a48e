"""Case fixtures: a penalty item and helpers that act as the documents and evidence apps would."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhifa.catalog import services as catalog
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, ItemContent


def make_item(
    bureau: Any,
    *,
    code: str = "ZJ-CF-001",
    act_type: str = "penalty",
    unit: str = "稽查支队",
    av: tuple[tuple[str, str], ...] = (),
) -> EnforcementItem:
    return catalog.create_item(
        actor=None,
        body=bureau.body,
        code=code,
        act_type=act_type,
        content=ItemContent(
            name="对建设单位未取得施工许可证擅自施工的处罚" if act_type == "penalty" else f"{code} 事项",
            implementing_unit=bureau.units[unit],
            bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
            time_limit_code="T8",
            av_requirements=av,
        ),
        effective_from=datetime.date(2025, 1, 1),
    )


@pytest.fixture
def penalty_item(bureau: Any) -> EnforcementItem:
    return make_item(bureau)
