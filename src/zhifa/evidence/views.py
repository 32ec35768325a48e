"""Staff pages: a case's evidence, playing a file, and the register of 执法记录仪.

Each view checks permission, calls one service or selector, and shows a refusal as a message.
The upload endpoints behind the upload form are in ``views_upload``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.core.errors import DomainError, NotFound
from zhifa.core.forms import apply_domain_error
from zhifa.evidence import devices as device_services
from zhifa.evidence import permissions, selectors
from zhifa.evidence.forms import DeviceForm, DeviceStatusForm, HandoverForm
from zhifa.evidence.models import Device, DeviceStatus
from zhifa.evidence.serving import evidence_response
from zhifa.org.models import Unit


def case_evidence(request: HttpRequest, case_id: int) -> HttpResponse:
    """The evidence of one case on its own page (the case page shows the same partial)."""
    try:
        case = selectors.get_case(case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not permissions.can_view(request.user, case):
        raise PermissionDenied("您无权查看该案件的证据。")
    context = {"case": case, "active_nav": "cases", **selectors.case_evidence_context(case, request.user)}
    return render(request, "evidence/case_evidence.html", context)


@require_http_methods(["GET", "HEAD"])
def evidence_content(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file itself, for the player (HTTP Range) or as a download (``?download=1``)."""
    try:
        evidence = selectors.get_evidence(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not permissions.can_view(request.user, evidence.case):
        raise PermissionDenied("您无权查看该证据。")
    return evidence_response(request, evidence, attachment=request.GET.get("download") == "1")


@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    unit_id = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    return render(
        request,
        "evidence/device_list.html",
        {
            "devices": selectors.devices(query=query, unit=unit, status=status)[:500],
            "query": query,
            "status": status,
            "unit_id": unit_id,
            "units": Unit.objects.filter(is_active=True),
            "statuses": DeviceStatus.choices,
            "can_manage": permissions.can_manage_devices(request.user),
            "active_nav": "devices",
        },
    )


def device_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_devices(request.user):
        raise PermissionDenied("只有试点办、系统管理员或科室负责人可以登记执法记录仪。")
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = device_services.register_device(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记执法记录仪 {device.serial_number}。")
            return redirect("evidence:device_detail", device.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "登记执法记录仪",
            "crumbs": [("执法记录仪", reverse("evidence:device_list"))],
            "cancel_url": reverse("evidence:device_list"),
            "active_nav": "devices",
            "submit_label": "登记",
        },
    )


def _device(pk: int) -> Device:
    return get_object_or_404(Device.objects.select_related("unit", "assignee", "assignee__unit"), pk=pk)


@require_GET
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(pk)
    can_manage = permissions.can_manage_devices(request.user, device.unit)
    return render(
        request,
        "evidence/device_detail.html",
        {
            "device": device,
            "log": selectors.device_log(device),
            "can_manage": can_manage,
            "handover_form": HandoverForm(device=device) if can_manage else None,
            "status_form": DeviceStatusForm(initial={"status": device.status}) if can_manage else None,
            "evidence_count": device.evidence.count(),
            "active_nav": "devices",
        },
    )


@require_POST
def device_handover(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(pk)
    form = HandoverForm(request.POST, device=device)
    if not form.is_valid():
        messages.error(request, "请检查接收人和事由。")
        return redirect("evidence:device_detail", device.pk)
    try:
        device_services.hand_over_device(
            actor=request.user,
            device=device,
            to_person=form.cleaned_data["to_person"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录交接。")
    return redirect("evidence:device_detail", device.pk)


@require_POST
def device_status(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(pk)
    form = DeviceStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "变更设备状态须选择状态并说明原因。")
        return redirect("evidence:device_detail", device.pk)
    try:
        device_services.change_device_status(actor=request.user, device=device, **form.cleaned_data)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已变更设备状态。")
    return redirect("evidence:device_detail", device.pk)
