"""Staff pages for the catalogue: items with versions and diffs, laws by article, statutory rules."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from zhifa.catalog import selectors, services
from zhifa.catalog.citations import LABEL_BY_PURPOSE
from zhifa.catalog.diffing import diff_versions
from zhifa.catalog.forms import BracketFormSet, ItemForm, RuleForm
from zhifa.catalog.models import ActType, EnforcementItem, ItemVersion, Law
from zhifa.catalog.services import ItemContent, content_of
from zhifa.core.errors import DomainError
from zhifa.core.forms import apply_domain_error
from zhifa.org import permissions
from zhifa.org import selectors as org_selectors
from zhifa.org.models import EnforcementBody, Unit


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def item_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    act_type = request.GET.get("type", "")
    unit_id = request.GET.get("unit", "")
    random_only = request.GET.get("random") == "1"
    items = selectors.items(
        query=query,
        act_type=act_type if act_type in ActType.values else "",
        unit_id=int(unit_id) if unit_id.isdigit() else None,
        random_inspection=True if random_only else None,
    )
    units: dict[int | None, Unit] = {u.pk: u for u in Unit.objects.all()}
    context = {
        "items": [(item, units.get(getattr(item, "latest_unit_id", None))) for item in items],
        "query": query,
        "act_type": act_type,
        "unit_id": unit_id,
        "random_only": random_only,
        "act_types": ActType.choices,
        "units": Unit.objects.filter(enforces=True, is_active=True),
        "active_nav": "catalog",
        "can_edit": permissions.can_edit_catalog(request.user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_item_rows.html", context)
    return render(request, "catalog/item_list.html", context)


def _item(code: str) -> EnforcementItem:
    item = EnforcementItem.objects.select_related("body").filter(code=code).first()
    if item is None:
        raise Http404("没有该执法事项")
    return item


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    versions = list(selectors.item_versions(item))
    number = request.GET.get("version", "")
    on = _parse_day(request.GET.get("on"))
    if number.isdigit():
        version = next((v for v in versions if v.number == int(number)), None)
        if version is None:
            raise Http404("没有该版本")
    else:
        version = selectors.current_version(item, on) or versions[-1]
    in_force = selectors.current_version(item)
    rule = selectors.rule_in_force(version.time_limit_code) if version.time_limit_code else None
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "version": version,
            "versions": versions,
            "in_force": in_force,
            "time_limit_rule": rule,
            "bases": [(LABEL_BY_PURPOSE.get(b.purpose, ""), b) for b in version.bases.all()],
            "active_nav": "catalog",
            # Adjusting always starts from the newest version, so its unit decides.
            "can_edit": permissions.can_edit_catalog(request.user, versions[0].implementing_unit),
            "is_latest": version.number == versions[0].number,
        },
    )


def item_history(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    versions = list(selectors.item_versions(item))
    pairs = [(newer, older, diff_versions(older, newer)) for newer, older in itertools.pairwise(versions)]
    return render(
        request,
        "catalog/item_history.html",
        {
            "item": item,
            "versions": versions,
            "pairs": pairs,
            "active_nav": "catalog",
            "in_force": selectors.current_version(item),
        },
    )


def item_diff(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    versions = {v.number: v for v in selectors.item_versions(item)}
    try:
        old = versions[int(request.GET.get("from", ""))]
        new = versions[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        messages.error(request, "请选择两个存在的版本进行比较。")
        return redirect("catalog:item_history", item.code)
    return render(
        request,
        "catalog/item_diff.html",
        {
            "item": item,
            "old": old,
            "new": new,
            "changes": diff_versions(old, new),
            "active_nav": "catalog",
        },
    )


def _initial_from(version: ItemVersion) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    content = content_of(version)
    initial: dict[str, Any] = {name: getattr(content, name) for name in services.SCALAR_FIELDS}
    initial["implementing_unit"] = content.implementing_unit
    initial["bases_text"] = "\n".join(
        (f"{LABEL_BY_PURPOSE[b.purpose]}：" if b.purpose != "authority" else "") + str(b.provision)
        for b in content.bases
    )
    initial.update({f"av_{step}": level for step, level in content.av_requirements})
    initial["effective_from"] = max(timezone.localdate(), version.effective_from)
    initial["change_reason"] = ""
    brackets = [
        {
            "circumstance": b.circumstance,
            "amount_basis": b.amount_basis,
            "lower": b.lower,
            "upper": b.upper,
            "other_measures": b.other_measures,
            "description": b.description,
        }
        for b in content.brackets
    ]
    return initial, brackets


def _content_from(form: ItemForm, formset: Any) -> ItemContent:
    d = form.cleaned_data
    # Blank extra rows clean to {}; rows shown with initial values count even when untouched.
    brackets = tuple(
        f.spec()
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("circumstance") and not f.cleaned_data.get("DELETE")
    )
    return ItemContent(
        name=d["name"],
        implementing_unit=d["implementing_unit"],
        other_basis=d["other_basis"],
        procedure_summary=d["procedure_summary"],
        conditions=d["conditions"],
        materials=d["materials"],
        time_limit_code=d["time_limit_code"],
        time_limit_note=d["time_limit_note"],
        fees=d["fees"],
        remedies=d["remedies"],
        supervision_channels=d["supervision_channels"],
        random_inspection=d["random_inspection"],
        bases=tuple(d["bases_text"]),
        av_requirements=form.av_requirements(),
        brackets=brackets,
    )


def _item_form_page(
    request: HttpRequest, form: ItemForm, formset: Any, *, title: str, item: EnforcementItem | None
) -> HttpResponse:
    return render(
        request,
        "catalog/item_form.html",
        {
            "form": form,
            "formset": formset,
            "title": title,
            "item": item,
            "active_nav": "catalog",
        },
    )


def item_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_edit_catalog(request.user))
    body: EnforcementBody | None = org_selectors.bodies().first()
    if body is None:
        messages.error(request, "请先创建执法主体。")
        return redirect("catalog:item_list")
    form = ItemForm(request.POST or None, body=body, creating=True)
    formset = BracketFormSet(request.POST or None, prefix="brackets")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        if not permissions.can_edit_catalog(request.user, d["implementing_unit"]):
            form.add_error("implementing_unit", "您只能为本单位（或对口管理的局属单位）编制执法事项。")
        else:
            try:
                item = services.create_item(
                    actor=request.user,
                    body=body,
                    code=d["code"],
                    act_type=d["act_type"],
                    content=_content_from(form, formset),
                    effective_from=d["effective_from"],
                    reason=d["change_reason"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已创建执法事项 {item.code}。")
                return redirect("catalog:item_detail", item.code)
    return _item_form_page(request, form, formset, title="新建执法事项", item=None)


def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    latest = selectors.item_versions(item).first()
    assert latest is not None
    permissions.require(permissions.can_edit_catalog(request.user, latest.implementing_unit))
    initial, bracket_initial = _initial_from(latest)
    form = ItemForm(request.POST or None, body=item.body, creating=False, initial=initial)
    formset = BracketFormSet(request.POST or None, prefix="brackets", initial=bracket_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        if not permissions.can_edit_catalog(request.user, d["implementing_unit"]):
            form.add_error("implementing_unit", "您不能把事项调整到您无权管理的单位。")
        else:
            try:
                version = services.revise_item(
                    actor=request.user,
                    item=item,
                    content=_content_from(form, formset),
                    effective_from=d["effective_from"],
                    reason=d["change_reason"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"已发布第{version.number}版，原版本保留可查。")
                return redirect("catalog:item_detail", item.code)
    return _item_form_page(request, form, formset, title=f"调整执法事项：{latest.name}", item=item)


def law_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/law_list.html", {"laws": selectors.laws(), "active_nav": "laws"})


def law_detail(request: HttpRequest, pk: int) -> HttpResponse:
    law = get_object_or_404(Law, pk=pk)
    query = request.GET.get("q", "").strip()
    articles = selectors.provisions(law, query)
    context = {"law": law, "articles": articles, "query": query, "active_nav": "laws"}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_articles.html", context)
    return render(request, "catalog/law_detail.html", context)


def provision_search(request: HttpRequest) -> HttpResponse:
    """htmx picker: matching articles with a button that appends the citation to the basis field."""
    query = request.GET.get("q", "").strip()
    results = selectors.search_provisions(query) if len(query) >= 2 else []
    return render(request, "catalog/_provision_results.html", {"results": results, "query": query})


def rule_list(request: HttpRequest) -> HttpResponse:
    on = _parse_day(request.GET.get("on")) or timezone.localdate()
    return render(
        request,
        "catalog/rule_list.html",
        {
            "rules": selectors.rules_in_force(on),
            "on": on,
            "active_nav": "rules",
            "can_edit": permissions.can_edit_rules(request.user),
        },
    )


def rule_history(request: HttpRequest, code: str) -> HttpResponse:
    variant = request.GET.get("variant", "")
    history = list(selectors.rule_history(code, variant))
    if not history:
        raise Http404("没有该规则")
    return render(
        request,
        "catalog/rule_history.html",
        {
            "code": code,
            "variant": variant,
            "history": history,
            "active_nav": "rules",
            "current": selectors.rule_in_force(code, variant),
            "can_edit": permissions.can_edit_rules(request.user),
        },
    )


def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    permissions.require(permissions.can_edit_rules(request.user))
    variant = request.GET.get("variant", "")
    rule = selectors.rule_history(code, variant).first()
    if rule is None:
        raise Http404("没有该规则")
    initial = {
        "name": rule.name,
        "quantity": rule.quantity,
        "unit": rule.unit,
        "extension": rule.extension,
        "basis": rule.basis,
        "notes": rule.notes,
        "effective_from": timezone.localdate(),
    }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        effective_from, reason = d.pop("effective_from"), d.pop("reason")
        changes = {k: v for k, v in d.items() if v != getattr(rule, k)}
        try:
            services.revise_rule(
                actor=request.user, rule=rule, effective_from=effective_from, reason=reason, **changes
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已调整{rule.code}，自{effective_from:%Y-%m-%d}起施行；原规则保留。")
            return redirect(f"{reverse('catalog:rule_history', args=[code])}?variant={variant}")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"调整 {rule.code} {rule.name}",
            "active_nav": "rules",
            "crumbs": [("时限与标准", reverse("catalog:rule_list"))],
            "cancel_url": f"{reverse('catalog:rule_history', args=[code])}?variant={variant}",
            "intro": "调整不会覆盖原规则：新规则自生效日期起适用，此前的期限仍按原规则计算。",
        },
    )
