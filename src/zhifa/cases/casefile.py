"""The electronic case file (电子案卷): the case's documents in statutory order, its evidence and
audio/video, and its whole-process record, with an index and a manifest of hashes.

``completeness`` says what is still missing (the close step refuses until nothing is); the
export itself is the sealed archive of ``cases.sealing``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.guards import missing_for_case_file
from zhifa.cases.models import Case
from zhifa.cases.selectors import timeline, workflow_of

BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One item of the case file, in the order it is filed."""

    position: int
    section: str  # 文书 / 证据 / 记录
    title: str
    number: str
    date: str
    path: str  # inside the archive
    sha256: str
    size: int
    source: Any  # a callable returning an iterator of byte blocks
    record: Any = None  # the Document or Evidence row it is the file of

    def chunks(self) -> Iterator[bytes]:
        return iter(self.source())


def completeness(case: Case) -> list[str]:
    return missing_for_case_file(case, workflow_of(case))


def _documents(case: Case) -> list[Any]:
    if not apps.is_installed("zhifa.documents"):
        return []
    from zhifa.cases.documents_catalog import REVIEW_DOCUMENTS
    from zhifa.documents.models import Document

    # The latest version of each step document; every review opinion and discussion record (each
    # round is its own document, and the file keeps every round).
    filed: dict[Any, Any] = {}
    for doc in Document.objects.filter(case=case).order_by("template", "version"):
        filed[(doc.template, doc.version if doc.template in REVIEW_DOCUMENTS else 0)] = doc
    return sorted(
        filed.values(),
        key=lambda d: (DOCUMENTS[d.template].order if d.template in DOCUMENTS else 999, d.version),
    )


def _evidence(case: Case) -> list[Any]:
    if not apps.is_installed("zhifa.evidence"):
        return []
    from zhifa.evidence.models import Evidence

    return list(
        Evidence.objects.filter(case=case).select_related("officer", "device").order_by("captured_at", "pk")
    )


def _file_blocks(field: Any) -> Any:
    def read() -> Iterator[bytes]:
        with field.open("rb") as handle:
            while block := handle.read(BLOCK):
                yield block

    return read


def _evidence_blocks(item: Any) -> Any:
    def read() -> Iterator[bytes]:
        from zhifa.evidence.storage import get_store

        if item.size:
            yield from get_store().iter_range(item.storage_key, 0, item.size - 1)

    return read


_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mpeg": "mp3",
    "audio/amr": "amr",
    "application/pdf": "pdf",
    "video/x-msvideo": "avi",
}


def entries(case: Case) -> list[Entry]:
    """Documents in statutory order, then evidence in capture order."""
    out: list[Entry] = []
    for doc in _documents(case):
        n = len(out) + 1
        out.append(
            Entry(
                n,
                "文书",
                doc.title,
                doc.number,
                f"{doc.generated_at:%Y-%m-%d}",
                f"documents/{n:03d}-{doc.template}-v{doc.version}.pdf",
                doc.sha256,
                doc.size,
                _file_blocks(doc.pdf_file),
                doc,
            )
        )
    for item in _evidence(case):
        n = len(out) + 1
        ext = _EXTENSIONS.get(item.media_type, "bin")
        label = item.get_step_display() if item.step else item.get_kind_display()
        out.append(
            Entry(
                n,
                "证据",
                f"{label}：{item.original_filename}",
                "",
                f"{item.captured_at:%Y-%m-%d}",
                f"evidence/{n:03d}-{item.sha256[:12]}.{ext}",
                item.sha256,
                item.size,
                _evidence_blocks(item),
                item,
            )
        )
    return out


def _events_json(case: Case) -> bytes:
    events = [
        {
            "id": e.pk,
            "type": e.event_type,
            "step": e.step,
            "actor": e.actor_name,
            "at": e.occurred_at.isoformat(),
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
            "corrects": e.corrects_id,
            "digest": e.digest,
        }
        for e in timeline(case)
    ]
    return json.dumps(events, ensure_ascii=False, indent=1, default=str).encode()
