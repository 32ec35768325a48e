"""Reads shared by the staff pages, the case page and the API."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from zhifa.cases.models import Case
from zhifa.core.errors import NotFound
from zhifa.evidence import permissions
from zhifa.evidence.models import Device, DeviceHandover, DeviceStatus, Evidence, UploadSession
from zhifa.evidence.services import SEALED_STATES, chunk_bytes, max_upload_bytes
from zhifa.org.models import Unit


def evidence_for_case(case: Case) -> QuerySet[Evidence]:
    return Evidence.objects.filter(case=case).select_related("device", "officer", "uploaded_by")


def get_evidence(pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("case", "case__unit").filter(pk=pk).first()
    if evidence is None:
        raise NotFound("证据不存在。")
    return evidence


def get_upload(upload_id: uuid.UUID | str) -> UploadSession:
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        key = None
    session = (
        UploadSession.objects.select_related("case", "case__unit").filter(pk=key).first() if key else None
    )
    if session is None:
        raise NotFound("上传任务不存在。")
    return session


def get_case(case_id: int) -> Case:
    case = Case.objects.select_related("unit", "body").filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在。")
    return case


def devices(*, query: str = "", unit: Unit | None = None, status: str = "") -> QuerySet[Device]:
    qs = Device.objects.select_related("unit", "assignee")
    if query:
        qs = qs.filter(
            Q(serial_number__icontains=query) | Q(model__icontains=query) | Q(assignee__name__icontains=query)
        )
    if unit is not None:
        qs = qs.filter(unit=unit)
    if status in DeviceStatus.values:
        qs = qs.filter(status=status)
    return qs


def device_log(device: Device) -> QuerySet[DeviceHandover]:
    return device.handovers.select_related("from_person", "to_person", "by")


def case_evidence_context(case: Case, user: Any) -> dict[str, Any]:
    """What ``evidence/_case_evidence.html`` needs on the case page: ``context.update(...)`` it.
    Keys are prefixed ``evidence_`` so they sit beside the case page's own context;
    ``evidence_panel`` is what the case page tests to show the section."""
    from zhifa.evidence.forms import UploadForm

    can_view = permissions.can_view(user, case)
    sealed = case.state in SEALED_STATES
    can_upload = can_view and not sealed and permissions.can_upload(user, case)
    return {
        "evidence_panel": True,
        "evidence_case": case,
        "evidence_can_view": can_view,
        "evidence_can_upload": can_upload,
        "evidence_sealed": sealed,
        "evidence_items": list(evidence_for_case(case)) if can_view else [],
        "evidence_upload_form": UploadForm(case=case) if can_upload else None,
        "evidence_chunk_size": chunk_bytes(),
        "evidence_max_bytes": max_upload_bytes(),
    }


def can_see_upload(user: Any, session: UploadSession) -> bool:
    return getattr(user, "pk", None) == session.uploader_id or permissions.can_upload(user, session.case)


def upload_state(session: UploadSession) -> dict[str, Any]:
    """Where an upload stands: what a client needs to send the next chunk or to resume."""
    evidence_id = Evidence.objects.filter(session=session).values_list("pk", flat=True).first()
    return {
        "upload_id": str(session.pk),
        "status": session.status,
        "offset": session.received_bytes,
        "size": session.declared_size,
        "chunk_size": session.chunk_size,
        "media_type": session.media_type,
        "evidence_id": evidence_id,
        "failure": session.failure,
    }
