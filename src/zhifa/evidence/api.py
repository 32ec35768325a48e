"""证据与音像记录 API: chunked, resumable uploads, a case's evidence, the device register.

A thin face over ``zhifa.evidence.services`` and ``selectors``. Uploading a file:

1. ``POST /cases/{case_id}/uploads`` with the file's name, size and context → ``upload_id``,
   ``chunk_size``, ``offset`` (0).
2. ``PUT /uploads/{upload_id}`` for each chunk: the raw bytes as the body (not multipart),
   ``Content-Range: bytes START-END/SIZE``, at most ``chunk_size`` bytes, in order. The chunk
   that completes the file returns ``status: complete`` and ``evidence_id``.
3. On a failure, ``GET /uploads/{upload_id}`` tells the ``offset`` to resume from; a chunk sent
   past it is refused with 409 ``upload_gap`` and ``details.offset``. ``DELETE`` aborts.
"""

# No ``from __future__ import annotations``: ninja reads the view signatures at import time.
import datetime
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from zhifa.core.api import ErrorOut
from zhifa.core.errors import InvalidInput, NotPermitted
from zhifa.evidence import permissions, selectors, services
from zhifa.evidence.models import Device, Evidence
from zhifa.evidence.views_upload import content_length
from zhifa.org.api import paginated
from zhifa.org.models import Person

router = Router(tags=["证据与音像记录"])


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


class UploadIn(Schema):
    filename: str = Field(description="原文件名（仅作记录；类型按文件内容识别）", max_length=255)
    size: int = Field(ge=1, description="文件大小（字节）")
    kind: str = Field(description="类别：photo 照片 / audio 录音 / video 录像 / document 书证 / other 其他")
    captured_at: datetime.datetime = Field(description="采集时间（ISO 8601，带时区）")
    step: str = Field(
        "", description="执法环节代码（音像记录事项清单的环节，如 seal_or_seize）；不属于特定环节留空"
    )
    device_serial: str = Field("", description="执法记录仪设备编号；未使用留空")
    officer_id: int | None = Field(None, description="采集人ID；默认为调用者本人")
    place: str = Field("", max_length=300, description="采集地点（音像记录必填）")
    description: str = Field("", max_length=2000, description="说明")
    chunk_size: int | None = Field(None, ge=65536, description="希望的分片大小（字节），不超过服务器上限")


class UploadOut(Schema):
    upload_id: str = Field(description="上传任务ID")
    status: str = Field(description="open 上传中 / complete 已完成 / aborted 已中止")
    offset: int = Field(description="服务器已接收的字节数：下一个分片从这里开始")
    size: int = Field(description="文件大小（字节）")
    chunk_size: int = Field(description="分片大小上限（字节）")
    media_type: str = Field(description="按文件内容检测到的类型")
    evidence_id: int | None = Field(description="完成后登记的证据ID")
    failure: str = Field(description="中止原因")


class EvidenceOut(Schema):
    id: int = Field(description="证据ID")
    case_id: int = Field(description="案件ID")
    kind: str = Field(description="类别代码")
    kind_label: str = Field(description="类别")
    media_type: str = Field(description="文件类型（按内容检测）")
    original_filename: str = Field(description="原文件名")
    size: int = Field(description="大小（字节）")
    sha256: str = Field(description="SHA-256")
    sm3: str = Field(description="SM3")
    step: str = Field(description="执法环节代码")
    step_label: str = Field(description="执法环节")
    is_av: bool = Field(description="是否音像记录")
    device_serial: str | None = Field(description="执法记录仪编号")
    officer_id: int = Field(description="采集人ID")
    officer_name: str = Field(description="采集人")
    captured_at: datetime.datetime = Field(description="采集时间")
    place: str = Field(description="采集地点")
    description: str = Field(description="说明")
    uploaded_at: datetime.datetime = Field(description="上传时间")

    @staticmethod
    def resolve_kind_label(obj: Evidence) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_device_serial(obj: Evidence) -> str | None:
        return obj.device.serial_number if obj.device else None

    @staticmethod
    def resolve_officer_name(obj: Evidence) -> str:
        return obj.officer.name


