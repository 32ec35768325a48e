"""Adjusting the 法制审核目录清单: a new dated row per change, never an edit of an old one.

A code gets a new version from ``effective_from``; ``active=False`` withdraws it from that day. The
rows before stay, so a decision is always judged by the catalogue in force on its day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhifa.cases.models import PartyKind
from zhifa.cases.services import clean_amount
from zhifa.catalog.models import ActType
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.org import permissions
from zhifa.review.models import AmountField, CriterionKind, Flag, MajorCriterion, Measure


def criterion_history(code: str) -> list[MajorCriterion]:
    """Every row of ``code``, newest first."""
    return list(MajorCriterion.objects.filter(code=code).order_by("-effective_from", "-pk"))


def _clean_act_types(raw: str) -> tuple[str, list[str]]:
    parts = [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
    unknown = [p for p in parts if p not in ActType.values]
    return ",".join(dict.fromkeys(parts)), unknown


@transaction.atomic
def add_criterion(
    *,
    actor: Any,
    code: str,
    effective_from: datetime.date,
    change_reason: str,
    active: bool = True,
    name: str = "",
    kind: str = "",
    act_types: str = "",
    party_kind: str = "",
    amount_field: str = "",
    threshold: Any = None,
    measure: str = "",
    flag: str = "",
    needs_hearing: bool = False,
    collective_discussion: bool = False,
    basis: str = "",
) -> MajorCriterion:
    """Add a catalogue row: a new entry, a new version of ``code`` from ``effective_from``, or —
    with ``active=False`` — its withdrawal from that day (the content is carried over from the
    current row). By the programme office or the administrator; the reason is kept on the row
    (a write-once row, so it is also a leaf of the ledger)."""
    if not permissions.can_edit_rules(actor):
        raise NotPermitted("法制审核目录清单由试点办或系统管理员调整。")
    code = code.strip().upper()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = ["请填写编号。"]
    if not change_reason.strip():
        errors["change_reason"] = ["请说明调整原因。"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], details=errors)
    # Lock the code's rows so two adjustments of one code on one day cannot both pass the checks.
    history = list(MajorCriterion.objects.select_for_update().filter(code=code).order_by("-effective_from"))
    newest = history[0] if history else None
    if newest is not None and effective_from < newest.effective_from:
        raise InvalidInput(
            f"生效日期不能早于{code}现行规定的生效日期（{newest.effective_from:%Y-%m-%d}）：已经作出的判定不能改写。",
            details={"effective_from": ["生效日期早于现行规定。"]},
        )
    if any(row.effective_from == effective_from for row in history):
        raise Conflict(
            f"{code}在{effective_from:%Y-%m-%d}已有一条规定，请选择其他生效日期。",
            code="criterion_exists",
            details={"effective_from": ["该日期已有规定。"]},
        )
    if not active:
        if newest is None or not newest.active:
            raise InvalidInput(f"{code}不在目录中，无需停用。", details={"active": ["该编号不在目录中。"]})
        return _save(newest, actor=actor, active=False, effective_from=effective_from, reason=change_reason)
    values = _clean_content(
        name=name,
        kind=kind,
        act_types=act_types,
        party_kind=party_kind,
        amount_field=amount_field,
        threshold=threshold,
        measure=measure,
        flag=flag,
        basis=basis,
    )
    values.update(needs_hearing=bool(needs_hearing), collective_discussion=bool(collective_discussion))
    if newest is not None and newest.active and all(getattr(newest, k) == v for k, v in values.items()):
        raise InvalidInput("内容与现行规定相同，无需调整。", code="no_change")
    row = MajorCriterion(
        code=code,
        active=True,
        effective_from=effective_from,
        change_reason=change_reason.strip(),
        created_by=actor,
        **values,
    )
    row.save()
    return row


def _clean_content(
    *,
    name: str,
    kind: str,
    act_types: str,
    party_kind: str,
    amount_field: str,
    threshold: Any,
    measure: str,
    flag: str,
    basis: str,
) -> dict[str, Any]:
    """The content of an entry, checked so that it can match: each kind needs its own fields and
    carries none of the others (a stray threshold on a measure entry would mislead the reader)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写情形。"]
    if not basis.strip():
        errors["basis"] = ["请填写依据（法律、法规、规章或本局目录清单）。"]
    if kind not in CriterionKind.values:
        errors["kind"] = ["请选择判定方式。"]
    cleaned_types, unknown = _clean_act_types(act_types)
    if unknown:
        errors["act_types"] = [f"未知的执法类别：{'、'.join(unknown)}。"]
    if party_kind and party_kind not in PartyKind.values:
        errors["party_kind"] = ["当事人类型无效。"]
    amount: Decimal | None = None
    if kind == CriterionKind.AMOUNT_AT_LEAST:
        if amount_field not in AmountField.values:
            errors["amount_field"] = ["按金额判定的，请选择金额项。"]
        try:
            amount = clean_amount("amount", threshold)
        except InvalidInput as exc:
            errors["threshold"] = [exc.message]
        else:
            if amount is None:
                errors["threshold"] = ["按金额判定的，请填写标准（元）。"]
    if kind == CriterionKind.MEASURE and measure not in Measure.values:
        errors["measure"] = ["按处理措施判定的，请选择措施。"]
    if kind == CriterionKind.FLAG and flag not in Flag.values:
        errors["flag"] = ["按承办人标注判定的，请选择标注。"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], details=errors)
    return {
        "name": name.strip(),
        "kind": kind,
        "act_types": cleaned_types,
        "party_kind": party_kind,
        "amount_field": amount_field if kind == CriterionKind.AMOUNT_AT_LEAST else "",
        "threshold": amount if kind == CriterionKind.AMOUNT_AT_LEAST else None,
        "measure": measure if kind == CriterionKind.MEASURE else "",
        "flag": flag if kind == CriterionKind.FLAG else "",
        "basis": basis.strip(),
    }


def _save(
    current: MajorCriterion, *, actor: Any, active: bool, effective_from: datetime.date, reason: str
) -> MajorCriterion:
    fields = (
        "name",
        "kind",
        "act_types",
        "party_kind",
        "amount_field",
        "threshold",
        "measure",
        "flag",
        "needs_hearing",
        "collective_discussion",
        "basis",
    )
    row = MajorCriterion(
        code=current.code,
        active=active,
        effective_from=effective_from,
        change_reason=reason.strip(),
        created_by=actor,
        **{f: getattr(current, f) for f in fields},
    )
    row.save()
    return row
