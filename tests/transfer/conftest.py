"""Catalogue data for the transfer tests, built through the catalogue services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent, create_item, find_provision


@pytest.fixture
def catalog(bureau: Any) -> dict[str, EnforcementItem]:
    """A penalty item with every kind of structured content, and a licensing item."""
    penalty = create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code="CF-JZ-001",
        act_type="penalty",
        effective_from=datetime.date(2025, 1, 1),
        content=ItemContent(
            name="施工单位未按照施工技术标准施工的处罚",
            implementing_unit=bureau.body.units.get(name="稽查支队"),
            procedure_summary="-立案\n-调查\n-决定",  # begins with "-": escaped on export, restored on import
            fees="不收费",
            time_limit_code="T18",
            random_inspection=True,
            bases=(
                BasisSpec(find_provision("建筑法", 64), "penalty"),
                BasisSpec(find_provision("建筑法", 58), "violated"),
            ),
            av_requirements=(("seal_or_seize", "required"), ("service", "as_needed")),
            brackets=(
                BracketSpec("轻微", "percent_contract", Decimal("1"), Decimal("1.2")),
                BracketSpec(
                    "严重",
                    "percent_contract",
                    Decimal("1.6"),
                    Decimal("2.00"),
                    "造成质量事故的",
                    "责令停业整顿",
                ),
            ),
        ),
    )
    licensing = create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code="XK-JZ-001",
        act_type="licensing",
        effective_from=datetime.date(2025, 1, 1),
        content=ItemContent(
            name="建筑工程施工许可",
            implementing_unit=bureau.body.units.get(name="审批一科"),
            bases=(BasisSpec(find_provision("建筑法", 7)),),
            time_limit_code="T18",
        ),
    )
    return {"penalty": penalty, "licensing": licensing}
