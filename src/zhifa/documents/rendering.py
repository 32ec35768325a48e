"""Rendering a document's context to bytes: PDF with Typst, DOCX with docxtpl.

Templates live beside this module: ``templates_typst/<code>.typ`` (sharing ``common.typ``) and
``templates_docx/<code>.docx`` (built by ``build_docx_templates.py``). Fonts come from
``settings.FONTS_DIR`` first, so a bureau can drop its licensed 方正小标宋 / 仿宋 there, then the
system fonts. Failures raise ``RenderingFailed`` with a Chinese message; nothing is written.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import logging
from pathlib import Path
from typing import Any, Literal

import typst
from django.conf import settings
from docxtpl import DocxTemplate

from zhifa.core.errors import DomainError

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TYPST_DIR = HERE / "templates_typst"
DOCX_DIR = HERE / "templates_docx"
# PDF/A-2b: embedded fonts and fixed metadata, for a case file kept 30 years or permanently.
PDF_STANDARD: Literal["a-2b"] = "a-2b"


class RenderingFailed(DomainError):
    code = "rendering_failed"
    status = 422


@functools.cache
def _fonts(fonts_dir: str) -> typst.Fonts:
    """Scanning font files takes ~0.1 s; do it once per fonts directory."""
    paths = [fonts_dir] if Path(fonts_dir).is_dir() else []
    return typst.Fonts(include_system_fonts=True, include_embedded_fonts=True, font_paths=paths)


def typst_template(code: str) -> Path:
    return TYPST_DIR / f"{code}.typ"


def docx_template(code: str) -> Path:
    return DOCX_DIR / f"{code}.docx"


def render_pdf(code: str, context: dict[str, Any], *, at: datetime.datetime | None = None) -> bytes:
    """The document as PDF bytes (A4, fonts embedded)."""
    source = typst_template(code)
    if not source.is_file():
        raise RenderingFailed(f"缺少文书模板：{source.name}")
    data = json.dumps(context, ensure_ascii=False, default=str)
    try:
        pdf, warnings = typst.compile_with_warnings(
            source,
            root=TYPST_DIR,
            font_paths=_fonts(str(settings.FONTS_DIR)),
            sys_inputs={"data": data},
            pdf_standards=PDF_STANDARD,
            timestamp=at.replace(microsecond=0) if at is not None else None,
        )
    except (typst.TypstError, RuntimeError, ValueError) as exc:
        logger.exception("typst failed for %s", code)
        message = getattr(exc, "message", str(exc))
        raise RenderingFailed(f"文书“{code}”排版失败：{message}") from exc
    for warning in warnings:
        # The preferred bureau fonts (方正小标宋, 仿宋) are optional; Noto CJK stands in.
        if "unknown font family" not in warning.message:
            logger.warning("typst warning for %s: %s", code, warning.message)
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        raise RenderingFailed(f"文书“{code}”排版失败：未生成PDF。")
    return pdf


def render_docx(code: str, context: dict[str, Any]) -> bytes:
    """The same document as an editable Word file."""
    source = docx_template(code)
    if not source.is_file():
        raise RenderingFailed(f"缺少Word模板：{source.name}")
    try:
        template = DocxTemplate(str(source))
        template.render(context, autoescape=True)
        out = io.BytesIO()
        template.save(out)
    except Exception as exc:  # docxtpl raises jinja2 and lxml errors alike
        logger.exception("docxtpl failed for %s", code)
        raise RenderingFailed(f"Word文书“{code}”生成失败：{exc}") from exc
    return out.getvalue()
