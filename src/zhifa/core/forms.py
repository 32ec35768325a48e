"""Helpers shared by the staff forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from zhifa.core.errors import DomainError


def apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a refused service call on the form: per field where the error names one."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for field, messages in details.items():
        if field in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def validate_photo(photo: UploadedFile | None) -> UploadedFile | None:
    """A credential photo: an image by its bytes (Pillow checks them), JPEG or PNG, small."""
    if photo is None or photo is False:
        return None
    if photo.size and photo.size > settings.ZHIFA_MAX_PHOTO_BYTES:
        raise forms.ValidationError("照片不能超过 2 MB。")
    image = getattr(photo, "image", None)
    if image is not None and image.format not in {"JPEG", "PNG"}:
        raise forms.ValidationError("照片须为 JPEG 或 PNG 格式。")
    return photo


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
