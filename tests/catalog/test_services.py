"""The catalogue's write rules: an edit never overwrites, versions are immutable, content is valid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.catalog import selectors
from zhifa.catalog import services as catalog
from zhifa.catalog.models import (
    ActType,
    EnforcementItem,
    ItemVersion,
    LegalRule,
)
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent, content_of
from zhifa.core.errors import Conflict, InvalidInput
from zhifa.core.identifiers import uscc_check_character
from zhifa.org import services as org

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def penalty_content(bureau: Any, **overrides: Any) -> ItemContent:
    content = ItemContent(
        name="对建设单位未取得施工许可证擅自施工的处罚",
        implementing_unit=bureau.units["稽查支队"],
        bases=(
            BasisSpec(catalog.find_provision("建筑法", 7), "violated"),
            BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),
        ),
        time_limit_code="T8",
        av_requirements=(("evidence_gathering", "as_needed"), ("on_site_inspection", "required")),
        brackets=(
            BracketSpec("一般", "percent_contract", Decimal(1), Decimal("1.5")),
            BracketSpec("严重", "percent_contract", Decimal("1.5"), Decimal(2), "拒不停工", "责令停止施工"),
        ),
    )
    return content.replace(**overrides) if overrides else content


def create(
    bureau: Any, code: str = "ZJ-CF-101", act_type: str = ActType.PENALTY, **overrides: Any
) -> EnforcementItem:
    content = penalty_content(bureau, **overrides)
    return catalog.create_item(
        actor=bureau.pilot,
        body=bureau.body,
        code=code,
        act_type=act_type,
        content=content,
        effective_from=START,
    )


def frozen(version: ItemVersion) -> dict[str, Any]:
    """Everything a reader of a version sees, read fresh from the database."""
    fresh = ItemVersion.objects.get(pk=version.pk)
    fields = {f.name: getattr(fresh, f.name) for f in ItemVersion._meta.concrete_fields}
    return fields | {"content": catalog._comparable(content_of(fresh))}


def version_count(item: EnforcementItem) -> int:
    return ItemVersion.objects.filter(item=item).count()


# -- create and revise ---------------------------------------------------------------------------


def test_a_new_item_has_version_one_with_who_when_why(bureau: Any) -> None:
    item = create(bureau)
    version = item.latest_version()
    assert version is not None
    assert (version.number, version.created_by, version.change_reason) == (1, bureau.pilot, "首次编制")
    assert version.effective_from == START
    assert [(b.provision.number, b.purpose) for b in version.bases.all()] == [
        (7, "violated"),
        (64, "penalty"),
    ]
    assert [b.range_display for b in version.brackets.all()] == [
        "1–1.5 % 工程合同价款",
        "1.5–2 % 工程合同价款",
    ]


def test_revising_adds_version_two_and_version_one_stays_as_it_was(bureau: Any) -> None:
    item = create(bureau)
    first = item.latest_version()
    assert first is not None
    before = frozen(first)
    second = catalog.revise_item(
        actor=bureau.head,
        item=item,
        effective_from=datetime.date(2025, 6, 1),
        reason="修订裁量基准",
        content=penalty_content(bureau, name="对未取得施工许可证擅自施工的处罚", brackets=()),
    )
    assert (second.number, second.created_by, second.change_reason) == (2, bureau.head, "修订裁量基准")
    assert frozen(first) == before
    assert first.brackets.count() == 2
    assert second.brackets.count() == 0
    assert item.latest_version() == second


def test_nothing_changed_is_refused(bureau: Any) -> None:
    item = create(bureau)
    with pytest.raises(InvalidInput, match="内容与现行版本相同") as exc:
        catalog.revise_item(
            actor=bureau.pilot,
            item=item,
            content=penalty_content(bureau),
            effective_from=datetime.date(2025, 6, 1),
            reason="再保存一次",
        )
    assert exc.value.code == "no_change"
    assert version_count(item) == 1


def test_a_change_of_effective_date_alone_is_not_a_new_version(bureau: Any) -> None:
    item = create(bureau)
    with pytest.raises(InvalidInput, match="内容与现行版本相同"):
        catalog.revise_item(
            actor=bureau.pilot,
            item=item,
            content=penalty_content(bureau),
            effective_from=datetime.date(2026, 1, 1),
            reason="延后",
        )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_revision_needs_a_reason(bureau: Any, reason: str) -> None:
    item = create(bureau)
    with pytest.raises(InvalidInput, match="调整原因"):
        catalog.revise_item(
            actor=bureau.pilot,
            item=item,
            content=penalty_content(bureau, name="新名称"),
            effective_from=datetime.date(2025, 6, 1),
            reason=reason,
        )
    assert version_count(item) == 1


def test_a_revision_cannot_take_effect_before_the_current_version(bureau: Any) -> None:
    item = create(bureau)
    with pytest.raises(InvalidInput, match="不能早于现行第1版") as exc:
        catalog.revise_item(
            actor=bureau.pilot,
            item=item,
            content=penalty_content(bureau, name="新名称"),
            effective_from=START - datetime.timedelta(days=1),
            reason="补录",
        )
    assert "effective_from" in exc.value.details
    assert version_count(item) == 1


def test_version_on_picks_the_version_in_force_that_day(bureau: Any) -> None:
    item = create(bureau)
    today = datetime.date.today()
    future = today + datetime.timedelta(days=30)
    second = catalog.revise_item(
        actor=bureau.pilot,
        item=item,
        content=penalty_content(bureau, name="第二版"),
        effective_from=today,
        reason="修订",
    )
    third = catalog.revise_item(
        actor=bureau.pilot,
        item=item,
        content=penalty_content(bureau, name="第三版"),
        effective_from=future,
        reason="新法施行",
    )
    assert item.version_on(START - datetime.timedelta(days=1)) is None
    assert item.version_on(START).number == 1
    assert item.version_on(today - datetime.timedelta(days=1)).number == 1
    assert item.version_on(today) == second
    assert item.version_on(future - datetime.timedelta(days=1)) == second  # third not yet in force
    assert item.version_on(future) == third
    assert selectors.current_version(item) == second
    assert item.latest_version() == third


def test_two_versions_on_the_same_day_the_later_one_wins(bureau: Any) -> None:
    item = create(bureau)
    second = catalog.revise_item(
        actor=bureau.pilot,
        item=item,
        content=penalty_content(bureau, name="同日更正"),
        effective_from=START,
        reason="更正笔误",
    )
    assert item.version_on(START) == second


# -- immutable rows ------------------------------------------------------------------------------


def immutable_rows(bureau: Any) -> list[Any]:
    version = create(bureau).latest_version()
    assert version is not None
    return [
        version,
        version.bases.first(),
        version.av_requirements.first(),
        version.brackets.first(),
        LegalRule.objects.get(code="T10"),
    ]


def field_values(row: Any) -> dict[str, Any]:
    fresh = type(row).objects.get(pk=row.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(row)._meta.concrete_fields}


def test_version_rows_refuse_save_on_update(bureau: Any) -> None:
    for row in immutable_rows(bureau):
        stored = field_values(row)
        field = next(f for f in type(row)._meta.concrete_fields if not f.primary_key and not f.is_relation)
        setattr(row, field.attname, "改写" if field.get_internal_type() in {"CharField", "TextField"} else 99)
        with pytest.raises(ValueError, match="不能修改"):
            row.save()
        assert field_values(row) == stored, type(row).__name__


def test_version_rows_refuse_delete(bureau: Any) -> None:
    for row in immutable_rows(bureau):
        with pytest.raises(ValueError, match="不能删除"):
            row.delete()
        assert type(row).objects.filter(pk=row.pk).exists()


def test_version_rows_cannot_be_overwritten_through_a_new_instance_with_the_same_key(bureau: Any) -> None:
    for row in immutable_rows(bureau):
        stored = field_values(row)
        forged = type(row)(**(stored | {"pk": row.pk}))
        with pytest.raises(ValueError, match="不能修改"), transaction.atomic():
            forged.save()
        assert field_values(row) == stored, type(row).__name__


# -- content rules -------------------------------------------------------------------------------


def refused(bureau: Any, field: str, message: str, act_type: str = ActType.PENALTY, **overrides: Any) -> None:
    items, versions = EnforcementItem.objects.count(), ItemVersion.objects.count()
    with pytest.raises(InvalidInput, match=message) as exc:
        create(bureau, act_type=act_type, **overrides)
    assert field in exc.value.details
    assert (EnforcementItem.objects.count(), ItemVersion.objects.count()) == (items, versions)


@pytest.mark.parametrize("act_type", [t for t in ActType.values if t != ActType.PENALTY])
def test_discretion_brackets_only_on_penalty_items(bureau: Any, act_type: str) -> None:
    refused(bureau, "brackets", "只有行政处罚事项设裁量基准", act_type=act_type)
    create(bureau, code="ZJ-OK-1", act_type=act_type, brackets=())


def test_brackets_cannot_be_added_to_a_licensing_item_by_revision(bureau: Any) -> None:
    item = create(bureau, act_type=ActType.LICENSING, brackets=())
    with pytest.raises(InvalidInput, match="只有行政处罚事项"):
        catalog.revise_item(
            actor=bureau.pilot,
            item=item,
            content=penalty_content(bureau),
            effective_from=START,
            reason="加裁量",
        )
    assert version_count(item) == 1


@pytest.mark.parametrize(("lower", "upper"), [("2", "1"), ("-1", "1"), ("0.01", "0")])
def test_bracket_upper_not_below_lower_and_never_negative(bureau: Any, lower: str, upper: str) -> None:
    bracket = BracketSpec("一般", "yuan", Decimal(lower), Decimal(upper))
    refused(bureau, "brackets", "上限不能低于下限", brackets=(bracket,))


def test_a_bracket_with_equal_bounds_is_a_fixed_amount(bureau: Any) -> None:
    item = create(bureau, brackets=(BracketSpec("一般", "yuan", Decimal(500), Decimal(500)),))
    assert item.latest_version().brackets.get().range_display == "500–500 元"


@pytest.mark.parametrize(
    ("bracket", "message"),
    [
        (BracketSpec("  ", "yuan", Decimal(1), Decimal(2)), "缺少违法情形"),
        (BracketSpec("一般", "dollars", Decimal(1), Decimal(2)), "计罚方式无效"),
    ],
)
def test_bracket_circumstance_and_basis_are_checked(bureau: Any, bracket: BracketSpec, message: str) -> None:
    refused(bureau, "brackets", message, brackets=(bracket,))


@pytest.mark.parametrize(
    ("av", "message"),
    [
        ((("teleportation", "required"),), "未知执法环节"),
        ((("seal_or_seize", "sometimes"),), "未知音像记录要求"),
        ((("seal_or_seize", "required"), ("seal_or_seize", "as_needed")), "同一执法环节只能有一条"),
    ],
)
def test_av_requirement_steps_and_levels_are_valid(
    bureau: Any, av: tuple[tuple[str, str], ...], message: str
) -> None:
    refused(bureau, "av_requirements", message, av_requirements=av)


def test_an_item_needs_a_legal_basis(bureau: Any) -> None:
    refused(bureau, "bases", "必须有法律依据", bases=(), other_basis="  ")
    item = create(
        bureau,
        code="ZJ-ZS-101",
        act_type=ActType.LEVY,
        brackets=(),
        bases=(),
        other_basis="湖南省城市基础设施配套费征收管理规定",
    )
    assert item.latest_version().other_basis.startswith("湖南省")


def test_the_same_article_cited_twice_for_the_same_purpose_is_refused_cleanly(bureau: Any) -> None:
    twice = (BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),) * 2
    refused(bureau, "bases", "重复", bases=twice)


def test_the_same_article_may_be_cited_for_two_purposes(bureau: Any) -> None:
    provision = catalog.find_provision("建筑法", 64)
    item = create(bureau, bases=(BasisSpec(provision, "penalty"), BasisSpec(provision, "authority")))
    assert item.latest_version().bases.count() == 2


def test_an_over_long_name_is_refused_not_truncated(bureau: Any) -> None:
    refused(bureau, "name", "200", name="处" * 201)


def test_an_over_long_bracket_circumstance_is_refused(bureau: Any) -> None:
    refused(bureau, "brackets", "100", brackets=(BracketSpec("情" * 101, "yuan", Decimal(1), Decimal(2)),))


def test_time_limit_must_name_a_seeded_rule(bureau: Any) -> None:
    refused(bureau, "time_limit_code", "T99", time_limit_code="T99")


def test_the_implementing_unit_must_enforce_and_belong_to_the_body(bureau: Any) -> None:
    office = org.create_unit(actor=None, body=bureau.body, name="办公室", enforces=False)
    refused(bureau, "implementing_unit", "不承担执法职责", implementing_unit=office)
    body17 = "11430400MB7654321"
    other = org.create_body(
        actor=None,
        name="另一局",
        short_name="另局",
        legal_status="organ",
        jurisdiction="衡阳市",
        credit_code=body17 + uscc_check_character(body17),
    )
    refused(
        bureau,
        "implementing_unit",
        "本执法主体",
        implementing_unit=org.create_unit(actor=None, body=other, name="执法队"),
    )


@pytest.mark.parametrize("code", ["", "X", "zj cf 1", "ZJ_CF_1", "条目-1", "-ZJ"])
def test_item_codes_have_a_fixed_form(bureau: Any, code: str) -> None:
    with pytest.raises(InvalidInput, match="事项编码"):
        create(bureau, code=code)
    assert not EnforcementItem.objects.exists()


def test_item_codes_are_normalised_and_unique(bureau: Any) -> None:
    assert create(bureau, code=" zj-cf-7 ").code == "ZJ-CF-7"
    with pytest.raises(Conflict, match="已存在"):
        create(bureau, code="ZJ-CF-7")
    with pytest.raises(InvalidInput, match="执法类别"):
        create(bureau, code="ZJ-CF-8", act_type="reward")


def test_find_provision_names_the_missing_article() -> None:
    assert catalog.find_provision("建筑法", 64).label == "第六十四条"
    with pytest.raises(InvalidInput, match="找不到《建筑法》第999条"):
        catalog.find_provision("建筑法", 999)


# -- property: any content edit is a new version; the predecessor is untouched ---------------------

NAMES = st.text(alphabet="建筑工程施工许可处罚检查燃气排水道路 ", min_size=1, max_size=40).filter(str.strip)
AV_STEPS = ["on_site_inspection", "evidence_gathering", "seal_or_seize", "hearing", "service"]
AMOUNTS = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def edits(draw: st.DrawFn) -> dict[str, Any]:
    edit: dict[str, Any] = {}
    if draw(st.booleans()):
        edit["name"] = draw(NAMES)
    if draw(st.booleans()):
        edit["materials"] = draw(st.text(alphabet="申请表合同图纸；", max_size=20))
    if draw(st.booleans()):
        edit["random_inspection"] = draw(st.booleans())
    if draw(st.booleans()):
        steps = draw(st.lists(st.sampled_from(AV_STEPS), unique=True, max_size=3))
        edit["av_requirements"] = tuple(
            sorted((s, draw(st.sampled_from(["required", "as_needed"]))) for s in steps)
        )
    if draw(st.booleans()):
        lower = draw(AMOUNTS)
        edit["brackets"] = (BracketSpec("一般", "yuan", lower, lower + draw(AMOUNTS)),)
    if draw(st.booleans()):
        edit["bases_numbers"] = draw(
            st.lists(st.sampled_from([7, 8, 9, 64, 67]), unique=True, min_size=1, max_size=3)
        )
    return edit


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit_list=st.lists(edits(), min_size=1, max_size=4))
def test_any_edit_is_a_new_version_and_its_predecessor_is_unchanged(
    bureau: Any, edit_list: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        item = create(bureau, code="ZJ-PROP-1")
        for edit in edit_list:
            latest = item.latest_version()
            assert latest is not None
            snapshot = frozen(latest)
            numbers = edit.pop("bases_numbers", None)
            if numbers is not None:
                edit["bases"] = tuple(
                    BasisSpec(catalog.find_provision("建筑法", n), "penalty") for n in numbers
                )
            content = content_of(latest).replace(**edit)
            if catalog._comparable(content) == snapshot["content"]:
                with pytest.raises(InvalidInput, match="相同"):
                    catalog.revise_item(
                        actor=bureau.pilot,
                        item=item,
                        content=content,
                        effective_from=START,
                        reason="属性测试",
                    )
                assert item.latest_version() == latest
            else:
                new = catalog.revise_item(
                    actor=bureau.pilot, item=item, content=content, effective_from=START, reason="属性测试"
                )
                assert new.number == latest.number + 1
                assert catalog._comparable(content_of(new)) == catalog._comparable(content)
            assert frozen(latest) == snapshot
        transaction.set_rollback(True)
