"""Statutory time limits and thresholds (REQUIREMENTS §1): seeded with their source, edited as dated rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zhifa.catalog import selectors
from zhifa.catalog import services as catalog
from zhifa.catalog.models import LegalRule, RuleUnit
from zhifa.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db

SEEDED = datetime.date(2021, 7, 15)

# REQUIREMENTS §1: every numbered rule from T1 to T30 (T31 decides units, it is not a row).
REQUIRED_CODES = [
    "T1",
    "T2",
    "T4",
    "T6",
    "T7",
    "T8",
    "T8b",
    "T9",
    "T10",
    "T11",
    "T12",
    "T13",
    "T13b",
    "T14",
    "T14b",
    "T15",
    "T16",
    "T17",
    "T18",
    "T19",
    "T23",
    "T25",
    "T26",
    "T27",
    "T28",
    "T29",
    "T30",
]

# (code, variant) -> (law, article, value, unit, words the article must contain)
CITED = {
    ("T4", ""): ("行政处罚法", 48, 3, RuleUnit.WORKING_DAYS, ["三日内撤回"]),
    ("T8", ""): ("行政处罚法", 60, 90, RuleUnit.CALENDAR_DAYS, ["立案之日起九十日内"]),
    ("T10", ""): ("行政处罚法", 64, 5, RuleUnit.WORKING_DAYS, ["要求听证", "五日"]),
    ("T11", ""): ("行政处罚法", 64, 7, RuleUnit.WORKING_DAYS, ["举行听证的七日前"]),
    ("T12", ""): ("行政处罚法", 61, 7, RuleUnit.WORKING_DAYS, ["不在场", "七日内"]),
    ("T13", ""): ("行政处罚法", 56, 7, RuleUnit.WORKING_DAYS, ["先行登记保存", "七日内"]),
    ("T13b", ""): ("行政处罚法", 42, 2, RuleUnit.PERSONS, ["不得少于两人"]),
    ("T14", ""): ("行政处罚法", 67, 15, RuleUnit.CALENDAR_DAYS, ["十五日内", "缴纳罚款"]),
    ("T14", "late_penalty"): ("行政处罚法", 72, 3, RuleUnit.PERCENT_PER_DAY, ["每日按罚款数额的百分之三"]),
    ("T14b", ""): ("行政处罚法", 68, 100, RuleUnit.YUAN, ["当场收缴", "一百元以下"]),
    ("T15", "individual"): ("行政处罚法", 51, 200, RuleUnit.YUAN, ["对公民处以二百元以下"]),
    ("T15", "organisation"): ("行政处罚法", 51, 3000, RuleUnit.YUAN, ["其他组织处以三千元以下"]),
    ("T16", ""): ("行政处罚法", 36, 2, RuleUnit.YEARS, ["二年内未被发现"]),
    ("T16", "life_health"): ("行政处罚法", 36, 5, RuleUnit.YEARS, ["生命健康安全", "延长至五年"]),
    ("T17", ""): ("行政许可法", 32, 5, RuleUnit.WORKING_DAYS, ["五日内一次告知"]),
    ("T18", ""): ("行政许可法", 42, 20, RuleUnit.WORKING_DAYS, ["二十日内作出行政许可决定", "延长十日"]),
    ("T19", ""): ("行政许可法", 44, 10, RuleUnit.WORKING_DAYS, ["十日内", "颁发"]),
    ("T23", ""): ("行政强制法", 25, 30, RuleUnit.CALENDAR_DAYS, ["查封、扣押的期限不得超过三十日"]),
    ("T25", "court_application"): (
        "行政强制法",
        53,
        3,
        RuleUnit.MONTHS,
        ["三个月内", "申请人民法院强制执行"],
    ),
    ("T25", "demand_notice"): ("行政强制法", 54, 10, RuleUnit.WORKING_DAYS, ["催告书送达十日后"]),
}


def rule(code: str, variant: str = "") -> LegalRule:
    found = selectors.rule_in_force(code, variant, on=datetime.date(2025, 1, 1))
    assert found is not None, f"{code}/{variant} missing"
    return found


# -- the seed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_rule_of_requirements_1_is_seeded_with_its_basis(code: str) -> None:
    rows = LegalRule.objects.filter(code=code)
    assert rows.exists(), code
    for row in rows:
        assert row.basis.strip(), code
        assert row.quantity >= 0
        assert row.effective_from == SEEDED
        assert row.confidence in {"V", "L", "K"}


@pytest.mark.parametrize(
    ("key", "expected"),
    sorted(CITED.items()),
    ids=lambda v: "/".join(v) if isinstance(v, tuple) and isinstance(v[0], str) and len(v) == 2 else "",
)
def test_a_cited_rule_points_at_the_article_that_states_its_value(
    key: tuple[str, str], expected: tuple[str, int, int, str, list[str]]
) -> None:
    law, number, value, unit, words = expected
    row = rule(*key)
    assert row.provision is not None
    assert (row.provision.law.short_title, row.provision.number) == (law, number)
    assert (row.quantity, row.unit) == (Decimal(value), unit)
    for word in words:
        assert word in row.provision.text, f"{key}: “{word}” not in {row.provision}"


def test_every_rule_that_cites_an_article_names_that_article_in_its_basis() -> None:
    cited = LegalRule.objects.filter(provision__isnull=False).select_related("provision__law")
    assert cited.count() >= len(CITED)
    for row in cited:
        assert row.provision.law.short_title in row.basis, row
        assert row.provision.label in row.basis, row
        assert (row.code, row.variant) in CITED, (
            f"{row.code}/{row.variant} cites an article this test does not check"
        )


def test_rules_in_force_has_one_row_per_rule_in_numeric_order() -> None:
    rows = selectors.rules_in_force(datetime.date(2025, 1, 1))
    keys = [(r.code, r.variant) for r in rows]
    assert len(keys) == len(set(keys))
    codes = list(dict.fromkeys(r.code for r in rows))
    assert codes.index("T2") < codes.index("T10") < codes.index("T30")
    assert selectors.rules_in_force(SEEDED - datetime.timedelta(days=1)) == []


# -- revising a rule -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_revising_a_rule_adds_a_dated_row_and_keeps_the_old_one(bureau: Any) -> None:
    old = rule("T28")
    stored = LegalRule.objects.filter(pk=old.pk).values().get()
    new = catalog.revise_rule(
        actor=bureau.pilot,
        rule=old,
        effective_from=datetime.date(2026, 3, 1),
        reason="本机关法制审核办法修订",
        quantity=Decimal(7),
    )
    assert (new.quantity, new.created_by, new.change_reason) == (
        Decimal(7),
        bureau.pilot,
        "本机关法制审核办法修订",
    )
    assert (new.code, new.variant, new.basis, new.extension) == (
        old.code,
        old.variant,
        old.basis,
        old.extension,
    )
    assert LegalRule.objects.filter(pk=old.pk).values().get() == stored
    assert selectors.rule_in_force("T28", on=datetime.date(2026, 2, 28)) == old
    assert selectors.rule_in_force("T28", on=datetime.date(2026, 3, 1)) == new
    assert list(selectors.rule_history("T28")) == [new, old]


def refuse(
    bureau: Any,
    error: type,
    message: str,
    *,
    effective_from: datetime.date = datetime.date(2026, 3, 1),
    reason: str = "调整",
    **changes: Any,
) -> None:
    before = LegalRule.objects.count()
    with pytest.raises(error, match=message):
        catalog.revise_rule(
            actor=bureau.pilot, rule=rule("T28"), effective_from=effective_from, reason=reason, **changes
        )
    assert LegalRule.objects.count() == before


def test_rule_revision_refusals(bureau: Any) -> None:
    refuse(bureau, InvalidInput, "说明原因", reason=" ", quantity=Decimal(7))
    refuse(bureau, InvalidInput, "无需调整", quantity=Decimal(5))
    refuse(bureau, InvalidInput, "负数", quantity=Decimal(-1))
    refuse(bureau, InvalidInput, "单位无效", unit="fortnights")
    refuse(bureau, InvalidInput, "不能调整字段", code="T99")
    refuse(bureau, Conflict, "已有一条规则", effective_from=SEEDED, quantity=Decimal(7))


def test_a_rule_revision_cannot_reach_back_before_the_rule_in_force(bureau: Any) -> None:
    """Backdating would change which limit applied to cases already counted."""
    refuse(
        bureau,
        InvalidInput,
        "不能早于",
        effective_from=SEEDED - datetime.timedelta(days=1),
        quantity=Decimal(7),
    )


def test_a_negative_extension_is_refused(bureau: Any) -> None:
    refuse(bureau, InvalidInput, "负数", extension=Decimal(-3))


# -- pages ---------------------------------------------------------------------------------------


def test_rule_edit_page_creates_a_new_row_and_history_shows_both(bureau: Any, client_as: Any) -> None:
    client = client_as("pilot")
    page = client.get("/catalog/rules/T15/edit/?variant=organisation")
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data |= {"quantity": "5000", "effective_from": "2026-03-01", "reason": "地方规定调整"}
    response = client.post("/catalog/rules/T15/edit/?variant=organisation", data)
    assert response.status_code == 302
    assert response["Location"] == "/catalog/rules/T15/?variant=organisation"
    history = client.get(response["Location"])
    text = history.content.decode()
    assert [r.quantity for r in history.context["history"]] == [Decimal(5000), Decimal(3000)]
    assert "地方规定调整" in text and "pilot" in text and "5000元" in text and "3000元" in text
    assert rule("T15", "individual").quantity == Decimal(200)  # the other variant is untouched


def test_rule_edit_page_shows_the_no_change_refusal(bureau: Any, client_as: Any) -> None:
    client = client_as("admin")
    page = client.get("/catalog/rules/T10/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data |= {"effective_from": "2026-03-01", "reason": "复核"}
    response = client.post("/catalog/rules/T10/edit/", data)
    assert response.status_code == 200
    assert "内容与现行规则相同" in response.content.decode()
    assert LegalRule.objects.filter(code="T10").count() == 1


def test_rule_list_shows_the_rules_in_force_on_a_chosen_day(bureau: Any, client_as: Any) -> None:
    catalog.revise_rule(
        actor=bureau.pilot,
        rule=rule("T28"),
        effective_from=datetime.date(2026, 3, 1),
        reason="修订",
        quantity=Decimal(7),
    )
    client = client_as("officer")
    earlier = client.get("/catalog/rules/?on=2026-02-28").context["rules"]
    later = client.get("/catalog/rules/?on=2026-03-01").context["rules"]
    assert next(r for r in earlier if r.code == "T28").quantity == Decimal(5)
    assert next(r for r in later if r.code == "T28").quantity == Decimal(7)
    assert client.get("/catalog/rules/?on=not-a-date").status_code == 200
    assert client.get("/catalog/rules/T99/").status_code == 404
