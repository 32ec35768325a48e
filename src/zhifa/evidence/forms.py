"""Staff forms: the upload form (its file goes up in chunks by ``upload.js``; the other fields
open the session) and the device register forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.catalog.models import CaseStep
from zhifa.evidence.models import Device, DeviceStatus, EvidenceKind
from zhifa.org.models import Person, Unit


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="文件", required=False, help_text="照片、录音、录像或 PDF；按文件内容识别类型。"
    )
    kind = forms.ChoiceField(label="类别", choices=EvidenceKind.choices, initial=EvidenceKind.VIDEO)
    step = forms.ChoiceField(
        label="执法环节", choices=[("", "（不属于特定环节）"), *CaseStep.choices], required=False
    )
    captured_at = forms.DateTimeField(
        label="采集时间", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label="采集地点", max_length=300, required=False)
    officer = forms.ModelChoiceField(label="采集人", queryset=Person.objects.none(), required=False)
    device_serial = forms.ModelChoiceField(
        label="执法记录仪",
        queryset=Device.objects.none(),
        to_field_name="serial_number",
        required=False,
        empty_label="（未使用执法记录仪）",
    )
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 2, "wide": "1"}), required=False, max_length=2000
    )
    # Sent by upload.js with the file's name and size instead of the file itself.
    filename = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    size = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer = self.fields["officer"]
        device = self.fields["device_serial"]
        assert isinstance(officer, forms.ModelChoiceField) and isinstance(device, forms.ModelChoiceField)
        officer.queryset = Person.objects.filter(
            case_assignments__case=case, case_assignments__recused_at__isnull=True
        ).order_by("name")
        officer.empty_label = "（本人）"
        device.queryset = Device.objects.filter(unit__body_id=case.body_id).exclude(
            status=DeviceStatus.RETIRED
        )
        self.fields["captured_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class DeviceForm(forms.Form):
    serial_number = forms.CharField(label="设备编号", max_length=60)
    model = forms.CharField(label="型号", max_length=100)
    unit = forms.ModelChoiceField(label="配发单位", queryset=Unit.objects.filter(is_active=True))
    assignee = forms.ModelChoiceField(
        label="领用人",
        queryset=Person.objects.filter(is_active=True),
        required=False,
        empty_label="（暂不配发）",
    )
    reason = forms.CharField(label="备注", max_length=300, required=False)


class HandoverForm(forms.Form):
    to_person = forms.ModelChoiceField(
        label="接收人", queryset=Person.objects.none(), required=False, empty_label="（交回单位）"
    )
    reason = forms.CharField(label="事由", max_length=300, required=False)

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_person = self.fields["to_person"]
        assert isinstance(to_person, forms.ModelChoiceField)
        to_person.queryset = Person.objects.filter(
            is_active=True, body_id=device.unit.body_id
        ).select_related("unit")


class DeviceStatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=DeviceStatus.choices)
    reason = forms.CharField(label="原因", max_length=300)
