"""Saving the edit form with one change must change exactly that field in the new version."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zhifa.catalog import services as catalog
from zhifa.catalog.diffing import diff_versions
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent


def _form_data(response: Any) -> dict[str, Any]:
    form = response.context["form"]
    formset = response.context["formset"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else value
    data.update({f"brackets-{k}": v for k, v in formset.management_form.initial.items()})
    for i, f in enumerate(formset.forms):
        for name in f.fields:
            value = f[name].value()
            if value is not None and name != "DELETE":
                data[f"brackets-{i}-{name}"] = value
    return data


@pytest.mark.django_db
def test_saving_the_form_with_only_a_new_name_changes_only_the_name(bureau: Any, client_as: Any) -> None:
    content = ItemContent(
        name="对建设单位未取得施工许可证擅自施工的处罚",
        implementing_unit=bureau.units["稽查支队"],
        bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
        time_limit_code="T8",
        av_requirements=(("on_site_inspection", "as_needed"),),
        brackets=(
            BracketSpec("一般", "percent_contract", Decimal(1), Decimal("1.5"), "情节一般", "责令改正"),
        ),
    )
    item = catalog.create_item(
        actor=None,
        body=bureau.body,
        code="ZJ-CF-001",
        act_type="penalty",
        content=content,
        effective_from=datetime.date(2025, 1, 1),
    )
    client = client_as("pilot")
    page = client.get(f"/catalog/items/{item.code}/edit/")
    data = _form_data(page)
    data["name"] = "对建设单位未取得施工许可证擅自施工的行政处罚"
    data["change_reason"] = "规范名称"
    data["effective_from"] = "2025-06-01"
    response = client.post(f"/catalog/items/{item.code}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    old, new = EnforcementItem.objects.get(pk=item.pk).versions.order_by("number")
    changes = {c.label for c in diff_versions(old, new)}
    assert changes == {"事项名称", "生效日期"}


@pytest.mark.parametrize("amount", [Decimal("1.234"), Decimal("1000000000000")])
def test_bracket_amounts_that_do_not_fit_are_refused(bureau: Any, amount: Decimal) -> None:
    from zhifa.core.errors import InvalidInput

    content = ItemContent(
        name="处罚事项",
        implementing_unit=bureau.units["稽查支队"],
        bases=(BasisSpec(catalog.find_provision("建筑法", 64), "penalty"),),
        brackets=(BracketSpec("一般", "yuan", Decimal(0), amount),),
    )
    with pytest.raises(InvalidInput, match="两位小数"):
        catalog.create_item(
            actor=None,
            body=bureau.body,
            code="ZJ-CF-009",
            act_type="penalty",
            content=content,
            effective_from=datetime.date(2025, 1, 1),
        )
    assert not EnforcementItem.objects.filter(code="ZJ-CF-009").exists()
