"""Organisation events as people read them: field labels and display values, not column names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from zhifa.org.models import Credential, EnforcementBody, OrgEvent, Person, Role, RoleAssignment, Unit

_MODELS: tuple[type[models.Model], ...] = (Credential, Person, Unit, EnforcementBody, RoleAssignment)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str | None  # None: the field was not there before (a creation)
    after: str | None  # None: the field is gone (a revocation)


def _field(name: str) -> models.Field[Any, Any] | None:
    for model in _MODELS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _display(name: str, value: Any, units: dict[int, str]) -> str:
    if value in (None, ""):
        return "（空）"
    if name == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if name in {"unit", "parent", "counterpart"}:
        return units.get(value, f"#{value}") if isinstance(value, int) else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    field = _field(name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _label(name: str) -> str:
    if name == "role":
        return "角色"
    if name == "unit":
        return "单位"
    field = _field(name)
    return str(field.verbose_name) if field is not None else name


def describe(event: OrgEvent, units: dict[int, str] | None = None) -> list[FieldChange]:
    """The changed fields of ``event`` with labels and display values; unchanged fields left out."""
    names = list(dict.fromkeys([*event.after.keys(), *event.before.keys()]))
    unit_names = units if units is not None else dict(Unit.objects.values_list("pk", "name"))
    changes = []
    for name in names:
        before = event.before.get(name) if name in event.before else None
        after = event.after.get(name) if name in event.after else None
        if name in event.before and name in event.after and before == after:
            continue
        changes.append(
            FieldChange(
                _label(name),
                _display(name, before, unit_names) if name in event.before else None,
                _display(name, after, unit_names) if name in event.after else None,
            )
        )
    return changes


def with_descriptions(events: list[OrgEvent]) -> list[tuple[OrgEvent, list[FieldChange]]]:
    units = dict(Unit.objects.values_list("pk", "name"))
    return [(event, describe(event, units)) for event in events]
