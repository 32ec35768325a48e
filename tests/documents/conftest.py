"""Document fixtures: a penalty item with a violated and a penalty article, and an open case.

Pages and API tests use ``tests.documents.urls`` (the project's URLs plus the documents pages at
/documents/ and the documents API under /api/v1/), so they run whether or not the project URLconf
mounts them yet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services as cases
from zhifa.cases.models import Case
from zhifa.catalog import services as catalog
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, ItemContent
from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.org import services as org
from zhifa.org.models import Role

DAY = datetime.date(2026, 3, 2)
PARTY_NAME = "衡阳市恒通建设工程有限公司"


def party_uscc() -> str:
    first = "91430400MA4L12345"
    return first + uscc_check_character(first)


def make_item(bureau: Any, *, code: str = "ZJ-CF-901", act_type: str = "penalty") -> EnforcementItem:
    return catalog.create_item(
        actor=None,
        body=bureau.body,
        code=code,
        act_type=act_type,
        content=ItemContent(
            name="对建设单位未取得施工许可证擅自施工的处罚" if act_type == "penalty" else f"{code} 事项",
            implementing_unit=bureau.units["稽查支队"],
            bases=(
                BasisSpec(catalog.find_provision("建筑法", 7), "violated"),
                BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),
            ),
            time_limit_code="T8",
        ),
        effective_from=datetime.date(2025, 1, 1),
    )


def open_penalty_case(bureau: Any, item: EnforcementItem, *, amount: str | None = "50000") -> Case:
    """A penalty case taken to 已作出决定 (documents are made once their step is taken); without
    an amount it stops in 调查取证, before any step that needs one."""
    return take_steps(bureau, _open(bureau, item, amount=amount), amount)


def take_steps(bureau: Any, case: Case, amount: str | None) -> Case:
    """Take the penalty steps up to the decision (up to 调查取证 when no amount is known)."""
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("check_lead", "officer", {}),
        ("approve_opening", "head", {}),
        ("finish_investigation", "officer", {}),
    ]
    if amount is not None:
        steps += [
            ("notify_party", "officer", {"amount": amount}),
            ("record_defence", "officer", {"reason": "当事人书面陈述申辩，放弃听证"}),
            ("decide", "head", {"amount": amount}),
        ]
    for code, who, data in steps:
        case = cases.perform_transition(
            actor=bureau.user(who),
            case=case,
            transition=code,
            data=data,
            reason=data.get("reason", ""),
            today=DAY,
        )
    return case


def _open(bureau: Any, item: EnforcementItem, *, amount: str | None) -> Case:
    return cases.open_case(
        actor=bureau.officer,
        item=item,
        party_kind="organisation",
        party_name=PARTY_NAME,
        party_id_number=party_uscc(),
        party_representative="张建国",
        party_address="衡阳市蒸湘区解放大道18号",
        facts="当事人于2026年1月在蒸湘区某地块未取得施工许可证擅自开工建设。\n现场已完成基础施工。",
        location="衡阳市蒸湘区",
        amount=Decimal(amount) if amount is not None else None,
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        today=DAY,
    )


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Each test stores its files in its own directory (content-addressed names would be shared)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def another_officer(bureau: Any) -> Any:
    """An officer of the same unit (稽查支队) who is not on the case."""
    first17 = "43040019850101991"
    person = org.register_person(
        actor=None,
        unit=bureau.units["稽查支队"],
        name="孙执法",
        username="officer3",
        password="Zhifa-test-2026",
        resident_id=first17 + resident_id_check_digit(first17),
    )
    org.grant_role(actor=None, person=person, role=Role.OFFICER, unit=bureau.units["稽查支队"])
    return person.user


@pytest.fixture
def penalty_item(bureau: Any) -> EnforcementItem:
    return make_item(bureau)


@pytest.fixture
def penalty_case(bureau: Any, penalty_item: EnforcementItem) -> Case:
    return open_penalty_case(bureau, penalty_item)
