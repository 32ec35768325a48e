"""The register of 执法记录仪: registration, handover log, status, and who keeps it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from tests.evidence.conftest import MP4_HEAD, payload

from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, InvalidInput, NotPermitted
from zhifa.evidence import devices
from zhifa.evidence.models import Device, DeviceHandover, DeviceStatus, Evidence


@pytest.fixture
def camera(bureau: Any) -> Device:
    return devices.register_device(
        actor=bureau.head,
        serial_number="DSJ-0001",
        model="DSJ-V9",
        unit=bureau.units["稽查支队"],
        assignee=bureau.people["officer"],
    )


def test_registering_logs_the_first_issue(bureau: Any, camera: Device) -> None:
    [entry] = DeviceHandover.objects.filter(device=camera)
    assert (entry.from_person, entry.to_person, entry.status) == (
        None,
        bureau.people["officer"],
        "in_service",
    )
    assert entry.by == bureau.head and entry.reason == "登记入册"
    with pytest.raises(Conflict, match="已登记"):
        devices.register_device(
            actor=bureau.admin, serial_number="DSJ-0001", model="X", unit=bureau.units["稽查支队"]
        )


def test_a_handover_moves_the_device_and_appends_to_its_log(bureau: Any, camera: Device) -> None:
    devices.hand_over_device(
        actor=bureau.head, device=camera, to_person=bureau.people["officer2"], reason="换班"
    )
    devices.hand_over_device(actor=bureau.head, device=camera, to_person=None, reason="")
    camera.refresh_from_db()
    assert camera.assignee is None
    log = list(DeviceHandover.objects.filter(device=camera).order_by("pk"))
    assert [
        (e.from_person and e.from_person.name, e.to_person and e.to_person.name, e.reason) for e in log
    ] == [
        (None, "李执法", "登记入册"),
        ("李执法", "王执法", "换班"),
        ("王执法", None, "归还"),
    ]
    with pytest.raises(ValueError, match="不能修改"):
        log[0].save()
    with pytest.raises(ValueError, match="不能删除"):
        log[0].delete()
    with pytest.raises(Conflict, match="相同"):
        devices.hand_over_device(actor=bureau.head, device=camera, to_person=None)


def test_status_changes_are_logged_and_a_retired_device_stays_retired(bureau: Any, camera: Device) -> None:
    with pytest.raises(InvalidInput, match="原因"):
        devices.change_device_status(actor=bureau.head, device=camera, status="repair", reason=" ")
    devices.change_device_status(actor=bureau.head, device=camera, status="repair", reason="镜头损坏")
    camera.refresh_from_db()
    assert camera.status == DeviceStatus.REPAIR and camera.assignee is None
    with pytest.raises(Conflict, match="不能交接"):
        devices.hand_over_device(actor=bureau.head, device=camera, to_person=bureau.people["officer"])
    devices.change_device_status(actor=bureau.head, device=camera, status="retired", reason="无法修复")
    with pytest.raises(Conflict, match="报废"):
        devices.change_device_status(actor=bureau.head, device=camera, status="in_service", reason="再用")
    assert list(
        DeviceHandover.objects.filter(device=camera).values_list("status", flat=True).order_by("pk")
    ) == [
        "in_service",
        "repair",
        "retired",
    ]


@pytest.mark.parametrize("username", ["officer", "reviewer", "supervisor"])
def test_only_the_register_keepers_may_change_it(bureau: Any, camera: Device, username: str) -> None:
    with pytest.raises(NotPermitted):
        devices.hand_over_device(actor=bureau.user(username), device=camera, to_person=None)
    with pytest.raises(NotPermitted):
        devices.register_device(
            actor=bureau.user(username), serial_number="DSJ-9", model="X", unit=bureau.units["稽查支队"]
        )
    assert Device.objects.count() == 1


def test_the_head_of_another_unit_may_not_register_here(bureau: Any) -> None:
    with pytest.raises(NotPermitted):
        devices.register_device(
            actor=bureau.head, serial_number="DSJ-2", model="X", unit=bureau.units["审批一科"]
        )
    devices.register_device(
        actor=bureau.pilot, serial_number="DSJ-2", model="X", unit=bureau.units["审批一科"]
    )


def test_evidence_names_its_device(bureau: Any, case: Case, uploader: Any, camera: Device) -> None:
    response = uploader("officer", case, payload(MP4_HEAD, 5000), device_serial="DSJ-0001")
    evidence = Evidence.objects.get(pk=response.json()["evidence_id"])
    assert evidence.device == camera
    assert evidence.case.events.get(event_type="evidence_added").after["device"] == "DSJ-0001"


def test_device_pages(bureau: Any, client_as: Any, camera: Device) -> None:
    head = client_as("head")
    listing = head.get(reverse("evidence:device_list"), {"q": "DSJ"})
    assert listing.status_code == 200 and "DSJ-0001" in listing.content.decode()
    assert "登记执法记录仪" in listing.content.decode()
    detail = head.get(reverse("evidence:device_detail", args=[camera.pk]))
    assert "交接记录" in detail.content.decode() and "记录交接" in detail.content.decode()
    response = head.post(
        reverse("evidence:device_handover", args=[camera.pk]),
        {"to_person": bureau.people["officer2"].pk, "reason": "轮岗"},
    )
    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.assignee == bureau.people["officer2"]
    response = head.post(
        reverse("evidence:device_status", args=[camera.pk]), {"status": "repair", "reason": "送修"}
    )
    camera.refresh_from_db()
    assert response.status_code == 302 and camera.status == "repair"
    created = head.post(
        reverse("evidence:device_create"),
        {"serial_number": "DSJ-0002", "model": "DSJ-V9", "unit": bureau.units["稽查支队"].pk, "reason": ""},
    )
    assert created.status_code == 302 and Device.objects.filter(serial_number="DSJ-0002").exists()
    duplicate = head.post(
        reverse("evidence:device_create"),
        {"serial_number": "DSJ-0002", "model": "DSJ-V9", "unit": bureau.units["稽查支队"].pk},
    )
    assert duplicate.status_code == 200 and "该编号已登记" in duplicate.content.decode()


def test_device_pages_refuse_those_who_do_not_keep_the_register(client_as: Any, camera: Device) -> None:
    officer = client_as("officer")
    assert officer.get(reverse("evidence:device_list")).status_code == 200
    assert "记录交接" not in officer.get(reverse("evidence:device_detail", args=[camera.pk])).content.decode()
    assert officer.get(reverse("evidence:device_create")).status_code == 403
    response = officer.post(
        reverse("evidence:device_handover", args=[camera.pk]), {"to_person": "", "reason": ""}
    )
    assert response.status_code == 403
    assert client_as("outsider").get(reverse("evidence:device_list")).status_code == 403
