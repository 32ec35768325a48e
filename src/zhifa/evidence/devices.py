"""Writes to the register of 执法记录仪: registration, handover and status, each one append-only
``DeviceHandover`` entry in the same transaction as the change it logs.

Side effects: none outside the database.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.evidence.models import Device, DeviceHandover, DeviceStatus
from zhifa.evidence.permissions import can_manage_devices
from zhifa.org.models import Person, Role, Unit


def _require_manage(actor: Any, unit: Unit) -> None:
    if not can_manage_devices(actor, unit):
        raise NotPermitted(f"只有试点办、系统管理员或“{unit.name}”的负责人可以管理该单位的执法记录仪。")


def _check_holder(person: Person | None, unit: Unit) -> None:
    if person is None:
        return
    if person.body_id != unit.body_id:
        raise InvalidInput(f"{person.name}不属于本执法主体。", details={"to_person": ["不属于本执法主体。"]})
    if not person.is_active:
        raise InvalidInput(f"{person.name}已不在职，不能领用设备。", details={"to_person": ["人员不在职。"]})
    if not person.roles.filter(role=Role.OFFICER).exists():
        raise InvalidInput(
            f"{person.name}不是执法人员，不能领用执法记录仪。",
            details={"to_person": ["只有执法人员可以领用。"]},
        )


def _log(actor: Any, device: Device, before: Person | None, reason: str) -> DeviceHandover:
    return DeviceHandover.objects.create(
        device=device,
        from_person=before,
        to_person=device.assignee,
        status=device.status,
        by=actor if getattr(actor, "pk", None) else None,
        reason=reason.strip()[:300],
    )


@transaction.atomic
def register_device(
    *,
    actor: Any,
    serial_number: str,
    model: str,
    unit: Unit,
    assignee: Person | None = None,
    reason: str = "",
) -> Device:
    """Add a device to the register, optionally issued to its first holder."""
    _require_manage(actor, unit)
    serial_number = serial_number.strip()
    if not serial_number or not model.strip():
        raise InvalidInput("请填写设备编号和型号。", details={"serial_number": ["请填写设备编号。"]})
    _check_holder(assignee, unit)
    if Device.objects.filter(serial_number=serial_number).exists():
        raise Conflict(f"设备编号“{serial_number}”已登记。", details={"serial_number": ["该编号已登记。"]})
    try:
        with transaction.atomic():
            device = Device.objects.create(
                serial_number=serial_number, model=model.strip(), unit=unit, assignee=assignee
            )
    except IntegrityError as exc:
        raise Conflict(f"设备编号“{serial_number}”已登记。") from exc
    _log(actor, device, None, reason or "登记入册")
    return device


@transaction.atomic
def hand_over_device(
    *, actor: Any, device: Device, to_person: Person | None, reason: str = ""
) -> DeviceHandover:
    """交接: the device passes to ``to_person`` (``None``: returned to the unit's store)."""
    device = (
        Device.objects.select_for_update(of=("self",)).select_related("unit", "assignee").get(pk=device.pk)
    )
    _require_manage(actor, device.unit)
    if device.status != DeviceStatus.IN_SERVICE:
        raise Conflict(f"设备处于“{device.get_status_display()}”状态，不能交接。")
    _check_holder(to_person, device.unit)
    if (to_person.pk if to_person else None) == device.assignee_id:
        raise Conflict("接收人与当前领用人相同。", details={"to_person": ["接收人与当前领用人相同。"]})
    before = device.assignee
    device.assignee = to_person
    device.save(update_fields=["assignee"])
    return _log(actor, device, before, reason or ("领用" if to_person else "归还"))


@transaction.atomic
def change_device_status(*, actor: Any, device: Device, status: str, reason: str) -> DeviceHandover:
    """送修, 修复 or 停用. A device leaving service is returned by its holder; a retired one stays retired."""
    device = (
        Device.objects.select_for_update(of=("self",)).select_related("unit", "assignee").get(pk=device.pk)
    )
    _require_manage(actor, device.unit)
    if status not in DeviceStatus.values:
        raise InvalidInput("未知的设备状态。", details={"status": ["未知的设备状态。"]})
    if not reason.strip():
        raise InvalidInput("变更设备状态须说明原因。", details={"reason": ["请填写原因。"]})
    if device.status == DeviceStatus.RETIRED:
        raise Conflict("设备已停用报废，状态不能再变更。")
    if status == device.status:
        raise Conflict(f"设备已处于“{device.get_status_display()}”状态。")
    before = device.assignee
    device.status = status
    if status != DeviceStatus.IN_SERVICE:
        device.assignee = None
    device.save(update_fields=["status", "assignee"])
    return _log(actor, device, before, reason)
