"""Small helpers shared by the organisation tests (importable: pytest puts tests/org on the path)."""

from __future__ import annotations

import io
import os
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhifa.org.models import OrgEvent


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (24, 32), noise: bool = False) -> bytes:
    """A real image in ``fmt``; ``noise`` makes it incompressible (and so large)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def last_event(**filters: Any) -> OrgEvent:
    event = OrgEvent.objects.filter(**filters).order_by("-id").first()
    assert event is not None, f"no OrgEvent matching {filters}"
    return event


def page_text(response: Any) -> str:
    return response.content.decode("utf-8")