class DeviceOut(Schema):
    id: int = Field(description="设备ID")
    serial_number: str = Field(description="设备编号")
    model: str = Field(description="型号")
    unit_id: int = Field(description="配发单位ID")
    unit_name: str = Field(description="配发单位")
    assignee_id: int | None = Field(description="当前领用人ID")
    assignee_name: str | None = Field(description="当前领用人")
    status: str = Field(description="in_service 在用 / repair 维修 / retired 停用报废")
    status_label: str = Field(description="状态")

    @staticmethod
    def resolve_unit_name(obj: Device) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_assignee_name(obj: Device) -> str | None:
        return obj.assignee.name if obj.assignee else None

    @staticmethod
    def resolve_status_label(obj: Device) -> str:
        return obj.get_status_display()


@router.post(
    "/cases/{case_id}/uploads",
    response={201: UploadOut, **errors(403, 404, 409, 422)},
    summary="开始上传一个证据文件（分片、可续传）",
)
def create_upload(request: HttpRequest, case_id: int, payload: UploadIn) -> Any:
    case = selectors.get_case(case_id)
    officer = None
    if payload.officer_id is not None:
        officer = Person.objects.filter(pk=payload.officer_id).first()
        if officer is None:
            raise InvalidInput("采集人不存在。", details={"officer_id": ["采集人不存在。"]})
    session = services.start_upload(
        actor=request.user,
        case=case,
        filename=payload.filename,
        size=payload.size,
        kind=payload.kind,
        captured_at=payload.captured_at,
        step=payload.step,
        device_serial=payload.device_serial,
        officer=officer,
        place=payload.place,
        description=payload.description,
        chunk_size=payload.chunk_size,
    )
    return Status(201, selectors.upload_state(session))


@router.put(
    "/uploads/{upload_id}",
    response={200: UploadOut, **errors(400, 403, 404, 409, 413, 422, 503)},
    summary="上传一个分片（请求体为原始字节，带 Content-Range）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        "parameters": [
            {
                "in": "header",
                "name": "Content-Range",
                "required": True,
                "schema": {"type": "string"},
                "description": "bytes 起始-结束/总大小，如 bytes 0-8388607/52428800",
            }
        ],
    },
)
def put_chunk(request: HttpRequest, upload_id: uuid.UUID) -> Any:
    session = services.receive_chunk(
        actor=request.user,
        session=selectors.get_upload(upload_id),
        content_range=request.headers.get("Content-Range"),
        body=request,
        content_length=content_length(request),
    )
    return selectors.upload_state(session)


@router.get(
    "/uploads/{upload_id}", response={200: UploadOut, **errors(403, 404)}, summary="查询上传进度（续传用）"
)
def get_upload(request: HttpRequest, upload_id: uuid.UUID) -> Any:
    session = selectors.get_upload(upload_id)
    if not selectors.can_see_upload(request.user, session):
        raise NotPermitted("您无权查看该上传。")
    return selectors.upload_state(session)


@router.delete("/uploads/{upload_id}", response={200: UploadOut, **errors(403, 404, 409)}, summary="中止上传")
def abort_upload(request: HttpRequest, upload_id: uuid.UUID) -> Any:
    session = services.abort_upload(actor=request.user, session=selectors.get_upload(upload_id))
    return selectors.upload_state(session)


@router.get(
    "/cases/{case_id}/evidence",
    response={200: list[EvidenceOut], **errors(403, 404)},
    summary="案件的证据与音像记录",
)
def case_evidence(request: HttpRequest, case_id: int) -> Any:
    case = selectors.get_case(case_id)
    if not permissions.can_view(request.user, case):
        raise NotPermitted("您无权查看该案件的证据。")
    return list(selectors.evidence_for_case(case))


@router.get("/devices", response=list[DeviceOut], summary="执法记录仪登记册")
@paginated
def device_list(request: HttpRequest, q: str = "", status: str = "") -> Any:
    return selectors.devices(query=q, status=status)
